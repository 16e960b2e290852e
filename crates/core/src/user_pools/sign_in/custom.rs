//! CUSTOM_AUTH (and CUSTOM_WITH_SRP): a sign-in whose challenges the pool's functions decide.
//! The define function reads the session so far and says what comes next (a custom challenge,
//! SRP's password verifier, tokens, or failure); the create function makes each custom
//! challenge; the verify function judges each answer.

use std::collections::BTreeMap;

use pooldesk_wire::cognito_idp::{self as w, ChallengeNameType as Ch, ExplicitAuthFlowsType as Flow, UserStatusType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Attempt, Outcome, Progress, Step, incorrect, param};
use crate::error::{Error, Result};
use crate::user_pools::UserPools;
use crate::user_pools::clients::allows;
use crate::user_pools::triggers::{Call, Trigger, Who, client_metadata};

/// One challenge of a custom sign-in and how it went, as the define function sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ChallengeResult {
    pub challenge_name: String,
    pub challenge_result: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_metadata: Option<String>,
}

fn unusable(why: &str) -> Error {
    Error::InvalidLambdaResponse(format!("Invalid lambda response: {why}"))
}

/// A map of strings from a function's response (challenge parameters).
fn string_map(value: Option<&Value>, name: &str) -> Result<BTreeMap<String, String>> {
    match value {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Ok((k.clone(), other.to_string())),
            })
            .collect(),
        Some(_) => Err(unusable(&format!("{name} must be an object."))),
    }
}

impl UserPools {
    /// InitiateAuth / AdminInitiateAuth with CUSTOM_AUTH: USERNAME, and for CUSTOM_WITH_SRP
    /// `CHALLENGE_NAME=SRP_A` with SRP_A.
    pub(super) fn custom_flow(&self, attempt: Attempt<'_>, params: &BTreeMap<String, String>, progress: Progress) -> Result<Outcome> {
        if !allows(attempt.client, Flow::AllowCustomAuth, Some(Flow::CustomAuthFlowOnly)) {
            return Err(Error::InvalidParameter("CUSTOM_AUTH flow not enabled for this client".into()));
        }
        let config = attempt.pool.config.lambda_config.as_ref();
        if config.and_then(|c| Trigger::DefineAuthChallenge.function(c)).is_none() {
            return Err(Error::InvalidUserPoolConfiguration("Custom auth lambda trigger is not configured for the user pool.".into()));
        }
        let with_srp = match params.get("CHALLENGE_NAME").map(String::as_str) {
            None => false,
            Some("SRP_A") => {
                param(params, "SRP_A")?;
                true
            }
            Some(other) => return Err(Error::InvalidParameter(format!("CHALLENGE_NAME {other} is not supported: use SRP_A."))),
        };
        let username = param(params, "USERNAME")?;
        // Under PreventUserExistenceErrors a name that matches no user goes through the
        // functions too (userNotFound), and can at most fail.
        let user = if Self::hides_users_auth(attempt.client) && self.find_user(attempt.pool, username)?.is_none() {
            if !attempt.hosted {
                Self::check_secret_hash(attempt.client, &[username], params.get("SECRET_HASH").map(String::as_str))?;
            }
            None
        } else {
            Some(self.sign_in_user(attempt, params, || ())?)
        };
        if let Some(user) = &user {
            if !user.enabled {
                return Err(Error::NotAuthorized("User is disabled.".into()));
            }
            if user.status == UserStatusType::Unconfirmed {
                return Err(Error::UserNotConfirmed("User is not confirmed.".into()));
            }
        }
        let who = user.as_ref().map_or(Who::Unknown(username), Who::Known);
        self.pre_authentication(attempt.pool, who, &attempt.client.client_id, attempt.client_metadata)?;
        let session = if with_srp {
            vec![ChallengeResult { challenge_name: "SRP_A".into(), challenge_result: true, challenge_metadata: None }]
        } else {
            Vec::new()
        };
        self.next_custom_step(attempt, who, Progress { custom: Some(session), ..progress }, Some(params))
    }

    /// Asks the define function what follows the challenges so far. `initial` are the
    /// InitiateAuth parameters (for SRP's first step) when this is the first question.
    pub(super) fn next_custom_step(
        &self,
        attempt: Attempt<'_>,
        who: Who<'_>,
        progress: Progress,
        initial: Option<&BTreeMap<String, String>>,
    ) -> Result<Outcome> {
        let session = progress.custom.clone().unwrap_or_default();
        let request = json!({
            "userAttributes": who.attributes(),
            "session": session,
            "clientMetadata": client_metadata(attempt.client_metadata),
            "userNotFound": who.not_found(),
        });
        let call = Call {
            trigger: Trigger::DefineAuthChallenge,
            source: "DefineAuthChallenge_Authentication",
            user_name: who.username(),
            client_id: Some(&attempt.client.client_id),
            request,
        };
        let decision = self.run_trigger(attempt.pool, call)?.unwrap_or_default();
        let flag = |name: &str| -> Result<bool> {
            match decision.get(name) {
                None | Some(Value::Null) => Ok(false),
                Some(Value::Bool(b)) => Ok(*b),
                Some(_) => Err(unusable(&format!("{name} must be a boolean."))),
            }
        };
        if flag("failAuthentication")? {
            if let Who::Known(user) = who {
                self.record_event(attempt, &user.sub, &progress.flow, w::EventResponseType::Fail, &[])?;
            }
            return Err(incorrect());
        }
        if flag("issueTokens")? {
            // No tokens for a name that matches no user, whatever the function says.
            return match who {
                Who::Known(user) => self.finish(attempt, user, &progress),
                Who::Unknown(_) => Err(incorrect()),
            };
        }
        match decision.get("challengeName").and_then(Value::as_str) {
            Some("CUSTOM_CHALLENGE") => self.create_custom_challenge(attempt, who, progress, &session),
            Some("PASSWORD_VERIFIER") => {
                let params = initial
                    .filter(|p| p.contains_key("SRP_A"))
                    .ok_or_else(|| unusable("PASSWORD_VERIFIER needs CUSTOM_WITH_SRP (CHALLENGE_NAME SRP_A at InitiateAuth)."))?;
                self.srp_flow(attempt, params, progress)
            }
            Some(other) => Err(unusable(&format!(
                "challengeName {other} is not one PoolDesk's custom flow can ask (CUSTOM_CHALLENGE, PASSWORD_VERIFIER)."
            ))),
            None => Err(Error::InvalidLambdaResponse("Unrecognizable lambda output".into())),
        }
    }

    fn create_custom_challenge(
        &self,
        attempt: Attempt<'_>,
        who: Who<'_>,
        progress: Progress,
        session: &[ChallengeResult],
    ) -> Result<Outcome> {
        let request = json!({
            "userAttributes": who.attributes(),
            "challengeName": "CUSTOM_CHALLENGE",
            "session": session,
            "clientMetadata": client_metadata(attempt.client_metadata),
            "userNotFound": who.not_found(),
        });
        let call = Call {
            trigger: Trigger::CreateAuthChallenge,
            source: "CreateAuthChallenge_Authentication",
            user_name: who.username(),
            client_id: Some(&attempt.client.client_id),
            request,
        };
        let Some(created) = self.run_trigger(attempt.pool, call)? else {
            return Err(Error::InvalidUserPoolConfiguration(
                "Create auth challenge lambda trigger is not configured for the user pool.".into(),
            ));
        };
        let mut public = string_map(created.get("publicChallengeParameters"), "publicChallengeParameters")?;
        let private = match created.get("privateChallengeParameters") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return Err(unusable("privateChallengeParameters must be an object.")),
        };
        let metadata = match created.get("challengeMetadata") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(unusable("challengeMetadata must be a string.")),
        };
        public.insert("USERNAME".into(), who.username().to_owned());
        let unknown_user = who.not_found().then(|| who.username().to_owned());
        self.challenge(attempt, who.user(), Step::Custom { private, metadata, unknown_user }, Ch::CustomChallenge, public, progress)
    }

    /// RespondToAuthChallenge CUSTOM_CHALLENGE: the verify function judges ANSWER, and the
    /// define function decides again with that result in the session.
    pub(super) fn answer_custom_challenge(
        &self,
        attempt: Attempt<'_>,
        who: Who<'_>,
        progress: Progress,
        private: Map<String, Value>,
        metadata: Option<String>,
        responses: &BTreeMap<String, String>,
    ) -> Result<Outcome> {
        let answer = param(responses, "ANSWER")?;
        let request = json!({
            "userAttributes": who.attributes(),
            "privateChallengeParameters": private,
            "challengeAnswer": answer,
            "clientMetadata": client_metadata(attempt.client_metadata),
            "userNotFound": who.not_found(),
        });
        let call = Call {
            trigger: Trigger::VerifyAuthChallengeResponse,
            source: "VerifyAuthChallengeResponse_Authentication",
            user_name: who.username(),
            client_id: Some(&attempt.client.client_id),
            request,
        };
        let Some(verdict) = self.run_trigger(attempt.pool, call)? else {
            return Err(Error::InvalidUserPoolConfiguration(
                "Verify auth challenge lambda trigger is not configured for the user pool.".into(),
            ));
        };
        let correct = match verdict.get("answerCorrect") {
            Some(Value::Bool(b)) => *b,
            None | Some(Value::Null) => false,
            Some(_) => return Err(unusable("answerCorrect must be a boolean.")),
        };
        let mut progress = progress;
        progress.custom.get_or_insert_with(Vec::new).push(ChallengeResult {
            challenge_name: "CUSTOM_CHALLENGE".into(),
            challenge_result: correct,
            challenge_metadata: metadata,
        });
        self.next_custom_step(attempt, who, progress, None)
    }
}
