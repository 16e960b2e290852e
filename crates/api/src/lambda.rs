//! The pools' Lambda triggers, called through the AWS Lambda Invoke API
//! (`POST /2015-03-31/functions/<FunctionName>/invocations`, `RequestResponse`), SigV4-signed
//! with credentials from the AWS SDK's own default chain, at the endpoint the AWS SDKs would
//! use: `AWS_ENDPOINT_URL_LAMBDA`, else `AWS_ENDPOINT_URL`, else the region's Lambda. The same
//! configuration reaches real AWS Lambda, LocalStack or `sam local start-lambda`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pooldesk_core::clock::Clock;
use pooldesk_core::user_pools::{InvokeFailure, Invoked, LambdaInvoker};

use crate::aws::{AwsHttp, PostError};

pub struct LambdaHttp {
    aws: AwsHttp,
    /// The server's region, for functions named without an ARN.
    region: String,
    /// `AWS_ENDPOINT_URL_LAMBDA` or `AWS_ENDPOINT_URL`, as read at start.
    endpoint: Option<String>,
}

impl LambdaHttp {
    pub fn from_env(region: &str, clock: Arc<dyn Clock>, runtime: tokio::runtime::Handle) -> anyhow::Result<Self> {
        Ok(LambdaHttp { aws: AwsHttp::new(clock, runtime)?, region: region.to_owned(), endpoint: crate::aws::endpoint_from_env("LAMBDA") })
    }

    async fn call(&self, function: &str, payload: &[u8], deadline: Instant) -> Result<Invoked, InvokeFailure> {
        let service = |why: String| InvokeFailure::Service(why);
        let region = crate::arn::region(function, "lambda").unwrap_or(&self.region).to_owned();
        let base = self.endpoint.clone().unwrap_or_else(|| format!("https://lambda.{region}.amazonaws.com"));
        let name: String = form_urlencoded::byte_serialize(function.as_bytes()).collect();
        let url = format!("{base}/2015-03-31/functions/{name}/invocations");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let remaining = deadline.checked_duration_since(Instant::now()).ok_or(InvokeFailure::Timeout)?;
            let headers = [("content-type", "application/json".to_owned()), ("x-amz-invocation-type", "RequestResponse".to_owned())];
            let response = match self.aws.post("lambda", &region, &url, &headers, payload.to_vec(), remaining).await {
                Ok(r) => r,
                Err(PostError::Timeout) => return Err(InvokeFailure::Timeout),
                Err(PostError::Failed(why)) => return Err(service(format!("Lambda: {why}"))),
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

impl LambdaInvoker for LambdaHttp {
    fn invoke(&self, function: &str, payload: &[u8], timeout: Duration) -> Result<Invoked, InvokeFailure> {
        let deadline = Instant::now() + timeout;
        self.aws.runtime.block_on(async {
            match tokio::time::timeout(timeout, self.call(function, payload, deadline)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(InvokeFailure::Timeout),
            }
        })
    }
}
