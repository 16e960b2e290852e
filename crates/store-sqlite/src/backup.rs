//! Backups and restores of a live database, and its integrity check.

use std::path::Path;

use pooldesk_core::store::{AuditQuery, StoreError};
use rusqlite::Connection;

use crate::SqliteStore;
use crate::error::sql;
use crate::migrations::{MIGRATIONS, migrate};
use crate::misc::insert_audit;
use crate::pool::{lock, open_connection};
use crate::secrets::{KEY_CHECK, stored_server_secret};

impl SqliteStore {
    /// A consistent copy of the database at `dest` (`VACUUM INTO`: online, while others
    /// read and write; compact). Its secrets stay sealed under the same master key.
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        if dest.exists() {
            return Err(StoreError::Conflict(format!("{} already exists", dest.display())));
        }
        let dest = dest.to_string_lossy().into_owned();
        self.read(|c| c.execute("VACUUM INTO ?1", [dest]).map(drop).map_err(sql))
    }

    /// Replaces this database's content with the backup at `source`, after checking that
    /// the backup is sound and opens under this database's master key. SQLite's backup API
    /// copies it page by page under the database's own locks; an older backup is migrated.
    pub fn restore_from(&self, source: &Path) -> Result<(), StoreError> {
        let src = self.check_backup(source)?;
        // The audit trail is not rolled back: what was recorded after the backup was taken
        // is carried over to the restored database.
        let backup_audit_end: i64 = src.query_row("SELECT coalesce(max(at_ms), 0) FROM audit_log", [], |r| r.get(0)).unwrap_or(0);
        let later = pooldesk_core::store::AuditStore::list_audit(self, &AuditQuery { limit: usize::MAX >> 1, ..AuditQuery::default() })?
            .into_iter()
            .filter(|e| e.at_ms > backup_audit_end)
            .collect::<Vec<_>>();
        let mut writer = lock(&self.writer);
        rusqlite::backup::Backup::new(&src, &mut writer)
            .and_then(|b| b.run_to_completion(1024, std::time::Duration::ZERO, None))
            .map_err(sql)?;
        migrate(&mut writer)?;
        // A server elsewhere may have kept this database's pools and clients as they were.
        writer.execute("UPDATE config_generation SET value = random()", []).map_err(sql)?;
        self.configs.clear();
        for e in later.iter().rev() {
            insert_audit(&writer, e)?;
        }
        lock(&self.readers).clear();
        Ok(())
    }

    /// Opens the backup at `source` read-only if it is a sound PoolDesk database sealed under
    /// this store's master key.
    fn check_backup(&self, source: &Path) -> Result<Connection, StoreError> {
        let refuse = |why: String| StoreError::Other(format!("cannot restore {}: {why}", source.display()).into());
        if !source.is_file() {
            return Err(refuse("no such file".into()));
        }
        let conn = open_connection(&source.to_string_lossy(), self.durability, true).map_err(|e| refuse(e.to_string()))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| refuse(e.to_string()))?;
        if version < 1 || version as usize > MIGRATIONS.len() {
            return Err(refuse("it is not a PoolDesk database this version knows".into()));
        }
        let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| refuse(e.to_string()))?;
        if verdict != "ok" {
            return Err(refuse(format!("it fails its integrity check: {verdict}")));
        }
        let check = stored_server_secret(&conn, KEY_CHECK).map_err(|e| refuse(e.to_string()))?;
        if check.is_none_or(|c| self.sealer().open(KEY_CHECK, &c).is_err()) {
            return Err(refuse("its secrets are not sealed under this database's master key".into()));
        }
        Ok(conn)
    }

    /// `PRAGMA integrity_check`: "ok" for a sound database.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.read(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(sql))
    }
}
