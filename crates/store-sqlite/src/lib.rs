//! PoolDesk's storage ports (`pooldesk_core::store`) on SQLite.
//!
//! # Layout
//! - this file: [`SqliteStore`], [`SqliteStore::open`], and the re-exports other crates use.
//! - `pool`: the connections: opening one (PRAGMAs, [`Durability`]), the writer, the idle
//!   readers, the read transaction of a [`ReadScope`](pooldesk_core::store::ReadScope), and
//!   `execute`, which runs a statement through the connection's cache.
//! - `error`: `sql`, the one function that turns `rusqlite::Error` into `StoreError`, and
//!   `json_err` for a stored document that does not parse.
//! - `migrations`: the schema, forward-only versions in `../migrations/NNNN_name.sql`,
//!   tracked in `user_version`.
//! - `secrets`: this database's secrets under its master key: unlocking it on open (sealing
//!   what was plain), rotating it, and the pass that re-seals every secret.
//! - secrets at rest are sealed by [`pooldesk_core::sealed`] under a master key kept outside
//!   the database.
//! - `backup`: online backups, checked restores and the integrity check.
//! - `user_pools`, `users`, `identity_pools`, `misc`: the trait implementations, one module
//!   per area.
//! - `config_cache`: the config generation that says whether pools and clients kept decoded
//!   ([`pooldesk_core::store_shared::ConfigCache`]) are still current.
//!
//! One writer connection serialises writes (SQLite allows one writer at a time anyway, and
//! waiting on a mutex is cheaper than on `SQLITE_BUSY`); readers come from a small pool and
//! run concurrently thanks to WAL. No rusqlite type leaves this crate.

mod backup;
mod config_cache;
mod error;
mod identity_pools;
mod migrations;
mod misc;
mod pool;
mod secrets;
mod sync;
mod user_pools;
mod users;

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use migrations::migrate;
pub use pool::Durability;
use pool::open_connection;
use pooldesk_core::sealed::Sealer;
use pooldesk_core::store::StoreError;
use rusqlite::Connection;
// Sealing is core's, so every store keeps secrets the same way; re-exported for the callers that open a store.
pub use pooldesk_core::sealed::{self, GivenKey, KeyFile, KeyVault, MasterKey};
pub use secrets::SealedCount;
use secrets::unlock;

pub struct SqliteStore {
    path: String,
    durability: Durability,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    sealer: RwLock<Arc<Sealer>>,
    configs: pooldesk_core::store_shared::ConfigCache,
}

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
            configs: Default::default(),
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}
