//! `read_together`: the reads of one call see one snapshot of a real SQLite file, whatever
//! another process commits meanwhile, and the store stays usable whatever happens inside.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use pooldesk_core::store::{ReadScope, Session, SessionStore, UserPool, UserPoolStore, UserStore};
use pooldesk_core::{testkit, tokens};
use pooldesk_store_sqlite::{Durability, KeyFile, SqliteStore};

const POOL: &str = "us-east-1_scope";

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path, Durability::Normal, &KeyFile::beside(path)).expect("open")
}

fn with_pool_and_session(path: &Path) -> SqliteStore {
    let store = open(path);
    let pool = UserPool { id: POOL.into(), config: Default::default(), mfa_config: Default::default(), created_ms: 1, modified_ms: 1 };
    store.create_pool(&pool, &tokens::generate_key(POOL, 1).expect("key")).expect("pool");
    store.insert_user(&testkit::user(POOL, "alice", &[("email", "alice@example.com")])).expect("user");
    store
        .insert_session(&Session {
            origin_jti: "jti-1".into(),
            pool_id: POOL.into(),
            client_id: "client1".into(),
            sub: "sub-1".into(),
            refresh_hash: "hash".into(),
            previous_refresh_hash: None,
            rotated_ms: None,
            scope: None,
            auth_time: 1,
            created_ms: 1,
            expires_ms: i64::MAX,
            revoked: false,
        })
        .expect("session");
    store
}

fn revoked(store: &SqliteStore) -> bool {
    store.get_session("jti-1").expect("read session").expect("session exists").revoked
}

#[test]
fn reads_in_a_scope_see_one_snapshot_while_another_process_commits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.sqlite");
    let server = with_pool_and_session(&path);
    let other_process = open(&path);

    let mut seen = Vec::new();
    server.read_together(&mut || {
        seen.push(revoked(&server));
        other_process.revoke_session("jti-1").expect("revoke");
        seen.push(revoked(&server));
        seen.push(server.get_user(POOL, "alice").expect("read user").is_some());
    });
    assert_eq!(seen, [false, false, true], "the revocation committed during the scope is not part of its snapshot");
    assert!(revoked(&server), "and is seen once the scope ends");
}

#[test]
fn scopes_nest_and_another_store_read_inside_one_reads_its_own_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = with_pool_and_session(&dir.path().join("first.sqlite"));
    let second = with_pool_and_session(&dir.path().join("second.sqlite"));
    second.revoke_session("jti-1").expect("revoke");

    let mut seen = Vec::new();
    first.read_together(&mut || {
        first.read_together(&mut || seen.push(revoked(&first)));
        second.read_together(&mut || seen.push(revoked(&second)));
        seen.push(revoked(&first));
    });
    assert_eq!(seen, [false, true, false]);
}

#[test]
fn a_panic_inside_a_scope_leaves_the_store_usable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.sqlite");
    let store = with_pool_and_session(&path);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        store.read_together(&mut || {
            let _ = revoked(&store);
            panic!("a bug in the middle of a call");
        });
    }));
    assert!(outcome.is_err());
    store.revoke_session("jti-1").expect("revoke");
    assert!(revoked(&store), "no snapshot is left open on this thread");
    let mut seen = None;
    store.read_together(&mut || seen = Some(revoked(&store)));
    assert_eq!(seen, Some(true));
}

#[test]
fn a_pool_changed_during_a_scope_is_seen_after_it_not_in_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.sqlite");
    let server = with_pool_and_session(&path);
    let other_process = open(&path);
    let name = |store: &SqliteStore| store.get_pool(POOL).expect("read pool").expect("pool exists").config.name.clone();
    let renamed = |to: &str| {
        let mut pool = Arc::unwrap_or_clone(other_process.get_pool(POOL).expect("read pool").expect("pool exists"));
        pool.config.name = Some(to.into());
        other_process.update_pool(&pool).expect("rename");
    };

    let mut seen = Vec::new();
    server.read_together(&mut || {
        seen.push(name(&server));
        renamed("during");
        seen.push(name(&server));
    });
    assert_eq!(seen, [None, None], "the scope's snapshot keeps the pool as it was");
    assert_eq!(name(&server).as_deref(), Some("during"));

    // The next scope reads the generation afresh.
    renamed("later");
    let mut seen = None;
    server.read_together(&mut || seen = Some(name(&server)));
    assert_eq!(seen, Some(Some("later".to_owned())));
}
