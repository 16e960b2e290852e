//! The audit log on a real SQLite file: rows are committed by the next write (group commit),
//! yet each `append_audit` returns only once its row is there, in order, and a broken audit
//! table never fails the writes its rows ride along with.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use pooldesk_core::store::{AuditEvent, AuditStore, UserPool, UserPoolStore, UserStore};
use pooldesk_core::{testkit, tokens};
use pooldesk_store_sqlite::{Durability, KeyFile, SqliteStore};

const POOL: &str = "us-east-1_audit";

fn open(path: &Path) -> SqliteStore {
    let store = SqliteStore::open(path, Durability::Normal, &KeyFile::beside(path)).expect("open");
    let pool = UserPool { id: POOL.into(), config: Default::default(), mfa_config: Default::default(), created_ms: 1, modified_ms: 1 };
    store.create_pool(&pool, &tokens::generate_key(POOL, 1).expect("key")).expect("pool");
    store
}

fn event(actor: &str, n: i64) -> AuditEvent {
    AuditEvent {
        id: 0,
        at_ms: n,
        actor: actor.into(),
        source: "127.0.0.1".into(),
        operation: "AWSCognitoIdentityProviderService.AdminCreateUser".into(),
        resource: format!("UserPoolId={POOL}, Username={actor}-{n}"),
        outcome: "OK".into(),
    }
}

#[test]
fn every_row_is_committed_before_append_returns_and_kept_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db.sqlite"));
    const THREADS: usize = 8;
    const EACH: i64 = 40;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let store = &store;
            s.spawn(move || {
                let actor = format!("AKIA{t}");
                for n in 0..EACH {
                    // A write of this call, then its audit row, like an admin call.
                    store.insert_user(&testkit::user(POOL, &format!("{actor}-{n}"), &[])).expect("user");
                    store.append_audit(&event(&actor, n)).expect("audit row");
                    let newest = store.list_audit(Some(&actor), None, 1).expect("list");
                    assert_eq!(newest[0].resource, format!("UserPoolId={POOL}, Username={actor}-{n}"), "visible once appended");
                }
            });
        }
    });
    let all = store.list_audit(None, None, 1000).expect("list");
    assert_eq!(all.len(), THREADS * EACH as usize);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first, no id twice");
    for t in 0..THREADS {
        let mine: Vec<i64> = all.iter().filter(|e| e.actor == format!("AKIA{t}")).map(|e| e.at_ms).collect();
        assert_eq!(mine, (0..EACH).rev().collect::<Vec<_>>(), "each caller's rows in the order it appended them");
    }
}

#[test]
fn a_broken_audit_table_fails_only_the_append_and_the_row_waits_for_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let store = open(&path);
    store.append_audit(&event("AKIAROOT", 1)).expect("first row");

    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("ALTER TABLE audit_log RENAME TO audit_log_away").unwrap();
    assert!(store.append_audit(&event("AKIAROOT", 2)).is_err(), "the caller learns its row is not written");
    // The queued row rides along with the next write and fails inside it: the write stands.
    store.insert_user(&testkit::user(POOL, "bob", &[])).expect("a write carrying a row that cannot be written");
    assert!(store.get_user(POOL, "bob").expect("read").is_some());

    other.execute_batch("ALTER TABLE audit_log_away RENAME TO audit_log").unwrap();
    store.insert_user(&testkit::user(POOL, "carol", &[])).expect("next write");
    let rows: Vec<i64> = store.list_audit(None, None, 10).expect("list").iter().map(|e| e.at_ms).collect();
    assert_eq!(rows, vec![2, 1], "the row that waited is written by the next write, after the ones before it");
}
