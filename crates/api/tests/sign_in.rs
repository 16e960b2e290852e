//! Sign-in, step by step, through the API layer every door calls: operations by name with JSON
//! bodies (`Api::call`), over a temporary SQLite file, with a clock the tests move. One test per
//! step and per way it fails, asserting the Cognito error names clients branch on, so that
//! `cargo test -p pooldesk-api` tells whoever edits `user_pools/sign_in` what they broke.
//!
//! The e2e suites (`tests/e2e/test_auth.py`, `test_mfa.py`, `test_srp.py`, `test_user_auth.py`)
//! check the same behaviour with the clients people use; these are the quick, local version.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::*;
use pooldesk_api::CallError;
use pooldesk_core::{srp, totp};
use serde_json::{Value, json};

/// The AuthenticationResult of an answer that must carry tokens.
#[track_caller]
fn tokens(answer: Result<Value, CallError>) -> Value {
    let answer = answer.unwrap_or_else(|e| panic!("expected tokens, got {e:?}"));
    assert!(answer.get("ChallengeName").is_none(), "expected tokens, got a challenge: {answer}");
    answer["AuthenticationResult"].clone()
}

/// A challenge answer that must name `name`.
#[track_caller]
fn challenge(answer: Result<Value, CallError>, name: &str) -> Value {
    let answer = answer.unwrap_or_else(|e| panic!("expected {name}, got {e:?}"));
    assert_eq!(answer["ChallengeName"], json!(name), "{answer}");
    assert!(answer["Session"].as_str().is_some_and(|s| !s.is_empty()), "a challenge has a Session: {answer}");
    assert!(answer.get("AuthenticationResult").is_none(), "{answer}");
    answer
}

/// A JWT's claims, read without verification.
fn claims(jwt: &Value) -> Value {
    let payload = jwt.as_str().expect("a token").split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON claims")
}

/// Base64(HMAC-SHA256(client secret, username + client id)).
fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
    STANDARD.encode(aws_lc_rs::hmac::sign(&key, format!("{username}{client_id}").as_bytes()))
}

/// A six-digit code that is no TOTP of the steps around `now_secs` (the window accepted).
fn wrong_totp(secret: &str, now_secs: i64) -> String {
    let near: Vec<String> = (-2..=2).map(|k| totp::code_at_time(secret, now_secs + k * 30).expect("base32 secret")).collect();
    (0..).map(|n: u32| format!("{n:06}")).find(|c| !near.contains(c)).expect("a code")
}

/// A six-digit code other than `code`.
fn other_code(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().expect("digits") + 1) % 1_000_000)
}

// ---- USER_PASSWORD_AUTH ------------------------------------------------------------------------

#[test]
fn the_right_password_returns_bearer_tokens_naming_the_user() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "alice", &[("email", "alice@example.com"), ("email_verified", "true")]);

    let result = tokens(desk.sign_in(&app.client_id, "alice", PASSWORD));
    assert_eq!(result["TokenType"], json!("Bearer"));
    assert_eq!(result["ExpiresIn"], json!(3600));
    assert!(result["RefreshToken"].as_str().is_some_and(|t| !t.is_empty()), "{result}");

    let (id, access) = (claims(&result["IdToken"]), claims(&result["AccessToken"]));
    let now = desk.now_secs();
    assert_eq!(id["token_use"], json!("id"));
    assert_eq!(id["cognito:username"], json!("alice"));
    assert_eq!(id["aud"], json!(app.client_id));
    assert_eq!(id["email"], json!("alice@example.com"));
    assert_eq!(id["email_verified"], json!(true), "the _verified attributes are booleans in tokens");
    assert!(id["iss"].as_str().expect("iss").ends_with(&format!("/{}", app.pool_id)), "{id}");
    assert_eq!((id["iat"].clone(), id["exp"].clone(), id["auth_time"].clone()), (json!(now), json!(now + 3600), json!(now)));
    assert_eq!(access["token_use"], json!("access"));
    assert_eq!(access["username"], json!("alice"));
    assert_eq!(access["client_id"], json!(app.client_id));
    assert_eq!(access["sub"], id["sub"]);
    assert_eq!(access["origin_jti"], id["origin_jti"], "both tokens come from one session");
    assert_ne!(access["jti"], id["jti"]);

    let me = desk.ok("GetUser", json!({ "AccessToken": result["AccessToken"] }));
    assert_eq!(me["Username"], json!("alice"));
}

#[test]
fn a_wrong_password_is_not_authorized() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "alice", &[]);
    let message = fails_with(desk.sign_in(&app.client_id, "alice", WRONG_PASSWORD), "NotAuthorizedException");
    assert_eq!(message, "Incorrect username or password.");
}

#[test]
fn an_unknown_user_is_user_not_found_unless_the_client_prevents_existence_errors() {
    let desk = Desk::new();
    let app = desk.app();
    fails_with(desk.sign_in(&app.client_id, "nobody", PASSWORD), "UserNotFoundException");

    let hiding = desk.client(&app.pool_id, json!({ "PreventUserExistenceErrors": "ENABLED" }));
    let message = fails_with(desk.sign_in(&hiding, "nobody", PASSWORD), "NotAuthorizedException");
    assert_eq!(message, "Incorrect username or password.", "the same answer as a wrong password");
}

#[test]
fn a_signed_up_user_signs_in_only_once_confirmed_with_a_fresh_code() {
    let desk = Desk::new();
    let pool_id = desk.pool(json!({ "AutoVerifiedAttributes": ["email"] }));
    let client_id = desk.client(&pool_id, json!({}));
    let sign_up = json!({
        "ClientId": client_id, "Username": "hank", "Password": PASSWORD,
        "UserAttributes": [{ "Name": "email", "Value": "hank@example.com" }],
    });
    desk.ok("SignUp", sign_up);
    fails_with(desk.sign_in(&client_id, "hank", PASSWORD), "UserNotConfirmedException");

    let code = desk.last_code(&pool_id, "hank");
    let confirm = |code: &str| desk.call("ConfirmSignUp", json!({ "ClientId": client_id, "Username": "hank", "ConfirmationCode": code }));
    fails_with(confirm(&other_code(&code)), "CodeMismatchException");
    desk.advance(24 * 3600 + 1);
    fails_with(confirm(&code), "ExpiredCodeException");

    desk.ok("ResendConfirmationCode", json!({ "ClientId": client_id, "Username": "hank" }));
    confirm(&desk.last_code(&pool_id, "hank")).expect("the new code confirms");
    tokens(desk.sign_in(&client_id, "hank", PASSWORD));
}

#[test]
fn a_user_whose_password_an_admin_reset_must_reset_it() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "alice", &[("email", "alice@example.com"), ("email_verified", "true")]);
    desk.ok("AdminResetUserPassword", json!({ "UserPoolId": app.pool_id, "Username": "alice" }));
    fails_with(desk.sign_in(&app.client_id, "alice", PASSWORD), "PasswordResetRequiredException");
}

#[test]
fn a_disabled_user_cannot_sign_in_or_refresh() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "alice", &[]);
    let refresh = tokens(desk.sign_in(&app.client_id, "alice", PASSWORD))["RefreshToken"].clone();
    desk.ok("AdminDisableUser", json!({ "UserPoolId": app.pool_id, "Username": "alice" }));

    let message = fails_with(desk.sign_in(&app.client_id, "alice", PASSWORD), "NotAuthorizedException");
    assert_eq!(message, "User is disabled.");
    let refreshed = desk.call(
        "InitiateAuth",
        json!({ "ClientId": app.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": { "REFRESH_TOKEN": refresh } }),
    );
    assert_eq!(fails_with(refreshed, "NotAuthorizedException"), "User is disabled.");
}

#[test]
fn repeated_wrong_passwords_lock_the_user_for_a_while() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "frank", &[]);
    for attempt in 1..=5 {
        let message = fails_with(desk.sign_in(&app.client_id, "frank", WRONG_PASSWORD), "NotAuthorizedException");
        assert_eq!(message, "Incorrect username or password.", "attempt {attempt}");
    }
    // Locked: even the right password is refused, and so is starting SRP.
    let message = fails_with(desk.sign_in(&app.client_id, "frank", PASSWORD), "NotAuthorizedException");
    assert_eq!(message, "Password attempts exceeded");
    let (_, srp) = desk.srp_start(&app, "frank");
    assert_eq!(fails_with(srp, "NotAuthorizedException"), "Password attempts exceeded");

    // The fifth failure locks for a second; after it the right password works and the count
    // starts over.
    desk.advance(2);
    tokens(desk.sign_in(&app.client_id, "frank", PASSWORD));
    let message = fails_with(desk.sign_in(&app.client_id, "frank", WRONG_PASSWORD), "NotAuthorizedException");
    assert_eq!(message, "Incorrect username or password.");

    // Each attempt is an event an admin can read, newest first.
    let events = desk.ok("AdminListUserAuthEvents", json!({ "UserPoolId": app.pool_id, "Username": "frank" }));
    let responses: Vec<&Value> = events["AuthEvents"].as_array().expect("events").iter().map(|e| &e["EventResponse"]).collect();
    assert_eq!(responses.len(), 7, "five failures, a success, a failure: {events}");
    assert_eq!((responses[0], responses[1], responses[2]), (&json!("Fail"), &json!("Pass"), &json!("Fail")));
}

// ---- ADMIN_USER_PASSWORD_AUTH and what a client allows -----------------------------------------

#[test]
fn admins_sign_users_in_with_the_admin_password_flows_only() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "alice", &[]);
    let admin = |flow: &str, client_id: &str| {
        desk.call(
            "AdminInitiateAuth",
            json!({
                "UserPoolId": app.pool_id, "ClientId": client_id, "AuthFlow": flow,
                "AuthParameters": { "USERNAME": "alice", "PASSWORD": PASSWORD },
            }),
        )
    };
    for flow in ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"] {
        let result = tokens(admin(flow, &app.client_id));
        assert_eq!(claims(&result["AccessToken"])["username"], json!("alice"), "{flow}");
    }
    fails_with(admin("USER_PASSWORD_AUTH", &app.client_id), "InvalidParameterException");
    let user_side = desk.call(
        "InitiateAuth",
        json!({
            "ClientId": app.client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": "alice", "PASSWORD": PASSWORD },
        }),
    );
    fails_with(user_side, "InvalidParameterException");

    let other_pool = desk.app();
    fails_with(admin("ADMIN_USER_PASSWORD_AUTH", &other_pool.client_id), "ResourceNotFoundException");
}

#[test]
fn flows_the_client_does_not_allow_are_invalid_parameters() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "alice", &[]);
    let srp_only = desk.client(&app.pool_id, json!({ "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"] }));
    let message = fails_with(desk.sign_in(&srp_only, "alice", PASSWORD), "InvalidParameterException");
    assert_eq!(message, "USER_PASSWORD_AUTH flow not enabled for this client");
    let admin = desk.call(
        "AdminInitiateAuth",
        json!({
            "UserPoolId": app.pool_id, "ClientId": srp_only, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": "alice", "PASSWORD": PASSWORD },
        }),
    );
    fails_with(admin, "InvalidParameterException");
    let refresh = desk.call(
        "InitiateAuth",
        json!({ "ClientId": srp_only, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": { "REFRESH_TOKEN": "x" } }),
    );
    fails_with(refresh, "InvalidParameterException");
    let user_auth =
        desk.call("InitiateAuth", json!({ "ClientId": srp_only, "AuthFlow": "USER_AUTH", "AuthParameters": { "USERNAME": "alice" } }));
    fails_with(user_auth, "InvalidParameterException");

    let password_only = App {
        pool_id: app.pool_id.clone(),
        client_id: desk.client(&app.pool_id, json!({ "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"] })),
    };
    let (_, srp) = desk.srp_start(&password_only, "alice");
    fails_with(srp, "InvalidParameterException");
}

#[test]
fn a_client_with_a_secret_needs_the_secret_hash() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "alice", &[]);
    let client = desk.ok(
        "CreateUserPoolClient",
        json!({ "UserPoolId": app.pool_id, "ClientName": "server", "GenerateSecret": true, "ExplicitAuthFlows": FLOWS }),
    );
    let client_id = client["UserPoolClient"]["ClientId"].as_str().expect("client id");
    let secret = client["UserPoolClient"]["ClientSecret"].as_str().expect("client secret");
    let sign_in = |hash: Option<String>| {
        let mut params = json!({ "USERNAME": "alice", "PASSWORD": PASSWORD });
        if let Some(hash) = hash {
            params["SECRET_HASH"] = json!(hash);
        }
        desk.call("InitiateAuth", json!({ "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params }))
    };

    let message = fails_with(sign_in(None), "NotAuthorizedException");
    assert_eq!(message, format!("Client {client_id} is configured for secret but secret was not received"));
    let message = fails_with(sign_in(Some(secret_hash("not-the-secret", "alice", client_id))), "NotAuthorizedException");
    assert_eq!(message, format!("Unable to verify secret hash for client {client_id}"));
    let result = tokens(sign_in(Some(secret_hash(secret, "alice", client_id))));

    // Refreshing on such a client takes the client secret too.
    let refresh = |client_secret: &str| {
        desk.call(
            "GetTokensFromRefreshToken",
            json!({ "ClientId": client_id, "ClientSecret": client_secret, "RefreshToken": result["RefreshToken"] }),
        )
    };
    fails_with(refresh("not-the-secret-of-this-app-client"), "NotAuthorizedException");
    refresh(secret).expect("the right client secret refreshes");
}

// ---- NEW_PASSWORD_REQUIRED ---------------------------------------------------------------------

#[test]
fn a_temporary_password_must_be_replaced_before_tokens() {
    let desk = Desk::new();
    let app = desk.app();
    let invite = json!({
        "UserPoolId": app.pool_id, "Username": "ivy", "TemporaryPassword": "Temp0rary-Pass!", "MessageAction": "SUPPRESS",
        "UserAttributes": [{ "Name": "email", "Value": "ivy@example.com" }],
    });
    desk.ok("AdminCreateUser", invite);
    let start = || challenge(desk.sign_in(&app.client_id, "ivy", "Temp0rary-Pass!"), "NEW_PASSWORD_REQUIRED");

    let first = start();
    let params = &first["ChallengeParameters"];
    assert_eq!(params["USER_ID_FOR_SRP"], json!("ivy"));
    let shown: Value = serde_json::from_str(params["userAttributes"].as_str().expect("userAttributes")).expect("JSON");
    assert_eq!(shown["email"], json!("ivy@example.com"), "{shown}");

    // A password the policy refuses leaves the challenge open for another try, as Cognito does.
    let weak = desk.respond(&app.client_id, &first, "NEW_PASSWORD_REQUIRED", json!({ "USERNAME": "ivy", "NEW_PASSWORD": "weak" }));
    fails_with(weak, "InvalidPasswordException");
    let user = desk.ok("AdminGetUser", json!({ "UserPoolId": app.pool_id, "Username": "ivy" }));
    assert_eq!(user["UserStatus"], json!("FORCE_CHANGE_PASSWORD"), "nothing changed");
    let done = desk.respond(&app.client_id, &first, "NEW_PASSWORD_REQUIRED", json!({ "USERNAME": "ivy", "NEW_PASSWORD": PASSWORD }));
    assert_eq!(claims(&tokens(done)["IdToken"])["cognito:username"], json!("ivy"));
    let user = desk.ok("AdminGetUser", json!({ "UserPoolId": app.pool_id, "Username": "ivy" }));
    assert_eq!(user["UserStatus"], json!("CONFIRMED"));
    let used = desk.respond(&app.client_id, &first, "NEW_PASSWORD_REQUIRED", json!({ "USERNAME": "ivy", "NEW_PASSWORD": PASSWORD }));
    fails_with(used, "NotAuthorizedException");
    tokens(desk.sign_in(&app.client_id, "ivy", PASSWORD));
}

#[test]
fn a_temporary_password_expires_after_the_pools_validity() {
    let desk = Desk::new();
    let app = desk.app();
    desk.ok(
        "AdminCreateUser",
        json!({ "UserPoolId": app.pool_id, "Username": "ivy", "TemporaryPassword": "Temp0rary-Pass!", "MessageAction": "SUPPRESS" }),
    );
    desk.advance(7 * 86_400 + 1);
    let message = fails_with(desk.sign_in(&app.client_id, "ivy", "Temp0rary-Pass!"), "NotAuthorizedException");
    assert_eq!(message, "Temporary password has expired and must be reset by an administrator.");
}

// ---- challenge sessions --------------------------------------------------------------------------

#[test]
fn a_challenge_session_expires_and_answers_only_its_own_challenge() {
    let desk = Desk::new();
    let app = desk.app();
    desk.ok(
        "AdminCreateUser",
        json!({ "UserPoolId": app.pool_id, "Username": "ivy", "TemporaryPassword": "Temp0rary-Pass!", "MessageAction": "SUPPRESS" }),
    );
    let pending = challenge(desk.sign_in(&app.client_id, "ivy", "Temp0rary-Pass!"), "NEW_PASSWORD_REQUIRED");
    let answer = json!({ "USERNAME": "ivy", "NEW_PASSWORD": PASSWORD });

    fails_with(desk.respond(&app.client_id, &pending, "SOFTWARE_TOKEN_MFA", answer.clone()), "InvalidParameterException");
    let other_client = desk.client(&app.pool_id, json!({}));
    let message = fails_with(desk.respond(&other_client, &pending, "NEW_PASSWORD_REQUIRED", answer.clone()), "NotAuthorizedException");
    assert_eq!(message, "Invalid session for the user, session is expired.");
    let forged = json!({ "Session": "x".repeat(64) });
    fails_with(desk.respond(&app.client_id, &forged, "NEW_PASSWORD_REQUIRED", answer.clone()), "NotAuthorizedException");
    let no_session = desk.call(
        "RespondToAuthChallenge",
        json!({ "ClientId": app.client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "ChallengeResponses": answer }),
    );
    fails_with(no_session, "InvalidParameterException");

    // Sessions live three minutes (the client's AuthSessionValidity).
    desk.advance(3 * 60 + 1);
    let message = fails_with(desk.respond(&app.client_id, &pending, "NEW_PASSWORD_REQUIRED", answer), "NotAuthorizedException");
    assert_eq!(message, "Invalid session for the user, session is expired.");
}

// ---- USER_SRP_AUTH -----------------------------------------------------------------------------

#[test]
fn srp_proves_the_password_without_sending_it() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "sam", &[]);
    let (client, started) = desk.srp_start(&app, "sam");
    let verifier = challenge(started, "PASSWORD_VERIFIER");
    let params = &verifier["ChallengeParameters"];
    for name in ["SALT", "SRP_B", "SECRET_BLOCK"] {
        assert!(params[name].as_str().is_some_and(|v| !v.is_empty()), "{name} in {params}");
    }
    assert_eq!(params["USER_ID_FOR_SRP"], json!("sam"));

    let answer = desk.srp_answer(&client, &verifier, PASSWORD, desk.now_secs());
    let result = tokens(desk.respond(&app.client_id, &verifier, "PASSWORD_VERIFIER", answer.clone()));
    assert_eq!(claims(&result["IdToken"])["cognito:username"], json!("sam"));
    let replay = desk.respond(&app.client_id, &verifier, "PASSWORD_VERIFIER", answer);
    fails_with(replay, "NotAuthorizedException");
}

#[test]
fn srp_refuses_a_wrong_password_a_stale_timestamp_and_a_missing_srp_a() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "sam", &[]);
    let attempt = |password: &str, at_secs: i64| {
        let (client, started) = desk.srp_start(&app, "sam");
        let verifier = challenge(started, "PASSWORD_VERIFIER");
        let answer = desk.srp_answer(&client, &verifier, password, at_secs);
        desk.respond(&app.client_id, &verifier, "PASSWORD_VERIFIER", answer)
    };
    let message = fails_with(attempt(WRONG_PASSWORD, desk.now_secs()), "NotAuthorizedException");
    assert_eq!(message, "Incorrect username or password.");
    fails_with(attempt(PASSWORD, desk.now_secs() - 86_400), "NotAuthorizedException");
    tokens(attempt(PASSWORD, desk.now_secs()));

    let no_a = desk
        .call("InitiateAuth", json!({ "ClientId": app.client_id, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": { "USERNAME": "sam" } }));
    fails_with(no_a, "InvalidParameterException");
}

#[test]
fn srp_for_an_unknown_user_is_a_decoy_when_the_client_prevents_existence_errors() {
    let desk = Desk::new();
    let app = desk.app();
    let (_, started) = desk.srp_start(&app, "ghost");
    fails_with(started, "UserNotFoundException");

    let hiding =
        App { pool_id: app.pool_id.clone(), client_id: desk.client(&app.pool_id, json!({ "PreventUserExistenceErrors": "ENABLED" })) };
    let (client, started) = desk.srp_start(&hiding, "ghost");
    let decoy = challenge(started, "PASSWORD_VERIFIER");
    let (_, again) = desk.srp_start(&hiding, "ghost");
    assert_eq!(again.expect("a second decoy")["ChallengeParameters"]["SALT"], decoy["ChallengeParameters"]["SALT"], "a stable SALT");
    let answer = desk.srp_answer(&client, &decoy, PASSWORD, desk.now_secs());
    let message = fails_with(desk.respond(&hiding.client_id, &decoy, "PASSWORD_VERIFIER", answer), "NotAuthorizedException");
    assert_eq!(message, "Incorrect username or password.");
}

// ---- refresh, sign-out, revocation -------------------------------------------------------------

#[test]
fn a_refresh_token_issues_new_tokens_for_the_same_session() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "alice", &[]);
    let first = tokens(desk.sign_in(&app.client_id, "alice", PASSWORD));
    desk.advance(60);

    let refreshed = tokens(desk.call(
        "InitiateAuth",
        json!({ "ClientId": app.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": { "REFRESH_TOKEN": first["RefreshToken"] } }),
    ));
    assert!(refreshed.get("RefreshToken").is_none(), "REFRESH_TOKEN_AUTH returns no new refresh token: {refreshed}");
    let (before, after) = (claims(&first["IdToken"]), claims(&refreshed["IdToken"]));
    assert_eq!(after["origin_jti"], before["origin_jti"]);
    assert_eq!(after["auth_time"], before["auth_time"], "the sign-in time stays");
    assert_eq!(after["iat"], json!(desk.now_secs()));
    assert_ne!(after["jti"], before["jti"]);
    desk.ok("GetUser", json!({ "AccessToken": refreshed["AccessToken"] }));

    let got = desk.ok("GetTokensFromRefreshToken", json!({ "ClientId": app.client_id, "RefreshToken": first["RefreshToken"] }));
    assert_eq!(claims(&got["AuthenticationResult"]["AccessToken"])["username"], json!("alice"));
    assert!(got["AuthenticationResult"].get("RefreshToken").is_none(), "no rotation unless the client asks for it");
}

#[test]
fn a_forged_foreign_revoked_or_signed_out_refresh_token_is_not_authorized() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "alice", &[]);
    let refresh = |client_id: &str, token: &Value| {
        desk.call(
            "InitiateAuth",
            json!({ "ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": { "REFRESH_TOKEN": token } }),
        )
    };
    assert_eq!(fails_with(refresh(&app.client_id, &json!("not-a-refresh-token")), "NotAuthorizedException"), "Invalid Refresh Token");
    let first = tokens(desk.sign_in(&app.client_id, "alice", PASSWORD));
    let other_client = desk.client(&app.pool_id, json!({}));
    assert_eq!(fails_with(refresh(&other_client, &first["RefreshToken"]), "NotAuthorizedException"), "Invalid Refresh Token");

    desk.ok("RevokeToken", json!({ "ClientId": app.client_id, "Token": first["RefreshToken"] }));
    let message = fails_with(refresh(&app.client_id, &first["RefreshToken"]), "NotAuthorizedException");
    assert_eq!(message, "Refresh Token has been revoked");
    let message = fails_with(desk.call("GetUser", json!({ "AccessToken": first["AccessToken"] })), "NotAuthorizedException");
    assert_eq!(message, "Access Token has been revoked", "revoking a refresh token revokes its access tokens");

    let second = tokens(desk.sign_in(&app.client_id, "alice", PASSWORD));
    desk.ok("GlobalSignOut", json!({ "AccessToken": second["AccessToken"] }));
    assert_eq!(fails_with(refresh(&app.client_id, &second["RefreshToken"]), "NotAuthorizedException"), "Refresh Token has been revoked");
}

#[test]
fn a_rotating_client_replaces_the_refresh_token_and_refuses_the_old_one() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "alice", &[]);
    let rotating = desk.client(&app.pool_id, json!({ "RefreshTokenRotation": { "Feature": "ENABLED", "RetryGracePeriodSeconds": 0 } }));
    let first = tokens(desk.sign_in(&rotating, "alice", PASSWORD));
    let exchange = |token: &Value| desk.call("GetTokensFromRefreshToken", json!({ "ClientId": rotating, "RefreshToken": token }));

    let second = exchange(&first["RefreshToken"]).expect("the first exchange")["AuthenticationResult"].clone();
    let fresh = &second["RefreshToken"];
    assert!(fresh.as_str().is_some_and(|t| !t.is_empty()) && *fresh != first["RefreshToken"], "{second}");
    desk.advance(1);
    fails_with(exchange(&first["RefreshToken"]), "RefreshTokenReuseException");
    // Reuse means the token leaked: the whole session is revoked, the new token with it.
    fails_with(exchange(fresh), "NotAuthorizedException");
}

// ---- SOFTWARE_TOKEN_MFA ------------------------------------------------------------------------

/// A pool where MFA is OPTIONAL with authenticator apps allowed (and `more` MFA settings), a
/// client, and a confirmed user `name` with [`PASSWORD`] and `attributes`.
fn mfa_app(desk: &Desk, mode: &str, more: Value, name: &str, attributes: &[(&str, &str)]) -> App {
    let app = desk.app();
    let config = json!({ "UserPoolId": app.pool_id, "MfaConfiguration": mode, "SoftwareTokenMfaConfiguration": { "Enabled": true } });
    desk.ok("SetUserPoolMfaConfig", merged(config, more));
    desk.user(&app.pool_id, name, attributes);
    app
}

#[test]
fn an_authenticator_app_enrols_and_then_guards_every_sign_in() {
    let desk = Desk::new();
    let app = mfa_app(&desk, "OPTIONAL", json!({}), "tina", &[]);
    let access = tokens(desk.sign_in(&app.client_id, "tina", PASSWORD))["AccessToken"].clone();

    let secret = desk.ok("AssociateSoftwareToken", json!({ "AccessToken": access }))["SecretCode"].as_str().expect("secret").to_owned();
    assert_eq!(secret.len(), 32, "160 bits, base32");
    let verify = |code: String| desk.call("VerifySoftwareToken", json!({ "AccessToken": access, "UserCode": code }));
    fails_with(verify(wrong_totp(&secret, desk.now_secs())), "EnableSoftwareTokenMFAException");
    let verified = verify(totp::code_at_time(&secret, desk.now_secs()).expect("code")).expect("the current code verifies");
    assert_eq!(verified["Status"], json!("SUCCESS"));
    let preference = json!({ "AccessToken": access, "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": true } });
    desk.ok("SetUserMFAPreference", preference);

    // The code used to verify is spent: sign in at the next step.
    desk.advance(30);
    let pending = challenge(desk.sign_in(&app.client_id, "tina", PASSWORD), "SOFTWARE_TOKEN_MFA");
    let answer = |pending: &Value, code: String| {
        desk.respond(&app.client_id, pending, "SOFTWARE_TOKEN_MFA", json!({ "USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code }))
    };
    fails_with(answer(&pending, wrong_totp(&secret, desk.now_secs())), "CodeMismatchException");
    let code = totp::code_at_time(&secret, desk.now_secs()).expect("code");
    let result = tokens(answer(&pending, code.clone()));
    assert_eq!(claims(&result["IdToken"])["cognito:username"], json!("tina"));

    // A code signs in once.
    let next = challenge(desk.sign_in(&app.client_id, "tina", PASSWORD), "SOFTWARE_TOKEN_MFA");
    fails_with(answer(&next, code), "CodeMismatchException");
}

#[test]
fn three_wrong_codes_void_the_challenge() {
    let desk = Desk::new();
    let app = mfa_app(&desk, "OPTIONAL", json!({}), "tina", &[]);
    let access = tokens(desk.sign_in(&app.client_id, "tina", PASSWORD))["AccessToken"].clone();
    let secret = desk.ok("AssociateSoftwareToken", json!({ "AccessToken": access }))["SecretCode"].as_str().expect("secret").to_owned();
    desk.ok("VerifySoftwareToken", json!({ "AccessToken": access, "UserCode": totp::code_at_time(&secret, desk.now_secs()) }));
    desk.ok("SetUserMFAPreference", json!({ "AccessToken": access, "SoftwareTokenMfaSettings": { "Enabled": true } }));
    desk.advance(30);

    let pending = challenge(desk.sign_in(&app.client_id, "tina", PASSWORD), "SOFTWARE_TOKEN_MFA");
    let answer = |code: String| {
        desk.respond(&app.client_id, &pending, "SOFTWARE_TOKEN_MFA", json!({ "USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code }))
    };
    for _ in 0..3 {
        fails_with(answer(wrong_totp(&secret, desk.now_secs())), "CodeMismatchException");
    }
    let message = fails_with(answer(totp::code_at_time(&secret, desk.now_secs()).expect("code")), "NotAuthorizedException");
    assert_eq!(message, "Invalid session for the user, session is expired.");
}

#[test]
fn mfa_setup_enrols_an_authenticator_during_sign_in_when_mfa_is_required() {
    let desk = Desk::new();
    let app = mfa_app(&desk, "ON", json!({}), "mia", &[]);
    let setup = challenge(desk.sign_in(&app.client_id, "mia", PASSWORD), "MFA_SETUP");
    assert_eq!(setup["ChallengeParameters"]["MFAS_CAN_SETUP"], json!("[\"SOFTWARE_TOKEN_MFA\"]"));
    let early = desk.respond(&app.client_id, &setup, "MFA_SETUP", json!({ "USERNAME": "mia" }));
    fails_with(early, "InvalidParameterException");

    let associated = desk.ok("AssociateSoftwareToken", json!({ "Session": setup["Session"] }));
    let secret = associated["SecretCode"].as_str().expect("secret");
    let verify = |code: String| desk.call("VerifySoftwareToken", json!({ "Session": associated["Session"], "UserCode": code }));
    fails_with(verify(wrong_totp(secret, desk.now_secs())), "EnableSoftwareTokenMFAException");
    let verified = verify(totp::code_at_time(secret, desk.now_secs()).expect("code")).expect("the current code verifies");
    assert_eq!(verified["Status"], json!("SUCCESS"));

    let done = desk.respond(&app.client_id, &verified, "MFA_SETUP", json!({ "USERNAME": "mia" }));
    assert_eq!(claims(&tokens(done)["IdToken"])["cognito:username"], json!("mia"));
    challenge(desk.sign_in(&app.client_id, "mia", PASSWORD), "SOFTWARE_TOKEN_MFA");
}

// ---- codes by e-mail and SMS -------------------------------------------------------------------

const EMAIL_MFA: &str = "EmailMfaConfiguration";
const SMS_MFA: &str = "SmsMfaConfiguration";

fn email_mfa() -> Value {
    json!({ "Message": "Your sign-in code is {####}", "Subject": "Sign-in code" })
}

fn sms_mfa() -> Value {
    json!({ "SmsAuthenticationMessage": "Your code is {####}", "SmsConfiguration": { "SnsCallerArn": "arn:aws:iam::000000000000:role/sms" } })
}

#[test]
fn an_emailed_code_is_the_second_factor_of_an_email_mfa_user() {
    let desk = Desk::new();
    let app =
        mfa_app(&desk, "OPTIONAL", json!({ EMAIL_MFA: email_mfa() }), "emma", &[("email", "emma@example.com"), ("email_verified", "true")]);
    let preference =
        json!({ "UserPoolId": app.pool_id, "Username": "emma", "EmailMfaSettings": { "Enabled": true, "PreferredMfa": true } });
    desk.ok("AdminSetUserMFAPreference", preference);

    let pending = challenge(desk.sign_in(&app.client_id, "emma", PASSWORD), "EMAIL_OTP");
    assert_eq!(pending["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"], json!("EMAIL"));
    assert_eq!(pending["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"], json!("e***@e***"), "masked");
    let code = desk.last_code(&app.pool_id, "emma");
    let answer = |code: String| desk.respond(&app.client_id, &pending, "EMAIL_OTP", json!({ "USERNAME": "emma", "EMAIL_OTP_CODE": code }));
    fails_with(answer(other_code(&code)), "CodeMismatchException");
    assert_eq!(claims(&tokens(answer(code))["IdToken"])["cognito:username"], json!("emma"));
}

#[test]
fn a_user_with_two_second_factors_and_no_preference_chooses_one() {
    let desk = Desk::new();
    let more = json!({ EMAIL_MFA: email_mfa(), SMS_MFA: sms_mfa() });
    let attributes =
        [("email", "simon@example.com"), ("email_verified", "true"), ("phone_number", "+15555550123"), ("phone_number_verified", "true")];
    let app = mfa_app(&desk, "OPTIONAL", more, "simon", &attributes);
    let enable = json!({
        "UserPoolId": app.pool_id, "Username": "simon",
        "SMSMfaSettings": { "Enabled": true }, "EmailMfaSettings": { "Enabled": true },
    });
    desk.ok("AdminSetUserMFAPreference", enable);

    let select = challenge(desk.sign_in(&app.client_id, "simon", PASSWORD), "SELECT_MFA_TYPE");
    assert_eq!(select["ChallengeParameters"]["MFAS_CAN_CHOOSE"], json!("[\"SMS_MFA\",\"EMAIL_OTP\"]"));
    let choose = |answer: &str| desk.respond(&app.client_id, &select, "SELECT_MFA_TYPE", json!({ "USERNAME": "simon", "ANSWER": answer }));
    fails_with(choose("SOFTWARE_TOKEN_MFA"), "InvalidParameterException");

    let sms = challenge(choose("SMS_MFA"), "SMS_MFA");
    assert_eq!(sms["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"], json!("SMS"));
    assert_eq!(sms["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"], json!("+*******0123"));
    let code = desk.last_code(&app.pool_id, "simon");
    let done = desk.respond(&app.client_id, &sms, "SMS_MFA", json!({ "USERNAME": "simon", "SMS_MFA_CODE": code }));
    tokens(done);
}

// ---- USER_AUTH: the user picks the first factor ------------------------------------------------

/// A pool allowing `factors` first, a client allowing USER_AUTH, and `cleo` with a verified
/// e-mail address and phone number.
fn choice_app(desk: &Desk, factors: &[&str]) -> App {
    let pool_id = desk.pool(json!({
        "Policies": { "SignInPolicy": { "AllowedFirstAuthFactors": factors } },
        "SmsConfiguration": { "SnsCallerArn": "arn:aws:iam::000000000000:role/sms" },
    }));
    let client_id =
        desk.client(&pool_id, json!({ "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }));
    let attributes =
        [("email", "cleo@example.com"), ("email_verified", "true"), ("phone_number", "+15555550142"), ("phone_number_verified", "true")];
    desk.user(&pool_id, "cleo", &attributes);
    App { pool_id, client_id }
}

fn user_auth(desk: &Desk, app: &App, params: Value) -> Result<Value, CallError> {
    let params = merged(json!({ "USERNAME": "cleo" }), params);
    desk.call("InitiateAuth", json!({ "ClientId": app.client_id, "AuthFlow": "USER_AUTH", "AuthParameters": params }))
}

#[test]
fn user_auth_offers_the_first_factors_the_pool_allows_and_the_user_can_receive() {
    let desk = Desk::new();
    let app = choice_app(&desk, &["PASSWORD", "EMAIL_OTP"]);
    let select = challenge(user_auth(&desk, &app, json!({})), "SELECT_CHALLENGE");
    assert_eq!(select["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]), "no SMS_OTP: the pool does not allow it");

    let choose = |answer: Value| desk.respond(&app.client_id, &select, "SELECT_CHALLENGE", merged(json!({ "USERNAME": "cleo" }), answer));
    let otp = challenge(choose(json!({ "ANSWER": "EMAIL_OTP" })), "EMAIL_OTP");
    let code = desk.last_code(&app.pool_id, "cleo");
    let wrong = desk.respond(&app.client_id, &otp, "EMAIL_OTP", json!({ "USERNAME": "cleo", "EMAIL_OTP_CODE": other_code(&code) }));
    fails_with(wrong, "CodeMismatchException");
    let done = desk.respond(&app.client_id, &otp, "EMAIL_OTP", json!({ "USERNAME": "cleo", "EMAIL_OTP_CODE": code }));
    assert_eq!(claims(&tokens(done)["AccessToken"])["username"], json!("cleo"));
}

#[test]
fn user_auth_with_a_preferred_challenge_goes_straight_to_it() {
    let desk = Desk::new();
    let app = choice_app(&desk, &["PASSWORD", "EMAIL_OTP", "SMS_OTP"]);
    tokens(user_auth(&desk, &app, json!({ "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD })));
    let wrong = user_auth(&desk, &app, json!({ "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": WRONG_PASSWORD }));
    assert_eq!(fails_with(wrong, "NotAuthorizedException"), "Incorrect username or password.");

    let sms = challenge(user_auth(&desk, &app, json!({ "PREFERRED_CHALLENGE": "SMS_OTP" })), "SMS_OTP");
    let code = desk.last_code(&app.pool_id, "cleo");
    tokens(desk.respond(&app.client_id, &sms, "SMS_OTP", json!({ "USERNAME": "cleo", "SMS_OTP_CODE": code })));

    let client = srp::SrpClient::new(&app.pool_id).expect("SRP client");
    let started = user_auth(&desk, &app, json!({ "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": client.srp_a_hex() }));
    let verifier = challenge(started, "PASSWORD_VERIFIER");
    let answer = desk.srp_answer(&client, &verifier, PASSWORD, desk.now_secs());
    tokens(desk.respond(&app.client_id, &verifier, "PASSWORD_VERIFIER", answer));

    let only_password = choice_app(&desk, &["PASSWORD"]);
    fails_with(user_auth(&desk, &only_password, json!({ "PREFERRED_CHALLENGE": "EMAIL_OTP" })), "InvalidParameterException");
}

// ---- randomness, pinned ------------------------------------------------------------------------

#[test]
fn a_seeded_random_source_makes_codes_and_ids_known_in_advance() {
    // Sign-up on a desk seeded with `seed`: its ids, the new user's sub, and the desk.
    let sign_up = |seed: u64| {
        let desk = Desk::seeded(seed);
        let pool_id = desk.pool(json!({ "AutoVerifiedAttributes": ["email"] }));
        let client_id = desk.client(&pool_id, json!({}));
        let body = json!({
            "ClientId": client_id, "Username": "hank", "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": "hank@example.com" }],
        });
        let sub = desk.ok("SignUp", body)["UserSub"].as_str().expect("UserSub").to_owned();
        (desk, App { pool_id, client_id }, sub)
    };
    // A twin run through the same calls tells the code the desk under test mailed, so the test
    // confirms without reading that desk's outbox.
    let (twin, twin_app, twin_sub) = sign_up(7);
    let known_code = twin.last_code(&twin_app.pool_id, "hank");
    let (desk, app, sub) = sign_up(7);
    assert_eq!((&app.pool_id, &app.client_id, &sub), (&twin_app.pool_id, &twin_app.client_id, &twin_sub));
    assert!(app.pool_id.starts_with("us-east-1_") && app.pool_id.len() == 19, "seeded ids keep their shape: {}", app.pool_id);
    desk.ok("ConfirmSignUp", json!({ "ClientId": app.client_id, "Username": "hank", "ConfirmationCode": known_code }));
    tokens(desk.sign_in(&app.client_id, "hank", PASSWORD));

    let (_, other, _) = sign_up(8);
    assert_ne!(other.pool_id, app.pool_id, "another seed, other draws");
}

#[test]
fn a_pools_sms_and_email_factors_are_turned_off_by_a_call_that_leaves_them_out() {
    let desk = Desk::new();
    let pool_id = desk.pool(json!({}));
    let totp = json!({ "Enabled": true });
    let all = json!({ "UserPoolId": pool_id, "MfaConfiguration": "OPTIONAL", SMS_MFA: sms_mfa(), EMAIL_MFA: email_mfa(), "SoftwareTokenMfaConfiguration": totp });
    desk.ok("SetUserPoolMfaConfig", all);
    // The console's way to untick SMS and e-mail: the same call without them.
    let answer = desk.ok("SetUserPoolMfaConfig", json!({ "UserPoolId": pool_id, "MfaConfiguration": "OPTIONAL" }));
    let config = desk.ok("GetUserPoolMfaConfig", json!({ "UserPoolId": pool_id }));
    for shown in [&answer, &config] {
        assert!(shown.get(SMS_MFA).is_none() && shown.get(EMAIL_MFA).is_none(), "{shown}");
        assert_eq!(shown["SoftwareTokenMfaConfiguration"], totp, "the authenticator app has its own Enabled: {shown}");
    }
    let required = desk.call("SetUserPoolMfaConfig", json!({ "UserPoolId": pool_id, "MfaConfiguration": "ON" }));
    assert!(required.is_ok(), "the authenticator app is still a factor: {required:?}");
}
