//! Rules a value must follow that the server and the desktop app's forms both apply, written
//! once here so the two cannot disagree: the API layer exports them to the UI
//! (`ui/src/generated/rules.ts`) and the server checks the same patterns.
//!
//! Patterns use only what Rust's `regex-lite` and JavaScript's `RegExp` (with the `u` flag) read the
//! same way: explicit ASCII classes, never `\w`, `\d` or `\s`.

use std::sync::OnceLock;

use regex_lite::Regex;

/// One rule: a whole-value pattern, a length limit in characters, and what to tell a person
/// whose value breaks it.
pub struct Rule {
    /// Its name in the UI's generated module (`ROLE_ARN`).
    pub name: &'static str,
    /// Anchored at both ends.
    pub pattern: &'static str,
    pub max_len: usize,
    /// A short instruction for a form ("Letters, digits, ...").
    pub hint: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Rule {
    const fn new(name: &'static str, pattern: &'static str, max_len: usize, hint: &'static str) -> Rule {
        Rule { name, pattern, max_len, hint, compiled: OnceLock::new() }
    }

    /// Whether `value` follows the rule.
    pub fn accepts(&self, value: &str) -> bool {
        let compiled = self.compiled.get_or_init(|| Regex::new(self.pattern).ok());
        value.chars().count() <= self.max_len && compiled.as_ref().is_some_and(|re| re.is_match(value))
    }
}

/// An IAM role's ARN in any partition (`aws`, `aws-cn`, `aws-us-gov`): a 12-digit account, an
/// optional path, and a role name of IAM's characters.
pub static ROLE_ARN: Rule = Rule::new(
    "ROLE_ARN",
    r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/(?:[A-Za-z0-9_+=,.@-]+/)*[A-Za-z0-9_+=,.@-]+$",
    2048,
    "An IAM role ARN, like arn:aws:iam::123456789012:role/name",
);

/// `IdentityPoolName`: the model's `[\w\s+=,.@-]+`, 1 to 128 characters (`\w` and `\s` in the
/// model's Java sense: ASCII).
pub static IDENTITY_POOL_NAME: Rule =
    Rule::new("IDENTITY_POOL_NAME", r"^[A-Za-z0-9_ \t\n\x0B\f\r+=,.@-]+$", 128, "Letters, digits, spaces and + = , . @ - _ only");

/// A saved connection's name (`pooldesk remote add NAME`, the app's sidebar).
pub static CONNECTION_NAME: Rule =
    Rule::new("CONNECTION_NAME", r"^[A-Za-z0-9][A-Za-z0-9._-]*$", 64, "Letters, digits, '-', '_' or '.', starting with a letter or digit");

/// An AWS region name (`us-east-1`).
pub static REGION: Rule = Rule::new("REGION", r"^[a-z0-9-]+$", 32, "A region name like us-east-1");

/// An access key id (`AKIA...`, `ASIA...`).
pub static ACCESS_KEY_ID: Rule = Rule::new("ACCESS_KEY_ID", r"^[A-Za-z0-9]{16,128}$", 128, "16 to 128 letters and digits, like AKIA…");

/// Every rule, for the UI's generated module.
pub static ALL: [&Rule; 5] = [&ROLE_ARN, &IDENTITY_POOL_NAME, &CONNECTION_NAME, &REGION, &ACCESS_KEY_ID];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        for rule in ALL {
            assert!(Regex::new(rule.pattern).is_ok(), "{}", rule.name);
        }
    }

    #[test]
    fn role_arns_are_iam_role_arns_in_any_partition() {
        for good in [
            "arn:aws:iam::123456789012:role/Admin",
            "arn:aws-cn:iam::123456789012:role/path/to/Admin",
            "arn:aws-us-gov:iam::123456789012:role/a+b=c,d.e@f-g_h",
        ] {
            assert!(ROLE_ARN.accepts(good), "{good}");
        }
        for bad in [
            "",
            "arn:aws:iam::12345678901:role/Admin",
            "arn:aws:iam::123456789012:user/Admin",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/has space",
            "arn:aws:iam::123456789012:role/line\nbreak",
            "arn:AWS:iam::123456789012:role/Admin",
            "xarn:aws:iam::123456789012:role/Admin",
        ] {
            assert!(!ROLE_ARN.accepts(bad), "{bad:?}");
        }
        let longest = format!("arn:aws:iam::123456789012:role/{}", "r".repeat(2048 - 31));
        assert!(ROLE_ARN.accepts(&longest));
        assert!(!ROLE_ARN.accepts(&format!("{longest}r")));
    }

    #[test]
    fn identity_pool_names_follow_the_model() {
        for good in ["my pool", "a+b=c,d.e@f-g_h", "Tab\tand newline\n", "x"] {
            assert!(IDENTITY_POOL_NAME.accepts(good), "{good:?}");
        }
        for bad in ["", "no!", "café", "semi;colon", &"x".repeat(129)] {
            assert!(!IDENTITY_POOL_NAME.accepts(bad), "{bad:?}");
        }
    }

    #[test]
    fn connection_names_regions_and_key_ids() {
        assert!(CONNECTION_NAME.accepts("staging-2.eu"));
        assert!(!CONNECTION_NAME.accepts("-staging") && !CONNECTION_NAME.accepts("a b") && !CONNECTION_NAME.accepts(&"a".repeat(65)));
        assert!(REGION.accepts("us-east-1") && !REGION.accepts("US-EAST-1") && !REGION.accepts(""));
        assert!(
            ACCESS_KEY_ID.accepts("AKIAIOSFODNN7EXAMPLE")
                && !ACCESS_KEY_ID.accepts("AKIA")
                && !ACCESS_KEY_ID.accepts("AKIA-IOSFODNN7EXAMPLE")
        );
    }
}
