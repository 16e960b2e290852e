//! One server state for a fuzz run, on a real SQLite store in a temporary directory, holding
//! worlds of things to address: a user pool, an app client, a confirmed user (alice,
//! `Passw0rd!`) signed in, and an identity pool with her identity. Inputs name them with
//! placeholders (`@pool`, `@client`, `@idpool`, `@identity`, `@idtoken`, `@accesstoken`,
//! `@refreshtoken`) so the fuzzer gets past the lookups and the token checks into each
//! operation's own logic.
//!
//! Reads address a world that never changes. Everything else (deletes, sign-outs, password
//! changes, failed sign-ins that lock alice out) addresses a scratch world, rebuilt every
//! `SCRATCH_LIFETIME` while such calls arrive, so one `DeleteUserPool` does not leave the rest
//! of the run at "not found". The state carries over between inputs, so a crash may need the
//! inputs before it to reproduce.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pooldesk_api::{Api, Outbound};
use pooldesk_server::limits::{RateLimitConfig, RateLimiter};
use pooldesk_server::{AppState, RootKey};
use pooldesk_store_sqlite::{Durability, KeyFile, SqliteStore};

const SCRATCH_LIFETIME: Duration = Duration::from_secs(2);

pub struct Fixture {
    pub state: Arc<AppState>,
    /// Runs the state's outbound calls; the http target also drives the router on it.
    #[allow(dead_code)]
    pub runtime: tokio::runtime::Runtime,
    kept: World,
    scratch: Mutex<Scratch>,
    _dir: tempfile::TempDir,
}

struct Scratch {
    world: World,
    built: Instant,
    changed: bool,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("fuzz.sqlite");
        let store = Arc::new(SqliteStore::open(&path, Durability::Normal, &KeyFile::beside(&path)).expect("store"));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let clock = Arc::new(pooldesk_core::clock::SystemClock);
        let root_key = RootKey { id: "AKIAFUZZFUZZFUZZFUZZ".into(), secret: "fuzz-secret".into() };
        let api = Api::new(store, clock, pooldesk_core::Config::default(), Outbound::default(), runtime.handle().clone()).expect("api");
        let mut state = AppState::new(api, Some(root_key));
        // The limiter is tested on its own; here it would only hide the operations behind it.
        state.limiter = RateLimiter::new(RateLimitConfig::parse("off").expect("off"));
        let kept = World::build(&state);
        let scratch = Mutex::new(Scratch { world: World::build(&state), built: Instant::now(), changed: false });
        Fixture { state: Arc::new(state), runtime, kept, scratch, _dir: dir }
    }

    /// The input for `target` (`Service.Operation`, or empty for STS) with its placeholders
    /// replaced by the ids of the world it may address.
    pub fn expand(&self, target: &str, input: &[u8]) -> Vec<u8> {
        if target.is_empty() || !pooldesk_core::audit::is_audited(target) {
            return self.kept.expand(input);
        }
        let mut scratch = self.scratch.lock().unwrap_or_else(|e| e.into_inner());
        if scratch.changed && scratch.built.elapsed() >= SCRATCH_LIFETIME {
            *scratch = Scratch { world: World::build(&self.state), built: Instant::now(), changed: false };
        }
        scratch.changed = true;
        scratch.world.expand(input)
    }
}

/// A pool with a client and a signed-in user, and an identity pool she has an identity in.
struct World {
    placeholders: Vec<(&'static str, String)>,
}

impl World {
    fn build(state: &AppState) -> World {
        let call = |target: &str, body: String| -> serde_json::Value {
            let out = state.api.call("fuzz", target, body.as_bytes()).unwrap_or_else(|e| panic!("{target}: {}", e.message));
            serde_json::from_slice(&out).expect("json")
        };
        let pool = call("AWSCognitoIdentityProviderService.CreateUserPool", r#"{"PoolName":"fuzz"}"#.into());
        let pool = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
        let client = call(
            "AWSCognitoIdentityProviderService.CreateUserPoolClient",
            format!(
                r#"{{"UserPoolId":"{pool}","ClientName":"fuzz","ExplicitAuthFlows":["ALLOW_USER_PASSWORD_AUTH","ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}}"#
            ),
        );
        let client = client["UserPoolClient"]["ClientId"].as_str().expect("client id").to_owned();
        call(
            "AWSCognitoIdentityProviderService.AdminCreateUser",
            format!(r#"{{"UserPoolId":"{pool}","Username":"alice","MessageAction":"SUPPRESS"}}"#),
        );
        call(
            "AWSCognitoIdentityProviderService.AdminSetUserPassword",
            format!(r#"{{"UserPoolId":"{pool}","Username":"alice","Password":"Passw0rd!","Permanent":true}}"#),
        );
        let idpool = call(
            "AWSCognitoIdentityService.CreateIdentityPool",
            format!(
                r#"{{"IdentityPoolName":"fuzz","AllowUnauthenticatedIdentities":true,"CognitoIdentityProviders":[{{"ProviderName":"cognito-idp.us-east-1.amazonaws.com/{pool}","ClientId":"{client}"}}]}}"#
            ),
        );
        let idpool = idpool["IdentityPoolId"].as_str().expect("identity pool id").to_owned();
        let auth = call(
            "AWSCognitoIdentityProviderService.InitiateAuth",
            format!(
                r#"{{"ClientId":"{client}","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{{"USERNAME":"alice","PASSWORD":"Passw0rd!"}}}}"#
            ),
        );
        let token = |name: &str| auth["AuthenticationResult"][name].as_str().expect("token").to_owned();
        let (id_token, access_token, refresh_token) = (token("IdToken"), token("AccessToken"), token("RefreshToken"));
        let identity = call(
            "AWSCognitoIdentityService.GetId",
            format!(r#"{{"IdentityPoolId":"{idpool}","Logins":{{"cognito-idp.us-east-1.amazonaws.com/{pool}":"{id_token}"}}}}"#),
        );
        let identity = identity["IdentityId"].as_str().expect("identity id").to_owned();
        let placeholders = vec![
            ("@refreshtoken", refresh_token),
            ("@accesstoken", access_token),
            ("@identity", identity),
            ("@idtoken", id_token),
            ("@client", client),
            ("@idpool", idpool),
            ("@pool", pool),
        ];
        World { placeholders }
    }

    fn expand(&self, input: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        for (name, value) in &self.placeholders {
            out = replace(&out, name.as_bytes(), value.as_bytes());
        }
        out
    }
}

fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}
