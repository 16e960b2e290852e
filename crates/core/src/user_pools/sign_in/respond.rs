//! The client's answers: RespondToAuthChallenge / AdminRespondToAuthChallenge. The Session
//! names the step waiting; each step is answered once (taken before it is checked, or kept
//! for another try only by a wrong one-time code) and leads to the next step or to tokens.

use std::collections::BTreeMap;

use base64::Engine;
use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, ChallengeNameType as Ch, UserStatusType};

use super::device::device_session_id;
use super::{Attempt, Outcome, Pending, Progress, Step, expired_session, incorrect, param, srp_session_id, step_name};
use crate::error::{Error, Result};
use crate::store::{AppClient, ChallengeRecord, User};
use crate::tokens::sha256_hex;
use crate::user_pools::attributes::{self, Writer};
use crate::user_pools::triggers::Who;
use crate::user_pools::{Context, UserPools};
use crate::{password, srp, totp};

/// How far an SRP client's TIMESTAMP may be from the server's clock.
const SRP_TIMESTAMP_SKEW_SECS: i64 = 5 * 60;

/// Who answers a challenge: an API call, with its `ClientMetadata`, or a login page.
pub(super) enum Answerer<'a> {
    Api(Option<&'a BTreeMap<String, String>>),
    LoginPage,
}

impl UserPools {
    pub(in crate::user_pools) fn op_respond_to_auth_challenge(
        &self,
        ctx: &Context,
        r: w::RespondToAuthChallengeRequest,
    ) -> Result<w::RespondToAuthChallengeResponse> {
        let client = self.client(&r.client_id)?;
        let outcome = self.respond(
            ctx,
            &client,
            r.challenge_name,
            r.session.map(|s| s.0),
            r.challenge_responses.map(|c| c.0).unwrap_or_default(),
            Answerer::Api(r.client_metadata.as_ref()),
        )?;
        Ok(respond_with!(RespondToAuthChallengeResponse, outcome))
    }

    pub(in crate::user_pools) fn op_admin_respond_to_auth_challenge(
        &self,
        ctx: &Context,
        r: w::AdminRespondToAuthChallengeRequest,
    ) -> Result<w::AdminRespondToAuthChallengeResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        let outcome = self.respond(
            ctx,
            &client,
            r.challenge_name,
            r.session.map(|s| s.0),
            r.challenge_responses.map(|c| c.0).unwrap_or_default(),
            Answerer::Api(r.client_metadata.as_ref()),
        )?;
        Ok(respond_with!(AdminRespondToAuthChallengeResponse, outcome))
    }

    /// Answers the step stored under `session`; `hosted` when a login page answers (a step
    /// begun there is answered only there, and one begun through the API only there).
    pub(super) fn respond(
        &self,
        ctx: &Context,
        client: &AppClient,
        name: Ch,
        session: Option<String>,
        responses: BTreeMap<String, String>,
        answerer: Answerer<'_>,
    ) -> Result<Outcome> {
        let (hosted, client_metadata) = match answerer {
            Answerer::Api(metadata) => (false, metadata),
            Answerer::LoginPage => (true, None),
        };
        let session = match (session, responses.get("PASSWORD_CLAIM_SECRET_BLOCK")) {
            (Some(s), _) => s,
            (None, Some(block)) if matches!(name, Ch::PasswordVerifier | Ch::DevicePasswordVerifier) => srp_session_id(block),
            (None, _) if name == Ch::DeviceSrpAuth => {
                // Found by client and device alone: the answer must name its user.
                param(&responses, "USERNAME")?;
                device_session_id(&client.client_id, param(&responses, "DEVICE_KEY")?)
            }
            (None, _) => return Err(Error::InvalidParameter("Missing required parameter Session".into())),
        };
        let (pool, pending) = self.pending(client, &session)?;
        if pending.hosted != hosted {
            return Err(expired_session());
        }
        let attempt = Attempt { ctx, pool: &pool, client, hosted, client_metadata };
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
            if !hosted {
                Self::check_secret_hash(client, &[username, &u.username], responses.get("SECRET_HASH").map(String::as_str))?;
            }
        }
        let mut passed = pending.passed.clone();
        if !matches!(pending.step, Step::DeviceSrpAuth { .. } | Step::DevicePasswordVerifier { .. }) {
            // A device named on the way (the JS SDK names it with each answer); the device
            // steps keep the one they began with.
            passed = passed.naming_device(&responses);
        }
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
                self.password_outcome(attempt, &mut user, fresh && block_ok && signature_ok, &passed.flow)?;
                passed.push(w::ChallengeName::Password);
                if let Some(session) = passed.custom.as_mut() {
                    // CUSTOM_WITH_SRP: the define function decides what follows the password.
                    session.push(super::custom::ChallengeResult {
                        challenge_name: "PASSWORD_VERIFIER".into(),
                        challenge_result: true,
                        challenge_metadata: None,
                    });
                    return self.next_custom_step(attempt, Who::Known(&user), passed, None);
                }
                self.after_first_factor(attempt, user, passed)
            }
            Step::NewPasswordRequired => {
                let mut user = user.ok_or_else(expired_session)?;
                if user.status != UserStatusType::ForceChangePassword {
                    self.take(&session)?;
                    return Err(expired_session());
                }
                // Checked before the step is taken: a password the policy refuses, or a missing
                // required attribute, leaves it open for another try, as Cognito does.
                let updates = self.check_new_password(attempt, &user, &responses)?;
                self.take(&session)?;
                self.complete_new_password(attempt, &mut user, param(&responses, "NEW_PASSWORD")?, &updates)?;
                self.second_factor(attempt, user, Progress { new_password: true, ..passed })
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
                        self.finish(attempt, &user, &passed)
                    }
                    None => self.wrong_code(attempt, &session, pending.attempts_left, &user, passed),
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
                    if first_factor { self.after_first_factor(attempt, user, passed) } else { self.finish(attempt, &user, &passed) }
                } else {
                    self.wrong_code(attempt, &session, pending.attempts_left, &user, passed)
                }
            }
            Step::SelectMfaType { options } => {
                let answer = param(&responses, "ANSWER")?;
                if !options.iter().any(|o| o == answer) {
                    return Err(Error::InvalidParameter(format!("{answer} is not one of the offered MFA types.")));
                }
                self.take(&session)?;
                self.start_mfa(attempt, user.ok_or_else(expired_session)?, answer, passed)
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
                self.finish(attempt, &user, &passed)
            }
            Step::SelectChallenge { options } => {
                let user = user.ok_or_else(expired_session)?;
                let answer = param(&responses, "ANSWER")?.to_owned();
                self.take(&session)?;
                self.answer_first_factor(attempt, user, &answer, &responses, &options, passed)
            }
            Step::DeviceSrpAuth { twin } => {
                let user = user.ok_or_else(expired_session)?;
                self.device_srp_step(attempt, &user, (&session, &twin), &responses, passed)
            }
            Step::DevicePasswordVerifier { b, srp_a, secret_block, device_key } => {
                self.take(&session)?;
                let user = user.ok_or_else(expired_session)?;
                self.device_claim(attempt, user, (&unhex(&b)?, &srp_a, &secret_block, &device_key), &responses, passed)
            }
            Step::Custom { private, metadata, unknown_user } => {
                let who = match (&user, &unknown_user) {
                    (Some(user), _) => Who::Known(user),
                    (None, Some(name)) if responses.get("USERNAME").is_none_or(|given| given == name) => Who::Unknown(name),
                    _ => return Err(expired_session()),
                };
                self.take(&session)?;
                self.answer_custom_challenge(attempt, who, passed, private, metadata, &responses)
            }
        }
    }

    /// A wrong one-time code: the challenge stays open for a few more tries.
    fn wrong_code(&self, attempt: Attempt<'_>, session: &str, attempts_left: u32, user: &User, passed: Progress) -> Result<Outcome> {
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
        self.record_event(attempt, &user.sub, &passed.flow, w::EventResponseType::Fail, &challenges)?;
        Err(Error::CodeMismatch("Invalid code received for user".into()))
    }

    /// NEW_PASSWORD_REQUIRED's answer, checked: the new password against the pool's policy,
    /// the attributes supplied (`userAttributes.*`) against its schema, and that every required
    /// attribute will have a value. Answers the attributes to set.
    fn check_new_password(&self, attempt: Attempt<'_>, user: &User, responses: &BTreeMap<String, String>) -> Result<Vec<w::AttributeType>> {
        let Attempt { pool, client, .. } = attempt;
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
        let mut after = user.data.attributes.clone();
        attributes::apply(&mut after, &updates);
        attributes::check_required(pool, &after)?;
        Ok(updates)
    }

    /// Sets the checked new password and attributes: the user is confirmed.
    fn complete_new_password(&self, attempt: Attempt<'_>, user: &mut User, new_password: &str, updates: &[w::AttributeType]) -> Result<()> {
        attributes::apply(&mut user.data.attributes, updates);
        self.set_password(attempt.pool, user, new_password)?;
        user.data.temporary_password_expires_ms = None;
        user.status = UserStatusType::Confirmed;
        self.save_user(user)
    }
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
    fn stored_srp_values_are_read_back_from_hex() {
        assert_eq!(unhex(&hex::encode([0, 1, 0xab, 0xff])).unwrap(), vec![0, 1, 0xab, 0xff]);
        assert!(unhex("zz").is_err());
    }
}
