//! Everything that expires, with the injected clock moved instead of waiting: confirmation
//! and reset codes, access tokens, and the lockout after wrong passwords.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, clock, spawn_app};

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;

#[tokio::test]
async fn sign_up_codes_expire_after_24_hours() {
    let app = spawn_app(clock()).await;
    let (pool_id, client_id) = app.pool_and_client("signup-codes").await;
    let bob = app.sign_up(&pool_id, &client_id, "bob", "bob@example.com").await;
    let carol = app.sign_up(&pool_id, &client_id, "carol", "carol@example.com").await;

    // 23 hours later a code is still good...
    app.advance(23 * HOUR);
    app.ok(app.call("ConfirmSignUp", json!({ "ClientId": client_id, "Username": "bob", "ConfirmationCode": bob })).await);

    // ... 25 hours later it is not, even though it is the right one.
    app.advance(2 * HOUR);
    let r = app.call_reply("ConfirmSignUp", json!({ "ClientId": client_id, "Username": "carol", "ConfirmationCode": carol })).await;
    r.assert_error(StatusCode::BAD_REQUEST, "ExpiredCodeException");
    let user = app.ok(app.admin("AdminGetUser", json!({ "UserPoolId": pool_id, "Username": "carol" })).await);
    assert_eq!(user["UserStatus"], json!("UNCONFIRMED"), "{user}");

    // A fresh code works.
    app.ok(app.call("ResendConfirmationCode", json!({ "ClientId": client_id, "Username": "carol" })).await);
    let fresh = app.last_code(&pool_id, "carol").await;
    app.ok(app.call("ConfirmSignUp", json!({ "ClientId": client_id, "Username": "carol", "ConfirmationCode": fresh })).await);
}

#[tokio::test]
async fn password_reset_codes_expire_after_an_hour() {
    let app = spawn_app(clock()).await;
    let (pool_id, client_id) = app.pool_and_client("reset-codes").await;
    app.confirmed_user(&pool_id, &client_id, "dave").await;
    let new_password = "Battery-Staple-7";

    let forgot = app.ok(app.call("ForgotPassword", json!({ "ClientId": client_id, "Username": "dave" })).await);
    assert_eq!(forgot["CodeDeliveryDetails"]["Destination"], json!("d***@e***"), "{forgot}");
    let code = app.last_code(&pool_id, "dave").await;

    app.advance(61 * MINUTE);
    let r = app
        .call_reply(
            "ConfirmForgotPassword",
            json!({ "ClientId": client_id, "Username": "dave", "ConfirmationCode": code, "Password": new_password }),
        )
        .await;
    r.assert_error(StatusCode::BAD_REQUEST, "ExpiredCodeException");
    // The password did not change.
    app.ok(app.password_sign_in(&client_id, "dave", PASSWORD).await);

    // A new code redeemed within the hour does change it.
    app.ok(app.call("ForgotPassword", json!({ "ClientId": client_id, "Username": "dave" })).await);
    let code = app.last_code(&pool_id, "dave").await;
    app.advance(59 * MINUTE);
    app.ok(app
        .call(
            "ConfirmForgotPassword",
            json!({ "ClientId": client_id, "Username": "dave", "ConfirmationCode": code, "Password": new_password }),
        )
        .await);
    app.ok(app.password_sign_in(&client_id, "dave", new_password).await);
    let (status, body) = app.password_sign_in(&client_id, "dave", PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["__type"], json!("NotAuthorizedException"), "{body}");
}

#[tokio::test]
async fn access_tokens_expire_after_an_hour_refresh_tokens_do_not() {
    let app = spawn_app(clock()).await;
    let (pool_id, client_id) = app.pool_and_client("token-expiry").await;
    app.confirmed_user(&pool_id, &client_id, "erin").await;
    let tokens = app.ok(app.password_sign_in(&client_id, "erin", PASSWORD).await);
    let access = tokens["AuthenticationResult"]["AccessToken"].as_str().expect("AccessToken").to_owned();
    let refresh = tokens["AuthenticationResult"]["RefreshToken"].as_str().expect("RefreshToken").to_owned();

    app.advance(59 * MINUTE);
    app.ok(app.call("GetUser", json!({ "AccessToken": access })).await);

    app.advance(2 * MINUTE);
    let message =
        app.call_reply("GetUser", json!({ "AccessToken": access })).await.assert_error(StatusCode::BAD_REQUEST, "NotAuthorizedException");
    assert!(message.to_lowercase().contains("expired"), "{message}");

    // The refresh token (30 days by default) gets a new access token that works.
    let refreshed = app.ok(app
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id, "AuthParameters": { "REFRESH_TOKEN": refresh } }),
        )
        .await);
    let access = refreshed["AuthenticationResult"]["AccessToken"].as_str().expect("AccessToken");
    app.ok(app.call("GetUser", json!({ "AccessToken": access })).await);
}

/// The rule (core `password_flow`): the 5th consecutive wrong password locks the user for 1 s,
/// each further one doubles the wait (up to 15 minutes); while locked even the right password
/// is refused with "Password attempts exceeded"; a successful sign-in resets the count.
#[tokio::test]
async fn wrong_passwords_lock_the_user_for_a_while() {
    let app = spawn_app(clock()).await;
    let (pool_id, client_id) = app.pool_and_client("lockout").await;
    app.confirmed_user(&pool_id, &client_id, "frank").await;

    for attempt in 1..=5 {
        let (status, body) = app.password_sign_in(&client_id, "frank", "Wrong-Password-1").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "attempt {attempt}");
        assert_eq!(body["__type"], json!("NotAuthorizedException"), "attempt {attempt}: {body}");
        assert_eq!(body["message"], json!("Incorrect username or password."), "attempt {attempt}: {body}");
    }

    // Locked: the right password is refused too (the clock has not moved).
    let message = app
        .call_reply(
            "InitiateAuth",
            json!({ "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id, "AuthParameters": { "USERNAME": "frank", "PASSWORD": PASSWORD } }),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "NotAuthorizedException");
    assert_eq!(message, "Password attempts exceeded");

    // After the wait, the right password signs in.
    app.advance(20 * MINUTE);
    let tokens = app.ok(app.password_sign_in(&client_id, "frank", PASSWORD).await);
    assert!(tokens["AuthenticationResult"]["AccessToken"].is_string(), "{tokens}");

    // And the count started over: one wrong password is just a wrong password.
    let (_, body) = app.password_sign_in(&client_id, "frank", "Wrong-Password-1").await;
    assert_eq!(body["message"], json!("Incorrect username or password."), "{body}");
    app.ok(app.password_sign_in(&client_id, "frank", PASSWORD).await);
}
