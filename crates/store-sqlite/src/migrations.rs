//! The schema: forward-only versions in `../migrations/NNNN_name.sql`, applied in order and
//! tracked in SQLite's `user_version`.

use pooldesk_core::store::StoreError;
use rusqlite::Connection;

use crate::error::sql;

/// The schema versions, in order. Never edit a released one: add a new file.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_sign_in.sql"),
    include_str!("../migrations/0003_identity_pools.sql"),
    include_str!("../migrations/0004_user_counts.sql"),
    include_str!("../migrations/0005_audit_log.sql"),
    include_str!("../migrations/0006_config_generation.sql"),
    include_str!("../migrations/0007_domains_resource_servers.sql"),
    include_str!("../migrations/0008_session_scope.sql"),
    include_str!("../migrations/0009_ui_customizations.sql"),
    include_str!("../migrations/0010_managed_login_brandings.sql"),
    include_str!("../migrations/0011_identity_providers.sql"),
    include_str!("../migrations/0012_saml_providers.sql"),
    include_str!("../migrations/0013_trigger_invocations.sql"),
    include_str!("../migrations/0014_sync.sql"),
    include_str!("../migrations/0015_sync_delivery.sql"),
    include_str!("../migrations/0016_terms.sql"),
    include_str!("../migrations/0017_client_secrets.sql"),
];

/// Applies the migrations the database has not seen, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).map_err(sql)?.try_into().unwrap_or(0);
    if current > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the database is at schema version {current}, newer than this PoolDesk knows ({}); upgrade PoolDesk",
            MIGRATIONS.len()
        )));
    }
    for (i, sql_text) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction().map_err(sql)?;
        tx.execute_batch(sql_text).map_err(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(sql)?;
        tx.commit().map_err(sql)?;
        tracing::info!("database migrated to schema version {}", i + 1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Durability, KeyFile, SqliteStore};

    #[test]
    fn migrations_apply_once_and_set_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        SqliteStore::open(&path, Durability::Normal, &KeyFile::beside(&path)).unwrap();
        let store = SqliteStore::open(&path, Durability::Normal, &KeyFile::beside(&path)).unwrap();
        let v: i64 = store.read(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)).unwrap();
        assert_eq!(v as usize, MIGRATIONS.len());
        assert_eq!(store.integrity_check().unwrap(), "ok");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "a new database is owner-only");
        }
    }

    #[test]
    fn a_newer_schema_is_refused_not_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(matches!(SqliteStore::open(&path, Durability::Normal, &KeyFile::beside(&path)), Err(StoreError::Corrupt(_))));
    }
}
