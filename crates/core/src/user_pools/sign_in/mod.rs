//! Sign-in: InitiateAuth / AdminInitiateAuth (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
//! ADMIN_NO_SRP_AUTH, USER_SRP_AUTH, USER_AUTH, REFRESH_TOKEN_AUTH / REFRESH_TOKEN),
//! RespondToAuthChallenge / AdminRespondToAuthChallenge, GetTokensFromRefreshToken,
//! GlobalSignOut, RevokeToken; and the tokens a successful sign-in earns.
//!
//! A sign-in is a small state machine: a first factor (password, SRP, or a one-time code),
//! then whatever the account still needs (a new password, a second factor), then tokens.
//! Each step that waits for the client is stored under the Session id the client holds and
//! taken (deleted) when answered, so no challenge can be answered twice.
//!
//! # Layout, by step
//! - this file: what every step shares: the [`Attempt`] (request, pool, app client) it runs
//!   in, the [`Step`] waiting for the client and how it is stored and taken, the sign-in's
//!   [`Progress`], the [`Outcome`] of a step; and setting a password, whose two stored forms
//!   the first factors check.
//! - `initiate`: InitiateAuth / AdminInitiateAuth and the first factors: a password (with
//!   the lockout), SRP's first half, USER_AUTH's choice of factor.
//! - `next_step`: what follows a first factor: the account's state, a new password, a
//!   second factor.
//! - `respond`: RespondToAuthChallenge / AdminRespondToAuthChallenge, one arm per challenge.
//! - `tokens`: the tokens a finished sign-in earns, refreshing them, sign-out, revocation.
//! - `device`: the device in a sign-in: device SRP, MFA a remembered device replaces, new
//!   device keys.
//! - `events`: the sign-in events an admin reads (AdminListUserAuthEvents).
//!
//! Setting up an authenticator app (AssociateSoftwareToken, VerifySoftwareToken) lives with
//! the other MFA settings in `user_pools::mfa`; during MFA_SETUP it edits the step stored here.

use std::collections::BTreeMap;
use std::sync::Arc;

use pooldesk_wire::cognito_idp::{self as w, AuthFlowType, ChallengeNameType as Ch};
use serde::{Deserialize, Serialize};

use super::{Context, UserPools};
use crate::error::{Error, Result};
use crate::srp;
use crate::store::{AppClient, ChallengeRecord, User, UserPool};
use crate::tokens::sha256_hex;

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
            // Only a login page's sign-in ends so, and its sessions are refused here.
            Outcome::SignedIn { .. } => {
                return Err(Error::internal(anyhow::anyhow!("a login page's sign-in finished through the API")));
            }
        }
    };
}

// Declared after the macro, which they use.
mod custom;
mod device;
mod events;
mod hosted;
mod initiate;
mod next_step;
mod respond;
mod tokens;

pub(super) use device::{tracking as tracks_devices, unknown_device};
pub use hosted::{LoginStep, login_providers};
pub(super) use initiate::DecoySrp;
pub(in crate::user_pools) use tokens::Holder;
pub(super) use tokens::{Grant, Occasion};

/// Challenge sessions live 3 minutes unless the client says otherwise (AuthSessionValidity).
const DEFAULT_SESSION_MINUTES: i64 = 3;
/// Wrong one-time codes allowed on one challenge before it is void.
const CODE_ATTEMPTS: u32 = 3;

/// What stays the same through one sign-in, bundled once: who asked (the request's
/// metadata), the pool and the app client. The user is not in it: unknown at first, then
/// handed from step to step as its state changes.
#[derive(Clone, Copy)]
struct Attempt<'a> {
    ctx: &'a Context,
    pool: &'a UserPool,
    client: &'a AppClient,
    /// A sign-in at a login page: it ends in an authorization, not in tokens, and needs no
    /// SECRET_HASH (the client's secret is checked when the code is exchanged).
    hosted: bool,
    /// The request's `ClientMetadata`, for the triggers.
    client_metadata: Option<&'a BTreeMap<String, String>>,
}

/// What a flow produced: tokens, or a challenge to answer.
pub(super) enum Outcome {
    Tokens(w::AuthenticationResultType),
    /// A login page's sign-in is done: the user is known, the authorization follows.
    SignedIn {
        sub: String,
    },
    Challenge {
        name: Ch,
        session: String,
        parameters: BTreeMap<String, String>,
        available: Option<Vec<Ch>>,
    },
}

/// How far a sign-in has come: the flow it started with and the challenges passed so far,
/// which the sign-in event records.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Progress {
    flow: String,
    passed: Vec<w::ChallengeName>,
    /// The user set a new password on the way (pre token generation's
    /// `TokenGeneration_NewPasswordChallenge`).
    #[serde(default)]
    new_password: bool,
    /// A custom (CUSTOM_AUTH) sign-in's challenges so far, for its define function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    custom: Option<Vec<custom::ChallengeResult>>,
    /// The device the client named (DEVICE_KEY, in AuthParameters or an answer), and whether
    /// it proved itself with device SRP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device_key: Option<String>,
    #[serde(default)]
    device_authenticated: bool,
}

impl Progress {
    fn new(flow: AuthFlowType) -> Self {
        Progress {
            flow: flow.as_str().to_owned(),
            passed: Vec::new(),
            new_password: false,
            custom: None,
            device_key: None,
            device_authenticated: false,
        }
    }

    /// Notes the device a request names (`DEVICE_KEY`), if it names one.
    fn naming_device(mut self, params: &BTreeMap<String, String>) -> Self {
        if let Some(key) = params.get("DEVICE_KEY").filter(|k| !k.is_empty()) {
            self.device_key = Some(key.clone());
        }
        self
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
pub(super) struct Pending {
    client_id: String,
    /// None while the user is unknown (a decoy challenge under PreventUserExistenceErrors).
    sub: Option<String>,
    pub(super) step: Step,
    attempts_left: u32,
    passed: Progress,
    /// Begun at a login page: answered only there.
    #[serde(default)]
    hosted: bool,
}

/// A step of a sign-in that waits for the client's answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub(super) enum Step {
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
    /// A CUSTOM_CHALLENGE the create function made: what the verify function will be given.
    Custom {
        private: serde_json::Map<String, serde_json::Value>,
        metadata: Option<String>,
        /// The name signed in with, when it matches no user (PreventUserExistenceErrors).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unknown_user: Option<String>,
    },
    /// Waiting for the named device's `SRP_A` (DEVICE_SRP_AUTH), stored under two ids (see
    /// `device::device_session_id`); `twin` is the other.
    DeviceSrpAuth {
        twin: String,
    },
    DevicePasswordVerifier {
        b: String,
        srp_a: String,
        secret_block: String,
        device_key: String,
    },
}

fn incorrect() -> Error {
    Error::NotAuthorized("Incorrect username or password.".into())
}

pub(super) fn expired_session() -> Error {
    Error::NotAuthorized("Invalid session for the user, session is expired.".into())
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str> {
    params.get(name).map(String::as_str).ok_or_else(|| Error::InvalidParameter(format!("Missing required parameter {name}")))
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
        Step::Custom { .. } => Ch::CustomChallenge,
        Step::DeviceSrpAuth { .. } => Ch::DeviceSrpAuth,
        Step::DevicePasswordVerifier { .. } => Ch::DevicePasswordVerifier,
    }
}

/// The Session of an SRP challenge, which its SECRET_BLOCK alone also identifies.
fn srp_session_id(secret_block: &str) -> String {
    format!("srp-{}", sha256_hex(secret_block))
}

impl UserPools {
    /// Stores a pending step and answers with its challenge.
    fn challenge(
        &self,
        attempt: Attempt<'_>,
        user: Option<&User>,
        step: Step,
        name: Ch,
        mut parameters: BTreeMap<String, String>,
        passed: Progress,
    ) -> Result<Outcome> {
        // A custom challenge carries the function's parameters and USERNAME only, as Cognito's.
        if let Some(u) = user.filter(|_| !matches!(step, Step::Custom { .. })) {
            parameters.entry("USER_ID_FOR_SRP".to_owned()).or_insert_with(|| u.username.clone());
        }
        let available = match &step {
            Step::SelectChallenge { options } => Some(options.iter().filter_map(|o| Ch::parse(o)).collect()),
            _ => None,
        };
        let session = self.store_pending(
            attempt,
            Pending {
                client_id: attempt.client.client_id.clone(),
                sub: user.map(|u| u.sub.clone()),
                step,
                attempts_left: CODE_ATTEMPTS,
                passed,
                hosted: attempt.hosted,
            },
        )?;
        Ok(Outcome::Challenge { name, session, parameters, available })
    }

    fn store_pending(&self, attempt: Attempt<'_>, pending: Pending) -> Result<String> {
        self.store_pending_as(self.random.token()?, attempt, pending)
    }

    fn store_pending_as(&self, id: String, attempt: Attempt<'_>, pending: Pending) -> Result<String> {
        let minutes = attempt.client.config.auth_session_validity.map(i64::from).unwrap_or(DEFAULT_SESSION_MINUTES);
        let state = serde_json::to_string(&pending).map_err(Error::internal)?;
        self.store.put_challenge(&ChallengeRecord {
            id: id.clone(),
            pool_id: attempt.pool.id.clone(),
            state,
            expires_ms: self.now() + minutes * 60_000,
        })?;
        Ok(id)
    }

    /// Loads a pending step by Session, checking that it belongs to this client and is the
    /// challenge being answered.
    fn pending(&self, client: &AppClient, session: &str) -> Result<(Arc<UserPool>, Pending)> {
        let record = self.store.get_challenge(session)?.ok_or_else(expired_session)?;
        if record.expires_ms <= self.now() || record.pool_id != client.pool_id {
            return Err(expired_session());
        }
        // Codes and SSO sessions share the store under other ids; none parses as a step.
        let pending: Pending = serde_json::from_str(&record.state).map_err(|_| expired_session())?;
        if pending.client_id != client.client_id {
            return Err(expired_session());
        }
        Ok((self.pool(&record.pool_id)?, pending))
    }

    /// Removes a pending step; only one answer can win it.
    pub(super) fn take(&self, session: &str) -> Result<()> {
        if self.store.take_challenge(session, self.now())? { Ok(()) } else { Err(expired_session()) }
    }

    /// Sets a password: its argon2id hash for password sign-in and its SRP verifier.
    pub(super) fn set_password(&self, pool: &UserPool, user: &mut User, password: &str) -> Result<()> {
        user.data.password_hash = Some(self.hasher.hash(password)?);
        user.data.srp = Some(srp::make_verifier(&*self.random, &pool.id, &user.username, password)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srp_sessions_are_found_by_their_secret_block() {
        assert_eq!(srp_session_id("block"), srp_session_id("block"));
        assert_ne!(srp_session_id("block"), srp_session_id("other"));
    }
}
