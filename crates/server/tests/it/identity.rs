//! Identity pools with the clock under control: a user-pool ID token stops working for
//! identity pools when it expires, and temporary credentials stop working after their hour.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Key, PASSWORD, TestApp, clock, sign_headers, spawn_app};

const IDENTITY: &str = "AWSCognitoIdentityService";
const ROLE: &str = "arn:aws:iam::000000000000:role/Signed-In";

/// A user pool user's ID token and an identity pool that trusts the pool's app client.
async fn federation(app: &TestApp) -> (String, String, String) {
    let (pool_id, client_id) = app.pool_and_client("federated").await;
    app.confirmed_user(&pool_id, &client_id, "frida").await;
    let signed_in = app.ok(app.password_sign_in(&client_id, "frida", PASSWORD).await);
    let id_token = signed_in["AuthenticationResult"]["IdToken"].as_str().expect("an ID token").to_owned();
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{pool_id}");
    let identity_pool = app.ok(app
        .admin(
            &format!("{IDENTITY}.CreateIdentityPool"),
            json!({
                "IdentityPoolName": "federated",
                "AllowUnauthenticatedIdentities": false,
                "CognitoIdentityProviders": [{ "ProviderName": provider, "ClientId": client_id }],
            }),
        )
        .await);
    let identity_pool_id = identity_pool["IdentityPoolId"].as_str().expect("an identity pool id").to_owned();
    app.ok(app
        .admin(
            &format!("{IDENTITY}.SetIdentityPoolRoles"),
            json!({ "IdentityPoolId": identity_pool_id, "Roles": { "authenticated": ROLE } }),
        )
        .await);
    (identity_pool_id, provider, id_token)
}

/// STS GetCallerIdentity signed with temporary credentials, as an SDK sends it.
async fn get_caller_identity(app: &TestApp, creds: &Value) -> (StatusCode, String) {
    let body = b"Action=GetCallerIdentity&Version=2011-06-15".to_vec();
    let headers: Vec<(String, String)> = vec![
        ("host".into(), app.addr.to_string()),
        ("content-type".into(), "application/x-www-form-urlencoded; charset=utf-8".into()),
        ("x-amz-security-token".into(), creds["SessionToken"].as_str().expect("a session token").into()),
    ];
    let key = Key { id: creds["AccessKeyId"].as_str().expect("an access key"), secret: creds["SecretKey"].as_str().expect("a secret") };
    let signed = sign_headers(&format!("{}/", app.base_url), &headers, &body, key, "sts", app.now());
    let mut req = app.http.post(format!("{}/", app.base_url));
    for (name, value) in headers.iter().chain(signed.iter()) {
        req = req.header(name.as_str(), value.as_str());
    }
    let resp = req.body(body).send().await.expect("sending to STS");
    (resp.status(), resp.text().await.expect("reading STS's answer"))
}

#[tokio::test]
async fn an_expired_id_token_is_refused_by_identity_pools() {
    let app = spawn_app(clock()).await;
    let (identity_pool_id, provider, id_token) = federation(&app).await;
    let get_id = json!({ "IdentityPoolId": identity_pool_id, "Logins": { provider: id_token } });
    app.ok(app.call(&format!("{IDENTITY}.GetId"), get_id.clone()).await);

    app.advance(61 * 60);
    let r = app.call_reply(&format!("{IDENTITY}.GetId"), get_id).await;
    let message = r.assert_error(StatusCode::BAD_REQUEST, "NotAuthorizedException");
    assert!(message.contains("expired"), "{message}");
}

#[tokio::test]
async fn temporary_credentials_work_for_an_hour_and_then_expire() {
    let app = spawn_app(clock()).await;
    let (identity_pool_id, provider, id_token) = federation(&app).await;
    let logins = json!({ provider: id_token });
    let id = app.ok(app.call(&format!("{IDENTITY}.GetId"), json!({ "IdentityPoolId": identity_pool_id, "Logins": logins })).await);
    let creds = app
        .ok(app.call(&format!("{IDENTITY}.GetCredentialsForIdentity"), json!({ "IdentityId": id["IdentityId"], "Logins": logins })).await)
        ["Credentials"]
        .clone();

    let (status, body) = get_caller_identity(&app, &creds).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("<Arn>arn:aws:sts::000000000000:assumed-role/Signed-In/CognitoIdentityCredentials</Arn>"), "{body}");

    app.advance(59 * 60);
    assert_eq!(get_caller_identity(&app, &creds).await.0, StatusCode::OK, "still valid at 59 minutes");

    app.advance(2 * 60);
    let (status, body) = get_caller_identity(&app, &creds).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("<Code>ExpiredToken</Code>"), "{body}");
}
