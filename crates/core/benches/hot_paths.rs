//! The hot paths of sign-in and token handling, measured with criterion:
//! `cargo bench -p pooldesk-core --bench hot_paths`.
//!
//! Password verification is bounded by argon2id: at the floor parameters (m = 19 MiB, t = 2,
//! p = 1) one verify is the cost of one hash, so `password/verify` *is* that bound for the
//! configured parameters, and sign-in throughput cannot beat 1 / that time per core.

// A benchmark whose setup fails should stop loudly.
#![allow(clippy::expect_used)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use pooldesk_core::identity_pools::role_mapping::{RoleInput, resolve};
use pooldesk_core::password::{HashParams, Hasher};
use pooldesk_core::random::SystemRandom;
use pooldesk_core::{filter, srp, tokens};
use pooldesk_wire::cognito_identity::{
    AmbiguousRoleResolutionType, MappingRule, MappingRuleMatchType, RoleMapping, RoleMappingType, RulesConfigurationType,
};
use serde_json::{Map, Value, json};

fn passwords(c: &mut Criterion) {
    let hasher = Hasher::new(HashParams::FLOOR, Arc::new(SystemRandom)).expect("hasher");
    let stored = hasher.hash("Correct-Horse-1").expect("hash");
    let mut g = c.benchmark_group("password");
    g.sample_size(20);
    g.bench_function("verify (argon2id m=19MiB t=2 p=1)", |b| b.iter(|| black_box(hasher.verify("Correct-Horse-1", &stored))));
    g.finish();
}

fn srp_server(c: &mut Criterion) {
    let verifier = srp::make_verifier(&SystemRandom, "us-east-1_Bench", "alice", "Correct-Horse-1").expect("verifier");
    // Any valid A will do for the server's work: 2^256 mod N.
    let srp_a = format!("1{}", "0".repeat(64));
    let step = srp::server_step(&SystemRandom, &verifier, &srp_a).expect("server step");
    let mut g = c.benchmark_group("srp");
    g.bench_function("server_step (B = kv + g^b)", |b| {
        b.iter(|| black_box(srp::server_step(&SystemRandom, &verifier, &srp_a).expect("step")))
    });
    g.bench_function("expected_signature (S, K, HMAC)", |b| {
        b.iter(|| {
            black_box(
                srp::expected_signature("us-east-1_Bench", "alice", &verifier, &srp_a, &step.b, b"block", "Mon Nov 23 03:17:02 UTC 2026")
                    .expect("signature"),
            )
        })
    });
    g.finish();
}

fn token_sign_verify(c: &mut Criterion) {
    let mut claims = Map::new();
    for (k, v) in [
        ("sub", json!("3f2a6c1e-0000-4000-8000-000000000000")),
        ("iss", json!("http://127.0.0.1:9229/us-east-1_Bench")),
        ("client_id", json!("abcdefghijklmnopqrstuvwxyz")),
        ("origin_jti", json!("3f2a6c1e-0000-4000-8000-000000000001")),
        ("token_use", json!("access")),
        ("scope", json!("aws.cognito.signin.user.admin")),
        ("auth_time", json!(1_800_000_000)),
        ("iat", json!(1_800_000_000)),
        ("exp", json!(1_800_003_600)),
        ("username", json!("alice")),
    ] {
        claims.insert(k.into(), v);
    }
    let mut g = c.benchmark_group("token");
    for alg in [tokens::SigningAlgorithm::Rs256, tokens::SigningAlgorithm::Es256] {
        let key = tokens::generate_key_for(&SystemRandom, "us-east-1_Bench", 0, alg).expect("key");
        let signer = Arc::new(tokens::Signer::new(&key).expect("signer"));
        let token = signer.sign(&claims).expect("token");
        let signers = [signer.clone()];
        let name = alg.name();
        g.bench_function(format!("sign {name} (access token)"), |b| b.iter(|| black_box(signer.sign(&claims).expect("sign"))));
        g.bench_function(format!("verify {name} (access token)"), |b| {
            b.iter(|| {
                black_box(
                    tokens::verify(&token, &signers, "http://127.0.0.1:9229/us-east-1_Bench", "access", 1_800_000_100).expect("verify"),
                )
            })
        });
    }
    g.finish();
}

fn filters(c: &mut Criterion) {
    c.bench_function("filter/parse email ^= prefix", |b| {
        b.iter(|| black_box(filter::parse(black_box(r#"email ^= "alice.smith""#)).expect("parse")))
    });
}

fn role_mapping(c: &mut Criterion) {
    let rules: Vec<MappingRule> = (0..25)
        .map(|i| MappingRule {
            claim: "custom:team".into(),
            match_type: MappingRuleMatchType::Equals,
            value: format!("team-{i}"),
            role_arn: format!("arn:aws:iam::000000000000:role/Team{i}"),
        })
        .collect();
    let mapping = RoleMapping {
        r#type: RoleMappingType::Rules,
        ambiguous_role_resolution: Some(AmbiguousRoleResolutionType::AuthenticatedRole),
        rules_configuration: Some(RulesConfigurationType { rules }),
    };
    let roles = BTreeMap::from([("authenticated".to_owned(), "arn:aws:iam::000000000000:role/Auth".to_owned())]);
    let mut claims = Map::new();
    claims.insert("custom:team".into(), Value::from("team-24"));
    claims.insert("cognito:groups".into(), json!(["admins", "staff"]));
    let input = RoleInput { authenticated: true, roles: &roles, mapping: Some(&mapping), claims: &claims, custom_role_arn: None };
    c.bench_function("role_mapping/resolve (25 rules, last matches)", |b| b.iter(|| black_box(resolve(black_box(&input)).expect("role"))));
}

criterion_group!(benches, passwords, srp_server, token_sign_verify, filters, role_mapping);
criterion_main!(benches);
