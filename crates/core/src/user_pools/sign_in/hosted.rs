//! Sign-in at a login page: the same state machine as the API's (password with lockout, new
//! password, second factors, MFA set-up), begun and answered by the page. It ends in the
//! user being known ([`LoginStep::SignedIn`]); the authorization (a code, or tokens for the
//! implicit flow) is `user_pools::authorize`'s.

use std::collections::BTreeMap;

use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, AuthFlowType, ChallengeNameType as Ch};

use super::{Attempt, Outcome, Progress};
use crate::error::{Error, Result};
use crate::store::AppClient;
use crate::user_pools::{Context, UserPools};

/// Where a login page's sign-in stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginStep {
    /// The user proved who they are.
    SignedIn { sub: String },
    /// A page to show next: the challenge, the Session that answers it, and its parameters
    /// (`MFA_CAN_SETUP`, `CODE_DELIVERY_DESTINATION`, `MFAS_CAN_CHOOSE`, ...).
    Challenge { name: Ch, session: String, parameters: BTreeMap<String, String> },
}

/// The identity providers a login page offers for a client: whether the pool's own users sign
/// in (`COGNITO`, also when the client names none), and its external providers.
pub fn login_providers(client: &AppClient) -> (bool, Vec<String>) {
    let named = client.config.supported_identity_providers.as_deref().unwrap_or_default();
    let external = named.iter().filter(|p| *p != "COGNITO").cloned().collect();
    (named.is_empty() || named.iter().any(|p| p == "COGNITO"), external)
}

fn require_cognito(client: &AppClient) -> Result<()> {
    if !login_providers(client).0 {
        return Err(Error::NotAuthorized("This app client signs users in through its identity providers, not with a password.".into()));
    }
    Ok(())
}

fn step(outcome: Outcome) -> Result<LoginStep> {
    match outcome {
        Outcome::SignedIn { sub } => Ok(LoginStep::SignedIn { sub }),
        Outcome::Challenge { name, session, parameters, .. } => Ok(LoginStep::Challenge { name, session, parameters }),
        Outcome::Tokens(_) => Err(Error::internal(anyhow::anyhow!("a login page's sign-in issued tokens"))),
    }
}

impl UserPools {
    /// Username and password typed into a login page. Lockout, PreventUserExistenceErrors and
    /// the sign-in events are the API's; the client's ExplicitAuthFlows do not apply (they
    /// govern the API), nor does its SECRET_HASH.
    pub fn login_with_password(&self, ctx: &Context, client: &AppClient, username: &str, password: &str) -> Result<LoginStep> {
        require_cognito(client)?;
        let pool = self.pool(&client.pool_id)?;
        let attempt = Attempt { ctx, pool: &pool, client, hosted: true, client_metadata: None };
        let params = BTreeMap::from([("USERNAME".to_owned(), username.to_owned()), ("PASSWORD".to_owned(), password.to_owned())]);
        step(self.password_flow(attempt, &params, Progress::new(AuthFlowType::UserPasswordAuth))?)
    }

    /// A one-time code instead of a password: USER_AUTH's `EMAIL_OTP` or `SMS_OTP` first
    /// factor, sent to the user's verified address or number.
    pub fn login_with_code(&self, ctx: &Context, client: &AppClient, username: &str, factor: &str) -> Result<LoginStep> {
        require_cognito(client)?;
        let pool = self.pool(&client.pool_id)?;
        let attempt = Attempt { ctx, pool: &pool, client, hosted: true, client_metadata: None };
        let params = BTreeMap::from([("USERNAME".to_owned(), username.to_owned()), ("PREFERRED_CHALLENGE".to_owned(), factor.to_owned())]);
        step(self.choice_flow(attempt, &params, Progress::new(AuthFlowType::UserAuth))?)
    }

    /// The passwordless first factors a login page offers for a client: those the pool's
    /// sign-in policy allows, when the client allows choice-based sign-in (ALLOW_USER_AUTH).
    pub fn login_code_factors(&self, client: &AppClient) -> Result<Vec<&'static str>> {
        use crate::user_pools::clients::allows;
        if !allows(client, w::ExplicitAuthFlowsType::AllowUserAuth, None) {
            return Ok(Vec::new());
        }
        let pool = self.pool(&client.pool_id)?;
        let allowed =
            pool.config.policies.as_ref().and_then(|p| p.sign_in_policy.as_ref()).and_then(|s| s.allowed_first_auth_factors.clone());
        let allowed = allowed.unwrap_or_default();
        Ok([(w::AuthFactorType::EmailOtp, "EMAIL_OTP"), (w::AuthFactorType::SmsOtp, "SMS_OTP")]
            .into_iter()
            .filter(|(f, _)| allowed.contains(f))
            .map(|(_, name)| name)
            .collect())
    }

    /// A login page's answer to the challenge stored under `session`.
    pub fn login_respond(
        &self,
        ctx: &Context,
        client: &AppClient,
        name: Ch,
        session: &str,
        responses: BTreeMap<String, String>,
    ) -> Result<LoginStep> {
        step(self.respond(ctx, client, name, Some(session.to_owned()), responses, super::respond::Answerer::LoginPage)?)
    }

    /// MFA_SETUP at a login page: a new authenticator secret for the step under `session`,
    /// and the Session that now holds it.
    pub fn login_setup_totp(&self, session: &str) -> Result<(String, String)> {
        let r = self.op_associate_software_token(w::AssociateSoftwareTokenRequest {
            access_token: None,
            session: Some(Sensitive(session.to_owned())),
        })?;
        match (r.secret_code, r.session) {
            (Some(secret), Some(session)) => Ok((secret.0, session.0)),
            _ => Err(Error::internal(anyhow::anyhow!("AssociateSoftwareToken answered without a secret or session"))),
        }
    }

    /// The authenticator key an MFA_SETUP session is waiting for a code of, to show it again
    /// after a wrong code.
    pub fn login_setup_secret(&self, session: &str) -> Option<String> {
        let record = self.store.get_challenge(session).ok()??;
        let pending: super::Pending = serde_json::from_str(&record.state).ok()?;
        match pending.step {
            super::Step::MfaSetup { secret, .. } if record.expires_ms > self.now() => secret,
            _ => None,
        }
    }

    /// The first code of the new authenticator: the Session that answers MFA_SETUP.
    pub fn login_verify_totp(&self, session: &str, code: &str) -> Result<String> {
        let r = self.op_verify_software_token(w::VerifySoftwareTokenRequest {
            access_token: None,
            session: Some(Sensitive(session.to_owned())),
            user_code: Sensitive(code.to_owned()),
            friendly_device_name: None,
        })?;
        r.session.map(|s| s.0).ok_or_else(|| Error::internal(anyhow::anyhow!("VerifySoftwareToken answered without a session")))
    }

    /// The SECRET_HASH a login page sends for a user when it calls the account operations
    /// (SignUp, ConfirmSignUp, ForgotPassword, ...) on a client with a secret: the server holds
    /// the secret, the browser never sees it.
    pub fn login_secret_hash(&self, client: &AppClient, username: &str) -> Option<Sensitive<String>> {
        use base64::Engine;
        let secret = client.secret()?;
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
        let tag = aws_lc_rs::hmac::sign(&key, format!("{username}{}", client.client_id).as_bytes());
        Some(Sensitive(base64::engine::general_purpose::STANDARD.encode(tag.as_ref())))
    }

    /// A token for a login page's forms (double-submit CSRF protection).
    pub fn new_csrf_token(&self) -> Result<String> {
        self.random.token()
    }
}
