//! Access keys: the credentials admin callers sign requests with (SigV4).

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::random;
use crate::store::{AccessKey, Store};

/// Makes sure the server has a root key. When the environment supplies one it is used as is
/// (kept in memory by the caller, never written); otherwise a key is generated on first start
/// and stored. Returns the generated key so the caller can show it once.
pub fn ensure_root_key(store: &dyn Store, clock: &dyn Clock) -> Result<Option<AccessKey>> {
    if !store.list_access_keys()?.is_empty() {
        return Ok(None);
    }
    let key = create_key(store, clock, "root (generated on first start)")?;
    Ok(Some(key))
}

pub fn create_key(store: &dyn Store, clock: &dyn Clock, description: &str) -> Result<AccessKey> {
    let (id, secret) = random::access_key()?;
    let key = AccessKey { id, secret, description: description.to_owned(), created_ms: clock.now_millis() };
    store.put_access_key(&key)?;
    Ok(key)
}

pub fn delete_key(store: &dyn Store, id: &str) -> Result<()> {
    if store.delete_access_key(id)? { Ok(()) } else { Err(Error::ResourceNotFound(format!("No access key {id}."))) }
}
