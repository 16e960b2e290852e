//! What a sign-in needs once the first factor passed: an account that may sign in, then a
//! new password (NEW_PASSWORD_REQUIRED) or a second factor (SOFTWARE_TOKEN_MFA, SMS_MFA,
//! EMAIL_OTP, or SELECT_MFA_TYPE / MFA_SETUP to get one) if the account or pool calls for it,
//! then tokens. Shared by `initiate` and `respond`: a password can pass in either.

use std::collections::BTreeMap;

use pooldesk_wire::cognito_idp::{self as w, ChallengeNameType as Ch, UserStatusType};

use super::{Attempt, Outcome, Progress, Step};
use crate::error::{Error, Result};
use crate::store::{User, UserPool};
use crate::tokens::sha256_hex;
use crate::user_pools::{UserPools, messages};

impl UserPools {
    /// After the first factor: the account's state, then a new password or a second factor
    /// if needed, then tokens.
    pub(super) fn after_first_factor(&self, attempt: Attempt<'_>, user: User, passed: Progress) -> Result<Outcome> {
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
                return self.challenge(attempt, Some(&user), Step::NewPasswordRequired, Ch::NewPasswordRequired, parameters, passed);
            }
            _ => {}
        }
        self.second_factor(attempt, user, passed)
    }

    /// The second factor the pool and user call for, or tokens.
    pub(super) fn second_factor(&self, attempt: Attempt<'_>, user: User, passed: Progress) -> Result<Outcome> {
        let pool = attempt.pool;
        let mode = pool.config.mfa_configuration.unwrap_or(w::UserPoolMfaType::Off);
        // A one-time code already proved a second thing the user has.
        let code_first = passed.iter().all(|c| *c != w::ChallengeName::Password);
        if mode == w::UserPoolMfaType::Off || code_first || self.device_replaces_mfa(attempt, &user, &passed)? {
            return self.finish(attempt, &user, &passed);
        }
        let enabled = self.enabled_factors(pool, &user);
        if enabled.is_empty() {
            if mode == w::UserPoolMfaType::Optional {
                return self.finish(attempt, &user, &passed);
            }
            if pool.mfa_config.software_token_mfa_configuration.as_ref().and_then(|c| c.enabled) == Some(true) {
                let params = BTreeMap::from([("MFAS_CAN_SETUP".to_owned(), "[\"SOFTWARE_TOKEN_MFA\"]".to_owned())]);
                return self.challenge(
                    attempt,
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
                return self.challenge(attempt, Some(&user), Step::SelectMfaType { options: enabled }, Ch::SelectMfaType, params, passed);
            }
        };
        self.start_mfa(attempt, user, &chosen, passed)
    }

    /// The second factors a user has switched on that the pool allows.
    pub(in crate::user_pools) fn enabled_factors(&self, pool: &UserPool, user: &User) -> Vec<String> {
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

    pub(super) fn start_mfa(&self, attempt: Attempt<'_>, user: User, factor: &str, passed: Progress) -> Result<Outcome> {
        match factor {
            "SOFTWARE_TOKEN_MFA" => {
                let params = BTreeMap::from([("FRIENDLY_DEVICE_NAME".to_owned(), "TOTP device".to_owned())]);
                self.challenge(attempt, Some(&user), Step::SoftwareTokenMfa, Ch::SoftwareTokenMfa, params, passed)
            }
            "SMS_MFA" => self.send_sign_in_code(attempt, user, "phone_number", Ch::SmsMfa, passed),
            "EMAIL_OTP" => self.send_sign_in_code(attempt, user, "email", Ch::EmailOtp, passed),
            other => Err(Error::InvalidParameter(format!("{other} is not a second factor this user can use."))),
        }
    }

    /// Sends a one-time sign-in code (SMS_MFA, EMAIL_OTP, SMS_OTP) and waits for it.
    pub(super) fn send_sign_in_code(
        &self,
        attempt: Attempt<'_>,
        user: User,
        attribute: &str,
        name: Ch,
        passed: Progress,
    ) -> Result<Outcome> {
        let ch = messages::channel(&user, attribute)
            .ok_or_else(|| Error::InvalidParameter(format!("The user has no {attribute} to send a code to.")))?;
        let code = self.random.code()?;
        self.send_mfa_code(attempt.pool, &user, &ch, &code, attempt.client_metadata)?;
        let d = messages::details(&ch);
        let params = BTreeMap::from([
            ("CODE_DELIVERY_DELIVERY_MEDIUM".to_owned(), d.delivery_medium.map(|m| m.as_str()).unwrap_or_default().to_owned()),
            ("CODE_DELIVERY_DESTINATION".to_owned(), d.destination.unwrap_or_default()),
        ]);
        let step = Step::Code { challenge: name.as_str().to_owned(), code_hash: sha256_hex(&code) };
        self.challenge(attempt, Some(&user), step, name, params, passed)
    }
}
