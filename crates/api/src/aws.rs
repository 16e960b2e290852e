//! What PoolDesk's own calls to AWS services share: the endpoint the AWS SDKs would use
//! (`AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`, else the region's), credentials from
//! the AWS SDK's own default chain (environment, profiles, SSO, web identity, container and
//! instance roles), and SigV4 signing by `aws-sigv4`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use pooldesk_core::clock::Clock;

/// Credentials are fetched again this long before they expire.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

pub(crate) struct AwsHttp {
    pub runtime: tokio::runtime::Handle,
    /// The time requests are signed at.
    clock: Arc<dyn Clock>,
    pub client: reqwest::Client,
    credentials: Mutex<Option<Credentials>>,
}

/// The endpoint the AWS SDKs would call a service at, from these environment variables
/// (`service_env` as in `AWS_ENDPOINT_URL_<SERVICE>`: `LAMBDA`, `KINESIS`, `SNS`).
pub(crate) fn configured_endpoint(service_env: &str, var: impl Fn(&str) -> Option<String>) -> Option<String> {
    if var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return None;
    }
    var(&format!("AWS_ENDPOINT_URL_{service_env}")).or_else(|| var("AWS_ENDPOINT_URL")).map(|u| u.trim_end_matches('/').to_owned())
}

/// [`configured_endpoint`] from the process environment.
pub(crate) fn endpoint_from_env(service_env: &str) -> Option<String> {
    configured_endpoint(service_env, |name| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()))
}

impl AwsHttp {
    pub fn new(clock: Arc<dyn Clock>, runtime: tokio::runtime::Handle) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        Ok(AwsHttp { runtime, clock, client, credentials: Mutex::new(None) })
    }

    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(u64::try_from(self.clock.now_millis()).unwrap_or(0))
    }

    /// Credentials from the default chain, reused until shortly before they expire.
    pub async fn credentials(&self, region: &str) -> Result<Credentials, String> {
        if let Some(c) = self.credentials.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
            && c.expiry().is_none_or(|at| at > self.now() + REFRESH_BEFORE_EXPIRY)
        {
            return Ok(c.clone());
        }
        let chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
            .region(aws_config::Region::new(region.to_owned()))
            .build()
            .await;
        let fresh = chain.provide_credentials().await.map_err(|e| format!("no AWS credentials: {e}"))?;
        *self.credentials.lock().unwrap_or_else(|e| e.into_inner()) = Some(fresh.clone());
        Ok(fresh)
    }

    /// A signed POST of `body` to `url` for `service` in `region`, with `headers`, sent.
    pub async fn post(
        &self,
        service: &str,
        region: &str,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<reqwest::Response, PostError> {
        let credentials = self.credentials(region).await.map_err(PostError::Failed)?;
        let signed = sign_request(&credentials, service, region, url, headers, &body, self.now()).map_err(PostError::Failed)?;
        let mut request = self.client.post(url).timeout(timeout).body(body);
        for (name, value) in headers.iter().chain(signed.iter()) {
            request = request.header(*name, value);
        }
        request
            .send()
            .await
            .map_err(|e| if e.is_timeout() { PostError::Timeout } else { PostError::Failed(format!("{url} could not be reached: {e}")) })
    }
}

/// Why a request got no answer.
#[derive(Debug)]
pub(crate) enum PostError {
    Timeout,
    Failed(String),
}

impl std::fmt::Display for PostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PostError::Timeout => f.write_str("no answer in time"),
            PostError::Failed(why) => f.write_str(why),
        }
    }
}

/// SigV4 headers for a POST of `body` to `url`, for `service`.
pub(crate) fn sign_request(
    credentials: &Credentials,
    service: &str,
    region: &str,
    url: &str,
    headers: &[(&str, String)],
    body: &[u8],
    at: SystemTime,
) -> Result<Vec<(&'static str, String)>, String> {
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(at)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign the request: {e}"))?
        .into();
    let signable = SignableRequest::new("POST", url, headers.iter().map(|(n, v)| (*n, v.as_str())), SignableBody::Bytes(body))
        .map_err(|e| format!("cannot sign the request: {e}"))?;
    let (instructions, _) = sign(signable, &params).map_err(|e| format!("cannot sign the request: {e}"))?.into_parts();
    let mut signed = Vec::new();
    for (name, value) in instructions.headers() {
        let name = match name {
            "authorization" => "authorization",
            "x-amz-date" => "x-amz-date",
            "x-amz-security-token" => "x-amz-security-token",
            "x-amz-content-sha256" => "x-amz-content-sha256",
            other => return Err(format!("unexpected signing header {other}")),
        };
        signed.push((name, value.to_owned()));
    }
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_found_as_the_sdks_find_it() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        assert_eq!(configured_endpoint("LAMBDA", env(&[])), None);
        assert_eq!(
            configured_endpoint("LAMBDA", env(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/")])).as_deref(),
            Some("http://127.0.0.1:4566")
        );
        assert_eq!(
            configured_endpoint("KINESIS", env(&[("AWS_ENDPOINT_URL", "http://a"), ("AWS_ENDPOINT_URL_KINESIS", "http://b")])).as_deref(),
            Some("http://b")
        );
        assert_eq!(
            configured_endpoint("SNS", env(&[("AWS_ENDPOINT_URL", "http://a"), ("AWS_ENDPOINT_URL_KINESIS", "http://b")])).as_deref(),
            Some("http://a"),
            "another service's variable is not this one's"
        );
        assert_eq!(
            configured_endpoint("LAMBDA", env(&[("AWS_ENDPOINT_URL", "http://a"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")])),
            None
        );
    }
}
