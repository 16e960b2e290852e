//! `UserPoolStore`: pools, signing keys, app clients, groups.

use std::sync::Arc;

use pooldesk_core::store::{
    AppClient, Domain, Group, IdentityLink, IdentityProvider, ManagedLoginBranding, Page, ResourceServer, SigningKey, StoreError,
    StoreResult, Terms, UiCustomization, UserPool, UserPoolStore,
};
use pooldesk_core::store_shared::{client_secrets, open_provider, page, places, seal_provider, to_json};
use rusqlite::{OptionalExtension, Row, params};

use crate::SqliteStore;
use crate::error::{json_err, sql};
use crate::pool::execute;
use pooldesk_core::sealed::Sealer;

type PoolRow = (String, String, String, i64, i64);

fn pool_from(row: &Row<'_>) -> rusqlite::Result<PoolRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
}

fn to_pool((id, config, mfa_config, created_ms, modified_ms): PoolRow) -> StoreResult<UserPool> {
    Ok(UserPool {
        id,
        config: serde_json::from_str(&config).map_err(json_err)?,
        mfa_config: serde_json::from_str(&mfa_config).map_err(json_err)?,
        created_ms,
        modified_ms,
    })
}

const POOL_COLUMNS: &str = "id, config, mfa_config, created_ms, modified_ms";

type ClientRow = (String, String, Option<String>, Option<String>, String, i64, i64);

const CLIENT_COLUMNS: &str = "client_id, pool_id, secret, secrets, config, created_ms, modified_ms";

fn client_from(row: &Row<'_>) -> rusqlite::Result<ClientRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
}

fn to_client(sealer: &Sealer, (client_id, pool_id, secret, secrets, config, created_ms, modified_ms): ClientRow) -> StoreResult<AppClient> {
    let secrets = client_secrets::open(sealer, &client_id, created_ms, secret.as_deref(), secrets.as_deref())?;
    Ok(AppClient { pool_id, client_id, secrets, config: serde_json::from_str(&config).map_err(json_err)?, created_ms, modified_ms })
}

type GroupRow = (String, String, String, i64, i64);

fn group_from(row: &Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
}

pub(crate) fn to_group((pool_id, name, config, created_ms, modified_ms): GroupRow) -> StoreResult<Group> {
    Ok(Group { pool_id, name, config: serde_json::from_str(&config).map_err(json_err)?, created_ms, modified_ms })
}

pub(crate) const GROUP_COLUMNS: &str = "g.pool_id, g.name, g.config, g.created_ms, g.modified_ms";

type DocRow = (String, String, String, i64, i64);

fn doc_from(row: &Row<'_>) -> rusqlite::Result<DocRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
}

fn to_domain((domain, pool_id, config, created_ms, modified_ms): DocRow) -> StoreResult<Domain> {
    Ok(Domain { domain, pool_id, config: serde_json::from_str(&config).map_err(json_err)?, created_ms, modified_ms })
}

const DOMAIN_COLUMNS: &str = "domain, pool_id, config, created_ms, modified_ms";

fn to_resource_server((pool_id, identifier, config, created_ms, modified_ms): DocRow) -> StoreResult<ResourceServer> {
    Ok(ResourceServer { pool_id, identifier, config: serde_json::from_str(&config).map_err(json_err)?, created_ms, modified_ms })
}

const RESOURCE_SERVER_COLUMNS: &str = "pool_id, identifier, config, created_ms, modified_ms";

const PROVIDER_COLUMNS: &str = "pool_id, name, config, secrets, created_ms, modified_ms";

const TERMS_COLUMNS: &str = "id, pool_id, client_id, name, config, created_ms, modified_ms";

type TermsRow = (String, String, String, String, String, i64, i64);

fn terms_row(r: &Row<'_>) -> rusqlite::Result<TermsRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

fn to_terms((id, pool_id, client_id, name, links, created_ms, modified_ms): TermsRow) -> StoreResult<Terms> {
    Ok(Terms { id, pool_id, client_id, name, links: serde_json::from_str(&links).map_err(json_err)?, created_ms, modified_ms })
}

type ProviderRow = (String, String, String, Option<String>, i64, i64);

fn provider_row(r: &Row<'_>) -> rusqlite::Result<ProviderRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

/// A provider's row key.
fn provider_id(pool_id: &str, name: &str) -> String {
    format!("{pool_id}/{name}")
}

fn to_provider(sealer: &Sealer, (pool_id, name, config, secrets, created_ms, modified_ms): ProviderRow) -> StoreResult<IdentityProvider> {
    open_provider(sealer, (pool_id, name, &config, secrets.as_deref()), created_ms, modified_ms)
}

const BRANDING_COLUMNS: &str = "id, pool_id, client_id, use_cognito_provided_values, settings, assets, created_ms, modified_ms";

/// A `managed_login_brandings` row; the outer result is SQLite's, the inner the JSON's.
fn branding_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoreResult<ManagedLoginBranding>> {
    let (settings, assets): (Option<String>, String) = (r.get(4)?, r.get(5)?);
    let decoded = settings
        .map(|s| serde_json::from_str(&s))
        .transpose()
        .and_then(|settings| Ok((settings, serde_json::from_str(&assets)?)))
        .map_err(|e| StoreError::Other(Box::new(e)));
    Ok(match decoded {
        Ok((settings, assets)) => Ok(ManagedLoginBranding {
            id: r.get(0)?,
            pool_id: r.get(1)?,
            client_id: r.get(2)?,
            use_cognito_provided_values: r.get(3)?,
            settings,
            assets,
            created_ms: r.get(6)?,
            modified_ms: r.get(7)?,
        }),
        Err(e) => Err(e),
    })
}

impl UserPoolStore for SqliteStore {
    fn create_pool(&self, pool: &UserPool, key: &SigningKey) -> StoreResult<()> {
        let config = to_json(&pool.config)?;
        let mfa_config = to_json(&pool.mfa_config)?;
        let private_der = self.sealer().seal(&places::signing_key(&key.kid), &key.private_der)?;
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO user_pools (id, name, config, mfa_config, created_ms, modified_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![pool.id, pool.config.name.as_deref().unwrap_or_default(), config, mfa_config, pool.created_ms, pool.modified_ms],
            )?;
            execute(
                tx,
                "INSERT INTO signing_keys (kid, pool_id, alg, private_der, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key.kid, key.pool_id, key.alg, private_der, key.created_ms],
            )?;
            Ok(())
        })
    }

    fn get_pool(&self, id: &str) -> StoreResult<Option<Arc<UserPool>>> {
        self.read(|c| {
            let generation = self.config_generation(c)?;
            if let Some(pool) = self.configs.pool(generation, id) {
                return Ok(Some(pool));
            }
            let pool = c
                .prepare_cached(&format!("SELECT {POOL_COLUMNS} FROM user_pools WHERE id = ?1"))
                .and_then(|mut s| s.query_row([id], pool_from).optional())
                .map_err(sql)?
                .map(|row| to_pool(row).map(Arc::new))
                .transpose()?;
            if let Some(pool) = &pool {
                self.configs.keep_pool(generation, pool);
            }
            Ok(pool)
        })
    }

    fn list_pools(&self, after: Option<&str>, limit: usize) -> StoreResult<Page<UserPool>> {
        let rows = self.read(|c| {
            let mut s =
                c.prepare_cached(&format!("SELECT {POOL_COLUMNS} FROM user_pools WHERE id > ?1 ORDER BY id LIMIT ?2")).map_err(sql)?;
            let rows = s.query_map(params![after.unwrap_or(""), (limit + 1) as i64], pool_from).map_err(sql)?;
            rows.map(|r| r.map_err(sql).and_then(to_pool)).collect::<StoreResult<Vec<_>>>()
        })?;
        Ok(page(rows, limit, |p| p.id.clone()))
    }

    fn update_pool(&self, pool: &UserPool) -> StoreResult<()> {
        let config = to_json(&pool.config)?;
        let mfa_config = to_json(&pool.mfa_config)?;
        self.write(|tx| {
            execute(
                tx,
                "UPDATE user_pools SET name = ?2, config = ?3, mfa_config = ?4, modified_ms = ?5 WHERE id = ?1",
                params![pool.id, pool.config.name.as_deref().unwrap_or_default(), config, mfa_config, pool.modified_ms],
            )?;
            Ok(())
        })
    }

    fn delete_pool(&self, id: &str) -> StoreResult<bool> {
        self.write(|tx| Ok(execute(tx, "DELETE FROM user_pools WHERE id = ?1", [id])? > 0))
    }

    fn count_users(&self, pool_id: &str) -> StoreResult<u64> {
        self.read(|c| {
            // Kept by the triggers of migration 0004.
            c.prepare_cached("SELECT user_count FROM user_pools WHERE id = ?1")
                .and_then(|mut s| s.query_row([pool_id], |r| r.get::<_, i64>(0)).optional())
                .map(|n| n.unwrap_or(0).max(0) as u64)
                .map_err(sql)
        })
    }

    fn signing_keys(&self, pool_id: &str) -> StoreResult<Vec<SigningKey>> {
        let sealer = self.sealer();
        self.read(|c| {
            let mut s =
                c.prepare_cached("SELECT kid, pool_id, alg, private_der, created_ms FROM signing_keys WHERE pool_id = ?1").map_err(sql)?;
            let rows = s
                .query_map([pool_id], |r| {
                    Ok(SigningKey { kid: r.get(0)?, pool_id: r.get(1)?, alg: r.get(2)?, private_der: r.get(3)?, created_ms: r.get(4)? })
                })
                .map_err(sql)?;
            rows.map(|r| {
                let mut key = r.map_err(sql)?;
                key.private_der = sealer.open(&places::signing_key(&key.kid), &key.private_der)?;
                Ok(key)
            })
            .collect()
        })
    }

    fn create_client(&self, client: &AppClient) -> StoreResult<()> {
        let config = to_json(&client.config)?;
        let (secret, secrets) = client_secrets::seal(&self.sealer(), client)?;
        self.write(|tx| {
            execute(
                tx,
                &format!("INSERT INTO user_pool_clients ({CLIENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
                params![client.client_id, client.pool_id, secret, secrets, config, client.created_ms, client.modified_ms],
            )?;
            Ok(())
        })
    }

    fn get_client(&self, client_id: &str) -> StoreResult<Option<Arc<AppClient>>> {
        self.read(|c| {
            let generation = self.config_generation(c)?;
            if let Some(client) = self.configs.client(generation, client_id) {
                return Ok(Some(client));
            }
            let client = c
                .prepare_cached(&format!("SELECT {CLIENT_COLUMNS} FROM user_pool_clients WHERE client_id = ?1"))
                .and_then(|mut s| s.query_row([client_id], client_from).optional())
                .map_err(sql)?
                .map(|row| to_client(&self.sealer(), row).map(Arc::new))
                .transpose()?;
            if let Some(client) = &client {
                self.configs.keep_client(generation, client);
            }
            Ok(client)
        })
    }

    fn list_clients(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<AppClient>> {
        let sealer = self.sealer();
        let rows = self.read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {CLIENT_COLUMNS} FROM user_pool_clients WHERE pool_id = ?1 AND client_id > ?2 ORDER BY client_id LIMIT ?3"
                ))
                .map_err(sql)?;
            let rows = s.query_map(params![pool_id, after.unwrap_or(""), (limit + 1) as i64], client_from).map_err(sql)?;
            rows.map(|r| r.map_err(sql).and_then(|row| to_client(&sealer, row))).collect::<StoreResult<Vec<_>>>()
        })?;
        Ok(page(rows, limit, |c| c.client_id.clone()))
    }

    fn update_client(&self, client: &AppClient, read_at: i64) -> StoreResult<()> {
        let config = to_json(&client.config)?;
        let (secret, secrets) = client_secrets::seal(&self.sealer(), client)?;
        self.write(|tx| {
            let changed = execute(
                tx,
                "UPDATE user_pool_clients SET secret = ?2, secrets = ?3, config = ?4, modified_ms = ?5 WHERE client_id = ?1 AND modified_ms = ?6",
                params![client.client_id, secret, secrets, config, client.modified_ms, read_at],
            )?;
            if changed == 0 {
                return Err(StoreError::Conflict(format!("app client {} changed since it was read", client.client_id)));
            }
            Ok(())
        })
    }

    fn delete_client(&self, client_id: &str) -> StoreResult<bool> {
        self.write(|tx| {
            execute(tx, "DELETE FROM ui_customizations WHERE client_id = ?1", [client_id])?;
            Ok(execute(tx, "DELETE FROM user_pool_clients WHERE client_id = ?1", [client_id])? > 0)
        })
    }

    fn create_group(&self, group: &Group) -> StoreResult<()> {
        let config = to_json(&group.config)?;
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO groups (pool_id, name, config, created_ms, modified_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![group.pool_id, group.name, config, group.created_ms, group.modified_ms],
            )?;
            Ok(())
        })
    }

    fn get_group(&self, pool_id: &str, name: &str) -> StoreResult<Option<Group>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {GROUP_COLUMNS} FROM groups g WHERE g.pool_id = ?1 AND g.name = ?2"))
                .and_then(|mut s| s.query_row([pool_id, name], group_from).optional())
                .map_err(sql)?
                .map(to_group)
                .transpose()
        })
    }

    fn list_groups(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<Group>> {
        let rows = self.read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {GROUP_COLUMNS} FROM groups g WHERE g.pool_id = ?1 AND g.name > ?2 ORDER BY g.name LIMIT ?3"
                ))
                .map_err(sql)?;
            let rows = s.query_map(params![pool_id, after.unwrap_or(""), (limit + 1) as i64], group_from).map_err(sql)?;
            rows.map(|r| r.map_err(sql).and_then(to_group)).collect::<StoreResult<Vec<_>>>()
        })?;
        Ok(page(rows, limit, |g| g.name.clone()))
    }

    fn update_group(&self, group: &Group) -> StoreResult<()> {
        let config = to_json(&group.config)?;
        self.write(|tx| {
            execute(
                tx,
                "UPDATE groups SET config = ?3, modified_ms = ?4 WHERE pool_id = ?1 AND name = ?2",
                params![group.pool_id, group.name, config, group.modified_ms],
            )?;
            Ok(())
        })
    }

    fn delete_group(&self, pool_id: &str, name: &str) -> StoreResult<bool> {
        self.write(|tx| Ok(execute(tx, "DELETE FROM groups WHERE pool_id = ?1 AND name = ?2", [pool_id, name])? > 0))
    }

    fn create_domain(&self, domain: &Domain) -> StoreResult<()> {
        let config = to_json(&domain.config)?;
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO user_pool_domains (domain, pool_id, config, created_ms, modified_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![domain.domain, domain.pool_id, config, domain.created_ms, domain.modified_ms],
            )?;
            Ok(())
        })
    }

    fn get_domain(&self, domain: &str) -> StoreResult<Option<Domain>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {DOMAIN_COLUMNS} FROM user_pool_domains WHERE domain = ?1"))
                .and_then(|mut s| s.query_row([domain], doc_from).optional())
                .map_err(sql)?
                .map(to_domain)
                .transpose()
        })
    }

    fn domains_of_pool(&self, pool_id: &str) -> StoreResult<Vec<Domain>> {
        self.read(|c| {
            let mut s = c
                .prepare_cached(&format!("SELECT {DOMAIN_COLUMNS} FROM user_pool_domains WHERE pool_id = ?1 ORDER BY domain"))
                .map_err(sql)?;
            let rows = s.query_map([pool_id], doc_from).map_err(sql)?;
            rows.map(|r| r.map_err(sql).and_then(to_domain)).collect()
        })
    }

    fn update_domain(&self, domain: &Domain) -> StoreResult<()> {
        let config = to_json(&domain.config)?;
        self.write(|tx| {
            execute(
                tx,
                "UPDATE user_pool_domains SET config = ?2, modified_ms = ?3 WHERE domain = ?1",
                params![domain.domain, config, domain.modified_ms],
            )?;
            Ok(())
        })
    }

    fn delete_domain(&self, domain: &str) -> StoreResult<bool> {
        self.write(|tx| Ok(execute(tx, "DELETE FROM user_pool_domains WHERE domain = ?1", [domain])? > 0))
    }

    fn create_resource_server(&self, server: &ResourceServer) -> StoreResult<()> {
        let config = to_json(&server.config)?;
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO resource_servers (pool_id, identifier, config, created_ms, modified_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![server.pool_id, server.identifier, config, server.created_ms, server.modified_ms],
            )?;
            Ok(())
        })
    }

    fn get_resource_server(&self, pool_id: &str, identifier: &str) -> StoreResult<Option<ResourceServer>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {RESOURCE_SERVER_COLUMNS} FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2"))
                .and_then(|mut s| s.query_row([pool_id, identifier], doc_from).optional())
                .map_err(sql)?
                .map(to_resource_server)
                .transpose()
        })
    }

    fn list_resource_servers(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<ResourceServer>> {
        let rows = self.read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {RESOURCE_SERVER_COLUMNS} FROM resource_servers WHERE pool_id = ?1 AND identifier > ?2 ORDER BY identifier LIMIT ?3"
                ))
                .map_err(sql)?;
            let rows = s.query_map(params![pool_id, after.unwrap_or(""), (limit + 1) as i64], doc_from).map_err(sql)?;
            rows.map(|r| r.map_err(sql).and_then(to_resource_server)).collect::<StoreResult<Vec<_>>>()
        })?;
        Ok(page(rows, limit, |r| r.identifier.clone()))
    }

    fn update_resource_server(&self, server: &ResourceServer) -> StoreResult<()> {
        let config = to_json(&server.config)?;
        self.write(|tx| {
            execute(
                tx,
                "UPDATE resource_servers SET config = ?3, modified_ms = ?4 WHERE pool_id = ?1 AND identifier = ?2",
                params![server.pool_id, server.identifier, config, server.modified_ms],
            )?;
            Ok(())
        })
    }

    fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> StoreResult<bool> {
        self.write(|tx| Ok(execute(tx, "DELETE FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2", [pool_id, identifier])? > 0))
    }

    fn put_ui_customization(&self, c: &UiCustomization) -> StoreResult<()> {
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO ui_customizations (pool_id, client_id, css, image, created_ms, modified_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (pool_id, client_id) DO UPDATE SET css = ?3, image = ?4, modified_ms = ?6",
                params![c.pool_id, c.client_id, c.css, c.image, c.created_ms, c.modified_ms],
            )?;
            Ok(())
        })
    }

    fn create_managed_login_branding(&self, b: &ManagedLoginBranding) -> StoreResult<()> {
        let (settings, assets) = (b.settings.as_ref().map(to_json).transpose()?, to_json(&b.assets)?);
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO managed_login_brandings
                 (id, pool_id, client_id, use_cognito_provided_values, settings, assets, created_ms, modified_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![b.id, b.pool_id, b.client_id, b.use_cognito_provided_values, settings, assets, b.created_ms, b.modified_ms],
            )?;
            Ok(())
        })
    }

    fn get_managed_login_branding(&self, pool_id: &str, id: &str) -> StoreResult<Option<ManagedLoginBranding>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {BRANDING_COLUMNS} FROM managed_login_brandings WHERE pool_id = ?1 AND id = ?2"))
                .and_then(|mut s| s.query_row([pool_id, id], branding_row).optional())
                .map_err(sql)?
                .transpose()
        })
    }

    fn get_managed_login_branding_by_client(&self, pool_id: &str, client_id: &str) -> StoreResult<Option<ManagedLoginBranding>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {BRANDING_COLUMNS} FROM managed_login_brandings WHERE pool_id = ?1 AND client_id = ?2"))
                .and_then(|mut s| s.query_row([pool_id, client_id], branding_row).optional())
                .map_err(sql)?
                .transpose()
        })
    }

    fn update_managed_login_branding(&self, b: &ManagedLoginBranding) -> StoreResult<()> {
        let (settings, assets) = (b.settings.as_ref().map(to_json).transpose()?, to_json(&b.assets)?);
        self.write(|tx| {
            execute(
                tx,
                "UPDATE managed_login_brandings SET use_cognito_provided_values = ?3, settings = ?4, assets = ?5, modified_ms = ?6
                 WHERE pool_id = ?1 AND id = ?2",
                params![b.pool_id, b.id, b.use_cognito_provided_values, settings, assets, b.modified_ms],
            )?;
            Ok(())
        })
    }

    fn delete_managed_login_branding(&self, pool_id: &str, id: &str) -> StoreResult<bool> {
        self.write(|tx| Ok(execute(tx, "DELETE FROM managed_login_brandings WHERE pool_id = ?1 AND id = ?2", [pool_id, id])? > 0))
    }

    fn create_terms(&self, t: &Terms) -> StoreResult<()> {
        let links = to_json(&t.links)?;
        self.write(|tx| {
            execute(
                tx,
                &format!("INSERT INTO terms ({TERMS_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
                params![t.id, t.pool_id, t.client_id, t.name, links, t.created_ms, t.modified_ms],
            )?;
            Ok(())
        })
    }

    fn get_terms(&self, pool_id: &str, id: &str) -> StoreResult<Option<Terms>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {TERMS_COLUMNS} FROM terms WHERE pool_id = ?1 AND id = ?2"))
                .and_then(|mut s| s.query_row([pool_id, id], terms_row).optional())
                .map_err(sql)
        })?
        .map(to_terms)
        .transpose()
    }

    fn client_terms(&self, client_id: &str) -> StoreResult<Vec<Terms>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!("SELECT {TERMS_COLUMNS} FROM terms WHERE client_id = ?1 ORDER BY name")).map_err(sql)?;
            let rows = s.query_map([client_id], terms_row).map_err(sql)?;
            rows.map(|r| r.map_err(sql).and_then(to_terms)).collect()
        })
    }

    fn list_terms(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<Terms>> {
        let rows = self.read(|c| {
            let mut s = c
                .prepare_cached(&format!("SELECT {TERMS_COLUMNS} FROM terms WHERE pool_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"))
                .map_err(sql)?;
            let rows = s.query_map(params![pool_id, after.unwrap_or(""), (limit + 1) as i64], terms_row).map_err(sql)?;
            rows.map(|r| r.map_err(sql).and_then(to_terms)).collect::<StoreResult<Vec<_>>>()
        })?;
        Ok(page(rows, limit, |t| t.id.clone()))
    }

    fn update_terms(&self, t: &Terms) -> StoreResult<bool> {
        let links = to_json(&t.links)?;
        self.write(|tx| {
            let changed = execute(
                tx,
                "UPDATE terms SET name = ?3, config = ?4, modified_ms = ?5 WHERE pool_id = ?1 AND id = ?2",
                params![t.pool_id, t.id, t.name, links, t.modified_ms],
            )?;
            Ok(changed > 0)
        })
    }

    fn delete_terms(&self, pool_id: &str, id: &str) -> StoreResult<bool> {
        self.write(|tx| Ok(execute(tx, "DELETE FROM terms WHERE pool_id = ?1 AND id = ?2", [pool_id, id])? > 0))
    }

    fn create_identity_provider(&self, p: &IdentityProvider) -> StoreResult<()> {
        let (config, secrets) = seal_provider(&self.sealer(), p)?;
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO identity_providers (id, pool_id, name, config, secrets, created_ms, modified_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![provider_id(&p.pool_id, &p.name), p.pool_id, p.name, config, secrets, p.created_ms, p.modified_ms],
            )?;
            Ok(())
        })
    }

    fn get_identity_provider(&self, pool_id: &str, name: &str) -> StoreResult<Option<IdentityProvider>> {
        let row = self.read(|c| {
            c.prepare_cached(&format!("SELECT {PROVIDER_COLUMNS} FROM identity_providers WHERE id = ?1"))
                .and_then(|mut s| s.query_row([provider_id(pool_id, name)], provider_row).optional())
                .map_err(sql)
        })?;
        row.map(|r| to_provider(&self.sealer(), r)).transpose()
    }

    fn list_identity_providers(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityProvider>> {
        let rows = self.read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {PROVIDER_COLUMNS} FROM identity_providers WHERE pool_id = ?1 AND name > ?2 ORDER BY name LIMIT ?3"
                ))
                .map_err(sql)?;
            let rows = s.query_map(params![pool_id, after.unwrap_or(""), (limit + 1) as i64], provider_row).map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })?;
        let providers = {
            let sealer = self.sealer();
            rows.into_iter().map(|r| to_provider(&sealer, r)).collect::<StoreResult<Vec<_>>>()?
        };
        Ok(page(providers, limit, |p| p.name.clone()))
    }

    fn update_identity_provider(&self, p: &IdentityProvider) -> StoreResult<()> {
        let (config, secrets) = seal_provider(&self.sealer(), p)?;
        self.write(|tx| {
            execute(
                tx,
                "UPDATE identity_providers SET config = ?2, secrets = ?3, modified_ms = ?4 WHERE id = ?1",
                params![provider_id(&p.pool_id, &p.name), config, secrets, p.modified_ms],
            )?;
            Ok(())
        })
    }

    fn delete_identity_provider(&self, pool_id: &str, name: &str) -> StoreResult<bool> {
        self.write(|tx| {
            execute(tx, "DELETE FROM provider_links WHERE pool_id = ?1 AND provider = ?2", [pool_id, name])?;
            Ok(execute(tx, "DELETE FROM identity_providers WHERE id = ?1", [provider_id(pool_id, name)])? > 0)
        })
    }

    fn link_identity(&self, pool_id: &str, provider: &str, subject: &str, user_sub: &str, now_ms: i64) -> StoreResult<()> {
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO provider_links (pool_id, provider, subject, user_sub, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![pool_id, provider, subject, user_sub, now_ms],
            )?;
            Ok(())
        })
    }

    fn linked_user(&self, pool_id: &str, provider: &str, subject: &str) -> StoreResult<Option<String>> {
        self.read(|c| {
            c.prepare_cached("SELECT user_sub FROM provider_links WHERE pool_id = ?1 AND provider = ?2 AND subject = ?3")
                .and_then(|mut s| s.query_row([pool_id, provider, subject], |r| r.get(0)).optional())
                .map_err(sql)
        })
    }

    fn unlink_identity(&self, pool_id: &str, provider: &str, subject: &str) -> StoreResult<bool> {
        self.write(|tx| {
            Ok(execute(
                tx,
                "DELETE FROM provider_links WHERE pool_id = ?1 AND provider = ?2 AND subject = ?3",
                [pool_id, provider, subject],
            )? > 0)
        })
    }

    fn list_identity_links(&self, pool_id: &str, after: Option<(&str, &str)>, limit: usize) -> StoreResult<Vec<IdentityLink>> {
        let (provider, subject) = after.unwrap_or(("", ""));
        self.read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT provider, subject, user_sub, created_ms FROM provider_links
                     WHERE pool_id = ?1 AND (provider, subject) > (?2, ?3) ORDER BY provider, subject LIMIT ?4",
                )
                .map_err(sql)?;
            let rows = s
                .query_map(params![pool_id, provider, subject, limit as i64], |r| {
                    Ok(IdentityLink { provider: r.get(0)?, subject: r.get(1)?, user_sub: r.get(2)?, created_ms: r.get(3)? })
                })
                .map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })
    }

    fn get_ui_customization(&self, pool_id: &str, client_id: &str) -> StoreResult<Option<UiCustomization>> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT pool_id, client_id, css, image, created_ms, modified_ms FROM ui_customizations WHERE pool_id = ?1 AND client_id = ?2",
            )
            .and_then(|mut s| {
                s.query_row([pool_id, client_id], |r| {
                    Ok(UiCustomization {
                        pool_id: r.get(0)?,
                        client_id: r.get(1)?,
                        css: r.get(2)?,
                        image: r.get(3)?,
                        created_ms: r.get(4)?,
                        modified_ms: r.get(5)?,
                    })
                })
                .optional()
            })
            .map_err(sql)
        })
    }
}
