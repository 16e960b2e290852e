//! App clients: Create/Describe/Update/Delete/ListUserPoolClients.

use std::sync::Arc;

use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, ExplicitAuthFlowsType as Flow, TimeUnitsType};

use super::UserPools;
use crate::clock::to_wire;
use crate::error::{Error, Result};
use crate::store::{AppClient, ClientSecret, StoreError};

/// At most two secrets per client: enough to rotate one out without downtime.
const MAX_CLIENT_SECRETS: usize = 2;
/// Tries of a read-edit-write before concurrent writers win and the caller is asked to retry.
const EDIT_ATTEMPTS: usize = 8;

/// Token lifetimes in seconds, from the client's settings.
pub(super) struct Validity {
    pub access: i64,
    pub id: i64,
    pub refresh: i64,
}

fn seconds(value: Option<i32>, unit: Option<TimeUnitsType>, default: i64) -> i64 {
    let Some(v) = value else { return default };
    let unit = match unit.unwrap_or(TimeUnitsType::Hours) {
        TimeUnitsType::Seconds => 1,
        TimeUnitsType::Minutes => 60,
        TimeUnitsType::Hours => 3600,
        TimeUnitsType::Days => 86400,
    };
    i64::from(v) * unit
}

pub(super) fn validity(c: &w::UserPoolClientType) -> Validity {
    let units = c.token_validity_units.clone().unwrap_or_default();
    Validity {
        access: seconds(c.access_token_validity, Some(units.access_token.unwrap_or(TimeUnitsType::Hours)), 3600),
        id: seconds(c.id_token_validity, Some(units.id_token.unwrap_or(TimeUnitsType::Hours)), 3600),
        refresh: seconds(c.refresh_token_validity, Some(units.refresh_token.unwrap_or(TimeUnitsType::Days)), 30 * 86400),
    }
}

/// Checks lifetimes against Cognito's bounds: access and ID tokens 5 minutes to 1 day,
/// refresh tokens 1 hour to 10 years, refresh longer than both.
fn check_validity(c: &w::UserPoolClientType) -> Result<()> {
    let v = validity(c);
    for (what, secs) in [("AccessTokenValidity", v.access), ("IdTokenValidity", v.id)] {
        if !(300..=86400).contains(&secs) {
            return Err(Error::InvalidParameter(format!("{what} must be between 5 minutes and 1 day.")));
        }
    }
    if !(3600..=315_360_000).contains(&v.refresh) {
        return Err(Error::InvalidParameter("RefreshTokenValidity must be between 60 minutes and 10 years.".into()));
    }
    if v.refresh < v.access.max(v.id) {
        return Err(Error::InvalidParameter("RefreshTokenValidity must be longer than AccessTokenValidity and IdTokenValidity.".into()));
    }
    Ok(())
}

fn check_flows(flows: &[Flow]) -> Result<()> {
    let legacy = flows.iter().any(|f| matches!(f, Flow::AdminNoSrpAuth | Flow::CustomAuthFlowOnly | Flow::UserPasswordAuth));
    let modern = flows.iter().any(|f| f.as_str().starts_with("ALLOW_"));
    if legacy && modern {
        return Err(Error::InvalidParameter("ExplicitAuthFlows can not have both ALLOW_XXX and legacy flows.".into()));
    }
    Ok(())
}

/// Whether the client allows a flow, accepting the legacy name for it.
pub(super) fn allows(client: &AppClient, modern: Flow, legacy: Option<Flow>) -> bool {
    let flows = client.config.explicit_auth_flows.as_deref().unwrap_or_default();
    flows.contains(&modern) || legacy.is_some_and(|l| flows.contains(&l))
}

impl UserPools {
    pub(super) fn op_create_user_pool_client(&self, r: w::CreateUserPoolClientRequest) -> Result<w::CreateUserPoolClientResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let secret = match (r.generate_secret.unwrap_or(false), r.client_secret) {
            (_, Some(given)) => Some(check_secret_shape(&given.0).map(|()| given.0)?),
            (true, None) => Some(self.random.client_secret()?),
            (false, None) => None,
        };
        let flows =
            r.explicit_auth_flows.unwrap_or_else(|| vec![Flow::AllowRefreshTokenAuth, Flow::AllowUserSrpAuth, Flow::AllowCustomAuth]);
        check_flows(&flows)?;
        let now = self.now();
        let client_id = self.random.client_id()?;
        let config = w::UserPoolClientType {
            user_pool_id: Some(pool.id.clone()),
            client_name: Some(r.client_name),
            client_id: Some(client_id.clone()),
            refresh_token_validity: Some(r.refresh_token_validity.unwrap_or(30)),
            access_token_validity: r.access_token_validity,
            id_token_validity: r.id_token_validity,
            token_validity_units: r.token_validity_units,
            read_attributes: r.read_attributes,
            write_attributes: r.write_attributes,
            explicit_auth_flows: Some(flows),
            supported_identity_providers: r.supported_identity_providers,
            callback_urls: r.callback_urls,
            logout_urls: r.logout_urls,
            default_redirect_uri: r.default_redirect_uri,
            allowed_oauth_flows: r.allowed_oauth_flows,
            allowed_oauth_scopes: r.allowed_oauth_scopes,
            allowed_oauth_flows_user_pool_client: Some(r.allowed_oauth_flows_user_pool_client.unwrap_or(false)),
            analytics_configuration: r.analytics_configuration,
            prevent_user_existence_errors: Some(r.prevent_user_existence_errors.unwrap_or(w::PreventUserExistenceErrorTypes::Legacy)),
            enable_token_revocation: Some(r.enable_token_revocation.unwrap_or(true)),
            enable_propagate_additional_user_context_data: Some(r.enable_propagate_additional_user_context_data.unwrap_or(false)),
            auth_session_validity: Some(r.auth_session_validity.unwrap_or(3)),
            refresh_token_rotation: r.refresh_token_rotation,
            ..Default::default()
        };
        check_validity(&config)?;
        self.check_oauth_settings(&pool.id, &config, secret.is_some())?;
        let secrets = secret.map(|value| ClientSecret::new(&client_id, value, now)).into_iter().collect();
        let client = AppClient { pool_id: pool.id.clone(), client_id, secrets, config, created_ms: now, modified_ms: now };
        self.store.create_client(&client)?;
        Ok(w::CreateUserPoolClientResponse { user_pool_client: Some(describe(&client)) })
    }

    pub(super) fn op_describe_user_pool_client(&self, r: w::DescribeUserPoolClientRequest) -> Result<w::DescribeUserPoolClientResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        Ok(w::DescribeUserPoolClientResponse { user_pool_client: Some(describe(&client)) })
    }

    /// Like Cognito, settings left out of the request return to their defaults.
    pub(super) fn op_update_user_pool_client(&self, r: w::UpdateUserPoolClientRequest) -> Result<w::UpdateUserPoolClientResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.edit_client(&r.user_pool_id, &r.client_id, |client| {
            let r = r.clone();
            let flows =
                r.explicit_auth_flows.unwrap_or_else(|| vec![Flow::AllowRefreshTokenAuth, Flow::AllowUserSrpAuth, Flow::AllowCustomAuth]);
            check_flows(&flows)?;
            let has_secret = client.has_secret();
            let c = &mut client.config;
            if let Some(name) = r.client_name {
                c.client_name = Some(name);
            }
            c.refresh_token_validity = Some(r.refresh_token_validity.unwrap_or(30));
            c.access_token_validity = r.access_token_validity;
            c.id_token_validity = r.id_token_validity;
            c.token_validity_units = r.token_validity_units;
            c.read_attributes = r.read_attributes;
            c.write_attributes = r.write_attributes;
            c.explicit_auth_flows = Some(flows);
            c.supported_identity_providers = r.supported_identity_providers;
            c.callback_urls = r.callback_urls;
            c.logout_urls = r.logout_urls;
            c.default_redirect_uri = r.default_redirect_uri;
            c.allowed_oauth_flows = r.allowed_oauth_flows;
            c.allowed_oauth_scopes = r.allowed_oauth_scopes;
            c.allowed_oauth_flows_user_pool_client = Some(r.allowed_oauth_flows_user_pool_client.unwrap_or(false));
            c.analytics_configuration = r.analytics_configuration;
            c.prevent_user_existence_errors = Some(r.prevent_user_existence_errors.unwrap_or(w::PreventUserExistenceErrorTypes::Legacy));
            c.enable_token_revocation = Some(r.enable_token_revocation.unwrap_or(true));
            c.enable_propagate_additional_user_context_data = Some(r.enable_propagate_additional_user_context_data.unwrap_or(false));
            c.auth_session_validity = Some(r.auth_session_validity.unwrap_or(3));
            c.refresh_token_rotation = r.refresh_token_rotation;
            check_validity(c)?;
            self.check_oauth_settings(&client.pool_id, &client.config, has_secret)?;
            Ok(())
        })?;
        Ok(w::UpdateUserPoolClientResponse { user_pool_client: Some(describe(&client)) })
    }

    /// Reads a client, changes it with `edit` and writes it back only if nobody changed it
    /// meanwhile; otherwise reads and edits again, so concurrent edits (settings and secret
    /// rotations, on one server or several) all land.
    fn edit_client(&self, pool_id: &str, client_id: &str, edit: impl Fn(&mut AppClient) -> Result<()>) -> Result<AppClient> {
        for _ in 0..EDIT_ATTEMPTS {
            let mut client = Arc::unwrap_or_clone(self.pool_client(pool_id, client_id)?);
            let read_at = client.modified_ms;
            edit(&mut client)?;
            // Strictly later, so an edit in the same millisecond still shows as a change.
            client.modified_ms = self.now().max(read_at + 1);
            match self.store.update_client(&client, read_at) {
                Ok(()) => return Ok(client),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::TooManyRequests(format!("App client {client_id} is being changed by other requests; try again.")))
    }

    /// Adds a secret to a confidential client, generated unless given: the client then
    /// accepts either secret until the older one is deleted.
    pub(super) fn op_add_user_pool_client_secret(
        &self,
        r: w::AddUserPoolClientSecretRequest,
    ) -> Result<w::AddUserPoolClientSecretResponse> {
        self.pool(&r.user_pool_id)?;
        if let Some(given) = &r.client_secret {
            check_secret_shape(&given.0)?;
        }
        let generated = match &r.client_secret {
            Some(_) => None,
            None => Some(self.random.client_secret()?),
        };
        let value = r.client_secret.as_ref().map(|s| s.0.clone()).or_else(|| generated.clone()).unwrap_or_default();
        let client = self.edit_client(&r.user_pool_id, &r.client_id, |client| {
            if !client.has_secret() {
                return Err(Error::InvalidParameter(format!(
                    "App client {} has no secret: only a confidential client (created with GenerateSecret or a ClientSecret) can rotate secrets.",
                    client.client_id
                )));
            }
            if client.secrets.len() >= MAX_CLIENT_SECRETS {
                return Err(Error::LimitExceeded(format!(
                    "App client {} already has {MAX_CLIENT_SECRETS} secrets; delete one with DeleteUserPoolClientSecret first.",
                    client.client_id
                )));
            }
            if client.secret_matches(&value) {
                return Err(Error::InvalidParameter("The app client already has this secret.".into()));
            }
            // Ids carry the creation time and must differ, even within one millisecond.
            let newest = client.secrets.iter().map(|s| s.created_ms).max().unwrap_or(i64::MIN);
            let created_ms = self.now().max(newest + 1);
            client.secrets.push(ClientSecret::new(&client.client_id, value.clone(), created_ms));
            Ok(())
        })?;
        let added = client.secrets.last().map(|s| describe_secret(s, generated.is_some()));
        Ok(w::AddUserPoolClientSecretResponse { client_secret_descriptor: added })
    }

    /// Deletes one of a client's secrets, never its last: a confidential client stays one.
    pub(super) fn op_delete_user_pool_client_secret(&self, r: w::DeleteUserPoolClientSecretRequest) -> Result<()> {
        self.pool(&r.user_pool_id)?;
        self.edit_client(&r.user_pool_id, &r.client_id, |client| {
            let Some(i) = client.secrets.iter().position(|s| s.id == r.client_secret_id) else {
                return Err(Error::ResourceNotFound(format!("App client {} has no secret {}.", client.client_id, r.client_secret_id)));
            };
            if client.secrets.len() == 1 {
                return Err(Error::InvalidParameter(format!(
                    "{} is the last secret of app client {}; add another with AddUserPoolClientSecret before deleting it.",
                    r.client_secret_id, client.client_id
                )));
            }
            client.secrets.remove(i);
            Ok(())
        })?;
        Ok(())
    }

    /// The client's secrets, ids and dates only: values are shown once, when generated.
    pub(super) fn op_list_user_pool_client_secrets(
        &self,
        r: w::ListUserPoolClientSecretsRequest,
    ) -> Result<w::ListUserPoolClientSecretsResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        // At most two secrets, so there is never a next page; a token is one PoolDesk never gave.
        if r.next_token.is_some() {
            return Err(Error::InvalidParameter("Invalid NextToken: ListUserPoolClientSecrets returns every secret at once.".into()));
        }
        let secrets = client.secrets.iter().map(|s| describe_secret(s, false)).collect();
        Ok(w::ListUserPoolClientSecretsResponse { client_secrets: Some(secrets), next_token: None })
    }

    pub(super) fn op_delete_user_pool_client(&self, r: w::DeleteUserPoolClientRequest) -> Result<()> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        self.store.delete_client(&client.client_id)?;
        Ok(())
    }

    pub(super) fn op_list_user_pool_clients(&self, r: w::ListUserPoolClientsRequest) -> Result<w::ListUserPoolClientsResponse> {
        self.pool(&r.user_pool_id)?;
        let limit = r.max_results.unwrap_or(60).clamp(1, 60) as usize;
        let page = self.store.list_clients(&r.user_pool_id, r.next_token.as_deref(), limit)?;
        let clients = page
            .items
            .iter()
            .map(|c| w::UserPoolClientDescription {
                client_id: Some(c.client_id.clone()),
                user_pool_id: Some(c.pool_id.clone()),
                client_name: c.config.client_name.clone(),
            })
            .collect();
        Ok(w::ListUserPoolClientsResponse { user_pool_clients: Some(clients), next_token: page.next })
    }
}

/// Cognito's `ClientSecretType`: letters, digits, `_` and `+` (its length is checked with the
/// request).
fn check_secret_shape(secret: &str) -> Result<()> {
    if secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+') {
        Ok(())
    } else {
        Err(Error::InvalidParameter("1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+".into()))
    }
}

fn describe_secret(secret: &ClientSecret, with_value: bool) -> w::ClientSecretDescriptorType {
    w::ClientSecretDescriptorType {
        client_secret_id: Some(secret.id.clone()),
        client_secret_value: with_value.then(|| Sensitive(secret.value.clone())),
        client_secret_create_date: Some(to_wire(secret.created_ms)),
    }
}

fn describe(client: &AppClient) -> w::UserPoolClientType {
    let mut t = client.config.clone();
    t.client_secret = client.secret().map(|s| Sensitive(s.to_owned()));
    t.creation_date = Some(to_wire(client.created_ms));
    t.last_modified_date = Some(to_wire(client.modified_ms));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_follows_units_and_defaults() {
        let c = w::UserPoolClientType {
            id_token_validity: Some(30),
            token_validity_units: Some(w::TokenValidityUnitsType { id_token: Some(TimeUnitsType::Minutes), ..Default::default() }),
            ..Default::default()
        };
        let v = validity(&c);
        assert_eq!((v.access, v.id, v.refresh), (3600, 1800, 30 * 86400));
        assert!(check_validity(&c).is_ok());
        let too_short = w::UserPoolClientType {
            access_token_validity: Some(1),
            token_validity_units: Some(w::TokenValidityUnitsType { access_token: Some(TimeUnitsType::Minutes), ..Default::default() }),
            ..Default::default()
        };
        assert!(check_validity(&too_short).is_err());
    }

    #[test]
    fn legacy_and_modern_flows_do_not_mix() {
        assert!(check_flows(&[Flow::AllowUserPasswordAuth, Flow::UserPasswordAuth]).is_err());
        assert!(check_flows(&[Flow::AllowUserPasswordAuth, Flow::AllowRefreshTokenAuth]).is_ok());
        assert!(check_flows(&[Flow::AdminNoSrpAuth]).is_ok());
    }
}
