//! The storage contract on PostgreSQL, and what several servers on one database rely on.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use pooldesk_core::sealed::{GivenKey, KeyFile, MasterKey};
use pooldesk_core::store::{StoreError, UserPoolStore};
use pooldesk_core::testkit;
use pooldesk_store_postgres::{PostgresStore, testdb};

fn key() -> GivenKey {
    GivenKey { key: MasterKey::generate().expect("key"), source: "a test".into() }
}

#[test]
fn postgres_store_meets_the_contract() {
    let url = testdb::fresh_database("contract");
    let store = PostgresStore::open(&url, &key(), 8).expect("open");
    testkit::store_contract(&store);
}

#[test]
fn two_servers_on_one_database_behave_as_one() {
    let url = testdb::fresh_database("shared");
    let key = key();
    let (a, b) = (PostgresStore::open(&url, &key, 4).expect("open"), PostgresStore::open(&url, &key, 4).expect("open"));
    testkit::shared_database_contract(&a, &b);
}

#[test]
fn a_database_opens_only_under_its_master_key_and_rotates_to_a_new_one() {
    let url = testdb::fresh_database("keys");
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = KeyFile::new(dir.path().join("master.key"));
    let store = PostgresStore::open(&url, &vault, 4).expect("a new database takes a new key, saved in the vault");
    let pool_key = pooldesk_core::tokens::generate_key("us-east-1_k", 1).expect("key");
    let pool = pooldesk_core::store::UserPool {
        id: "us-east-1_k".into(),
        config: Default::default(),
        mfa_config: Default::default(),
        created_ms: 1,
        modified_ms: 1,
    };
    store.create_pool(&pool, &pool_key).expect("pool");
    let refused = PostgresStore::open(&url, &key(), 4).err().expect("another key is refused");
    assert!(refused.to_string().contains("does not hold"), "{refused}");

    let moved = store.rotate_master_key(&vault).expect("rotate");
    assert!(moved.0 >= 1, "the pool's signing key was re-sealed");
    let reopened = PostgresStore::open(&url, &vault, 4).expect("the rotated key opens it");
    assert_eq!(reopened.signing_keys("us-east-1_k").expect("keys")[0].private_der, pool_key.private_der);
}

#[test]
fn a_database_of_a_newer_schema_is_refused_not_changed() {
    let url = testdb::fresh_database("newer");
    PostgresStore::open(&url, &key(), 2).expect("open");
    let mut raw = url.parse::<postgres::Config>().expect("url").connect(postgres::NoTls).expect("connect");
    raw.batch_execute("UPDATE pooldesk_schema SET version = 99").expect("bump");
    match PostgresStore::open(&url, &key(), 2) {
        Err(StoreError::Corrupt(why)) => assert!(why.contains("newer than this PoolDesk knows"), "{why}"),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
    let version: i32 = raw.query_one("SELECT version FROM pooldesk_schema", &[]).expect("version").get(0);
    assert_eq!(version, 99, "left as it was");
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let err = PostgresStore::open("postgres://nobody@127.0.0.1:1/none", &key(), 2).err().expect("refused");
    assert!(err.to_string().contains("connecting to postgres://nobody@127.0.0.1:1/none"), "{err}");
}
