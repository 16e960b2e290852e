//! The server under test: a real `pooldesk_server::serve` on a loopback port, over a real
//! SQLite file in a temporary directory, with time under the test's control ([`FakeClock`]).
//! Requests go over HTTP with `reqwest`; admin requests are SigV4-signed with `aws-sigv4`
//! (the code the AWS SDK for Rust signs with) at the fake clock's time.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use pooldesk_api::Api;
use pooldesk_core::clock::{Clock, FakeClock};
use pooldesk_core::store::Store;
use pooldesk_core::{Config, UserPools};
use pooldesk_server::{AppState, RootKey};
use pooldesk_store_sqlite::{Durability, KeyFile, SqliteStore};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// 2027-01-15T08:00:00Z: a realistic "now", far from the real clock so nothing passes by
/// accident because the wall clock happened to agree.
pub const T0_MS: i64 = 1_800_000_000_000;

pub const ROOT_ID: &str = "PDTESTROOTACCESSKEY1";
pub const ROOT_SECRET: &str = "pooldesk/integration+tests/ROOT/secret/0000";

pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService";

/// A password that meets the default policy (8+, upper, lower, digit, symbol).
pub const PASSWORD: &str = "Correct-Horse-9";

pub fn clock() -> Arc<FakeClock> {
    Arc::new(FakeClock::new(T0_MS))
}

/// An access key to sign with.
#[derive(Clone, Copy)]
pub struct Key<'a> {
    pub id: &'a str,
    pub secret: &'a str,
}

pub const ROOT: Key<'static> = Key { id: ROOT_ID, secret: ROOT_SECRET };

/// How a request is authenticated.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    None,
    /// Signed with `key` at the fake clock's time shifted by `skew_secs`.
    SigV4 {
        key: Key<'a>,
        skew_secs: i64,
    },
}

impl Auth<'static> {
    pub const ROOT: Auth<'static> = Auth::SigV4 { key: ROOT, skew_secs: 0 };
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base_url: String,
    pub clock: Arc<FakeClock>,
    pub store: Arc<SqliteStore>,
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    /// Keeps the database's directory alive as long as the app (None: the caller owns it).
    _dir: Option<TempDir>,
}

/// A server over a fresh database in its own temporary directory.
pub async fn spawn_app(clock: Arc<FakeClock>) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open_store(&dir.path().join("db.sqlite"));
    spawn_app_on(store, clock, Some(dir)).await
}

pub fn open_store(path: &Path) -> Arc<SqliteStore> {
    Arc::new(SqliteStore::open(path, Durability::Normal, &KeyFile::beside(path)).expect("opening the SQLite store"))
}

/// A server over `store`, whose file the caller keeps (or hands over in `dir`).
pub async fn spawn_app_on(store: Arc<SqliteStore>, clock: Arc<FakeClock>, dir: Option<TempDir>) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binding a loopback port");
    let addr = listener.local_addr().expect("local address");
    let base_url = format!("http://{addr}");
    let dyn_store: Arc<dyn Store> = store.clone();
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    let config = Config { public_url: base_url.clone(), ..Default::default() };
    let pools = Arc::new(UserPools::new(dyn_store.clone(), dyn_clock.clone(), config, None).expect("building UserPools"));
    let identity = Arc::new(
        pooldesk_core::identity_pools::IdentityPools::new(dyn_store.clone(), dyn_clock.clone(), pools.clone())
            .expect("building IdentityPools"),
    );
    let sync = Arc::new(pooldesk_core::sync::Sync::new(dyn_store.clone(), dyn_clock.clone(), &pools).expect("building Sync"));
    let api = Api { pools, identity, sync, store: dyn_store, clock: dyn_clock };
    let mut state = AppState::new(api, Some(RootKey { id: ROOT_ID.into(), secret: ROOT_SECRET.into() }));
    state.limiter = pooldesk_server::limits::RateLimiter::new(pooldesk_server::limits::RateLimitConfig::OFF);
    let state = Arc::new(state);
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(pooldesk_server::serve(listener, state, async move {
        let _ = rx.await;
    }));
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("HTTP client");
    TestApp { addr, base_url, clock, store, http, shutdown: Some(tx), server: Some(server), _dir: dir }
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts AWS's JSON 1.1 error shape: the status, `__type`, the content type and a request
    /// id. Returns the `message`.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, error_type: &str) -> String {
        let body = self.json();
        assert_eq!(self.status, status, "status; body: {body}");
        assert_eq!(body["__type"], json!(error_type), "__type; body: {body}");
        self.assert_aws_headers();
        body["message"].as_str().unwrap_or_default().to_owned()
    }

    #[track_caller]
    pub fn assert_aws_headers(&self) {
        assert_eq!(self.header("content-type"), Some("application/x-amz-json-1.1"), "content-type of a {} answer", self.status);
        let id = self.header("x-amzn-requestid").unwrap_or_default();
        assert!(!id.is_empty(), "x-amzn-requestid missing from a {} answer", self.status);
    }
}

impl TestApp {
    /// The fake clock's "now" as the SystemTime SigV4 signs with.
    pub fn now(&self) -> SystemTime {
        let ms = u64::try_from(self.clock.now_millis()).expect("clock after the epoch");
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    pub fn advance(&self, secs: i64) {
        self.clock.advance_secs(secs);
    }

    /// Sends `body` to `POST /` with `X-Amz-Target: target` (if any), authenticated as told.
    pub async fn send(&self, target: Option<&str>, body: Vec<u8>, auth: Auth<'_>) -> Reply {
        let host = self.addr.to_string();
        let mut headers: Vec<(String, String)> = vec![("host".into(), host), ("content-type".into(), "application/x-amz-json-1.1".into())];
        if let Some(t) = target {
            headers.push(("x-amz-target".into(), t.into()));
        }
        if let Auth::SigV4 { key, skew_secs } = auth {
            let time = if skew_secs >= 0 {
                self.now() + Duration::from_secs(skew_secs.unsigned_abs())
            } else {
                self.now() - Duration::from_secs(skew_secs.unsigned_abs())
            };
            let service =
                if target.is_some_and(|t| t.starts_with("AWSCognitoIdentityService.")) { "cognito-identity" } else { "cognito-idp" };
            let signed = sign_headers(&format!("{}/", self.base_url), &headers, &body, key, service, time);
            headers.extend(signed);
        }
        let mut req = self.http.post(format!("{}/", self.base_url));
        for (name, value) in &headers {
            req = req.header(name.as_str(), value.as_str());
        }
        let resp = req.body(body).send().await.expect("sending the request");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.expect("reading the response").to_vec();
        Reply { status, headers, body }
    }

    /// A Cognito operation without a signature (the public ones: SignUp, InitiateAuth...).
    pub async fn call(&self, op: &str, body: Value) -> (StatusCode, Value) {
        let r = self.call_reply(op, body).await;
        (r.status, r.json())
    }

    pub async fn call_reply(&self, op: &str, body: Value) -> Reply {
        self.send(Some(&target(op)), body.to_string().into_bytes(), Auth::None).await
    }

    /// An operation signed with the root key at the fake clock's time. `op` is a Cognito
    /// operation name, or a full target such as `PoolDesk.ListMessages`.
    pub async fn admin(&self, op: &str, body: Value) -> (StatusCode, Value) {
        let r = self.admin_reply(op, body).await;
        (r.status, r.json())
    }

    pub async fn admin_reply(&self, op: &str, body: Value) -> Reply {
        self.send(Some(&target(op)), body.to_string().into_bytes(), Auth::ROOT).await
    }

    /// An operation that must succeed; returns its answer.
    #[track_caller]
    pub fn ok(&self, (status, body): (StatusCode, Value)) -> Value {
        assert_eq!(status, StatusCode::OK, "expected success, got {body}");
        body
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let resp = self.http.get(format!("{}{path}", self.base_url)).send().await.expect("GET");
        let status = resp.status();
        let body = resp.json::<Value>().await.expect("JSON body");
        (status, body)
    }

    /// Stops the server (graceful shutdown) and waits until it let go of its state, so the
    /// store is only held by `self.store`.
    pub async fn stop(mut self) {
        drop(std::mem::take(&mut self.http));
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let result = tokio::time::timeout(Duration::from_secs(10), server).await.expect("server stops within 10 s");
            result.expect("server task").expect("server result");
        }
    }

    // ---- setups most tests share ------------------------------------------------------------

    /// A pool that auto-verifies e-mail, and a client allowing password and refresh sign-in.
    /// Returns (pool id, client id).
    pub async fn pool_and_client(&self, name: &str) -> (String, String) {
        let pool = self.ok(self.admin("CreateUserPool", json!({ "PoolName": name, "AutoVerifiedAttributes": ["email"] })).await);
        let pool_id = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
        let client = self.ok(self
            .admin(
                "CreateUserPoolClient",
                json!({
                    "UserPoolId": pool_id,
                    "ClientName": format!("{name}-web"),
                    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                }),
            )
            .await);
        let client_id = client["UserPoolClient"]["ClientId"].as_str().expect("client id").to_owned();
        (pool_id, client_id)
    }

    /// SignUp with an e-mail address; returns the code sent to it (read from the outbox).
    pub async fn sign_up(&self, pool_id: &str, client_id: &str, username: &str, email: &str) -> String {
        let body = self.ok(self
            .call(
                "SignUp",
                json!({
                    "ClientId": client_id,
                    "Username": username,
                    "Password": PASSWORD,
                    "UserAttributes": [{ "Name": "email", "Value": email }],
                }),
            )
            .await);
        assert_eq!(body["UserConfirmed"], json!(false), "{body}");
        assert_eq!(body["CodeDeliveryDetails"]["DeliveryMedium"], json!("EMAIL"), "{body}");
        self.last_code(pool_id, username).await
    }

    /// The code of the newest outbox message to `username`.
    pub async fn last_code(&self, pool_id: &str, username: &str) -> String {
        let outbox = self.ok(self.admin("PoolDesk.ListMessages", json!({ "UserPoolId": pool_id, "Username": username })).await);
        outbox["Messages"][0]["Code"].as_str().unwrap_or_else(|| panic!("no code in the outbox for {username}: {outbox}")).to_owned()
    }

    /// SignUp + ConfirmSignUp: a confirmed user with a verified e-mail and [`PASSWORD`].
    pub async fn confirmed_user(&self, pool_id: &str, client_id: &str, username: &str) {
        let email = format!("{username}@example.com");
        let code = self.sign_up(pool_id, client_id, username, &email).await;
        self.ok(self.call("ConfirmSignUp", json!({ "ClientId": client_id, "Username": username, "ConfirmationCode": code })).await);
    }

    pub async fn password_sign_in(&self, client_id: &str, username: &str, password: &str) -> (StatusCode, Value) {
        self.call(
            "InitiateAuth",
            json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": client_id,
                "AuthParameters": { "USERNAME": username, "PASSWORD": password },
            }),
        )
        .await
    }
}

/// `AWSCognitoIdentityProviderService.{op}` unless `op` already names a prefix.
pub fn target(op: &str) -> String {
    if op.contains('.') { op.to_owned() } else { format!("{TARGET_PREFIX}.{op}") }
}

/// Signs a `POST {uri}` with `headers` and `body` as an AWS SDK would; returns the headers to
/// add (`x-amz-date`, `authorization`).
pub fn sign_headers(
    uri: &str,
    headers: &[(String, String)],
    body: &[u8],
    key: Key<'_>,
    service: &str,
    time: SystemTime,
) -> Vec<(String, String)> {
    let identity = Credentials::new(key.id, key.secret, None, None, "pooldesk-it").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let signable = SignableRequest::new("POST", uri, headers.iter().map(|(n, v)| (n.as_str(), v.as_str())), SignableBody::Bytes(body))
        .expect("signable request");
    let (instructions, _signature) = sign(signable, &params).expect("signing").into_parts();
    instructions.headers().map(|(n, v)| (n.to_owned(), v.to_owned())).collect()
}
