//! PoolDesk's storage ports (`pooldesk_core::store`) on SQLite.
//!
//! # Layout
//! - this file: opening a database (PRAGMAs, migrations), the connection pool and the one
//!   function that turns `rusqlite::Error` into `StoreError`.
//! - `user_pools`, `users`, `misc`: the trait implementations, one module per area.
//! - `../migrations/NNNN_name.sql`: forward-only schema versions, tracked in `user_version`.
//!
//! One writer connection serialises writes (SQLite allows one writer at a time anyway, and
//! waiting on a mutex is cheaper than on `SQLITE_BUSY`); readers come from a small pool and
//! run concurrently thanks to WAL. No rusqlite type leaves this crate.

mod identity_pools;
mod misc;
mod user_pools;
mod users;

use std::path::Path;
use std::sync::Mutex;

use pooldesk_core::store::StoreError;
use rusqlite::{Connection, OpenFlags};

/// The schema versions, in order. Never edit a released one: add a new file.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_sign_in.sql"),
    include_str!("../migrations/0003_identity_pools.sql"),
    include_str!("../migrations/0004_user_counts.sql"),
];

/// How hard SQLite works to keep a committed transaction across a power cut. Either way a
/// commit survives the process being killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=NORMAL`: a power loss may undo the last transactions, never corrupts.
    #[default]
    Normal,
    /// `synchronous=FULL`: every commit is on disk before it is acknowledged.
    Full,
}

pub struct SqliteStore {
    path: String,
    durability: Durability,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

const MAX_IDLE_READERS: usize = 4;

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path, durability: Durability) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Other(Box::new(e)))?;
        }
        let path = path.to_string_lossy().into_owned();
        let mut writer = open_connection(&path, durability, false)?;
        migrate(&mut writer)?;
        Ok(SqliteStore { path, durability, writer: Mutex::new(writer), readers: Mutex::new(Vec::new()) })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Runs `f` on the writer inside a transaction, committed if `f` succeeds.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sql)?;
        let out = f(&tx)?;
        tx.commit().map_err(sql)?;
        Ok(out)
    }

    /// Runs `f` on a reader connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let conn = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match conn {
            Some(c) => c,
            None => open_connection(&self.path, self.durability, true)?,
        };
        let out = f(&conn);
        let mut idle = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }

    /// Gives the writer connection a page cache of `mib` MiB, for bulk loads: a million users'
    /// indexes (random `sub`s among them) no longer fit SQLite's default 2 MiB, and every
    /// insert would fetch pages from the OS.
    pub fn set_writer_cache_mib(&self, mib: u32) -> Result<(), StoreError> {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        conn.pragma_update(None, "cache_size", -(i64::from(mib) * 1024)).map_err(sql)
    }

    /// `PRAGMA integrity_check`: "ok" for a sound database.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.read(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(sql))
    }
}

fn open_connection(path: &str, durability: Durability, read_only: bool) -> Result<Connection, StoreError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags).map_err(sql)?;
    // PRAGMAs belong to the connection, not the schema, so they are set on every open.
    let sync = match durability {
        Durability::Normal => "NORMAL",
        Durability::Full => "FULL",
    };
    conn.execute_batch(&format!(
        "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = {sync}; PRAGMA cache_size = -2000;"
    ))
    .map_err(sql)?;
    if !read_only {
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)).map_err(sql)?;
    }
    Ok(conn)
}

/// Applies the migrations the database has not seen, each in its own transaction.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
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

/// The one place a rusqlite error becomes a `StoreError`.
pub(crate) fn sql(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) => match f.code {
            ErrorCode::ConstraintViolation => StoreError::Conflict(msg.clone().unwrap_or_else(|| "constraint".into())),
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => StoreError::Corrupt(e.to_string()),
            _ => StoreError::Other(Box::new(e)),
        },
        _ => StoreError::Other(Box::new(e)),
    }
}

pub(crate) fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("a stored document does not parse: {e}"))
}

/// Opaque pagination tokens: base64url of the position the next page starts after.
pub(crate) mod cursor {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use pooldesk_core::store::StoreError;

    pub fn encode(parts: &[&str]) -> String {
        URL_SAFE_NO_PAD.encode(parts.join("\u{0}"))
    }

    pub fn decode(token: &str, n: usize) -> Result<Vec<String>, StoreError> {
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| StoreError::BadCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| StoreError::BadCursor)?;
        let parts: Vec<String> = text.split('\u{0}').map(str::to_owned).collect();
        if parts.len() != n {
            return Err(StoreError::BadCursor);
        }
        Ok(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_set_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        SqliteStore::open(&path, Durability::Normal).unwrap();
        let store = SqliteStore::open(&path, Durability::Normal).unwrap();
        let v: i64 = store.read(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)).unwrap();
        assert_eq!(v as usize, MIGRATIONS.len());
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn a_newer_schema_is_refused_not_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(matches!(SqliteStore::open(&path, Durability::Normal), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = cursor::encode(&["a", "b"]);
        assert_eq!(cursor::decode(&c, 2).unwrap(), vec!["a", "b"]);
        assert!(matches!(cursor::decode("!!", 2), Err(StoreError::BadCursor)));
        assert!(matches!(cursor::decode(&c, 1), Err(StoreError::BadCursor)));
    }
}
