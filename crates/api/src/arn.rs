//! The parts of AWS ARNs PoolDesk reads.

/// The region of `arn:<partition>:<service>:<region>:<account>:<resource>` for `service`.
pub(crate) fn region<'a>(arn: &'a str, service: &str) -> Option<&'a str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn")).then_some(())?;
    let (_, named, region) = (parts.next()?, parts.next()?, parts.next()?);
    (named == service && !region.is_empty()).then_some(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_comes_from_the_arn_of_the_right_service() {
        assert_eq!(region("arn:aws:lambda:eu-west-1:123456789012:function:pre-sign-up", "lambda"), Some("eu-west-1"));
        assert_eq!(region("arn:aws:lambda:eu-west-1:123456789012:function:f:live", "lambda"), Some("eu-west-1"));
        assert_eq!(region("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "kms"), Some("eu-west-1"));
        assert_eq!(region("arn:aws:lambda:eu-west-1:123456789012:function:f", "kms"), None);
        assert_eq!(region("pre-sign-up", "lambda"), None);
        assert_eq!(region("arn:aws:s3:::bucket", "s3"), None);
    }
}
