//! The storage contract (`pooldesk_core::testkit::store_contract`) on a real SQLite file.

use pooldesk_store_sqlite::{Durability, KeyFile, SqliteStore};

#[test]
fn sqlite_store_meets_the_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store =
        SqliteStore::open(&dir.path().join("contract.sqlite"), Durability::Normal, &KeyFile::beside(&dir.path().join("contract.sqlite")))
            .expect("open");
    pooldesk_core::testkit::store_contract(&store);
    assert_eq!(store.integrity_check().expect("check"), "ok");
}

#[test]
fn two_processes_on_one_file_behave_as_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shared.sqlite");
    let a = SqliteStore::open(&path, Durability::Normal, &KeyFile::beside(&path)).expect("open");
    let b = SqliteStore::open(&path, Durability::Normal, &KeyFile::beside(&path)).expect("open");
    pooldesk_core::testkit::shared_database_contract(&a, &b);
}
