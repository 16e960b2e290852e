//! Remote connections end to end, in process: a real `pooldesk_server` on loopback HTTP with a
//! known root key, and the real OS keychain. On Linux that is a Secret Service: run these
//! tests in a session that has one, e.g. `scripts/with-keyring.sh cargo test -p pooldesk-remote`
//! (a private D-Bus session with GNOME Keyring; `scripts/test.sh` does this).
#![allow(clippy::unwrap_used, clippy::panic)] // test code: failing loudly is the point

use std::net::SocketAddr;
use std::sync::Arc;

use pooldesk_api::{Api, Outbound};
use pooldesk_core::clock::{Clock, SystemClock};
use pooldesk_remote::{Connection, Keychain, RemoteClient, RemoteError, Remotes};
use pooldesk_server::{AppState, RootKey};
use pooldesk_store_sqlite::{Durability, KeyFile, SqliteStore};
use serde_json::{Value, json};

const KEY_ID: &str = "PDREMOTETESTKEY00001";
const SECRET: &str = "remote/tests+SECRET/0123456789abcdefghij";

/// A clock a fixed number of seconds away from the real one: a server whose clock is wrong.
struct OffsetClock(i64);

impl Clock for OffsetClock {
    fn now_millis(&self) -> i64 {
        SystemClock.now_millis() + self.0 * 1000
    }
}

struct Server {
    endpoint: String,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

async fn serve(clock_offset_secs: i64) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(&dir.path().join("server.sqlite"), Durability::Normal, &KeyFile::beside(&dir.path().join("server.sqlite")))
            .unwrap(),
    );
    let root = RootKey { id: KEY_ID.to_owned(), secret: SECRET.to_owned() };
    let clock: Arc<dyn Clock> = Arc::new(OffsetClock(clock_offset_secs));
    let api = Api::new(store, clock, pooldesk_core::Config::default(), Outbound::default(), tokio::runtime::Handle::current()).unwrap();
    let state = AppState::new(api, Some(root));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stop) = tokio::sync::oneshot::channel();
    tokio::spawn(pooldesk_server::serve(listener, Arc::new(state), async move {
        let _ = stop.await;
    }));
    Server { endpoint, _dir: dir, _shutdown: shutdown }
}

/// A keychain of this test's own (a service name no other test or user shares).
fn keychain(test: &str) -> Keychain {
    Keychain::with_service(&format!("pooldesk-test-{test}-{}", std::process::id()))
}

fn remotes(dir: &tempfile::TempDir, test: &str) -> Remotes {
    Remotes::open(&dir.path().join("connections.sqlite"), keychain(test)).unwrap()
}

fn connection(name: &str, endpoint: &str, key_id: &str) -> Connection {
    Connection::new(name, endpoint, "us-east-1", key_id).unwrap()
}

/// Fails with the way forward when no Secret Service answers, rather than passing unseen.
fn require_keychain(result: Result<(), RemoteError>) {
    if let Err(e @ (RemoteError::KeychainUnavailable(_) | RemoteError::KeychainLocked(_))) = result {
        panic!("these tests need a real OS keychain: run them under scripts/with-keyring.sh ({e})");
    }
    result.unwrap();
}

async fn call(client: &RemoteClient, operation: &str, input: Value) -> Result<Value, RemoteError> {
    let target = format!("AWSCognitoIdentityProviderService.{operation}");
    let answer = client.call(&target, serde_json::to_vec(&input).unwrap()).await?;
    Ok(serde_json::from_slice(&answer).unwrap())
}

#[test]
fn keychain_store_read_replace_delete() {
    let keychain = keychain("crud");
    require_keychain(keychain.store("prod", "first-secret"));
    assert_eq!(keychain.read("prod").unwrap(), "first-secret");
    keychain.store("prod", "second-secret").unwrap();
    assert_eq!(keychain.read("prod").unwrap(), "second-secret");
    // Entries are per connection.
    keychain.store("staging", "staging-secret").unwrap();
    assert_eq!(keychain.read("prod").unwrap(), "second-secret");
    assert!(keychain.delete("prod").unwrap());
    assert!(matches!(keychain.read("prod"), Err(RemoteError::SecretMissing(name)) if name == "prod"));
    assert!(!keychain.delete("prod").unwrap(), "deleting twice reports there was nothing");
    assert_eq!(keychain.read("staging").unwrap(), "staging-secret");
    assert!(keychain.delete("staging").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_call_and_remove_a_connection() {
    let server = serve(0).await;
    let dir = tempfile::tempdir().unwrap();
    let remotes = remotes(&dir, "lifecycle");
    let added = remotes.add(connection("dev", &server.endpoint, KEY_ID), SECRET.to_owned(), false).await;
    if let Err(e @ (RemoteError::KeychainUnavailable(_) | RemoteError::KeychainLocked(_))) = &added {
        panic!("these tests need a real OS keychain: run them under scripts/with-keyring.sh ({e})");
    }
    let check = added.unwrap();
    assert_eq!(check.user_pools, 0);
    assert!(check.clock_offset_secs.is_some_and(|o| o.abs() <= 2), "{check:?}");

    // Every operation goes over signed HTTP, errors keep their Cognito names.
    let client = remotes.client("dev").await.unwrap();
    let pool = call(&client, "CreateUserPool", json!({"PoolName": "remote-pool"})).await.unwrap();
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    call(&client, "AdminCreateUser", json!({"UserPoolId": pool_id, "Username": "ana"})).await.unwrap();
    let e = call(&client, "AdminCreateUser", json!({"UserPoolId": pool_id, "Username": "ana"})).await.unwrap_err();
    assert_eq!(e.code(), "UsernameExistsException");
    let e = call(&client, "AdminGetUser", json!({"UserPoolId": pool_id})).await.unwrap_err();
    assert_eq!(e.code(), "InvalidParameterException");
    // Identity pools sign under their own service name.
    let created = client
        .call(
            "AWSCognitoIdentityService.CreateIdentityPool",
            serde_json::to_vec(&json!({"IdentityPoolName": "remote_ids", "AllowUnauthenticatedIdentities": true})).unwrap(),
        )
        .await
        .unwrap();
    assert!(String::from_utf8(created).unwrap().contains("IdentityPoolId"));
    assert_eq!(remotes.test("dev").await.unwrap().user_pools, 1);

    // Names are unique (whatever the case); the secret lives in the keychain only.
    let again = remotes.add(connection("DEV", &server.endpoint, KEY_ID), SECRET.to_owned(), false).await;
    assert!(matches!(again, Err(RemoteError::ConnectionExists(_))), "{again:?}");
    assert_eq!(remotes.list().unwrap(), vec![connection("dev", &server.endpoint, KEY_ID)]);
    for file in ["connections.sqlite", "connections.sqlite-wal", "connections.sqlite-journal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(file)) {
            assert!(!bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()), "{file} holds the secret");
        }
    }
    assert_eq!(keychain("lifecycle").read("dev").unwrap(), SECRET);

    assert!(remotes.remove("dev").await.unwrap(), "the keychain entry was there and is removed");
    assert!(matches!(keychain("lifecycle").read("dev"), Err(RemoteError::SecretMissing(_))));
    assert!(remotes.list().unwrap().is_empty());
    assert!(matches!(remotes.client("dev").await, Err(RemoteError::UnknownConnection(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_test_saves_nothing_and_says_what_is_wrong() {
    let server = serve(0).await;
    let dir = tempfile::tempdir().unwrap();
    let remotes = remotes(&dir, "failures");
    let add =
        |name: &str, endpoint: &str, key_id: &str, secret: &str| remotes.add(connection(name, endpoint, key_id), secret.to_owned(), false);

    let e = add("wrong-secret", &server.endpoint, KEY_ID, "not-the-secret").await.unwrap_err();
    assert_eq!(e.code(), "InvalidSignatureException");
    assert!(e.to_string().contains("the secret access key is wrong"), "{e}");

    let e = add("unknown-key", &server.endpoint, "PDNOSUCHACCESSKEY000", SECRET).await.unwrap_err();
    assert_eq!(e.code(), "UnrecognizedClientException");
    assert!(e.to_string().contains("does not know the access key id PDNOSUCHACCESSKEY000"), "{e}");

    // A port nothing listens on.
    let closed: SocketAddr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let e = add("down", &format!("http://{closed}"), KEY_ID, SECRET).await.unwrap_err();
    assert_eq!(e.code(), "RemoteUnreachable");
    assert!(e.to_string().contains("is unreachable") && e.to_string().contains("refused"), "{e}");

    // https:// to a server that speaks plain HTTP.
    let tls_endpoint = server.endpoint.replace("http://", "https://");
    let e = add("tls", &tls_endpoint, KEY_ID, SECRET).await.unwrap_err();
    assert_eq!(e.code(), "RemoteTlsError", "{e}");
    assert!(e.to_string().contains("did not answer with TLS"), "{e}");

    // A server whose clock is an hour ahead refuses every signature.
    let skewed = serve(3600).await;
    let e = add("skewed", &skewed.endpoint, KEY_ID, SECRET).await.unwrap_err();
    assert_eq!(e.code(), "RemoteClockSkew");
    assert!(e.to_string().starts_with("Clock skew:"), "{e}");

    // Something that answers HTTP but is not Cognito.
    let web = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let web_endpoint = format!("http://{}", web.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        while let Ok((mut socket, _)) = web.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\nconnection: close\r\n\r\nNot Found").await;
        }
    });
    let e = add("web", &web_endpoint, KEY_ID, SECRET).await.unwrap_err();
    assert_eq!(e.code(), "RemoteNotCognito");
    assert!(e.to_string().contains("does not look like a Cognito endpoint"), "{e}");

    assert!(remotes.list().unwrap().is_empty(), "nothing is saved when the test fails");
    for name in ["wrong-secret", "unknown-key", "down", "tls", "skewed", "web"] {
        assert!(matches!(keychain("failures").read(name), Err(RemoteError::SecretMissing(_)) | Err(RemoteError::KeychainUnavailable(_))));
    }
}

#[test]
fn the_cli_finds_a_database_key_where_the_desktop_app_keeps_it() {
    use pooldesk_remote::master_key::{NewKeyIn, vault_for};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pools.sqlite");
    let keychain = keychain("master-key");
    // The app makes the database and keeps its key in the keychain, not in a file.
    let (app_vault, unreachable) = vault_for(&db, &keychain, NewKeyIn::Keychain);
    assert_eq!(unreachable, None);
    drop(SqliteStore::open(&db, Durability::Normal, &*app_vault).unwrap());
    assert!(!KeyFile::beside(&db).path().exists(), "the key is not in a file");
    // The CLI, given the path another way (relative to the folder), finds the same entry.
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    let (cli_vault, _) = vault_for(std::path::Path::new("pools.sqlite"), &keychain, NewKeyIn::File);
    std::env::set_current_dir(cwd).unwrap();
    assert!(cli_vault.describe().contains("keychain"), "{}", cli_vault.describe());
    drop(SqliteStore::open(&db, Durability::Normal, &*cli_vault).unwrap());
    // A new database opened by the CLI keeps its key in a file beside it, as servers do.
    let server_db = dir.path().join("server.sqlite");
    let (server_vault, _) = vault_for(&server_db, &keychain, NewKeyIn::File);
    drop(SqliteStore::open(&server_db, Durability::Normal, &*server_vault).unwrap());
    assert!(KeyFile::beside(&server_db).path().exists());
    keychain.delete(&format!("master-key:{}", db.display())).unwrap();
}
