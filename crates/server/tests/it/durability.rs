//! What is written through the server is on disk: stop the server, drop the store, reopen the
//! same file, and the data is there and the database is sound.

use serde_json::json;

use crate::helpers::{clock, open_store, spawn_app_on};

#[tokio::test]
async fn users_survive_a_restart_on_the_same_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("db.sqlite");
    let clock = clock();

    let app = spawn_app_on(open_store(&path), clock.clone(), None).await;
    let pool = app.ok(app.admin("CreateUserPool", json!({ "PoolName": "durable" })).await);
    let pool_id = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
    let created = app.ok(app
        .admin(
            "AdminCreateUser",
            json!({
                "UserPoolId": pool_id,
                "Username": "grace",
                "TemporaryPassword": "Temp-Passw0rd!",
                "MessageAction": "SUPPRESS",
                "UserAttributes": [{ "Name": "email", "Value": "grace@example.com" }],
            }),
        )
        .await);
    assert_eq!(created["User"]["UserStatus"], json!("FORCE_CHANGE_PASSWORD"), "{created}");
    let store = app.store.clone();
    app.stop().await;
    assert_eq!(std::sync::Arc::strong_count(&store), 1, "the stopped server still holds the store");
    drop(store);

    // Everything reopened from the file alone.
    let reopened = open_store(&path);
    assert_eq!(reopened.integrity_check().expect("integrity check"), "ok");
    let app = spawn_app_on(reopened, clock, None).await;
    let user = app.ok(app.admin("AdminGetUser", json!({ "UserPoolId": pool_id, "Username": "grace" })).await);
    assert_eq!(user["Username"], json!("grace"));
    assert_eq!(user["UserStatus"], json!("FORCE_CHANGE_PASSWORD"), "{user}");
    assert_eq!(user["Enabled"], json!(true), "{user}");
    let email = user["UserAttributes"].as_array().and_then(|a| a.iter().find(|x| x["Name"] == "email")).map(|x| x["Value"].clone());
    assert_eq!(email, Some(json!("grace@example.com")), "{user}");
    assert_eq!(app.store.integrity_check().expect("integrity check"), "ok");
    app.stop().await;
}
