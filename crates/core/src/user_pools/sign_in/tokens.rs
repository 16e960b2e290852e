//! The tokens a sign-in earns and what becomes of them: issuing ID, access and refresh
//! tokens for a finished sign-in; refreshing them (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken,
//! with rotation); ending them (GlobalSignOut, RevokeToken). A refresh token stands for a
//! stored session, so revoking the session ends every token issued from it.

use std::collections::BTreeMap;
use std::sync::Arc;

use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, ExplicitAuthFlowsType as Flow, UserStatusType};
use serde_json::{Map, Value, json};

use super::{Attempt, Outcome, Progress, param};
use crate::error::{Error, Result};
use crate::oauth::ADMIN_SCOPE;
use crate::store::{AppClient, Group, Session, StoreError, User, UserPool};
use crate::tokens::sha256_hex;
use crate::user_pools::UserPools;
use crate::user_pools::clients::{allows, validity};
use crate::user_pools::triggers::TokenEvent;

/// The pre token generation source of a refresh.
const REFRESH_SOURCE: &str = "TokenGeneration_RefreshTokens";

/// Why tokens are issued: the pre token generation source, the request's `ClientMetadata`,
/// and the device signed in on (the access token's `device_key`).
pub(in crate::user_pools) struct Occasion<'a> {
    pub source: &'a str,
    pub client_metadata: Option<&'a BTreeMap<String, String>>,
    pub device_key: Option<&'a str>,
}

impl<'a> Occasion<'a> {
    pub(in crate::user_pools) fn of(source: &'a str) -> Self {
        Occasion { source, client_metadata: None, device_key: None }
    }
}

/// Whom a user's tokens speak for, and the session and sign-in event they come from.
pub(in crate::user_pools) struct Holder<'a> {
    pub pool_id: &'a str,
    pub user: &'a User,
    pub groups: &'a [Group],
    pub origin_jti: &'a str,
    pub auth_time: i64,
    pub event_id: &'a str,
}

/// What a login page's sign-in was granted, for the tokens it earns.
pub(in crate::user_pools) struct Grant<'a> {
    /// The scopes, space-separated.
    pub scope: &'a str,
    /// The client's `nonce`, echoed in the ID token.
    pub nonce: Option<&'a str>,
}

impl UserPools {
    /// Tokens for a completed sign-in, and its event.
    pub(super) fn finish(&self, attempt: Attempt<'_>, user: &User, passed: &Progress) -> Result<Outcome> {
        if let Some(challenge) = self.device_challenge(attempt, user, passed)? {
            return Ok(challenge);
        }
        let challenges: Vec<(w::ChallengeName, bool)> = passed.iter().map(|c| (*c, true)).collect();
        self.post_authentication(attempt.pool, user, &attempt.client.client_id, attempt.client_metadata)?;
        if attempt.hosted {
            self.record_event(attempt, &user.sub, &passed.flow, w::EventResponseType::Pass, &challenges)?;
            return Ok(Outcome::SignedIn { sub: user.sub.clone() });
        }
        let source = if passed.device_authenticated {
            "TokenGeneration_AuthenticateDevice"
        } else if passed.new_password {
            "TokenGeneration_NewPasswordChallenge"
        } else {
            "TokenGeneration_Authentication"
        };
        let (device_key, new_device) = self.device_for_tokens(attempt, user, passed)?;
        let occasion = Occasion { source, client_metadata: attempt.client_metadata, device_key: device_key.as_deref() };
        let mut tokens = self.issue_tokens(attempt.pool, attempt.client, user, None, None, occasion)?;
        tokens.new_device_metadata = new_device;
        self.record_event(attempt, &user.sub, &passed.flow, w::EventResponseType::Pass, &challenges)?;
        Ok(Outcome::Tokens(tokens))
    }

    pub(super) fn refresh_flow(&self, client: &AppClient, params: &BTreeMap<String, String>) -> Result<Outcome> {
        if !allows(client, Flow::AllowRefreshTokenAuth, None)
            && client.config.explicit_auth_flows.as_ref().is_some_and(|f| f.iter().any(|f| f.as_str().starts_with("ALLOW_")))
        {
            return Err(Error::InvalidParameter("REFRESH_TOKEN_AUTH flow not enabled for this client".into()));
        }
        let token = param(params, "REFRESH_TOKEN")?;
        let (pool, user, session) = self.refresh_session(client, token)?;
        Self::check_secret_hash(
            client,
            &[&user.username, &user.sub, params.get("USERNAME").map(String::as_str).unwrap_or("")],
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        let device_key = self.refresh_device(&pool, &user, params.get("DEVICE_KEY").map(String::as_str))?;
        let occasion = Occasion { device_key, ..Occasion::of(REFRESH_SOURCE) };
        Ok(Outcome::Tokens(self.issue_tokens(&pool, client, &user, Some(&session), None, occasion)?))
    }

    /// The device a refresh names (`DEVICE_KEY`), for the new access token, when the pool
    /// remembers devices: one of the user's, or ResourceNotFound (a refresh naming a forgotten
    /// device is refused).
    fn refresh_device<'k>(&self, pool: &UserPool, user: &User, key: Option<&'k str>) -> Result<Option<&'k str>> {
        match key.filter(|k| !k.is_empty() && super::tracks_devices(pool).is_some()) {
            Some(key) if !user.data.devices.iter().any(|d| d.key == key) => Err(super::unknown_device()),
            other => Ok(other),
        }
    }

    /// The live session a refresh token belongs to, and its user, if both may still act.
    fn refresh_session(&self, client: &AppClient, token: &str) -> Result<(Arc<UserPool>, User, Session)> {
        let invalid = || Error::NotAuthorized("Invalid Refresh Token".into());
        let hash = sha256_hex(token);
        let session = self.store.get_session_by_refresh_hash(&hash)?.ok_or_else(invalid)?;
        if session.client_id != client.client_id {
            return Err(invalid());
        }
        if session.revoked {
            return Err(Error::NotAuthorized("Refresh Token has been revoked".into()));
        }
        if session.expires_ms <= self.now() {
            return Err(Error::NotAuthorized("Refresh Token has expired".into()));
        }
        if session.refresh_hash != hash {
            // A rotated-out token: accepted again only within the grace period; after it,
            // reuse means the token leaked, so the whole session is revoked.
            let grace_ms =
                client.config.refresh_token_rotation.as_ref().and_then(|r| r.retry_grace_period_seconds).map(i64::from).unwrap_or(0) * 1000;
            if session.rotated_ms.is_none_or(|t| self.now() > t + grace_ms) {
                self.store.revoke_session(&session.origin_jti)?;
                return Err(Error::RefreshTokenReuse("Refresh token has already been used.".into()));
            }
        }
        let pool = self.pool(&client.pool_id)?;
        let user = self.store.get_user_by_sub(&pool.id, &session.sub)?.ok_or_else(invalid)?;
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        if user.status == UserStatusType::ResetRequired {
            return Err(Error::PasswordResetRequired("Password reset required for the user".into()));
        }
        Ok((pool, user, session))
    }

    /// GetTokensFromRefreshToken: new ID and access tokens and, when the client rotates
    /// refresh tokens, a new refresh token that replaces the one presented.
    pub(in crate::user_pools) fn op_get_tokens_from_refresh_token(
        &self,
        r: w::GetTokensFromRefreshTokenRequest,
    ) -> Result<w::GetTokensFromRefreshTokenResponse> {
        let client = self.client(&r.client_id)?;
        self.check_client_secret(&client, r.client_secret.as_ref().map(|s| s.0.as_str()))?;
        let result = self.refresh_tokens(&client, &r.refresh_token, r.device_key.as_deref())?;
        Ok(w::GetTokensFromRefreshTokenResponse { authentication_result: Some(result) })
    }

    /// New ID and access tokens for a refresh token of `client` and, when the client rotates
    /// refresh tokens, a new refresh token that replaces the one presented.
    pub(in crate::user_pools) fn refresh_tokens(
        &self,
        client: &AppClient,
        refresh_token: &str,
        device_key: Option<&str>,
    ) -> Result<w::AuthenticationResultType> {
        let (pool, user, session) = self.refresh_session(client, refresh_token)?;
        let occasion = Occasion { device_key: self.refresh_device(&pool, &user, device_key)?, ..Occasion::of(REFRESH_SOURCE) };
        let mut result = self.issue_tokens(&pool, client, &user, Some(&session), None, occasion)?;
        let rotates = client.config.refresh_token_rotation.as_ref().is_some_and(|r| r.feature == w::FeatureType::Enabled);
        if rotates && session.refresh_hash == sha256_hex(refresh_token) {
            let fresh = self.random.token()?;
            self.store.rotate_refresh_token(&session.origin_jti, &session.refresh_hash, &sha256_hex(&fresh), self.now()).map_err(|e| {
                match e {
                    StoreError::Conflict(_) => Error::RefreshTokenReuse("Refresh token has already been used.".into()),
                    other => other.into(),
                }
            })?;
            result.refresh_token = Some(Sensitive(fresh));
        }
        Ok(result)
    }

    fn check_client_secret(&self, client: &AppClient, given: Option<&str>) -> Result<()> {
        if client.has_secret() && !client.secret_matches(given.unwrap_or_default()) {
            return Err(Error::NotAuthorized(format!(
                "Client {} is configured for secret but secret was not received or is wrong",
                client.client_id
            )));
        }
        Ok(())
    }

    /// ID and access tokens, plus a refresh token for a new sign-in (`session` is None) or
    /// the same session's for a refresh. `grant` is what a login page's sign-in was granted
    /// (scopes, nonce); a refresh keeps its session's scopes. Sessions with OAuth scopes get an
    /// ID token only with `openid`.
    pub(in crate::user_pools) fn issue_tokens(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        session: Option<&Session>,
        grant: Option<&Grant<'_>>,
        occasion: Occasion<'_>,
    ) -> Result<w::AuthenticationResultType> {
        let Occasion { source, client_metadata, device_key } = occasion;
        let scope = match (session, grant) {
            (Some(s), _) => s.scope.as_deref(),
            (None, Some(g)) => Some(g.scope),
            (None, None) => None,
        };
        let with_id_token = scope.is_none_or(|s| s.split(' ').any(|s| s == "openid"));
        let validity = validity(&client.config);
        let now_ms = self.now();
        let now = now_ms.div_euclid(1000);
        let (origin_jti, auth_time, refresh) = match session {
            Some(s) => (s.origin_jti.clone(), s.auth_time, None),
            None => {
                let refresh = self.random.token()?;
                let s = Session {
                    origin_jti: self.random.uuid()?,
                    pool_id: pool.id.clone(),
                    client_id: client.client_id.clone(),
                    sub: user.sub.clone(),
                    refresh_hash: sha256_hex(&refresh),
                    previous_refresh_hash: None,
                    rotated_ms: None,
                    scope: scope.map(str::to_owned),
                    auth_time: now,
                    created_ms: now_ms,
                    expires_ms: now_ms + validity.refresh * 1000,
                    revoked: false,
                };
                self.store.insert_session(&s)?;
                (s.origin_jti, now, Some(refresh))
            }
        };
        let groups = self.store.groups_of_user(&pool.id, &user.sub)?;
        let event_id = self.random.uuid()?;
        let signer = self.signer(&pool.id)?;
        let holder = Holder { pool_id: &pool.id, user, groups: &groups, origin_jti: &origin_jti, auth_time, event_id: &event_id };
        let mut id = self.id_claims(&holder, &client.client_id, now + validity.id, now)?;
        if let Some(nonce) = grant.and_then(|g| g.nonce) {
            id.insert("nonce".into(), json!(nonce));
        }
        let mut access = self.access_claims(&holder, &client.client_id, scope.unwrap_or(ADMIN_SCOPE), now + validity.access, now)?;
        if let Some(key) = device_key {
            access.insert("device_key".into(), json!(key));
        }
        let event = TokenEvent {
            source,
            user,
            client_id: &client.client_id,
            groups: &groups,
            scope: scope.unwrap_or(ADMIN_SCOPE),
            client_metadata,
        };
        if let Some(changes) = self.pre_token_generation(pool, &event)? {
            changes.apply(&mut id, true);
            changes.apply(&mut access, false);
            access.insert("scope".into(), json!(changes.scopes(scope.unwrap_or(ADMIN_SCOPE))));
        }

        Ok(w::AuthenticationResultType {
            access_token: Some(Sensitive(signer.sign(&access)?)),
            expires_in: Some(i32::try_from(validity.access).unwrap_or(i32::MAX)),
            token_type: Some("Bearer".into()),
            refresh_token: refresh.map(Sensitive),
            id_token: if with_id_token { Some(Sensitive(signer.sign(&id)?)) } else { None },
            new_device_metadata: None,
        })
    }

    /// An ID token's claims: the user's attributes, groups and roles, for audience `aud`.
    pub(in crate::user_pools) fn id_claims(&self, h: &Holder<'_>, aud: &str, exp: i64, now: i64) -> Result<Map<String, Value>> {
        let mut sorted: Vec<&Group> = h.groups.iter().collect();
        sorted.sort_by_key(|g| g.config.precedence.unwrap_or(i32::MAX));
        let group_names: Vec<&str> = h.groups.iter().map(|g| g.name.as_str()).collect();
        let roles: Vec<&str> = sorted.iter().filter_map(|g| g.config.role_arn.as_deref()).collect();
        let mut id = Map::new();
        id.insert("sub".into(), json!(h.user.sub));
        if !group_names.is_empty() {
            id.insert("cognito:groups".into(), json!(group_names));
        }
        if !roles.is_empty() {
            id.insert("cognito:preferred_role".into(), json!(roles[0]));
            id.insert("cognito:roles".into(), json!(roles));
        }
        for (name, value) in &h.user.data.attributes {
            if name.starts_with("dev:") {
                continue;
            }
            let v = if name.ends_with("_verified") {
                json!(value == "true")
            } else if name == "identities" {
                // A federated user's linked identities: a JSON array in the token, as Cognito's.
                serde_json::from_str(value).unwrap_or_else(|_| json!(value))
            } else {
                json!(value)
            };
            id.insert(name.clone(), v);
        }
        id.insert("iss".into(), json!(self.issuer(h.pool_id)));
        id.insert("cognito:username".into(), json!(h.user.username));
        id.insert("origin_jti".into(), json!(h.origin_jti));
        id.insert("aud".into(), json!(aud));
        id.insert("event_id".into(), json!(h.event_id));
        id.insert("token_use".into(), json!("id"));
        id.insert("auth_time".into(), json!(h.auth_time));
        id.insert("exp".into(), json!(exp));
        id.insert("iat".into(), json!(now));
        id.insert("jti".into(), json!(self.random.uuid()?));
        Ok(id)
    }

    /// An access token's claims for `client_id`, granting `scope` (space-separated).
    pub(in crate::user_pools) fn access_claims(
        &self,
        h: &Holder<'_>,
        client_id: &str,
        scope: &str,
        exp: i64,
        now: i64,
    ) -> Result<Map<String, Value>> {
        let mut access = Map::new();
        access.insert("sub".into(), json!(h.user.sub));
        if !h.groups.is_empty() {
            access.insert("cognito:groups".into(), json!(h.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>()));
        }
        access.insert("iss".into(), json!(self.issuer(h.pool_id)));
        access.insert("client_id".into(), json!(client_id));
        access.insert("origin_jti".into(), json!(h.origin_jti));
        access.insert("event_id".into(), json!(h.event_id));
        access.insert("token_use".into(), json!("access"));
        access.insert("scope".into(), json!(scope));
        access.insert("auth_time".into(), json!(h.auth_time));
        access.insert("exp".into(), json!(exp));
        access.insert("iat".into(), json!(now));
        access.insert("jti".into(), json!(self.random.uuid()?));
        access.insert("username".into(), json!(h.user.username));
        Ok(access)
    }

    pub(in crate::user_pools) fn op_global_sign_out(&self, r: w::GlobalSignOutRequest) -> Result<w::GlobalSignOutResponse> {
        let (pool, user, _) = self.authenticate(&r.access_token)?;
        self.store.revoke_user_sessions(&pool.id, &user.sub)?;
        Ok(w::GlobalSignOutResponse {})
    }

    /// Revokes a refresh token and every token issued from it.
    pub(in crate::user_pools) fn op_revoke_token(&self, r: w::RevokeTokenRequest) -> Result<w::RevokeTokenResponse> {
        // RevokeToken's model lists no ResourceNotFoundException: an unknown client is a
        // failed client authentication.
        let client = self.store.get_client(&r.client_id)?.ok_or_else(|| Error::Unauthorized("Client authentication failed.".into()))?;
        self.check_client_secret(&client, r.client_secret.as_ref().map(|s| s.0.as_str()))?;
        if client.config.enable_token_revocation == Some(false) {
            return Err(Error::Unsupported("Token revocation is not enabled for this app client.".into()));
        }
        // RFC 7009: revoking an unknown token succeeds.
        if let Some(session) = self.store.get_session_by_refresh_hash(&sha256_hex(&r.token))? {
            if session.client_id != client.client_id {
                return Err(Error::Unauthorized("The token was not issued to this client.".into()));
            }
            self.store.revoke_session(&session.origin_jti)?;
        }
        Ok(w::RevokeTokenResponse {})
    }
}
