//! The connections: an r2d2 pool of clients, each with its prepared statements, the
//! transaction a write runs in, and the read transaction of a [`ReadScope::read_together`].

use std::cell::RefCell;
use std::collections::HashMap;

use pooldesk_core::store::{Health, PoolUse, ReadScope, StoreError, StoreResult};
use postgres::types::{FromSql, ToSql};
use postgres::{Row, Statement};

use crate::PostgresStore;
use crate::error::{pool_error, sql};

pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A client and the statements prepared on it: parsing and planning a statement is a round
/// trip of its own, so each is prepared once per connection, as SQLite's statement cache does.
pub struct Conn {
    client: postgres::Client,
    statements: HashMap<String, Statement>,
}

impl Conn {
    fn statement(&mut self, text: &str) -> StoreResult<Statement> {
        if let Some(s) = self.statements.get(text) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(text).map_err(sql)?;
        self.statements.insert(text.to_owned(), s.clone());
        Ok(s)
    }

    pub(crate) fn query(&mut self, text: &str, params: Params<'_>) -> StoreResult<Vec<Row>> {
        let s = self.statement(text)?;
        self.client.query(&s, params).map_err(sql)
    }

    /// The first row, if any.
    pub(crate) fn opt(&mut self, text: &str, params: Params<'_>) -> StoreResult<Option<Row>> {
        Ok(self.query(text, params)?.into_iter().next())
    }

    /// Exactly one row.
    pub(crate) fn one(&mut self, text: &str, params: Params<'_>) -> StoreResult<Row> {
        self.opt(text, params)?.ok_or_else(|| StoreError::Other(format!("no row from {text}").into()))
    }

    /// The number of rows changed.
    pub(crate) fn execute(&mut self, text: &str, params: Params<'_>) -> StoreResult<u64> {
        let s = self.statement(text)?;
        self.client.execute(&s, params).map_err(sql)
    }

    /// Statements without parameters, sent as they are (no preparation).
    pub(crate) fn batch(&mut self, text: &str) -> StoreResult<()> {
        self.client.batch_execute(text).map_err(sql)
    }

    /// Opens a REPEATABLE READ READ ONLY transaction and returns the config generation its
    /// snapshot sees, in one round trip (the simple protocol takes both statements at once).
    pub(crate) fn begin_snapshot(&mut self) -> StoreResult<i64> {
        let generation = self
            .client
            .simple_query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT value FROM config_generation WHERE id = 1")
            .map_err(sql)
            .and_then(|messages| {
                messages
                    .iter()
                    .find_map(|m| match m {
                        postgres::SimpleQueryMessage::Row(row) => row.get(0).and_then(|v| v.parse::<i64>().ok()),
                        _ => None,
                    })
                    .ok_or_else(|| StoreError::Corrupt("no config generation in the database".into()))
            });
        if generation.is_err() {
            // Whatever failed, the connection goes back to the pool outside any transaction.
            let _ = self.batch("ROLLBACK");
        }
        generation
    }

    /// Runs `f` inside a transaction, committed if it succeeds and rolled back if not.
    pub(crate) fn transaction<T>(&mut self, f: impl FnOnce(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
        self.batch("BEGIN")?;
        match f(self) {
            Ok(v) => {
                self.batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                // A broken connection cannot roll back; the server ends its transaction anyway.
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// A column of a row; a type that does not match is a damaged database, never a panic.
pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> StoreResult<T> {
    row.try_get(i).map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
}

pub(crate) struct Manager {
    pub(crate) config: postgres::Config,
    pub(crate) tls: tokio_postgres_rustls::MakeRustlsConnect,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        Ok(Conn { client: self.config.connect(self.tls.clone())?, statements: HashMap::new() })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(drop)
    }

    /// A client whose connection failed (the server restarted, the network dropped) is closed
    /// and dropped from the pool; the next checkout connects afresh.
    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}

pub(crate) type Pooled = r2d2::PooledConnection<Manager>;

thread_local! {
    /// The [`ReadScope::read_together`] running on this thread, if any.
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

struct Scope {
    /// Which store it belongs to (another store's reads on this thread go their own way).
    store: usize,
    /// The connection holding the read transaction; taken out while a read runs on it.
    conn: Option<Pooled>,
    /// The config generation of the snapshot, once read.
    config_generation: Option<i64>,
}

impl Health for PostgresStore {
    /// Waits at most a second for a connection: a balancer's health check must not hang
    /// while the database is down.
    fn ping(&self) -> StoreResult<()> {
        let mut conn = self.pool.get_timeout(std::time::Duration::from_secs(1)).map_err(pool_error)?;
        conn.batch("SELECT 1")
    }

    fn pool_use(&self) -> Option<PoolUse> {
        let state = self.pool.state();
        Some(PoolUse { open: state.connections, idle: state.idle_connections, max: self.pool.max_size() })
    }
}

impl ReadScope for PostgresStore {
    fn read_together(&self, f: &mut dyn FnMut()) {
        if SCOPE.with_borrow(Option::is_some) {
            return f();
        }
        // Without a connection each read reports the failure itself.
        let Ok(mut conn) = self.conn() else { return f() };
        // Every call in a scope reads the config generation first (its pool comes from the
        // cache): asked in the same round trip as BEGIN, it is one trip to the database, not two.
        let Ok(generation) = conn.begin_snapshot() else { return f() };
        SCOPE.with_borrow_mut(|s| *s = Some(Scope { store: self.id(), conn: Some(conn), config_generation: Some(generation) }));
        /// Ends the transaction even if `f` panics.
        struct End;
        impl Drop for End {
            fn drop(&mut self) {
                if let Some(Scope { conn: Some(mut conn), .. }) = SCOPE.with_borrow_mut(Option::take) {
                    let _ = conn.batch("COMMIT");
                }
            }
        }
        let _end = End;
        f();
    }

    fn reads_are_local(&self) -> bool {
        false
    }
}

impl PostgresStore {
    pub(crate) fn conn(&self) -> StoreResult<Pooled> {
        self.pool.get().map_err(pool_error)
    }

    /// Runs `f` in a transaction of its own connection, committed if `f` succeeds.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
        self.conn()?.transaction(f)
    }

    /// Runs one statement on its own (a single statement is its own transaction).
    pub(crate) fn write_one(&self, text: &str, params: Params<'_>) -> StoreResult<u64> {
        self.conn()?.execute(text, params)
    }

    /// Runs `f` on this thread's [`ReadScope::read_together`] connection if it is this store's,
    /// else on a connection of its own. A read on a pooled connection that turns out to be
    /// closed (the database restarted since it was last used) is tried once more on a new one,
    /// so a restart costs no failed reads.
    pub(crate) fn read<T>(&self, f: impl Fn(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
        if let Some(mut conn) = self.own_scope(|s| s.conn.take()).flatten() {
            let out = f(&mut conn);
            SCOPE.with_borrow_mut(|s| {
                if let Some(s) = s.as_mut() {
                    s.conn = Some(conn);
                }
            });
            return out;
        }
        let mut conn = self.conn()?;
        match f(&mut conn) {
            Err(_) if conn.client.is_closed() => {
                drop(conn);
                let mut fresh = self.conn()?;
                f(&mut fresh)
            }
            out => out,
        }
    }

    /// The config generation as `conn` sees it; read once per [`ReadScope::read_together`].
    pub(crate) fn config_generation(&self, conn: &mut Conn) -> StoreResult<i64> {
        if let Some(generation) = self.own_scope(|s| s.config_generation).flatten() {
            return Ok(generation);
        }
        let generation = get(&conn.one("SELECT value FROM config_generation WHERE id = 1", &[])?, 0)?;
        self.own_scope(|s| s.config_generation = Some(generation));
        Ok(generation)
    }

    fn id(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    fn own_scope<T>(&self, f: impl FnOnce(&mut Scope) -> T) -> Option<T> {
        SCOPE.with_borrow_mut(|s| s.as_mut().filter(|s| s.store == self.id()).map(f))
    }
}

/// Changes the config generation, inside the transaction of a write to pools or clients.
pub(crate) fn bump_config_generation(c: &mut Conn) -> StoreResult<()> {
    c.execute("UPDATE config_generation SET value = (random() * 9e18)::bigint WHERE id = 1", &[]).map(drop)
}
