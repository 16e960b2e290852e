//! STS on the same endpoint, in its query protocol (form-encoded in, XML out):
//! `GetCallerIdentity` for any signed caller (temporary credentials answer their assumed role),
//! `AssumeRoleWithWebIdentity` for identity pools' classic flow, `AssumeRoleWithSAML` for
//! responses from IAM's SAML providers, `GetSessionToken` for admin keys, `GetAccessKeyInfo`, and
//! `DecodeAuthorizationMessage` (PoolDesk encodes none, so none decodes). STS's other actions
//! mint credentials from IAM policy PoolDesk does not evaluate: they are denied as AWS denies a
//! caller without the permission.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use pooldesk_core::Error;
use pooldesk_core::identity_pools::credentials::{SessionClaims, TemporaryCredentials};

use crate::query::{self, Params, element, escape, iso8601};
use crate::{AppState, Caller, authenticate, signed};

const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// The actions answered here.
pub(crate) const ACTIONS: [&str; 6] = [
    "GetCallerIdentity",
    "AssumeRoleWithWebIdentity",
    "AssumeRoleWithSAML",
    "GetSessionToken",
    "GetAccessKeyInfo",
    "DecodeAuthorizationMessage",
];

/// STS's actions that PoolDesk denies to every caller, with AWS's AccessDenied.
pub(crate) const DENIED: [&str; 5] = ["AssumeRole", "AssumeRoot", "GetFederationToken", "GetDelegatedAccessToken", "GetWebIdentityToken"];

/// Why an STS request failed: the query protocol's own complaints, or an operation's error.
enum StsError {
    MissingParameter(&'static str),
    InvalidAction(String),
    /// A parameter PoolDesk does not act on: refused rather than ignored.
    Unsupported(String),
    InvalidAuthorizationMessage,
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
            StsError::Unsupported(message) => return (S::BAD_REQUEST, "ValidationError", message),
            StsError::InvalidAuthorizationMessage => {
                return (
                    S::BAD_REQUEST,
                    "InvalidAuthorizationMessageException",
                    "The encoded message is not valid: PoolDesk evaluates no IAM policy, so it encodes no authorization message.".into(),
                );
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
            Error::InvalidIdentityToken(_) => (S::BAD_REQUEST, "InvalidIdentityToken"),
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

fn error_response(e: StsError) -> Response {
    let (status, code, message) = e.wire();
    query::error_response(NS, status, code, &message)
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

/// `<Credentials>` of an answer.
fn credentials_xml(creds: &TemporaryCredentials) -> String {
    format!(
        "<Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials>",
        creds.access_key_id,
        escape(&creds.secret_key),
        escape(&creds.session_token),
        iso8601(creds.expires_ms)
    )
}

fn assumed_role_user(account: &str, session: &SessionClaims) -> String {
    format!(
        "<AssumedRoleUser><Arn>{}</Arn><AssumedRoleId>{}:{}</AssumedRoleId></AssumedRoleUser>",
        escape(&assumed_role_arn(account, session)),
        role_id(&session.role_arn),
        escape(&session.session_name)
    )
}

/// Session policies narrow what a role may do; PoolDesk evaluates no IAM policy, so a request
/// that passes one is refused rather than given more than it asked for.
fn refuse_session_policies(params: &Params) -> Result<(), StsError> {
    if params.contains_key("Policy") || params.keys().any(|k| k.starts_with("PolicyArns.")) {
        return Err(StsError::Unsupported(
            "PoolDesk does not evaluate IAM policies, so it cannot narrow a session with Policy or PolicyArns; leave them out.".into(),
        ));
    }
    Ok(())
}

fn ok(action: &str, result: &str) -> Response {
    query::ok(NS, action, result)
}

pub(crate) async fn handle(
    state: Arc<AppState>,
    peer: SocketAddr,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    params: Params,
) -> Response {
    let action = move || -> Result<Response, StsError> {
        let param = |name: &'static str| params.get(name).cloned().ok_or(StsError::MissingParameter(name));
        let account = state.api.pools.config().account_id.clone();
        match param("Action")?.as_str() {
            "GetCallerIdentity" => {
                let result = match authenticate(&state, Some("sts"), &signed(&method, &uri, &headers, &body))? {
                    Caller::Admin(_) | Caller::AdminSession(_) => {
                        format!("<Arn>arn:aws:iam::{account}:root</Arn><UserId>{account}</UserId><Account>{account}</Account>")
                    }
                    Caller::Session(s) => format!(
                        "<Arn>{}</Arn><UserId>{}:{}</UserId><Account>{account}</Account>",
                        escape(&assumed_role_arn(&account, &s)),
                        role_id(&s.role_arn),
                        escape(&s.session_name)
                    ),
                };
                Ok(ok("GetCallerIdentity", &result))
            }
            "AssumeRoleWithWebIdentity" => {
                // Unsigned, like Cognito's public operations, and limited like them.
                if !state.limiter.admit("AssumeRoleWithWebIdentity", peer.ip(), None) {
                    return Err(Error::TooManyRequests("Rate exceeded".into()).into());
                }
                let role_arn = param("RoleArn")?;
                let session_name = param("RoleSessionName")?;
                if session_name.is_empty()
                    || session_name.len() > 64
                    || !session_name.chars().all(|c| c.is_ascii_alphanumeric() || "=,.@-_".contains(c))
                {
                    return Err(Error::InvalidParameter("RoleSessionName must be 2-64 characters of [\\w+=,.@-].".into()).into());
                }
                let token = param("WebIdentityToken")?;
                refuse_session_policies(&params)?;
                if params.contains_key("ProviderId") {
                    return Err(StsError::Unsupported(
                        "ProviderId names an OAuth 2.0 provider's access token; PoolDesk's STS takes identity pools' OpenID tokens (GetOpenIdToken, the classic flow). Leave it out.".into(),
                    ));
                }
                let duration = params.get("DurationSeconds").and_then(|d| d.parse::<i64>().ok());
                let (creds, session) = state.api.identity.assume_role_with_web_identity(&role_arn, &session_name, &token, duration)?;
                let result = format!(
                    "{}<SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken>{}<Audience>{}</Audience><Provider>{}</Provider>",
                    credentials_xml(&creds),
                    escape(&session.identity_id),
                    assumed_role_user(&account, &session),
                    escape(session.identity_id.split(':').next().unwrap_or_default()),
                    escape(&state.api.identity.openid_issuer()),
                );
                Ok(ok("AssumeRoleWithWebIdentity", &result))
            }
            "AssumeRoleWithSAML" => {
                // Unsigned: the assertion is the credential, verified with the provider's metadata.
                if !state.limiter.admit("AssumeRoleWithSAML", peer.ip(), None) {
                    return Err(Error::TooManyRequests("Rate exceeded".into()).into());
                }
                let (role_arn, principal_arn, assertion) = (param("RoleArn")?, param("PrincipalArn")?, param("SAMLAssertion")?);
                refuse_session_policies(&params)?;
                let duration = match params.get("DurationSeconds") {
                    Some(d) => {
                        Some(d.parse::<i64>().map_err(|_| Error::InvalidParameter(format!("DurationSeconds '{d}' is not a number.")))?)
                    }
                    None => None,
                };
                let a = state.api.identity.assume_role_with_saml(&role_arn, &principal_arn, &assertion, duration)?;
                let result = format!(
                    "{}{}{}{}{}{}{}{}",
                    credentials_xml(&a.credentials),
                    assumed_role_user(&account, &a.session),
                    element("Subject", &a.subject),
                    element("SubjectType", &a.subject_type),
                    element("Issuer", &a.issuer),
                    element("Audience", &a.audience),
                    element("NameQualifier", &a.name_qualifier),
                    a.source_identity.as_deref().map(|s| element("SourceIdentity", s)).unwrap_or_default(),
                );
                Ok(ok("AssumeRoleWithSAML", &result))
            }
            "GetSessionToken" => {
                let req = signed(&method, &uri, &headers, &body);
                let key = match authenticate(&state, Some("sts"), &req)? {
                    Caller::Admin(key) => key,
                    _ => return Err(Error::AccessDenied("Cannot call GetSessionToken with session credentials".into()).into()),
                };
                if params.contains_key("SerialNumber") || params.contains_key("TokenCode") {
                    return Err(StsError::Unsupported(
                        "PoolDesk's access keys have no MFA device: leave SerialNumber and TokenCode out.".into(),
                    ));
                }
                let duration = match params.get("DurationSeconds") {
                    Some(d) => {
                        Some(d.parse::<i64>().map_err(|_| Error::InvalidParameter(format!("DurationSeconds '{d}' is not a number.")))?)
                    }
                    None => None,
                };
                let creds = state.api.identity.session_token_for_admin(&key, duration)?;
                Ok(ok("GetSessionToken", &credentials_xml(&creds)))
            }
            "GetAccessKeyInfo" => {
                authenticate(&state, Some("sts"), &signed(&method, &uri, &headers, &body))?;
                let key = param("AccessKeyId")?;
                if !(16..=128).contains(&key.len()) || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(Error::InvalidParameter(format!("'{key}' is not an access key id.")).into());
                }
                // An installation is one account: every key it issues belongs to it.
                Ok(ok("GetAccessKeyInfo", &element("Account", &account)))
            }
            "DecodeAuthorizationMessage" => {
                authenticate(&state, Some("sts"), &signed(&method, &uri, &headers, &body))?;
                param("EncodedMessage")?;
                Err(StsError::InvalidAuthorizationMessage)
            }
            denied if DENIED.contains(&denied) => {
                let caller = match authenticate(&state, Some("sts"), &signed(&method, &uri, &headers, &body))? {
                    Caller::Admin(_) | Caller::AdminSession(_) => format!("arn:aws:iam::{account}:root"),
                    Caller::Session(s) => assumed_role_arn(&account, &s),
                };
                Err(Error::AccessDenied(format!(
                    "User: {caller} is not authorized to perform: sts:{denied} (PoolDesk evaluates no IAM policy; temporary credentials come from identity pools, AssumeRoleWithWebIdentity, AssumeRoleWithSAML and GetSessionToken)"
                ))
                .into())
            }
            other => Err(StsError::InvalidAction(other.to_owned())),
        }
    };
    query::run_blocking(action, error_response).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_have_stable_ids_and_names() {
        assert_eq!(role_name("arn:aws:iam::000000000000:role/path/Admin"), "Admin");
        assert_eq!(role_id("arn:aws:iam::0:role/A"), role_id("arn:aws:iam::0:role/A"));
        assert!(role_id("arn:aws:iam::0:role/A").starts_with("AROA"));
    }
}
