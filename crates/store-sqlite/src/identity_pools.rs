//! `IdentityStore`: identity pools, identities and their logins, server-held secrets.

use pooldesk_core::store::{IdentityPoolRecord, IdentityRecord, IdentityStore, Page, SamlProviderRecord, StoreError, StoreResult};
use rusqlite::{OptionalExtension, Row, params};

use crate::SqliteStore;
use crate::error::{json_err, sql};
use crate::pool::execute;
use crate::secrets::stored_server_secret;
use pooldesk_core::store_shared::{places, to_json};

type PoolRow = (String, String, String, String, i64, i64);

fn pool_from(r: &Row<'_>) -> rusqlite::Result<PoolRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn to_pool((id, config, roles, tag_maps, created_ms, modified_ms): PoolRow) -> StoreResult<IdentityPoolRecord> {
    Ok(IdentityPoolRecord {
        id,
        config: serde_json::from_str(&config).map_err(json_err)?,
        roles: serde_json::from_str(&roles).map_err(json_err)?,
        tag_maps: serde_json::from_str(&tag_maps).map_err(json_err)?,
        created_ms,
        modified_ms,
    })
}

const POOL_COLUMNS: &str = "id, config, roles, tag_maps, created_ms, modified_ms";

const SAML_COLUMNS: &str = "arn, metadata, tags, uuid, created_ms, modified_ms";

fn saml_provider_from(r: &Row<'_>) -> rusqlite::Result<(SamlProviderRecord, String)> {
    let provider = SamlProviderRecord {
        arn: r.get(0)?,
        metadata: r.get(1)?,
        tags: Vec::new(),
        uuid: r.get(3)?,
        created_ms: r.get(4)?,
        modified_ms: r.get(5)?,
    };
    Ok((provider, r.get(2)?))
}

fn with_tags((mut provider, tags): (SamlProviderRecord, String)) -> StoreResult<SamlProviderRecord> {
    provider.tags = serde_json::from_str(&tags).map_err(json_err)?;
    Ok(provider)
}

fn logins_of(c: &rusqlite::Connection, identity_id: &str) -> StoreResult<Vec<(String, String)>> {
    let mut s =
        c.prepare_cached("SELECT provider, subject FROM identity_logins WHERE identity_id = ?1 ORDER BY provider, subject").map_err(sql)?;
    let rows = s.query_map([identity_id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(sql)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
}

fn insert_logins(tx: &rusqlite::Transaction<'_>, pool_id: &str, identity_id: &str, logins: &[(String, String)]) -> StoreResult<()> {
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO identity_logins (pool_id, provider, subject, identity_id) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (pool_id, provider, subject) DO UPDATE SET identity_id = identity_id WHERE identity_id = excluded.identity_id",
        )
        .map_err(sql)?;
    for (provider, subject) in logins {
        if insert.execute(params![pool_id, provider, subject, identity_id]).map_err(sql)? == 0 {
            return Err(StoreError::Conflict(format!("the login {provider} is linked to another identity")));
        }
    }
    Ok(())
}

impl IdentityStore for SqliteStore {
    fn create_identity_pool(&self, p: &IdentityPoolRecord) -> StoreResult<()> {
        let (config, roles, tag_maps) = (to_json(&p.config)?, to_json(&p.roles)?, to_json(&p.tag_maps)?);
        self.write(|tx| {
            execute(
                tx,
                &format!("INSERT INTO identity_pools ({POOL_COLUMNS}, name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
                params![p.id, config, roles, tag_maps, p.created_ms, p.modified_ms, p.config.identity_pool_name],
            )?;
            Ok(())
        })
    }

    fn get_identity_pool(&self, id: &str) -> StoreResult<Option<IdentityPoolRecord>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {POOL_COLUMNS} FROM identity_pools WHERE id = ?1"))
                .and_then(|mut s| s.query_row([id], pool_from).optional())
                .map_err(sql)?
                .map(to_pool)
                .transpose()
        })
    }

    fn list_identity_pools(&self, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityPoolRecord>> {
        let mut items = self.read(|c| {
            let mut s =
                c.prepare_cached(&format!("SELECT {POOL_COLUMNS} FROM identity_pools WHERE id > ?1 ORDER BY id LIMIT ?2")).map_err(sql)?;
            let rows = s.query_map(params![after.unwrap_or(""), (limit + 1) as i64], pool_from).map_err(sql)?;
            rows.map(|r| r.map_err(sql).and_then(to_pool)).collect::<StoreResult<Vec<_>>>()
        })?;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|p| p.id.clone())
        } else {
            None
        };
        Ok(Page { items, next })
    }

    fn update_identity_pool(&self, p: &IdentityPoolRecord) -> StoreResult<()> {
        let (config, roles, tag_maps) = (to_json(&p.config)?, to_json(&p.roles)?, to_json(&p.tag_maps)?);
        self.write(|tx| {
            execute(
                tx,
                "UPDATE identity_pools SET name = ?2, config = ?3, roles = ?4, tag_maps = ?5, modified_ms = ?6 WHERE id = ?1",
                params![p.id, p.config.identity_pool_name, config, roles, tag_maps, p.modified_ms],
            )?;
            Ok(())
        })
    }

    fn delete_identity_pool(&self, id: &str) -> StoreResult<bool> {
        self.write(|tx| {
            execute(tx, "DELETE FROM identity_logins WHERE pool_id = ?1", [id])?;
            Ok(execute(tx, "DELETE FROM identity_pools WHERE id = ?1", [id])? > 0)
        })
    }

    fn identity_for_login(&self, pool_id: &str, provider: &str, subject: &str) -> StoreResult<Option<String>> {
        self.read(|c| {
            c.prepare_cached("SELECT identity_id FROM identity_logins WHERE pool_id = ?1 AND provider = ?2 AND subject = ?3")
                .and_then(|mut s| s.query_row([pool_id, provider, subject], |r| r.get(0)).optional())
                .map_err(sql)
        })
    }

    fn create_identity(&self, i: &IdentityRecord) -> StoreResult<()> {
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO identities (id, pool_id, created_ms, modified_ms) VALUES (?1, ?2, ?3, ?4)",
                params![i.id, i.pool_id, i.created_ms, i.modified_ms],
            )?;
            insert_logins(tx, &i.pool_id, &i.id, &i.logins)
        })
    }

    fn link_logins(&self, pool_id: &str, identity_id: &str, logins: &[(String, String)], now_ms: i64) -> StoreResult<()> {
        self.write(|tx| {
            insert_logins(tx, pool_id, identity_id, logins)?;
            execute(tx, "UPDATE identities SET modified_ms = ?2 WHERE id = ?1", params![identity_id, now_ms])?;
            Ok(())
        })
    }

    fn unlink_login(&self, pool_id: &str, identity_id: &str, provider: &str, subject: &str) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "DELETE FROM identity_logins WHERE pool_id = ?1 AND provider = ?2 AND subject = ?3 AND identity_id = ?4",
                    [pool_id, provider, subject, identity_id],
                )
                .map_err(sql)?;
            Ok(n > 0)
        })
    }

    fn merge_identities(&self, from: &str, to: &str, now_ms: i64) -> StoreResult<()> {
        self.write(|tx| {
            execute(tx, "UPDATE identity_logins SET identity_id = ?2 WHERE identity_id = ?1", [from, to])?;
            // Datasets follow as Cognito's merged datasets, their records with them (ON UPDATE CASCADE).
            execute(tx, "DELETE FROM sync_datasets WHERE identity_id = ?1 AND deleted", [from])?;
            execute(tx, "UPDATE sync_datasets SET identity_id = ?2, name = name || '.' || ?1 WHERE identity_id = ?1", [from, to])?;
            execute(tx, "DELETE FROM identities WHERE id = ?1", [from])?;
            execute(tx, "UPDATE identities SET modified_ms = ?2 WHERE id = ?1", params![to, now_ms])?;
            Ok(())
        })
    }

    fn get_identity(&self, id: &str) -> StoreResult<Option<IdentityRecord>> {
        self.read(|c| {
            let row: Option<(String, String, i64, i64)> = c
                .prepare_cached("SELECT id, pool_id, created_ms, modified_ms FROM identities WHERE id = ?1")
                .and_then(|mut s| s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).optional())
                .map_err(sql)?;
            match row {
                Some((id, pool_id, created_ms, modified_ms)) => {
                    let logins = logins_of(c, &id)?;
                    Ok(Some(IdentityRecord { id, pool_id, logins, created_ms, modified_ms }))
                }
                None => Ok(None),
            }
        })
    }

    fn list_identities(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityRecord>> {
        let mut items = self.read(|c| {
            let rows: Vec<(String, String, i64, i64)> = {
                let mut s = c
                    .prepare_cached(
                        "SELECT id, pool_id, created_ms, modified_ms FROM identities WHERE pool_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                    )
                    .map_err(sql)?;
                let rows = s
                    .query_map(params![pool_id, after.unwrap_or(""), (limit + 1) as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })
                    .map_err(sql)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)?
            };
            rows.into_iter()
                .map(|(id, pool_id, created_ms, modified_ms)| {
                    let logins = logins_of(c, &id)?;
                    Ok(IdentityRecord { id, pool_id, logins, created_ms, modified_ms })
                })
                .collect::<StoreResult<Vec<_>>>()
        })?;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|i| i.id.clone())
        } else {
            None
        };
        Ok(Page { items, next })
    }

    fn delete_identity(&self, id: &str) -> StoreResult<bool> {
        self.write(|tx| Ok(execute(tx, "DELETE FROM identities WHERE id = ?1", [id])? > 0))
    }

    fn create_saml_provider(&self, p: &SamlProviderRecord) -> StoreResult<()> {
        let tags = to_json(&p.tags)?;
        self.write(|tx| {
            execute(
                tx,
                &format!("INSERT INTO saml_providers ({SAML_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
                params![p.arn, p.metadata, tags, p.uuid, p.created_ms, p.modified_ms],
            )?;
            Ok(())
        })
    }

    fn get_saml_provider(&self, arn: &str) -> StoreResult<Option<SamlProviderRecord>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {SAML_COLUMNS} FROM saml_providers WHERE arn = ?1"))
                .and_then(|mut s| s.query_row([arn], saml_provider_from).optional())
                .map_err(sql)?
                .map(with_tags)
                .transpose()
        })
    }

    fn list_saml_providers(&self) -> StoreResult<Vec<SamlProviderRecord>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!("SELECT {SAML_COLUMNS} FROM saml_providers ORDER BY arn")).map_err(sql)?;
            let rows = s.query_map([], saml_provider_from).map_err(sql)?;
            rows.map(|r| r.map_err(sql).and_then(with_tags)).collect()
        })
    }

    fn update_saml_provider(&self, p: &SamlProviderRecord) -> StoreResult<bool> {
        let tags = to_json(&p.tags)?;
        self.write(|tx| {
            Ok(execute(
                tx,
                "UPDATE saml_providers SET metadata = ?2, tags = ?3, modified_ms = ?4 WHERE arn = ?1",
                params![p.arn, p.metadata, tags, p.modified_ms],
            )? > 0)
        })
    }

    fn delete_saml_provider(&self, arn: &str) -> StoreResult<bool> {
        self.write(|tx| Ok(execute(tx, "DELETE FROM saml_providers WHERE arn = ?1", [arn])? > 0))
    }

    fn server_secret_names(&self) -> StoreResult<Vec<String>> {
        self.read(|c| {
            let mut s = c.prepare_cached("SELECT name FROM server_secrets WHERE name != ?1 ORDER BY name").map_err(sql)?;
            let rows = s.query_map([crate::secrets::KEY_CHECK], |r| r.get(0)).map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })
    }

    fn server_secret(&self, name: &str, make: &dyn Fn() -> Vec<u8>) -> StoreResult<Vec<u8>> {
        let place = places::server_secret(name);
        let sealer = self.sealer();
        let stored = self.read(|c| stored_server_secret(c, name).map_err(sql))?;
        let sealed = match stored {
            Some(v) => v,
            None => {
                let fresh = sealer.seal(&place, &make())?;
                self.write(|tx| {
                    // Another writer may have created it first: keep theirs, return what is stored.
                    execute(tx, "INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?1, ?2)", params![name, fresh])?;
                    tx.query_row("SELECT value FROM server_secrets WHERE name = ?1", [name], |r| r.get(0)).map_err(sql)
                })?
            }
        };
        sealer.open(&place, &sealed)
    }
}
