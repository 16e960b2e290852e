//! The start of a sign-in, InitiateAuth / AdminInitiateAuth, and its first factors:
//! USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH (a password, checked with a lockout),
//! USER_SRP_AUTH (SRP's first half, answered with PASSWORD_VERIFIER), USER_AUTH (the factor
//! the user picks, or SELECT_CHALLENGE). REFRESH_TOKEN_AUTH is handed to `tokens`.

use std::collections::BTreeMap;

use base64::Engine;
use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, AuthFlowType, ChallengeNameType as Ch, ExplicitAuthFlowsType as Flow, UserStatusType};

use super::{Attempt, Outcome, Pending, Progress, Step, incorrect, param, srp_session_id};
use crate::error::{Error, Result};
use crate::random::Random;
use crate::srp;
use crate::store::{AppClient, User, UserPool};
use crate::user_pools::clients::allows;
use crate::user_pools::triggers::{Migration, Trigger, Who};
use crate::user_pools::{Context, UserPools};

/// Consecutive wrong passwords allowed before sign-in is refused for a while; each further
/// failure doubles the wait, up to [`MAX_LOCKOUT_SECS`].
const FREE_ATTEMPTS: u32 = 5;
const MAX_LOCKOUT_SECS: i64 = 15 * 60;

/// The SRP verifier an unknown user appears to have, so that with PreventUserExistenceErrors
/// the answer (a SALT stable per username, a fresh SRP_B) and the work behind it look like a
/// real user's. The salt comes from a per-process key; the verifier is one random password's.
pub(in crate::user_pools) struct DecoySrp {
    key: [u8; 32],
    verifier: Vec<u8>,
}

impl DecoySrp {
    pub(in crate::user_pools) fn new(random: &dyn Random) -> Result<Self> {
        let verifier = srp::make_verifier(random, "decoy_pool", "decoy", &random.token()?)?.verifier;
        Ok(DecoySrp { key: random.bytes::<32>()?, verifier })
    }

    pub(super) fn verifier(&self, pool_id: &str, username: &str) -> srp::Verifier {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &self.key);
        let tag = aws_lc_rs::hmac::sign(&key, format!("{pool_id}\0{username}").as_bytes());
        let mut salt = tag.as_ref()[..16].to_vec();
        salt[0] |= 1;
        srp::Verifier { salt, verifier: self.verifier.clone() }
    }
}

impl UserPools {
    pub(in crate::user_pools) fn op_initiate_auth(&self, ctx: &Context, r: w::InitiateAuthRequest) -> Result<w::InitiateAuthResponse> {
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
        let outcome = self.initiate(ctx, &client, r.auth_flow, &params, r.client_metadata.as_ref())?;
        Ok(respond_with!(InitiateAuthResponse, outcome))
    }

    pub(in crate::user_pools) fn op_admin_initiate_auth(
        &self,
        ctx: &Context,
        r: w::AdminInitiateAuthRequest,
    ) -> Result<w::AdminInitiateAuthResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        let params = r.auth_parameters.map(|p| p.0).unwrap_or_default();
        if r.auth_flow == AuthFlowType::UserPasswordAuth {
            return Err(Error::InvalidParameter("Initiate Auth method not supported: USER_PASSWORD_AUTH".into()));
        }
        let outcome = self.initiate(ctx, &client, r.auth_flow, &params, r.client_metadata.as_ref())?;
        Ok(respond_with!(AdminInitiateAuthResponse, outcome))
    }

    fn initiate(
        &self,
        ctx: &Context,
        client: &AppClient,
        flow: AuthFlowType,
        params: &BTreeMap<String, String>,
        client_metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<Outcome> {
        let pool = self.pool(&client.pool_id)?;
        let attempt = Attempt { ctx, pool: &pool, client, hosted: false, client_metadata };
        let progress = Progress::new(flow).naming_device(params);
        match flow {
            AuthFlowType::UserPasswordAuth => {
                if !allows(client, Flow::AllowUserPasswordAuth, Some(Flow::UserPasswordAuth)) {
                    return Err(Error::InvalidParameter("USER_PASSWORD_AUTH flow not enabled for this client".into()));
                }
                self.password_flow(attempt, params, progress)
            }
            AuthFlowType::AdminUserPasswordAuth | AuthFlowType::AdminNoSrpAuth => {
                if !allows(client, Flow::AllowAdminUserPasswordAuth, Some(Flow::AdminNoSrpAuth)) {
                    return Err(Error::InvalidParameter("Auth flow not enabled for this client".into()));
                }
                self.password_flow(attempt, params, progress)
            }
            AuthFlowType::UserSrpAuth => {
                if !allows(client, Flow::AllowUserSrpAuth, None)
                    && client.config.explicit_auth_flows.as_ref().is_some_and(|f| !f.is_empty())
                {
                    return Err(Error::InvalidParameter("USER_SRP_AUTH flow not enabled for this client".into()));
                }
                self.srp_flow(attempt, params, progress)
            }
            AuthFlowType::UserAuth => {
                if !allows(client, Flow::AllowUserAuth, None) {
                    return Err(Error::InvalidParameter("USER_AUTH flow not enabled for this client".into()));
                }
                self.choice_flow(attempt, params, progress)
            }
            AuthFlowType::CustomAuth => self.custom_flow(attempt, params, progress),
            AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => self.refresh_flow(client, params),
        }
    }

    /// Finds the user for a first factor; an unknown user is NotAuthorized (hidden) or
    /// UserNotFound depending on the client, after the same work a known one costs.
    pub(super) fn sign_in_user(&self, attempt: Attempt<'_>, params: &BTreeMap<String, String>, decoy: impl FnOnce()) -> Result<User> {
        let Attempt { pool, client, hosted, .. } = attempt;
        let username = param(params, "USERNAME")?;
        let secret_hash = params.get("SECRET_HASH").map(String::as_str);
        match self.find_user(pool, username)? {
            Some(user) => {
                if !hosted {
                    Self::check_secret_hash(client, &[username, &user.username], secret_hash)?;
                }
                Ok(user)
            }
            None => {
                if !hosted {
                    Self::check_secret_hash(client, &[username], secret_hash)?;
                }
                decoy();
                if !Self::hides_users_auth(client) {
                    return Err(Error::UserNotFound("User does not exist.".into()));
                }
                // As for a user who exists: the pre authentication function is asked first.
                self.pre_authentication(pool, Who::Unknown(username), &client.client_id, attempt.client_metadata)?;
                Err(incorrect())
            }
        }
    }

    /// USERNAME + PASSWORD. The password is checked before anything that would reveal the
    /// account's state.
    pub(super) fn password_flow(&self, attempt: Attempt<'_>, params: &BTreeMap<String, String>, progress: Progress) -> Result<Outcome> {
        let password = param(params, "PASSWORD")?;
        if let Some(user) = self.migrated(attempt, params, Some(password))? {
            // The old directory's function checked the password this user now has.
            return self.after_first_factor(attempt, user, progress.with(w::ChallengeName::Password));
        }
        let mut user = self.sign_in_user(attempt, params, || self.hasher.verify_dummy(password))?;
        self.pre_authentication(attempt.pool, Who::Known(&user), &attempt.client.client_id, attempt.client_metadata)?;
        self.check_password(attempt, &mut user, password, &progress.flow)?;
        self.after_first_factor(attempt, user, progress.with(w::ChallengeName::Password))
    }

    /// A user this pool does not know, brought over by the pool's user migration function
    /// (which checks `password` against the old directory): None when the user is known here,
    /// or the pool has no such function.
    pub(super) fn migrated(&self, attempt: Attempt<'_>, params: &BTreeMap<String, String>, password: Option<&str>) -> Result<Option<User>> {
        let migrates = attempt.pool.config.lambda_config.as_ref().is_some_and(|c| Trigger::UserMigration.function(c).is_some());
        let username = param(params, "USERNAME")?;
        if !migrates || self.find_user(attempt.pool, username)?.is_some() {
            return Ok(None);
        }
        if !attempt.hosted {
            Self::check_secret_hash(attempt.client, &[username], params.get("SECRET_HASH").map(String::as_str))?;
        }
        let migration = Migration { user_name: username, client: attempt.client, password, client_metadata: attempt.client_metadata };
        match self.migrate_user(attempt.pool, migration) {
            Err(Error::UserNotFound(_)) if Self::hides_users_auth(attempt.client) => Err(incorrect()),
            other => other,
        }
    }

    /// Verifies a password with lockout: repeated failures refuse sign-in for a growing time.
    fn check_password(&self, attempt: Attempt<'_>, user: &mut User, password: &str, flow: &str) -> Result<()> {
        self.check_not_locked(user, || self.hasher.verify_dummy(password))?;
        let Some(hash) = user.data.password_hash.as_deref() else {
            // No password yet (imported, or created with a suppressed invitation): the same
            // hashing work as a real check, so the answer's timing says nothing.
            self.hasher.verify_dummy(password);
            if user.status == UserStatusType::ResetRequired {
                return Err(Error::PasswordResetRequired("Password reset required for the user".into()));
            }
            return self.password_outcome(attempt, user, false, flow);
        };
        let ok = self.hasher.verify(password, hash);
        self.password_outcome(attempt, user, ok, flow)
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
    pub(super) fn password_outcome(&self, attempt: Attempt<'_>, user: &mut User, ok: bool, flow: &str) -> Result<()> {
        if !ok {
            user.data.failed_sign_ins += 1;
            if user.data.failed_sign_ins >= FREE_ATTEMPTS {
                let exponent = (user.data.failed_sign_ins - FREE_ATTEMPTS).min(10);
                user.data.locked_until_ms = Some(self.now() + (1i64 << exponent).min(MAX_LOCKOUT_SECS) * 1000);
            }
            self.save_user(user)?;
            self.record_event(attempt, &user.sub, flow, w::EventResponseType::Fail, &[(w::ChallengeName::Password, false)])?;
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

    pub(super) fn hides_users_auth(client: &AppClient) -> bool {
        client.config.prevent_user_existence_errors == Some(w::PreventUserExistenceErrorTypes::Enabled)
    }

    /// USER_SRP_AUTH: USERNAME + SRP_A, answered with PASSWORD_VERIFIER.
    pub(super) fn srp_flow(&self, attempt: Attempt<'_>, params: &BTreeMap<String, String>, passed: Progress) -> Result<Outcome> {
        let Attempt { pool, client, .. } = attempt;
        let srp_a = param(params, "SRP_A")?;
        let username = param(params, "USERNAME")?.to_owned();
        let secret_hash = params.get("SECRET_HASH").map(String::as_str);
        let (user, verifier) = match self.find_user(pool, &username)? {
            Some(user) => {
                Self::check_secret_hash(client, &[&username, &user.username], secret_hash)?;
                self.check_not_locked(&user, || ())?;
                self.pre_authentication(pool, Who::Known(&user), &client.client_id, attempt.client_metadata)?;
                let v = user.data.srp.clone().ok_or_else(incorrect)?;
                (Some(user), v)
            }
            None => {
                Self::check_secret_hash(client, &[&username], secret_hash)?;
                if !Self::hides_users_auth(client) {
                    return Err(Error::UserNotFound("User does not exist.".into()));
                }
                // PreventUserExistenceErrors: a decoy challenge that costs the same and can
                // only fail, after the same pre authentication call.
                self.pre_authentication(pool, Who::Unknown(&username), &client.client_id, attempt.client_metadata)?;
                (None, self.decoy_srp.verifier(&pool.id, &username))
            }
        };
        let step = srp::server_step(&*self.random, &verifier, srp_a)?;
        let secret_block = base64::engine::general_purpose::STANDARD.encode(self.random.bytes::<64>()?);
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
            attempt,
            Pending {
                client_id: client.client_id.clone(),
                sub: user.map(|u| u.sub),
                step: pending,
                attempts_left: 1,
                passed,
                hosted: attempt.hosted,
            },
        )?;
        Ok(Outcome::Challenge { name: Ch::PasswordVerifier, session, parameters, available: None })
    }

    /// USER_AUTH: the first factor the user picks (PREFERRED_CHALLENGE) or a SELECT_CHALLENGE.
    pub(super) fn choice_flow(&self, attempt: Attempt<'_>, params: &BTreeMap<String, String>, progress: Progress) -> Result<Outcome> {
        let user = self.sign_in_user(attempt, params, || ())?;
        self.pre_authentication(attempt.pool, Who::Known(&user), &attempt.client.client_id, attempt.client_metadata)?;
        let options = self.first_factors(attempt.pool, &user);
        match params.get("PREFERRED_CHALLENGE") {
            Some(choice) => self.answer_first_factor(attempt, user, choice, params, &options, progress),
            None => self.challenge(
                attempt,
                Some(&user),
                Step::SelectChallenge { options: options.clone() },
                Ch::SelectChallenge,
                BTreeMap::new(),
                progress,
            ),
        }
    }

    /// The first factors the pool allows that this user can use.
    pub(in crate::user_pools) fn first_factors(&self, pool: &UserPool, user: &User) -> Vec<String> {
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

    pub(super) fn answer_first_factor(
        &self,
        attempt: Attempt<'_>,
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
                self.check_password(attempt, &mut user, password, &progress.flow)?;
                self.after_first_factor(attempt, user, progress.with(w::ChallengeName::Password))
            }
            "PASSWORD_SRP" => {
                let mut p = params.clone();
                p.insert("USERNAME".into(), user.username.clone());
                self.srp_flow(attempt, &p, progress)
            }
            "EMAIL_OTP" => {
                self.check_not_locked(&user, || ())?;
                self.send_sign_in_code(attempt, user, "email", Ch::EmailOtp, progress)
            }
            "SMS_OTP" => {
                self.check_not_locked(&user, || ())?;
                self.send_sign_in_code(attempt, user, "phone_number", Ch::SmsOtp, progress)
            }
            other => Err(Error::InvalidParameter(format!("Unsupported challenge {other}."))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoy_salts_are_stable_per_user_and_differ_between_users() {
        let decoy = DecoySrp::new(&crate::random::SystemRandom).unwrap();
        let a = decoy.verifier("us-east-1_p", "ghost");
        assert_eq!(a, decoy.verifier("us-east-1_p", "ghost"), "asking twice must not reveal a decoy");
        assert_ne!(a.salt, decoy.verifier("us-east-1_p", "other").salt);
        assert_ne!(a.salt, decoy.verifier("us-east-1_q", "ghost").salt);
        assert_eq!(a.salt.len(), 16);
        assert_ne!(a.salt[0], 0, "SALT is sent without leading zero bytes");
    }
}
