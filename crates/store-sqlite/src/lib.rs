//! PoolDesk's storage ports (`pooldesk_core::store`) on SQLite.
//!
//! # Layout
//! - this file: opening a database (PRAGMAs), the connection pool and the one
//!   function that turns `rusqlite::Error` into `StoreError`.
//! - `backup`: online backups, checked restores and the integrity check.
//! - `user_pools`, `users`, `misc`: the trait implementations, one module per area.
//! - `secrets`: this database's secrets under its master key: unlocking it on open (sealing
//!   what was plain), rotating the key, re-sealing every secret.
//! - [`sealed`]: secrets at rest, sealed under a master key kept outside the database.
//! - `config_cache`: pools and app clients kept decoded while they do not change.
//! - `migrations`: the schema, forward-only versions in `../migrations/NNNN_name.sql`,
//!   tracked in `user_version`.
//!
//! One writer connection serialises writes (SQLite allows one writer at a time anyway, and
//! waiting on a mutex is cheaper than on `SQLITE_BUSY`); readers come from a small pool and
//! run concurrently thanks to WAL. No rusqlite type leaves this crate.

mod backup;
mod config_cache;
mod identity_pools;
mod migrations;
mod misc;
pub mod sealed;
mod secrets;
mod user_pools;
mod users;

use std::cell::RefCell;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use migrations::migrate;
use pooldesk_core::store::{ReadScope, StoreError};
use rusqlite::{Connection, OpenFlags};
use sealed::Sealer;
pub use sealed::{GivenKey, KeyFile, KeyVault, MasterKey};
pub use secrets::SealedCount;
use secrets::unlock;

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
    sealer: RwLock<Arc<Sealer>>,
    configs: config_cache::ConfigCache,
}

thread_local! {
    /// The [`ReadScope::read_together`] running on this thread, if any.
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// A scope's read transaction and what is known to hold for its whole snapshot.
struct Scope {
    /// Which store it belongs to (another store's reads on this thread go their own way).
    store: usize,
    /// The reader holding the transaction; taken out while a read runs on it.
    reader: Option<Connection>,
    /// The config generation of the snapshot, once read.
    config_generation: Option<i64>,
}

impl ReadScope for SqliteStore {
    fn read_together(&self, f: &mut dyn FnMut()) {
        if SCOPE.with_borrow(Option::is_some) {
            // Nested, or another store's scope: the reads join it or go their own way.
            return f();
        }
        // Without a reader (the database cannot be opened), each read reports that itself.
        let Ok(conn) = self.take_reader() else { return f() };
        // Prepared once per connection: parsing "BEGIN" and "COMMIT" anew was 2.4% of GetUser.
        if conn.prepare_cached("BEGIN").and_then(|mut s| s.execute([])).is_err() {
            self.put_reader(conn);
            return f();
        }
        SCOPE.with_borrow_mut(|s| *s = Some(Scope { store: self.id(), reader: Some(conn), config_generation: None }));
        /// Ends the transaction even if `f` panics.
        struct End<'a>(&'a SqliteStore);
        impl Drop for End<'_> {
            fn drop(&mut self) {
                if let Some(Scope { reader: Some(conn), .. }) = SCOPE.with_borrow_mut(Option::take)
                    && conn.prepare_cached("COMMIT").and_then(|mut s| s.execute([])).is_ok()
                {
                    self.0.put_reader(conn);
                }
            }
        }
        let _end = End(self);
        f();
    }
}

/// WAL pages written before a commit checkpoints them into the database (SQLite's default
/// is 1,000). A busy pool rewrites the same pages (the users table's last leaf, its indexes,
/// the pool's user count) in commit after commit; checkpointing less often copies each of
/// them once for many commits and pays the checkpoint's fsyncs less often. AdminCreateUser:
/// 20-25% more per second and 10-15% less CPU per call; its p99 under 16 connections went
/// from 23 to 31-36 ms, the checkpoint being longer (10,000 pages: 42-47 ms, no faster).
const WAL_AUTOCHECKPOINT_PAGES: u32 = 4000;
/// What the WAL is cut back to once checkpointed, after a burst (a bulk import) grew it.
const WAL_SIZE_LIMIT_BYTES: u64 = 64 << 20;

/// Idle readers kept for the next read: as many as `pooldesk serve` runs operations at once
/// (16 blocking threads). With fewer, a busy server opened (PRAGMAs) and closed a connection,
/// and prepared its statements afresh, on most calls: a fifth of GetUser's CPU.
const MAX_IDLE_READERS: usize = 16;

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`, with its secrets
    /// sealed under the master key in `vault`. A database without one gets the vault's key,
    /// or a new one saved there, and any secret stored in plain text before is sealed now.
    pub fn open(path: &Path, durability: Durability, vault: &dyn KeyVault) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Other(Box::new(e)))?;
        }
        #[cfg(unix)]
        let new_file = !path.exists();
        let path = path.to_string_lossy().into_owned();
        let mut writer = open_connection(&path, durability, false)?;
        // Password hashes and sealed secrets: owner-only, like the key file (SQLite gives the
        // WAL and shared-memory files the database's permissions).
        #[cfg(unix)]
        if new_file {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(|e| StoreError::Other(Box::new(e)))?;
        }
        migrate(&mut writer)?;
        let sealer = unlock(&mut writer, vault)?;
        Ok(SqliteStore {
            path,
            durability,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            sealer: RwLock::new(Arc::new(sealer)),
            configs: config_cache::ConfigCache::default(),
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Runs `f` on the writer inside a transaction, committed if `f` succeeds.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sql)?;
        let out = f(&tx)?;
        tx.commit().map_err(sql)?;
        Ok(out)
    }

    /// Runs `f` on a reader connection: the transaction of this thread's
    /// [`ReadScope::read_together`] on this store, if one is open, or a reader of its own.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        // Taken out while `f` runs, so a read inside `f` (none does today) gets its own reader.
        let scoped = SCOPE.with_borrow_mut(|s| s.as_mut().filter(|s| s.store == self.id()).and_then(|s| s.reader.take()));
        if let Some(conn) = scoped {
            let out = f(&conn);
            SCOPE.with_borrow_mut(|s| {
                if let Some(s) = s.as_mut() {
                    s.reader = Some(conn);
                }
            });
            return out;
        }
        let conn = self.take_reader()?;
        let out = f(&conn);
        self.put_reader(conn);
        out
    }

    /// The config generation as `conn` sees it; read once per [`ReadScope::read_together`]
    /// (a call that needs its pool and its client asks twice, and the snapshot cannot change).
    pub(crate) fn config_generation(&self, conn: &Connection) -> Result<i64, StoreError> {
        let known = SCOPE.with_borrow(|s| s.as_ref().filter(|s| s.store == self.id()).and_then(|s| s.config_generation));
        if let Some(generation) = known {
            return Ok(generation);
        }
        let generation = config_cache::generation(conn)?;
        SCOPE.with_borrow_mut(|s| {
            if let Some(s) = s.as_mut().filter(|s| s.store == self.id()) {
                s.config_generation = Some(generation);
            }
        });
        Ok(generation)
    }

    fn take_reader(&self) -> Result<Connection, StoreError> {
        let idle = lock(&self.readers).pop();
        match idle {
            Some(c) => Ok(c),
            None => open_connection(&self.path, self.durability, true),
        }
    }

    fn put_reader(&self, conn: Connection) {
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
    }

    /// Tells this store's scoped reader from another store's on the same thread.
    fn id(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// Gives the writer connection a page cache of `mib` MiB, for bulk loads: a million users'
    /// indexes (random `sub`s among them) no longer fit SQLite's default 2 MiB, and every
    /// insert would fetch pages from the OS.
    pub fn set_writer_cache_mib(&self, mib: u32) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        conn.pragma_update(None, "cache_size", -(i64::from(mib) * 1024)).map_err(sql)
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
    // secure_delete: what is deleted or replaced (a secret, a deleted user) is zeroed, not
    // left readable in free pages.
    let sync = match durability {
        Durability::Normal => "NORMAL",
        Durability::Full => "FULL",
    };
    conn.execute_batch(&format!(
        "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = {sync}; PRAGMA cache_size = -2000; \
         PRAGMA secure_delete = ON;"
    ))
    .map_err(sql)?;
    // Room for every statement a connection runs (rusqlite keeps 16), so none is parsed twice.
    conn.set_prepared_statement_cache_capacity(64);
    if !read_only {
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)).map_err(sql)?;
        conn.execute_batch(&format!(
            "PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}; PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES};"
        ))
        .map_err(sql)?;
    }
    Ok(conn)
}

/// The one place a rusqlite error becomes a `StoreError`.
/// A mutex's guard, poisoned or not: a panic elsewhere leaves connections and caches usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs a write through the connection's statement cache: sessions, audit rows and identities
/// are written on every sign-in, refresh or admin call, and parsing their SQL each time cost
/// more than running it.
pub(crate) fn execute(conn: &Connection, statement: &str, params: impl rusqlite::Params) -> Result<usize, StoreError> {
    conn.prepare_cached(statement).and_then(|mut s| s.execute(params)).map_err(sql)
}

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
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = cursor::encode(&["a", "b"]);
        assert_eq!(cursor::decode(&c, 2).unwrap(), vec!["a", "b"]);
        assert!(matches!(cursor::decode("!!", 2), Err(StoreError::BadCursor)));
        assert!(matches!(cursor::decode(&c, 1), Err(StoreError::BadCursor)));
    }
}
