//! The client for a remote server: Cognito's JSON 1.1 protocol over HTTP(S), every request
//! SigV4-signed here, so it speaks to PoolDesk and to any Cognito-compatible endpoint alike.
//! Failures come back as what a person can act on: unreachable, TLS, clock skew, unknown key,
//! wrong secret, or the server's own Cognito error unchanged in name.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

use crate::{Connection, RemoteError};

/// How far apart the two clocks may be before SigV4 refuses a request (AWS's rule).
const MAX_SKEW_SECS: i64 = 5 * 60;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection with its secret, ready to call. The secret stays in this process: `Debug`
/// redacts it, and nothing here logs requests.
pub struct RemoteClient {
    connection: Connection,
    credentials: Credentials,
    http: reqwest::Client,
    url: String,
    host: String,
}

/// What a successful check saw on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerCheck {
    /// User pools on the first page of `ListUserPools` (at most 60).
    pub user_pools: usize,
    /// The server's clock minus this computer's, when the server sent a `Date` header.
    pub clock_offset_secs: Option<i64>,
}

impl RemoteClient {
    pub fn new(connection: Connection, secret_access_key: &str) -> Result<RemoteClient, RemoteError> {
        let url = url::Url::parse(&connection.endpoint).map_err(|e| RemoteError::InvalidConnection(e.to_string()))?;
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err(RemoteError::InvalidConnection(format!("{} has no host", connection.endpoint))),
        };
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(CALL_TIMEOUT)
            .user_agent(concat!("pooldesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RemoteError::InvalidConnection(format!("cannot set up HTTP for {}: {e}", connection.endpoint)))?;
        let credentials = Credentials::new(&connection.access_key_id, secret_access_key, None, None, "pooldesk-connection");
        Ok(RemoteClient { url: format!("{}/", connection.endpoint), host, connection, credentials, http })
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Runs one operation, e.g. `AWSCognitoIdentityProviderService.ListUsers`, with `body`
    /// in the wire shape; the answer's JSON as the server sent it.
    pub async fn call(&self, target: &str, body: Vec<u8>) -> Result<Vec<u8>, RemoteError> {
        self.send(target, body, CALL_TIMEOUT).await.map(|(body, _)| body)
    }

    /// Tests the connection with a signed `ListUserPools`, the least an admin key must do.
    pub async fn check(&self) -> Result<ServerCheck, RemoteError> {
        let body = br#"{"MaxResults":60}"#.to_vec();
        let (answer, clock_offset_secs) = self.send("AWSCognitoIdentityProviderService.ListUserPools", body, CHECK_TIMEOUT).await?;
        let user_pools = serde_json::from_slice::<serde_json::Value>(&answer)
            .ok()
            .and_then(|v| v.get("UserPools").and_then(|p| p.as_array()).map(Vec::len))
            .ok_or_else(|| self.not_cognito(200, "its ListUserPools answer has no UserPools list"))?;
        Ok(ServerCheck { user_pools, clock_offset_secs })
    }

    async fn send(&self, target: &str, body: Vec<u8>, timeout: Duration) -> Result<(Vec<u8>, Option<i64>), RemoteError> {
        let mut headers = vec![
            ("host", self.host.clone()),
            ("content-type", "application/x-amz-json-1.1".to_owned()),
            ("x-amz-target", target.to_owned()),
        ];
        headers.extend(self.sign(target, &headers, &body)?);
        let mut request = self.http.post(&self.url).timeout(timeout);
        for (name, value) in headers.iter().filter(|(name, _)| *name != "host") {
            request = request.header(*name, value);
        }
        let response = request.body(body).send().await.map_err(|e| self.transport_error(&e, timeout))?;
        let status = response.status().as_u16();
        let clock_offset_secs = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .map(|server| seconds_between(now(), server));
        let error_type = response.headers().get("x-amzn-errortype").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let answer = response.bytes().await.map_err(|e| self.transport_error(&e, timeout))?.to_vec();
        if (200..300).contains(&status) {
            if serde_json::from_slice::<serde::de::IgnoredAny>(&answer).is_err() {
                return Err(self.not_cognito(status, "it answered with something other than JSON"));
            }
            return Ok((answer, clock_offset_secs));
        }
        let Some((code, message)) = cognito_error(&answer, error_type.as_deref()) else {
            return Err(self.not_cognito(status, "its answer is not a Cognito error"));
        };
        Err(self.explain(code, message, clock_offset_secs))
    }

    fn sign(&self, target: &str, headers: &[(&str, String)], body: &[u8]) -> Result<Vec<(&'static str, String)>, RemoteError> {
        let signing_error = |e: &dyn std::fmt::Display| RemoteError::InvalidConnection(format!("cannot sign the request: {e}"));
        let identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.connection.region)
            .name(signing_name(target))
            .time(now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| signing_error(&e))?
            .into();
        let signable = SignableRequest::new("POST", &self.url, headers.iter().map(|(n, v)| (*n, v.as_str())), SignableBody::Bytes(body))
            .map_err(|e| signing_error(&e))?;
        let (instructions, _) = sign(signable, &params).map_err(|e| signing_error(&e))?.into_parts();
        let mut signed = Vec::new();
        for (name, value) in instructions.headers() {
            // The signer only adds these; naming them statically keeps header names 'static.
            let name = match name {
                "authorization" => "authorization",
                "x-amz-date" => "x-amz-date",
                "x-amz-security-token" => "x-amz-security-token",
                "x-amz-content-sha256" => "x-amz-content-sha256",
                other => return Err(signing_error(&format!("unexpected signing header {other}"))),
            };
            signed.push((name, value.to_owned()));
        }
        Ok(signed)
    }

    /// A Cognito error, with the signature failures told apart and explained.
    fn explain(&self, code: String, message: String, clock_offset_secs: Option<i64>) -> RemoteError {
        let key = &self.connection.access_key_id;
        let skewed = clock_offset_secs.is_some_and(|o| o.abs() > MAX_SKEW_SECS);
        match code.as_str() {
            "InvalidSignatureException"
                if skewed || message.starts_with("Signature expired") || message.starts_with("Signature not yet current") =>
            {
                // The Date header says how far apart the clocks are, when it shows the skew.
                let server_ahead_secs = clock_offset_secs.filter(|o| o.abs() > MAX_SKEW_SECS);
                RemoteError::ClockSkew { endpoint: self.connection.endpoint.clone(), server_ahead_secs, detail: message }
            }
            "InvalidSignatureException" => RemoteError::Service {
                code,
                message: format!(
                    "The server knows the access key id {key}, but the request's signature does not match: \
                     the secret access key is wrong. Enter the key's secret again. (The server said: {message})"
                ),
            },
            "UnrecognizedClientException" => RemoteError::Service {
                code,
                message: format!(
                    "The server does not know the access key id {key}. Check the id, or create a key on the server \
                     (`pooldesk keys create`). (The server said: {message})"
                ),
            },
            _ => RemoteError::Service { code, message },
        }
    }

    fn not_cognito(&self, status: u16, what: &str) -> RemoteError {
        RemoteError::NotCognito { endpoint: self.connection.endpoint.clone(), status, detail: what.to_owned() }
    }

    fn transport_error(&self, e: &reqwest::Error, timeout: Duration) -> RemoteError {
        let endpoint = self.connection.endpoint.clone();
        if let Some(tls) = find_tls_error(e) {
            let detail = match tls {
                rustls::Error::InvalidCertificate(why) => {
                    format!("its certificate is not trusted by this computer ({why:?}); install its CA, or use a trusted certificate")
                }
                rustls::Error::InvalidMessage(_) => "it did not answer with TLS; if it serves plain HTTP, use an http:// URL".to_owned(),
                other => other.to_string(),
            };
            return RemoteError::Tls { endpoint, detail };
        }
        let detail = if e.is_timeout() { format!("no answer within {} s", timeout.as_secs()) } else { root_cause(e) };
        RemoteError::Unreachable { endpoint, detail }
    }
}

/// The signing name AWS expects for a target: each Cognito service has its own; PoolDesk's
/// own operations accept either.
fn signing_name(target: &str) -> &'static str {
    match target.split_once('.').map(|(service, _)| service) {
        Some("AWSCognitoIdentityService") => "cognito-identity",
        Some("AWSIdentityManagementV20100508") => "iam",
        Some("CognitoSync") => "cognito-sync",
        _ => "cognito-idp",
    }
}

/// `{"__type": "[namespace#]Code", "message": ...}` (or the `x-amzn-ErrorType` header).
fn cognito_error(body: &[u8], header: Option<&str>) -> Option<(String, String)> {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
    let raw = json.get("__type").or_else(|| json.get("code")).and_then(|t| t.as_str()).or(header)?;
    let code = raw.rsplit('#').next().unwrap_or(raw).split(':').next().unwrap_or(raw).trim();
    if code.is_empty() {
        return None;
    }
    let message = json.get("message").or_else(|| json.get("Message")).and_then(|m| m.as_str()).unwrap_or_default();
    Some((code.to_owned(), message.to_owned()))
}

fn find_tls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current: Option<&'a (dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = current {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        // `io::Error::source` skips the error it wraps (and TLS errors come wrapped in two).
        current = match error.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[allow(clippy::disallowed_methods)] // a signature carries the wall-clock time, and skew is measured against it
fn now() -> SystemTime {
    SystemTime::now()
}

fn seconds_between(from: SystemTime, to: SystemTime) -> i64 {
    match to.duration_since(from) {
        Ok(ahead) => ahead.as_secs() as i64,
        Err(behind) => -(behind.duration().as_secs() as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_in_every_shape_aws_uses() {
        let code = |body: &str, header| cognito_error(body.as_bytes(), header).map(|(c, _)| c);
        assert_eq!(
            code(r#"{"__type":"com.amazonaws#UserNotFoundException","message":"m"}"#, None).as_deref(),
            Some("UserNotFoundException")
        );
        assert_eq!(code(r#"{"__type":"NotAuthorizedException","Message":"m"}"#, None).as_deref(), Some("NotAuthorizedException"));
        assert_eq!(code("", Some("InvalidSignatureException:http://internal.amazon.com/")).as_deref(), Some("InvalidSignatureException"));
        assert_eq!(code("<html>Not Found</html>", None), None);
        assert_eq!(code("{}", None), None);
        assert_eq!(cognito_error(br#"{"__type":"X","Message":"why"}"#, None), Some(("X".to_owned(), "why".to_owned())));
    }

    #[test]
    fn each_service_signs_under_its_own_name() {
        assert_eq!(signing_name("AWSCognitoIdentityService.GetId"), "cognito-identity");
        assert_eq!(signing_name("AWSCognitoIdentityProviderService.ListUsers"), "cognito-idp");
        assert_eq!(signing_name("PoolDesk.SimulateRoleMapping"), "cognito-idp");
        assert_eq!(signing_name("AWSIdentityManagementV20100508.ListSAMLProviders"), "iam");
        assert_eq!(signing_name("CognitoSync.ListDatasets"), "cognito-sync");
    }
}
