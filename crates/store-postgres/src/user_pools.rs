//! `UserPoolStore`: pools, signing keys, app clients, groups, domains, resource servers,
//! branding, identity providers and their links.

use std::sync::Arc;

use pooldesk_core::sealed::Sealer;
use pooldesk_core::store::{
    AppClient, Domain, Group, IdentityLink, IdentityProvider, ManagedLoginBranding, Page, ResourceServer, SigningKey, StoreError,
    StoreResult, Terms, UiCustomization, UserPool, UserPoolStore,
};
use pooldesk_core::store_shared::{client_secrets, from_json, open_provider, page, places, seal_provider, to_json};
use postgres::Row;

use crate::PostgresStore;
use crate::pool::{bump_config_generation, get};

const POOL_COLUMNS: &str = "id, config, mfa_config, created_ms, modified_ms";

fn to_pool(r: &Row) -> StoreResult<UserPool> {
    Ok(UserPool {
        id: get(r, 0)?,
        config: from_json(get(r, 1)?)?,
        mfa_config: from_json(get(r, 2)?)?,
        created_ms: get(r, 3)?,
        modified_ms: get(r, 4)?,
    })
}

const CLIENT_COLUMNS: &str = "client_id, pool_id, secret, secrets, config, created_ms, modified_ms";

fn to_client(sealer: &Sealer, r: &Row) -> StoreResult<AppClient> {
    let client_id: String = get(r, 0)?;
    let created_ms = get(r, 5)?;
    let secrets = client_secrets::open(sealer, &client_id, created_ms, get::<Option<&str>>(r, 2)?, get::<Option<&str>>(r, 3)?)?;
    Ok(AppClient { pool_id: get(r, 1)?, client_id, secrets, config: from_json(get(r, 4)?)?, created_ms, modified_ms: get(r, 6)? })
}

pub(crate) const GROUP_COLUMNS: &str = "g.pool_id, g.name, g.config, g.created_ms, g.modified_ms";

pub(crate) fn to_group(r: &Row) -> StoreResult<Group> {
    Ok(Group { pool_id: get(r, 0)?, name: get(r, 1)?, config: from_json(get(r, 2)?)?, created_ms: get(r, 3)?, modified_ms: get(r, 4)? })
}

const DOMAIN_COLUMNS: &str = "domain, pool_id, config, created_ms, modified_ms";

fn to_domain(r: &Row) -> StoreResult<Domain> {
    Ok(Domain { domain: get(r, 0)?, pool_id: get(r, 1)?, config: from_json(get(r, 2)?)?, created_ms: get(r, 3)?, modified_ms: get(r, 4)? })
}

const RESOURCE_SERVER_COLUMNS: &str = "pool_id, identifier, config, created_ms, modified_ms";

fn to_resource_server(r: &Row) -> StoreResult<ResourceServer> {
    Ok(ResourceServer {
        pool_id: get(r, 0)?,
        identifier: get(r, 1)?,
        config: from_json(get(r, 2)?)?,
        created_ms: get(r, 3)?,
        modified_ms: get(r, 4)?,
    })
}

const PROVIDER_COLUMNS: &str = "pool_id, name, config, secrets, created_ms, modified_ms";

const TERMS_COLUMNS: &str = "id, pool_id, client_id, name, config, created_ms, modified_ms";

fn to_terms(r: &Row) -> StoreResult<Terms> {
    Ok(Terms {
        id: get(r, 0)?,
        pool_id: get(r, 1)?,
        client_id: get(r, 2)?,
        name: get(r, 3)?,
        links: from_json(get(r, 4)?)?,
        created_ms: get(r, 5)?,
        modified_ms: get(r, 6)?,
    })
}

fn to_provider(sealer: &Sealer, r: &Row) -> StoreResult<IdentityProvider> {
    open_provider(sealer, (get(r, 0)?, get(r, 1)?, get(r, 2)?, get(r, 3)?), get(r, 4)?, get(r, 5)?)
}

const BRANDING_COLUMNS: &str = "id, pool_id, client_id, use_cognito_provided_values, settings, assets, created_ms, modified_ms";

fn to_branding(r: &Row) -> StoreResult<ManagedLoginBranding> {
    Ok(ManagedLoginBranding {
        id: get(r, 0)?,
        pool_id: get(r, 1)?,
        client_id: get(r, 2)?,
        use_cognito_provided_values: get(r, 3)?,
        settings: get::<Option<&str>>(r, 4)?.map(from_json).transpose()?,
        assets: from_json(get(r, 5)?)?,
        created_ms: get(r, 6)?,
        modified_ms: get(r, 7)?,
    })
}

/// `limit + 1` as a query parameter: the extra row says whether there is a next page.
pub(crate) fn fetch(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX - 1).saturating_add(1)
}

impl UserPoolStore for PostgresStore {
    fn create_pool(&self, pool: &UserPool, key: &SigningKey) -> StoreResult<()> {
        let (config, mfa_config) = (to_json(&pool.config)?, to_json(&pool.mfa_config)?);
        let private_der = self.sealer().seal(&places::signing_key(&key.kid), &key.private_der)?;
        let name = pool.config.name.as_deref().unwrap_or_default();
        self.write(|c| {
            c.execute(
                "INSERT INTO user_pools (id, name, config, mfa_config, created_ms, modified_ms) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&pool.id, &name, &config, &mfa_config, &pool.created_ms, &pool.modified_ms],
            )?;
            c.execute(
                "INSERT INTO signing_keys (kid, pool_id, alg, private_der, created_ms) VALUES ($1, $2, $3, $4, $5)",
                &[&key.kid, &key.pool_id, &key.alg, &private_der, &key.created_ms],
            )?;
            bump_config_generation(c)
        })
    }

    fn get_pool(&self, id: &str) -> StoreResult<Option<Arc<UserPool>>> {
        self.read(|c| {
            let generation = self.config_generation(c)?;
            if let Some(pool) = self.configs.pool(generation, id) {
                return Ok(Some(pool));
            }
            let pool = c
                .opt(&format!("SELECT {POOL_COLUMNS} FROM user_pools WHERE id = $1"), &[&id])?
                .map(|r| to_pool(&r).map(Arc::new))
                .transpose()?;
            if let Some(pool) = &pool {
                self.configs.keep_pool(generation, pool);
            }
            Ok(pool)
        })
    }

    fn list_pools(&self, after: Option<&str>, limit: usize) -> StoreResult<Page<UserPool>> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {POOL_COLUMNS} FROM user_pools WHERE id > $1 ORDER BY id LIMIT $2"),
                &[&after.unwrap_or(""), &fetch(limit)],
            )
        })?;
        Ok(page(rows.iter().map(to_pool).collect::<StoreResult<_>>()?, limit, |p| p.id.clone()))
    }

    fn update_pool(&self, pool: &UserPool) -> StoreResult<()> {
        let (config, mfa_config) = (to_json(&pool.config)?, to_json(&pool.mfa_config)?);
        let name = pool.config.name.as_deref().unwrap_or_default();
        self.write(|c| {
            c.execute(
                "UPDATE user_pools SET name = $2, config = $3, mfa_config = $4, modified_ms = $5 WHERE id = $1",
                &[&pool.id, &name, &config, &mfa_config, &pool.modified_ms],
            )?;
            bump_config_generation(c)
        })
    }

    fn delete_pool(&self, id: &str) -> StoreResult<bool> {
        self.write(|c| {
            let deleted = c.execute("DELETE FROM user_pools WHERE id = $1", &[&id])? > 0;
            bump_config_generation(c)?;
            Ok(deleted)
        })
    }

    fn count_users(&self, pool_id: &str) -> StoreResult<u64> {
        let n: Option<i64> =
            self.read(|c| c.opt("SELECT user_count FROM user_pools WHERE id = $1", &[&pool_id])?.map(|r| get(&r, 0)).transpose())?;
        Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
    }

    fn signing_keys(&self, pool_id: &str) -> StoreResult<Vec<SigningKey>> {
        let sealer = self.sealer();
        let rows =
            self.read(|c| c.query("SELECT kid, pool_id, alg, private_der, created_ms FROM signing_keys WHERE pool_id = $1", &[&pool_id]))?;
        rows.iter()
            .map(|r| {
                let kid: String = get(r, 0)?;
                let private_der = sealer.open(&places::signing_key(&kid), get(r, 3)?)?;
                Ok(SigningKey { kid, pool_id: get(r, 1)?, alg: get(r, 2)?, private_der, created_ms: get(r, 4)? })
            })
            .collect()
    }

    fn create_client(&self, client: &AppClient) -> StoreResult<()> {
        let config = to_json(&client.config)?;
        let (secret, secrets) = client_secrets::seal(&self.sealer(), client)?;
        self.write(|c| {
            c.execute(
                &format!("INSERT INTO user_pool_clients ({CLIENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
                &[&client.client_id, &client.pool_id, &secret, &secrets, &config, &client.created_ms, &client.modified_ms],
            )?;
            bump_config_generation(c)
        })
    }

    fn get_client(&self, client_id: &str) -> StoreResult<Option<Arc<AppClient>>> {
        self.read(|c| {
            let generation = self.config_generation(c)?;
            if let Some(client) = self.configs.client(generation, client_id) {
                return Ok(Some(client));
            }
            let client = c
                .opt(&format!("SELECT {CLIENT_COLUMNS} FROM user_pool_clients WHERE client_id = $1"), &[&client_id])?
                .map(|r| to_client(&self.sealer(), &r).map(Arc::new))
                .transpose()?;
            if let Some(client) = &client {
                self.configs.keep_client(generation, client);
            }
            Ok(client)
        })
    }

    fn list_clients(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<AppClient>> {
        let rows = self.read(|c| {
            c.query(
                &format!(
                    "SELECT {CLIENT_COLUMNS} FROM user_pool_clients WHERE pool_id = $1 AND client_id > $2 ORDER BY client_id LIMIT $3"
                ),
                &[&pool_id, &after.unwrap_or(""), &fetch(limit)],
            )
        })?;
        let sealer = self.sealer();
        Ok(page(rows.iter().map(|r| to_client(&sealer, r)).collect::<StoreResult<_>>()?, limit, |c| c.client_id.clone()))
    }

    fn update_client(&self, client: &AppClient, read_at: i64) -> StoreResult<()> {
        let config = to_json(&client.config)?;
        let (secret, secrets) = client_secrets::seal(&self.sealer(), client)?;
        self.write(|c| {
            let changed = c.execute(
                "UPDATE user_pool_clients SET secret = $2, secrets = $3, config = $4, modified_ms = $5 WHERE client_id = $1 AND modified_ms = $6",
                &[&client.client_id, &secret, &secrets, &config, &client.modified_ms, &read_at],
            )?;
            if changed == 0 {
                return Err(StoreError::Conflict(format!("app client {} changed since it was read", client.client_id)));
            }
            bump_config_generation(c)
        })
    }

    fn delete_client(&self, client_id: &str) -> StoreResult<bool> {
        self.write(|c| {
            c.execute("DELETE FROM ui_customizations WHERE client_id = $1", &[&client_id])?;
            let deleted = c.execute("DELETE FROM user_pool_clients WHERE client_id = $1", &[&client_id])? > 0;
            bump_config_generation(c)?;
            Ok(deleted)
        })
    }

    fn create_group(&self, group: &Group) -> StoreResult<()> {
        let config = to_json(&group.config)?;
        self.write_one(
            "INSERT INTO groups (pool_id, name, config, created_ms, modified_ms) VALUES ($1, $2, $3, $4, $5)",
            &[&group.pool_id, &group.name, &config, &group.created_ms, &group.modified_ms],
        )
        .map(drop)
    }

    fn get_group(&self, pool_id: &str, name: &str) -> StoreResult<Option<Group>> {
        self.read(|c| c.opt(&format!("SELECT {GROUP_COLUMNS} FROM groups g WHERE g.pool_id = $1 AND g.name = $2"), &[&pool_id, &name]))?
            .map(|r| to_group(&r))
            .transpose()
    }

    fn list_groups(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<Group>> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {GROUP_COLUMNS} FROM groups g WHERE g.pool_id = $1 AND g.name > $2 ORDER BY g.name LIMIT $3"),
                &[&pool_id, &after.unwrap_or(""), &fetch(limit)],
            )
        })?;
        Ok(page(rows.iter().map(to_group).collect::<StoreResult<_>>()?, limit, |g| g.name.clone()))
    }

    fn update_group(&self, group: &Group) -> StoreResult<()> {
        let config = to_json(&group.config)?;
        self.write_one(
            "UPDATE groups SET config = $3, modified_ms = $4 WHERE pool_id = $1 AND name = $2",
            &[&group.pool_id, &group.name, &config, &group.modified_ms],
        )
        .map(drop)
    }

    fn delete_group(&self, pool_id: &str, name: &str) -> StoreResult<bool> {
        Ok(self.write_one("DELETE FROM groups WHERE pool_id = $1 AND name = $2", &[&pool_id, &name])? > 0)
    }

    fn create_domain(&self, domain: &Domain) -> StoreResult<()> {
        let config = to_json(&domain.config)?;
        self.write_one(
            &format!("INSERT INTO user_pool_domains ({DOMAIN_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
            &[&domain.domain, &domain.pool_id, &config, &domain.created_ms, &domain.modified_ms],
        )
        .map(drop)
    }

    fn get_domain(&self, domain: &str) -> StoreResult<Option<Domain>> {
        self.read(|c| c.opt(&format!("SELECT {DOMAIN_COLUMNS} FROM user_pool_domains WHERE domain = $1"), &[&domain]))?
            .map(|r| to_domain(&r))
            .transpose()
    }

    fn domains_of_pool(&self, pool_id: &str) -> StoreResult<Vec<Domain>> {
        let rows = self.read(|c| {
            c.query(&format!("SELECT {DOMAIN_COLUMNS} FROM user_pool_domains WHERE pool_id = $1 ORDER BY domain"), &[&pool_id])
        })?;
        rows.iter().map(to_domain).collect()
    }

    fn update_domain(&self, domain: &Domain) -> StoreResult<()> {
        let config = to_json(&domain.config)?;
        self.write_one(
            "UPDATE user_pool_domains SET config = $2, modified_ms = $3 WHERE domain = $1",
            &[&domain.domain, &config, &domain.modified_ms],
        )
        .map(drop)
    }

    fn delete_domain(&self, domain: &str) -> StoreResult<bool> {
        Ok(self.write_one("DELETE FROM user_pool_domains WHERE domain = $1", &[&domain])? > 0)
    }

    fn create_resource_server(&self, server: &ResourceServer) -> StoreResult<()> {
        let config = to_json(&server.config)?;
        self.write_one(
            &format!("INSERT INTO resource_servers ({RESOURCE_SERVER_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
            &[&server.pool_id, &server.identifier, &config, &server.created_ms, &server.modified_ms],
        )
        .map(drop)
    }

    fn get_resource_server(&self, pool_id: &str, identifier: &str) -> StoreResult<Option<ResourceServer>> {
        self.read(|c| {
            c.opt(
                &format!("SELECT {RESOURCE_SERVER_COLUMNS} FROM resource_servers WHERE pool_id = $1 AND identifier = $2"),
                &[&pool_id, &identifier],
            )
        })?
        .map(|r| to_resource_server(&r))
        .transpose()
    }

    fn list_resource_servers(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<ResourceServer>> {
        let rows = self.read(|c| {
            c.query(
                &format!(
                    "SELECT {RESOURCE_SERVER_COLUMNS} FROM resource_servers WHERE pool_id = $1 AND identifier > $2 ORDER BY identifier LIMIT $3"
                ),
                &[&pool_id, &after.unwrap_or(""), &fetch(limit)],
            )
        })?;
        Ok(page(rows.iter().map(to_resource_server).collect::<StoreResult<_>>()?, limit, |r| r.identifier.clone()))
    }

    fn update_resource_server(&self, server: &ResourceServer) -> StoreResult<()> {
        let config = to_json(&server.config)?;
        self.write_one(
            "UPDATE resource_servers SET config = $3, modified_ms = $4 WHERE pool_id = $1 AND identifier = $2",
            &[&server.pool_id, &server.identifier, &config, &server.modified_ms],
        )
        .map(drop)
    }

    fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> StoreResult<bool> {
        Ok(self.write_one("DELETE FROM resource_servers WHERE pool_id = $1 AND identifier = $2", &[&pool_id, &identifier])? > 0)
    }

    fn put_ui_customization(&self, u: &UiCustomization) -> StoreResult<()> {
        self.write_one(
            "INSERT INTO ui_customizations (pool_id, client_id, css, image, created_ms, modified_ms) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (pool_id, client_id) DO UPDATE SET css = excluded.css, image = excluded.image, modified_ms = excluded.modified_ms",
            &[&u.pool_id, &u.client_id, &u.css, &u.image, &u.created_ms, &u.modified_ms],
        )
        .map(drop)
    }

    fn get_ui_customization(&self, pool_id: &str, client_id: &str) -> StoreResult<Option<UiCustomization>> {
        let row = self.read(|c| {
            c.opt(
                "SELECT pool_id, client_id, css, image, created_ms, modified_ms FROM ui_customizations WHERE pool_id = $1 AND client_id = $2",
                &[&pool_id, &client_id],
            )
        })?;
        row.map(|r| {
            Ok(UiCustomization {
                pool_id: get(&r, 0)?,
                client_id: get(&r, 1)?,
                css: get(&r, 2)?,
                image: get(&r, 3)?,
                created_ms: get(&r, 4)?,
                modified_ms: get(&r, 5)?,
            })
        })
        .transpose()
    }

    fn create_managed_login_branding(&self, b: &ManagedLoginBranding) -> StoreResult<()> {
        let (settings, assets) = (b.settings.as_ref().map(to_json).transpose()?, to_json(&b.assets)?);
        self.write_one(
            &format!("INSERT INTO managed_login_brandings ({BRANDING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
            &[&b.id, &b.pool_id, &b.client_id, &b.use_cognito_provided_values, &settings, &assets, &b.created_ms, &b.modified_ms],
        )
        .map(drop)
    }

    fn get_managed_login_branding(&self, pool_id: &str, id: &str) -> StoreResult<Option<ManagedLoginBranding>> {
        self.read(|c| {
            c.opt(&format!("SELECT {BRANDING_COLUMNS} FROM managed_login_brandings WHERE pool_id = $1 AND id = $2"), &[&pool_id, &id])
        })?
        .map(|r| to_branding(&r))
        .transpose()
    }

    fn get_managed_login_branding_by_client(&self, pool_id: &str, client_id: &str) -> StoreResult<Option<ManagedLoginBranding>> {
        self.read(|c| {
            c.opt(
                &format!("SELECT {BRANDING_COLUMNS} FROM managed_login_brandings WHERE pool_id = $1 AND client_id = $2"),
                &[&pool_id, &client_id],
            )
        })?
        .map(|r| to_branding(&r))
        .transpose()
    }

    fn update_managed_login_branding(&self, b: &ManagedLoginBranding) -> StoreResult<()> {
        let (settings, assets) = (b.settings.as_ref().map(to_json).transpose()?, to_json(&b.assets)?);
        self.write_one(
            "UPDATE managed_login_brandings SET use_cognito_provided_values = $3, settings = $4, assets = $5, modified_ms = $6
             WHERE pool_id = $1 AND id = $2",
            &[&b.pool_id, &b.id, &b.use_cognito_provided_values, &settings, &assets, &b.modified_ms],
        )
        .map(drop)
    }

    fn delete_managed_login_branding(&self, pool_id: &str, id: &str) -> StoreResult<bool> {
        Ok(self.write_one("DELETE FROM managed_login_brandings WHERE pool_id = $1 AND id = $2", &[&pool_id, &id])? > 0)
    }

    fn create_terms(&self, t: &Terms) -> StoreResult<()> {
        let links = to_json(&t.links)?;
        self.write_one(
            &format!("INSERT INTO terms ({TERMS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
            &[&t.id, &t.pool_id, &t.client_id, &t.name, &links, &t.created_ms, &t.modified_ms],
        )
        .map(drop)
    }

    fn get_terms(&self, pool_id: &str, id: &str) -> StoreResult<Option<Terms>> {
        self.read(|c| c.opt(&format!("SELECT {TERMS_COLUMNS} FROM terms WHERE pool_id = $1 AND id = $2"), &[&pool_id, &id]))?
            .map(|r| to_terms(&r))
            .transpose()
    }

    fn client_terms(&self, client_id: &str) -> StoreResult<Vec<Terms>> {
        let rows =
            self.read(|c| c.query(&format!("SELECT {TERMS_COLUMNS} FROM terms WHERE client_id = $1 ORDER BY name"), &[&client_id]))?;
        rows.iter().map(to_terms).collect()
    }

    fn list_terms(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<Terms>> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {TERMS_COLUMNS} FROM terms WHERE pool_id = $1 AND id > $2 ORDER BY id LIMIT $3"),
                &[&pool_id, &after.unwrap_or(""), &((limit + 1) as i64)],
            )
        })?;
        Ok(page(rows.iter().map(to_terms).collect::<StoreResult<_>>()?, limit, |t| t.id.clone()))
    }

    fn update_terms(&self, t: &Terms) -> StoreResult<bool> {
        let links = to_json(&t.links)?;
        Ok(self.write_one(
            "UPDATE terms SET name = $3, config = $4, modified_ms = $5 WHERE pool_id = $1 AND id = $2",
            &[&t.pool_id, &t.id, &t.name, &links, &t.modified_ms],
        )? > 0)
    }

    fn delete_terms(&self, pool_id: &str, id: &str) -> StoreResult<bool> {
        Ok(self.write_one("DELETE FROM terms WHERE pool_id = $1 AND id = $2", &[&pool_id, &id])? > 0)
    }

    fn create_identity_provider(&self, p: &IdentityProvider) -> StoreResult<()> {
        let (config, secrets) = seal_provider(&self.sealer(), p)?;
        self.write_one(
            &format!("INSERT INTO identity_providers ({PROVIDER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"),
            &[&p.pool_id, &p.name, &config, &secrets, &p.created_ms, &p.modified_ms],
        )
        .map(drop)
    }

    fn get_identity_provider(&self, pool_id: &str, name: &str) -> StoreResult<Option<IdentityProvider>> {
        let row = self.read(|c| {
            c.opt(&format!("SELECT {PROVIDER_COLUMNS} FROM identity_providers WHERE pool_id = $1 AND name = $2"), &[&pool_id, &name])
        })?;
        row.map(|r| to_provider(&self.sealer(), &r)).transpose()
    }

    fn list_identity_providers(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityProvider>> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {PROVIDER_COLUMNS} FROM identity_providers WHERE pool_id = $1 AND name > $2 ORDER BY name LIMIT $3"),
                &[&pool_id, &after.unwrap_or(""), &fetch(limit)],
            )
        })?;
        let sealer = self.sealer();
        Ok(page(rows.iter().map(|r| to_provider(&sealer, r)).collect::<StoreResult<_>>()?, limit, |p| p.name.clone()))
    }

    fn update_identity_provider(&self, p: &IdentityProvider) -> StoreResult<()> {
        let (config, secrets) = seal_provider(&self.sealer(), p)?;
        self.write_one(
            "UPDATE identity_providers SET config = $3, secrets = $4, modified_ms = $5 WHERE pool_id = $1 AND name = $2",
            &[&p.pool_id, &p.name, &config, &secrets, &p.modified_ms],
        )
        .map(drop)
    }

    fn delete_identity_provider(&self, pool_id: &str, name: &str) -> StoreResult<bool> {
        self.write(|c| {
            c.execute("DELETE FROM provider_links WHERE pool_id = $1 AND provider = $2", &[&pool_id, &name])?;
            Ok(c.execute("DELETE FROM identity_providers WHERE pool_id = $1 AND name = $2", &[&pool_id, &name])? > 0)
        })
    }

    fn link_identity(&self, pool_id: &str, provider: &str, subject: &str, user_sub: &str, now_ms: i64) -> StoreResult<()> {
        self.write_one(
            "INSERT INTO provider_links (pool_id, provider, subject, user_sub, created_ms) VALUES ($1, $2, $3, $4, $5)",
            &[&pool_id, &provider, &subject, &user_sub, &now_ms],
        )
        .map(drop)
    }

    fn linked_user(&self, pool_id: &str, provider: &str, subject: &str) -> StoreResult<Option<String>> {
        self.read(|c| {
            c.opt(
                "SELECT user_sub FROM provider_links WHERE pool_id = $1 AND provider = $2 AND subject = $3",
                &[&pool_id, &provider, &subject],
            )
        })?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn list_identity_links(&self, pool_id: &str, after: Option<(&str, &str)>, limit: usize) -> StoreResult<Vec<IdentityLink>> {
        let (provider, subject) = after.unwrap_or(("", ""));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.read(|c| {
            c.query(
                "SELECT provider, subject, user_sub, created_ms FROM provider_links
                 WHERE pool_id = $1 AND (provider, subject) > ($2, $3) ORDER BY provider, subject LIMIT $4",
                &[&pool_id, &provider, &subject, &limit],
            )
        })?;
        rows.iter()
            .map(|r| Ok(IdentityLink { provider: get(r, 0)?, subject: get(r, 1)?, user_sub: get(r, 2)?, created_ms: get(r, 3)? }))
            .collect()
    }

    fn unlink_identity(&self, pool_id: &str, provider: &str, subject: &str) -> StoreResult<bool> {
        Ok(self.write_one(
            "DELETE FROM provider_links WHERE pool_id = $1 AND provider = $2 AND subject = $3",
            &[&pool_id, &provider, &subject],
        )? > 0)
    }
}
