//! PoolDesk's storage ports (`pooldesk_core::store`) on PostgreSQL, so any number of stateless
//! `pooldesk serve` processes can share one database.
//!
//! # Layout
//! - this file: [`PostgresStore`], [`PostgresStore::open`].
//! - `pool`: the connection pool (r2d2), each connection's prepared statements, write
//!   transactions, and the snapshot of a [`ReadScope`](pooldesk_core::store::ReadScope).
//! - `error`: `sql`, the one function that turns a PostgreSQL error into `StoreError`.
//! - `migrations`: the schema, forward-only versions in `../migrations/NNNN_name.sql`.
//! - `tls`: TLS to the database with libpq's `sslmode` meanings (rustls).
//! - `secrets`: this database's secrets under its master key (sealed by
//!   [`pooldesk_core::sealed`], as on SQLite), rotation included.
//! - `user_pools`, `users`, `identity_pools`, `misc`: the trait implementations, one module
//!   per area, as in the SQLite store.
//!
//! Everything a server knows lives in the database: sessions, challenges, codes (inside the
//! user's row), used-once keys, audit rows. Each trait method is one transaction. What a
//! server keeps in memory is only a cache of decoded pools and clients, checked against the
//! database's config generation in every call, so a change made through one server is seen by
//! the others at once. No postgres type leaves this crate.

mod error;
mod identity_pools;
mod migrations;
mod misc;
mod pool;
mod secrets;
mod sync;
#[cfg(feature = "testkit")]
pub mod testdb;
pub mod tls;
mod user_pools;
mod users;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use pooldesk_core::sealed::{KeyVault, Sealer};
use pooldesk_core::store::{StoreError, StoreResult};
use pooldesk_core::store_shared::ConfigCache;

pub use secrets::SealedCount;

/// Connections a server keeps at most. A call that reads together holds one for its snapshot
/// and may take a second to write; `pooldesk serve` runs 16 calls at once.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 32;

pub struct PostgresStore {
    pool: r2d2::Pool<pool::Manager>,
    sealer: RwLock<Arc<Sealer>>,
    configs: ConfigCache,
    described: String,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db?...`, or
    /// libpq's `key=value` form), migrates it, and unlocks its secrets with the master key in
    /// `vault` (a new database gets the vault's key, or a new one saved there). Every server
    /// on one database needs the same key.
    pub fn open(url: &str, vault: &dyn KeyVault, max_connections: u32) -> Result<Self, StoreError> {
        let connection = tls::parse(url).map_err(|e| StoreError::Other(e.into()))?;
        let tls = connection.connector().map_err(|e| StoreError::Other(e.into()))?;
        let mut config = connection.config;
        if config.get_application_name().is_none() {
            config.application_name("pooldesk");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        let described = describe(&config);
        let manager = pool::Manager { config, tls };
        // The first connection is made here rather than through the pool, whose error says only
        // that it timed out: a refused password or certificate should say so.
        let mut first = r2d2::ManageConnection::connect(&manager)
            .map_err(|e| StoreError::Other(format!("connecting to {described}: {}", with_causes(&e)).into()))?;
        migrations::migrate(&mut first)?;
        let sealer = secrets::unlock(&mut first, vault)?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(max_connections.max(2))
            .min_idle(Some(0))
            // Checked when they fail instead (`has_broken`): a test query per checkout would
            // double the round trips of a point read.
            .test_on_check_out(false)
            // How long a call waits for a connection (all busy, or the database unreachable)
            // before it fails with an internal error.
            .connection_timeout(Duration::from_secs(3))
            .build_unchecked(manager);
        Ok(PostgresStore { pool, sealer: RwLock::new(Arc::new(sealer)), configs: ConfigCache::default(), described })
    }

    /// The database as `postgres://user@host:port/name`, never with its password.
    pub fn describe(&self) -> &str {
        &self.described
    }

    /// Refreshes the planner's statistics of the user tables, after a bulk import: until
    /// autovacuum gets to it, the planner prices the new rows from the old counts (a search at
    /// 20,000 fresh users cost 1.4 ms of database CPU instead of 0.2 ms).
    pub fn analyze_users(&self) -> StoreResult<()> {
        self.conn()?.batch("ANALYZE users, user_attribute_index")
    }
}

/// An error with its causes, `a: b: c` (the TLS handshake's reason is a cause, not the message).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}

fn describe(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    format!("postgres://{user}{host}:{port}/{}", config.get_dbname().unwrap_or_default())
}

/// Whether `target` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}
