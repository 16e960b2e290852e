//! Cognito Sync's calls to AWS: Kinesis `PutRecords` (JSON 1.1) for Cognito Streams, and SNS
//! `CreatePlatformEndpoint` and `Publish` (the query protocol) for push sync, at the endpoints
//! the AWS SDKs would use (`AWS_ENDPOINT_URL_KINESIS`, `AWS_ENDPOINT_URL_SNS`, else
//! `AWS_ENDPOINT_URL`, else the region's) with the standard credential chain.
//!
//! PoolDesk signs with its own credentials rather than assuming the pool's `RoleArn` (which
//! AWS's service principal would do): give them the rights the role would have.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pooldesk_core::clock::Clock;
use pooldesk_core::sync::{StreamRecord, SyncOutbound};
use serde_json::{Value, json};

use crate::aws::AwsHttp;

/// Each call has this long to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

pub struct SyncAws {
    aws: AwsHttp,
    kinesis: Option<String>,
    sns: Option<String>,
    /// SNS platform endpoints by application and device token, made once.
    endpoints: Mutex<HashMap<(String, String), String>>,
}

impl SyncAws {
    pub fn from_env(clock: Arc<dyn Clock>, runtime: tokio::runtime::Handle) -> anyhow::Result<Self> {
        Ok(SyncAws {
            aws: AwsHttp::new(clock, runtime)?,
            kinesis: crate::aws::endpoint_from_env("KINESIS"),
            sns: crate::aws::endpoint_from_env("SNS"),
            endpoints: Mutex::new(HashMap::new()),
        })
    }

    async fn put(&self, region: &str, stream: &str, records: &[StreamRecord]) -> Result<Vec<Result<(), String>>, String> {
        let base = self.kinesis.clone().unwrap_or_else(|| format!("https://kinesis.{region}.amazonaws.com"));
        let body = json!({
            "StreamName": stream,
            "Records": records.iter().map(|r| json!({"Data": STANDARD.encode(&r.data), "PartitionKey": r.partition_key})).collect::<Vec<_>>(),
        });
        let headers =
            [("content-type", "application/x-amz-json-1.1".to_owned()), ("x-amz-target", "Kinesis_20131202.PutRecords".to_owned())];
        let response = self.aws.post("kinesis", region, &format!("{base}/"), &headers, body.to_string().into_bytes(), TIMEOUT).await;
        let response = response.map_err(|e| format!("Kinesis: {e}"))?;
        let status = response.status().as_u16();
        let answer: Value = response.json().await.map_err(|e| format!("Kinesis answered HTTP {status} with something unreadable: {e}"))?;
        if !(200..300).contains(&status) {
            let code = answer.get("__type").and_then(Value::as_str).unwrap_or("error");
            let code = code.rsplit('#').next().unwrap_or(code);
            let message = answer.get("message").or_else(|| answer.get("Message")).and_then(Value::as_str).unwrap_or("");
            return Err(format!("Kinesis answered HTTP {status} {code}: {message}"));
        }
        let Some(outcomes) = answer.get("Records").and_then(Value::as_array) else {
            return Err("Kinesis answered PutRecords without Records".into());
        };
        Ok(outcomes
            .iter()
            .map(|o| match o.get("ErrorCode").and_then(Value::as_str) {
                None => Ok(()),
                Some(code) => Err(format!("{code}: {}", o.get("ErrorMessage").and_then(Value::as_str).unwrap_or(""))),
            })
            .collect())
    }

    /// An SNS query-protocol action, answering its result's XML.
    async fn sns(&self, region: &str, params: &[(&str, &str)]) -> Result<String, String> {
        let base = self.sns.clone().unwrap_or_else(|| format!("https://sns.{region}.amazonaws.com"));
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        let headers = [("content-type", "application/x-www-form-urlencoded; charset=utf-8".to_owned())];
        let response = self.aws.post("sns", region, &format!("{base}/"), &headers, body.into_bytes(), TIMEOUT).await;
        let response = response.map_err(|e| format!("SNS: {e}"))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| format!("reading SNS's answer: {e}"))?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let code = xml_text(&text, "Code").unwrap_or_default();
        let message = xml_text(&text, "Message").unwrap_or_default();
        Err(format!("SNS answered HTTP {status} {code}: {message}"))
    }

    async fn publish(&self, application_arn: &str, token: &str, message: &str) -> Result<(), String> {
        let region = crate::arn::region(application_arn, "sns").ok_or_else(|| format!("{application_arn} is not an SNS ARN"))?;
        let key = (application_arn.to_owned(), token.to_owned());
        let known = self.endpoints.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
        let endpoint = match known {
            Some(endpoint) => endpoint,
            None => {
                // SNS answers the existing endpoint of a token it knows.
                let params = [
                    ("Action", "CreatePlatformEndpoint"),
                    ("Version", "2010-03-31"),
                    ("PlatformApplicationArn", application_arn),
                    ("Token", token),
                ];
                let answer = self.sns(region, &params).await?;
                let endpoint = xml_text(&answer, "EndpointArn").ok_or("SNS answered CreatePlatformEndpoint without an EndpointArn")?;
                self.endpoints.lock().unwrap_or_else(|e| e.into_inner()).insert(key.clone(), endpoint.clone());
                endpoint
            }
        };
        let params = [
            ("Action", "Publish"),
            ("Version", "2010-03-31"),
            ("TargetArn", &endpoint),
            ("MessageStructure", "json"),
            ("Message", message),
        ];
        let published = self.sns(region, &params).await;
        if published.is_err() {
            // The endpoint may have gone (disabled or deleted): make it again next time.
            self.endpoints.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
        }
        published.map(drop)
    }
}

/// The text of the first `<name>` element of an AWS XML answer.
fn xml_text(xml: &str, name: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut inside = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == name.as_bytes() => inside = true,
            Event::Text(t) if inside => return t.decode().ok().map(|s| s.trim().to_owned()),
            Event::End(_) if inside => return Some(String::new()),
            Event::Eof => return None,
            _ => {}
        }
    }
}

impl SyncOutbound for SyncAws {
    fn put_records(&self, region: &str, stream: &str, records: &[StreamRecord]) -> Result<Vec<Result<(), String>>, String> {
        self.aws.runtime.block_on(async {
            match tokio::time::timeout(TIMEOUT, self.put(region, stream, records)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(format!("Kinesis did not answer within {} seconds", TIMEOUT.as_secs())),
            }
        })
    }

    fn push(&self, application_arn: &str, token: &str, message: &str) -> Result<(), String> {
        self.aws.runtime.block_on(async {
            match tokio::time::timeout(2 * TIMEOUT, self.publish(application_arn, token, message)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(format!("SNS did not answer within {} seconds", 2 * TIMEOUT.as_secs())),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_from_snss_xml() {
        let created = r#"<CreatePlatformEndpointResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
            <CreatePlatformEndpointResult><EndpointArn>arn:aws:sns:us-east-1:1:endpoint/GCM/app/abc</EndpointArn></CreatePlatformEndpointResult>
            </CreatePlatformEndpointResponse>"#;
        assert_eq!(xml_text(created, "EndpointArn").as_deref(), Some("arn:aws:sns:us-east-1:1:endpoint/GCM/app/abc"));
        let error = r#"<ErrorResponse><Error><Type>Sender</Type><Code>EndpointDisabled</Code><Message>Endpoint is disabled</Message></Error></ErrorResponse>"#;
        assert_eq!(xml_text(error, "Code").as_deref(), Some("EndpointDisabled"));
        assert_eq!(xml_text(error, "Missing"), None);
        assert_eq!(xml_text("not xml <", "Code"), None);
    }
}
