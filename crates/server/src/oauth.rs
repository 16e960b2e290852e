//! The OAuth 2.0 endpoints of user pool domains, over HTTP: token, userInfo, revoke. A domain's endpoints are reached
//! two ways: by path, `/domains/<domain>/oauth2/token` under the public URL (works on plain
//! loopback with no DNS), and by host name, `/oauth2/token` on a request whose `Host` is the
//! domain (a custom domain such as `auth.example.com`, or `<prefix>.<anything>` for a prefix
//! domain) when a reverse proxy or DNS sends it here.
//!
//! This module only decodes and encodes: which client, which grant, which scopes is decided in
//! `pooldesk_core::user_pools::oauth`, reached through the API layer.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pooldesk_core::store::Domain;
use pooldesk_core::user_pools::{OAuthError, TokenRequest};

use crate::AppState;

/// The domain a request's `Host` names, if any: a custom domain by its whole name, a prefix
/// domain by the first label of a longer name (`myapp.auth.localhost` → `myapp`).
fn domain_of_host(state: &AppState, host: &str) -> Result<Option<Domain>, pooldesk_core::Error> {
    let name = host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(name, _)| name);
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.parse::<std::net::IpAddr>().is_ok() || name.starts_with('[') {
        return Ok(None);
    }
    if let Some(domain) = state.api.domain(&name)?.filter(|d| d.config.custom_domain_config.is_some()) {
        return Ok(Some(domain));
    }
    match name.split_once('.') {
        Some((prefix, rest)) if !rest.is_empty() => Ok(state.api.domain(prefix)?.filter(|d| d.config.custom_domain_config.is_none())),
        _ => Ok(None),
    }
}

/// Which domain a request is for: the one its path names (`/domains/{domain}/...`), or the
/// one its `Host` names when it came to the root.
pub(crate) enum DomainRef {
    Path(String),
    Host(Option<String>),
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for DomainRef {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Ok(params) = axum::extract::RawPathParams::from_request_parts(parts, state).await
            && let Some((_, name)) = params.iter().find(|(k, _)| *k == "domain")
        {
            return Ok(DomainRef::Path(name.to_owned()));
        }
        Ok(DomainRef::Host(parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned)))
    }
}

impl DomainRef {
    /// The domain, if it exists. Blocks (reads the store).
    pub(crate) fn resolve(&self, state: &AppState) -> Result<Option<Domain>, pooldesk_core::Error> {
        match self {
            DomainRef::Path(name) => state.api.domain(name),
            DomainRef::Host(Some(host)) => domain_of_host(state, host),
            DomainRef::Host(None) => Ok(None),
        }
    }

    /// The path the domain's endpoints hang off on this server: `/domains/<name>`, or the
    /// root when the host named it.
    pub(crate) fn base_path(&self) -> String {
        match self {
            DomainRef::Path(name) => format!("/domains/{name}"),
            DomainRef::Host(_) => String::new(),
        }
    }
}

pub(crate) async fn token(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    domain: DomainRef,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    token_endpoint(state, peer, domain, headers, body).await
}

/// `/oauth2/revoke`: a refresh token (`token`) and the client's credentials, as at the token
/// endpoint. 200 with an empty body, also for an unknown token (RFC 7009).
pub(crate) async fn revoke(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    domain: DomainRef,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = move || -> Result<Response, OAuthError> {
        let (domain, request) = match client_request(&state, &domain, &headers, &body, &peer, "OAuth2.Revoke")? {
            Ok(found) => found,
            Err(refused) => return Ok(refused),
        };
        state.api.pools.oauth_revoke(&domain, &request)?;
        Ok(token_json(StatusCode::OK, Vec::new()))
    };
    finish(tokio::task::spawn_blocking(run).await)
}

/// `/oauth2/userInfo` (GET or POST): the user's claims for a bearer access token with
/// `openid`. RFC 6750's errors: 401 `invalid_token`, 403 `insufficient_scope`.
pub(crate) async fn user_info(State(state): State<Arc<AppState>>, domain: DomainRef, headers: HeaderMap) -> Response {
    let run = move || -> Result<Response, OAuthError> {
        if domain.resolve(&state).map_err(internal)?.is_none() {
            return Ok(crate::ApiError::not_found("No such domain.").into_response());
        }
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned());
        let Some(token) = bearer else {
            return Ok(bearer_error(StatusCode::UNAUTHORIZED, "invalid_request", "A bearer access token is required."));
        };
        match state.api.pools.user_info(&token) {
            Ok(claims) => Ok(token_json(StatusCode::OK, serde_json::Value::Object(claims).to_string().into_bytes())),
            Err(e) if e.is_internal() => Err(internal(e)),
            Err(e) if e.client_message().contains("required scopes") => {
                Ok(bearer_error(StatusCode::FORBIDDEN, "insufficient_scope", "The access token has no openid scope."))
            }
            Err(e) => Ok(bearer_error(StatusCode::UNAUTHORIZED, "invalid_token", &e.client_message())),
        }
    };
    finish(tokio::task::spawn_blocking(run).await)
}

fn bearer_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut resp = token_error(status, error, description);
    let challenge = format!("Bearer error=\"{error}\", error_description=\"{}\"", description.replace('"', "'"));
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

fn finish(outcome: Result<Result<Response, OAuthError>, tokio::task::JoinError>) -> Response {
    match outcome {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => token_error(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST), e.error, &e.description),
        Err(join) => {
            tracing::error!("an OAuth endpoint panicked: {join}");
            token_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "An internal error occurred.")
        }
    }
}

async fn token_endpoint(state: Arc<AppState>, peer: SocketAddr, domain: DomainRef, headers: HeaderMap, body: Bytes) -> Response {
    let run = move || -> Result<Response, OAuthError> {
        let (domain, request) = match client_request(&state, &domain, &headers, &body, &peer, "OAuth2.Token")? {
            Ok(found) => found,
            Err(refused) => return Ok(refused),
        };
        let answer = state.api.oauth_token(&domain, &request, &peer.ip().to_string())?;
        let body = serde_json::to_vec(&answer).map_err(|e| internal(pooldesk_core::Error::internal(e)))?;
        Ok(token_json(StatusCode::OK, body))
    };
    finish(tokio::task::spawn_blocking(run).await)
}

/// What the token and revocation endpoints start with: the domain, the decoded request with the
/// client's credentials, and the rate limit of `operation`; or the answer that ends the call
/// there (no such domain, too many requests).
fn client_request(
    state: &AppState,
    domain: &DomainRef,
    headers: &HeaderMap,
    body: &[u8],
    peer: &SocketAddr,
    operation: &str,
) -> Result<Result<(Domain, TokenRequest), Response>, OAuthError> {
    let Some(domain) = domain.resolve(state).map_err(internal)? else {
        return Ok(Err(crate::ApiError::not_found("No such domain.").into_response()));
    };
    let request = decode_token_request(headers, body)?;
    if !state.limiter.admit(operation, peer.ip(), request.client_id.as_deref()) {
        return Ok(Err(token_error(StatusCode::TOO_MANY_REQUESTS, "slow_down", "Too many requests; slow down and retry.")));
    }
    Ok(Ok((domain, request)))
}

pub(crate) fn internal(e: pooldesk_core::Error) -> OAuthError {
    tracing::error!("OAuth token endpoint: {e:#}");
    OAuthError { error: "server_error", description: "An internal error occurred.".into() }
}

fn invalid_request(description: &str) -> OAuthError {
    OAuthError { error: "invalid_request", description: description.into() }
}

/// A token endpoint body (`application/x-www-form-urlencoded`, each parameter at most once,
/// RFC 6749 §3.2) and the client's credentials, from the `Authorization: Basic` header or the
/// body but not both (§2.3).
fn decode_token_request(headers: &HeaderMap, body: &[u8]) -> Result<TokenRequest, OAuthError> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !form_type {
        return Err(invalid_request("The Content-Type must be application/x-www-form-urlencoded."));
    }
    let mut r = TokenRequest::default();
    let mut seen = std::collections::BTreeSet::new();
    for (name, value) in form_urlencoded::parse(body) {
        if !seen.insert(name.clone()) {
            return Err(invalid_request(&format!("The parameter {name} is repeated.")));
        }
        let value = Some(value.into_owned());
        match &*name {
            "grant_type" => r.grant_type = value,
            "client_id" => r.client_id = value,
            "client_secret" => r.client_secret = value,
            "scope" => r.scope = value,
            "code" => r.code = value,
            "redirect_uri" => r.redirect_uri = value,
            "code_verifier" => r.code_verifier = value,
            "refresh_token" => r.refresh_token = value,
            "token" => r.token = value,
            "subject_token" => r.subject_token = value,
            "subject_token_type" => r.subject_token_type = value,
            "actor_token" => r.actor_token = value,
            "actor_token_type" => r.actor_token_type = value,
            "audience" => r.audience = value,
            "resource" => r.resource = value,
            "requested_token_type" => r.requested_token_type = value,
            "aws_client_metadata" => r.aws_client_metadata = value,
            _ => {} // RFC 6749 §3.2: unknown parameters are ignored.
        }
    }
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let (id, secret) = basic_credentials(auth).ok_or_else(|| OAuthError {
            error: "invalid_client",
            description: "The Authorization header is not valid Basic credentials.".into(),
        })?;
        if r.client_secret.is_some() {
            return Err(invalid_request("Send the client secret in the Authorization header or the body, not both."));
        }
        if r.client_id.as_deref().is_some_and(|body_id| body_id != id) {
            return Err(invalid_request("The client_id in the body is not the one in the Authorization header."));
        }
        r.client_id = Some(id);
        r.client_secret = Some(secret);
    }
    Ok(r)
}

/// `Basic base64(urlencode(client_id) ":" urlencode(client_secret))` (RFC 6749 §2.3.1). The
/// parts are percent-decoded, leaving a `+` as it is: Cognito's clients send them unencoded.
fn basic_credentials(value: &HeaderValue) -> Option<(String, String)> {
    use base64::Engine;
    let text = value.to_str().ok()?;
    let (scheme, encoded) = text.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8().ok().map(|s| s.into_owned());
    Some((unescape(id)?, unescape(secret)?))
}

fn token_json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    // RFC 6749 §5.1: tokens are never cached.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    resp
}

fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    token_json(status, serde_json::json!({ "error": error, "error_description": description }).to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.clone(), HeaderValue::from_str(v).expect("header"))).collect()
    }

    const FORM: (header::HeaderName, &str) = (header::CONTENT_TYPE, "application/x-www-form-urlencoded");

    #[test]
    fn basic_credentials_are_percent_decoded_but_keep_a_plus() {
        use base64::Engine;
        let b64 = |s: &str| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(s));
        let v = |s: String| HeaderValue::from_str(&s).expect("header");
        assert_eq!(basic_credentials(&v(b64("abc:s3+cr%2Bet"))), Some(("abc".into(), "s3+cr+et".into())));
        assert_eq!(basic_credentials(&v(b64("abc:with:colon"))), Some(("abc".into(), "with:colon".into())));
        assert_eq!(basic_credentials(&v(b64("no-colon"))), None);
        assert_eq!(basic_credentials(&v("Bearer abc".into())), None);
        assert_eq!(basic_credentials(&v("Basic !!!".into())), None);
    }

    #[test]
    fn token_requests_are_forms_with_each_parameter_once_and_one_way_to_authenticate() {
        let ok = decode_token_request(&headers(&[FORM]), b"grant_type=client_credentials&client_id=c&scope=a%2Fb+c%2Fd&extra=1")
            .expect("decoded");
        assert_eq!(ok.grant_type.as_deref(), Some("client_credentials"));
        assert_eq!(ok.scope.as_deref(), Some("a/b c/d"));
        let err = |h: &[(header::HeaderName, &str)], body: &[u8]| decode_token_request(&headers(h), body).err().map(|e| e.error);
        assert_eq!(err(&[(header::CONTENT_TYPE, "application/json")], b"{}"), Some("invalid_request"));
        assert_eq!(err(&[FORM], b"grant_type=a&grant_type=b"), Some("invalid_request"));
        let basic = (header::AUTHORIZATION, "Basic Yzpz"); // c:s
        assert_eq!(err(&[FORM, basic.clone()], b"grant_type=x&client_secret=s"), Some("invalid_request"));
        assert_eq!(err(&[FORM, basic.clone()], b"grant_type=x&client_id=other"), Some("invalid_request"));
        assert_eq!(err(&[FORM, (header::AUTHORIZATION, "Basic ???")], b"grant_type=x"), Some("invalid_client"));
        let both = decode_token_request(&headers(&[FORM, basic]), b"grant_type=x&client_id=c").expect("same id twice is fine");
        assert_eq!((both.client_id.as_deref(), both.client_secret.as_deref()), (Some("c"), Some("s")));
    }
}
