//! Lambda triggers: the events Cognito sends a pool's functions (`LambdaConfig`), the answers it
//! honours, and its errors when a function fails. The call itself goes through a
//! [`LambdaInvoker`] (the AWS Lambda Invoke API, in the API layer); this module decides what is
//! sent, what comes back means, and records every invocation for the inspector.
//!
//! A trigger is called with no store transaction open: the operations read, call, then write.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use pooldesk_wire::cognito_idp::{self as w, PreTokenGenerationLambdaVersionType as Version};
use serde_json::{Map, Value, json};

use super::UserPools;
use crate::error::{Error, Result};
use crate::store::{TriggerInvocation, User, UserPool};

/// Cognito waits this long for a function, then gives up.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Calls a Lambda function synchronously (`RequestResponse`).
pub trait LambdaInvoker: Send + Sync {
    /// Sends `payload` to `function` (an ARN or name) and waits at most `timeout`.
    fn invoke(&self, function: &str, payload: &[u8], timeout: Duration) -> std::result::Result<Invoked, InvokeFailure>;
}

/// What Lambda answered.
#[derive(Debug, Clone)]
pub struct Invoked {
    /// `X-Amz-Function-Error` (`Unhandled`, `Handled`): the function threw, and `payload` is
    /// its `{"errorMessage", "errorType"}`.
    pub function_error: Option<String>,
    pub payload: Vec<u8>,
}

/// Why a function could not be called.
#[derive(Debug, Clone)]
pub enum InvokeFailure {
    /// No answer within the time.
    Timeout,
    /// Lambda itself refused or could not be reached (credentials, endpoint).
    Service(String),
    /// Lambda throttled the call (HTTP 429), even when tried again.
    Throttled(String),
}

/// Seals custom senders' codes as Cognito does: an AWS Encryption SDK message whose data key
/// KMS generated under the pool's `KMSKeyID`, bound to the pool by the encryption context
/// `{"userpool-id": <pool id>}`. The function decrypts it with the Encryption SDK and KMS.
pub trait CodeEncryptor: Send + Sync {
    fn encrypt(&self, key_arn: &str, pool_id: &str, plaintext: &[u8]) -> std::result::Result<Vec<u8>, String>;
}

/// The triggers of `LambdaConfig`, named as Cognito names them in its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    PreSignUp,
    PostConfirmation,
    PreAuthentication,
    PostAuthentication,
    PreTokenGeneration,
    CustomMessage,
    UserMigration,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
    CustomEmailSender,
    CustomSmsSender,
}

impl Trigger {
    pub const ALL: [Trigger; 12] = [
        Trigger::PreSignUp,
        Trigger::PostConfirmation,
        Trigger::PreAuthentication,
        Trigger::PostAuthentication,
        Trigger::PreTokenGeneration,
        Trigger::CustomMessage,
        Trigger::UserMigration,
        Trigger::DefineAuthChallenge,
        Trigger::CreateAuthChallenge,
        Trigger::VerifyAuthChallengeResponse,
        Trigger::CustomEmailSender,
        Trigger::CustomSmsSender,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::CustomMessage => "CustomMessage",
            Trigger::UserMigration => "UserMigration",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Trigger::CustomEmailSender => "CustomEmailSender",
            Trigger::CustomSmsSender => "CustomSMSSender",
        }
    }

    pub fn from_name(name: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The function the pool names for this trigger, and for pre token generation the event
    /// version (`PreTokenGenerationConfig` wins over the older `PreTokenGeneration`).
    pub fn function(self, config: &w::LambdaConfigType) -> Option<(&str, Version)> {
        fn plain(arn: &Option<String>) -> Option<(&str, Version)> {
            sender(arn.as_deref())
        }
        fn sender(arn: Option<&str>) -> Option<(&str, Version)> {
            arn.filter(|a| !a.is_empty()).map(|a| (a, Version::V10))
        }
        match self {
            Trigger::PreSignUp => plain(&config.pre_sign_up),
            Trigger::PostConfirmation => plain(&config.post_confirmation),
            Trigger::PreAuthentication => plain(&config.pre_authentication),
            Trigger::PostAuthentication => plain(&config.post_authentication),
            Trigger::PreTokenGeneration => match &config.pre_token_generation_config {
                Some(c) if !c.lambda_arn.is_empty() => Some((c.lambda_arn.as_str(), c.lambda_version)),
                _ => plain(&config.pre_token_generation),
            },
            Trigger::CustomMessage => plain(&config.custom_message),
            Trigger::UserMigration => plain(&config.user_migration),
            Trigger::DefineAuthChallenge => plain(&config.define_auth_challenge),
            Trigger::CreateAuthChallenge => plain(&config.create_auth_challenge),
            Trigger::VerifyAuthChallengeResponse => plain(&config.verify_auth_challenge_response),
            Trigger::CustomEmailSender => sender(config.custom_email_sender.as_ref().map(|c| c.lambda_arn.as_str())),
            Trigger::CustomSmsSender => sender(config.custom_sms_sender.as_ref().map(|c| c.lambda_arn.as_str())),
        }
    }

    /// The `response` object Cognito sends before the function fills it in.
    fn empty_response(self) -> Value {
        match self {
            Trigger::PreSignUp => json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}),
            Trigger::PreTokenGeneration => json!({"claimsOverrideDetails": null}),
            _ => json!({}),
        }
    }
}

/// One call of a trigger: what it is about.
pub struct Call<'a> {
    pub trigger: Trigger,
    /// `triggerSource`, e.g. `PreSignUp_SignUp`.
    pub source: &'a str,
    pub user_name: &'a str,
    pub client_id: Option<&'a str>,
    /// The event's `request`.
    pub request: Value,
}

/// Members of an event's `request` never written to the inspector.
const SECRET_MEMBERS: [&str; 2] = ["password", "challengeAnswer"];

fn redact(event: &Value) -> Value {
    let mut copy = event.clone();
    if let Some(request) = copy.get_mut("request").and_then(Value::as_object_mut) {
        for name in SECRET_MEMBERS {
            if let Some(v) = request.get_mut(name) {
                *v = json!("<redacted>");
            }
        }
    }
    copy
}

/// `userAttributes` as triggers see them: every attribute as a string, plus `sub` and
/// `cognito:user_status` as Cognito adds them.
pub(super) fn user_attributes(user: &crate::store::User) -> Value {
    let mut attrs: Map<String, Value> = user.data.attributes.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    attrs.insert("sub".into(), json!(user.sub));
    attrs.insert("cognito:user_status".into(), json!(user.status.as_str()));
    Value::Object(attrs)
}

/// Whom a sign-in's triggers are about: a user of the pool, or a name that matches none. Under
/// PreventUserExistenceErrors an unknown name still goes through pre authentication and the
/// custom challenge functions, with `userNotFound: true` and no attributes, so that neither the
/// answer nor its timing tells it from a user who exists.
#[derive(Clone, Copy)]
pub(super) enum Who<'a> {
    Known(&'a User),
    Unknown(&'a str),
}

impl<'a> Who<'a> {
    pub fn username(self) -> &'a str {
        match self {
            Who::Known(user) => &user.username,
            Who::Unknown(name) => name,
        }
    }

    pub fn user(self) -> Option<&'a User> {
        match self {
            Who::Known(user) => Some(user),
            Who::Unknown(_) => None,
        }
    }

    /// `userAttributes`: none for a name that matches no user.
    pub fn attributes(self) -> Value {
        self.user().map_or_else(|| json!({}), user_attributes)
    }

    pub fn not_found(self) -> bool {
        matches!(self, Who::Unknown(_))
    }
}

/// `[{Name, Value}]` (ValidationData, UserAttributes) as an object.
pub(super) fn name_values(list: Option<&Vec<w::AttributeType>>) -> Value {
    Value::Object(list.into_iter().flatten().map(|a| (a.name.clone(), json!(a.value.as_deref().unwrap_or("")))).collect())
}

/// `ClientMetadata` as Cognito passes it: an object, empty when absent.
pub(super) fn client_metadata(metadata: Option<&BTreeMap<String, String>>) -> Value {
    json!(metadata.cloned().unwrap_or_default())
}

impl UserPools {
    /// Calls the pool's function for `call.trigger`, if it has one: its `response` object, or
    /// Cognito's error for a function that failed, timed out or answered nonsense. Every call
    /// is recorded for the inspector.
    pub(super) fn run_trigger(&self, pool: &UserPool, call: Call<'_>) -> Result<Option<Map<String, Value>>> {
        let Some(config) = pool.config.lambda_config.as_ref() else { return Ok(None) };
        let Some((function, version)) = call.trigger.function(config) else { return Ok(None) };
        let version = match (call.trigger, version) {
            (Trigger::PreTokenGeneration, Version::V20) => "2",
            (Trigger::PreTokenGeneration, Version::V30) => "3",
            _ => "1",
        };
        let mut response = call.trigger.empty_response();
        if call.trigger == Trigger::PreTokenGeneration && version != "1" {
            response = json!({"claimsAndScopeOverrideDetails": null});
        }
        let event = json!({
            "version": version,
            "triggerSource": call.source,
            "region": self.config.region,
            "userPoolId": pool.id,
            "userName": call.user_name,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": call.client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE")},
            "request": call.request,
            "response": response,
        });
        let name = call.trigger.name();
        let started = Instant::now();
        let started_ms = self.now();
        let outcome = match &self.lambda {
            None => Err(Error::UnexpectedLambda(format!(
                "{name} invocation failed due to error: this PoolDesk was built without a way to call AWS Lambda."
            ))),
            Some(invoker) => {
                let payload = serde_json::to_vec(&event).map_err(Error::internal)?;
                self.answer(name, invoker.invoke(function, &payload, TIMEOUT))
            }
        };
        let record = TriggerInvocation {
            id: 0,
            pool_id: pool.id.clone(),
            trigger: name.to_owned(),
            source: call.source.to_owned(),
            function: function.to_owned(),
            started_ms,
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            event: redact(&event).to_string(),
            response: outcome.as_ref().ok().map(|r| Value::Object(r.clone()).to_string()),
            error: outcome.as_ref().err().map(|e| format!("{}: {}", e.wire_code(), e.client_message())),
        };
        if let Err(e) = self.store.add_trigger_invocation(&record) {
            tracing::warn!("recording a {name} invocation: {e}");
        }
        outcome.map(Some)
    }

    /// What a function's answer means: its event's `response`, or Cognito's error.
    fn answer(&self, name: &str, invoked: std::result::Result<Invoked, InvokeFailure>) -> Result<Map<String, Value>> {
        let invoked = match invoked {
            Ok(i) => i,
            Err(InvokeFailure::Timeout) => {
                return Err(Error::UnexpectedLambda(format!(
                    "{name} invocation failed due to error Socket timeout while invoking Lambda function."
                )));
            }
            Err(InvokeFailure::Service(why) | InvokeFailure::Throttled(why)) => {
                return Err(Error::UnexpectedLambda(format!("{name} invocation failed due to error {why}.")));
            }
        };
        if invoked.function_error.is_some() {
            let message = serde_json::from_slice::<Value>(&invoked.payload)
                .ok()
                .and_then(|v| v.get("errorMessage").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| String::from_utf8_lossy(&invoked.payload).chars().take(500).collect());
            return Err(Error::UserLambdaValidation(format!("{name} failed with error {message}.")));
        }
        let unrecognizable = || Error::InvalidLambdaResponse("Unrecognizable lambda output".into());
        let answer: Value = serde_json::from_slice(&invoked.payload).map_err(|_| unrecognizable())?;
        match answer.get("response") {
            Some(Value::Object(response)) => Ok(response.clone()),
            Some(Value::Null) => Ok(Map::new()),
            _ => Err(unrecognizable()),
        }
    }

    /// Pre sign-up for a new user: whether the function confirms it and verifies its e-mail
    /// and phone. Cognito refuses auto-verifying an attribute the user does not have.
    pub(super) fn pre_sign_up(
        &self,
        pool: &UserPool,
        source: &str,
        user_name: &str,
        client_id: Option<&str>,
        request: Value,
        attributes: &BTreeMap<String, String>,
    ) -> Result<PreSignUp> {
        let Some(response) = self.run_trigger(pool, Call { trigger: Trigger::PreSignUp, source, user_name, client_id, request })? else {
            return Ok(PreSignUp::default());
        };
        let flag = |name: &str| -> Result<bool> {
            match response.get(name) {
                None | Some(Value::Null) => Ok(false),
                Some(Value::Bool(b)) => Ok(*b),
                Some(_) => Err(Error::InvalidLambdaResponse(format!("Invalid lambda response: {name} must be a boolean."))),
            }
        };
        let decided = PreSignUp {
            auto_confirm: flag("autoConfirmUser")?,
            auto_verify_email: flag("autoVerifyEmail")?,
            auto_verify_phone: flag("autoVerifyPhone")?,
        };
        if decided.auto_verify_email && !attributes.contains_key("email") {
            return Err(Error::InvalidParameter("autoVerifyEmail is set but the user has no email attribute.".into()));
        }
        if decided.auto_verify_phone && !attributes.contains_key("phone_number") {
            return Err(Error::InvalidParameter("autoVerifyPhone is set but the user has no phone_number attribute.".into()));
        }
        Ok(decided)
    }

    /// A trigger whose answer changes nothing (post confirmation, pre and post authentication):
    /// only its failure counts.
    pub(super) fn notify_trigger(&self, pool: &UserPool, call: Call<'_>) -> Result<()> {
        self.run_trigger(pool, call).map(drop)
    }

    /// Post confirmation, once a user is confirmed (`source`: `PostConfirmation_ConfirmSignUp`
    /// or `PostConfirmation_ConfirmForgotPassword`).
    pub(super) fn post_confirmation(
        &self,
        pool: &UserPool,
        user: &User,
        source: &str,
        client_id: Option<&str>,
        metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<()> {
        let request = json!({"userAttributes": user_attributes(user), "clientMetadata": client_metadata(metadata)});
        self.notify_trigger(pool, Call { trigger: Trigger::PostConfirmation, source, user_name: &user.username, client_id, request })
    }
}

/// Claims no function may add, change or remove: they say who, for whom, when and how a token
/// was issued (groups and roles change through `groupOverrideDetails`, scopes through
/// `scopesToAdd` / `scopesToSuppress`).
const PROTECTED_CLAIMS: [&str; 24] = [
    "acr",
    "amr",
    "at_hash",
    "aud",
    "auth_time",
    "azp",
    "client_id",
    "cognito:groups",
    "cognito:preferred_role",
    "cognito:roles",
    "cognito:username",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "scope",
    "sub",
    "token_use",
    "username",
];

/// What a pre token generation function changes in a token.
#[derive(Debug, Default)]
struct ClaimChanges {
    add: Map<String, Value>,
    suppress: Vec<String>,
}

/// What a pre token generation function changes, read and checked.
#[derive(Debug, Default)]
pub(super) struct TokenOverrides {
    id: ClaimChanges,
    access: ClaimChanges,
    groups: Option<Vec<String>>,
    roles: Option<Vec<String>>,
    preferred_role: Option<Option<String>>,
    scopes_to_add: Vec<String>,
    scopes_to_suppress: Vec<String>,
}

fn invalid(why: impl Into<String>) -> Error {
    Error::InvalidLambdaResponse(why.into())
}

fn strings(value: Option<&Value>, what: &str) -> Result<Option<Vec<String>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str().map(str::to_owned).ok_or_else(|| invalid(format!("Invalid lambda response: {what} must be a list of strings.")))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(_) => Err(invalid(format!("Invalid lambda response: {what} must be a list of strings."))),
    }
}

fn claim_changes(value: Option<&Value>, what: &str, scalars_only: bool) -> Result<ClaimChanges> {
    let Some(value) = value.filter(|v| !v.is_null()) else { return Ok(ClaimChanges::default()) };
    let object = value.as_object().ok_or_else(|| invalid(format!("Invalid lambda response: {what} must be an object.")))?;
    let add = match object.get("claimsToAddOrOverride") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(invalid(format!("Invalid lambda response: {what}.claimsToAddOrOverride must be an object."))),
    };
    let suppress = strings(object.get("claimsToSuppress"), &format!("{what}.claimsToSuppress"))?.unwrap_or_default();
    for name in add.keys().chain(suppress.iter()) {
        if PROTECTED_CLAIMS.contains(&name.as_str()) {
            return Err(invalid(format!("Invalid lambda response: the claim {name} cannot be added, overridden or suppressed.")));
        }
    }
    if scalars_only && let Some((name, _)) = add.iter().find(|(_, v)| v.is_array() || v.is_object()) {
        return Err(invalid(format!(
            "Invalid lambda response: the V1_0 event takes string claims only ({name}); use PreTokenGenerationConfig V2_0 for lists and objects."
        )));
    }
    Ok(ClaimChanges { add, suppress })
}

impl TokenOverrides {
    /// Reads a function's `response`: V1's `claimsOverrideDetails` (ID token only) or V2/V3's
    /// `claimsAndScopeOverrideDetails`.
    fn read(response: &Map<String, Value>, version: &str) -> Result<TokenOverrides> {
        let (details, key) = if version == "1" {
            (response.get("claimsOverrideDetails"), "claimsOverrideDetails")
        } else {
            (response.get("claimsAndScopeOverrideDetails"), "claimsAndScopeOverrideDetails")
        };
        let Some(details) = details.filter(|d| !d.is_null()) else { return Ok(TokenOverrides::default()) };
        let details = details.as_object().ok_or_else(|| invalid(format!("Invalid lambda response: {key} must be an object.")))?;
        let mut o = TokenOverrides::default();
        if version == "1" {
            o.id = claim_changes(Some(&Value::Object(details.clone())), key, true)?;
        } else {
            o.id = claim_changes(details.get("idTokenGeneration"), "idTokenGeneration", false)?;
            o.access = claim_changes(details.get("accessTokenGeneration"), "accessTokenGeneration", false)?;
            if let Some(access) = details.get("accessTokenGeneration").and_then(Value::as_object) {
                o.scopes_to_add = strings(access.get("scopesToAdd"), "scopesToAdd")?.unwrap_or_default();
                o.scopes_to_suppress = strings(access.get("scopesToSuppress"), "scopesToSuppress")?.unwrap_or_default();
            }
        }
        if let Some(groups) = details.get("groupOverrideDetails").filter(|g| !g.is_null()) {
            let groups = groups.as_object().ok_or_else(|| invalid("Invalid lambda response: groupOverrideDetails must be an object."))?;
            o.groups = strings(groups.get("groupsToOverride"), "groupsToOverride")?;
            o.roles = strings(groups.get("iamRolesToOverride"), "iamRolesToOverride")?;
            o.preferred_role = match groups.get("preferredRole") {
                None => None,
                Some(Value::Null) => Some(None),
                Some(Value::String(r)) => Some(Some(r.clone())),
                Some(_) => return Err(invalid("Invalid lambda response: preferredRole must be a string.")),
            };
        }
        Ok(o)
    }

    /// Applies the changes to a token's claims (`id`: the ID token, else the access token).
    pub fn apply(&self, claims: &mut Map<String, Value>, id: bool) {
        let changes = if id { &self.id } else { &self.access };
        for name in &changes.suppress {
            claims.remove(name);
        }
        for (name, value) in &changes.add {
            claims.insert(name.clone(), value.clone());
        }
        let mut set = |name: &str, value: Option<Value>| match value {
            Some(v) => {
                claims.insert(name.to_owned(), v);
            }
            None => {
                claims.remove(name);
            }
        };
        if let Some(groups) = &self.groups {
            set("cognito:groups", (!groups.is_empty()).then(|| json!(groups)));
        }
        if id {
            if let Some(roles) = &self.roles {
                set("cognito:roles", (!roles.is_empty()).then(|| json!(roles)));
            }
            if let Some(preferred) = &self.preferred_role {
                set("cognito:preferred_role", preferred.as_ref().map(|r| json!(r)));
            }
        }
    }

    /// The access token's scopes after the function's additions and suppressions.
    pub fn scopes(&self, scope: &str) -> String {
        let mut scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty() && !self.scopes_to_suppress.iter().any(|x| x == s)).collect();
        for added in &self.scopes_to_add {
            if !scopes.contains(&added.as_str()) {
                scopes.push(added);
            }
        }
        scopes.join(" ")
    }
}

/// The token a pre token generation call is about.
pub(super) struct TokenEvent<'a> {
    pub source: &'a str,
    pub user: &'a User,
    pub client_id: &'a str,
    pub groups: &'a [crate::store::Group],
    pub scope: &'a str,
    pub client_metadata: Option<&'a BTreeMap<String, String>>,
}

impl UserPools {
    /// Pre token generation for tokens about to be signed: what the function changes, if the
    /// pool has one.
    pub(super) fn pre_token_generation(&self, pool: &UserPool, t: &TokenEvent<'_>) -> Result<Option<TokenOverrides>> {
        let Some((_, version)) = pool.config.lambda_config.as_ref().and_then(|c| Trigger::PreTokenGeneration.function(c)) else {
            return Ok(None);
        };
        let mut sorted: Vec<&crate::store::Group> = t.groups.iter().collect();
        sorted.sort_by_key(|g| g.config.precedence.unwrap_or(i32::MAX));
        let roles: Vec<&str> = sorted.iter().filter_map(|g| g.config.role_arn.as_deref()).collect();
        let mut request = json!({
            "userAttributes": user_attributes(t.user),
            "groupConfiguration": {
                "groupsToOverride": t.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
                "iamRolesToOverride": roles,
                "preferredRole": roles.first(),
            },
            "clientMetadata": client_metadata(t.client_metadata),
        });
        if version != Version::V10 {
            request["scopes"] = json!(t.scope.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>());
        }
        let call = Call {
            trigger: Trigger::PreTokenGeneration,
            source: t.source,
            user_name: &t.user.username,
            client_id: Some(t.client_id),
            request,
        };
        let Some(response) = self.run_trigger(pool, call)? else { return Ok(None) };
        let version = match version {
            Version::V10 => "1",
            _ => "2",
        };
        TokenOverrides::read(&response, version).map(Some)
    }

    /// Pre token generation for a `client_credentials` access token: only `V3_0` functions
    /// see machine tokens. There is no user: `userName` is the client, as the token's `sub`
    /// is, and `userAttributes` and the group configuration are empty.
    pub(super) fn client_credentials_token_generation(
        &self,
        pool: &UserPool,
        client_id: &str,
        scopes: &[&str],
        metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<Option<TokenOverrides>> {
        let v3 = pool
            .config
            .lambda_config
            .as_ref()
            .and_then(|c| Trigger::PreTokenGeneration.function(c))
            .is_some_and(|(_, v)| v == Version::V30);
        if !v3 {
            return Ok(None);
        }
        let request = json!({
            "userAttributes": {},
            "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
            "scopes": scopes,
            "clientMetadata": client_metadata(metadata),
        });
        let call = Call {
            trigger: Trigger::PreTokenGeneration,
            source: "TokenGeneration_ClientCredentials",
            user_name: client_id,
            client_id: Some(client_id),
            request,
        };
        let Some(response) = self.run_trigger(pool, call)? else { return Ok(None) };
        TokenOverrides::read(&response, "3").map(Some)
    }

    /// Pre authentication, once the user signing in is known: the function may refuse.
    pub(super) fn pre_authentication(
        &self,
        pool: &UserPool,
        who: Who<'_>,
        client_id: &str,
        metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<()> {
        // Cognito hands AdminInitiateAuth's and InitiateAuth's ClientMetadata over as validationData.
        let request =
            json!({"userAttributes": who.attributes(), "validationData": client_metadata(metadata), "userNotFound": who.not_found()});
        let call = Call {
            trigger: Trigger::PreAuthentication,
            source: "PreAuthentication_Authentication",
            user_name: who.username(),
            client_id: Some(client_id),
            request,
        };
        self.notify_trigger(pool, call)
    }

    /// Post authentication, once a sign-in has passed every challenge.
    pub(super) fn post_authentication(
        &self,
        pool: &UserPool,
        user: &User,
        client_id: &str,
        metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<()> {
        let request = json!({"userAttributes": user_attributes(user), "newDeviceUsed": false, "clientMetadata": client_metadata(metadata)});
        let call = Call {
            trigger: Trigger::PostAuthentication,
            source: "PostAuthentication_Authentication",
            user_name: &user.username,
            client_id: Some(client_id),
            request,
        };
        self.notify_trigger(pool, call)
    }
}

/// A realistic event for `trigger`, for the desktop app's "send a test event": its source and
/// request, as a sign-up or sign-in of `test-user` would send them.
fn sample(trigger: Trigger, version: Version) -> (&'static str, Value) {
    let user = json!({
        "sub": "00000000-0000-4000-8000-000000000000",
        "email": "test.user@example.com",
        "email_verified": "true",
        "cognito:user_status": "CONFIRMED",
    });
    let metadata = json!({});
    match trigger {
        Trigger::PreSignUp => (
            "PreSignUp_SignUp",
            json!({"userAttributes": {"email": "test.user@example.com"}, "validationData": {}, "clientMetadata": metadata}),
        ),
        Trigger::PostConfirmation => ("PostConfirmation_ConfirmSignUp", json!({"userAttributes": user, "clientMetadata": metadata})),
        Trigger::PreAuthentication => {
            ("PreAuthentication_Authentication", json!({"userAttributes": user, "validationData": {}, "userNotFound": false}))
        }
        Trigger::PostAuthentication => {
            ("PostAuthentication_Authentication", json!({"userAttributes": user, "newDeviceUsed": false, "clientMetadata": metadata}))
        }
        Trigger::PreTokenGeneration => {
            let mut request = json!({
                "userAttributes": user,
                "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
                "clientMetadata": metadata,
            });
            if version != Version::V10 {
                request["scopes"] = json!(["openid", "email", "aws.cognito.signin.user.admin"]);
            }
            ("TokenGeneration_Authentication", request)
        }
        Trigger::CustomMessage => (
            "CustomMessage_SignUp",
            json!({"userAttributes": user, "codeParameter": "{####}", "usernameParameter": null, "clientMetadata": metadata}),
        ),
        Trigger::UserMigration => {
            ("UserMigration_Authentication", json!({"password": "Test-Passw0rd!", "validationData": {}, "clientMetadata": metadata}))
        }
        Trigger::DefineAuthChallenge => {
            ("DefineAuthChallenge_Authentication", json!({"userAttributes": user, "session": [], "clientMetadata": metadata}))
        }
        Trigger::CreateAuthChallenge => (
            "CreateAuthChallenge_Authentication",
            json!({"userAttributes": user, "challengeName": "CUSTOM_CHALLENGE", "session": [], "clientMetadata": metadata}),
        ),
        Trigger::VerifyAuthChallengeResponse => (
            "VerifyAuthChallengeResponse_Authentication",
            json!({"userAttributes": user, "privateChallengeParameters": {"answer": "42"}, "challengeAnswer": "42", "clientMetadata": metadata}),
        ),
        // The code (123456) is sealed under the pool's key when the event is sent.
        Trigger::CustomEmailSender => (
            "CustomEmailSender_SignUp",
            json!({"type": "customEmailSenderRequestV1", "code": SAMPLE_CODE, "clientMetadata": metadata, "userAttributes": user}),
        ),
        Trigger::CustomSmsSender => (
            "CustomSMSSender_SignUp",
            json!({"type": "customSMSSenderRequestV1", "code": SAMPLE_CODE, "clientMetadata": metadata, "userAttributes": user}),
        ),
    }
}

/// The code in custom senders' test events, before it is sealed.
const SAMPLE_CODE: &str = "123456";

impl UserPools {
    /// `PoolDesk.TestTrigger`: sends the pool's function for `trigger` a realistic sample
    /// event. Whatever the function does is recorded in the inspector, like any call; only a
    /// trigger the pool names no function for is an error.
    pub fn test_trigger(&self, pool_id: &str, trigger: Trigger) -> Result<()> {
        let pool = self.pool(pool_id)?;
        let Some((_, version)) = pool.config.lambda_config.as_ref().and_then(|c| trigger.function(c)) else {
            return Err(Error::InvalidParameter(format!("The pool's LambdaConfig names no function for {}.", trigger.name())));
        };
        let (source, mut request) = sample(trigger, version);
        if matches!(trigger, Trigger::CustomEmailSender | Trigger::CustomSmsSender) {
            request["code"] = json!(self.seal_code(&pool, trigger, SAMPLE_CODE)?);
        }
        let call = Call { trigger, source, user_name: "test-user", client_id: None, request };
        // The function's failure is the test's result, recorded in the inspector.
        let _ = self.run_trigger(&pool, call);
        Ok(())
    }
}

/// What a message carries, for what the custom message function's answer must keep.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MessageKind {
    /// A code (`{####}`).
    Code,
    /// A temporary password (`{####}`) and the username (`{username}`).
    Invitation,
    /// A sign-up confirmation link (`{##text##}`), or the code.
    Link,
}

/// Why a code is sent: the custom message trigger's source, and the request's `ClientMetadata`.
#[derive(Clone, Copy)]
pub(super) struct Why<'a> {
    pub source: &'a str,
    pub client_metadata: Option<&'a BTreeMap<String, String>>,
}

impl<'a> Why<'a> {
    pub fn new(source: &'a str, client_metadata: Option<&'a BTreeMap<String, String>>) -> Self {
        Why { source, client_metadata }
    }
}

impl UserPools {
    /// The custom message trigger, for a message about to be sent: the subject and template
    /// (still holding `{####}`, and `{username}` for an invitation) the function writes, or the
    /// pool's own when it has no function or leaves a part out.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn custom_message(
        &self,
        pool: &UserPool,
        user: &User,
        (medium, _, _): &(w::DeliveryMediumType, String, String),
        why: Why<'_>,
        subject: String,
        template: String,
        kind: MessageKind,
    ) -> Result<(String, String)> {
        let invitation = kind == MessageKind::Invitation;
        let request = json!({
            "userAttributes": user_attributes(user),
            "codeParameter": "{####}",
            "usernameParameter": if invitation { json!("{username}") } else { Value::Null },
            "linkParameter": "{##Click Here##}",
            "clientMetadata": client_metadata(why.client_metadata),
        });
        let call = Call { trigger: Trigger::CustomMessage, source: why.source, user_name: &user.username, client_id: None, request };
        let Some(response) = self.run_trigger(pool, call)? else { return Ok((subject, template)) };
        let text = |name: &str| -> Result<Option<String>> {
            match response.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(invalid(format!("Invalid lambda response: {name} must be a string."))),
            }
        };
        let email = *medium == w::DeliveryMediumType::Email;
        let message = text(if email { "emailMessage" } else { "smsMessage" })?;
        if let Some(m) = &message {
            // A confirmation link's message may hold the link (linkParameter) instead of the code.
            let has_link = kind == MessageKind::Link && super::messages::link_text(m).is_some();
            if !m.contains("{####}") && !has_link {
                return Err(invalid(format!(
                    "Invalid lambda response: the {} does not contain the code parameter {{####}}.",
                    if email { "emailMessage" } else { "smsMessage" }
                )));
            }
            if invitation && !m.contains("{username}") {
                return Err(invalid("Invalid lambda response: an invitation must contain the username parameter {username}."));
            }
        }
        let subject = if email { text("emailSubject")?.unwrap_or(subject) } else { subject };
        Ok((subject, message.unwrap_or(template)))
    }
}

/// A user migration: who to look for in the old directory and why.
pub(super) struct Migration<'a> {
    pub user_name: &'a str,
    pub client: &'a crate::store::AppClient,
    /// The password being tried (`UserMigration_Authentication`); None for a forgotten password.
    pub password: Option<&'a str>,
    pub client_metadata: Option<&'a BTreeMap<String, String>>,
}

impl UserPools {
    /// The user migration trigger, for a user this pool does not know: the user the function
    /// vouches for, created here (with the password it accepted), or None when the pool has no
    /// function. A function that throws means "not found there either".
    pub(super) fn migrate_user(&self, pool: &UserPool, m: Migration<'_>) -> Result<Option<User>> {
        let source = if m.password.is_some() { "UserMigration_Authentication" } else { "UserMigration_ForgotPassword" };
        let mut request =
            json!({"validationData": client_metadata(m.client_metadata), "clientMetadata": client_metadata(m.client_metadata)});
        if let Some(password) = m.password {
            request["password"] = json!(password);
        }
        let call = Call { trigger: Trigger::UserMigration, source, user_name: m.user_name, client_id: Some(&m.client.client_id), request };
        let response = match self.run_trigger(pool, call) {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(None),
            Err(Error::UserLambdaValidation(_)) => {
                return Err(Error::UserNotFound(format!("Exception migrating user in app client {}", m.client.client_id)));
            }
            Err(e) => return Err(e),
        };
        let attributes: BTreeMap<String, String> = match response.get("userAttributes") {
            Some(Value::Object(a)) => a
                .iter()
                .filter(|(k, _)| *k != "username" && *k != "sub")
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    Value::Bool(b) => Ok((k.clone(), b.to_string())),
                    _ => Err(invalid(format!("Invalid lambda response: userAttributes.{k} must be a string."))),
                })
                .collect::<Result<_>>()?,
            None | Some(Value::Null) => BTreeMap::new(),
            Some(_) => return Err(invalid("Invalid lambda response: userAttributes must be an object.")),
        };
        let status = match response.get("finalUserStatus").and_then(Value::as_str) {
            Some("CONFIRMED") => w::UserStatusType::Confirmed,
            Some("RESET_REQUIRED") => w::UserStatusType::ResetRequired,
            None if m.password.is_some() => w::UserStatusType::Confirmed,
            None => w::UserStatusType::ResetRequired,
            Some(other) => {
                return Err(invalid(format!("Invalid lambda response: finalUserStatus {other} is not CONFIRMED or RESET_REQUIRED.")));
            }
        };
        let message_action = response.get("messageAction").and_then(Value::as_str);
        if message_action.is_some_and(|a| a != "SUPPRESS") {
            return Err(invalid("Invalid lambda response: messageAction may only be SUPPRESS."));
        }
        let force_alias = response.get("forceAliasCreation").and_then(Value::as_bool).unwrap_or(false);
        let mediums = strings(response.get("desiredDeliveryMediums"), "desiredDeliveryMediums")?.unwrap_or_default();
        if let Some(bad) = mediums.iter().find(|m| *m != "EMAIL" && *m != "SMS") {
            return Err(invalid(format!("Invalid lambda response: desiredDeliveryMediums has {bad}; use EMAIL or SMS.")));
        }
        let mut user = self.new_user(pool, m.user_name, attributes, status)?;
        super::attributes::check_required(pool, &user.data.attributes)?;
        // A verified e-mail alias another user holds moves to the migrated user only when the
        // function forces it.
        if let Some(email) = user.data.attributes.get("email").cloned()
            && user.data.attributes.get("email_verified").map(String::as_str) == Some("true")
            && pool.config.alias_attributes.iter().flatten().any(|a| a.as_str() == "email")
        {
            for mut other in self.store.find_users_by_attribute(&pool.id, "email", &email)? {
                if other.data.attributes.get("email_verified").map(String::as_str) != Some("true") {
                    continue;
                }
                if !force_alias {
                    return Err(Error::AliasExists("An account with the given email already exists.".into()));
                }
                other.data.attributes.insert("email_verified".into(), "false".into());
                self.save_user(&mut other)?;
            }
        }
        if let Some(password) = m.password {
            self.set_password(pool, &mut user, password)?;
        }
        self.insert_user(pool, &user)?;
        if message_action.is_none() {
            // Cognito welcomes a migrated user with the pool's invitation, less a password.
            let wanted = if mediums.is_empty() { vec!["SMS".to_owned()] } else { mediums };
            let channels: Vec<_> = wanted
                .iter()
                .filter_map(|m| super::messages::channel(&user, if m == "EMAIL" { "email" } else { "phone_number" }))
                .collect();
            for ch in &channels {
                self.send_welcome(pool, &user, ch)?;
            }
        }
        Ok(Some(user))
    }
}

/// What a pre sign-up function decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct PreSignUp {
    pub auto_confirm: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

impl PreSignUp {
    pub fn apply(self, user: &mut User) {
        if self.auto_confirm {
            user.status = w::UserStatusType::Confirmed;
        }
        if self.auto_verify_email {
            user.data.attributes.insert("email_verified".into(), "true".into());
        }
        if self.auto_verify_phone {
            user.data.attributes.insert("phone_number_verified".into(), "true".into());
        }
    }
}

/// `LambdaConfig` as stored: custom senders need the KMS key that seals their codes.
pub(super) fn checked_lambda_config(config: w::LambdaConfigType) -> Result<w::LambdaConfigType> {
    let senders = config.custom_email_sender.is_some() || config.custom_sms_sender.is_some();
    if senders && config.kms_key_id.as_deref().is_none_or(str::is_empty) {
        return Err(Error::InvalidParameter(
            "KMSKeyID is required when CustomEmailSender or CustomSMSSender is set: Cognito encrypts the codes it sends them with that key.".into(),
        ));
    }
    if let Some(key) = config.kms_key_id.as_deref().filter(|k| !k.is_empty()) {
        let mut parts = key.splitn(6, ':');
        let well_formed = parts.next() == Some("arn") && parts.nth(1) == Some("kms") && parts.nth(2).is_some_and(|r| r.starts_with("key/"));
        if !well_formed {
            return Err(Error::InvalidParameter(format!(
                "KMSKeyID must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not {key}."
            )));
        }
    }
    Ok(config)
}

impl UserPools {
    /// The code sealed for a custom sender (base64 of the Encryption SDK message).
    fn seal_code(&self, pool: &UserPool, trigger: Trigger, code: &str) -> Result<String> {
        use base64::Engine;
        let name = trigger.name();
        let key = pool.config.lambda_config.as_ref().and_then(|c| c.kms_key_id.as_deref()).unwrap_or_default();
        let encryptor = self.encryptor.as_ref().ok_or_else(|| {
            Error::UnexpectedLambda(format!(
                "{name} invocation failed due to error: this PoolDesk was built without a way to call AWS KMS."
            ))
        })?;
        let sealed = encryptor.encrypt(key, &pool.id, code.as_bytes()).map_err(|why| {
            Error::UnexpectedLambda(format!(
                "{name} invocation failed due to error: the code could not be encrypted with KMS key {key}: {why}"
            ))
        })?;
        Ok(base64::engine::general_purpose::STANDARD.encode(sealed))
    }

    /// Hands a message to the pool's custom sender for its medium, if it has one: Cognito then
    /// sends nothing itself. `code` is the one-time code or temporary password, sealed with the
    /// pool's KMS key. Returns the trigger's name when a function took the message.
    pub(super) fn custom_sender(
        &self,
        pool: &UserPool,
        user: &User,
        medium: w::DeliveryMediumType,
        why: Why<'_>,
        code: &str,
    ) -> Result<Option<&'static str>> {
        let (trigger, kind) = match medium {
            w::DeliveryMediumType::Email => (Trigger::CustomEmailSender, "customEmailSenderRequestV1"),
            w::DeliveryMediumType::Sms => (Trigger::CustomSmsSender, "customSMSSenderRequestV1"),
        };
        if pool.config.lambda_config.as_ref().and_then(|c| trigger.function(c)).is_none() {
            return Ok(None);
        }
        let request = json!({
            "type": kind,
            "code": self.seal_code(pool, trigger, code)?,
            "clientMetadata": client_metadata(why.client_metadata),
            "userAttributes": user_attributes(user),
        });
        let source = why.source.replacen("CustomMessage", trigger.name(), 1);
        let call = Call { trigger, source: &source, user_name: &user.username, client_id: None, request };
        self.run_trigger(pool, call)?;
        Ok(Some(trigger.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_are_named_as_cognito_names_them() {
        for t in Trigger::ALL {
            assert_eq!(Trigger::from_name(t.name()), Some(t));
        }
    }

    #[test]
    fn pre_token_generation_config_wins_over_the_plain_arn() {
        let mut config = w::LambdaConfigType { pre_token_generation: Some("arn:old".into()), ..Default::default() };
        assert_eq!(Trigger::PreTokenGeneration.function(&config), Some(("arn:old", Version::V10)));
        config.pre_token_generation_config =
            Some(w::PreTokenGenerationVersionConfigType { lambda_version: Version::V20, lambda_arn: "arn:new".into() });
        assert_eq!(Trigger::PreTokenGeneration.function(&config), Some(("arn:new", Version::V20)));
        assert_eq!(Trigger::PreSignUp.function(&config), None);
    }

    #[test]
    fn secrets_never_reach_the_inspector() {
        let event = json!({"request": {"password": "hunter2", "userAttributes": {"email": "a@b"}}});
        let shown = redact(&event).to_string();
        assert!(!shown.contains("hunter2") && shown.contains("a@b"), "{shown}");
    }
}
