//! SigV4: the Authorization header, the other signed headers and the query are parsed, and a
//! signature the fuzzer made never verifies.
#![no_main]
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use pooldesk_server::sigv4::{self, SignedRequest};

fuzz_target!(|input: &str| {
    // Line 1: the query; then `name: value` header lines; after an empty line, the body.
    let (head, body) = input.split_once("\n\n").unwrap_or((input, ""));
    let mut lines = head.lines();
    let query = lines.next().unwrap_or_default();
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':')
            && let (Ok(name), Ok(value)) = (HeaderName::try_from(name.trim()), HeaderValue::try_from(value.trim()))
        {
            headers.append(name, value);
        }
    }
    let req = SignedRequest { method: "POST", path: "/", query, headers: &headers, body: body.as_bytes() };
    if let Ok(auth) = sigv4::parse_authorization(&req) {
        assert!(sigv4::verify(&req, &auth, "fuzz-secret", 1_700_000_000).is_err(), "a made-up signature verified");
    }
});
