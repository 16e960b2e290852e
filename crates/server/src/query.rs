//! AWS's query protocol (form-encoded in, XML out), which STS and IAM speak: both answer on the
//! same endpoint as Cognito, told apart by their `Action`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::{AppState, iam, request_id, sts};

/// A request's form parameters.
pub(crate) type Params = BTreeMap<String, String>;

pub(crate) fn is_query_request(headers: &HeaderMap, body: &[u8]) -> bool {
    let form =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    form || body.starts_with(b"Action=")
}

/// Sends the request to the service its `Action` belongs to.
pub(crate) async fn handle(state: Arc<AppState>, peer: SocketAddr, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let params: Params = form_urlencoded::parse(&body).into_owned().collect();
    let action = params.get("Action").map(String::as_str).unwrap_or_default();
    // Counted under the actions this server knows only: anyone can send any Action.
    let operation = if iam::ACTIONS.contains(&action) {
        format!("IAM.{action}")
    } else if sts::ACTIONS.contains(&action) || sts::DENIED.contains(&action) {
        format!("STS.{action}")
    } else {
        "unknown".to_owned()
    };
    let operation = crate::ops::Operation(operation);
    let mut response = if iam::ACTIONS.contains(&action) {
        iam::handle(state, peer, method, uri, headers, body, params).await
    } else {
        sts::handle(state, peer, method, uri, headers, body, params).await
    };
    response.extensions_mut().insert(operation);
    response
}

/// Runs an action on a blocking thread (signature checks, hashing, the store) and answers with
/// its response, or with `error` for its failure (a panic is an internal error).
pub(crate) async fn run_blocking<E: From<pooldesk_core::Error> + Send + 'static>(
    action: impl FnOnce() -> Result<Response, E> + Send + 'static,
    error: impl FnOnce(E) -> Response,
) -> Response {
    match tokio::task::spawn_blocking(action).await {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => error(e),
        Err(join) => error(E::from(pooldesk_core::Error::internal(anyhow::anyhow!("{join}")))),
    }
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// `<name>value</name>`, escaped.
pub(crate) fn element(name: &str, value: &str) -> String {
    format!("<{name}>{}</{name}>", escape(value))
}

fn xml(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    resp
}

pub(crate) fn error_response(namespace: &str, status: StatusCode, code: &str, message: &str) -> Response {
    let kind = if status.is_server_error() { "Receiver" } else { "Sender" };
    xml(
        status,
        format!(
            "<ErrorResponse xmlns=\"{namespace}\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            escape(message),
            request_id()
        ),
    )
}

/// `<ActionResponse><ActionResult>result</ActionResult>...`; `result` is already XML.
pub(crate) fn ok(namespace: &str, action: &str, result: &str) -> Response {
    let result = if result.is_empty() { String::new() } else { format!("<{action}Result>{result}</{action}Result>") };
    xml(
        StatusCode::OK,
        format!(
            "<{action}Response xmlns=\"{namespace}\">{result}<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
            request_id()
        ),
    )
}

/// Milliseconds since the UNIX epoch -> `YYYY-MM-DDTHH:MM:SSZ`, as the query services write
/// dates (outside the years -9999 to 9999, the nearest end of that range).
pub(crate) fn iso8601(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or_else(|_| if ms < 0 { PrimitiveDateTime::MIN.assume_utc() } else { PrimitiveDateTime::MAX.assume_utc() });
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso8601_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn dates_at_edge_dates() {
        assert_eq!(iso8601(1_709_208_000_000), "2024-02-29T12:00:00Z");
        assert_eq!(iso8601(4_107_542_400_000), "2100-03-01T00:00:00Z");
        // Milliseconds are dropped, never rounded up into the next year.
        assert_eq!(iso8601(1_767_225_599_999), "2025-12-31T23:59:59Z");
        assert_eq!(iso8601(1_767_225_600_000), "2026-01-01T00:00:00Z");
        assert_eq!(iso8601(1_796_806_800_000), "2026-12-09T09:00:00Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
        assert_eq!(iso8601(i64::MAX), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
        assert_eq!(element("A", "x<y"), "<A>x&lt;y</A>");
    }
}
