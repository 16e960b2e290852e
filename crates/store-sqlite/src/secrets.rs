//! This database's secrets under its master key: finding the key when the store opens (and
//! sealing what an earlier PoolDesk stored in plain text), rotating it, and the pass over
//! every secret both need. How a value is sealed, and where keys are kept, is [`pooldesk_core::sealed`].

use std::sync::Arc;

use pooldesk_core::store::StoreError;
use rusqlite::{Connection, OptionalExtension as _, params};

use crate::error::sql;
use crate::{SqliteStore, users};
pub(crate) use pooldesk_core::sealed::KEY_CHECK;
use pooldesk_core::sealed::{self, KeyVault, Reseal, Sealer, Unlocked, is_sealed_blob, is_sealed_text};

impl SqliteStore {
    pub(crate) fn sealer(&self) -> Arc<Sealer> {
        self.sealer.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Re-seals every secret under a new master key ([`sealed::rotate`]). Servers using the
    /// database must restart with the new key.
    pub fn rotate_master_key(&self, vault: &dyn KeyVault) -> Result<SealedCount, StoreError> {
        let (new, count) = sealed::rotate(vault, &self.sealer(), |f, check| {
            self.write(|tx| {
                let SealedCount(count) = reseal(tx, f)?;
                tx.execute("UPDATE server_secrets SET value = ?2 WHERE name = ?1", params![KEY_CHECK, check]).map_err(sql)?;
                Ok(count)
            })
        })?;
        *self.sealer.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(new);
        Ok(SealedCount(count))
    }
}

/// How many secrets a pass over the database sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SealedCount(pub usize);

/// Finds the sealer for this database (see [`sealed::unlock`]); a database without a key
/// gets the vault's, and any secret an earlier PoolDesk stored in plain text is sealed now.
pub(crate) fn unlock(conn: &mut Connection, vault: &dyn KeyVault) -> Result<Sealer, StoreError> {
    let check = stored_server_secret(conn, KEY_CHECK).map_err(sql)?;
    let (sealer, check) = match sealed::unlock(check.as_deref(), vault)? {
        Unlocked::Known(sealer) => return Ok(sealer),
        Unlocked::New { sealer, check } => (sealer, check),
    };
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sql)?;
    let SealedCount(n) = reseal(&tx, &|place, plain| (!is_sealed_blob(plain)).then(|| sealer.seal(place, plain)).transpose())?;
    tx.execute("INSERT INTO server_secrets (name, value) VALUES (?1, ?2)", params![KEY_CHECK, check]).map_err(sql)?;
    tx.commit().map_err(sql)?;
    if n > 0 {
        // The plain text is still in freed pages and the WAL: rebuild the file without it.
        conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);").map_err(sql)?;
        tracing::info!("sealed {n} secrets stored in plain text by an earlier PoolDesk");
    }
    Ok(sealer)
}

/// The `server_secrets` row `name` as stored (sealed), if there is one.
pub(crate) fn stored_server_secret(conn: &Connection, name: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.prepare_cached("SELECT value FROM server_secrets WHERE name = ?1").and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
}

/// Rewrites every secret in the database with `f(place, stored)` (`None`: leave it). Secrets
/// are handled as bytes; TEXT columns hold sealed bytes in base64 after a prefix.
pub(crate) fn reseal(tx: &rusqlite::Transaction<'_>, f: Reseal<'_>) -> Result<SealedCount, StoreError> {
    let mut count = 0;
    // BLOB columns: (table, key column, secret column, place prefix).
    for (table, key, column) in [("signing_keys", "kid", "private_der"), ("server_secrets", "name", "value")] {
        let rows: Vec<(String, Vec<u8>)> = {
            let mut s = tx.prepare(&format!("SELECT {key}, {column} FROM {table} WHERE {key} != ?1")).map_err(sql)?;
            s.query_map([KEY_CHECK], |r| Ok((r.get(0)?, r.get(1)?))).map_err(sql)?.collect::<Result<_, _>>().map_err(sql)?
        };
        for (id, value) in rows {
            if let Some(new) = f(&format!("{table}:{id}"), &value)? {
                tx.execute(&format!("UPDATE {table} SET {column} = ?2 WHERE {key} = ?1"), params![id, new]).map_err(sql)?;
                count += 1;
            }
        }
    }
    // TEXT columns.
    for (table, key, column) in [
        ("user_pool_clients", "client_id", "secret"),
        ("user_pool_clients", "client_id", "secrets"),
        ("access_keys", "id", "secret"),
        ("identity_providers", "id", "secrets"),
    ] {
        let rows: Vec<(String, String)> = {
            let mut s = tx.prepare(&format!("SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL")).map_err(sql)?;
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(sql)?.collect::<Result<_, _>>().map_err(sql)?
        };
        for (id, value) in rows {
            let place = format!("{table}:{id}");
            let stored = text_as_bytes(&value)?;
            if let Some(new) = f(&place, &stored)? {
                tx.execute(&format!("UPDATE {table} SET {column} = ?2 WHERE {key} = ?1"), params![id, sealed::text_of(&new)])
                    .map_err(sql)?;
                count += 1;
            }
        }
    }
    count += users::reseal_totp(tx, f)?;
    Ok(SealedCount(count))
}

/// A TEXT secret as the bytes [`reseal`] works on: the sealed bytes, or the plain text.
pub(crate) fn text_as_bytes(value: &str) -> Result<Vec<u8>, StoreError> {
    if is_sealed_text(value) { sealed::bytes_of(value) } else { Ok(value.as_bytes().to_vec()) }
}
