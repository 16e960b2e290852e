//! `IdentityStore`: identity pools, identities and their logins, IAM's SAML providers, and
//! server-held secrets.

use pooldesk_core::sealed::KEY_CHECK;
use pooldesk_core::store::{IdentityPoolRecord, IdentityRecord, IdentityStore, Page, SamlProviderRecord, StoreError, StoreResult};
use pooldesk_core::store_shared::{from_json, page, places, to_json};
use postgres::Row;

use crate::PostgresStore;
use crate::pool::{Conn, get};
use crate::user_pools::fetch;

const POOL_COLUMNS: &str = "id, config, roles, tag_maps, created_ms, modified_ms";

fn to_pool(r: &Row) -> StoreResult<IdentityPoolRecord> {
    Ok(IdentityPoolRecord {
        id: get(r, 0)?,
        config: from_json(get(r, 1)?)?,
        roles: from_json(get(r, 2)?)?,
        tag_maps: from_json(get(r, 3)?)?,
        created_ms: get(r, 4)?,
        modified_ms: get(r, 5)?,
    })
}

const SAML_COLUMNS: &str = "arn, metadata, tags, uuid, created_ms, modified_ms";

fn to_saml_provider(r: &Row) -> StoreResult<SamlProviderRecord> {
    Ok(SamlProviderRecord {
        arn: get(r, 0)?,
        metadata: get(r, 1)?,
        tags: from_json(get(r, 2)?)?,
        uuid: get(r, 3)?,
        created_ms: get(r, 4)?,
        modified_ms: get(r, 5)?,
    })
}

/// Identities with their logins, from rows of (id, pool_id, created_ms, modified_ms).
fn with_logins(c: &mut Conn, rows: &[Row]) -> StoreResult<Vec<IdentityRecord>> {
    let ids = rows.iter().map(|r| get::<String>(r, 0)).collect::<StoreResult<Vec<_>>>()?;
    let mut logins = std::collections::HashMap::<String, Vec<(String, String)>>::new();
    for r in c.query(
        "SELECT identity_id, provider, subject FROM identity_logins WHERE identity_id = ANY($1) ORDER BY identity_id, provider, subject",
        &[&ids],
    )? {
        logins.entry(get(&r, 0)?).or_default().push((get(&r, 1)?, get(&r, 2)?));
    }
    rows.iter()
        .zip(ids)
        .map(|(r, id)| {
            let logins = logins.remove(&id).unwrap_or_default();
            Ok(IdentityRecord { id, pool_id: get(r, 1)?, logins, created_ms: get(r, 2)?, modified_ms: get(r, 3)? })
        })
        .collect()
}

fn insert_logins(c: &mut Conn, pool_id: &str, identity_id: &str, logins: &[(String, String)]) -> StoreResult<()> {
    for (provider, subject) in logins {
        // Linking a login again to the same identity is no change; to another, a conflict.
        let row = c.opt(
            "INSERT INTO identity_logins (pool_id, provider, subject, identity_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (pool_id, provider, subject) DO UPDATE SET identity_id = identity_logins.identity_id
             WHERE identity_logins.identity_id = excluded.identity_id RETURNING 1",
            &[&pool_id, provider, subject, &identity_id],
        )?;
        if row.is_none() {
            return Err(StoreError::Conflict(format!("the login {provider} is linked to another identity")));
        }
    }
    Ok(())
}

impl IdentityStore for PostgresStore {
    fn create_identity_pool(&self, p: &IdentityPoolRecord) -> StoreResult<()> {
        let (config, roles, tag_maps) = (to_json(&p.config)?, to_json(&p.roles)?, to_json(&p.tag_maps)?);
        self.write_one(
            &format!("INSERT INTO identity_pools ({POOL_COLUMNS}, name) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
            &[&p.id, &config, &roles, &tag_maps, &p.created_ms, &p.modified_ms, &p.config.identity_pool_name],
        )
        .map(drop)
    }

    fn get_identity_pool(&self, id: &str) -> StoreResult<Option<IdentityPoolRecord>> {
        self.read(|c| c.opt(&format!("SELECT {POOL_COLUMNS} FROM identity_pools WHERE id = $1"), &[&id]))?.map(|r| to_pool(&r)).transpose()
    }

    fn list_identity_pools(&self, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityPoolRecord>> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {POOL_COLUMNS} FROM identity_pools WHERE id > $1 ORDER BY id LIMIT $2"),
                &[&after.unwrap_or(""), &fetch(limit)],
            )
        })?;
        Ok(page(rows.iter().map(to_pool).collect::<StoreResult<_>>()?, limit, |p| p.id.clone()))
    }

    fn update_identity_pool(&self, p: &IdentityPoolRecord) -> StoreResult<()> {
        let (config, roles, tag_maps) = (to_json(&p.config)?, to_json(&p.roles)?, to_json(&p.tag_maps)?);
        self.write_one(
            "UPDATE identity_pools SET name = $2, config = $3, roles = $4, tag_maps = $5, modified_ms = $6 WHERE id = $1",
            &[&p.id, &p.config.identity_pool_name, &config, &roles, &tag_maps, &p.modified_ms],
        )
        .map(drop)
    }

    fn delete_identity_pool(&self, id: &str) -> StoreResult<bool> {
        self.write(|c| {
            c.execute("DELETE FROM identity_logins WHERE pool_id = $1", &[&id])?;
            Ok(c.execute("DELETE FROM identity_pools WHERE id = $1", &[&id])? > 0)
        })
    }

    fn identity_for_login(&self, pool_id: &str, provider: &str, subject: &str) -> StoreResult<Option<String>> {
        self.read(|c| {
            c.opt(
                "SELECT identity_id FROM identity_logins WHERE pool_id = $1 AND provider = $2 AND subject = $3",
                &[&pool_id, &provider, &subject],
            )
        })?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn create_identity(&self, i: &IdentityRecord) -> StoreResult<()> {
        self.write(|c| {
            c.execute(
                "INSERT INTO identities (id, pool_id, created_ms, modified_ms) VALUES ($1, $2, $3, $4)",
                &[&i.id, &i.pool_id, &i.created_ms, &i.modified_ms],
            )?;
            insert_logins(c, &i.pool_id, &i.id, &i.logins)
        })
    }

    fn link_logins(&self, pool_id: &str, identity_id: &str, logins: &[(String, String)], now_ms: i64) -> StoreResult<()> {
        self.write(|c| {
            insert_logins(c, pool_id, identity_id, logins)?;
            c.execute("UPDATE identities SET modified_ms = $2 WHERE id = $1", &[&identity_id, &now_ms]).map(drop)
        })
    }

    fn unlink_login(&self, pool_id: &str, identity_id: &str, provider: &str, subject: &str) -> StoreResult<bool> {
        Ok(self.write_one(
            "DELETE FROM identity_logins WHERE pool_id = $1 AND provider = $2 AND subject = $3 AND identity_id = $4",
            &[&pool_id, &provider, &subject, &identity_id],
        )? > 0)
    }

    fn merge_identities(&self, from: &str, to: &str, now_ms: i64) -> StoreResult<()> {
        self.write(|c| {
            c.execute("UPDATE identity_logins SET identity_id = $2 WHERE identity_id = $1", &[&from, &to])?;
            // Datasets follow as Cognito's merged datasets, their records with them (ON UPDATE CASCADE).
            c.execute("DELETE FROM sync_datasets WHERE identity_id = $1 AND deleted", &[&from])?;
            c.execute("UPDATE sync_datasets SET identity_id = $2, name = name || '.' || $1 WHERE identity_id = $1", &[&from, &to])?;
            c.execute("DELETE FROM identities WHERE id = $1", &[&from])?;
            c.execute("UPDATE identities SET modified_ms = $2 WHERE id = $1", &[&to, &now_ms]).map(drop)
        })
    }

    fn get_identity(&self, id: &str) -> StoreResult<Option<IdentityRecord>> {
        self.read(|c| {
            let rows = c.query("SELECT id, pool_id, created_ms, modified_ms FROM identities WHERE id = $1", &[&id])?;
            Ok(with_logins(c, &rows)?.into_iter().next())
        })
    }

    fn list_identities(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityRecord>> {
        let items = self.read(|c| {
            let rows = c.query(
                "SELECT id, pool_id, created_ms, modified_ms FROM identities WHERE pool_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                &[&pool_id, &after.unwrap_or(""), &fetch(limit)],
            )?;
            with_logins(c, &rows)
        })?;
        Ok(page(items, limit, |i| i.id.clone()))
    }

    fn delete_identity(&self, id: &str) -> StoreResult<bool> {
        Ok(self.write_one("DELETE FROM identities WHERE id = $1", &[&id])? > 0)
    }

    fn create_saml_provider(&self, p: &SamlProviderRecord) -> StoreResult<()> {
        let tags = to_json(&p.tags)?;
        self.write_one(
            &format!("INSERT INTO saml_providers ({SAML_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"),
            &[&p.arn, &p.metadata, &tags, &p.uuid, &p.created_ms, &p.modified_ms],
        )
        .map(drop)
    }

    fn get_saml_provider(&self, arn: &str) -> StoreResult<Option<SamlProviderRecord>> {
        self.read(|c| c.opt(&format!("SELECT {SAML_COLUMNS} FROM saml_providers WHERE arn = $1"), &[&arn]))?
            .map(|r| to_saml_provider(&r))
            .transpose()
    }

    fn list_saml_providers(&self) -> StoreResult<Vec<SamlProviderRecord>> {
        self.read(|c| c.query(&format!("SELECT {SAML_COLUMNS} FROM saml_providers ORDER BY arn"), &[]))?
            .iter()
            .map(to_saml_provider)
            .collect()
    }

    fn update_saml_provider(&self, p: &SamlProviderRecord) -> StoreResult<bool> {
        let tags = to_json(&p.tags)?;
        Ok(self.write_one(
            "UPDATE saml_providers SET metadata = $2, tags = $3, modified_ms = $4 WHERE arn = $1",
            &[&p.arn, &p.metadata, &tags, &p.modified_ms],
        )? > 0)
    }

    fn delete_saml_provider(&self, arn: &str) -> StoreResult<bool> {
        Ok(self.write_one("DELETE FROM saml_providers WHERE arn = $1", &[&arn])? > 0)
    }

    fn server_secret_names(&self) -> StoreResult<Vec<String>> {
        let rows = self.read(|c| c.query("SELECT name FROM server_secrets WHERE name <> $1 ORDER BY name", &[&KEY_CHECK]))?;
        rows.iter().map(|r| get(r, 0)).collect()
    }

    fn server_secret(&self, name: &str, make: &dyn Fn() -> Vec<u8>) -> StoreResult<Vec<u8>> {
        let place = places::server_secret(name);
        let sealer = self.sealer();
        let stored: Option<Vec<u8>> =
            self.read(|c| c.opt("SELECT value FROM server_secrets WHERE name = $1", &[&name])?.map(|r| get(&r, 0)).transpose())?;
        let sealed = match stored {
            Some(v) => v,
            None => {
                let fresh = sealer.seal(&place, &make())?;
                // Another server may have made it first: keep theirs, use what is stored.
                let mut c = self.conn()?;
                c.execute("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", &[&name, &fresh])?;
                get(&c.one("SELECT value FROM server_secrets WHERE name = $1", &[&name])?, 0)?
            }
        };
        sealer.open(&place, &sealed)
    }
}
