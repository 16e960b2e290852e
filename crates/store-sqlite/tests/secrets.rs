//! Secrets at rest on a real SQLite file: sealed under the master key, unreadable in the
//! file, refused under a wrong key, re-sealed by rotation (even an interrupted one), and
//! carried through backup and restore.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use pooldesk_core::store::{AccessKey, AccessKeyStore, AppClient, ClientSecret, IdentityStore, UserPool, UserPoolStore, UserStore};
use pooldesk_core::{testkit, tokens};
use pooldesk_store_sqlite::{Durability, KeyFile, KeyVault, MasterKey, SqliteStore};

const CLIENT_SECRET: &str = "client-secret-1234567890abcdefghijklmnopqrstuvwxyz01";
const ADMIN_SECRET: &str = "admin-secret/abcdefghijklmnopqrstuvwxyz0123";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const POOL: &str = "us-east-1_secrets";

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path, Durability::Normal, &KeyFile::beside(path)).expect("open")
}

/// A pool with a signing key, an app client with a secret, an admin key, a server secret and
/// a user with an authenticator; returns the signing key's DER and the server secret.
fn fill(store: &SqliteStore) -> (Vec<u8>, Vec<u8>) {
    let key = tokens::generate_key(POOL, 1).expect("key");
    let pool = UserPool { id: POOL.into(), config: Default::default(), mfa_config: Default::default(), created_ms: 1, modified_ms: 1 };
    store.create_pool(&pool, &key).expect("pool");
    let client = AppClient {
        pool_id: POOL.into(),
        client_id: "client1".into(),
        secrets: vec![ClientSecret::new("client1", CLIENT_SECRET.into(), 1)],
        config: Default::default(),
        created_ms: 1,
        modified_ms: 1,
    };
    store.create_client(&client).expect("client");
    store
        .put_access_key(&AccessKey { id: "AKIAEXAMPLE".into(), secret: ADMIN_SECRET.into(), description: "d".into(), created_ms: 1 })
        .expect("access key");
    let mut user = testkit::user(POOL, "alice", &[("email", "alice@example.com")]);
    user.data.mfa.totp_secret = Some(TOTP_SECRET.into());
    store.insert_user(&user).expect("user");
    let server_secret = store.server_secret("credentials-key", &|| b"server-secret-bytes-0123456789".to_vec()).expect("secret");
    (key.private_der, server_secret)
}

/// Every secret reads back as it was written.
fn assert_secrets(store: &SqliteStore, der: &[u8], server_secret: &[u8]) {
    assert_eq!(store.signing_keys(POOL).expect("keys")[0].private_der, der);
    assert_eq!(store.get_client("client1").expect("client").expect("exists").secret(), Some(CLIENT_SECRET));
    assert_eq!(store.get_access_key("AKIAEXAMPLE").expect("key").expect("exists").secret, ADMIN_SECRET);
    assert_eq!(store.list_access_keys().expect("keys")[0].secret, ADMIN_SECRET);
    assert_eq!(store.get_user(POOL, "alice").expect("user").expect("exists").data.mfa.totp_secret.as_deref(), Some(TOTP_SECRET));
    assert_eq!(store.server_secret("credentials-key", &|| b"other".to_vec()).expect("secret"), server_secret);
}

/// The database file (and its WAL, if any) as bytes.
fn file_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).expect("read db");
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    bytes.extend(std::fs::read(wal).unwrap_or_default());
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_unreadable_in_file(path: &Path, der: &[u8], server_secret: &[u8]) {
    let bytes = file_bytes(path);
    for secret in [CLIENT_SECRET.as_bytes(), ADMIN_SECRET.as_bytes(), TOTP_SECRET.as_bytes(), server_secret, &der[..64]] {
        assert!(!contains(&bytes, secret), "a secret is readable in the database file");
    }
}

#[test]
fn secrets_are_sealed_in_the_file_and_read_back_under_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let store = open(&path);
    let (der, server_secret) = fill(&store);
    assert_secrets(&store, &der, &server_secret);
    assert_unreadable_in_file(&path, &der, &server_secret);
    drop(store);
    assert_unreadable_in_file(&path, &der, &server_secret);
    assert!(KeyFile::beside(&path).load().unwrap().is_some(), "the key is beside the database, not in it");
    assert_secrets(&open(&path), &der, &server_secret);
}

#[test]
fn a_wrong_or_missing_key_is_refused_when_opening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    fill(&open(&path));
    let stranger = KeyFile::new(dir.path().join("other.key"));
    stranger.save(&MasterKey::generate().unwrap()).unwrap();
    let err = SqliteStore::open(&path, Durability::Normal, &stranger).err().expect("a wrong key is refused");
    assert!(err.to_string().contains("does not hold"), "{err}");
}

#[test]
fn rotation_reseals_everything_and_an_interrupted_one_finishes_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let vault = KeyFile::beside(&path);
    let store = open(&path);
    let (der, server_secret) = fill(&store);
    let old = vault.load().unwrap().unwrap();
    let count = store.rotate_master_key(&vault).expect("rotate");
    assert_eq!(count.0, 6, "signing key, server secret, client secret (the oldest and the list), admin key, TOTP seed");
    let new = vault.load().unwrap().unwrap();
    assert!(old != new);
    assert_secrets(&store, &der, &server_secret);
    drop(store);
    assert_secrets(&open(&path), &der, &server_secret);

    // A crash after the commit but before the new key replaced the old: the old key is
    // still current and the new one waits as "next". Opening finishes the rotation.
    vault.save_next(&new).unwrap();
    vault.save(&old).unwrap();
    assert_secrets(&open(&path), &der, &server_secret);
    assert!(vault.load().unwrap().unwrap() == new, "the next key was promoted");
}

#[test]
fn plain_secrets_from_an_earlier_version_are_sealed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let store = open(&path);
    let (der, server_secret) = fill(&store);
    drop(store);
    // What an earlier PoolDesk left: secrets in plain text and no key check.
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute("UPDATE access_keys SET secret = ?1", [ADMIN_SECRET]).unwrap();
        // (Before clients could rotate secrets, `secrets` did not exist.)
        c.execute("UPDATE user_pool_clients SET secret = ?1, secrets = NULL", [CLIENT_SECRET]).unwrap();
        c.execute("UPDATE signing_keys SET private_der = ?1", [&der]).unwrap();
        c.execute("UPDATE server_secrets SET value = ?1 WHERE name = 'credentials-key'", [&server_secret]).unwrap();
        let data: String = c.query_row("SELECT data FROM users", [], |r| r.get(0)).unwrap();
        let mut doc: serde_json::Value = serde_json::from_str(&data).unwrap();
        doc["mfa"]["totp_secret"] = TOTP_SECRET.into();
        c.execute("UPDATE users SET data = ?1", [doc.to_string()]).unwrap();
        c.execute("DELETE FROM server_secrets WHERE name = 'master-key-check'", []).unwrap();
    }
    std::fs::remove_file(KeyFile::beside(&path).path()).unwrap();
    let store = open(&path);
    assert_secrets(&store, &der, &server_secret);
    drop(store);
    assert_unreadable_in_file(&path, &der, &server_secret);
}

#[test]
fn a_backup_restores_and_a_foreign_or_broken_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let store = open(&path);
    let (der, server_secret) = fill(&store);
    let backup = dir.path().join("backup.sqlite");
    store.backup_to(&backup).expect("backup");
    assert!(store.backup_to(&backup).is_err(), "a backup never overwrites a file");
    assert_unreadable_in_file(&backup, &der, &server_secret);

    assert!(store.delete_access_key("AKIAEXAMPLE").unwrap());
    assert!(store.delete_user(POOL, "alice").unwrap());
    store.restore_from(&backup).expect("restore");
    assert_secrets(&store, &der, &server_secret);
    assert_eq!(store.integrity_check().unwrap(), "ok");

    // Another database's backup (another master key) and a file that is no database.
    let other_path = dir.path().join("other.sqlite");
    let other = open(&other_path);
    let other_backup = dir.path().join("other-backup.sqlite");
    other.backup_to(&other_backup).unwrap();
    let err = store.restore_from(&other_backup).expect_err("refused");
    assert!(err.to_string().contains("master key"), "{err}");
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"this is not a database, just some bytes long enough to look like a header......").unwrap();
    assert!(store.restore_from(&junk).is_err());
    assert!(store.restore_from(&dir.path().join("missing.sqlite")).is_err());
    assert_secrets(&store, &der, &server_secret);
}
