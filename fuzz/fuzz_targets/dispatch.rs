//! Every operation's JSON decoding and dispatch, as an admin, on a real SQLite store with a
//! pool, client, signed-in user and identity pool in it (fixture.rs): any body is answered,
//! and never with an internal error. Input: the operation's name on the first line (an unknown
//! name still picks an operation), the body after it, with the fixture's placeholders.
#![no_main]
#[path = "fixture.rs"]
mod fixture;

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use pooldesk_wire::{cognito_identity, cognito_idp};

static FIXTURE: LazyLock<fixture::Fixture> = LazyLock::new(fixture::Fixture::new);

fn target_for(name: &[u8]) -> String {
    let idp = cognito_idp::Operation::ALL;
    let identity = cognito_identity::Operation::ALL;
    if let Some(op) = idp.iter().find(|op| op.name().as_bytes() == name) {
        return format!("{}.{}", cognito_idp::TARGET_PREFIX, op.name());
    }
    if let Some(op) = identity.iter().find(|op| op.name().as_bytes() == name) {
        return format!("{}.{}", cognito_identity::TARGET_PREFIX, op.name());
    }
    let pick = name.iter().fold(0usize, |sum, &b| sum.wrapping_mul(31).wrapping_add(usize::from(b)));
    match pick % (idp.len() + identity.len()) {
        i if i < idp.len() => format!("{}.{}", cognito_idp::TARGET_PREFIX, idp[i].name()),
        i => format!("{}.{}", cognito_identity::TARGET_PREFIX, identity[i - idp.len()].name()),
    }
}

fuzz_target!(|input: &[u8]| {
    let (name, body) = match input.iter().position(|&b| b == b'\n') {
        Some(at) => (&input[..at], &input[at + 1..]),
        None => (input, &b""[..]),
    };
    let target = target_for(name);
    let body = FIXTURE.expand(&target, body);
    if let Err(e) = FIXTURE.state.api.call("fuzz", &target, &body) {
        assert_ne!(e.code, "InternalErrorException", "{target}: {}", e.message);
    }
});
