//! The command layer through Tauri's real IPC and capability checks, on the mock runtime (no
//! display): what the web UI sends and receives, against a real SQLite file.

// Helpers outside #[test] functions set up the harness; a failure there is a failed test.
#![allow(clippy::expect_used)]

use pooldesk_desktop::{Desktop, builder, context};
use pooldesk_remote::{Keychain, RemoteError, Remotes};
use serde_json::{Value, json};
use tauri::test::{MockRuntime, get_ipc_response};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

struct Harness {
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    invoke_key: String,
}

fn harness() -> Harness {
    harness_with(None)
}

/// A harness whose "browser" records the URLs the app opens.
fn harness_with(opened: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>) -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    // Remote connections in this test's own file and keychain entries (a real Secret Service:
    // the suite runs under scripts/with-keyring.sh).
    let remotes = Remotes::open(&dir.path().join("connections.sqlite"), keychain()).expect("connections file");
    let mut desktop = Desktop::open(&dir.path().join("pools.sqlite"), remotes, runtime.handle().clone()).expect("open desktop");
    if let Some(opened) = opened {
        desktop = desktop.with_browser(Box::new(move |url| {
            opened.lock().expect("lock").push(url.to_owned());
            Ok(())
        }));
    }
    // The app's own builder and context (capabilities included), on the mock runtime.
    let app = builder::<MockRuntime>(desktop).build(context()).expect("build app");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
    let invoke_key = app.invoke_key().to_owned();
    Harness { _dir: dir, _runtime: runtime, _app: app, window, invoke_key }
}

fn keychain() -> Keychain {
    Keychain::with_service(&format!("pooldesk-desktop-test-{}", std::process::id()))
}

fn invoke(h: &Harness, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_from(h, &h.window, cmd, args)
}

/// Invokes `cmd` as the web page in `window` would.
fn invoke_from(h: &Harness, window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: tauri::ipc::InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: h.invoke_key.clone(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().expect("JSON answer"))
}

fn call(h: &Harness, target: &str, input: Value) -> Result<Value, Value> {
    invoke(h, "call", json!({ "connection": "local", "target": target, "input": input }))
}

const IDP: &str = "AWSCognitoIdentityProviderService";

#[test]
fn operations_run_by_their_cognito_names_with_wire_shapes() {
    let h = harness();
    let created = call(&h, &format!("{IDP}.CreateUserPool"), json!({ "PoolName": "shop" })).expect("CreateUserPool");
    let pool_id = created["UserPool"]["Id"].as_str().expect("pool id").to_owned();
    assert!(pool_id.starts_with("us-east-1_"), "{pool_id}");
    call(
        &h,
        &format!("{IDP}.AdminCreateUser"),
        json!({ "UserPoolId": pool_id, "Username": "alice", "UserAttributes": [{ "Name": "email", "Value": "alice@example.com" }], "MessageAction": "SUPPRESS" }),
    )
    .expect("AdminCreateUser");
    let page = call(&h, &format!("{IDP}.ListUsers"), json!({ "UserPoolId": pool_id, "Filter": "email ^= \"ali\"", "Limit": 60 }))
        .expect("ListUsers");
    let users = page["Users"].as_array().expect("Users");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["Username"], "alice");
    assert_eq!(users[0]["Enabled"], true);
    assert!(users[0]["UserCreateDate"].is_number(), "timestamps are epoch seconds: {}", users[0]);
}

#[test]
fn errors_reach_the_ui_typed_with_cognito_names() {
    let h = harness();
    let missing = call(&h, &format!("{IDP}.DescribeUserPool"), json!({ "UserPoolId": "us-east-1_nope12345" })).expect_err("no such pool");
    assert_eq!(missing["code"], "ResourceNotFoundException");
    assert!(missing["message"].as_str().is_some_and(|m| !m.is_empty()));

    let invalid = call(&h, &format!("{IDP}.CreateUserPool"), json!({ "PoolName": "" })).expect_err("empty name");
    assert_eq!(invalid["code"], "InvalidParameterException", "{invalid}");

    let wrong_type = call(&h, &format!("{IDP}.ListUsers"), json!({ "UserPoolId": 42 })).expect_err("wrong type");
    assert!(wrong_type["code"].as_str().is_some_and(|c| c.ends_with("Exception")), "{wrong_type}");

    let unknown = call(&h, &format!("{IDP}.DropEverything"), json!({})).expect_err("unknown op");
    assert_eq!(unknown["code"], "UnknownOperationException");

    let elsewhere = invoke(&h, "call", json!({ "connection": "prod", "target": format!("{IDP}.ListUserPools"), "input": {} }))
        .expect_err("unknown connection");
    assert_eq!(elsewhere["code"], "UnknownConnection");
}

#[test]
fn identity_pools_and_the_role_simulator_go_through_the_same_path() {
    let h = harness();
    let pool = call(
        &h,
        "AWSCognitoIdentityService.CreateIdentityPool",
        json!({ "IdentityPoolName": "ids", "AllowUnauthenticatedIdentities": true }),
    )
    .expect("CreateIdentityPool");
    let id = pool["IdentityPoolId"].as_str().expect("id");
    call(
        &h,
        "AWSCognitoIdentityService.SetIdentityPoolRoles",
        json!({ "IdentityPoolId": id, "Roles": { "unauthenticated": "arn:aws:iam::123456789012:role/guest" } }),
    )
    .expect("SetIdentityPoolRoles");
    let guest = call(&h, "PoolDesk.SimulateRoleMapping", json!({ "IdentityPoolId": id })).expect("simulate");
    assert_eq!(guest["RoleArn"], "arn:aws:iam::123456789012:role/guest");
    assert_eq!(guest["Reason"], "GuestRole");
}

#[test]
fn app_commands_report_the_database_and_serve_on_loopback() {
    let h = harness();
    let info = invoke(&h, "app_info", json!({})).expect("app_info");
    assert!(info["databasePath"].as_str().is_some_and(|p| p.ends_with("pools.sqlite")), "{info}");
    assert_eq!(invoke(&h, "serve_status", json!({})).expect("status"), Value::Null);

    let serving = invoke(&h, "serve_start", json!({ "port": 0 })).expect("serve_start");
    let endpoint = serving["endpoint"].as_str().expect("endpoint").to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "only loopback: {endpoint}");
    assert!(serving["accessKeyId"].as_str().is_some_and(|k| k.len() >= 16));
    assert!(serving["secretAccessKey"].as_str().is_some_and(|k| k.len() >= 30));
    let port: u16 = endpoint.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(), "the server accepts connections");
    // Starting again answers where it already serves.
    assert_eq!(invoke(&h, "serve_start", json!({ "port": 0 })).expect("again")["endpoint"], endpoint.as_str());

    invoke(&h, "serve_stop", json!({})).expect("serve_stop");
    assert_eq!(invoke(&h, "serve_status", json!({})).expect("status"), Value::Null);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "stopped serving");
}

#[test]
fn a_clients_login_page_opens_in_the_browser_where_the_pools_are_served() {
    // The browser is a stand-in that records what it was asked to open.
    let opened = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let h = harness_with(Some(opened.clone()));
    let pool_id = call(&h, &format!("{IDP}.CreateUserPool"), json!({ "PoolName": "shop" })).expect("pool")["UserPool"]["Id"]
        .as_str()
        .expect("id")
        .to_owned();
    call(&h, &format!("{IDP}.CreateUserPoolDomain"), json!({ "UserPoolId": pool_id, "Domain": "shop-login" })).expect("domain");
    let client = call(
        &h,
        &format!("{IDP}.CreateUserPoolClient"),
        json!({ "UserPoolId": pool_id, "ClientName": "web", "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
                "AllowedOAuthScopes": ["openid"], "CallbackURLs": ["http://localhost:3000/cb"] }),
    )
    .expect("client");
    let client_id = client["UserPoolClient"]["ClientId"].as_str().expect("client id").to_owned();
    let args = json!({ "connection": "local", "userPoolId": pool_id, "clientId": client_id });

    let not_serving = invoke(&h, "open_login_page", args.clone()).expect_err("nothing serves the pages yet");
    assert_eq!(not_serving["code"], "ServeNotRunning", "{not_serving}");
    assert!(opened.lock().expect("lock").is_empty());

    let endpoint = invoke(&h, "serve_start", json!({ "port": 0 })).expect("serve")["endpoint"].as_str().expect("endpoint").to_owned();
    let url = invoke(&h, "open_login_page", args).expect("opened");
    let expected = format!(
        "{endpoint}/domains/shop-login/oauth2/authorize?client_id={client_id}&response_type=code&scope=openid&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb"
    );
    assert_eq!(url, expected.as_str(), "the served port's URL");
    assert_eq!(*opened.lock().expect("lock"), vec![expected]);

    let no_domain = call(&h, &format!("{IDP}.CreateUserPool"), json!({ "PoolName": "bare" })).expect("pool")["UserPool"]["Id"].clone();
    let err = invoke(&h, "open_login_page", json!({ "connection": "local", "userPoolId": no_domain, "clientId": client_id }))
        .expect_err("not its client");
    assert_eq!(err["code"], "ResourceNotFoundException", "{err}");
    invoke(&h, "serve_stop", json!({})).expect("stop");
}

#[test]
fn a_kept_serve_key_is_the_same_every_start_and_in_every_app_until_replaced() {
    let h = harness();
    let start = |h: &Harness, keep: bool| {
        let s = invoke(h, "serve_start", json!({ "port": 0, "keepKey": keep })).expect("serve_start");
        invoke(h, "serve_stop", json!({})).expect("serve_stop");
        (
            s["accessKeyId"].as_str().expect("key id").to_owned(),
            s["secretAccessKey"].as_str().expect("secret").to_owned(),
            s["keyKept"].clone(),
        )
    };
    let (id, secret, kept) = start(&h, true);
    assert_eq!(kept, json!(true));
    assert_eq!(start(&h, true), (id.clone(), secret.clone(), json!(true)), "the same key on the next start");
    // Another app on this computer (a restart) finds it in the keychain.
    let restarted = harness();
    assert_eq!(start(&restarted, true).0, id);
    let (fresh, _, kept) = start(&h, false);
    assert_ne!(fresh, id, "without keeping, a new key each start");
    assert_eq!(kept, json!(false));

    // Replaced on request, but not while a server signs with it.
    invoke(&h, "serve_start", json!({ "port": 0, "keepKey": true })).expect("serve_start");
    assert_eq!(invoke(&h, "serve_forget_key", json!({})).expect_err("serving")["code"], "ServeRunning");
    invoke(&h, "serve_stop", json!({})).expect("serve_stop");
    assert_eq!(invoke(&h, "serve_forget_key", json!({})).expect("forget"), json!(true));
    let (replaced, _, _) = start(&h, true);
    assert_ne!(replaced, id);
    assert_eq!(invoke(&h, "serve_forget_key", json!({})).expect("clean up"), json!(true));
    assert_eq!(invoke(&h, "serve_forget_key", json!({})).expect("nothing kept"), json!(false));
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let h = harness();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let err = invoke(&h, "serve_start", json!({ "port": port })).expect_err("port in use");
    assert_eq!(err["code"], "ServeFailed");
    assert!(err["message"].as_str().is_some_and(|m| m.contains(&port.to_string())), "{err}");
}

#[test]
fn commands_outside_the_capability_are_refused() {
    let h = harness();
    // A command the app does not define, and a core plugin command it does not grant.
    assert!(invoke(&h, "plugin:path|resolve_directory", json!({ "directory": 1 })).is_err());
    assert!(invoke(&h, "read_file", json!({ "path": "/etc/passwd" })).is_err());
}

#[test]
fn only_the_main_window_is_granted_the_commands() {
    let h = harness();
    // The capability names the "main" window; any other webview is refused even the app's own commands.
    let other = WebviewWindowBuilder::new(&h._app, "other", Default::default()).build().expect("second window");
    assert!(invoke_from(&h, &other, "app_info", json!({})).is_err(), "a window outside the capability must not run commands");
    assert!(invoke(&h, "app_info", json!({})).is_ok());
}

#[test]
fn a_remote_server_is_a_connection_like_this_computer() {
    // One app serves its pools on loopback (with a key of its own); the other connects to it.
    let server = harness();
    let serving = invoke(&server, "serve_start", json!({ "port": 0 })).expect("serve_start");
    let (endpoint, key_id, secret) = (&serving["endpoint"], &serving["accessKeyId"], serving["secretAccessKey"].as_str().expect("secret"));
    let h = harness();
    assert_eq!(invoke(&h, "connections_list", json!({})).expect("list"), json!([]));

    let wrong = json!({ "input": { "name": "lab", "endpoint": endpoint, "region": "us-east-1", "accessKeyId": key_id, "secretAccessKey": "not-it" } });
    let err = invoke(&h, "connection_add", wrong).expect_err("wrong secret");
    assert_eq!(err["code"], "InvalidSignatureException");
    assert!(err["message"].as_str().is_some_and(|m| m.contains("the secret access key is wrong")), "{err}");
    assert_eq!(invoke(&h, "connections_list", json!({})).expect("list"), json!([]), "a failed test saves nothing");

    let input = json!({ "input": { "name": "lab", "endpoint": endpoint, "region": "us-east-1", "accessKeyId": key_id, "secretAccessKey": secret } });
    let check = invoke(&h, "connection_add", input).expect("connection_add");
    assert_eq!(check["connection"], json!({ "name": "lab", "endpoint": endpoint, "region": "us-east-1", "accessKeyId": key_id }));
    assert_eq!(check["userPools"], 0);
    let listed = invoke(&h, "connections_list", json!({})).expect("list");
    assert_eq!(listed, json!([check["connection"]]));
    assert!(!listed.to_string().contains(secret), "the secret never goes back to the web view");

    // Every operation, the simulator included, runs on the remote server with the same errors.
    let remote = |target: &str, input: Value| invoke(&h, "call", json!({ "connection": "lab", "target": target, "input": input }));
    let pool = remote(&format!("{IDP}.CreateUserPool"), json!({ "PoolName": "remote-shop" })).expect("CreateUserPool");
    let pool_id = pool["UserPool"]["Id"].as_str().expect("pool id");
    remote(&format!("{IDP}.AdminCreateUser"), json!({ "UserPoolId": pool_id, "Username": "bob", "MessageAction": "SUPPRESS" }))
        .expect("AdminCreateUser");
    let taken = remote(&format!("{IDP}.AdminCreateUser"), json!({ "UserPoolId": pool_id, "Username": "bob" })).expect_err("taken");
    assert_eq!(taken["code"], "UsernameExistsException");
    let ids = remote(
        "AWSCognitoIdentityService.CreateIdentityPool",
        json!({ "IdentityPoolName": "ids", "AllowUnauthenticatedIdentities": true }),
    )
    .expect("CreateIdentityPool");
    let roles = json!({ "IdentityPoolId": ids["IdentityPoolId"], "Roles": { "unauthenticated": "arn:aws:iam::123456789012:role/guest" } });
    remote("AWSCognitoIdentityService.SetIdentityPoolRoles", roles).expect("SetIdentityPoolRoles");
    let guest = remote("PoolDesk.SimulateRoleMapping", json!({ "IdentityPoolId": ids["IdentityPoolId"] })).expect("simulate");
    assert_eq!(guest["Reason"], "GuestRole");
    // ... and it is the serving app's pools that changed.
    let users = call(&server, &format!("{IDP}.ListUsers"), json!({ "UserPoolId": pool_id })).expect("ListUsers on the server");
    assert_eq!(users["Users"][0]["Username"], "bob");
    assert_eq!(invoke(&h, "connection_test", json!({ "name": "lab" })).expect("test")["userPools"], 1);

    // The secret is in the keychain, not in the app's files.
    assert_eq!(keychain().read("lab").expect("keychain entry"), secret);
    for entry in std::fs::read_dir(h._dir.path()).expect("app dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{} holds the secret", path.display());
    }

    let removed = invoke(&h, "connection_remove", json!({ "name": "lab" })).expect("remove");
    assert_eq!(removed, json!({ "name": "lab", "secretDeleted": true }));
    assert!(matches!(keychain().read("lab"), Err(RemoteError::SecretMissing(_))));
    let gone = remote(&format!("{IDP}.ListUserPools"), json!({ "MaxResults": 1 })).expect_err("removed");
    assert_eq!(gone["code"], "UnknownConnection");

    // A server that went away is said so.
    invoke(&server, "serve_stop", json!({})).expect("serve_stop");
    let input = json!({ "input": { "name": "lab", "endpoint": endpoint, "region": "us-east-1", "accessKeyId": key_id, "secretAccessKey": secret } });
    assert_eq!(invoke(&h, "connection_add", input).expect_err("server down")["code"], "RemoteUnreachable");
}
