//! The fixture the API tests share: an [`Api`] over a fresh SQLite file with a clock the tests
//! move, and helpers that call it as the doors do (operations by name, JSON bodies).

// Each test file uses part of this.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pooldesk_api::{Api, CallError};
use pooldesk_core::clock::{Clock, FakeClock};
use pooldesk_core::identity_pools::IdentityPools;
use pooldesk_core::random::Random;
use pooldesk_core::store::Store;
use pooldesk_core::testkit::SeededRandom;
use pooldesk_core::{Config, UserPools, srp};
use pooldesk_store_sqlite::{Durability, KeyFile, SqliteStore};
use serde_json::{Value, json};
use tempfile::TempDir;

/// 2027-01-15T08:00:00Z: far from the real clock, so nothing passes because the two agree.
pub const T0_MS: i64 = 1_800_000_000_000;
/// Meets the default policy (8+ characters, upper, lower, digit, symbol).
pub const PASSWORD: &str = "Correct-Horse-9";
pub const WRONG_PASSWORD: &str = "Wrong-Horse-9";
/// What most tests' app client allows: password sign-in for users and admins, SRP, refresh.
pub const FLOWS: [&str; 4] =
    ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];

/// An [`Api`] over a fresh SQLite file, with time under the test's control.
pub struct Desk {
    pub api: Api,
    pub clock: Arc<FakeClock>,
    pub _dir: TempDir,
}

/// A pool and an app client of it.
pub struct App {
    pub pool_id: String,
    pub client_id: String,
}

impl Desk {
    pub fn new() -> Desk {
        Desk::drawing_from(None)
    }

    /// A desk whose randomness (ids, codes, tokens, salts) is [`SeededRandom`]'s: the same seed
    /// and the same calls draw the same values.
    pub fn seeded(seed: u64) -> Desk {
        Desk::drawing_from(Some(Arc::new(SeededRandom::new(seed))))
    }

    /// A desk over a fresh file, drawing from `random` (the system's CSPRNG when None).
    pub fn drawing_from(random: Option<Arc<dyn Random>>) -> Desk {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("pooldesk.sqlite");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path, Durability::Normal, &KeyFile::beside(&path)).expect("store"));
        let clock = Arc::new(FakeClock::new(T0_MS));
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let mut pools = UserPools::new(store.clone(), dyn_clock.clone(), Config::default(), None).expect("user pools");
        if let Some(random) = random {
            pools = pools.with_random(random).expect("a seeded source");
        }
        let pools = Arc::new(pools);
        let identity = Arc::new(IdentityPools::new(store.clone(), dyn_clock.clone(), pools.clone()).expect("identity pools"));
        let sync = Arc::new(pooldesk_core::sync::Sync::new(store.clone(), dyn_clock.clone(), &pools).expect("sync"));
        Desk { api: Api { pools, identity, sync, store, clock: dyn_clock }, clock, _dir: dir }
    }

    /// Any operation by name: a Cognito one (`InitiateAuth`) or a full target
    /// (`PoolDesk.ListMessages`).
    pub fn call(&self, op: &str, body: Value) -> Result<Value, CallError> {
        let target = if op.contains('.') { op.to_owned() } else { format!("AWSCognitoIdentityProviderService.{op}") };
        let out = self.api.call("test", &target, body.to_string().as_bytes())?;
        Ok(if out.is_empty() { json!({}) } else { serde_json::from_slice(&out).expect("a JSON answer") })
    }

    #[track_caller]
    pub fn ok(&self, op: &str, body: Value) -> Value {
        self.call(op, body).unwrap_or_else(|e| panic!("{op} failed: {e:?}"))
    }

    pub fn advance(&self, secs: i64) {
        self.clock.advance_secs(secs);
    }

    pub fn now_secs(&self) -> i64 {
        self.clock.now_secs()
    }

    /// A pool with `settings` (CreateUserPool members besides PoolName).
    pub fn pool(&self, settings: Value) -> String {
        let pool = self.ok("CreateUserPool", merged(json!({ "PoolName": "sign-in" }), settings));
        pool["UserPool"]["Id"].as_str().expect("pool id").to_owned()
    }

    /// An app client of `pool_id` allowing [`FLOWS`] unless `settings` say otherwise.
    pub fn client(&self, pool_id: &str, settings: Value) -> String {
        let defaults = json!({ "UserPoolId": pool_id, "ClientName": "web", "ExplicitAuthFlows": FLOWS });
        let client = self.ok("CreateUserPoolClient", merged(defaults, settings));
        client["UserPoolClient"]["ClientId"].as_str().expect("client id").to_owned()
    }

    /// A plain pool and a client allowing [`FLOWS`].
    pub fn app(&self) -> App {
        let pool_id = self.pool(json!({}));
        let client_id = self.client(&pool_id, json!({}));
        App { pool_id, client_id }
    }

    /// A confirmed user with [`PASSWORD`] and `attributes`, created by an admin.
    pub fn user(&self, pool_id: &str, username: &str, attributes: &[(&str, &str)]) {
        let attributes: Vec<Value> = attributes.iter().map(|(name, value)| json!({ "Name": name, "Value": value })).collect();
        self.ok(
            "AdminCreateUser",
            json!({ "UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS", "UserAttributes": attributes }),
        );
        self.ok("AdminSetUserPassword", json!({ "UserPoolId": pool_id, "Username": username, "Password": PASSWORD, "Permanent": true }));
    }

    /// InitiateAuth with USER_PASSWORD_AUTH.
    pub fn sign_in(&self, client_id: &str, username: &str, password: &str) -> Result<Value, CallError> {
        self.call(
            "InitiateAuth",
            json!({
                "ClientId": client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": username, "PASSWORD": password },
            }),
        )
    }

    /// RespondToAuthChallenge to `challenge` (an InitiateAuth or earlier answer) with its Session.
    pub fn respond(&self, client_id: &str, challenge: &Value, name: &str, responses: Value) -> Result<Value, CallError> {
        self.call(
            "RespondToAuthChallenge",
            json!({ "ClientId": client_id, "ChallengeName": name, "Session": challenge["Session"], "ChallengeResponses": responses }),
        )
    }

    /// The code of the newest message in the outbox for `username`.
    pub fn last_code(&self, pool_id: &str, username: &str) -> String {
        let outbox = self.ok("PoolDesk.ListMessages", json!({ "UserPoolId": pool_id, "Username": username }));
        outbox["Messages"][0]["Code"].as_str().unwrap_or_else(|| panic!("no code in the outbox: {outbox}")).to_owned()
    }

    /// USER_SRP_AUTH's first half: the PASSWORD_VERIFIER challenge (or its error), and the
    /// client that can answer it.
    pub fn srp_start(&self, app: &App, username: &str) -> (srp::SrpClient, Result<Value, CallError>) {
        let client = srp::SrpClient::new(&app.pool_id).expect("SRP client");
        let challenge = self.call(
            "InitiateAuth",
            json!({
                "ClientId": app.client_id,
                "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": { "USERNAME": username, "SRP_A": client.srp_a_hex() },
            }),
        );
        (client, challenge)
    }

    /// The PASSWORD_VERIFIER answer `client` computes from `password`, timestamped `at_secs`.
    pub fn srp_answer(&self, client: &srp::SrpClient, challenge: &Value, password: &str, at_secs: i64) -> Value {
        let p = &challenge["ChallengeParameters"];
        let text = |name: &str| p[name].as_str().unwrap_or_else(|| panic!("no {name} in {challenge}")).to_owned();
        let block = STANDARD.decode(text("SECRET_BLOCK")).expect("SECRET_BLOCK is base64");
        let timestamp = srp::format_timestamp(at_secs);
        let signature =
            client.password_claim(&text("USER_ID_FOR_SRP"), password, &text("SALT"), &text("SRP_B"), &block, &timestamp).expect("claim");
        json!({
            "USERNAME": text("USER_ID_FOR_SRP"),
            "PASSWORD_CLAIM_SECRET_BLOCK": text("SECRET_BLOCK"),
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "TIMESTAMP": timestamp,
        })
    }
}

/// `base` with the members of `extra` added (or replaced).
pub fn merged(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// The error of a call that must fail with Cognito's error `code`; returns its message.
#[track_caller]
pub fn fails_with(result: Result<Value, CallError>, code: &str) -> String {
    match result {
        Ok(answer) => panic!("expected {code}, got success: {answer}"),
        Err(e) => {
            assert_eq!(e.code, code, "{}", e.message);
            e.message
        }
    }
}
