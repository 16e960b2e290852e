//! The config generation: a random value that triggers change with every write to the pools
//! or app clients tables, by any process (migration 0006). While it stays the same, the pools
//! and clients kept decoded ([`pooldesk_core::store_shared::ConfigCache`]) are current.

use pooldesk_core::store::StoreError;
use rusqlite::Connection;

use crate::error::sql;

/// The current config generation, as `conn` sees the database (see
/// `SqliteStore::config_generation`, which reads it once per scope).
pub(crate) fn generation(conn: &Connection) -> Result<i64, StoreError> {
    conn.prepare_cached("SELECT value FROM config_generation WHERE id = 1").and_then(|mut s| s.query_row([], |r| r.get(0))).map_err(sql)
}
