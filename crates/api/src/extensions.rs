//! PoolDesk's own operations, beyond Cognito's: `PoolDesk.<Name>` targets, SigV4-signed like
//! any admin call, so the same clients reach them. Their requests and responses are typed here,
//! and their TypeScript (`ui/src/generated/`) is generated from these types by ts-rs when the
//! crate's tests run, as the UI's Cognito types are from the AWS models.
//!
//! Every list pages the same way ([`Page`]): `MaxResults` from 1 to 1000 (100 when absent),
//! newest first, and a `NextToken` to pass back for the next, older page, absent on the last.

use std::collections::BTreeMap;

use pooldesk_core::Error;
use pooldesk_core::identity_pools::role_mapping::{self, Reason, RoleError};
use pooldesk_core::identity_pools::{Simulation, SimulationRequest};
use pooldesk_core::store::{self, AuditEvent as AuditRow, AuditQuery, MessageQuery};
use pooldesk_core::user_pools::Trigger;
use pooldesk_wire::cognito_identity::RoleMapping;
use pooldesk_wire::{Validate, Violations};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Api;

/// The `X-Amz-Target` prefix of PoolDesk's own operations.
pub const TARGET_PREFIX: &str = "PoolDesk";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extension {
    ListMessages,
    SimulateRoleMapping,
    ListAuditEvents,
    ImportUsers,
    ExportUsers,
    GetLoginUrl,
    DiscoverOpenIdProvider,
    ListTriggerInvocations,
    TestTrigger,
}

impl Extension {
    pub const ALL: [Extension; 9] = [
        Extension::ListMessages,
        Extension::SimulateRoleMapping,
        Extension::ListAuditEvents,
        Extension::ImportUsers,
        Extension::ExportUsers,
        Extension::GetLoginUrl,
        Extension::DiscoverOpenIdProvider,
        Extension::ListTriggerInvocations,
        Extension::TestTrigger,
    ];

    pub fn from_name(name: &str) -> Option<Extension> {
        Extension::ALL.into_iter().find(|e| e.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Extension::ListMessages => "ListMessages",
            Extension::SimulateRoleMapping => "SimulateRoleMapping",
            Extension::ListAuditEvents => "ListAuditEvents",
            Extension::ImportUsers => "ImportUsers",
            Extension::ExportUsers => "ExportUsers",
            Extension::GetLoginUrl => "GetLoginUrl",
            Extension::DiscoverOpenIdProvider => "DiscoverOpenIdProvider",
            Extension::ListTriggerInvocations => "ListTriggerInvocations",
            Extension::TestTrigger => "TestTrigger",
        }
    }

    pub(crate) fn call(self, api: &Api, body: &[u8]) -> Result<Vec<u8>, Error> {
        match self {
            Extension::ListMessages => respond(list_messages(api, decode(body)?)),
            Extension::SimulateRoleMapping => respond(simulate_role_mapping(api, decode(body)?)),
            Extension::ListAuditEvents => respond(list_audit_events(api, decode(body)?)),
            Extension::ImportUsers => respond(import_users(api, decode(body)?)),
            Extension::ExportUsers => respond(export_users(api, decode(body)?)),
            Extension::GetLoginUrl => respond(get_login_url(api, decode(body)?)),
            Extension::DiscoverOpenIdProvider => respond(discover_open_id_provider(api, decode(body)?)),
            Extension::ListTriggerInvocations => respond(list_trigger_invocations(api, decode(body)?)),
            Extension::TestTrigger => respond(test_trigger(api, decode(body)?)),
        }
    }
}

/// A request body, decoded as Cognito's are (an empty body is `{}`; not JSON, or a member of
/// the wrong type, is `SerializationException`).
fn decode<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, Error> {
    pooldesk_wire::decode(body)
}

// The requests have no length or range rules beyond their types and [`Page`]'s.
impl Validate for ListMessagesRequest {
    fn validate(&self, _: &str, _: &mut Violations) {}
}
impl Validate for ListAuditEventsRequest {
    fn validate(&self, _: &str, _: &mut Violations) {}
}
impl Validate for SimulateRoleMappingRequest {
    fn validate(&self, _: &str, _: &mut Violations) {}
}
impl Validate for ImportUsersRequest {
    fn validate(&self, _: &str, _: &mut Violations) {}
}
impl Validate for ExportUsersRequest {
    fn validate(&self, _: &str, _: &mut Violations) {}
}
impl Validate for GetLoginUrlRequest {
    fn validate(&self, _: &str, _: &mut Violations) {}
}
impl Validate for DiscoverOpenIdProviderRequest {
    fn validate(&self, _: &str, _: &mut Violations) {}
}
impl Validate for ListTriggerInvocationsRequest {
    fn validate(&self, _: &str, _: &mut Violations) {}
}
impl Validate for TestTriggerRequest {
    fn validate(&self, _: &str, _: &mut Violations) {}
}

fn respond<T: Serialize>(answer: Result<T, Error>) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(&answer?).map_err(Error::internal)
}

/// One page of a list: how many items, and where the previous page ended.
struct Page {
    limit: usize,
    /// The id of the last item of the previous page.
    before: Option<i64>,
}

impl Page {
    const DEFAULT: u32 = 100;
    const MAX: u32 = 1000;

    fn new(max_results: Option<u32>, next_token: Option<&str>) -> Result<Page, Error> {
        let limit = max_results.unwrap_or(Page::DEFAULT);
        if !(1..=Page::MAX).contains(&limit) {
            return Err(Error::InvalidParameter(format!("MaxResults must be between 1 and {}.", Page::MAX)));
        }
        let before = next_token.map(|t| t.parse::<i64>().map_err(|_| Error::InvalidParameter("Invalid NextToken.".into()))).transpose()?;
        Ok(Page { limit: limit as usize, before })
    }

    /// The token for the page after `items` (whose last item has id `last_id`): none when the
    /// page was not full, so there is nothing older.
    fn next_token<T>(&self, items: &[T], last_id: impl Fn(&T) -> i64) -> Option<String> {
        (items.len() == self.limit).then(|| items.last().map(|i| last_id(i).to_string())).flatten()
    }
}

/// `PoolDesk.ListMessages`: the outbox of codes and invitations, newest first.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ListMessagesRequest {
    #[ts(optional)]
    pub user_pool_id: Option<String>,
    #[ts(optional)]
    pub username: Option<String>,
    /// Messages whose username or destination (e-mail address, phone number) contains this,
    /// ignoring case: how a person finds a user's mail in pools that sign in by e-mail.
    #[ts(optional)]
    pub search: Option<String>,
    /// 1 to 1000; 100 when absent.
    #[ts(optional)]
    pub max_results: Option<u32>,
    #[ts(optional)]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ListMessagesResponse {
    /// Newest first.
    pub messages: Vec<Message>,
    /// For the next (older) page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub next_token: Option<String>,
}

/// A message PoolDesk sent (or only recorded, without a mail server or SMS gateway).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct Message {
    pub message_id: String,
    pub user_pool_id: String,
    pub username: String,
    pub delivery_medium: DeliveryMedium,
    pub destination: String,
    pub subject: String,
    pub body: String,
    /// The code it carried, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub code: Option<String>,
    /// Epoch seconds.
    pub created_date: f64,
    /// `RECORDED` (outbox only), `SENT`, or `FAILED: reason`.
    pub delivery: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "UPPERCASE")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub enum DeliveryMedium {
    Email,
    Sms,
}

impl From<store::Message> for Message {
    fn from(m: store::Message) -> Self {
        Message {
            message_id: m.id.to_string(),
            user_pool_id: m.pool_id,
            username: m.username,
            delivery_medium: if m.medium == "SMS" { DeliveryMedium::Sms } else { DeliveryMedium::Email },
            destination: m.destination,
            subject: m.subject,
            body: m.body,
            code: m.code,
            created_date: pooldesk_core::clock::to_wire(m.created_ms),
            delivery: m.delivery,
        }
    }
}

fn list_messages(api: &Api, req: ListMessagesRequest) -> Result<ListMessagesResponse, Error> {
    let page = Page::new(req.max_results, req.next_token.as_deref())?;
    let rows = api.pools.list_messages(&MessageQuery {
        pool_id: req.user_pool_id.as_deref(),
        username: req.username.as_deref(),
        search: req.search.as_deref().filter(|s| !s.is_empty()),
        before: page.before,
        limit: page.limit,
    })?;
    let next_token = page.next_token(&rows, |m| m.id);
    Ok(ListMessagesResponse { messages: rows.into_iter().map(Message::from).collect(), next_token })
}

/// `PoolDesk.ListAuditEvents`: the audit log, newest first.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ListAuditEventsRequest {
    /// Only this actor's events: an access key id, or `desktop` / `cli`.
    #[ts(optional)]
    pub actor: Option<String>,
    /// Only this operation's events: its short name (`AdminDeleteUser`) or full target.
    #[ts(optional)]
    pub operation: Option<String>,
    #[ts(optional)]
    pub outcome: Option<AuditOutcome>,
    /// Only events about this user pool or identity pool.
    #[ts(optional)]
    pub pool_id: Option<String>,
    /// Epoch milliseconds, inclusive.
    #[ts(optional, type = "number")]
    pub start_time: Option<i64>,
    /// Epoch milliseconds, exclusive.
    #[ts(optional, type = "number")]
    pub end_time: Option<i64>,
    /// 1 to 1000; 100 when absent.
    #[ts(optional)]
    pub max_results: Option<u32>,
    #[ts(optional)]
    pub next_token: Option<String>,
}

/// `OK` events, or those that failed (any error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub enum AuditOutcome {
    #[serde(rename = "OK")]
    Ok,
    Failed,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ListAuditEventsResponse {
    /// Newest first.
    pub events: Vec<AuditEvent>,
    /// For the next (older) page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub next_token: Option<String>,
}

/// One administrative call the server recorded.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct AuditEvent {
    #[ts(type = "number")]
    pub id: i64,
    /// Epoch milliseconds.
    #[ts(type = "number")]
    pub time: i64,
    /// The caller's access key id, or `desktop` / `cli` for local callers.
    pub actor: String,
    /// The client's IP address, or `local`.
    pub source: String,
    /// The full `X-Amz-Target`, e.g. `AWSCognitoIdentityProviderService.AdminDeleteUser`.
    pub operation: String,
    /// What it acted on, e.g. `UserPoolId=us-east-1_abc, Username=alice`; never a secret.
    pub resource: String,
    /// `OK`, or the error's name (e.g. `UsernameExistsException`).
    pub outcome: String,
}

impl From<AuditRow> for AuditEvent {
    fn from(e: AuditRow) -> Self {
        AuditEvent {
            id: e.id,
            time: e.at_ms,
            actor: e.actor,
            source: e.source,
            operation: e.operation,
            resource: e.resource,
            outcome: e.outcome,
        }
    }
}

fn list_audit_events(api: &Api, req: ListAuditEventsRequest) -> Result<ListAuditEventsResponse, Error> {
    let page = Page::new(req.max_results, req.next_token.as_deref())?;
    let rows = api.store.list_audit(&AuditQuery {
        actor: req.actor.as_deref(),
        operation: req.operation.as_deref(),
        succeeded: req.outcome.map(|o| o == AuditOutcome::Ok),
        pool_id: req.pool_id.as_deref(),
        start_ms: req.start_time,
        end_ms: req.end_time,
        before: page.before,
        limit: page.limit,
    })?;
    let next_token = page.next_token(&rows, |e| e.id);
    Ok(ListAuditEventsResponse { events: rows.into_iter().map(AuditEvent::from).collect(), next_token })
}

/// `PoolDesk.ImportUsers`: Cognito's user-import CSV loaded into a pool at once, by the same
/// importer as `pooldesk import-users`. As after Cognito's import jobs, the users have no
/// password and start in RESET_REQUIRED.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ImportUsersRequest {
    pub user_pool_id: String,
    /// The file's text: a header as GetCSVHeader returns it (at least `cognito:username`),
    /// then one user per record.
    pub csv: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ImportUsersResponse {
    #[ts(type = "number")]
    pub imported: u64,
    /// Every refused record, in line order; the others were imported.
    pub failed: Vec<ImportFailure>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ImportFailure {
    /// The file's line (the header is line 1).
    #[ts(type = "number")]
    pub line: u64,
    pub message: String,
}

fn import_users(api: &Api, req: ImportUsersRequest) -> Result<ImportUsersResponse, Error> {
    let report = api.pools.import_csv(&req.user_pool_id, req.csv.as_bytes(), |_| {})?;
    Ok(ImportUsersResponse {
        imported: report.imported,
        failed: report.failed.into_iter().map(|(line, message)| ImportFailure { line, message }).collect(),
    })
}

/// `PoolDesk.ExportUsers`: a page of a pool's users, in username order (unlike the other
/// lists, which go newest first), with attributes, status and groups, and the CSV header an
/// export file has (GetCSVHeader's), so that it loads again as Cognito's user-import CSV.
/// Passwords are not exported.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ExportUsersRequest {
    pub user_pool_id: String,
    /// 1 to 1000 (1000 when absent).
    #[ts(optional)]
    pub max_results: Option<u32>,
    #[ts(optional)]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ExportUsersResponse {
    pub csv_header: Vec<String>,
    pub users: Vec<ExportedUser>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ExportedUser {
    pub username: String,
    pub sub: String,
    pub user_status: String,
    pub enabled: bool,
    /// Seconds since the epoch, as Cognito's dates.
    #[ts(type = "number")]
    pub user_create_date: f64,
    #[ts(type = "number")]
    pub user_last_modified_date: f64,
    pub attributes: BTreeMap<String, String>,
    pub mfa_enabled: bool,
    pub groups: Vec<String>,
}

fn export_users(api: &Api, req: ExportUsersRequest) -> Result<ExportUsersResponse, Error> {
    let limit = req.max_results.map_or(pooldesk_core::user_pools::MAX_EXPORT_PAGE, |n| n as usize);
    let csv_header = api.pools.csv_header(&req.user_pool_id)?;
    let (users, next_token) = api.pools.export_users(&req.user_pool_id, req.next_token.as_deref(), limit)?;
    let users = users
        .into_iter()
        .map(|u| ExportedUser {
            username: u.username,
            sub: u.sub,
            user_status: u.status,
            enabled: u.enabled,
            user_create_date: u.created_ms as f64 / 1000.0,
            user_last_modified_date: u.modified_ms as f64 / 1000.0,
            attributes: u.attributes,
            mfa_enabled: u.mfa_enabled,
            groups: u.groups,
        })
        .collect();
    Ok(ExportUsersResponse { csv_header, users, next_token })
}

/// `PoolDesk.SimulateRoleMapping`: the role an identity pool would give an ID token (verified
/// as GetCredentialsForIdentity would), or claims given by hand, or a guest when neither is
/// given; why; and the principal tags.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct SimulateRoleMappingRequest {
    pub identity_pool_id: String,
    #[ts(optional)]
    pub id_token: Option<String>,
    /// `cognito-idp.<region>.amazonaws.com/<UserPoolId>` for a local user pool; required with
    /// `Claims`, and found from the token's issuer when absent with `IdToken`.
    #[ts(optional)]
    pub provider: Option<String>,
    #[ts(optional, type = "Record<string, unknown>")]
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
    #[ts(optional)]
    pub custom_role_arn: Option<String>,
    /// The roles on the editor's screen (`authenticated`, `unauthenticated`), evaluated instead
    /// of the saved ones, saved or not.
    #[ts(optional)]
    pub roles: Option<BTreeMap<String, String>>,
    /// The role mappings on the editor's screen, in SetIdentityPoolRoles' shape, evaluated
    /// instead of the saved ones. A draft SetIdentityPoolRoles would refuse is refused the same way.
    #[ts(optional, type = "Record<string, import(\"./cognito-identity\").RoleMapping>")]
    pub role_mappings: Option<BTreeMap<String, RoleMapping>>,
}

/// A role and why, or why none.
#[derive(Debug, Serialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub enum SimulateRoleMappingResponse {
    Match(SimulationMatch),
    NoRole(SimulationNoRole),
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct SimulationMatch {
    pub role_arn: String,
    pub reason: SimulationReason,
    /// One sentence for people.
    pub description: String,
    pub principal_tags: BTreeMap<String, String>,
    /// 0-based index into the provider's rules, when a rule decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rule_index: Option<u32>,
    #[serde(flatten)]
    pub trace: SimulationTrace,
}

/// What both answers show of how they were reached.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct SimulationTrace {
    /// Every rule's outcome in order, when the login's provider is mapped by rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rules: Option<Vec<RuleOutcome>>,
    /// The claims that were evaluated (a token's verified, decoded claims, or those given);
    /// absent for a guest.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "Record<string, unknown>")]
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One rule of a `Rules` mapping and how it fared.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct RuleOutcome {
    /// 0-based.
    pub index: u32,
    pub outcome: RuleVerdict,
    pub claim: String,
    pub match_type: String,
    pub value: String,
    #[serde(rename = "RoleARN")]
    pub role_arn: String,
    /// The claim's value as compared (a string as is, anything else as JSON); absent when the
    /// token lacks the claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub claim_value: Option<String>,
}

/// The first `Matched` rule decides; the rules after it are `NotReached`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub enum RuleVerdict {
    Matched,
    NotMatched,
    NotReached,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub enum SimulationReason {
    GuestRole,
    DefaultRole,
    RuleMatched,
    PreferredRole,
    OnlyRoleInToken,
    CustomRoleFromToken,
    AmbiguousFellBackToAuthenticatedRole,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct SimulationNoRole {
    /// Always null: no role.
    pub role_arn: (),
    pub error: SimulationError,
    pub principal_tags: BTreeMap<String, String>,
    #[serde(flatten)]
    pub trace: SimulationTrace,
}

/// What GetCredentialsForIdentity would answer instead of credentials.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct SimulationError {
    /// Cognito's error name, e.g. `NotAuthorizedException`.
    pub code: String,
    pub message: String,
    /// The longer story for people.
    pub explanation: String,
}

fn simulate_role_mapping(api: &Api, req: SimulateRoleMappingRequest) -> Result<SimulateRoleMappingResponse, Error> {
    let request = SimulationRequest {
        identity_pool_id: req.identity_pool_id,
        id_token: req.id_token,
        provider: req.provider,
        claims: req.claims,
        custom_role_arn: req.custom_role_arn,
        roles: req.roles,
        role_mappings: req.role_mappings,
    };
    let Simulation { decision, principal_tags, rules, claims } = api.identity.simulate_role_mapping(&request)?;
    let trace = SimulationTrace { rules: rules.map(|rules| rules.into_iter().map(RuleOutcome::from).collect()), claims };
    Ok(match decision {
        Ok(d) => SimulateRoleMappingResponse::Match(SimulationMatch {
            description: d.reason.describe(),
            reason: SimulationReason::of(&d.reason),
            rule_index: match d.reason {
                Reason::RuleMatched { index, .. } => u32::try_from(index).ok(),
                _ => None,
            },
            role_arn: d.role_arn,
            principal_tags,
            trace,
        }),
        Err(e) => {
            SimulateRoleMappingResponse::NoRole(SimulationNoRole { role_arn: (), error: SimulationError::from(e), principal_tags, trace })
        }
    })
}

impl From<role_mapping::RuleOutcome> for RuleOutcome {
    fn from(o: role_mapping::RuleOutcome) -> Self {
        RuleOutcome {
            index: u32::try_from(o.index).unwrap_or(u32::MAX),
            outcome: match o.verdict {
                role_mapping::RuleVerdict::Matched => RuleVerdict::Matched,
                role_mapping::RuleVerdict::NotMatched => RuleVerdict::NotMatched,
                role_mapping::RuleVerdict::NotReached => RuleVerdict::NotReached,
            },
            claim: o.rule.claim,
            match_type: o.rule.match_type.as_str().to_owned(),
            value: o.rule.value,
            role_arn: o.rule.role_arn,
            claim_value: o.claim_value,
        }
    }
}

impl SimulationReason {
    fn of(reason: &Reason) -> SimulationReason {
        match reason {
            Reason::GuestRole => SimulationReason::GuestRole,
            Reason::DefaultRole => SimulationReason::DefaultRole,
            Reason::RuleMatched { .. } => SimulationReason::RuleMatched,
            Reason::PreferredRole => SimulationReason::PreferredRole,
            Reason::OnlyRoleInToken => SimulationReason::OnlyRoleInToken,
            Reason::CustomRoleFromToken => SimulationReason::CustomRoleFromToken,
            Reason::AmbiguousFellBackToAuthenticatedRole { .. } => SimulationReason::AmbiguousFellBackToAuthenticatedRole,
        }
    }
}

impl From<RoleError> for SimulationError {
    fn from(e: RoleError) -> Self {
        let (message, explanation) = (e.message(), e.explain());
        SimulationError { code: Error::from(e).wire_code().to_owned(), message, explanation }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_extension_is_found_by_its_name() {
        for ext in Extension::ALL {
            assert_eq!(Extension::from_name(ext.name()), Some(ext));
        }
        assert_eq!(Extension::from_name("ListUsers"), None);
    }

    #[test]
    fn pages_hold_1_to_1000_items_and_continue_from_a_numeric_token() {
        assert_eq!(Page::new(None, None).map(|p| (p.limit, p.before)).ok(), Some((100, None)));
        assert_eq!(Page::new(Some(1000), Some("41")).map(|p| (p.limit, p.before)).ok(), Some((1000, Some(41))));
        for bad in [Page::new(Some(0), None), Page::new(Some(1001), None), Page::new(None, Some("x"))] {
            assert!(matches!(bad, Err(Error::InvalidParameter(_))));
        }
        let page = Page::new(Some(2), None).map_err(|e| e.to_string());
        let page = page.as_ref().map(|p| (p.next_token(&[5, 4], |i| *i), p.next_token(&[5], |i| *i)));
        assert_eq!(page, Ok((Some("4".to_owned()), None)));
    }

    #[test]
    fn bodies_that_are_not_json_are_serialization_errors() {
        assert!(matches!(decode::<ListMessagesRequest>(b"{"), Err(Error::Serialization(_))));
        assert!(matches!(decode::<ListMessagesRequest>(b"{\"Nope\": 1}"), Err(Error::InvalidParameter(_))));
        assert!(decode::<ListMessagesRequest>(b"  ").is_ok());
    }
}

/// `PoolDesk.GetLoginUrl`: the URL that opens the login pages for an app client (the pool's
/// domain's `/oauth2/authorize` with the client's flow, scopes and a callback URL).
#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct GetLoginUrlRequest {
    pub user_pool_id: String,
    pub client_id: String,
    /// One of the client's callback URLs; its default (or first) one when absent.
    #[ts(optional)]
    pub redirect_uri: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct GetLoginUrlResponse {
    pub url: String,
}

fn get_login_url(api: &Api, req: GetLoginUrlRequest) -> Result<GetLoginUrlResponse, Error> {
    Ok(GetLoginUrlResponse { url: api.pools.login_url(&req.user_pool_id, &req.client_id, req.redirect_uri.as_deref())? })
}

/// `PoolDesk.DiscoverOpenIdProvider`: what an OpenID provider's discovery document names, as
/// CreateIdentityProvider would fill it in: the desktop app's "test discovery" before saving.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct DiscoverOpenIdProviderRequest {
    /// The provider's issuer URL (`oidc_issuer`).
    pub issuer: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct DiscoverOpenIdProviderResponse {
    /// `oidc_issuer`, `authorize_url`, `token_url`, `attributes_url` and `jwks_uri`, keyed as in
    /// `ProviderDetails`.
    pub provider_details: std::collections::BTreeMap<String, String>,
}

fn discover_open_id_provider(api: &Api, req: DiscoverOpenIdProviderRequest) -> Result<DiscoverOpenIdProviderResponse, Error> {
    Ok(DiscoverOpenIdProviderResponse { provider_details: api.pools.discover_oidc_provider(&req.issuer)? })
}

/// `PoolDesk.ListTriggerInvocations`: the inspector of a pool's Lambda triggers, newest first:
/// each call's event (secrets redacted) and the function's answer or the error it caused.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ListTriggerInvocationsRequest {
    pub user_pool_id: String,
    /// Only this trigger's calls: `PreSignUp`, `PreTokenGeneration`, ...
    #[ts(optional)]
    pub trigger: Option<String>,
    #[ts(optional)]
    pub outcome: Option<AuditOutcome>,
    /// 1 to 1000; 100 when absent.
    #[ts(optional)]
    pub max_results: Option<u32>,
    #[ts(optional)]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ListTriggerInvocationsResponse {
    /// Newest first.
    pub invocations: Vec<TriggerInvocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub next_token: Option<String>,
}

/// One call of a trigger.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct TriggerInvocation {
    #[ts(type = "number")]
    pub id: i64,
    pub trigger: String,
    /// The event's `triggerSource`.
    pub source: String,
    pub function: String,
    /// Epoch milliseconds.
    #[ts(type = "number")]
    pub time: i64,
    #[ts(type = "number")]
    pub duration_ms: i64,
    /// The event sent.
    #[ts(type = "unknown")]
    pub event: serde_json::Value,
    /// The function's `response`, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub response: Option<serde_json::Value>,
    /// The error the caller got (`UserLambdaValidationException: ...`), when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
}

fn trigger_named(name: &str) -> Result<Trigger, Error> {
    Trigger::from_name(name).ok_or_else(|| {
        Error::InvalidParameter(format!("Unknown trigger {name}: use LambdaConfig's names (PreSignUp, PreTokenGeneration, ...)."))
    })
}

fn list_trigger_invocations(api: &Api, req: ListTriggerInvocationsRequest) -> Result<ListTriggerInvocationsResponse, Error> {
    let page = Page::new(req.max_results, req.next_token.as_deref())?;
    if let Some(t) = req.trigger.as_deref() {
        trigger_named(t)?;
    }
    api.store
        .get_pool(&req.user_pool_id)?
        .ok_or_else(|| Error::ResourceNotFound(format!("User pool {} does not exist.", req.user_pool_id)))?;
    let rows = api.store.list_trigger_invocations(&store::TriggerQuery {
        pool_id: &req.user_pool_id,
        trigger: req.trigger.as_deref(),
        succeeded: req.outcome.map(|o| o == AuditOutcome::Ok),
        before: page.before,
        limit: page.limit,
    })?;
    let next_token = page.next_token(&rows, |t| t.id);
    Ok(ListTriggerInvocationsResponse { invocations: rows.into_iter().map(TriggerInvocation::from).collect(), next_token })
}

impl From<store::TriggerInvocation> for TriggerInvocation {
    fn from(t: store::TriggerInvocation) -> Self {
        let json = |text: &str| serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()));
        TriggerInvocation {
            id: t.id,
            trigger: t.trigger,
            source: t.source,
            function: t.function,
            time: t.started_ms,
            duration_ms: t.duration_ms,
            event: json(&t.event),
            response: t.response.as_deref().map(json),
            error: t.error,
        }
    }
}

/// `PoolDesk.TestTrigger`: sends a trigger's function a realistic sample event (a sign-up or
/// sign-in of `test-user`) and answers the invocation as the inspector records it: the
/// function's response, or the error a caller would have got.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct TestTriggerRequest {
    pub user_pool_id: String,
    /// `PreSignUp`, `PreTokenGeneration`, ...
    pub trigger: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct TestTriggerResponse {
    pub invocation: TriggerInvocation,
}

fn test_trigger(api: &Api, req: TestTriggerRequest) -> Result<TestTriggerResponse, Error> {
    let trigger = trigger_named(&req.trigger)?;
    api.pools.test_trigger(&req.user_pool_id, trigger)?;
    let newest = api.store.list_trigger_invocations(&store::TriggerQuery {
        pool_id: &req.user_pool_id,
        trigger: Some(trigger.name()),
        limit: 1,
        ..Default::default()
    })?;
    let invocation = newest.into_iter().next().ok_or_else(|| Error::internal(anyhow::anyhow!("the test invocation was not recorded")))?;
    Ok(TestTriggerResponse { invocation: invocation.into() })
}
