//! PoolDesk's HTTP server: Cognito's JSON 1.1 protocol over the core operations.
//!
//! # Layout
//! - this file: the router, the `POST /` dispatch on `X-Amz-Target`, the `.well-known`
//!   documents, and the single place errors become HTTP responses.
//! - [`sigv4`]: verification of AWS Signature Version 4 for admin operations.
//! - [`limits`]: rate limits on the public operations, per source address and app client.
//! - [`outbound`]: what the server sends or fetches over the network: e-mail (SMTP, lettre),
//!   SMS (a gateway webhook), OpenID providers' keys (HTTP).
//!
//! Handlers own no business rules: they parse, authenticate, call `pooldesk_core` off the
//! async runtime (hashing and SQLite block), and encode. Point reads by key (GetUser and the
//! like) are the exception: they take less time than the hand-off to a blocking thread.

pub mod limits;
pub mod outbound;
pub mod sigv4;
mod sts;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use pooldesk_core::clock::Clock;
use pooldesk_core::identity_pools::IdentityPools;
use pooldesk_core::identity_pools::credentials::{CredentialError, SessionClaims};
use pooldesk_core::store::Store;
use pooldesk_core::{Context, Error, UserPools};
use pooldesk_wire::cognito_identity;
use pooldesk_wire::cognito_idp::{self, Operation};
use serde::Deserialize;
use serde_json::json;

/// Requests larger than this are refused before they are read whole.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// An access key given to the server from outside (the environment), never stored.
#[derive(Clone)]
pub struct RootKey {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for RootKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootKey").field("id", &self.id).finish_non_exhaustive()
    }
}

pub struct AppState {
    pub pools: Arc<UserPools>,
    pub identity: Arc<IdentityPools>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub root_key: Option<RootKey>,
    pub limiter: limits::RateLimiter,
}

/// Where the server's messages go beyond the outbox, and whom it trusts from outside.
#[derive(Default)]
pub struct Outbound {
    /// `POOLDESK_SMTP_URL` / `POOLDESK_SMTP_FROM`: e-mail is also delivered over SMTP.
    pub smtp: Option<(String, String)>,
    /// `POOLDESK_SMS_WEBHOOK_URL`: SMS is also posted to this gateway.
    pub sms_webhook_url: Option<String>,
}

impl Outbound {
    /// Reads the `POOLDESK_SMTP_*` and `POOLDESK_SMS_WEBHOOK_URL` environment variables.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        Outbound {
            smtp: var("POOLDESK_SMTP_URL")
                .map(|url| (url, var("POOLDESK_SMTP_FROM").unwrap_or_else(|| "no-reply@pooldesk.localhost".into()))),
            sms_webhook_url: var("POOLDESK_SMS_WEBHOOK_URL"),
        }
    }
}

impl AppState {
    /// Assembles the user pools, identity pools and their outbound adapters over one store.
    /// `runtime` runs the few calls that go out over the network (SMS webhook, OpenID keys).
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: pooldesk_core::Config,
        root_key: Option<RootKey>,
        outbound: Outbound,
        runtime: tokio::runtime::Handle,
    ) -> anyhow::Result<AppState> {
        let mailer: Option<Arc<dyn pooldesk_core::Mailer>> = match &outbound.smtp {
            Some((url, from)) => Some(Arc::new(outbound::SmtpMailer::new(url, from)?)),
            None => None,
        };
        let mut pools = UserPools::new(store.clone(), clock.clone(), config, mailer)?;
        if let Some(url) = &outbound.sms_webhook_url {
            pools = pools.with_sms_sender(Arc::new(outbound::SmsWebhook::new(url, runtime.clone())?));
        }
        let pools = Arc::new(pools);
        let jwks = Arc::new(outbound::HttpJwks::new(runtime));
        let identity = Arc::new(IdentityPools::new(store.clone(), clock.clone(), pools.clone())?.with_jwks_source(jwks));
        let limiter = limits::RateLimiter::new(limits::RateLimitConfig::default());
        Ok(AppState { pools, identity, store, clock, root_key, limiter })
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", post(handle_json))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route("/{pool_id}/.well-known/openid-configuration", get(openid_configuration))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// How long a client may take to send a request's headers, and then its body: a slow
/// client (slowloris) is cut off instead of holding a connection open.
pub const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;
    let app = router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(e) => {
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app.clone().map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req.map(axum::body::Body::new)
        });
        // HTTP/1.1 only (what the SDKs speak to a plain-HTTP endpoint): its header timer
        // starts when the connection opens, so a client that sends nothing is cut off too.
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), hyper_util::service::TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection from {peer}: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// An error answer in AWS's JSON shape.
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        if e.is_internal() {
            // The detail is for operators; the client learns only that it was not its fault.
            tracing::error!("internal error: {e:#}");
        }
        let status = if e.is_internal() { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::BAD_REQUEST };
        ApiError { status, code: e.wire_code(), message: e.client_message() }
    }
}

/// A request id in a UUID's shape. It only has to be unique, not secret: a random value drawn
/// once per process, with a counter folded in, spares every response a call to the random
/// generator (2% of GetUser's CPU).
pub(crate) fn request_id() -> String {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static BASE: OnceLock<u128> = OnceLock::new();
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let base = *BASE.get_or_init(|| pooldesk_core::random::bytes::<16>().map(u128::from_be_bytes).unwrap_or_default());
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    // The counter goes into the low half, clear of the version and variant bits it would lose.
    uuid::Builder::from_random_bytes((base ^ u128::from(n << 2 >> 2)).to_be_bytes()).into_uuid().to_string()
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-amz-json-1.1"));
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        h.insert("x-amzn-requestid", v);
    }
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "__type": self.code, "message": self.message }).to_string().into_bytes();
        let mut resp = json_response(self.status, body);
        if let Ok(v) = HeaderValue::from_str(self.code) {
            resp.headers_mut().insert("x-amzn-errortype", v);
        }
        resp
    }
}

/// What `X-Amz-Target` names.
enum Target {
    Cognito(Operation),
    Identity(cognito_identity::Operation),
    PoolDesk(Extension),
}

/// PoolDesk's own operations, under the `PoolDesk.` prefix, always SigV4-signed.
#[derive(Clone, Copy)]
enum Extension {
    ListMessages,
    SimulateRoleMapping,
    ListAuditEvents,
}

impl Target {
    /// Parses an `X-Amz-Target` value such as `AWSCognitoIdentityProviderService.ListUsers`.
    fn parse(target: &str) -> Result<Target, ApiError> {
        let unknown = || ApiError::new(StatusCode::BAD_REQUEST, "UnknownOperationException", format!("Unknown operation: {target}"));
        let (prefix, op) = target.split_once('.').ok_or_else(unknown)?;
        match prefix {
            p if p == cognito_idp::TARGET_PREFIX => Operation::from_name(op).map(Target::Cognito).ok_or_else(unknown),
            p if p == cognito_identity::TARGET_PREFIX => {
                cognito_identity::Operation::from_name(op).map(Target::Identity).ok_or_else(unknown)
            }
            "PoolDesk" => match op {
                "ListMessages" => Ok(Target::PoolDesk(Extension::ListMessages)),
                "SimulateRoleMapping" => Ok(Target::PoolDesk(Extension::SimulateRoleMapping)),
                "ListAuditEvents" => Ok(Target::PoolDesk(Extension::ListAuditEvents)),
                _ => Err(unknown()),
            },
            _ => Err(unknown()),
        }
    }

    /// Whether the operation reads a few rows by key, never hashes a password, signs a token or
    /// writes: cheaper to run on the async worker than to hand to a blocking thread.
    fn is_point_read(&self) -> bool {
        match self {
            Target::Cognito(op) => matches!(
                op,
                Operation::GetUser
                    | Operation::AdminGetUser
                    | Operation::DescribeUserPool
                    | Operation::DescribeUserPoolClient
                    | Operation::GetGroup
                    | Operation::GetUserPoolMfaConfig
            ),
            Target::Identity(op) => matches!(
                op,
                cognito_identity::Operation::DescribeIdentityPool
                    | cognito_identity::Operation::DescribeIdentity
                    | cognito_identity::Operation::GetIdentityPoolRoles
            ),
            Target::PoolDesk(_) => false,
        }
    }

    /// Runs the operation for an already authenticated caller.
    fn call(self, state: &AppState, ctx: &Context, body: &[u8]) -> Result<Vec<u8>, ApiError> {
        match self {
            Target::Cognito(op) => Ok(cognito_idp::dispatch(&*state.pools, ctx, op, body)?),
            Target::Identity(op) => Ok(cognito_identity::dispatch(&*state.identity, ctx, op, body)?),
            Target::PoolDesk(Extension::ListMessages) => Ok(list_messages(state, body)?),
            Target::PoolDesk(Extension::SimulateRoleMapping) => Ok(simulate_role_mapping(state, body)?),
            Target::PoolDesk(Extension::ListAuditEvents) => Ok(list_audit_events(state, body)?),
        }
    }

    /// Runs the operation for an authenticated caller and, for an admin, records it in the
    /// audit log (`source`: where the request came from).
    fn call_audited(self, state: &AppState, ctx: &Context, target: &str, source: &str, body: &[u8]) -> Result<Vec<u8>, ApiError> {
        let result = self.call(state, ctx, body);
        if let Some(actor) = &ctx.caller {
            let outcome = result.as_deref().map_err(|e| e.code);
            pooldesk_core::audit::record(&*state.store, &*state.clock, actor, source, target, body, outcome);
        }
        result
    }
}

/// An operation's error as an in-process caller (the desktop app) sees it: Cognito's error
/// name and the message a client would get over HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    pub code: String,
    pub message: String,
}

/// Runs any operation by its `X-Amz-Target` name, in process, as the admin `caller`: the path
/// the desktop app takes for this computer's pools. Blocks (hashing, SQLite); call it off an
/// async runtime. Same decoding, validation and errors as over HTTP.
pub fn call(state: &AppState, caller: &str, target: &str, body: &[u8]) -> Result<Vec<u8>, CallError> {
    let ctx = Context { caller: Some(caller.to_owned()), source_ip: None };
    Target::parse(target)
        .and_then(|t| t.call_audited(state, &ctx, target, "local", body))
        .map_err(|e| CallError { code: e.code.to_owned(), message: e.message })
}

/// Who signed a request.
pub(crate) enum Caller {
    /// An admin access key (the root key or one from `pooldesk keys`).
    Admin(String),
    /// Temporary credentials from an identity pool (or STS), with what their token vouches for.
    Session(SessionClaims),
}

/// Why a signature was not accepted, before it is worded for JSON or for STS's XML.
pub(crate) enum AuthFailure {
    Missing(String),
    Incomplete(String),
    Signature(String),
    UnknownKey,
    ExpiredToken,
}

impl AuthFailure {
    fn into_json(self) -> ApiError {
        match self {
            AuthFailure::Missing(m) => ApiError::new(StatusCode::BAD_REQUEST, "MissingAuthenticationTokenException", m),
            AuthFailure::Incomplete(m) => ApiError::new(StatusCode::BAD_REQUEST, "IncompleteSignatureException", m),
            AuthFailure::Signature(m) => ApiError::new(StatusCode::BAD_REQUEST, "InvalidSignatureException", m),
            AuthFailure::UnknownKey => ApiError::new(
                StatusCode::BAD_REQUEST,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ),
            AuthFailure::ExpiredToken => {
                ApiError::new(StatusCode::BAD_REQUEST, "ExpiredTokenException", "The security token included in the request is expired")
            }
        }
    }
}

/// Checks the SigV4 signature of a request, by an admin key or by temporary credentials
/// (access key `ASIA...` with `X-Amz-Security-Token`). `service`, when given, is the signing
/// name the credential scope must carry, as AWS requires (a signature for one service is not
/// accepted by another).
pub(crate) fn authenticate(
    state: &AppState,
    service: Option<&str>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Caller, AuthFailure> {
    use sigv4::SigV4Error;
    let req = sigv4::SignedRequest { method: method.as_str(), path: uri.path(), query: uri.query().unwrap_or(""), headers, body };
    let failure = |e: SigV4Error| match e {
        SigV4Error::Missing => AuthFailure::Missing(e.message()),
        SigV4Error::Incomplete(_) => AuthFailure::Incomplete(e.message()),
        SigV4Error::Expired(_) | SigV4Error::Mismatch => AuthFailure::Signature(e.message()),
    };
    let auth = sigv4::parse_authorization(&req).map_err(failure)?;
    if let Some(expected) = service.filter(|s| *s != auth.service) {
        return Err(AuthFailure::Signature(format!("Credential should be scoped to correct service: '{expected}'.")));
    }
    let session_token = headers.get("x-amz-security-token").and_then(|v| v.to_str().ok());
    let (caller, secret) = match session_token {
        Some(token) => match state.identity.open_session(auth.access_key_id, token) {
            Ok((claims, secret)) => (Caller::Session(claims), secret),
            Err(CredentialError::Expired) => return Err(AuthFailure::ExpiredToken),
            Err(CredentialError::Invalid) => return Err(AuthFailure::UnknownKey),
        },
        None => {
            let secret = match &state.root_key {
                Some(root)
                    if aws_lc_rs::constant_time::verify_slices_are_equal(root.id.as_bytes(), auth.access_key_id.as_bytes()).is_ok() =>
                {
                    root.secret.clone()
                }
                _ => match state.store.get_access_key(auth.access_key_id) {
                    Ok(Some(key)) => key.secret,
                    Ok(None) => return Err(AuthFailure::UnknownKey),
                    Err(e) => {
                        tracing::error!("reading access keys: {e}");
                        return Err(AuthFailure::UnknownKey);
                    }
                },
            };
            (Caller::Admin(auth.access_key_id.to_owned()), secret)
        }
    };
    let now = u64::try_from(state.clock.now_secs()).unwrap_or(0);
    sigv4::verify(&req, &auth, &secret, now).map_err(failure)?;
    Ok(caller)
}

/// An admin operation: signed by an admin key, not by temporary credentials.
fn require_admin(
    state: &AppState,
    service: Option<&str>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, ApiError> {
    match authenticate(state, service, method, uri, headers, body).map_err(AuthFailure::into_json)? {
        Caller::Admin(key) => Ok(key),
        Caller::Session(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "NotAuthorizedException",
            "Temporary credentials from an identity pool cannot call admin operations.",
        )),
    }
}

async fn handle_json(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let body = match read_body(body).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    // STS speaks the query protocol: a form body and no X-Amz-Target.
    if !headers.contains_key("x-amz-target") && sts::is_sts_request(&headers, &body) {
        return sts::handle(state, peer, method, uri, headers, body).await;
    }
    let target_name = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
    let inline = Target::parse(target_name).is_ok_and(|t| t.is_point_read());
    let run = move || -> Result<Vec<u8>, ApiError> {
        let target_name = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
        let target = Target::parse(target_name)?;
        // Which operations need a signature, and for which service's signing name. PoolDesk's
        // own operations accept either Cognito service's.
        let (needs_signature, service) = match &target {
            Target::Cognito(op) => (!op.is_public(), Some(cognito_idp::SIGNING_NAME)),
            Target::Identity(op) => (!op.is_public(), Some(cognito_identity::SIGNING_NAME)),
            Target::PoolDesk(_) => (true, None),
        };
        let caller = if needs_signature { Some(require_admin(&state, service, &method, &uri, &headers, &body)?) } else { None };
        if !needs_signature {
            let operation = target_name.rsplit('.').next().unwrap_or_default();
            if !state.limiter.admit(operation, peer.ip(), client_id_of(&body).as_deref()) {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "TooManyRequestsException",
                    "Too many requests from this address or for this app client. Slow down and retry.",
                ));
            }
        }
        let source = peer.ip().to_string();
        let ctx = Context { caller, source_ip: Some(source.clone()) };
        target.call_audited(&state, &ctx, target_name, &source, &body)
    };
    // A point read takes less time than handing it to a blocking thread and back (two thread
    // wake-ups, two context switches), so it runs here; everything else (hashing, writes that
    // may wait for the writer, scans) runs on the blocking pool.
    let outcome = if inline {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).map_err(|_| "the operation panicked".to_owned())
    } else {
        tokio::task::spawn_blocking(run).await.map_err(|join| format!("the operation panicked: {join}"))
    };
    match outcome {
        Ok(Ok(body)) => json_response(StatusCode::OK, body),
        Ok(Err(e)) => e.into_response(),
        Err(why) => ApiError::from(Error::internal(anyhow::anyhow!(why))).into_response(),
    }
}

/// Reads a request body of at most [`MAX_BODY_BYTES`] that arrives whole within
/// [`BODY_TIMEOUT`] (a deadline for the whole body, not a gap between its pieces).
async fn read_body(body: axum::body::Body) -> Result<Bytes, ApiError> {
    let bad = |status, message: String| ApiError::new(status, "InvalidParameterException", message);
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) => {
            Err(bad(StatusCode::PAYLOAD_TOO_LARGE, format!("The request body is larger than {} KiB.", MAX_BODY_BYTES / 1024)))
        }
        Ok(Err(_)) => Err(bad(StatusCode::BAD_REQUEST, "The request body could not be read.".into())),
        Err(_) => Err(bad(StatusCode::BAD_REQUEST, format!("The request body did not arrive within {} s.", BODY_TIMEOUT.as_secs()))),
    }
}

/// The app client a public request names, for its rate limit.
fn client_id_of(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Named {
        #[serde(rename = "ClientId")]
        client_id: Option<String>,
    }
    serde_json::from_slice::<Named>(body).ok().and_then(|n| n.client_id)
}

/// A PoolDesk extension's request body: a JSON object, or nothing at all for `{}`.
fn decode_extension_request<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let body = if body.iter().all(u8::is_ascii_whitespace) { b"{}".as_slice() } else { body };
    serde_json::from_slice(body).map_err(|e| Error::InvalidParameter(format!("Invalid request: {e}")))
}

/// The extensions' `NextToken`: the number of the last item of the previous page.
fn parse_next_token(token: Option<&str>) -> Result<Option<i64>, Error> {
    token.map(|t| t.parse::<i64>().map_err(|_| Error::InvalidParameter("Invalid NextToken.".into()))).transpose()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ListMessagesRequest {
    user_pool_id: Option<String>,
    username: Option<String>,
    max_results: Option<usize>,
    next_token: Option<String>,
}

fn list_messages(state: &AppState, body: &[u8]) -> Result<Vec<u8>, Error> {
    let req: ListMessagesRequest = decode_extension_request(body)?;
    let before = parse_next_token(req.next_token.as_deref())?;
    let limit = req.max_results.unwrap_or(100);
    let messages = state.pools.list_messages(req.user_pool_id.as_deref(), req.username.as_deref(), before, limit)?;
    let next = if messages.len() == limit.clamp(1, 1000) { messages.last().map(|m| m.message_id.clone()) } else { None };
    serde_json::to_vec(&json!({ "Messages": messages, "NextToken": next })).map_err(Error::internal)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ListAuditEventsRequest {
    actor: Option<String>,
    max_results: Option<usize>,
    next_token: Option<String>,
}

fn list_audit_events(state: &AppState, body: &[u8]) -> Result<Vec<u8>, Error> {
    let req: ListAuditEventsRequest = decode_extension_request(body)?;
    let before = parse_next_token(req.next_token.as_deref())?;
    let limit = req.max_results.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Error::InvalidParameter("MaxResults must be between 1 and 1000.".into()));
    }
    let events = state.store.list_audit(req.actor.as_deref(), before, limit)?;
    let next = if events.len() == limit { events.last().map(|e| e.id.to_string()) } else { None };
    serde_json::to_vec(&json!({ "Events": events, "NextToken": next })).map_err(Error::internal)
}

fn simulate_role_mapping(state: &AppState, body: &[u8]) -> Result<Vec<u8>, Error> {
    let body = if body.iter().all(u8::is_ascii_whitespace) { b"{}".as_slice() } else { body };
    let req: serde_json::Value = serde_json::from_slice(body).map_err(|e| Error::InvalidParameter(format!("Invalid request: {e}")))?;
    serde_json::to_vec(&state.identity.simulate_role_mapping(&req)?).map_err(Error::internal)
}

async fn well_known(state: Arc<AppState>, f: impl FnOnce(&UserPools) -> Result<serde_json::Value, Error> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(move || f(&state.pools)).await {
        Ok(Ok(doc)) => {
            let mut resp = (StatusCode::OK, doc.to_string()).into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            resp
        }
        Ok(Err(Error::ResourceNotFound(m))) => ApiError::new(StatusCode::NOT_FOUND, "ResourceNotFoundException", m).into_response(),
        Ok(Err(e)) => ApiError::from(e).into_response(),
        Err(join) => ApiError::from(Error::internal(anyhow::anyhow!("{join}"))).into_response(),
    }
}

async fn jwks(State(state): State<Arc<AppState>>, Path(pool_id): Path<String>) -> Response {
    if pool_id == "cognito-identity" {
        // The keys of GetOpenIdToken's tokens (issuer `{public url}/cognito-identity`).
        let identity = state.identity.clone();
        return well_known(state, move |_| Ok(identity.openid_jwks())).await;
    }
    well_known(state, move |p| p.jwks(&pool_id)).await
}

async fn openid_configuration(State(state): State<Arc<AppState>>, Path(pool_id): Path<String>) -> Response {
    well_known(state, move |p| p.openid_configuration(&pool_id)).await
}

async fn not_found() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "ResourceNotFoundException", "No such resource.").into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_ids_are_distinct_version_4_uuids() {
        let ids: Vec<String> = (0..1000).map(|_| super::request_id()).collect();
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        for id in &ids {
            let parsed = uuid::Uuid::parse_str(id).expect("a UUID");
            assert_eq!(parsed.get_version_num(), 4, "{id}");
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{id}");
        }
    }
}
