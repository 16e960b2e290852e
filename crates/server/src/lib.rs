//! PoolDesk's HTTP server: Cognito's JSON 1.1 protocol, and STS's query protocol, over the one
//! API layer (`pooldesk_api`).
//!
//! # Layout
//! - this file: the router, `POST /` on `X-Amz-Target` (authenticate, limit, hand to the API
//!   layer), the `.well-known` documents, and the single place errors become HTTP responses.
//! - [`sigv4`]: verification of AWS Signature Version 4 for admin operations.
//! - [`limits`]: rate limits on the public operations, per source address and app client.
//! - `oauth`: user pool domains' OAuth 2.0 endpoints (token, userInfo, revoke), by path or
//!   by host; `login`: their managed login pages (authorize, sign-in, challenges, logout).
//! - `sts`: STS's `GetCallerIdentity` and `AssumeRoleWithWebIdentity`, form in, XML out.
//!
//! Handlers own no business rules: they parse, authenticate, call `pooldesk_api` off the
//! async runtime (hashing and SQLite block), and encode. Point reads by key (GetUser and the
//! like) are the exception: they take less time than the hand-off to a blocking thread.

mod iam;
pub mod limits;
mod login;
mod oauth;
mod ops;
mod query;
pub mod sigv4;
mod sts;
mod sync;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use pooldesk_api::{Access, Api, Target};
use pooldesk_core::identity_pools::credentials::{CredentialError, SessionClaims};
use pooldesk_core::{Context, Error, UserPools};
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

/// What the server holds: the API layer, and what only HTTP needs (who may sign, how often
/// the public may call).
pub struct AppState {
    pub api: Api,
    pub root_key: Option<RootKey>,
    pub limiter: limits::RateLimiter,
    /// Served over TLS: the login pages' cookies are `Secure`.
    pub tls: bool,
    pub metrics: ops::Metrics,
    /// Load balancers whose `X-Forwarded-For` names the client; from anyone else the header
    /// is ignored (a client could put any address there).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl AppState {
    /// The server over `api`, with the default rate limits.
    pub fn new(api: Api, root_key: Option<RootKey>) -> AppState {
        AppState {
            api,
            root_key,
            limiter: limits::RateLimiter::new(limits::RateLimitConfig::default()),
            tls: false,
            metrics: ops::Metrics::default(),
            trusted_proxies: Vec::new(),
        }
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", post(handle_json).options(preflight))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route("/{pool_id}/.well-known/openid-configuration", get(openid_configuration))
        .route("/health/live", get(ops::live))
        .route("/health/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/identitypools", any(sync::handle).options(preflight))
        .route("/identitypools/{*path}", any(sync::handle).options(preflight))
        .nest("/domains/{domain}", domain_routes())
        .merge(domain_routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::observe))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// A domain's OAuth endpoints and login pages, served under `/domains/{domain}` and, for a
/// request whose `Host` names a domain, at the root.
fn domain_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/oauth2/authorize", get(login::authorize))
        .route("/oauth2/token", post(oauth::token).options(preflight))
        .route("/oauth2/userInfo", get(oauth::user_info).post(oauth::user_info).options(preflight))
        .route("/oauth2/revoke", post(oauth::revoke).options(preflight))
        .route("/login", get(login::login_page).post(login::login_submit))
        .route("/challenge", post(login::challenge_submit))
        .route("/signup", get(login::sign_up_page).post(login::sign_up_submit))
        .route("/confirmUser", get(login::confirm_user_link).post(login::confirm_user))
        .route("/resendCode", post(login::resend_code))
        .route("/forgotPassword", get(login::forgot_password_page).post(login::forgot_password_submit))
        .route("/confirmForgotPassword", post(login::confirm_forgot_password))
        .route("/oauth2/idpresponse", get(login::idp_response).post(login::idp_response))
        .route("/saml2/idpresponse", post(login::saml_response))
        .route("/saml2/logout", post(login::saml_logout))
        .route("/logout", get(login::logout))
        .route("/login.css", get(login::stylesheet))
        .route("/branding.css", get(login::branding_css))
        .route("/logo", get(login::logo))
        .route("/managed-login.css", get(login::managed_login_css))
        .route("/managed-login/logo", get(login::managed_login_logo))
        .route("/managed-login/favicon", get(login::managed_login_favicon))
}

/// How long a client may take to send a request's headers, and then its body: a slow
/// client (slowloris) is cut off instead of holding a connection open.
pub const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A server's TLS settings.
pub type TlsConfig = tokio_rustls::rustls::ServerConfig;

/// The TLS settings of `pooldesk serve --tls-cert FILE --tls-key FILE`: a PEM certificate
/// chain and its private key (PKCS#8, PKCS#1 or SEC1), HTTP/1.1 over TLS 1.2 or 1.3.
pub fn tls_config(cert: &std::path::Path, key: &std::path::Path) -> anyhow::Result<Arc<TlsConfig>> {
    use anyhow::Context as _;
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading the certificate {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading the certificate {}", cert.display()))?;
    if chain.is_empty() {
        anyhow::bail!("{} holds no PEM certificate", cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading the private key {}", key.display()))?;
    // The provider named, not the process default: which providers the build enables is the
    // whole dependency graph's choice, and with two of them `builder()` would not choose.
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let mut config = TlsConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the certificate and the private key do not go together")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_tls(listener, state, None, shutdown).await
}

/// [`serve`], over TLS when `tls` is given (each connection's handshake must finish within
/// [`HEADER_TIMEOUT`]).
pub async fn serve_with_tls(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    tls: Option<Arc<TlsConfig>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;
    let trusted: Arc<[std::net::IpAddr]> = state.trusted_proxies.clone().into();
    let deliveries = tokio::spawn(deliver_sync_notices(state.clone()));
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
        let trusted = trusted.clone();
        let service = app.clone().map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
            let client = client_address(peer, req.headers(), &trusted);
            req.extensions_mut().insert(ConnectInfo(client));
            req.map(axum::body::Body::new)
        });
        // HTTP/1.1 only (what the SDKs speak to a plain-HTTP endpoint): its header timer
        // starts when the connection opens, so a client that sends nothing is cut off too.
        let http = hyper::server::conn::http1::Builder::new().timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT).clone();
        let service = hyper_util::service::TowerToHyperService::new(service);
        match &acceptor {
            None => {
                let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!("connection from {peer}: {e}");
                    }
                });
            }
            Some(acceptor) => {
                let handshake = acceptor.accept(stream);
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let stream = match tokio::time::timeout(HEADER_TIMEOUT, handshake).await {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(e)) => return tracing::debug!("TLS handshake with {peer}: {e}"),
                        Err(_) => return tracing::debug!("TLS handshake with {peer} timed out"),
                    };
                    if let Err(e) = watcher.watch(http.serve_connection(TokioIo::new(stream), service)).await {
                        tracing::debug!("connection from {peer}: {e}");
                    }
                });
            }
        }
    }
    drop(listener);
    deliveries.abort();
    graceful.shutdown().await;
    Ok(())
}

/// How often Cognito Sync's queued notices are looked for when there were none.
const DELIVERY_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// Sends Cognito Streams' records and push sync's notifications while the server runs (each
/// server of a cluster takes its own share from the store).
async fn deliver_sync_notices(state: Arc<AppState>) {
    loop {
        let s = state.clone();
        let delivered = tokio::task::spawn_blocking(move || s.api.sync.deliver_due()).await;
        match delivered {
            Ok(Ok(n)) if n > 0 => continue,
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("delivering Cognito Sync's notices: {e}"),
            Err(e) => tracing::error!("delivering Cognito Sync's notices panicked: {e}"),
        }
        tokio::time::sleep(DELIVERY_POLL).await;
    }
}

/// The client a request comes from: the connection's peer, or, when that is a trusted load
/// balancer, the last address in `X-Forwarded-For` that is not one (each proxy appends the
/// address it saw, so the addresses left of the trusted ones are the client's to invent).
fn client_address(peer: SocketAddr, headers: &HeaderMap, trusted: &[std::net::IpAddr]) -> SocketAddr {
    if !trusted.contains(&peer.ip()) {
        return peer;
    }
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
    let hops: Vec<&str> = forwarded.map(str::trim).collect();
    for hop in hops.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return SocketAddr::new(ip, peer.port()),
            // Garbage where an address should be: stop at the last proxy that is trusted.
            Err(_) => break,
        }
    }
    peer
}

/// An error on its way to the client in AWS's JSON shape. Every error the server answers is a
/// [`Error`] variant: its name is [`Error::wire_code`], its status is decided here alone.
struct ApiError {
    status: StatusCode,
    error: Error,
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        let status = match &error {
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Error::RequestTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError { status, error }
    }
}

impl ApiError {
    /// A document route (`GET /.well-known/...`) that names nothing here: 404, as a web server
    /// answers, in the same shape.
    fn not_found(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, error: Error::ResourceNotFound(message.into()) }
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

/// A browser's CORS preflight: any origin may call, as on AWS's endpoints. Credentials travel
/// in headers (SigV4, tokens, client secrets), never in cookies, so no origin gains anything
/// a page could not already send. The headers asked for are allowed (the SDKs add their own,
/// such as `x-amz-user-agent`).
pub(crate) async fn preflight(headers: HeaderMap) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, DELETE"));
    let asked = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.unwrap_or_else(|| HeaderValue::from_static("authorization, content-type")));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    resp
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-amz-json-1.1"));
    // Browser apps (amazon-cognito-identity-js, Amplify) call the API across origins.
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, date"),
    );
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        h.insert("x-amzn-requestid", v);
    }
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.error.is_internal() {
            // The detail is for operators; the client learns only that it was not its fault.
            tracing::error!("internal error: {:#}", self.error);
        }
        let code = self.error.wire_code();
        let body = json!({ "__type": code, "message": self.error.client_message() }).to_string().into_bytes();
        let mut resp = json_response(self.status, body);
        resp.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static(code));
        resp
    }
}

/// Who signed a request.
pub(crate) enum Caller {
    /// An admin access key (the root key or one from `pooldesk keys`).
    Admin(String),
    /// Temporary credentials from STS GetSessionToken, acting as this admin key (except where
    /// AWS wants the key itself: IAM and GetSessionToken).
    AdminSession(String),
    /// Temporary credentials from an identity pool (or STS), with what their token vouches for.
    Session(SessionClaims),
}

/// Checks the SigV4 signature of a request, by an admin key or by temporary credentials
/// (access key `ASIA...` with `X-Amz-Security-Token`). `service`, when given, is the signing
/// name the credential scope must carry, as AWS requires (a signature for one service is not
/// accepted by another).
pub(crate) fn authenticate(state: &AppState, service: Option<&str>, req: &sigv4::SignedRequest<'_>) -> Result<Caller, Error> {
    use sigv4::SigV4Error;
    let failure = |e: SigV4Error| match e {
        SigV4Error::Missing => Error::MissingAuthenticationToken(e.message()),
        SigV4Error::Incomplete(_) => Error::IncompleteSignature(e.message()),
        SigV4Error::Expired(_) | SigV4Error::Mismatch => Error::InvalidSignature(e.message()),
    };
    let auth = sigv4::parse_authorization(req).map_err(failure)?;
    if let Some(expected) = service.filter(|s| *s != auth.service) {
        return Err(Error::InvalidSignature(format!("Credential should be scoped to correct service: '{expected}'.")));
    }
    let session_token = req.headers.get("x-amz-security-token").and_then(|v| v.to_str().ok());
    let (caller, secret) = match session_token {
        Some(token) => match state.api.identity.open_session(auth.access_key_id, token) {
            // GetSessionToken's credentials act as their admin key while it exists.
            Ok((SessionClaims { admin_key: Some(key), .. }, secret)) => {
                admin_secret(state, &key)?;
                (Caller::AdminSession(key), secret)
            }
            Ok((claims, secret)) => (Caller::Session(claims), secret),
            Err(CredentialError::Expired) => return Err(expired_token()),
            Err(CredentialError::Invalid) => return Err(unrecognized_client()),
        },
        None => (Caller::Admin(auth.access_key_id.to_owned()), admin_secret(state, auth.access_key_id)?),
    };
    let now = u64::try_from(state.api.clock.now_secs()).unwrap_or(0);
    sigv4::verify(req, &auth, &secret, now).map_err(failure)?;
    Ok(caller)
}

fn unrecognized_client() -> Error {
    Error::UnrecognizedClient("The security token included in the request is invalid.".into())
}

/// The secret of an admin access key: the root key's, or one from `pooldesk keys`.
fn admin_secret(state: &AppState, key_id: &str) -> Result<String, Error> {
    match &state.root_key {
        Some(root) if aws_lc_rs::constant_time::verify_slices_are_equal(root.id.as_bytes(), key_id.as_bytes()).is_ok() => {
            Ok(root.secret.clone())
        }
        _ => match state.api.store.get_access_key(key_id) {
            Ok(Some(key)) => Ok(key.secret),
            Ok(None) => Err(unrecognized_client()),
            Err(e) => {
                tracing::error!("reading access keys: {e}");
                Err(unrecognized_client())
            }
        },
    }
}

fn expired_token() -> Error {
    Error::ExpiredToken("The security token included in the request is expired".into())
}

/// What SigV4 signs, as the request arrived.
pub(crate) fn signed<'a>(method: &'a Method, uri: &'a Uri, headers: &'a HeaderMap, body: &'a [u8]) -> sigv4::SignedRequest<'a> {
    sigv4::SignedRequest { method: method.as_str(), path: uri.path(), query: uri.query().unwrap_or(""), headers, body }
}

/// An admin operation: signed by an admin key, not by temporary credentials.
fn require_admin(state: &AppState, service: Option<&str>, req: &sigv4::SignedRequest<'_>) -> Result<String, ApiError> {
    match authenticate(state, service, req)? {
        Caller::Admin(key) | Caller::AdminSession(key) => Ok(key),
        Caller::Session(_) => {
            Err(Error::NotAuthorized("Temporary credentials from an identity pool cannot call admin operations.".into()).into())
        }
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
        Err(e) => return ApiError::from(e).into_response(),
    };
    // STS speaks the query protocol: a form body and no X-Amz-Target.
    if !headers.contains_key("x-amz-target") && query::is_query_request(&headers, &body) {
        return query::handle(state, peer, method, uri, headers, body).await;
    }
    let target_name = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
    let inline = Target::parse(target_name).is_ok_and(Target::is_point_read) && state.api.store.reads_are_local();
    // Refreshes answer with tokens too, but are not sign-ins.
    let signs_in = Target::parse(target_name).is_ok_and(Target::signs_in) && !contains(&body, b"\"REFRESH_TOKEN");
    let metrics_state = state.clone();
    let run = move || -> Result<Vec<u8>, ApiError> {
        let target_name = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
        let target = Target::parse(target_name)?;
        let access = match target.access() {
            Access::AdminOrPublic(service) if headers.contains_key(header::AUTHORIZATION) => Access::Admin(Some(service)),
            Access::AdminOrPublic(_) => Access::Public,
            other => other,
        };
        let caller = match access {
            Access::Admin(service) => Some(require_admin(&state, service, &signed(&method, &uri, &headers, &body))?),
            Access::AdminOrPublic(_) | Access::Public => {
                if !state.limiter.admit(target.name(), peer.ip(), client_id_of(&body).as_deref()) {
                    return Err(Error::TooManyRequests(
                        "Too many requests from this address or for this app client. Slow down and retry.".into(),
                    )
                    .into());
                }
                None
            }
        };
        let source = peer.ip().to_string();
        let ctx = Context { caller, source_ip: Some(source.clone()) };
        Ok(target.call_audited(&state.api, &ctx, target_name, &source, &body)?)
    };
    // A point read on a local database takes less time than handing it to a blocking thread
    // and back (two thread wake-ups, two context switches), so it runs here; everything else
    // (hashing, writes that may wait for the writer, scans, anything that waits for a network
    // database) runs on the blocking pool.
    let outcome = if inline {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).map_err(|_| "the operation panicked".to_owned())
    } else {
        tokio::task::spawn_blocking(run).await.map_err(|join| format!("the operation panicked: {join}"))
    };
    match outcome {
        Ok(Ok(body)) => {
            if signs_in && contains(&body, b"\"AuthenticationResult\"") {
                metrics_state.metrics.signed_in();
            }
            json_response(StatusCode::OK, body)
        }
        Ok(Err(e)) => e.into_response(),
        Err(why) => ApiError::from(Error::internal(anyhow::anyhow!(why))).into_response(),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Reads a request body of at most [`MAX_BODY_BYTES`] that arrives whole within
/// [`BODY_TIMEOUT`] (a deadline for the whole body, not a gap between its pieces).
async fn read_body(body: axum::body::Body) -> Result<Bytes, Error> {
    read_body_up_to(body, MAX_BODY_BYTES).await
}

/// [`read_body`] with another size limit.
pub(crate) async fn read_body_up_to(body: axum::body::Body, limit: usize) -> Result<Bytes, Error> {
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) => {
            Err(Error::RequestTooLarge(format!("The request body is larger than {} KiB.", limit / 1024)))
        }
        Ok(Err(_)) => Err(Error::InvalidParameter("The request body could not be read.".into())),
        Err(_) => Err(Error::InvalidParameter(format!("The request body did not arrive within {} s.", BODY_TIMEOUT.as_secs()))),
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

async fn well_known(state: Arc<AppState>, f: impl FnOnce(&UserPools) -> Result<serde_json::Value, Error> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(move || f(&state.api.pools)).await {
        Ok(Ok(doc)) => {
            let mut resp = (StatusCode::OK, doc.to_string()).into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            resp
        }
        Ok(Err(Error::ResourceNotFound(m))) => ApiError::not_found(m).into_response(),
        Ok(Err(e)) => ApiError::from(e).into_response(),
        Err(join) => ApiError::from(Error::internal(anyhow::anyhow!("{join}"))).into_response(),
    }
}

async fn jwks(State(state): State<Arc<AppState>>, Path(pool_id): Path<String>) -> Response {
    if pool_id == "cognito-identity" {
        // The keys of GetOpenIdToken's tokens (issuer `{public url}/cognito-identity`).
        let identity = state.api.identity.clone();
        return well_known(state, move |_| Ok(identity.openid_jwks())).await;
    }
    well_known(state, move |p| p.jwks(&pool_id)).await
}

async fn openid_configuration(State(state): State<Arc<AppState>>, Path(pool_id): Path<String>) -> Response {
    well_known(state, move |p| p.openid_configuration(&pool_id)).await
}

async fn not_found() -> Response {
    ApiError::not_found("No such resource.").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_from_trusted_proxies_only() {
        let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        let peer = SocketAddr::new(proxy, 5000);
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.7"));
        assert_eq!(client_address(peer, &headers, &[]), peer, "not told to trust anyone");
        assert_eq!(client_address(peer, &headers, &[proxy]).ip().to_string(), "203.0.113.7", "the address the proxy saw");
        let stranger = SocketAddr::new("198.51.100.1".parse().unwrap(), 5000);
        assert_eq!(client_address(stranger, &headers, &[proxy]), stranger, "anyone else's header is ignored");
        // Two trusted hops: the client is left of both.
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 10.0.0.3"));
        let inner: std::net::IpAddr = "10.0.0.3".parse().unwrap();
        assert_eq!(client_address(peer, &headers, &[proxy, inner]).ip().to_string(), "203.0.113.9");
        headers.insert("x-forwarded-for", HeaderValue::from_static("not-an-address"));
        assert_eq!(client_address(peer, &headers, &[proxy]), peer);
        headers.remove("x-forwarded-for");
        assert_eq!(client_address(peer, &headers, &[proxy]), peer);
    }

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
