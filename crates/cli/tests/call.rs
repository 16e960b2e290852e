//! `pooldesk call` on a database file, as a script would run it: the answer as JSON on
//! standard output and exit 0, or a message naming what went wrong and exit 1.
//!
//! (Being an integration test, this also makes `cargo test` build the `pooldesk` binary,
//! which the end-to-end suite then drives.)

use std::path::Path;
use std::process::{Command, Output};

fn pooldesk(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pooldesk"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env_remove("RUST_BACKTRACE")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap_or_else(|e| unreachable!("cannot run pooldesk: {e}"))
}

fn answer(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "pooldesk failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| unreachable!("stdout is not JSON ({e}): {out:?}"))
}

fn failure(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "expected exit 1: {out:?}");
    assert!(out.stdout.is_empty(), "nothing on stdout when failing: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn operations_answer_as_json_under_either_spelling() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
    let db = dir.path().join("pools.sqlite");

    let created = answer(&pooldesk(&db, &["call", "create-user-pool", r#"{"PoolName": "shop"}"#]));
    let id = created["UserPool"]["Id"].as_str().unwrap_or_default().to_owned();
    assert!(id.starts_with("us-east-1_"), "{created}");

    let listed = answer(&pooldesk(&db, &["call", "ListUserPools", r#"{"MaxResults": 10}"#]));
    assert_eq!(listed["UserPools"][0]["Id"], id.as_str());
    assert_eq!(listed["UserPools"][0]["Name"], "shop");

    let pools = answer(&pooldesk(&db, &["call", "list-identity-pools", r#"{"MaxResults": 5}"#]));
    assert_eq!(pools["IdentityPools"], serde_json::json!([]));

    // Cognito Sync's operations too, as a developer.
    let input = r#"{"IdentityPoolName": "app", "AllowUnauthenticatedIdentities": true}"#;
    let identity_pool = answer(&pooldesk(&db, &["call", "create-identity-pool", input]))["IdentityPoolId"].clone();
    let input = serde_json::json!({"IdentityPoolId": identity_pool}).to_string();
    let usage = answer(&pooldesk(&db, &["call", "describe-identity-pool-usage", &input]));
    assert_eq!(usage["IdentityPoolUsage"]["IdentityPoolId"], identity_pool);
    assert_eq!(usage["IdentityPoolUsage"]["SyncSessionsCount"], 0);
}

#[test]
fn mistakes_are_named_and_exit_1() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
    let db = dir.path().join("pools.sqlite");

    let unknown = failure(&pooldesk(&db, &["call", "CreateUserPools"]));
    assert!(unknown.contains("CreateUserPools is not a Cognito operation"), "{unknown}");

    let not_json = failure(&pooldesk(&db, &["call", "CreateUserPool", "{PoolName: shop}"]));
    assert!(not_json.contains("the input is not JSON"), "{not_json}");

    let invalid = failure(&pooldesk(&db, &["call", "CreateUserPool", "{}"]));
    assert!(invalid.contains("InvalidParameterException"), "{invalid}");
    assert!(!invalid.contains("Stack backtrace"), "{invalid}");

    let missing = failure(&pooldesk(&db, &["call", "DescribeUserPool", r#"{"UserPoolId": "us-east-1_nothere"}"#]));
    assert!(missing.contains("ResourceNotFoundException"), "{missing}");
}
