//! Pools and app clients are kept decoded between calls, yet a change made by another
//! connection (another process: the CLI, the desktop app) or by a restore is seen at once.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use pooldesk_core::store::{AppClient, ClientSecret, UserPool, UserPoolStore, UserStore};
use pooldesk_core::{testkit, tokens};
use pooldesk_store_sqlite::{Durability, KeyFile, SqliteStore};

const POOL: &str = "us-east-1_cache";

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path, Durability::Normal, &KeyFile::beside(path)).expect("open")
}

fn pool(name: &str) -> UserPool {
    let mut pool = UserPool { id: POOL.into(), config: Default::default(), mfa_config: Default::default(), created_ms: 1, modified_ms: 1 };
    pool.config.name = Some(name.into());
    pool
}

fn client(secret: &str) -> AppClient {
    AppClient {
        pool_id: POOL.into(),
        client_id: "client1".into(),
        secrets: vec![ClientSecret::new("client1", secret.into(), 1)],
        config: Default::default(),
        created_ms: 1,
        modified_ms: 1,
    }
}

fn pool_name(store: &SqliteStore) -> Option<String> {
    store.get_pool(POOL).expect("get pool").and_then(|p| p.config.name.clone())
}

fn client_secret(store: &SqliteStore) -> Option<String> {
    store.get_client("client1").expect("get client").and_then(|c| c.secret().map(str::to_owned))
}

fn generation(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("raw open");
    conn.query_row("SELECT value FROM config_generation", [], |r| r.get(0)).expect("generation")
}

#[test]
fn a_change_made_by_another_process_is_seen_by_a_server_that_kept_the_old_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.sqlite");
    let server = open(&path);
    server.create_pool(&pool("first"), &tokens::generate_key(POOL, 1).expect("key")).expect("create pool");
    server.create_client(&client("secret-one")).expect("create client");
    // Read twice: the second read is served from what the first one kept.
    for _ in 0..2 {
        assert_eq!(pool_name(&server).as_deref(), Some("first"));
        assert_eq!(client_secret(&server).as_deref(), Some("secret-one"));
    }

    // Each change is made while the server holds what it replaces.
    let cli = open(&path);
    cli.update_pool(&pool("renamed")).expect("update pool");
    assert_eq!(pool_name(&server).as_deref(), Some("renamed"));
    assert_eq!(client_secret(&server).as_deref(), Some("secret-one"));
    cli.update_client(&client("secret-two"), 1).expect("update client");
    assert_eq!(client_secret(&server).as_deref(), Some("secret-two"));
    assert_eq!(pool_name(&server).as_deref(), Some("renamed"));
    cli.delete_client("client1").expect("delete client");
    assert_eq!(server.get_client("client1").expect("get client"), None);
    assert_eq!(pool_name(&server).as_deref(), Some("renamed"));
    cli.delete_pool(POOL).expect("delete pool");
    assert!(server.get_pool(POOL).expect("get pool").is_none());
}

#[test]
fn the_generation_moves_with_pool_and_client_changes_but_not_with_users() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.sqlite");
    let store = open(&path);
    let start = generation(&path);
    store.create_pool(&pool("first"), &tokens::generate_key(POOL, 1).expect("key")).expect("create pool");
    let created = generation(&path);
    assert_ne!(created, start);

    // Users change the pool's row (its user count) but not its configuration.
    store.insert_user(&testkit::user(POOL, "alice", &[("email", "alice@example.com")])).expect("user");
    assert!(store.delete_user(POOL, "alice").expect("delete user"));
    assert_eq!(generation(&path), created);
    assert_eq!(store.count_users(POOL).expect("count"), 0);

    store.create_client(&client("s")).expect("create client");
    assert_ne!(generation(&path), created);
}

#[test]
fn a_restore_brings_back_the_pools_of_the_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.sqlite");
    let store = open(&path);
    store.create_pool(&pool("before"), &tokens::generate_key(POOL, 1).expect("key")).expect("create pool");
    store.create_client(&client("secret-before")).expect("create client");
    let backup = dir.path().join("backup.sqlite");
    store.backup_to(&backup).expect("backup");

    store.update_pool(&pool("after")).expect("update pool");
    store.update_client(&client("secret-after"), 1).expect("update client");
    // Another server on the same file keeps the pool as it is now.
    let other = open(&path);
    for s in [&store, &other] {
        assert_eq!(pool_name(s).as_deref(), Some("after"));
        assert_eq!(client_secret(s).as_deref(), Some("secret-after"));
    }

    store.restore_from(&backup).expect("restore");
    for s in [&store, &other] {
        assert_eq!(pool_name(s).as_deref(), Some("before"));
        assert_eq!(client_secret(s).as_deref(), Some("secret-before"));
    }
}
