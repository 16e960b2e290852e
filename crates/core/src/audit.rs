//! The audit log: every admin action (who, what, when, from where, and how it ended).
//!
//! Actions that change something are recorded; reads (`Describe*`, `Get*`, `List*`,
//! `AdminGet*`, `AdminList*`, `Simulate*`) are not, so a dashboard polling a pool does not bury the
//! changes. Only ids are recorded, never a request's secrets.

use crate::clock::Clock;
use crate::store::{AuditEvent, Store};

/// The members whose values name what an action was about, in the order they are shown.
const RESOURCE_MEMBERS: [&str; 12] = [
    "UserPoolId",
    "IdentityPoolId",
    "ClientId",
    "Username",
    "GroupName",
    "IdentityId",
    "ProviderName",
    "PoolName",
    "ClientName",
    "IdentityPoolName",
    "SAMLProviderArn",
    "DatasetName",
];

/// Whether the operation named by `target` (`Service.Operation`) goes in the audit log.
pub fn is_audited(target: &str) -> bool {
    let operation = target.rsplit('.').next().unwrap_or(target);
    !["Describe", "Get", "List", "AdminGet", "AdminList", "Simulate"].iter().any(|read| operation.starts_with(read))
}

/// `UserPoolId=…, Username=…` from the request, with the ids a create returned.
pub fn resource(request: &[u8], response: Option<&[u8]>) -> String {
    let parse = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).ok().filter(serde_json::Value::is_object);
    let mut parts: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut add = |name: &str, value: Option<&serde_json::Value>| {
        if let Some(text) = value.and_then(serde_json::Value::as_str)
            && seen.insert(name.to_owned())
        {
            // Ids are short; a long value is cut so a hostile request cannot bloat the log.
            let text: String = text.chars().take(128).collect();
            parts.push(format!("{name}={text}"));
        }
    };
    if let Some(req) = parse(request) {
        for name in RESOURCE_MEMBERS {
            add(name, req.get(name));
        }
    }
    if let Some(resp) = response.and_then(parse) {
        add("UserPoolId", resp.pointer("/UserPool/Id"));
        add("ClientId", resp.pointer("/UserPoolClient/ClientId"));
        add("IdentityPoolId", resp.get("IdentityPoolId"));
        add("GroupName", resp.pointer("/Group/GroupName"));
        add("SAMLProviderArn", resp.get("SAMLProviderArn"));
    }
    parts.join(", ")
}

/// Records an admin action if it is one the log keeps. A failure to record is logged and
/// does not undo the action (it has happened).
pub fn record(store: &dyn Store, clock: &dyn Clock, actor: &str, source: &str, target: &str, request: &[u8], outcome: Result<&[u8], &str>) {
    if !is_audited(target) {
        return;
    }
    let event = AuditEvent {
        id: 0,
        at_ms: clock.now_millis(),
        actor: actor.to_owned(),
        source: source.to_owned(),
        operation: target.to_owned(),
        resource: resource(request, outcome.ok()),
        outcome: match outcome {
            Ok(_) => "OK".to_owned(),
            Err(code) => code.to_owned(),
        },
    };
    if let Err(e) = store.append_audit(&event) {
        tracing::error!("could not record {target} by {actor} in the audit log: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_audited_and_reads_are_not() {
        assert!(is_audited("AWSCognitoIdentityProviderService.AdminDeleteUser"));
        assert!(is_audited("AWSCognitoIdentityService.CreateIdentityPool"));
        assert!(is_audited("CreateUserPool"));
        for read in [
            "AWSCognitoIdentityProviderService.ListUsers",
            "AdminGetUser",
            "DescribeUserPool",
            "PoolDesk.ListMessages",
            "PoolDesk.SimulateRoleMapping",
        ] {
            assert!(!is_audited(read), "{read}");
        }
    }

    #[test]
    fn resources_name_ids_never_secrets() {
        let request = br#"{"UserPoolId":"us-east-1_a","Username":"alice","TemporaryPassword":"hunter2!","ClientSecret":"x"}"#;
        assert_eq!(resource(request, None), "UserPoolId=us-east-1_a, Username=alice");
        let created = br#"{"UserPool":{"Id":"us-east-1_new","Name":"shop"}}"#;
        assert_eq!(resource(br#"{"PoolName":"shop"}"#, Some(created)), "PoolName=shop, UserPoolId=us-east-1_new");
        assert_eq!(resource(b"not json", None), "");
        let long = format!(r#"{{"Username":"{}"}}"#, "x".repeat(1000));
        assert_eq!(resource(long.as_bytes(), None).len(), "Username=".len() + 128);
    }
}
