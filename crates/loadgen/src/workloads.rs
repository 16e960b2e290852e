//! The workloads, and the state each needs on a server (a pool, an app client, users with
//! passwords and tokens, 10,000 searchable users, an identity pool), made through the same API
//! on every server so that no server gets a head start.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::SystemTime;

use anyhow::{Context as _, anyhow, bail};
use base64::Engine as _;
use pooldesk_core::srp::{SrpClient, format_timestamp};
use serde_json::{Value, json};

use crate::http::{Conn, Key, Service};

pub const PASSWORD: &str = "Bench-Passw0rd!";
/// Users who sign in (passwords set, tokens held); operations cycle through them.
pub const SIGN_IN_USERS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    PasswordSignIn,
    Refresh,
    /// REFRESH_TOKEN_AUTH in a pool tagged to sign ES256 (PoolDesk only).
    RefreshEs256,
    GetUser,
    AdminCreateUser,
    ListUsers,
    Credentials,
    SrpSignIn,
    // At scale (the `scale` command):
    ListUsersSelective,
    ListUsersEquals,
    ListUsersPaging,
    ListUsersUnfiltered,
    AdminGetUser,
    DescribeUserPool,
    // OAuth 2.0 at a pool's domain:
    ClientCredentials,
    ClientCredentialsEs256,
    LoginPage,
    LoginAndExchange,
}

impl Workload {
    pub const ALL: [Workload; 12] = [
        Workload::GetUser,
        Workload::ListUsers,
        Workload::AdminCreateUser,
        Workload::Credentials,
        Workload::Refresh,
        Workload::RefreshEs256,
        Workload::PasswordSignIn,
        Workload::SrpSignIn,
        Workload::ClientCredentials,
        Workload::ClientCredentialsEs256,
        Workload::LoginPage,
        Workload::LoginAndExchange,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::PasswordSignIn => "InitiateAuth USER_PASSWORD_AUTH",
            Workload::Refresh => "InitiateAuth REFRESH_TOKEN_AUTH",
            Workload::RefreshEs256 => "REFRESH_TOKEN_AUTH, ES256 pool",
            Workload::GetUser => "GetUser",
            Workload::AdminCreateUser => "AdminCreateUser (SUPPRESS)",
            Workload::ListUsers => "ListUsers 60, email ^= prefix",
            Workload::Credentials => "GetId + GetCredentialsForIdentity",
            Workload::SrpSignIn => "USER_SRP_AUTH + PASSWORD_VERIFIER",
            Workload::ListUsersSelective => "ListUsers 60, email ^= \"user12345\"",
            Workload::ListUsersEquals => "ListUsers, email = one address",
            Workload::ListUsersPaging => "ListUsers 60, email ^= \"user1\", next page",
            Workload::ListUsersUnfiltered => "ListUsers 60, no filter, next page",
            Workload::AdminGetUser => "AdminGetUser",
            Workload::DescribeUserPool => "DescribeUserPool",
            Workload::ClientCredentials => "/oauth2/token client_credentials",
            Workload::ClientCredentialsEs256 => "client_credentials, ES256 pool",
            Workload::LoginPage => "GET /login (sign-in page)",
            Workload::LoginAndExchange => "POST /login + code exchange",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Workload::PasswordSignIn => "signin",
            Workload::Refresh => "refresh",
            Workload::RefreshEs256 => "refresh-es256",
            Workload::GetUser => "getuser",
            Workload::AdminCreateUser => "create",
            Workload::ListUsers => "listusers",
            Workload::Credentials => "credentials",
            Workload::SrpSignIn => "srp",
            Workload::ListUsersSelective => "list-selective",
            Workload::ListUsersEquals => "list-equals",
            Workload::ListUsersPaging => "list-paging",
            Workload::ListUsersUnfiltered => "list-all",
            Workload::AdminGetUser => "admingetuser",
            Workload::DescribeUserPool => "describe",
            Workload::ClientCredentials => "oauth-cc",
            Workload::ClientCredentialsEs256 => "oauth-cc-es256",
            Workload::LoginPage => "login-page",
            Workload::LoginAndExchange => "login-code",
        }
    }

    pub const AT_SCALE: [Workload; 9] = [
        Workload::ListUsersSelective,
        Workload::ListUsersEquals,
        Workload::ListUsersPaging,
        Workload::ListUsersUnfiltered,
        Workload::AdminGetUser,
        Workload::DescribeUserPool,
        Workload::GetUser,
        Workload::PasswordSignIn,
        Workload::AdminCreateUser,
    ];

    pub fn parse(s: &str) -> Option<Workload> {
        Workload::ALL.into_iter().chain(Workload::AT_SCALE).find(|w| w.short() == s)
    }
}

pub struct SignInUser {
    pub username: String,
    pub access_token: String,
    pub id_token: String,
    pub refresh_token: String,
}

/// What setup made on one server.
pub struct Fixture {
    pub pool_id: String,
    pub client_id: String,
    pub users: Vec<SignInUser>,
    /// The identity pool, or why it could not be made (a peer without cognito-identity).
    pub identity_pool: Result<String, String>,
    pub provider: String,
    /// Makes AdminCreateUser's usernames unique across rounds.
    pub tag: String,
    /// How many `user{i}` users (e-mail `user{i}@example.com`) the pool holds.
    pub searchable: usize,
    /// A second pool, tagged to sign ES256: its client and users, or why there is none (a
    /// server that ignores the tag and signs RS256 anyway).
    pub es256: Result<(String, Vec<SignInUser>), String>,
    /// The OAuth endpoints of a domain of the pool (and of the ES256 pool), or why there are
    /// none (a server without domains or a token endpoint).
    pub oauth: Result<OAuth, String>,
    pub oauth_es256: Result<OAuth, String>,
}

/// A domain's endpoints, a confidential client for client_credentials and a public one for
/// the code flow (callback `http://localhost/cb`).
pub struct OAuth {
    /// `/domains/<domain>`: where the domain's paths hang off.
    pub base: String,
    /// `Basic base64(client_id:secret)` of the client_credentials client.
    pub basic: String,
    pub code_client_id: String,
    /// `/oauth2/authorize`'s (and so `/login`'s) query for the code client.
    pub query: String,
}

pub const CALLBACK: &str = "http://localhost/cb";

impl Fixture {
    /// Why `w` cannot run on this server, if it cannot.
    pub fn unsupported(&self, w: Workload) -> Option<String> {
        match (w, &self.identity_pool, &self.es256) {
            (Workload::Credentials, Err(e), _) | (Workload::RefreshEs256, _, Err(e)) => return Some(e.clone()),
            _ => {}
        }
        match (w, &self.oauth, &self.oauth_es256) {
            (Workload::ClientCredentials | Workload::LoginPage | Workload::LoginAndExchange, Err(e), _)
            | (Workload::ClientCredentialsEs256, _, Err(e)) => Some(e.clone()),
            _ => None,
        }
    }
}

/// Creates the pool, client, sign-in users and `searchable` users with e-mail addresses.
pub async fn setup(addr: SocketAddr, key: &Key, searchable: usize, connections: usize) -> anyhow::Result<Fixture> {
    let mut c = Conn::open(addr, key).await?;
    let (pool_id, client_id, users) = pool_with_users(&mut c, json!({})).await?;
    let es256 = es256_pool(&mut c).await;
    let oauth = oauth_setup(&mut c, &pool_id, "bench").await.map_err(|e| format!("{e:#}"));
    let oauth_es256 = match &es256 {
        Ok((pool_id, _, _)) => oauth_setup(&mut c, pool_id, "bench-es").await.map_err(|e| format!("{e:#}")),
        Err(e) => Err(e.clone()),
    };
    let es256 = es256.map(|(_, client_id, users)| (client_id, users));

    // The searchable users, over several connections.
    let per = searchable.div_ceil(connections.max(1));
    let mut tasks = Vec::new();
    for part in 0..connections.max(1) {
        let (key, pool_id) = (key.clone(), pool_id.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(addr, &key).await?;
            for i in (part * per)..((part + 1) * per).min(searchable) {
                c.json(
                    Service::Idp,
                    "AdminCreateUser",
                    &json!({"UserPoolId": pool_id, "Username": format!("user{i}"), "MessageAction": "SUPPRESS",
                            "UserAttributes": [{"Name": "email", "Value": format!("user{i}@example.com")}]}),
                    true,
                )
                .await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }

    let provider = format!("cognito-idp.{}.amazonaws.com/{pool_id}", key.region);
    let identity_pool = identity_pool(&mut c, &provider, &client_id, &users[0].id_token).await.map_err(|e| format!("{e:#}"));
    let tag = format!("{:x}", std::process::id() ^ (pool_id.len() as u32) << 16);
    Ok(Fixture { pool_id, client_id, users, identity_pool, provider, tag, searchable, es256, oauth, oauth_es256 })
}

/// A pool (with `tags`), its app client and the users who sign in, signed in.
async fn pool_with_users(c: &mut Conn, tags: Value) -> anyhow::Result<(String, String, Vec<SignInUser>)> {
    let pool = c
        .json(
            Service::Idp,
            "CreateUserPool",
            &json!({"PoolName": "bench", "Policies": {"PasswordPolicy": {"MinimumLength": 8}}, "AutoVerifiedAttributes": [],
                    "UserPoolTags": tags}),
            true,
        )
        .await?;
    let pool_id = str_at(&pool, "/UserPool/Id")?;
    let client = c
        .json(
            Service::Idp,
            "CreateUserPoolClient",
            &json!({"UserPoolId": pool_id, "ClientName": "bench", "GenerateSecret": false,
                    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
            true,
        )
        .await?;
    let client_id = str_at(&client, "/UserPoolClient/ClientId")?;

    let mut users = Vec::new();
    for i in 0..SIGN_IN_USERS {
        let username = format!("signin-{i}");
        c.json(Service::Idp, "AdminCreateUser", &json!({"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS"}), true)
            .await?;
        c.json(
            Service::Idp,
            "AdminSetUserPassword",
            &json!({"UserPoolId": pool_id, "Username": username, "Password": PASSWORD, "Permanent": true}),
            true,
        )
        .await?;
        let auth = c.json(Service::Idp, "InitiateAuth", &password_auth(&client_id, &username), false).await?;
        users.push(SignInUser {
            access_token: str_at(&auth, "/AuthenticationResult/AccessToken")?,
            id_token: str_at(&auth, "/AuthenticationResult/IdToken")?,
            refresh_token: str_at(&auth, "/AuthenticationResult/RefreshToken")?,
            username,
        });
    }
    Ok((pool_id, client_id, users))
}

/// A pool tagged to sign ES256, if the server signs its tokens so.
async fn es256_pool(c: &mut Conn) -> Result<(String, String, Vec<SignInUser>), String> {
    let (pool_id, client_id, users) =
        pool_with_users(c, json!({"pooldesk:token-signing-algorithm": "ES256"})).await.map_err(|e| format!("{e:#}"))?;
    let header = users.first().and_then(|u| u.access_token.split('.').next()).unwrap_or_default();
    let header: Value = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .unwrap_or_default();
    match header.get("alg").and_then(Value::as_str) {
        Some("ES256") => Ok((pool_id, client_id, users)),
        alg => Err(format!("signs {} in a pool tagged ES256", alg.unwrap_or("nothing"))),
    }
}

async fn identity_pool(c: &mut Conn, provider: &str, client_id: &str, id_token: &str) -> anyhow::Result<String> {
    let created = c
        .json(
            Service::Identity,
            "CreateIdentityPool",
            &json!({"IdentityPoolName": "bench", "AllowUnauthenticatedIdentities": false,
                    "CognitoIdentityProviders": [{"ProviderName": provider, "ClientId": client_id}]}),
            true,
        )
        .await?;
    let id = str_at(&created, "/IdentityPoolId")?;
    c.json(
        Service::Identity,
        "SetIdentityPoolRoles",
        &json!({"IdentityPoolId": id, "Roles": {"authenticated": "arn:aws:iam::123456789012:role/bench-authenticated"}}),
        true,
    )
    .await?;
    // Check the whole exchange once, so a peer that answers 200 with nothing is not measured.
    let logins = json!({ provider: id_token });
    let got = c.json(Service::Identity, "GetId", &json!({"IdentityPoolId": id, "Logins": logins}), false).await?;
    let identity = str_at(&got, "/IdentityId")?;
    let creds = c.json(Service::Identity, "GetCredentialsForIdentity", &json!({"IdentityId": identity, "Logins": logins}), false).await?;
    str_at(&creds, "/Credentials/SecretKey")?;
    Ok(id)
}

/// A domain for the pool, a resource server with one scope, and the two clients; checked once
/// with a real grant, so a server that answers 200 with nothing is not measured.
async fn oauth_setup(c: &mut Conn, pool_id: &str, name: &str) -> anyhow::Result<OAuth> {
    let domain = format!("{name}-{:x}", std::process::id());
    c.json(Service::Idp, "CreateUserPoolDomain", &json!({"UserPoolId": pool_id, "Domain": domain}), true).await?;
    c.json(
        Service::Idp,
        "CreateResourceServer",
        &json!({"UserPoolId": pool_id, "Identifier": "api", "Name": "API", "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}),
        true,
    )
    .await?;
    let m2m = c
        .json(
            Service::Idp,
            "CreateUserPoolClient",
            &json!({"UserPoolId": pool_id, "ClientName": "m2m", "GenerateSecret": true, "AllowedOAuthFlowsUserPoolClient": true,
                    "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["api/read"]}),
            true,
        )
        .await?;
    let code = c
        .json(
            Service::Idp,
            "CreateUserPoolClient",
            &json!({"UserPoolId": pool_id, "ClientName": "web", "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
                    "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK]}),
            true,
        )
        .await?;
    let (id, secret) = (str_at(&m2m, "/UserPoolClient/ClientId")?, str_at(&m2m, "/UserPoolClient/ClientSecret")?);
    let code_client_id = str_at(&code, "/UserPoolClient/ClientId")?;
    let oauth = OAuth {
        base: format!("/domains/{domain}"),
        basic: format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))),
        query: format!("client_id={code_client_id}&response_type=code&scope=openid&redirect_uri=http%3A%2F%2Flocalhost%2Fcb"),
        code_client_id,
    };
    let reply = client_credentials(c, &oauth).await?;
    let token: Value = reply.json()?;
    str_at(&token, "/access_token")?;
    Ok(oauth)
}

async fn client_credentials(c: &mut Conn, oauth: &OAuth) -> anyhow::Result<crate::http::Reply> {
    let headers = [("content-type", "application/x-www-form-urlencoded"), ("authorization", oauth.basic.as_str())];
    let reply = c.request("POST", &format!("{}/oauth2/token", oauth.base), &headers, b"grant_type=client_credentials".to_vec()).await?;
    if reply.status != 200 {
        bail!("client_credentials: HTTP {} {}", reply.status, String::from_utf8_lossy(&reply.body));
    }
    Ok(reply)
}

/// GET /login: the page and its CSRF cookie's value.
async fn login_page(c: &mut Conn, oauth: &OAuth) -> anyhow::Result<String> {
    let reply = c.request("GET", &format!("{}/login?{}", oauth.base, oauth.query), &[], Vec::new()).await?;
    if reply.status != 200 {
        bail!("GET /login: HTTP {}", reply.status);
    }
    let cookie = reply.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| v.strip_prefix("XSRF-TOKEN="));
    Ok(cookie.and_then(|v| v.split(';').next()).unwrap_or_default().to_owned())
}

/// POST /login with a user's password, then the code's exchange at /oauth2/token.
async fn login_and_exchange(c: &mut Conn, oauth: &OAuth, state: &mut WorkerState, username: &str) -> anyhow::Result<()> {
    if state.csrf.is_none() {
        state.csrf = Some(login_page(c, oauth).await?);
    }
    let csrf = state.csrf.clone().unwrap_or_default();
    let cookie = format!("XSRF-TOKEN={csrf}");
    let form = format!("_csrf={csrf}&username={username}&password={}", urlencode(PASSWORD));
    let headers = [("content-type", "application/x-www-form-urlencoded"), ("cookie", cookie.as_str())];
    let reply = c.request("POST", &format!("{}/login?{}", oauth.base, oauth.query), &headers, form.into_bytes()).await?;
    let location = reply.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let code = location.split_once("code=").map(|(_, rest)| rest.split('&').next().unwrap_or_default()).unwrap_or_default();
    if reply.status != 302 || code.is_empty() {
        bail!("POST /login: HTTP {} to {location:?}", reply.status);
    }
    let form = format!("grant_type=authorization_code&client_id={}&code={code}&redirect_uri={}", oauth.code_client_id, urlencode(CALLBACK));
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let reply = c.request("POST", &format!("{}/oauth2/token", oauth.base), &headers, form.into_bytes()).await?;
    if reply.status != 200 {
        bail!("code exchange: HTTP {} {}", reply.status, String::from_utf8_lossy(&reply.body));
    }
    Ok(())
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn password_auth(client_id: &str, username: &str) -> Value {
    json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}})
}

pub fn str_at(v: &Value, pointer: &str) -> anyhow::Result<String> {
    v.pointer(pointer).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| anyhow!("no {pointer} in {v}"))
}

/// A cheap, well-spread index from (worker, seq), so workers do not walk users in step.
pub fn spread(worker: usize, seq: u64, n: usize) -> usize {
    let mut x = seq.wrapping_add((worker as u64) << 32).wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((x ^ (x >> 31)) % n.max(1) as u64) as usize
}

/// Per-worker state that outlives one operation.
#[derive(Default)]
pub struct WorkerState {
    pub srp: Option<SrpClient>,
    /// The next page's token, for the paging workloads (None: start over).
    pub page: Option<String>,
    /// Distinguishes the runs of one process, for AdminCreateUser's fresh usernames.
    pub run: u64,
    /// The login pages' CSRF token this worker's "browser" holds.
    pub csrf: Option<String>,
}

/// One operation of `w`; Err(message) when the server refused it.
pub async fn op(w: Workload, f: &Fixture, c: &mut Conn, state: &mut WorkerState, worker: usize, seq: u64) -> anyhow::Result<()> {
    let user = &f.users[spread(worker, seq, f.users.len())];
    let (service, operation, body, signed) = match w {
        Workload::PasswordSignIn => (Service::Idp, "InitiateAuth", password_auth(&f.client_id, &user.username), false),
        Workload::Refresh => (
            Service::Idp,
            "InitiateAuth",
            json!({"ClientId": f.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": user.refresh_token}}),
            false,
        ),
        Workload::RefreshEs256 => {
            let (client_id, users) = f.es256.as_ref().map_err(|e| anyhow!("{e}"))?;
            let user = &users[spread(worker, seq, users.len())];
            (
                Service::Idp,
                "InitiateAuth",
                json!({"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": user.refresh_token}}),
                false,
            )
        }
        Workload::GetUser => (Service::Idp, "GetUser", json!({"AccessToken": user.access_token}), false),
        Workload::AdminCreateUser => (
            Service::Idp,
            "AdminCreateUser",
            json!({"UserPoolId": f.pool_id, "Username": format!("new-{}-{}-{worker}-{seq}", f.tag, state.run), "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": format!("new-{}-{worker}-{seq}@example.com", state.run)}]}),
            true,
        ),
        Workload::ListUsers => (
            Service::Idp,
            "ListUsers",
            json!({"UserPoolId": f.pool_id, "Limit": 60, "Filter": format!("email ^= \"user{}\"", 1 + seq % 9)}),
            true,
        ),
        Workload::Credentials => {
            let pool = f.identity_pool.as_ref().map_err(|e| anyhow!("{e}"))?;
            let logins = json!({ &f.provider: user.id_token });
            let got = call(c, Service::Identity, "GetId", &json!({"IdentityPoolId": pool, "Logins": logins})).await?;
            let identity = str_at(&got, "/IdentityId")?;
            (Service::Identity, "GetCredentialsForIdentity", json!({"IdentityId": identity, "Logins": logins}), false)
        }
        Workload::SrpSignIn => return srp_sign_in(f, c, state, &user.username).await,
        Workload::ListUsersSelective => {
            (Service::Idp, "ListUsers", json!({"UserPoolId": f.pool_id, "Limit": 60, "Filter": "email ^= \"user12345\""}), true)
        }
        Workload::ListUsersEquals => {
            let i = spread(worker, seq, f.searchable);
            (Service::Idp, "ListUsers", json!({"UserPoolId": f.pool_id, "Filter": format!("email = \"user{i}@example.com\"")}), true)
        }
        Workload::ListUsersPaging | Workload::ListUsersUnfiltered => {
            let mut body = json!({"UserPoolId": f.pool_id, "Limit": 60});
            if w == Workload::ListUsersPaging {
                body["Filter"] = json!("email ^= \"user1\"");
            }
            if let Some(token) = state.page.take() {
                body["PaginationToken"] = json!(token);
            }
            let page = c.json(Service::Idp, "ListUsers", &body, true).await?;
            state.page = page.get("PaginationToken").and_then(Value::as_str).map(str::to_owned);
            return Ok(());
        }
        Workload::AdminGetUser => {
            let i = spread(worker, seq, f.searchable);
            (Service::Idp, "AdminGetUser", json!({"UserPoolId": f.pool_id, "Username": format!("user{i}")}), true)
        }
        Workload::DescribeUserPool => (Service::Idp, "DescribeUserPool", json!({"UserPoolId": f.pool_id}), true),
        Workload::ClientCredentials | Workload::ClientCredentialsEs256 => {
            let oauth = if w == Workload::ClientCredentials { &f.oauth } else { &f.oauth_es256 };
            return client_credentials(c, oauth.as_ref().map_err(|e| anyhow!("{e}"))?).await.map(drop);
        }
        Workload::LoginPage => return login_page(c, f.oauth.as_ref().map_err(|e| anyhow!("{e}"))?).await.map(drop),
        Workload::LoginAndExchange => {
            return login_and_exchange(c, f.oauth.as_ref().map_err(|e| anyhow!("{e}"))?, state, &user.username).await;
        }
    };
    let reply = c.call(service, operation, serde_json::to_vec(&body)?, signed).await?;
    match reply.error() {
        Some(e) => Err(anyhow!("{operation}: {e}")),
        None => Ok(()),
    }
}

async fn call(c: &mut Conn, service: Service, operation: &str, body: &Value) -> anyhow::Result<Value> {
    c.json(service, operation, body, false).await
}

async fn srp_sign_in(f: &Fixture, c: &mut Conn, state: &mut WorkerState, username: &str) -> anyhow::Result<()> {
    if state.srp.is_none() {
        state.srp = Some(SrpClient::new(&f.pool_id)?);
    }
    let srp = state.srp.as_ref().context("SRP client")?;
    let challenge = call(
        c,
        Service::Idp,
        "InitiateAuth",
        &json!({"ClientId": f.client_id, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": username, "SRP_A": srp.srp_a_hex()}}),
    )
    .await?;
    let p = |name: &str| str_at(&challenge, &format!("/ChallengeParameters/{name}"));
    let (user_id, block_b64) = (p("USER_ID_FOR_SRP")?, p("SECRET_BLOCK")?);
    let block = base64::engine::general_purpose::STANDARD.decode(&block_b64)?;
    #[allow(clippy::disallowed_methods)] // TIMESTAMP is the client's wall-clock time
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH)?.as_secs() as i64;
    let timestamp = format_timestamp(now);
    let claim = srp.password_claim(&user_id, PASSWORD, &p("SALT")?, &p("SRP_B")?, &block, &timestamp)?;
    let mut responses = BTreeMap::from([
        ("USERNAME", user_id.as_str()),
        ("PASSWORD_CLAIM_SECRET_BLOCK", block_b64.as_str()),
        ("PASSWORD_CLAIM_SIGNATURE", claim.as_str()),
        ("TIMESTAMP", timestamp.as_str()),
    ]);
    let session = challenge.get("Session").and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut body = json!({"ClientId": f.client_id, "ChallengeName": "PASSWORD_VERIFIER"});
    if !session.is_empty() {
        body["Session"] = json!(session);
    }
    responses.retain(|_, v| !v.is_empty());
    body["ChallengeResponses"] = json!(responses);
    let done = call(c, Service::Idp, "RespondToAuthChallenge", &body).await?;
    str_at(&done, "/AuthenticationResult/AccessToken").map(drop)
}
