//! The connections: opening one (its PRAGMAs), the writer every write waits for, the idle
//! readers reads take turns on, and the read transaction of a [`ReadScope::read_together`].

use std::cell::RefCell;

use pooldesk_core::store::{Health, ReadScope, StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};

use crate::error::sql;
use crate::{SqliteStore, config_cache};

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

impl Health for SqliteStore {
    fn ping(&self) -> StoreResult<()> {
        self.read(|c| c.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0)).map(drop).map_err(sql))
    }
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
        if execute(&conn, "BEGIN", []).is_err() {
            self.put_reader(conn);
            return f();
        }
        SCOPE.with_borrow_mut(|s| *s = Some(Scope { store: self.id(), reader: Some(conn), config_generation: None }));
        /// Ends the transaction even if `f` panics.
        struct End<'a>(&'a SqliteStore);
        impl Drop for End<'_> {
            fn drop(&mut self) {
                if let Some(Scope { reader: Some(conn), .. }) = SCOPE.with_borrow_mut(Option::take)
                    && execute(&conn, "COMMIT", []).is_ok()
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
        let scoped = self.own_scope(|s| s.reader.take()).flatten();
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
        let known = self.own_scope(|s| s.config_generation).flatten();
        if let Some(generation) = known {
            return Ok(generation);
        }
        let generation = config_cache::generation(conn)?;
        self.own_scope(|s| s.config_generation = Some(generation));
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

    /// Runs `f` on this thread's [`ReadScope::read_together`] if it is this store's.
    fn own_scope<T>(&self, f: impl FnOnce(&mut Scope) -> T) -> Option<T> {
        SCOPE.with_borrow_mut(|s| s.as_mut().filter(|s| s.store == self.id()).map(f))
    }

    /// Gives the writer connection a page cache of `mib` MiB, for bulk loads: a million users'
    /// indexes (random `sub`s among them) no longer fit SQLite's default 2 MiB, and every
    /// insert would fetch pages from the OS.
    pub fn set_writer_cache_mib(&self, mib: u32) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        conn.pragma_update(None, "cache_size", -(i64::from(mib) * 1024)).map_err(sql)
    }
}

pub(crate) fn open_connection(path: &str, durability: Durability, read_only: bool) -> Result<Connection, StoreError> {
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

pub(crate) use pooldesk_core::store_shared::lock;

/// Runs a write through the connection's statement cache: sessions, audit rows and identities
/// are written on every sign-in, refresh or admin call, and parsing their SQL each time cost
/// more than running it.
pub(crate) fn execute(conn: &Connection, statement: &str, params: impl rusqlite::Params) -> Result<usize, StoreError> {
    conn.prepare_cached(statement).and_then(|mut s| s.execute(params)).map_err(sql)
}
