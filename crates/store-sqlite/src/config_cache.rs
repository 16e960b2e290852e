//! User pools and app clients as last decoded, kept while the database's config generation
//! stays the same. Every call made with a token needs its pool and client; reading their
//! rows and parsing their JSON was a fifth of GetUser's CPU, reading the generation is one
//! small row.
//!
//! The generation is a random value that triggers change with every write to either table,
//! by any process (migration 0006). It is read before the rows it stamps, so what is kept
//! under a generation is never older than it.
//!
//! They are handed out shared (`Arc`): copying a pool's settings (its schema, policies,
//! messages) for every call, and freeing the copy, was 7% of GetUser's CPU.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pooldesk_core::store::{AppClient, StoreError, UserPool};
use rusqlite::Connection;

use crate::error::sql;
use crate::pool::lock;

/// Entries kept of each kind: past it the cache starts over (a server has a few pools).
const MAX_ENTRIES: usize = 256;

#[derive(Default)]
pub(crate) struct ConfigCache {
    pools: Mutex<Kept<UserPool>>,
    clients: Mutex<Kept<AppClient>>,
}

struct Kept<T> {
    generation: Option<i64>,
    items: HashMap<String, Arc<T>>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept { generation: None, items: HashMap::new() }
    }
}

impl<T> Kept<T> {
    fn get(&self, generation: i64, id: &str) -> Option<Arc<T>> {
        if self.generation != Some(generation) {
            return None;
        }
        self.items.get(id).cloned()
    }

    fn keep(&mut self, generation: i64, id: &str, item: &Arc<T>) {
        if self.generation != Some(generation) || self.items.len() >= MAX_ENTRIES {
            self.items.clear();
            self.generation = Some(generation);
        }
        self.items.insert(id.to_owned(), Arc::clone(item));
    }
}

/// The current config generation, as `conn` sees the database (see
/// `SqliteStore::config_generation`, which reads it once per scope).
pub(crate) fn generation(conn: &Connection) -> Result<i64, StoreError> {
    conn.prepare_cached("SELECT value FROM config_generation WHERE id = 1").and_then(|mut s| s.query_row([], |r| r.get(0))).map_err(sql)
}

impl ConfigCache {
    pub(crate) fn pool(&self, generation: i64, id: &str) -> Option<Arc<UserPool>> {
        lock(&self.pools).get(generation, id)
    }

    pub(crate) fn keep_pool(&self, generation: i64, pool: &Arc<UserPool>) {
        lock(&self.pools).keep(generation, &pool.id, pool);
    }

    pub(crate) fn client(&self, generation: i64, client_id: &str) -> Option<Arc<AppClient>> {
        lock(&self.clients).get(generation, client_id)
    }

    pub(crate) fn keep_client(&self, generation: i64, client: &Arc<AppClient>) {
        lock(&self.clients).keep(generation, &client.client_id, client);
    }

    /// Forgets everything (the database was replaced).
    pub(crate) fn clear(&self) {
        *lock(&self.pools) = Kept::default();
        *lock(&self.clients) = Kept::default();
    }
}
