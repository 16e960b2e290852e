//! SRP inputs: the client's `SRP_A`, the `TIMESTAMP` and the signature of its answer.
#![no_main]
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use pooldesk_core::random::SystemRandom;
use pooldesk_core::srp;

static VERIFIER: LazyLock<srp::Verifier> =
    LazyLock::new(|| srp::make_verifier(&SystemRandom, "us-east-1_fuzz", "fuzz-user", "Passw0rd!").expect("verifier"));

fuzz_target!(|input: &str| {
    let _ = srp::server_step(&SystemRandom, &VERIFIER, input);
    let _ = srp::parse_timestamp(input);
    // 32 bytes take 43 base64 characters: nothing shorter (an empty or cut answer) may match.
    assert!(!srp::signature_matches(&[0u8; 32], input) || input.trim().len() >= 43, "a short signature matched");
});
