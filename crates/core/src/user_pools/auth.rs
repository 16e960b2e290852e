//! Sign-in: InitiateAuth / AdminInitiateAuth (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
//! ADMIN_NO_SRP_AUTH, USER_SRP_AUTH, USER_AUTH, REFRESH_TOKEN_AUTH / REFRESH_TOKEN),
//! RespondToAuthChallenge / AdminRespondToAuthChallenge, GetTokensFromRefreshToken,
//! GlobalSignOut, RevokeToken; and the tokens a successful sign-in earns.
//!
//! A sign-in is a small state machine: a first factor (password, SRP, or a one-time code),
//! then whatever the account still needs (a new password, a second factor), then tokens.
//! Each step that waits for the client is stored under the Session id the client holds and
//! taken (deleted) when answered, so no challenge can be answered twice.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, AuthFlowType, ChallengeNameType as Ch, ExplicitAuthFlowsType as Flow, UserStatusType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};

use super::attributes::{self, Writer};
use super::clients::{allows, validity};
use super::{Context, UserPools, messages};
use crate::error::{Error, Result};
use crate::store::{AppClient, AuthEventRecord, ChallengeRecord, Session, StoreError, User, UserPool};
use crate::tokens::sha256_hex;
use crate::{password, random, srp, totp};

/// Consecutive wrong passwords allowed before sign-in is refused for a while; each further
/// failure doubles the wait, up to [`MAX_LOCKOUT_SECS`].
const FREE_ATTEMPTS: u32 = 5;
const MAX_LOCKOUT_SECS: i64 = 15 * 60;
/// Challenge sessions live 3 minutes unless the client says otherwise (AuthSessionValidity).
const DEFAULT_SESSION_MINUTES: i64 = 3;
/// Wrong one-time codes allowed on one challenge before it is void.
const CODE_ATTEMPTS: u32 = 3;
/// How far an SRP client's TIMESTAMP may be from the server's clock.
const SRP_TIMESTAMP_SKEW_SECS: i64 = 5 * 60;

/// The SRP verifier an unknown user appears to have, so that with PreventUserExistenceErrors
/// the answer (a SALT stable per username, a fresh SRP_B) and the work behind it look like a
/// real user's. The salt comes from a per-process key; the verifier is one random password's.
pub(super) struct DecoySrp {
    key: [u8; 32],
    verifier: Vec<u8>,
}

impl DecoySrp {
    pub(super) fn new() -> Result<Self> {
        let verifier = srp::make_verifier("decoy_pool", "decoy", &random::token()?)?.verifier;
        Ok(DecoySrp { key: random::bytes::<32>()?, verifier })
    }

    fn verifier(&self, pool_id: &str, username: &str) -> srp::Verifier {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &self.key);
        let tag = aws_lc_rs::hmac::sign(&key, format!("{pool_id}\0{username}").as_bytes());
        let mut salt = tag.as_ref()[..16].to_vec();
        salt[0] |= 1;
        srp::Verifier { salt, verifier: self.verifier.clone() }
    }
}

/// Fills any of the four sign-in responses (InitiateAuth, AdminInitiateAuth and their
/// RespondToAuthChallenge twins), which share these members, from an [`Outcome`].
macro_rules! respond_with {
    ($response:ident, $outcome:expr) => {
        match $outcome {
            Outcome::Tokens(result) => w::$response { authentication_result: Some(result), ..Default::default() },
            Outcome::Challenge { name, session, parameters, available } => w::$response {
                challenge_name: Some(name),
                session: Some(Sensitive(session)),
                challenge_parameters: Some(parameters),
                available_challenges: available,
                ..Default::default()
            },
        }
    };
}

/// What a flow produced: tokens, or a challenge to answer.
pub(super) enum Outcome {
    Tokens(w::AuthenticationResultType),
    Challenge { name: Ch, session: String, parameters: BTreeMap<String, String>, available: Option<Vec<Ch>> },
}

/// How far a sign-in has come: the flow it started with and the challenges passed so far,
/// which the sign-in event records.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Progress {
    flow: String,
    passed: Vec<w::ChallengeName>,
}

impl Progress {
    fn new(flow: AuthFlowType) -> Self {
        Progress { flow: flow.as_str().to_owned(), passed: Vec::new() }
    }

    fn with(mut self, challenge: w::ChallengeName) -> Self {
        self.passed.push(challenge);
        self
    }
}

impl std::ops::Deref for Progress {
    type Target = Vec<w::ChallengeName>;
    fn deref(&self) -> &Self::Target {
        &self.passed
    }
}

impl std::ops::DerefMut for Progress {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.passed
    }
}

/// A sign-in waiting for the client, as stored between two calls.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    client_id: String,
    /// None while the user is unknown (a decoy challenge under PreventUserExistenceErrors).
    sub: Option<String>,
    step: Step,
    attempts_left: u32,
    passed: Progress,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind")]
enum Step {
    NewPasswordRequired,
    PasswordVerifier {
        b: String,
        srp_a: String,
        secret_block: String,
        user_id: String,
    },
    SoftwareTokenMfa,
    /// SMS_MFA, EMAIL_OTP (as MFA or first factor) and SMS_OTP: a code we sent.
    Code {
        challenge: String,
        code_hash: String,
    },
    SelectMfaType {
        options: Vec<String>,
    },
    MfaSetup {
        secret: Option<String>,
        verified: bool,
    },
    SelectChallenge {
        options: Vec<String>,
    },
}

fn incorrect() -> Error {
    Error::NotAuthorized("Incorrect username or password.".into())
}

fn expired_session() -> Error {
    Error::NotAuthorized("Invalid session for the user, session is expired.".into())
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str> {
    params.get(name).map(String::as_str).ok_or_else(|| Error::InvalidParameter(format!("Missing required parameter {name}")))
}

impl UserPools {
    pub(super) fn op_initiate_auth(&self, ctx: &Context, r: w::InitiateAuthRequest) -> Result<w::InitiateAuthResponse> {
        if matches!(r.auth_flow, AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken) {
            // A refresh reads the client, pool, session, user, groups and keys, then signs
            // (no hashing, nothing held long): one read transaction for all of them instead
            // of one each, a fifth of an ES256 refresh's CPU.
            return self.reading_together(|| self.initiate_auth(ctx, r));
        }
        self.initiate_auth(ctx, r)
    }

    fn initiate_auth(&self, ctx: &Context, r: w::InitiateAuthRequest) -> Result<w::InitiateAuthResponse> {
        let client = self.client(&r.client_id)?;
        let params = r.auth_parameters.map(|p| p.0).unwrap_or_default();
        if matches!(r.auth_flow, AuthFlowType::AdminNoSrpAuth | AuthFlowType::AdminUserPasswordAuth) {
            return Err(Error::InvalidParameter(format!("Initiate Auth method not supported: {}", r.auth_flow.as_str())));
        }
        let outcome = self.initiate(ctx, &client, r.auth_flow, &params)?;
        Ok(respond_with!(InitiateAuthResponse, outcome))
    }

    pub(super) fn op_admin_initiate_auth(&self, ctx: &Context, r: w::AdminInitiateAuthRequest) -> Result<w::AdminInitiateAuthResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        let params = r.auth_parameters.map(|p| p.0).unwrap_or_default();
        if r.auth_flow == AuthFlowType::UserPasswordAuth {
            return Err(Error::InvalidParameter("Initiate Auth method not supported: USER_PASSWORD_AUTH".into()));
        }
        let outcome = self.initiate(ctx, &client, r.auth_flow, &params)?;
        Ok(respond_with!(AdminInitiateAuthResponse, outcome))
    }

    fn initiate(&self, ctx: &Context, client: &AppClient, flow: AuthFlowType, params: &BTreeMap<String, String>) -> Result<Outcome> {
        let pool = self.pool(&client.pool_id)?;
        let progress = Progress::new(flow);
        match flow {
            AuthFlowType::UserPasswordAuth => {
                if !allows(client, Flow::AllowUserPasswordAuth, Some(Flow::UserPasswordAuth)) {
                    return Err(Error::InvalidParameter("USER_PASSWORD_AUTH flow not enabled for this client".into()));
                }
                self.password_flow(ctx, &pool, client, params, progress)
            }
            AuthFlowType::AdminUserPasswordAuth | AuthFlowType::AdminNoSrpAuth => {
                if !allows(client, Flow::AllowAdminUserPasswordAuth, Some(Flow::AdminNoSrpAuth)) {
                    return Err(Error::InvalidParameter("Auth flow not enabled for this client".into()));
                }
                self.password_flow(ctx, &pool, client, params, progress)
            }
            AuthFlowType::UserSrpAuth => {
                if !allows(client, Flow::AllowUserSrpAuth, None)
                    && client.config.explicit_auth_flows.as_ref().is_some_and(|f| !f.is_empty())
                {
                    return Err(Error::InvalidParameter("USER_SRP_AUTH flow not enabled for this client".into()));
                }
                self.srp_flow(&pool, client, params, progress)
            }
            AuthFlowType::UserAuth => {
                if !allows(client, Flow::AllowUserAuth, None) {
                    return Err(Error::InvalidParameter("USER_AUTH flow not enabled for this client".into()));
                }
                self.choice_flow(ctx, &pool, client, params, progress)
            }
            AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => self.refresh_flow(client, params),
            other => Err(Error::Unsupported(format!("PoolDesk does not support the {} flow yet.", other.as_str()))),
        }
    }

    /// Finds the user for a first factor; an unknown user is NotAuthorized (hidden) or
    /// UserNotFound depending on the client, after the same work a known one costs.
    fn sign_in_user(&self, pool: &UserPool, client: &AppClient, params: &BTreeMap<String, String>, decoy: impl FnOnce()) -> Result<User> {
        let username = param(params, "USERNAME")?;
        let secret_hash = params.get("SECRET_HASH").map(String::as_str);
        match self.find_user(pool, username)? {
            Some(user) => {
                Self::check_secret_hash(client, &[username, &user.username], secret_hash)?;
                Ok(user)
            }
            None => {
                Self::check_secret_hash(client, &[username], secret_hash)?;
                decoy();
                Err(if Self::hides_users_auth(client) { incorrect() } else { Error::UserNotFound("User does not exist.".into()) })
            }
        }
    }

    /// USERNAME + PASSWORD. The password is checked before anything that would reveal the
    /// account's state.
    fn password_flow(
        &self,
        ctx: &Context,
        pool: &UserPool,
        client: &AppClient,
        params: &BTreeMap<String, String>,
        progress: Progress,
    ) -> Result<Outcome> {
        let password = param(params, "PASSWORD")?;
        let mut user = self.sign_in_user(pool, client, params, || self.hasher.verify_dummy(password))?;
        self.check_password(ctx, pool, client, &mut user, password, &progress.flow)?;
        self.after_first_factor(ctx, pool, client, user, progress.with(w::ChallengeName::Password))
    }

    /// Verifies a password with lockout: repeated failures refuse sign-in for a growing time.
    fn check_password(
        &self,
        ctx: &Context,
        pool: &UserPool,
        client: &AppClient,
        user: &mut User,
        password: &str,
        flow: &str,
    ) -> Result<()> {
        self.check_not_locked(user, || self.hasher.verify_dummy(password))?;
        let Some(hash) = user.data.password_hash.as_deref() else {
            // No password yet (imported, or created with a suppressed invitation): the same
            // hashing work as a real check, so the answer's timing says nothing.
            self.hasher.verify_dummy(password);
            if user.status == UserStatusType::ResetRequired {
                return Err(Error::PasswordResetRequired("Password reset required for the user".into()));
            }
            return self.password_outcome(ctx, pool, client, user, false, flow);
        };
        let ok = self.hasher.verify(password, hash);
        self.password_outcome(ctx, pool, client, user, ok, flow)
    }

    fn check_not_locked(&self, user: &User, decoy: impl FnOnce()) -> Result<()> {
        if user.data.locked_until_ms.is_some_and(|t| t > self.now()) {
            decoy();
            return Err(Error::NotAuthorized("Password attempts exceeded".into()));
        }
        Ok(())
    }

    /// Records a first-factor result: counts failures toward the lockout, resets them on
    /// success, and logs the sign-in event for a failure.
    fn password_outcome(&self, ctx: &Context, pool: &UserPool, client: &AppClient, user: &mut User, ok: bool, flow: &str) -> Result<()> {
        if !ok {
            user.data.failed_sign_ins += 1;
            if user.data.failed_sign_ins >= FREE_ATTEMPTS {
                let exponent = (user.data.failed_sign_ins - FREE_ATTEMPTS).min(10);
                user.data.locked_until_ms = Some(self.now() + (1i64 << exponent).min(MAX_LOCKOUT_SECS) * 1000);
            }
            self.save_user(user)?;
            self.record_event(ctx, pool, client, &user.sub, flow, w::EventResponseType::Fail, &[(w::ChallengeName::Password, false)])?;
            return Err(if user.data.failed_sign_ins > FREE_ATTEMPTS {
                Error::NotAuthorized("Password attempts exceeded".into())
            } else {
                incorrect()
            });
        }
        if user.data.failed_sign_ins > 0 || user.data.locked_until_ms.is_some() {
            user.data.failed_sign_ins = 0;
            user.data.locked_until_ms = None;
            self.save_user(user)?;
        }
        Ok(())
    }

    fn hides_users_auth(client: &AppClient) -> bool {
        client.config.prevent_user_existence_errors == Some(w::PreventUserExistenceErrorTypes::Enabled)
    }

    /// After the first factor: the account's state, then a new password or a second factor
    /// if needed, then tokens.
    fn after_first_factor(&self, ctx: &Context, pool: &UserPool, client: &AppClient, user: User, passed: Progress) -> Result<Outcome> {
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        match user.status {
            UserStatusType::Unconfirmed => return Err(Error::UserNotConfirmed("User is not confirmed.".into())),
            UserStatusType::ResetRequired => return Err(Error::PasswordResetRequired("Password reset required for the user".into())),
            UserStatusType::ForceChangePassword => {
                if user.data.temporary_password_expires_ms.is_some_and(|t| t <= self.now()) {
                    return Err(Error::NotAuthorized("Temporary password has expired and must be reset by an administrator.".into()));
                }
                let visible: BTreeMap<&String, &String> = user.data.attributes.iter().filter(|(k, _)| !k.ends_with("_verified")).collect();
                let parameters = BTreeMap::from([
                    ("USER_ID_FOR_SRP".to_owned(), user.username.clone()),
                    ("requiredAttributes".to_owned(), "[]".to_owned()),
                    ("userAttributes".to_owned(), serde_json::to_string(&visible).map_err(Error::internal)?),
                ]);
                return self.challenge(pool, client, Some(&user), Step::NewPasswordRequired, Ch::NewPasswordRequired, parameters, passed);
            }
            _ => {}
        }
        self.second_factor(ctx, pool, client, user, passed)
    }

    /// The second factor the pool and user call for, or tokens.
    fn second_factor(&self, ctx: &Context, pool: &UserPool, client: &AppClient, user: User, passed: Progress) -> Result<Outcome> {
        let mode = pool.config.mfa_configuration.unwrap_or(w::UserPoolMfaType::Off);
        // A one-time code already proved a second thing the user has.
        let code_first = passed.iter().all(|c| *c != w::ChallengeName::Password);
        if mode == w::UserPoolMfaType::Off || code_first {
            return self.finish(ctx, pool, client, &user, &passed);
        }
        let enabled = self.enabled_factors(pool, &user);
        if enabled.is_empty() {
            if mode == w::UserPoolMfaType::Optional {
                return self.finish(ctx, pool, client, &user, &passed);
            }
            if pool.mfa_config.software_token_mfa_configuration.as_ref().and_then(|c| c.enabled) == Some(true) {
                let params = BTreeMap::from([("MFAS_CAN_SETUP".to_owned(), "[\"SOFTWARE_TOKEN_MFA\"]".to_owned())]);
                return self.challenge(
                    pool,
                    client,
                    Some(&user),
                    Step::MfaSetup { secret: None, verified: false },
                    Ch::MfaSetup,
                    params,
                    passed,
                );
            }
            return Err(Error::NotAuthorized("MFA is required, but the user has no second factor the pool allows.".into()));
        }
        let chosen = match user.data.mfa.preferred.as_deref().filter(|p| enabled.iter().any(|e| e == p)) {
            Some(p) => p.to_owned(),
            None if enabled.len() == 1 => enabled[0].clone(),
            None => {
                let params = BTreeMap::from([("MFAS_CAN_CHOOSE".to_owned(), serde_json::to_string(&enabled).map_err(Error::internal)?)]);
                return self.challenge(
                    pool,
                    client,
                    Some(&user),
                    Step::SelectMfaType { options: enabled },
                    Ch::SelectMfaType,
                    params,
                    passed,
                );
            }
        };
        self.start_mfa(pool, client, user, &chosen, passed)
    }

    /// The second factors a user has switched on that the pool allows.
    pub(super) fn enabled_factors(&self, pool: &UserPool, user: &User) -> Vec<String> {
        let m = &user.data.mfa;
        let c = &pool.mfa_config;
        let mut out = Vec::new();
        if m.sms_enabled && user.data.attributes.contains_key("phone_number") && c.sms_mfa_configuration.is_some() {
            out.push("SMS_MFA".to_owned());
        }
        if m.totp_enabled && m.totp_secret.is_some() && c.software_token_mfa_configuration.as_ref().and_then(|t| t.enabled) == Some(true) {
            out.push("SOFTWARE_TOKEN_MFA".to_owned());
        }
        if m.email_enabled && user.data.attributes.contains_key("email") && c.email_mfa_configuration.is_some() {
            out.push("EMAIL_OTP".to_owned());
        }
        out
    }

    fn start_mfa(&self, pool: &UserPool, client: &AppClient, user: User, factor: &str, passed: Progress) -> Result<Outcome> {
        match factor {
            "SOFTWARE_TOKEN_MFA" => {
                let params = BTreeMap::from([("FRIENDLY_DEVICE_NAME".to_owned(), "TOTP device".to_owned())]);
                self.challenge(pool, client, Some(&user), Step::SoftwareTokenMfa, Ch::SoftwareTokenMfa, params, passed)
            }
            "SMS_MFA" => self.send_sign_in_code(pool, client, user, "phone_number", Ch::SmsMfa, passed),
            "EMAIL_OTP" => self.send_sign_in_code(pool, client, user, "email", Ch::EmailOtp, passed),
            other => Err(Error::InvalidParameter(format!("{other} is not a second factor this user can use."))),
        }
    }

    /// Sends a one-time sign-in code (SMS_MFA, EMAIL_OTP, SMS_OTP) and waits for it.
    fn send_sign_in_code(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: User,
        attribute: &str,
        name: Ch,
        passed: Progress,
    ) -> Result<Outcome> {
        let ch = messages::channel(&user, attribute)
            .ok_or_else(|| Error::InvalidParameter(format!("The user has no {attribute} to send a code to.")))?;
        let code = random::code()?;
        self.send_mfa_code(pool, &user, &ch, &code)?;
        let d = messages::details(&ch);
        let params = BTreeMap::from([
            ("CODE_DELIVERY_DELIVERY_MEDIUM".to_owned(), d.delivery_medium.map(|m| m.as_str()).unwrap_or_default().to_owned()),
            ("CODE_DELIVERY_DESTINATION".to_owned(), d.destination.unwrap_or_default()),
        ]);
        let step = Step::Code { challenge: name.as_str().to_owned(), code_hash: sha256_hex(&code) };
        self.challenge(pool, client, Some(&user), step, name, params, passed)
    }

    /// Stores a pending step and answers with its challenge.
    #[allow(clippy::too_many_arguments)]
    fn challenge(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: Option<&User>,
        step: Step,
        name: Ch,
        mut parameters: BTreeMap<String, String>,
        passed: Progress,
    ) -> Result<Outcome> {
        if let Some(u) = user {
            parameters.entry("USER_ID_FOR_SRP".to_owned()).or_insert_with(|| u.username.clone());
        }
        let available = match &step {
            Step::SelectChallenge { options } => Some(options.iter().filter_map(|o| Ch::parse(o)).collect()),
            _ => None,
        };
        let session = self.store_pending(
            pool,
            client,
            Pending { client_id: client.client_id.clone(), sub: user.map(|u| u.sub.clone()), step, attempts_left: CODE_ATTEMPTS, passed },
        )?;
        Ok(Outcome::Challenge { name, session, parameters, available })
    }

    fn store_pending(&self, pool: &UserPool, client: &AppClient, pending: Pending) -> Result<String> {
        self.store_pending_as(random::token()?, pool, client, pending)
    }

    fn store_pending_as(&self, id: String, pool: &UserPool, client: &AppClient, pending: Pending) -> Result<String> {
        let minutes = client.config.auth_session_validity.map(i64::from).unwrap_or(DEFAULT_SESSION_MINUTES);
        let state = serde_json::to_string(&pending).map_err(Error::internal)?;
        self.store.put_challenge(&ChallengeRecord {
            id: id.clone(),
            pool_id: pool.id.clone(),
            state,
            expires_ms: self.now() + minutes * 60_000,
        })?;
        Ok(id)
    }

    /// USER_SRP_AUTH: USERNAME + SRP_A, answered with PASSWORD_VERIFIER.
    fn srp_flow(&self, pool: &UserPool, client: &AppClient, params: &BTreeMap<String, String>, passed: Progress) -> Result<Outcome> {
        let srp_a = param(params, "SRP_A")?;
        let username = param(params, "USERNAME")?.to_owned();
        let secret_hash = params.get("SECRET_HASH").map(String::as_str);
        let (user, verifier) = match self.find_user(pool, &username)? {
            Some(user) => {
                Self::check_secret_hash(client, &[&username, &user.username], secret_hash)?;
                self.check_not_locked(&user, || ())?;
                let v = user.data.srp.clone().ok_or_else(incorrect)?;
                (Some(user), v)
            }
            None => {
                Self::check_secret_hash(client, &[&username], secret_hash)?;
                if !Self::hides_users_auth(client) {
                    return Err(Error::UserNotFound("User does not exist.".into()));
                }
                // PreventUserExistenceErrors: a decoy challenge that costs the same and can
                // only fail.
                (None, self.decoy_srp.verifier(&pool.id, &username))
            }
        };
        let step = srp::server_step(&verifier, srp_a)?;
        let secret_block = base64::engine::general_purpose::STANDARD.encode(random::bytes::<64>()?);
        let user_id = user.as_ref().map(|u| u.username.clone()).unwrap_or(username.clone());
        let parameters = BTreeMap::from([
            ("SALT".to_owned(), verifier.salt_hex()),
            ("SRP_B".to_owned(), step.srp_b_hex.clone()),
            ("SECRET_BLOCK".to_owned(), secret_block.clone()),
            ("USER_ID_FOR_SRP".to_owned(), user_id.clone()),
            ("USERNAME".to_owned(), user_id.clone()),
        ]);
        let pending =
            Step::PasswordVerifier { b: hex::encode(&step.b), srp_a: srp_a.to_owned(), secret_block: secret_block.clone(), user_id };
        // Stored under a name derived from the secret block too: some clients (pycognito)
        // answer PASSWORD_VERIFIER without the Session, identifying it by the block alone.
        let session = self.store_pending_as(
            srp_session_id(&secret_block),
            pool,
            client,
            Pending { client_id: client.client_id.clone(), sub: user.map(|u| u.sub), step: pending, attempts_left: 1, passed },
        )?;
        Ok(Outcome::Challenge { name: Ch::PasswordVerifier, session, parameters, available: None })
    }

    /// USER_AUTH: the first factor the user picks (PREFERRED_CHALLENGE) or a SELECT_CHALLENGE.
    fn choice_flow(
        &self,
        ctx: &Context,
        pool: &UserPool,
        client: &AppClient,
        params: &BTreeMap<String, String>,
        progress: Progress,
    ) -> Result<Outcome> {
        let user = self.sign_in_user(pool, client, params, || ())?;
        let options = self.first_factors(pool, &user);
        match params.get("PREFERRED_CHALLENGE") {
            Some(choice) => self.answer_first_factor(ctx, pool, client, user, choice, params, &options, progress),
            None => self.challenge(
                pool,
                client,
                Some(&user),
                Step::SelectChallenge { options: options.clone() },
                Ch::SelectChallenge,
                BTreeMap::new(),
                progress,
            ),
        }
    }

    /// The first factors the pool allows that this user can use.
    pub(super) fn first_factors(&self, pool: &UserPool, user: &User) -> Vec<String> {
        let allowed: Vec<w::AuthFactorType> = pool
            .config
            .policies
            .as_ref()
            .and_then(|p| p.sign_in_policy.as_ref())
            .and_then(|s| s.allowed_first_auth_factors.clone())
            .unwrap_or_else(|| vec![w::AuthFactorType::Password]);
        let verified = |a: &str| user.data.attributes.get(&format!("{a}_verified")).map(String::as_str) == Some("true");
        let mut out = Vec::new();
        if allowed.contains(&w::AuthFactorType::Password) && user.data.password_hash.is_some() {
            out.push("PASSWORD".to_owned());
            out.push("PASSWORD_SRP".to_owned());
        }
        if allowed.contains(&w::AuthFactorType::EmailOtp) && verified("email") {
            out.push("EMAIL_OTP".to_owned());
        }
        if allowed.contains(&w::AuthFactorType::SmsOtp) && verified("phone_number") {
            out.push("SMS_OTP".to_owned());
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn answer_first_factor(
        &self,
        ctx: &Context,
        pool: &UserPool,
        client: &AppClient,
        mut user: User,
        choice: &str,
        params: &BTreeMap<String, String>,
        options: &[String],
        progress: Progress,
    ) -> Result<Outcome> {
        if !options.iter().any(|o| o == choice) {
            return Err(Error::InvalidParameter(format!("{choice} is not an available challenge for this user.")));
        }
        match choice {
            "PASSWORD" => {
                let password = param(params, "PASSWORD")?;
                self.check_password(ctx, pool, client, &mut user, password, &progress.flow)?;
                self.after_first_factor(ctx, pool, client, user, progress.with(w::ChallengeName::Password))
            }
            "PASSWORD_SRP" => {
                let mut p = params.clone();
                p.insert("USERNAME".into(), user.username.clone());
                self.srp_flow(pool, client, &p, progress)
            }
            "EMAIL_OTP" => {
                self.check_not_locked(&user, || ())?;
                self.send_sign_in_code(pool, client, user, "email", Ch::EmailOtp, progress)
            }
            "SMS_OTP" => {
                self.check_not_locked(&user, || ())?;
                self.send_sign_in_code(pool, client, user, "phone_number", Ch::SmsOtp, progress)
            }
            other => Err(Error::InvalidParameter(format!("Unsupported challenge {other}."))),
        }
    }

    pub(super) fn op_respond_to_auth_challenge(
        &self,
        ctx: &Context,
        r: w::RespondToAuthChallengeRequest,
    ) -> Result<w::RespondToAuthChallengeResponse> {
        let client = self.client(&r.client_id)?;
        let outcome =
            self.respond(ctx, &client, r.challenge_name, r.session.map(|s| s.0), r.challenge_responses.map(|c| c.0).unwrap_or_default())?;
        Ok(respond_with!(RespondToAuthChallengeResponse, outcome))
    }

    pub(super) fn op_admin_respond_to_auth_challenge(
        &self,
        ctx: &Context,
        r: w::AdminRespondToAuthChallengeRequest,
    ) -> Result<w::AdminRespondToAuthChallengeResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        let outcome =
            self.respond(ctx, &client, r.challenge_name, r.session.map(|s| s.0), r.challenge_responses.map(|c| c.0).unwrap_or_default())?;
        Ok(respond_with!(AdminRespondToAuthChallengeResponse, outcome))
    }

    /// Loads a pending step by Session, checking that it belongs to this client and is the
    /// challenge being answered.
    fn pending(&self, client: &AppClient, session: &str) -> Result<(Arc<UserPool>, Pending)> {
        let record = self.store.get_challenge(session)?.ok_or_else(expired_session)?;
        if record.expires_ms <= self.now() || record.pool_id != client.pool_id {
            return Err(expired_session());
        }
        let pending: Pending = serde_json::from_str(&record.state).map_err(Error::internal)?;
        if pending.client_id != client.client_id {
            return Err(expired_session());
        }
        Ok((self.pool(&record.pool_id)?, pending))
    }

    /// Removes a pending step; only one answer can win it.
    fn take(&self, session: &str) -> Result<()> {
        if self.store.take_challenge(session, self.now())? { Ok(()) } else { Err(expired_session()) }
    }

    fn respond(
        &self,
        ctx: &Context,
        client: &AppClient,
        name: Ch,
        session: Option<String>,
        responses: BTreeMap<String, String>,
    ) -> Result<Outcome> {
        let session = match (session, responses.get("PASSWORD_CLAIM_SECRET_BLOCK")) {
            (Some(s), _) => s,
            (None, Some(block)) if name == Ch::PasswordVerifier => srp_session_id(block),
            (None, _) => return Err(Error::InvalidParameter("Missing required parameter Session".into())),
        };
        let (pool, pending) = self.pending(client, &session)?;
        let expected = step_name(&pending.step);
        if name != expected {
            return Err(Error::InvalidParameter(format!("The session is for {}, not {}.", expected.as_str(), name.as_str())));
        }
        let user = match &pending.sub {
            Some(sub) => Some(self.store.get_user_by_sub(&pool.id, sub)?.ok_or_else(expired_session)?),
            None => None,
        };
        if let (Some(u), Some(username)) = (&user, responses.get("USERNAME")) {
            if self.find_user(&pool, username)?.map(|f| f.sub) != Some(u.sub.clone()) {
                return Err(expired_session());
            }
            Self::check_secret_hash(client, &[username, &u.username], responses.get("SECRET_HASH").map(String::as_str))?;
        }
        let mut passed = pending.passed.clone();
        match pending.step {
            Step::PasswordVerifier { b, srp_a, secret_block, user_id } => {
                self.take(&session)?;
                let timestamp = param(&responses, "TIMESTAMP")?;
                let block_bytes = base64::engine::general_purpose::STANDARD.decode(&secret_block).map_err(Error::internal)?;
                let Some(mut user) = user else {
                    // The decoy for an unknown user: the same work, then the same answer.
                    let decoy = self.decoy_srp.verifier(&pool.id, &user_id);
                    let _ = srp::expected_signature(&pool.id, &user_id, &decoy, &srp_a, &unhex(&b)?, &block_bytes, timestamp);
                    return Err(incorrect());
                };
                let fresh = srp::parse_timestamp(timestamp).is_some_and(|t| (t - self.clock.now_secs()).abs() <= SRP_TIMESTAMP_SKEW_SECS);
                let block_ok = responses.get("PASSWORD_CLAIM_SECRET_BLOCK").map(String::as_str) == Some(secret_block.as_str());
                let verifier = user.data.srp.clone().ok_or_else(incorrect)?;
                let expected = srp::expected_signature(&pool.id, &user_id, &verifier, &srp_a, &unhex(&b)?, &block_bytes, timestamp)?;
                let signature_ok = srp::signature_matches(&expected, param(&responses, "PASSWORD_CLAIM_SIGNATURE")?);
                self.password_outcome(ctx, &pool, client, &mut user, fresh && block_ok && signature_ok, &passed.flow)?;
                passed.push(w::ChallengeName::Password);
                self.after_first_factor(ctx, &pool, client, user, passed)
            }
            Step::NewPasswordRequired => {
                self.take(&session)?;
                let mut user = user.ok_or_else(expired_session)?;
                if user.status != UserStatusType::ForceChangePassword {
                    return Err(expired_session());
                }
                self.complete_new_password(&pool, client, &mut user, &responses)?;
                self.second_factor(ctx, &pool, client, user, passed)
            }
            Step::SoftwareTokenMfa => {
                let mut user = user.ok_or_else(expired_session)?;
                let code = param(&responses, "SOFTWARE_TOKEN_MFA_CODE")?;
                let secret = user.data.mfa.totp_secret.clone().ok_or_else(expired_session)?;
                match totp::verify(&secret, code, self.clock.now_secs(), user.data.mfa.totp_last_step) {
                    Some(step) => {
                        self.take(&session)?;
                        user.data.mfa.totp_last_step = Some(step);
                        self.save_user(&mut user)?;
                        passed.push(w::ChallengeName::Mfa);
                        self.finish(ctx, &pool, client, &user, &passed)
                    }
                    None => self.wrong_code(ctx, &pool, client, &session, pending.attempts_left, &user, passed),
                }
            }
            Step::Code { challenge, code_hash } => {
                let user = user.ok_or_else(expired_session)?;
                let field = match challenge.as_str() {
                    "SMS_MFA" => "SMS_MFA_CODE",
                    "EMAIL_OTP" => "EMAIL_OTP_CODE",
                    _ => "SMS_OTP_CODE",
                };
                let given = param(&responses, field)?;
                if aws_lc_rs::constant_time::verify_slices_are_equal(sha256_hex(given).as_bytes(), code_hash.as_bytes()).is_ok() {
                    self.take(&session)?;
                    let first_factor = passed.is_empty();
                    passed.push(w::ChallengeName::Mfa);
                    if first_factor {
                        self.after_first_factor(ctx, &pool, client, user, passed)
                    } else {
                        self.finish(ctx, &pool, client, &user, &passed)
                    }
                } else {
                    self.wrong_code(ctx, &pool, client, &session, pending.attempts_left, &user, passed)
                }
            }
            Step::SelectMfaType { options } => {
                let answer = param(&responses, "ANSWER")?;
                if !options.iter().any(|o| o == answer) {
                    return Err(Error::InvalidParameter(format!("{answer} is not one of the offered MFA types.")));
                }
                self.take(&session)?;
                self.start_mfa(&pool, client, user.ok_or_else(expired_session)?, answer, passed)
            }
            Step::MfaSetup { secret, verified } => {
                let mut user = user.ok_or_else(expired_session)?;
                let (Some(secret), true) = (secret, verified) else {
                    return Err(Error::InvalidParameter("Verify a software token (VerifySoftwareToken with this session) first.".into()));
                };
                self.take(&session)?;
                user.data.mfa.totp_secret = Some(secret);
                user.data.mfa.totp_enabled = true;
                user.data.mfa.preferred.get_or_insert_with(|| "SOFTWARE_TOKEN_MFA".into());
                self.save_user(&mut user)?;
                passed.push(w::ChallengeName::Mfa);
                self.finish(ctx, &pool, client, &user, &passed)
            }
            Step::SelectChallenge { options } => {
                let user = user.ok_or_else(expired_session)?;
                let answer = param(&responses, "ANSWER")?.to_owned();
                self.take(&session)?;
                self.answer_first_factor(ctx, &pool, client, user, &answer, &responses, &options, passed)
            }
        }
    }

    /// A wrong one-time code: the challenge stays open for a few more tries.
    #[allow(clippy::too_many_arguments)]
    fn wrong_code(
        &self,
        ctx: &Context,
        pool: &UserPool,
        client: &AppClient,
        session: &str,
        attempts_left: u32,
        user: &User,
        passed: Progress,
    ) -> Result<Outcome> {
        let record = self.store.get_challenge(session)?.ok_or_else(expired_session)?;
        let mut pending: Pending = serde_json::from_str(&record.state).map_err(Error::internal)?;
        pending.attempts_left = attempts_left.saturating_sub(1);
        if pending.attempts_left == 0 {
            self.take(session)?;
        } else {
            self.store.put_challenge(&ChallengeRecord { state: serde_json::to_string(&pending).map_err(Error::internal)?, ..record })?;
        }
        let mut challenges: Vec<(w::ChallengeName, bool)> = passed.iter().map(|c| (*c, true)).collect();
        challenges.push((w::ChallengeName::Mfa, false));
        self.record_event(ctx, pool, client, &user.sub, &passed.flow, w::EventResponseType::Fail, &challenges)?;
        Err(Error::CodeMismatch("Invalid code received for user".into()))
    }

    /// NEW_PASSWORD_REQUIRED: the new password and any attributes the user supplied.
    fn complete_new_password(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &mut User,
        responses: &BTreeMap<String, String>,
    ) -> Result<()> {
        let new_password = param(responses, "NEW_PASSWORD")?;
        let policy = pool.config.policies.as_ref().and_then(|p| p.password_policy.clone()).unwrap_or_else(password::default_policy);
        password::check_policy(&policy, new_password)?;
        let updates: Vec<w::AttributeType> = responses
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("userAttributes.").map(|name| w::AttributeType { name: name.to_owned(), value: Some(v.clone()) })
            })
            .collect();
        attributes::check(pool, &updates, Writer::User(Some(client)), false)?;
        attributes::apply(&mut user.data.attributes, &updates);
        attributes::check_required(pool, &user.data.attributes)?;
        self.set_password(pool, user, new_password)?;
        user.data.temporary_password_expires_ms = None;
        user.status = UserStatusType::Confirmed;
        self.save_user(user)
    }

    /// Tokens for a completed sign-in, and its event.
    fn finish(&self, ctx: &Context, pool: &UserPool, client: &AppClient, user: &User, passed: &Progress) -> Result<Outcome> {
        let tokens = self.issue_tokens(pool, client, user, None)?;
        let challenges: Vec<(w::ChallengeName, bool)> = passed.iter().map(|c| (*c, true)).collect();
        self.record_event(ctx, pool, client, &user.sub, &passed.flow, w::EventResponseType::Pass, &challenges)?;
        Ok(Outcome::Tokens(tokens))
    }

    /// Records a sign-in attempt. AuthEventType has no member for the flow or the app
    /// client, so they go where an admin reads them: the event's device name.
    #[allow(clippy::too_many_arguments)]
    fn record_event(
        &self,
        ctx: &Context,
        pool: &UserPool,
        client: &AppClient,
        sub: &str,
        flow: &str,
        response: w::EventResponseType,
        challenges: &[(w::ChallengeName, bool)],
    ) -> Result<()> {
        let now = self.now();
        let event = w::AuthEventType {
            event_id: Some(random::uuid()?),
            event_type: Some(w::EventType::SignIn),
            creation_date: Some(crate::clock::to_wire(now)),
            event_response: Some(response),
            event_risk: None,
            challenge_responses: Some(
                challenges
                    .iter()
                    .map(|(name, ok)| w::ChallengeResponseType {
                        challenge_name: Some(*name),
                        challenge_response: Some(if *ok { w::ChallengeResponse::Success } else { w::ChallengeResponse::Failure }),
                    })
                    .collect(),
            ),
            event_context_data: Some(w::EventContextDataType {
                ip_address: ctx.source_ip.clone(),
                device_name: Some(format!("{flow} via app client {}", client.client_id)),
                ..Default::default()
            }),
            event_feedback: None,
        };
        let event = serde_json::to_string(&event).map_err(Error::internal)?;
        self.store.add_auth_event(&AuthEventRecord { id: 0, pool_id: pool.id.clone(), sub: sub.to_owned(), event, created_ms: now })?;
        Ok(())
    }

    pub(super) fn op_admin_list_user_auth_events(
        &self,
        r: w::AdminListUserAuthEventsRequest,
    ) -> Result<w::AdminListUserAuthEventsResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.require_user(&pool, &r.username)?;
        let limit = r.max_results.unwrap_or(60).clamp(1, 60) as usize;
        let before = r
            .next_token
            .as_deref()
            .map(|t| t.parse::<i64>().map_err(|_| Error::InvalidParameter("Invalid NextToken.".into())))
            .transpose()?;
        let records = self.store.list_auth_events(&pool.id, &user.sub, before, limit)?;
        let next = if records.len() == limit { records.last().map(|e| e.id.to_string()) } else { None };
        let events =
            records.iter().map(|e| serde_json::from_str(&e.event).map_err(Error::internal)).collect::<Result<Vec<w::AuthEventType>>>()?;
        Ok(w::AdminListUserAuthEventsResponse { auth_events: Some(events), next_token: next })
    }

    fn refresh_flow(&self, client: &AppClient, params: &BTreeMap<String, String>) -> Result<Outcome> {
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
        Ok(Outcome::Tokens(self.issue_tokens(&pool, client, &user, Some(&session))?))
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
    pub(super) fn op_get_tokens_from_refresh_token(
        &self,
        r: w::GetTokensFromRefreshTokenRequest,
    ) -> Result<w::GetTokensFromRefreshTokenResponse> {
        let client = self.client(&r.client_id)?;
        self.check_client_secret(&client, r.client_secret.as_ref().map(|s| s.0.as_str()))?;
        let (pool, user, session) = self.refresh_session(&client, &r.refresh_token)?;
        let mut result = self.issue_tokens(&pool, &client, &user, Some(&session))?;
        let rotates = client.config.refresh_token_rotation.as_ref().is_some_and(|r| r.feature == w::FeatureType::Enabled);
        if rotates && session.refresh_hash == sha256_hex(&r.refresh_token) {
            let fresh = random::token()?;
            self.store.rotate_refresh_token(&session.origin_jti, &session.refresh_hash, &sha256_hex(&fresh), self.now()).map_err(|e| {
                match e {
                    StoreError::Conflict(_) => Error::RefreshTokenReuse("Refresh token has already been used.".into()),
                    other => other.into(),
                }
            })?;
            result.refresh_token = Some(Sensitive(fresh));
        }
        Ok(w::GetTokensFromRefreshTokenResponse { authentication_result: Some(result) })
    }

    fn check_client_secret(&self, client: &AppClient, given: Option<&str>) -> Result<()> {
        if let Some(secret) = &client.secret {
            let given = given.unwrap_or_default();
            if aws_lc_rs::constant_time::verify_slices_are_equal(given.as_bytes(), secret.as_bytes()).is_err() {
                return Err(Error::NotAuthorized(format!(
                    "Client {} is configured for secret but secret was not received or is wrong",
                    client.client_id
                )));
            }
        }
        Ok(())
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
                    previous_refresh_hash: None,
                    rotated_ms: None,
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

    /// Sets a password: its argon2id hash for password sign-in and its SRP verifier.
    pub(super) fn set_password(&self, pool: &UserPool, user: &mut User, password: &str) -> Result<()> {
        user.data.password_hash = Some(self.hasher.hash(password)?);
        user.data.srp = Some(srp::make_verifier(&pool.id, &user.username, password)?);
        Ok(())
    }

    /// AssociateSoftwareToken: a new authenticator secret, for a signed-in user (access
    /// token) or during MFA_SETUP (session).
    pub(super) fn op_associate_software_token(&self, r: w::AssociateSoftwareTokenRequest) -> Result<w::AssociateSoftwareTokenResponse> {
        let secret = totp::new_secret()?;
        match (r.access_token, r.session) {
            (Some(token), _) => {
                let (_, mut user, _) = self.authenticate(&token)?;
                user.data.mfa.pending_totp_secret = Some(secret.clone());
                self.save_user(&mut user)?;
                Ok(w::AssociateSoftwareTokenResponse { secret_code: Some(Sensitive(secret)), session: None })
            }
            (None, Some(session)) => {
                let session =
                    self.update_setup(&session, |step| *step = Step::MfaSetup { secret: Some(secret.clone()), verified: false })?;
                Ok(w::AssociateSoftwareTokenResponse { secret_code: Some(Sensitive(secret)), session: Some(Sensitive(session)) })
            }
            (None, None) => Err(Error::InvalidParameter("Either AccessToken or Session is required.".into())),
        }
    }

    /// Replaces an MFA_SETUP step (under a new Session id, as Cognito hands out a new one).
    fn update_setup(&self, session: &str, change: impl FnOnce(&mut Step)) -> Result<String> {
        let record = self.store.get_challenge(session)?.ok_or_else(expired_session)?;
        if record.expires_ms <= self.now() {
            return Err(expired_session());
        }
        let mut pending: Pending = serde_json::from_str(&record.state).map_err(Error::internal)?;
        if !matches!(pending.step, Step::MfaSetup { .. }) {
            return Err(expired_session());
        }
        change(&mut pending.step);
        self.take(session)?;
        let id = random::token()?;
        self.store.put_challenge(&ChallengeRecord {
            id: id.clone(),
            state: serde_json::to_string(&pending).map_err(Error::internal)?,
            ..record
        })?;
        Ok(id)
    }

    pub(super) fn op_admin_delete_software_token(
        &self,
        r: w::AdminDeleteSoftwareTokenRequest,
    ) -> Result<w::AdminDeleteSoftwareTokenResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let mut user = self.require_user(&pool, &r.username)?;
        let m = &mut user.data.mfa;
        m.totp_secret = None;
        m.pending_totp_secret = None;
        m.totp_last_step = None;
        m.totp_enabled = false;
        if m.preferred.as_deref() == Some("SOFTWARE_TOKEN_MFA") {
            m.preferred = None;
        }
        self.save_user(&mut user)?;
        Ok(w::AdminDeleteSoftwareTokenResponse {})
    }

    pub(super) fn op_verify_software_token(&self, r: w::VerifySoftwareTokenRequest) -> Result<w::VerifySoftwareTokenResponse> {
        let now = self.clock.now_secs();
        let mismatch = || Error::EnableSoftwareTokenMfa("Code mismatch".into());
        match (r.access_token, r.session) {
            (Some(token), _) => {
                let (_, mut user, _) = self.authenticate(&token)?;
                let secret = user
                    .data
                    .mfa
                    .pending_totp_secret
                    .clone()
                    .ok_or_else(|| Error::InvalidParameter("Call AssociateSoftwareToken first.".into()))?;
                let step = totp::verify(&secret, &r.user_code, now, None).ok_or_else(mismatch)?;
                user.data.mfa.totp_secret = Some(secret);
                user.data.mfa.pending_totp_secret = None;
                user.data.mfa.totp_last_step = Some(step);
                self.save_user(&mut user)?;
                Ok(w::VerifySoftwareTokenResponse { status: Some(w::VerifySoftwareTokenResponseType::Success), session: None })
            }
            (None, Some(session)) => {
                let record = self.store.get_challenge(&session)?.ok_or_else(expired_session)?;
                let pending: Pending = serde_json::from_str(&record.state).map_err(Error::internal)?;
                let Step::MfaSetup { secret: Some(secret), .. } = pending.step else {
                    return Err(Error::InvalidParameter("Call AssociateSoftwareToken with this session first.".into()));
                };
                totp::verify(&secret, &r.user_code, now, None).ok_or_else(mismatch)?;
                let session =
                    self.update_setup(&session, |step| *step = Step::MfaSetup { secret: Some(secret.clone()), verified: true })?;
                Ok(w::VerifySoftwareTokenResponse {
                    status: Some(w::VerifySoftwareTokenResponseType::Success),
                    session: Some(Sensitive(session)),
                })
            }
            (None, None) => Err(Error::InvalidParameter("Either AccessToken or Session is required.".into())),
        }
    }
}

fn step_name(step: &Step) -> Ch {
    match step {
        Step::NewPasswordRequired => Ch::NewPasswordRequired,
        Step::PasswordVerifier { .. } => Ch::PasswordVerifier,
        Step::SoftwareTokenMfa => Ch::SoftwareTokenMfa,
        Step::Code { challenge, .. } => Ch::parse(challenge).unwrap_or(Ch::SmsMfa),
        Step::SelectMfaType { .. } => Ch::SelectMfaType,
        Step::MfaSetup { .. } => Ch::MfaSetup,
        Step::SelectChallenge { .. } => Ch::SelectChallenge,
    }
}

/// The Session of an SRP challenge, which its SECRET_BLOCK alone also identifies.
fn srp_session_id(secret_block: &str) -> String {
    format!("srp-{}", sha256_hex(secret_block))
}

fn unhex(s: &str) -> Result<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| Error::internal(anyhow::anyhow!("a stored SRP value is not hex")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoy_salts_are_stable_per_user_and_differ_between_users() {
        let decoy = DecoySrp::new().unwrap();
        let a = decoy.verifier("us-east-1_p", "ghost");
        assert_eq!(a, decoy.verifier("us-east-1_p", "ghost"), "asking twice must not reveal a decoy");
        assert_ne!(a.salt, decoy.verifier("us-east-1_p", "other").salt);
        assert_ne!(a.salt, decoy.verifier("us-east-1_q", "ghost").salt);
        assert_eq!(a.salt.len(), 16);
        assert_ne!(a.salt[0], 0, "SALT is sent without leading zero bytes");
    }

    #[test]
    fn srp_sessions_are_found_by_their_secret_block() {
        assert_eq!(srp_session_id("block"), srp_session_id("block"));
        assert_ne!(srp_session_id("block"), srp_session_id("other"));
        assert_eq!(unhex(&hex::encode([0, 1, 0xab, 0xff])).unwrap(), vec![0, 1, 0xab, 0xff]);
        assert!(unhex("zz").is_err());
    }
}
