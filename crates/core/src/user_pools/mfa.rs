//! MFA settings: GetUserPoolMfaConfig / SetUserPoolMfaConfig for the pool,
//! SetUserMFAPreference / AdminSetUserMFAPreference for a user, the auth factors a user can
//! sign in with (GetUserAuthFactors / AdminGetUserAuthFactors), and authenticator apps:
//! AssociateSoftwareToken / VerifySoftwareToken (for a signed-in user, or during a sign-in's
//! MFA_SETUP step) and AdminDeleteSoftwareToken. The challenges themselves live in `sign_in`.

use std::sync::Arc;

use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, AuthFactorType, UserPoolMfaType};

use super::UserPools;
use super::sign_in::{Pending, Step, expired_session};
use crate::error::{Error, Result};
use crate::store::{ChallengeRecord, User, UserPool};
use crate::totp;

impl UserPools {
    pub(super) fn op_get_user_pool_mfa_config(&self, r: w::GetUserPoolMfaConfigRequest) -> Result<w::GetUserPoolMfaConfigResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let mut c = pool.mfa_config.clone();
        c.mfa_configuration = Some(pool.config.mfa_configuration.unwrap_or(UserPoolMfaType::Off));
        Ok(c)
    }

    pub(super) fn op_set_user_pool_mfa_config(&self, r: w::SetUserPoolMfaConfigRequest) -> Result<w::SetUserPoolMfaConfigResponse> {
        let mut pool = Arc::unwrap_or_clone(self.pool(&r.user_pool_id)?);
        let c = &mut pool.mfa_config;
        // SMS and e-mail have no `Enabled` member: being sent is what turns them on, so a call
        // without one turns it off (else nothing could). The authenticator app has `Enabled`.
        // Passkeys are not offered yet, so their settings are refused rather than kept.
        c.sms_mfa_configuration = r.sms_mfa_configuration;
        c.email_mfa_configuration = r.email_mfa_configuration;
        if r.software_token_mfa_configuration.is_some() {
            c.software_token_mfa_configuration = r.software_token_mfa_configuration;
        }
        if r.web_authn_configuration.is_some() {
            return Err(Error::InvalidParameter(
                "PoolDesk does not offer passkeys yet: leave WebAuthnConfiguration out (USER_AUTH then offers no WEB_AUTHN).".into(),
            ));
        }
        let mode = r.mfa_configuration.or(pool.config.mfa_configuration).unwrap_or(UserPoolMfaType::Off);
        let any_factor = c.sms_mfa_configuration.is_some()
            || c.email_mfa_configuration.is_some()
            || c.software_token_mfa_configuration.as_ref().and_then(|t| t.enabled) == Some(true);
        if mode != UserPoolMfaType::Off && !any_factor {
            return Err(Error::InvalidParameter(
                "Invalid MFA configuration given, can't turn on MFA without any of sms, email or software token mfa configuration.".into(),
            ));
        }
        c.mfa_configuration = Some(mode);
        pool.config.mfa_configuration = Some(mode);
        pool.modified_ms = self.now();
        self.store.update_pool(&pool)?;
        let c = pool.mfa_config;
        Ok(w::SetUserPoolMfaConfigResponse {
            sms_mfa_configuration: c.sms_mfa_configuration,
            software_token_mfa_configuration: c.software_token_mfa_configuration,
            email_mfa_configuration: c.email_mfa_configuration,
            mfa_configuration: c.mfa_configuration,
            web_authn_configuration: c.web_authn_configuration,
        })
    }

    /// Applies MFA preferences. Enabling a factor needs what it runs on: a verified
    /// authenticator, a phone number, an e-mail address.
    fn apply_mfa_preference(
        user: &mut User,
        sms: Option<w::SMSMfaSettingsType>,
        totp: Option<w::SoftwareTokenMfaSettingsType>,
        email: Option<w::EmailMfaSettingsType>,
    ) -> Result<()> {
        let m = &mut user.data.mfa;
        let settings = [
            ("SMS_MFA", sms.map(|s| (s.enabled, s.preferred_mfa))),
            ("SOFTWARE_TOKEN_MFA", totp.map(|s| (s.enabled, s.preferred_mfa))),
            ("EMAIL_OTP", email.map(|s| (s.enabled, s.preferred_mfa))),
        ];
        for (factor, setting) in settings {
            let Some((enabled, preferred)) = setting else { continue };
            if let Some(on) = enabled {
                if on {
                    let ready = match factor {
                        "SMS_MFA" => user.data.attributes.contains_key("phone_number"),
                        "SOFTWARE_TOKEN_MFA" => m.totp_secret.is_some(),
                        _ => user.data.attributes.contains_key("email"),
                    };
                    if !ready {
                        let why = match factor {
                            "SMS_MFA" => "User does not have a phone number for SMS MFA.",
                            "SOFTWARE_TOKEN_MFA" => "User has not verified software token mfa",
                            _ => "User does not have an email address for email MFA.",
                        };
                        return Err(Error::InvalidParameter(why.into()));
                    }
                }
                match factor {
                    "SMS_MFA" => m.sms_enabled = on,
                    "SOFTWARE_TOKEN_MFA" => m.totp_enabled = on,
                    _ => m.email_enabled = on,
                }
                if !on && m.preferred.as_deref() == Some(factor) {
                    m.preferred = None;
                }
            }
            match preferred {
                Some(true) => m.preferred = Some(factor.to_owned()),
                Some(false) if m.preferred.as_deref() == Some(factor) => m.preferred = None,
                _ => {}
            }
        }
        Ok(())
    }

    pub(super) fn op_set_user_mfa_preference(&self, r: w::SetUserMFAPreferenceRequest) -> Result<w::SetUserMFAPreferenceResponse> {
        let (_, mut user, _) = self.authenticate(&r.access_token)?;
        Self::apply_mfa_preference(&mut user, r.sms_mfa_settings, r.software_token_mfa_settings, r.email_mfa_settings)?;
        self.save_user(&mut user)?;
        Ok(w::SetUserMFAPreferenceResponse {})
    }

    pub(super) fn op_admin_set_user_mfa_preference(
        &self,
        r: w::AdminSetUserMFAPreferenceRequest,
    ) -> Result<w::AdminSetUserMFAPreferenceResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let mut user = self.require_user(&pool, &r.username)?;
        Self::apply_mfa_preference(&mut user, r.sms_mfa_settings, r.software_token_mfa_settings, r.email_mfa_settings)?;
        self.save_user(&mut user)?;
        Ok(w::AdminSetUserMFAPreferenceResponse {})
    }

    /// SetUserSettings / AdminSetUserSettings, Cognito's older MFA settings: they configure SMS
    /// MFA only (an SMS option on `phone_number` enables it, no option disables it).
    fn apply_mfa_options(user: &mut User, options: &[w::MFAOptionType]) -> Result<()> {
        for o in options {
            if o.delivery_medium != Some(w::DeliveryMediumType::Sms) || o.attribute_name.as_deref().is_some_and(|a| a != "phone_number") {
                return Err(Error::InvalidParameter(
                    "MFAOptions configure SMS MFA only ({\"DeliveryMedium\": \"SMS\", \"AttributeName\": \"phone_number\"}): \
                     use SetUserMFAPreference for TOTP and e-mail MFA."
                        .into(),
                ));
            }
        }
        let sms = w::SMSMfaSettingsType { enabled: Some(!options.is_empty()), preferred_mfa: None };
        Self::apply_mfa_preference(user, Some(sms), None, None)
    }

    /// The user's MFA options as GetUser and AdminGetUser show them (SMS MFA only, as in AWS).
    pub(super) fn mfa_options(user: &User) -> Option<Vec<w::MFAOptionType>> {
        user.data.mfa.sms_enabled.then(|| {
            vec![w::MFAOptionType { delivery_medium: Some(w::DeliveryMediumType::Sms), attribute_name: Some("phone_number".into()) }]
        })
    }

    pub(super) fn op_set_user_settings(&self, r: w::SetUserSettingsRequest) -> Result<w::SetUserSettingsResponse> {
        let (_, mut user, _) = self.authenticate(&r.access_token)?;
        Self::apply_mfa_options(&mut user, &r.mfa_options)?;
        self.save_user(&mut user)?;
        Ok(w::SetUserSettingsResponse {})
    }

    pub(super) fn op_admin_set_user_settings(&self, r: w::AdminSetUserSettingsRequest) -> Result<w::AdminSetUserSettingsResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let mut user = self.require_user(&pool, &r.username)?;
        Self::apply_mfa_options(&mut user, &r.mfa_options)?;
        self.save_user(&mut user)?;
        Ok(w::AdminSetUserSettingsResponse {})
    }

    fn auth_factors(&self, pool: &UserPool, user: &User) -> (Option<String>, Option<Vec<String>>, Vec<AuthFactorType>) {
        let mfa = self.enabled_factors(pool, user);
        let mut factors: Vec<AuthFactorType> = self
            .first_factors(pool, user)
            .iter()
            .filter_map(|f| match f.as_str() {
                "PASSWORD" => Some(AuthFactorType::Password),
                "EMAIL_OTP" => Some(AuthFactorType::EmailOtp),
                "SMS_OTP" => Some(AuthFactorType::SmsOtp),
                _ => None,
            })
            .collect();
        if mfa.iter().any(|f| f == "SOFTWARE_TOKEN_MFA") {
            factors.push(AuthFactorType::SoftwareToken);
        }
        (user.data.mfa.preferred.clone(), Some(mfa).filter(|m| !m.is_empty()), factors)
    }

    pub(super) fn op_get_user_auth_factors(&self, r: w::GetUserAuthFactorsRequest) -> Result<w::GetUserAuthFactorsResponse> {
        let (pool, user, _) = self.authenticate(&r.access_token)?;
        let (preferred, list, factors) = self.auth_factors(&pool, &user);
        Ok(w::GetUserAuthFactorsResponse {
            username: user.username.clone(),
            preferred_mfa_setting: preferred,
            user_mfa_setting_list: list,
            configured_user_auth_factors: Some(factors),
        })
    }

    pub(super) fn op_admin_get_user_auth_factors(
        &self,
        r: w::AdminGetUserAuthFactorsRequest,
    ) -> Result<w::AdminGetUserAuthFactorsResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.require_user(&pool, &r.username)?;
        let (preferred, list, factors) = self.auth_factors(&pool, &user);
        Ok(w::AdminGetUserAuthFactorsResponse {
            username: user.username.clone(),
            preferred_mfa_setting: preferred,
            user_mfa_setting_list: list,
            configured_user_auth_factors: Some(factors),
        })
    }

    /// AssociateSoftwareToken: a new authenticator secret, for a signed-in user (access
    /// token) or during MFA_SETUP (session).
    pub(super) fn op_associate_software_token(&self, r: w::AssociateSoftwareTokenRequest) -> Result<w::AssociateSoftwareTokenResponse> {
        let secret = totp::new_secret(&*self.random)?;
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
        let mut pending: Pending = serde_json::from_str(&record.state).map_err(|_| expired_session())?;
        if !matches!(pending.step, Step::MfaSetup { .. }) {
            return Err(expired_session());
        }
        change(&mut pending.step);
        self.take(session)?;
        let id = self.random.token()?;
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
                let pending: Pending = serde_json::from_str(&record.state).map_err(|_| expired_session())?;
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
