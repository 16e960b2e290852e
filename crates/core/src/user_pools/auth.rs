//! Sign-in: InitiateAuth / AdminInitiateAuth (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
//! ADMIN_NO_SRP_AUTH, REFRESH_TOKEN_AUTH / REFRESH_TOKEN), RespondToAuthChallenge /
//! AdminRespondToAuthChallenge (NEW_PASSWORD_REQUIRED), GlobalSignOut, RevokeToken; and the
//! tokens a successful sign-in earns.

use std::collections::BTreeMap;

use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType as Flow, UserStatusType};
use serde_json::{Map, Value, json};

use super::UserPools;
use super::attributes::{self, Writer};
use super::clients::{allows, validity};
use crate::error::{Error, Result};
use crate::password;
use crate::random;
use crate::store::{AppClient, Session, User, UserPool};
use crate::tokens::{self, sha256_hex};

/// Consecutive wrong passwords allowed before sign-in is refused for a while; each further
/// failure doubles the wait, up to [`MAX_LOCKOUT_SECS`].
const FREE_ATTEMPTS: u32 = 5;
const MAX_LOCKOUT_SECS: i64 = 15 * 60;
/// Challenge sessions live 3 minutes unless the client says otherwise (AuthSessionValidity).
const DEFAULT_SESSION_MINUTES: i64 = 3;

/// What a flow produced: tokens, or a challenge to answer.
enum Outcome {
    Tokens(w::AuthenticationResultType),
    Challenge { name: ChallengeNameType, session: String, parameters: BTreeMap<String, String> },
}

fn incorrect() -> Error {
    Error::NotAuthorized("Incorrect username or password.".into())
}

impl UserPools {
    pub(super) fn op_initiate_auth(&self, r: w::InitiateAuthRequest) -> Result<w::InitiateAuthResponse> {
        let client = self.client(&r.client_id)?;
        let params = r.auth_parameters.map(|p| p.0).unwrap_or_default();
        let outcome = match r.auth_flow {
            AuthFlowType::UserPasswordAuth => {
                if !allows(&client, Flow::AllowUserPasswordAuth, Some(Flow::UserPasswordAuth)) {
                    return Err(Error::InvalidParameter("USER_PASSWORD_AUTH flow not enabled for this client".into()));
                }
                self.password_flow(&client, &params)?
            }
            AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => self.refresh_flow(&client, &params)?,
            AuthFlowType::AdminNoSrpAuth | AuthFlowType::AdminUserPasswordAuth => {
                return Err(Error::InvalidParameter(format!("Initiate Auth method not supported: {}", r.auth_flow.as_str())));
            }
            other => return Err(Error::Unsupported(format!("PoolDesk does not support the {} flow yet.", other.as_str()))),
        };
        Ok(match outcome {
            Outcome::Tokens(result) => w::InitiateAuthResponse { authentication_result: Some(result), ..Default::default() },
            Outcome::Challenge { name, session, parameters } => w::InitiateAuthResponse {
                challenge_name: Some(name),
                session: Some(Sensitive(session)),
                challenge_parameters: Some(parameters),
                ..Default::default()
            },
        })
    }

    pub(super) fn op_admin_initiate_auth(&self, r: w::AdminInitiateAuthRequest) -> Result<w::AdminInitiateAuthResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        let params = r.auth_parameters.map(|p| p.0).unwrap_or_default();
        let outcome = match r.auth_flow {
            AuthFlowType::AdminUserPasswordAuth | AuthFlowType::AdminNoSrpAuth => {
                if !allows(&client, Flow::AllowAdminUserPasswordAuth, Some(Flow::AdminNoSrpAuth)) {
                    return Err(Error::InvalidParameter("Auth flow not enabled for this client".into()));
                }
                self.password_flow(&client, &params)?
            }
            AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => self.refresh_flow(&client, &params)?,
            AuthFlowType::UserPasswordAuth => {
                return Err(Error::InvalidParameter("Initiate Auth method not supported: USER_PASSWORD_AUTH".into()));
            }
            other => return Err(Error::Unsupported(format!("PoolDesk does not support the {} flow yet.", other.as_str()))),
        };
        Ok(match outcome {
            Outcome::Tokens(result) => w::AdminInitiateAuthResponse { authentication_result: Some(result), ..Default::default() },
            Outcome::Challenge { name, session, parameters } => w::AdminInitiateAuthResponse {
                challenge_name: Some(name),
                session: Some(Sensitive(session)),
                challenge_parameters: Some(parameters),
                ..Default::default()
            },
        })
    }

    /// USERNAME + PASSWORD. Order of checks follows Cognito: the password is checked before
    /// anything that would reveal the account's state.
    fn password_flow(&self, client: &AppClient, params: &BTreeMap<String, String>) -> Result<Outcome> {
        let pool = self.pool(&client.pool_id)?;
        let username = params.get("USERNAME").ok_or_else(|| Error::InvalidParameter("Missing required parameter USERNAME".into()))?;
        let password = params.get("PASSWORD").ok_or_else(|| Error::InvalidParameter("Missing required parameter PASSWORD".into()))?;
        let Some(mut user) = self.find_user(&pool, username)? else {
            Self::check_secret_hash(client, &[username], params.get("SECRET_HASH").map(String::as_str))?;
            // Same work as a real check, so timing does not tell who exists.
            self.hasher.verify_dummy(password);
            return Err(if Self::hides_users_auth(client) { incorrect() } else { Error::UserNotFound("User does not exist.".into()) });
        };
        Self::check_secret_hash(client, &[username, &user.username], params.get("SECRET_HASH").map(String::as_str))?;
        let now = self.now();
        if user.data.locked_until_ms.is_some_and(|t| t > now) {
            self.hasher.verify_dummy(password);
            return Err(Error::NotAuthorized("Password attempts exceeded".into()));
        }
        let ok = user.data.password_hash.as_deref().is_some_and(|h| self.hasher.verify(password, h));
        if !ok {
            user.data.failed_sign_ins += 1;
            if user.data.failed_sign_ins >= FREE_ATTEMPTS {
                let exponent = (user.data.failed_sign_ins - FREE_ATTEMPTS).min(10);
                let secs = (1i64 << exponent).min(MAX_LOCKOUT_SECS);
                user.data.locked_until_ms = Some(now + secs * 1000);
            }
            self.save_user(&mut user)?;
            return Err(if user.data.locked_until_ms.is_some() && user.data.failed_sign_ins > FREE_ATTEMPTS {
                Error::NotAuthorized("Password attempts exceeded".into())
            } else {
                incorrect()
            });
        }
        if user.data.failed_sign_ins > 0 {
            user.data.failed_sign_ins = 0;
            user.data.locked_until_ms = None;
            self.save_user(&mut user)?;
        }
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        match user.status {
            UserStatusType::Unconfirmed => return Err(Error::UserNotConfirmed("User is not confirmed.".into())),
            UserStatusType::ResetRequired => return Err(Error::PasswordResetRequired("Password reset required for the user".into())),
            UserStatusType::ForceChangePassword => {
                if user.data.temporary_password_expires_ms.is_some_and(|t| t <= now) {
                    return Err(Error::NotAuthorized("Temporary password has expired and must be reset by an administrator.".into()));
                }
                let session = self.challenge_session(&pool, client, &user, ChallengeNameType::NewPasswordRequired)?;
                let visible: BTreeMap<&String, &String> = user.data.attributes.iter().filter(|(k, _)| !k.ends_with("_verified")).collect();
                let parameters = BTreeMap::from([
                    ("USER_ID_FOR_SRP".to_owned(), user.username.clone()),
                    ("requiredAttributes".to_owned(), "[]".to_owned()),
                    ("userAttributes".to_owned(), serde_json::to_string(&visible).map_err(Error::internal)?),
                ]);
                return Ok(Outcome::Challenge { name: ChallengeNameType::NewPasswordRequired, session, parameters });
            }
            _ => {}
        }
        Ok(Outcome::Tokens(self.issue_tokens(&pool, client, &user, None)?))
    }

    fn hides_users_auth(client: &AppClient) -> bool {
        client.config.prevent_user_existence_errors == Some(w::PreventUserExistenceErrorTypes::Enabled)
    }

    fn refresh_flow(&self, client: &AppClient, params: &BTreeMap<String, String>) -> Result<Outcome> {
        if !allows(client, Flow::AllowRefreshTokenAuth, None)
            && client.config.explicit_auth_flows.as_ref().is_some_and(|f| f.iter().any(|f| f.as_str().starts_with("ALLOW_")))
        {
            return Err(Error::InvalidParameter("REFRESH_TOKEN_AUTH flow not enabled for this client".into()));
        }
        let token =
            params.get("REFRESH_TOKEN").ok_or_else(|| Error::InvalidParameter("Missing required parameter REFRESH_TOKEN".into()))?;
        let invalid = || Error::NotAuthorized("Invalid Refresh Token".into());
        let session = self.store.get_session_by_refresh_hash(&sha256_hex(token))?.ok_or_else(invalid)?;
        if session.client_id != client.client_id {
            return Err(invalid());
        }
        if session.revoked {
            return Err(Error::NotAuthorized("Refresh Token has been revoked".into()));
        }
        if session.expires_ms <= self.now() {
            return Err(Error::NotAuthorized("Refresh Token has expired".into()));
        }
        let pool = self.pool(&client.pool_id)?;
        let user = self.store.get_user_by_sub(&pool.id, &session.sub)?.ok_or_else(invalid)?;
        Self::check_secret_hash(
            client,
            &[&user.username, &user.sub, params.get("USERNAME").map(String::as_str).unwrap_or("")],
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        if user.status == UserStatusType::ResetRequired {
            return Err(Error::PasswordResetRequired("Password reset required for the user".into()));
        }
        Ok(Outcome::Tokens(self.issue_tokens(&pool, client, &user, Some(&session))?))
    }

    /// A challenge session: a short-lived token signed with the pool's key that names the
    /// user, client and challenge, so no server-side state is needed between the two calls.
    fn challenge_session(&self, pool: &UserPool, client: &AppClient, user: &User, challenge: ChallengeNameType) -> Result<String> {
        let minutes = client.config.auth_session_validity.map(i64::from).unwrap_or(DEFAULT_SESSION_MINUTES);
        let now = self.clock.now_secs();
        let mut claims = Map::new();
        claims.insert("iss".into(), json!(self.issuer(&pool.id)));
        claims.insert("token_use".into(), json!("session"));
        claims.insert("sub".into(), json!(user.sub));
        claims.insert("client_id".into(), json!(client.client_id));
        claims.insert("challenge".into(), json!(challenge.as_str()));
        claims.insert("jti".into(), json!(random::uuid()?));
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + minutes * 60));
        self.signer(&pool.id)?.sign(&claims)
    }

    pub(super) fn op_respond_to_auth_challenge(&self, r: w::RespondToAuthChallengeRequest) -> Result<w::RespondToAuthChallengeResponse> {
        let client = self.client(&r.client_id)?;
        let result =
            self.respond(&client, r.challenge_name, r.session.map(|s| s.0), r.challenge_responses.map(|c| c.0).unwrap_or_default())?;
        Ok(w::RespondToAuthChallengeResponse { authentication_result: Some(result), ..Default::default() })
    }

    pub(super) fn op_admin_respond_to_auth_challenge(
        &self,
        r: w::AdminRespondToAuthChallengeRequest,
    ) -> Result<w::AdminRespondToAuthChallengeResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        let result =
            self.respond(&client, r.challenge_name, r.session.map(|s| s.0), r.challenge_responses.map(|c| c.0).unwrap_or_default())?;
        Ok(w::AdminRespondToAuthChallengeResponse { authentication_result: Some(result), ..Default::default() })
    }

    fn respond(
        &self,
        client: &AppClient,
        challenge: ChallengeNameType,
        session: Option<String>,
        responses: BTreeMap<String, String>,
    ) -> Result<w::AuthenticationResultType> {
        if challenge != ChallengeNameType::NewPasswordRequired {
            return Err(Error::Unsupported(format!("PoolDesk does not support the {} challenge yet.", challenge.as_str())));
        }
        let pool = self.pool(&client.pool_id)?;
        let expired = || Error::NotAuthorized("Invalid session for the user, session is expired.".into());
        let session = session.ok_or_else(|| Error::InvalidParameter("Missing required parameter Session".into()))?;
        let claims = tokens::verify(&session, &self.signers(&pool.id)?, &self.issuer(&pool.id), "session", self.clock.now_secs())
            .map_err(|_| expired())?;
        if claims.get("client_id").and_then(Value::as_str) != Some(client.client_id.as_str())
            || claims.get("challenge").and_then(Value::as_str) != Some(challenge.as_str())
        {
            return Err(expired());
        }
        let sub = claims.get("sub").and_then(Value::as_str).ok_or_else(expired)?;
        let mut user = self.store.get_user_by_sub(&pool.id, sub)?.ok_or_else(expired)?;
        let username = responses.get("USERNAME").ok_or_else(|| Error::InvalidParameter("Missing required parameter USERNAME".into()))?;
        if self.find_user(&pool, username)?.map(|u| u.sub) != Some(user.sub.clone()) {
            return Err(expired());
        }
        Self::check_secret_hash(client, &[username, &user.username], responses.get("SECRET_HASH").map(String::as_str))?;
        if user.status != UserStatusType::ForceChangePassword {
            return Err(expired());
        }
        let new_password =
            responses.get("NEW_PASSWORD").ok_or_else(|| Error::InvalidParameter("Missing required parameter NEW_PASSWORD".into()))?;
        let policy = pool.config.policies.as_ref().and_then(|p| p.password_policy.clone()).unwrap_or_else(password::default_policy);
        password::check_policy(&policy, new_password)?;
        let updates: Vec<w::AttributeType> = responses
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("userAttributes.").map(|name| w::AttributeType { name: name.to_owned(), value: Some(v.clone()) })
            })
            .collect();
        attributes::check(&pool, &updates, Writer::User(Some(client)), false)?;
        attributes::apply(&mut user.data.attributes, &updates);
        attributes::check_required(&pool, &user.data.attributes)?;
        user.data.password_hash = Some(self.hasher.hash(new_password)?);
        user.data.temporary_password_expires_ms = None;
        user.status = UserStatusType::Confirmed;
        self.save_user(&mut user)?;
        self.issue_tokens(&pool, client, &user, None)
    }

    /// ID and access tokens, plus a refresh token for a new sign-in (`session` is None) or
    /// the same session's for a refresh.
    fn issue_tokens(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        session: Option<&Session>,
    ) -> Result<w::AuthenticationResultType> {
        let validity = validity(&client.config);
        let now_ms = self.now();
        let now = now_ms.div_euclid(1000);
        let (origin_jti, auth_time, refresh) = match session {
            Some(s) => (s.origin_jti.clone(), s.auth_time, None),
            None => {
                let refresh = random::token()?;
                let s = Session {
                    origin_jti: random::uuid()?,
                    pool_id: pool.id.clone(),
                    client_id: client.client_id.clone(),
                    sub: user.sub.clone(),
                    refresh_hash: sha256_hex(&refresh),
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
        let mut sorted = groups.clone();
        sorted.sort_by_key(|g| g.config.precedence.unwrap_or(i32::MAX));
        let group_names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        let roles: Vec<&str> = sorted.iter().filter_map(|g| g.config.role_arn.as_deref()).collect();
        let event_id = random::uuid()?;
        let issuer = self.issuer(&pool.id);
        let signer = self.signer(&pool.id)?;

        let mut id = Map::new();
        id.insert("sub".into(), json!(user.sub));
        if !group_names.is_empty() {
            id.insert("cognito:groups".into(), json!(group_names));
        }
        if !roles.is_empty() {
            id.insert("cognito:preferred_role".into(), json!(roles[0]));
            id.insert("cognito:roles".into(), json!(roles));
        }
        for (name, value) in &user.data.attributes {
            if name.starts_with("dev:") {
                continue;
            }
            let v = if name.ends_with("_verified") { json!(value == "true") } else { json!(value) };
            id.insert(name.clone(), v);
        }
        id.insert("iss".into(), json!(issuer));
        id.insert("cognito:username".into(), json!(user.username));
        id.insert("origin_jti".into(), json!(origin_jti));
        id.insert("aud".into(), json!(client.client_id));
        id.insert("event_id".into(), json!(event_id));
        id.insert("token_use".into(), json!("id"));
        id.insert("auth_time".into(), json!(auth_time));
        id.insert("exp".into(), json!(now + validity.id));
        id.insert("iat".into(), json!(now));
        id.insert("jti".into(), json!(random::uuid()?));

        let mut access = Map::new();
        access.insert("sub".into(), json!(user.sub));
        if !group_names.is_empty() {
            access.insert("cognito:groups".into(), json!(group_names));
        }
        access.insert("iss".into(), json!(issuer));
        access.insert("client_id".into(), json!(client.client_id));
        access.insert("origin_jti".into(), json!(origin_jti));
        access.insert("event_id".into(), json!(event_id));
        access.insert("token_use".into(), json!("access"));
        access.insert("scope".into(), json!("aws.cognito.signin.user.admin"));
        access.insert("auth_time".into(), json!(auth_time));
        access.insert("exp".into(), json!(now + validity.access));
        access.insert("iat".into(), json!(now));
        access.insert("jti".into(), json!(random::uuid()?));
        access.insert("username".into(), json!(user.username));

        Ok(w::AuthenticationResultType {
            access_token: Some(Sensitive(signer.sign(&access)?)),
            expires_in: Some(i32::try_from(validity.access).unwrap_or(i32::MAX)),
            token_type: Some("Bearer".into()),
            refresh_token: refresh.map(Sensitive),
            id_token: Some(Sensitive(signer.sign(&id)?)),
            new_device_metadata: None,
        })
    }

    pub(super) fn op_global_sign_out(&self, r: w::GlobalSignOutRequest) -> Result<w::GlobalSignOutResponse> {
        let (pool, user, _) = self.authenticate(&r.access_token)?;
        self.store.revoke_user_sessions(&pool.id, &user.sub)?;
        Ok(w::GlobalSignOutResponse {})
    }

    /// Revokes a refresh token and every token issued from it.
    pub(super) fn op_revoke_token(&self, r: w::RevokeTokenRequest) -> Result<w::RevokeTokenResponse> {
        // RevokeToken's model lists no ResourceNotFoundException: an unknown client is a
        // failed client authentication.
        let client = self.store.get_client(&r.client_id)?.ok_or_else(|| Error::Unauthorized("Client authentication failed.".into()))?;
        if let Some(secret) = &client.secret {
            let given = r.client_secret.as_ref().map(|s| s.0.as_bytes()).unwrap_or_default();
            if aws_lc_rs::constant_time::verify_slices_are_equal(given, secret.as_bytes()).is_err() {
                return Err(Error::NotAuthorized(format!(
                    "Client {} is configured for secret but secret was not received or is wrong",
                    client.client_id
                )));
            }
        }
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
