//! This database's secrets under its master key: finding the key when the store opens, and
//! rotating it. How a value is sealed, and where keys are kept, is [`pooldesk_core::sealed`].

use std::sync::Arc;

use pooldesk_core::sealed::{self, KEY_CHECK, KeyVault, Reseal, Sealer, Unlocked};
use pooldesk_core::store::StoreError;
use pooldesk_core::store_shared::{TOTP_FIELDS, from_json, places};

use crate::PostgresStore;
use crate::pool::{Conn, get};

/// How many secrets a pass over the database sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SealedCount(pub usize);

impl PostgresStore {
    pub(crate) fn sealer(&self) -> Arc<Sealer> {
        self.sealer.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Re-seals every secret under a new master key ([`sealed::rotate`]). Every server using
    /// the database must restart with the new key.
    pub fn rotate_master_key(&self, vault: &dyn KeyVault) -> Result<SealedCount, StoreError> {
        let (new, count) = sealed::rotate(vault, &self.sealer(), |f, check| {
            self.write(|c| {
                let count = reseal(c, f)?;
                c.execute("UPDATE server_secrets SET value = $2 WHERE name = $1", &[&KEY_CHECK, &check])?;
                Ok(count)
            })
        })?;
        *self.sealer.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(new);
        Ok(SealedCount(count))
    }
}

/// Finds the sealer for this database ([`sealed::unlock`]); a new database gets its check row.
pub(crate) fn unlock(conn: &mut Conn, vault: &dyn KeyVault) -> Result<Sealer, StoreError> {
    let check: Option<Vec<u8>> =
        conn.opt("SELECT value FROM server_secrets WHERE name = $1", &[&KEY_CHECK])?.map(|row| get(&row, 0)).transpose()?;
    match sealed::unlock(check.as_deref(), vault)? {
        Unlocked::Known(sealer) => Ok(sealer),
        Unlocked::New { sealer, check } => {
            // Two servers opening a new database together: the first check row stays, and
            // the loser must hold the same key.
            conn.execute("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", &[&KEY_CHECK, &check])?;
            let stored: Vec<u8> = get(&conn.one("SELECT value FROM server_secrets WHERE name = $1", &[&KEY_CHECK])?, 0)?;
            if sealed::opens_check(&sealer, &stored) {
                Ok(sealer)
            } else {
                Err(StoreError::Other(
                    format!("this database's secrets are sealed under a master key that {} does not hold", vault.describe()).into(),
                ))
            }
        }
    }
}

/// Rewrites every secret in the database with `f(place, stored)` (`None`: leave it).
fn reseal(c: &mut Conn, f: Reseal<'_>) -> Result<usize, StoreError> {
    let mut count = 0;
    for row in c.query("SELECT kid, private_der FROM signing_keys", &[])? {
        let (kid, value): (String, Vec<u8>) = (get(&row, 0)?, get(&row, 1)?);
        if let Some(new) = f(&places::signing_key(&kid), &value)? {
            c.execute("UPDATE signing_keys SET private_der = $2 WHERE kid = $1", &[&kid, &new])?;
            count += 1;
        }
    }
    for row in c.query("SELECT name, value FROM server_secrets WHERE name <> $1", &[&KEY_CHECK])? {
        let (name, value): (String, Vec<u8>) = (get(&row, 0)?, get(&row, 1)?);
        if let Some(new) = f(&places::server_secret(&name), &value)? {
            c.execute("UPDATE server_secrets SET value = $2 WHERE name = $1", &[&name, &new])?;
            count += 1;
        }
    }
    // TEXT columns hold the sealed bytes in their text form.
    let mut text = |c: &mut Conn, select: &str, update: &str, place: &dyn Fn(&postgres::Row) -> Result<String, StoreError>| {
        for row in c.query(select, &[])? {
            let (id, value): (String, String) = (get(&row, 0)?, get(&row, 1)?);
            if let Some(new) = f(&place(&row)?, &sealed::bytes_of(&value)?)? {
                c.execute(update, &[&id, &sealed::text_of(&new)])?;
                count += 1;
            }
        }
        Ok::<_, StoreError>(())
    };
    text(
        c,
        "SELECT client_id, secret FROM user_pool_clients WHERE secret IS NOT NULL",
        "UPDATE user_pool_clients SET secret = $2 WHERE client_id = $1",
        &|row| Ok(places::client_secret(&get::<String>(row, 0)?)),
    )?;
    text(
        c,
        "SELECT client_id, secrets FROM user_pool_clients WHERE secrets IS NOT NULL",
        "UPDATE user_pool_clients SET secrets = $2 WHERE client_id = $1",
        &|row| Ok(places::client_secret(&get::<String>(row, 0)?)),
    )?;
    text(c, "SELECT id, secret FROM access_keys", "UPDATE access_keys SET secret = $2 WHERE id = $1", &|row| {
        Ok(places::access_key(&get::<String>(row, 0)?))
    })?;
    text(
        c,
        "SELECT pool_id || '/' || name, secrets, pool_id, name FROM identity_providers WHERE secrets IS NOT NULL",
        "UPDATE identity_providers SET secrets = $2 WHERE pool_id || '/' || name = $1",
        &|row| Ok(places::provider(&get::<String>(row, 2)?, &get::<String>(row, 3)?)),
    )?;
    for row in c.query("SELECT id, pool_id, sub, data FROM users WHERE data LIKE '%totp_secret%'", &[])? {
        let (id, pool_id, sub, data): (i64, String, String, String) = (get(&row, 0)?, get(&row, 1)?, get(&row, 2)?, get(&row, 3)?);
        let mut doc: serde_json::Value = from_json(&data)?;
        let mut changed = false;
        for field in TOTP_FIELDS {
            let Some(serde_json::Value::String(stored)) = doc.pointer_mut(&format!("/mfa/{field}")) else { continue };
            if let Some(new) = f(&places::totp(&pool_id, &sub, field), &sealed::bytes_of(stored)?)? {
                *stored = sealed::text_of(&new);
                changed = true;
                count += 1;
            }
        }
        if changed {
            c.execute("UPDATE users SET data = $2 WHERE id = $1", &[&id, &doc.to_string()])?;
        }
    }
    Ok(count)
}
