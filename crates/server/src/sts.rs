//! STS on the same endpoint, in its query protocol (form-encoded in, XML out):
//! `GetCallerIdentity` for any signed caller (temporary credentials answer their assumed role)
//! and `AssumeRoleWithWebIdentity` for identity pools' classic flow.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use pooldesk_core::Error;
use pooldesk_core::identity_pools::credentials::SessionClaims;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::{AppState, Caller, authenticate, request_id, signed};

const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

pub(crate) fn is_sts_request(headers: &HeaderMap, body: &[u8]) -> bool {
    let form =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    form || body.starts_with(b"Action=")
}

/// Why an STS request failed: the query protocol's own complaints, or an operation's error.
enum StsError {
    MissingParameter(&'static str),
    InvalidAction(String),
    Operation(Error),
}

impl From<Error> for StsError {
    fn from(e: Error) -> Self {
        StsError::Operation(e)
    }
}

impl StsError {
    /// The one place an error gets STS's status and name (the model's `awsQueryError` codes),
    /// which differ from the JSON services' for the same failure.
    fn wire(self) -> (StatusCode, &'static str, String) {
        use StatusCode as S;
        let e = match self {
            StsError::MissingParameter(name) => {
                return (S::BAD_REQUEST, "MissingParameter", format!("The request must contain the parameter {name}"));
            }
            StsError::InvalidAction(action) => {
                return (S::BAD_REQUEST, "InvalidAction", format!("Could not find operation {action} for version 2011-06-15"));
            }
            StsError::Operation(e) => e,
        };
        let (status, code) = match &e {
            Error::MissingAuthenticationToken(_) => (S::FORBIDDEN, "MissingAuthenticationToken"),
            Error::IncompleteSignature(_) => (S::BAD_REQUEST, "IncompleteSignature"),
            Error::InvalidSignature(_) => (S::FORBIDDEN, "SignatureDoesNotMatch"),
            Error::UnrecognizedClient(_) => (S::FORBIDDEN, "InvalidClientTokenId"),
            Error::ExpiredToken(_) => (S::BAD_REQUEST, "ExpiredToken"),
            Error::AccessDenied(_) => (S::FORBIDDEN, "AccessDenied"),
            Error::TooManyRequests(_) => (S::BAD_REQUEST, "Throttling"),
            Error::InvalidParameter(_) => (S::BAD_REQUEST, "ValidationError"),
            Error::Internal(_) => {
                tracing::error!("STS: {e:#}");
                (S::INTERNAL_SERVER_ERROR, "InternalFailure")
            }
            // The token names an unknown pool, or does not verify, or its identity is gone.
            _ => (S::BAD_REQUEST, "InvalidIdentityToken"),
        };
        (status, code, e.client_message())
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

fn xml(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    resp
}

fn error_response(e: StsError) -> Response {
    let (status, code, message) = e.wire();
    let kind = if status.is_server_error() { "Receiver" } else { "Sender" };
    xml(
        status,
        format!(
            "<ErrorResponse xmlns=\"{NS}\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            escape(&message),
            request_id()
        ),
    )
}

fn ok(action: &str, result: String) -> Response {
    xml(
        StatusCode::OK,
        format!(
            "<{action}Response xmlns=\"{NS}\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
            request_id()
        ),
    )
}

/// `AROA...`: a stable id for a role, as IAM gives each role one.
fn role_id(role_arn: &str) -> String {
    let digest = pooldesk_core::tokens::sha256_hex(role_arn).to_uppercase();
    format!("AROA{}", &digest[..17])
}

fn role_name(role_arn: &str) -> &str {
    role_arn.rsplit('/').next().unwrap_or(role_arn)
}

fn assumed_role_arn(account: &str, s: &SessionClaims) -> String {
    format!("arn:aws:sts::{account}:assumed-role/{}/{}", role_name(&s.role_arn), s.session_name)
}

/// Milliseconds since the UNIX epoch -> `YYYY-MM-DDTHH:MM:SSZ`, as STS writes `Expiration`
/// (outside the years -9999 to 9999, the nearest end of that range).
fn iso8601(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or_else(|_| if ms < 0 { PrimitiveDateTime::MIN.assume_utc() } else { PrimitiveDateTime::MAX.assume_utc() });
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

pub(crate) async fn handle(state: Arc<AppState>, peer: SocketAddr, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let outcome = tokio::task::spawn_blocking(move || -> Result<Response, StsError> {
        let params: BTreeMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
        let param = |name: &'static str| params.get(name).cloned().ok_or(StsError::MissingParameter(name));
        let account = state.api.pools.config().account_id.clone();
        match param("Action")?.as_str() {
            "GetCallerIdentity" => {
                let result = match authenticate(&state, Some("sts"), &signed(&method, &uri, &headers, &body))? {
                    Caller::Admin(_) => format!("<Arn>arn:aws:iam::{account}:root</Arn><UserId>{account}</UserId><Account>{account}</Account>"),
                    Caller::Session(s) => format!(
                        "<Arn>{}</Arn><UserId>{}:{}</UserId><Account>{account}</Account>",
                        escape(&assumed_role_arn(&account, &s)),
                        role_id(&s.role_arn),
                        escape(&s.session_name)
                    ),
                };
                Ok(ok("GetCallerIdentity", result))
            }
            "AssumeRoleWithWebIdentity" => {
                // Unsigned, like Cognito's public operations, and limited like them.
                if !state.limiter.admit("AssumeRoleWithWebIdentity", peer.ip(), None) {
                    return Err(Error::TooManyRequests("Rate exceeded".into()).into());
                }
                let role_arn = param("RoleArn")?;
                let session_name = param("RoleSessionName")?;
                if session_name.is_empty() || session_name.len() > 64 || !session_name.chars().all(|c| c.is_ascii_alphanumeric() || "=,.@-_".contains(c)) {
                    return Err(Error::InvalidParameter("RoleSessionName must be 2-64 characters of [\\w+=,.@-].".into()).into());
                }
                let token = param("WebIdentityToken")?;
                let duration = params.get("DurationSeconds").and_then(|d| d.parse::<i64>().ok());
                let (creds, session) = state.api.identity.assume_role_with_web_identity(&role_arn, &session_name, &token, duration)?;
                let result = format!(
                    "<Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials>\
                     <SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken><AssumedRoleUser><Arn>{}</Arn><AssumedRoleId>{}:{}</AssumedRoleId></AssumedRoleUser>\
                     <Audience>{}</Audience><Provider>{}</Provider>",
                    creds.access_key_id,
                    escape(&creds.secret_key),
                    escape(&creds.session_token),
                    iso8601(creds.expires_ms),
                    escape(&session.identity_id),
                    escape(&assumed_role_arn(&account, &session)),
                    role_id(&role_arn),
                    escape(&session_name),
                    escape(session.identity_id.split(':').next().unwrap_or_default()),
                    escape(&state.api.identity.openid_issuer()),
                );
                Ok(ok("AssumeRoleWithWebIdentity", result))
            }
            other => Err(StsError::InvalidAction(other.to_owned())),
        }
    })
    .await;
    match outcome {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => error_response(e),
        Err(join) => error_response(StsError::from(Error::internal(anyhow::anyhow!("{join}")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso8601_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn dates_at_edge_dates() {
        assert_eq!(iso8601(1_709_208_000_000), "2024-02-29T12:00:00Z");
        assert_eq!(iso8601(4_107_542_400_000), "2100-03-01T00:00:00Z");
        // Milliseconds are dropped, never rounded up into the next year.
        assert_eq!(iso8601(1_767_225_599_999), "2025-12-31T23:59:59Z");
        assert_eq!(iso8601(1_767_225_600_000), "2026-01-01T00:00:00Z");
        assert_eq!(iso8601(1_796_806_800_000), "2026-12-09T09:00:00Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
        assert_eq!(iso8601(i64::MAX), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn roles_have_stable_ids_and_names() {
        assert_eq!(role_name("arn:aws:iam::000000000000:role/path/Admin"), "Admin");
        assert_eq!(role_id("arn:aws:iam::0:role/A"), role_id("arn:aws:iam::0:role/A"));
        assert!(role_id("arn:aws:iam::0:role/A").starts_with("AROA"));
        assert_eq!(escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
    }
}
