//! A user's whole life as an app sees it: sign up, confirm with the e-mailed code, sign in,
//! verify the ID token against the published JWKS, use and refresh the tokens, sign out.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, T0_MS, clock, spawn_app};

#[tokio::test]
async fn sign_up_confirm_sign_in_verify_refresh_sign_out() {
    let app = spawn_app(clock()).await;
    let (pool_id, client_id) = app.pool_and_client("lifecycle").await;

    // Sign up: the code goes to the outbox (no mail server configured).
    let code = app.sign_up(&pool_id, &client_id, "alice", "alice@example.com").await;
    assert_eq!(code.len(), 6, "a six-digit code: {code}");
    assert!(code.chars().all(|c| c.is_ascii_digit()), "a six-digit code: {code}");

    // Not confirmed yet: the right password is not enough.
    let (status, body) = app.password_sign_in(&client_id, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["__type"], json!("UserNotConfirmedException"), "{body}");

    // A wrong code is refused, the right one confirms.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, body) = app.call("ConfirmSignUp", json!({ "ClientId": client_id, "Username": "alice", "ConfirmationCode": wrong })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["__type"], json!("CodeMismatchException"), "{body}");
    app.ok(app.call("ConfirmSignUp", json!({ "ClientId": client_id, "Username": "alice", "ConfirmationCode": code })).await);
    let user = app.ok(app.admin("AdminGetUser", json!({ "UserPoolId": pool_id, "Username": "alice" })).await);
    assert_eq!(user["UserStatus"], json!("CONFIRMED"), "{user}");

    // Sign in.
    let tokens = app.ok(app.password_sign_in(&client_id, "alice", PASSWORD).await);
    let result = &tokens["AuthenticationResult"];
    assert_eq!(result["TokenType"], json!("Bearer"), "{tokens}");
    assert_eq!(result["ExpiresIn"], json!(3600), "{tokens}");
    let id_token = result["IdToken"].as_str().expect("IdToken");
    let access_token = result["AccessToken"].as_str().expect("AccessToken").to_owned();
    let refresh_token = result["RefreshToken"].as_str().expect("RefreshToken").to_owned();

    // The ID token verifies against the pool's published keys, with the claims apps rely on.
    let issuer = format!("{}/{pool_id}", app.base_url);
    let claims = verify_with_jwks(&app, &pool_id, id_token, &issuer, &client_id).await;
    assert_eq!(claims["iss"], json!(issuer));
    assert_eq!(claims["aud"], json!(client_id));
    assert_eq!(claims["token_use"], json!("id"));
    assert_eq!(claims["cognito:username"], json!("alice"));
    assert_eq!(claims["email"], json!("alice@example.com"));
    assert_eq!(claims["email_verified"], json!(true), "email_verified must be a JSON boolean: {claims}");
    let now_secs = T0_MS / 1000;
    assert_eq!(claims["iat"], json!(now_secs), "issued at the server's (fake) now");
    assert_eq!(claims["exp"], json!(now_secs + 3600), "ID tokens live an hour by default");
    let sub = claims["sub"].as_str().expect("sub").to_owned();
    assert_eq!(
        user["UserAttributes"].as_array().and_then(|a| a.iter().find(|x| x["Name"] == "sub")).map(|x| &x["Value"]),
        Some(&json!(sub))
    );

    // The discovery document points at the same issuer and keys.
    let (status, discovery) = app.get(&format!("/{pool_id}/.well-known/openid-configuration")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(discovery["issuer"], json!(issuer));
    assert_eq!(discovery["jwks_uri"], json!(format!("{issuer}/.well-known/jwks.json")));

    // The access token works for the user's own operations.
    let me = app.ok(app.call("GetUser", json!({ "AccessToken": access_token })).await);
    assert_eq!(me["Username"], json!("alice"));
    assert_eq!(attribute(&me, "email"), Some("alice@example.com"), "{me}");
    assert_eq!(attribute(&me, "email_verified"), Some("true"), "{me}");
    assert_eq!(attribute(&me, "sub"), Some(sub.as_str()), "{me}");

    // Refresh: new ID and access tokens for the same user, no new refresh token.
    app.advance(30 * 60);
    let refreshed = app.ok(app
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id, "AuthParameters": { "REFRESH_TOKEN": refresh_token } }),
        )
        .await);
    let result = &refreshed["AuthenticationResult"];
    assert!(result.get("RefreshToken").is_none_or(Value::is_null), "a refresh does not rotate the refresh token: {refreshed}");
    let new_access = result["AccessToken"].as_str().expect("AccessToken").to_owned();
    assert_ne!(new_access, access_token);
    let new_claims = verify_with_jwks(&app, &pool_id, result["IdToken"].as_str().expect("IdToken"), &issuer, &client_id).await;
    assert_eq!(new_claims["sub"], json!(sub));
    assert_eq!(new_claims["iat"], json!(now_secs + 30 * 60));
    let me = app.ok(app.call("GetUser", json!({ "AccessToken": new_access })).await);
    assert_eq!(me["Username"], json!("alice"));

    // Global sign-out revokes every token of the user: old and refreshed access tokens, and
    // the refresh token.
    app.ok(app.call("GlobalSignOut", json!({ "AccessToken": new_access })).await);
    for token in [&access_token, &new_access] {
        let r = app.call_reply("GetUser", json!({ "AccessToken": token })).await;
        r.assert_error(StatusCode::BAD_REQUEST, "NotAuthorizedException");
    }
    let (status, body) = app
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id, "AuthParameters": { "REFRESH_TOKEN": refresh_token } }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["__type"], json!("NotAuthorizedException"), "{body}");

    // Signing in again still works after signing out.
    app.ok(app.password_sign_in(&client_id, "alice", PASSWORD).await);
}

/// Verifies `token`'s RS256 signature with the key its `kid` names in the pool's JWKS, and its
/// issuer and audience. Expiry is checked by the caller against the fake clock.
async fn verify_with_jwks(app: &crate::helpers::TestApp, pool_id: &str, token: &str, issuer: &str, audience: &str) -> Value {
    let (status, jwks) = app.get(&format!("/{pool_id}/.well-known/jwks.json")).await;
    assert_eq!(status, StatusCode::OK, "{jwks}");
    let jwks: JwkSet = serde_json::from_value(jwks).expect("a JWK set");
    let header = jsonwebtoken::decode_header(token).expect("JWT header");
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("kid in the header");
    let jwk = jwks.find(&kid).unwrap_or_else(|| panic!("kid {kid} not in the JWKS"));
    let key = DecodingKey::from_jwk(jwk).expect("decoding key from the JWK");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    // The server's time is fake: checking exp against the real clock would test nothing.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Value>(token, &key, &validation).expect("the ID token verifies against the JWKS");

    // A token whose payload was tampered with does not.
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged_payload = {
        use base64_like::encode;
        let mut claims = data.claims.clone();
        claims["cognito:username"] = json!("mallory");
        encode(&serde_json::to_vec(&claims).expect("claims"))
    };
    parts[1] = &forged_payload;
    let forged = parts.join(".");
    assert!(jsonwebtoken::decode::<Value>(&forged, &key, &validation).is_err(), "a forged token must not verify");
    data.claims
}

fn attribute<'a>(user: &'a Value, name: &str) -> Option<&'a str> {
    user["UserAttributes"].as_array()?.iter().find(|a| a["Name"] == name)?["Value"].as_str()
}

/// Base64url without padding, enough to forge a JWT payload (avoids another dependency).
mod base64_like {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            }
        }
        out
    }
}
