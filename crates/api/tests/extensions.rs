//! PoolDesk's own operations (`PoolDesk.*`) as the desktop app calls them: the role simulator
//! on rules not yet saved, the outbox searched by address, the audit log's filters, and CSV
//! import. Through the API layer every door calls, over a temporary SQLite file.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::{Value, json};

const AUTHENTICATED: &str = "arn:aws:iam::123456789012:role/authenticated";
const ALICE_ROLE: &str = "arn:aws:iam::123456789012:role/alice";
const EXAMPLE_ROLE: &str = "arn:aws:iam::123456789012:role/example";

/// An identity pool that trusts `pool_id`, with only an authenticated role saved.
fn identity_pool(desk: &Desk, pool_id: &str) -> (String, String) {
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{pool_id}");
    let client_id = desk.client(pool_id, json!({}));
    let pool = desk.ok(
        "AWSCognitoIdentityService.CreateIdentityPool",
        json!({
            "IdentityPoolName": "shop_ids",
            "AllowUnauthenticatedIdentities": false,
            "CognitoIdentityProviders": [{ "ProviderName": provider, "ClientId": client_id }],
        }),
    );
    let id = pool["IdentityPoolId"].as_str().expect("identity pool id").to_owned();
    desk.ok("AWSCognitoIdentityService.SetIdentityPoolRoles", json!({ "IdentityPoolId": id, "Roles": { "authenticated": AUTHENTICATED } }));
    (id, provider)
}

fn rules(provider: &str, rules: Value) -> Value {
    json!({ provider: { "Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole", "RulesConfiguration": { "Rules": rules } } })
}

fn rule(claim: &str, match_type: &str, value: &str, role: &str) -> Value {
    json!({ "Claim": claim, "MatchType": match_type, "Value": value, "RoleARN": role })
}

#[test]
fn the_simulator_evaluates_the_rules_on_screen_and_shows_how_each_fared() {
    let desk = Desk::new();
    let pool_id = desk.pool(json!({}));
    let (identity_pool_id, provider) = identity_pool(&desk, &pool_id);
    let draft = rules(
        &provider,
        json!([
            rule("email", "StartsWith", "bob", ALICE_ROLE),
            rule("email", "Contains", "@example.com", EXAMPLE_ROLE),
            rule("department", "Equals", "sales", ALICE_ROLE),
        ]),
    );
    let claims = json!({ "email": "alice@example.com", "sub": "s-1" });

    let answer = desk.ok(
        "PoolDesk.SimulateRoleMapping",
        json!({ "IdentityPoolId": identity_pool_id, "Provider": provider, "Claims": claims, "RoleMappings": draft }),
    );
    assert_eq!(answer["RoleArn"], json!(EXAMPLE_ROLE), "{answer}");
    assert_eq!(answer["Reason"], json!("RuleMatched"));
    assert_eq!(answer["RuleIndex"], json!(1));
    assert_eq!(answer["Claims"], claims, "the claims evaluated come back for the screen");
    let outcomes: Vec<(&str, Option<&str>)> = answer["Rules"]
        .as_array()
        .expect("every rule's outcome")
        .iter()
        .map(|r| (r["Outcome"].as_str().unwrap(), r["ClaimValue"].as_str()))
        .collect();
    assert_eq!(outcomes, [("NotMatched", Some("alice@example.com")), ("Matched", Some("alice@example.com")), ("NotReached", None)]);
    assert_eq!(answer["Rules"][0]["RoleARN"], json!(ALICE_ROLE));
    assert_eq!(answer["Rules"][0]["MatchType"], json!("StartsWith"));

    // Unsaved roles count too; nothing was saved by simulating.
    let guest = desk.ok(
        "PoolDesk.SimulateRoleMapping",
        json!({ "IdentityPoolId": identity_pool_id, "Roles": { "authenticated": AUTHENTICATED, "unauthenticated": ALICE_ROLE } }),
    );
    assert_eq!((guest["RoleArn"].clone(), guest["Reason"].clone()), (json!(ALICE_ROLE), json!("GuestRole")));
    assert!(guest.get("Claims").is_none() && guest.get("Rules").is_none(), "a guest has no claims and meets no rule: {guest}");
    let saved = desk.ok("AWSCognitoIdentityService.GetIdentityPoolRoles", json!({ "IdentityPoolId": identity_pool_id }));
    assert!(saved.get("RoleMappings").is_none_or(Value::is_null), "{saved}");
    assert_eq!(saved["Roles"], json!({ "authenticated": AUTHENTICATED }));
    let without_draft =
        desk.ok("PoolDesk.SimulateRoleMapping", json!({ "IdentityPoolId": identity_pool_id, "Provider": provider, "Claims": claims }));
    assert_eq!(without_draft["Reason"], json!("DefaultRole"), "{without_draft}");
}

#[test]
fn a_draft_that_saving_would_refuse_is_refused_with_the_same_error() {
    let desk = Desk::new();
    let pool_id = desk.pool(json!({}));
    let (identity_pool_id, provider) = identity_pool(&desk, &pool_id);
    let draft = rules(&provider, json!([rule("email", "Equals", "a@example.com", "arn:aws:iam::1234:role/short")]));
    let simulated = fails_with(
        desk.call(
            "PoolDesk.SimulateRoleMapping",
            json!({ "IdentityPoolId": identity_pool_id, "Provider": provider, "Claims": {}, "RoleMappings": draft }),
        ),
        "InvalidParameterException",
    );
    let saved = fails_with(
        desk.call(
            "AWSCognitoIdentityService.SetIdentityPoolRoles",
            json!({ "IdentityPoolId": identity_pool_id, "Roles": { "authenticated": AUTHENTICATED }, "RoleMappings": draft }),
        ),
        "InvalidParameterException",
    );
    assert_eq!(simulated, saved);
    assert!(simulated.contains("Rule 1"), "{simulated}");
}

#[test]
fn the_outbox_is_searched_by_the_address_a_message_went_to() {
    let desk = Desk::new();
    let pool_id = desk.pool(json!({ "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"] }));
    for email in ["alice@example.com", "bob@example.org"] {
        desk.ok(
            "AdminCreateUser",
            json!({ "UserPoolId": pool_id, "Username": email, "UserAttributes": [{ "Name": "email", "Value": email }] }),
        );
    }
    let search = |text: &str| -> Vec<String> {
        let answer = desk.ok("PoolDesk.ListMessages", json!({ "UserPoolId": pool_id, "Search": text }));
        answer["Messages"].as_array().unwrap().iter().map(|m| m["Destination"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(search("ALICE@Example"), ["alice@example.com"], "the address, ignoring case");
    assert_eq!(search("example."), ["bob@example.org", "alice@example.com"], "newest first");
    assert!(search("carol").is_empty());
    // In such pools the username is an opaque id, which the search finds too.
    let username = desk.ok("AdminGetUser", json!({ "UserPoolId": pool_id, "Username": "alice@example.com" }))["Username"].clone();
    assert_eq!(search(username.as_str().unwrap()), ["alice@example.com"]);
}

#[test]
fn the_audit_log_filters_by_operation_outcome_pool_and_time() {
    let desk = Desk::new();
    let shop = desk.pool(json!({}));
    let other = desk.pool(json!({}));
    desk.advance(60);
    let later_ms = T0_MS + 60_000;
    desk.user(&shop, "alice", &[]);
    desk.ok("AdminDisableUser", json!({ "UserPoolId": shop, "Username": "alice" }));
    fails_with(desk.call("AdminDisableUser", json!({ "UserPoolId": other, "Username": "nobody" })), "UserNotFoundException");

    let list = |filters: Value| -> Vec<(String, String)> {
        let answer = desk.ok("PoolDesk.ListAuditEvents", filters);
        let events = answer["Events"].as_array().unwrap();
        events
            .iter()
            .map(|e| (e["Operation"].as_str().unwrap().rsplit('.').next().unwrap().to_owned(), e["Outcome"].as_str().unwrap().to_owned()))
            .collect()
    };
    let pair = |op: &str, outcome: &str| (op.to_owned(), outcome.to_owned());
    assert_eq!(
        list(json!({ "Operation": "AdminDisableUser" })),
        [pair("AdminDisableUser", "UserNotFoundException"), pair("AdminDisableUser", "OK")]
    );
    assert_eq!(list(json!({ "Outcome": "Failed" })), [pair("AdminDisableUser", "UserNotFoundException")]);
    assert_eq!(
        list(json!({ "PoolId": shop, "Outcome": "OK", "StartTime": later_ms })),
        [pair("AdminDisableUser", "OK"), pair("AdminSetUserPassword", "OK"), pair("AdminCreateUser", "OK")]
    );
    assert_eq!(list(json!({ "PoolId": other })).len(), 2, "its creation and the failed call: {:?}", list(json!({ "PoolId": other })));
    assert_eq!(list(json!({ "EndTime": later_ms })), [pair("CreateUserPool", "OK"), pair("CreateUserPool", "OK")]);
    let bad = fails_with(desk.call("PoolDesk.ListAuditEvents", json!({ "Outcome": "Maybe" })), "InvalidParameterException");
    assert!(bad.contains("`OK` or `Failed`"), "{bad}");
}

#[test]
fn a_csv_import_loads_the_good_rows_and_reports_every_bad_one_by_line() {
    let desk = Desk::new();
    let pool_id = desk.pool(json!({}));
    let csv = "cognito:username,email,email_verified\n\
               alice,alice@example.com,true\n\
               ,nobody@example.com,false\n\
               bob,bob@example.com,false\n\
               alice,again@example.com,false\n\
               carol,\"unterminated\n";
    let report = desk.ok("PoolDesk.ImportUsers", json!({ "UserPoolId": pool_id, "Csv": csv }));
    assert_eq!(report["Imported"], json!(2), "{report}");
    let lines: Vec<u64> = report["Failed"].as_array().unwrap().iter().map(|f| f["Line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 5, 6], "{report}");
    assert!(report["Failed"][0]["Message"].as_str().unwrap().contains("cognito:username"), "{report}");
    let bob = desk.ok("AdminGetUser", json!({ "UserPoolId": pool_id, "Username": "bob" }));
    assert_eq!(bob["UserStatus"], json!("RESET_REQUIRED"), "imported users set a password first, as after Cognito's import jobs");

    let message = fails_with(
        desk.call("PoolDesk.ImportUsers", json!({ "UserPoolId": pool_id, "Csv": "email\nx@example.com\n" })),
        "InvalidParameterException",
    );
    assert!(message.contains("cognito:username"), "{message}");
    fails_with(desk.call("PoolDesk.ImportUsers", json!({ "UserPoolId": "us-east-1_nope", "Csv": csv })), "ResourceNotFoundException");
}
