//! The pools' Lambda triggers, called through the AWS Lambda Invoke API
//! (`POST /2015-03-31/functions/<FunctionName>/invocations`, `RequestResponse`), SigV4-signed
//! with credentials from the AWS SDK's own default chain, at the endpoint the AWS SDKs would
//! use: `AWS_ENDPOINT_URL_LAMBDA`, else `AWS_ENDPOINT_URL`, else the region's Lambda. The same
//! configuration reaches real AWS Lambda, LocalStack or `sam local start-lambda`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use pooldesk_core::clock::Clock;
use pooldesk_core::user_pools::{InvokeFailure, Invoked, LambdaInvoker};

/// Credentials are fetched again this long before they expire.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

pub struct LambdaHttp {
    runtime: tokio::runtime::Handle,
    /// The time requests are signed at.
    clock: Arc<dyn Clock>,
    client: reqwest::Client,
    /// The server's region, for functions named without an ARN.
    region: String,
    /// `AWS_ENDPOINT_URL_LAMBDA` or `AWS_ENDPOINT_URL`, as read at start.
    endpoint: Option<String>,
    credentials: Mutex<Option<Credentials>>,
}

/// The endpoint the AWS SDKs would call Lambda at, from these environment variables.
fn configured_endpoint(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    if var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return None;
    }
    var("AWS_ENDPOINT_URL_LAMBDA").or_else(|| var("AWS_ENDPOINT_URL")).map(|u| u.trim_end_matches('/').to_owned())
}

impl LambdaHttp {
    pub fn from_env(region: &str, clock: Arc<dyn Clock>, runtime: tokio::runtime::Handle) -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        Ok(LambdaHttp {
            runtime,
            clock,
            client,
            region: region.to_owned(),
            endpoint: configured_endpoint(var),
            credentials: Mutex::new(None),
        })
    }

    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(u64::try_from(self.clock.now_millis()).unwrap_or(0))
    }

    /// Credentials from the default chain, reused until shortly before they expire.
    async fn credentials(&self, region: &str) -> Result<Credentials, String> {
        if let Some(c) = self.credentials.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
            && c.expiry().is_none_or(|at| at > self.now() + REFRESH_BEFORE_EXPIRY)
        {
            return Ok(c.clone());
        }
        let chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
            .region(aws_config::Region::new(region.to_owned()))
            .build()
            .await;
        let fresh = chain.provide_credentials().await.map_err(|e| format!("no AWS credentials for Lambda: {e}"))?;
        *self.credentials.lock().unwrap_or_else(|e| e.into_inner()) = Some(fresh.clone());
        Ok(fresh)
    }

    async fn call(&self, function: &str, payload: &[u8], deadline: Instant) -> Result<Invoked, InvokeFailure> {
        let service = |why: String| InvokeFailure::Service(why);
        let region = crate::arn::region(function, "lambda").unwrap_or(&self.region).to_owned();
        let base = self.endpoint.clone().unwrap_or_else(|| format!("https://lambda.{region}.amazonaws.com"));
        let name: String = form_urlencoded::byte_serialize(function.as_bytes()).collect();
        let url = format!("{base}/2015-03-31/functions/{name}/invocations");
        let credentials = self.credentials(&region).await.map_err(service)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let remaining = deadline.checked_duration_since(Instant::now()).ok_or(InvokeFailure::Timeout)?;
            let headers = [("content-type", "application/json".to_owned()), ("x-amz-invocation-type", "RequestResponse".to_owned())];
            let signed = sign_request(&credentials, &region, &url, &headers, payload, self.now()).map_err(service)?;
            let mut request = self.client.post(&url).timeout(remaining).body(payload.to_vec());
            for (name, value) in headers.iter().chain(signed.iter()) {
                request = request.header(*name, value);
            }
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) if e.is_timeout() => return Err(InvokeFailure::Timeout),
                Err(e) => return Err(service(format!("Lambda could not be reached at {base}: {e}"))),
            };
            let status = response.status().as_u16();
            let function_error = response.headers().get("x-amz-function-error").and_then(|v| v.to_str().ok()).map(str::to_owned);
            let body = match response.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) if e.is_timeout() => return Err(InvokeFailure::Timeout),
                Err(e) => return Err(service(format!("reading Lambda's answer: {e}"))),
            };
            // Throttling and Lambda's own faults are tried once more, as the SDKs do, if time allows.
            if (status == 429 || status >= 500) && attempt == 1 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            if !(200..300).contains(&status) {
                let message = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("message").or_else(|| v.get("Message")).and_then(|m| m.as_str()).map(str::to_owned))
                    .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(300).collect());
                let why = format!("Lambda answered HTTP {status}: {message}");
                return Err(if status == 429 { InvokeFailure::Throttled(why) } else { service(why) });
            }
            return Ok(Invoked { function_error, payload: body });
        }
    }
}

/// SigV4 headers for a POST of `body` to `url`, for the `lambda` service.
fn sign_request(
    credentials: &Credentials,
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
        .name("lambda")
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

impl LambdaInvoker for LambdaHttp {
    fn invoke(&self, function: &str, payload: &[u8], timeout: Duration) -> Result<Invoked, InvokeFailure> {
        let deadline = Instant::now() + timeout;
        self.runtime.block_on(async {
            match tokio::time::timeout(timeout, self.call(function, payload, deadline)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(InvokeFailure::Timeout),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_found_as_the_sdks_find_it() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        assert_eq!(configured_endpoint(env(&[])), None);
        assert_eq!(configured_endpoint(env(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/")])).as_deref(), Some("http://127.0.0.1:4566"));
        assert_eq!(
            configured_endpoint(env(&[("AWS_ENDPOINT_URL", "http://a"), ("AWS_ENDPOINT_URL_LAMBDA", "http://b")])).as_deref(),
            Some("http://b")
        );
        assert_eq!(configured_endpoint(env(&[("AWS_ENDPOINT_URL", "http://a"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")])), None);
    }
}
