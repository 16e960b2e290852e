//! The whole HTTP front as a client reaches it: `X-Amz-Target` parsing, SigV4 headers, STS's
//! query protocol (form bodies and query strings) and the JSON bodies, through the router, on
//! the fixture's store. Never a 500. Input lines: the request URI (empty: `/`), X-Amz-Target
//! (empty: none, as STS sends), Authorization, Content-Type; the rest is the body.
#![no_main]
#[path = "fixture.rs"]
mod fixture;

use std::net::SocketAddr;
use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt as _;

struct Front {
    fixture: fixture::Fixture,
    router: axum::Router,
}

static FRONT: LazyLock<Front> = LazyLock::new(|| {
    let fixture = fixture::Fixture::new();
    let router = pooldesk_server::router(fixture.state.clone());
    Front { fixture, router }
});

fuzz_target!(|input: &[u8]| {
    let target = input.split(|&b| b == b'\n').nth(1).unwrap_or_default();
    let input = FRONT.fixture.expand(&String::from_utf8_lossy(target), input);
    let mut parts = input.splitn(5, |&b| b == b'\n');
    let mut line = || parts.next().unwrap_or_default();
    let (uri, target, auth, content_type, body) = (line(), line(), line(), line(), line().to_vec());
    let uri = if uri.is_empty() { &b"/"[..] } else { uri };
    let mut req = Request::builder().method("POST").uri(uri);
    for (name, value) in [("x-amz-target", target), ("authorization", auth), ("content-type", content_type)] {
        if let (false, Ok(value)) = (value.is_empty(), HeaderValue::from_bytes(value)) {
            req = req.header(name, value);
        }
    }
    let Ok(mut req) = req.body(Body::from(body)) else { return };
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let response = FRONT.fixture.runtime.block_on(FRONT.router.clone().oneshot(req)).expect("the router answers");
    assert_ne!(response.status(), StatusCode::INTERNAL_SERVER_ERROR, "{}", String::from_utf8_lossy(target));
});
