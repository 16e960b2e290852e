//! Cognito Sync's door: REST-JSON on `/identitypools/...`. The route (method and path
//! template, from the model) names the operation; the path, query string, headers and body are
//! gathered into the one JSON input the operation decodes, so it is validated like any other.
//! Signed with SigV4 for `cognito-sync`, by an identity's temporary credentials (its own
//! datasets) or a developer's admin key (anyone's).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use pooldesk_core::Error;
use pooldesk_core::sync::SyncCaller;
use pooldesk_wire::cognito_sync::{self, Operation};
use pooldesk_wire::{Location, Route};
use serde_json::{Map, Value, json};

use crate::{AppState, Caller, authenticate, request_id, signed};

/// A dataset holds up to 1 MiB, and one record's value nearly as much: a request may carry a
/// little more than that.
const MAX_SYNC_BODY_BYTES: usize = 2 * 1024 * 1024;

pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let body = match crate::read_body_up_to(body, MAX_SYNC_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => return error_response(e),
    };
    let Some((route, labels)) = route_of(&method, uri.path()) else {
        return error_response(Error::UnknownOperation(format!("No Cognito Sync operation is {method} {}.", uri.path())));
    };
    let run = move || -> Result<Vec<u8>, Error> {
        let caller = match authenticate(&state, Some(cognito_sync::SIGNING_NAME), &signed(&method, &uri, &headers, &body))? {
            Caller::Admin(key) | Caller::AdminSession(key) => SyncCaller::Developer(key),
            Caller::Session(claims) => SyncCaller::Identity(claims.identity_id),
        };
        let input = gather(route, &labels, uri.query().unwrap_or(""), &headers, &body)?;
        state.api.call_sync(&caller, route.op, &peer.ip().to_string(), &input)
    };
    match tokio::task::spawn_blocking(run).await {
        Ok(Ok(body)) => respond(StatusCode::OK, body),
        Ok(Err(e)) => error_response(e),
        Err(join) => error_response(Error::internal(anyhow::anyhow!("the operation panicked: {join}"))),
    }
}

/// A path's `{labels}` and their (percent-decoded) values.
type Labels = Vec<(&'static str, String)>;

/// The operation whose method and path template this request has, with the path's labels.
fn route_of(method: &Method, path: &str) -> Option<(&'static Route<Operation>, Labels)> {
    cognito_sync::ROUTES.iter().filter(|r| r.method == method.as_str()).find_map(|r| {
        let labels = r.match_path(path)?;
        let decoded = labels
            .into_iter()
            .map(|(label, raw)| Some((label, percent_encoding::percent_decode_str(raw).decode_utf8().ok()?.into_owned())))
            .collect::<Option<Vec<_>>>()?;
        Some((r, decoded))
    })
}

/// The operation's input as one JSON object: the body's members, and those the route binds to
/// the path, the query string and headers.
fn gather(route: &Route<Operation>, labels: &[(&str, String)], query: &str, headers: &HeaderMap, body: &[u8]) -> Result<Vec<u8>, Error> {
    let mut input: Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice(body) {
            Ok(Value::Object(members)) => members,
            _ => return Err(Error::Serialization("The request body is not a JSON object.".into())),
        }
    };
    let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    for binding in route.bindings {
        let text = match binding.location {
            Location::Path => labels.iter().find(|(label, _)| *label == binding.name).map(|(_, v)| v.clone()),
            Location::Query => query.iter().find(|(name, _)| name == binding.name).map(|(_, v)| v.clone()),
            Location::Header => headers.get(binding.name).and_then(|v| v.to_str().ok()).map(str::to_owned),
        };
        let Some(text) = text else { continue };
        let value = if binding.number {
            let n: i64 =
                text.parse().map_err(|_| Error::InvalidParameter(format!("{} must be a whole number, not '{text}'.", binding.name)))?;
            Value::from(n)
        } else {
            Value::String(text)
        };
        input.insert(binding.member.to_owned(), value);
    }
    serde_json::to_vec(&input).map_err(|e| Error::internal(anyhow::anyhow!(e)))
}

fn respond(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("x-amzn-requestid, x-amzn-errortype, date"));
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        h.insert("x-amzn-requestid", v);
    }
    resp
}

/// REST-JSON errors: the name in `x-amzn-ErrorType` and the body, each with its own status
/// (the model's for the service's errors; 403 for a request that does not authenticate).
fn error_response(e: Error) -> Response {
    if e.is_internal() {
        tracing::error!("internal error: {e:#}");
    }
    let code = e.wire_code();
    let status = match &e {
        Error::MissingAuthenticationToken(_)
        | Error::InvalidSignature(_)
        | Error::UnrecognizedClient(_)
        | Error::ExpiredToken(_)
        | Error::IncompleteSignature(_) => StatusCode::FORBIDDEN,
        Error::RequestTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::UnknownOperation(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::from_u16(cognito_sync::error_status(code)).unwrap_or(StatusCode::BAD_REQUEST),
    };
    let body = json!({ "__type": code, "message": e.client_message() }).to_string().into_bytes();
    let mut resp = respond(status, body);
    resp.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static(code));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_find_their_operation_by_method_and_path() {
        let (route, labels) = route_of(&Method::POST, "/identitypools/us-east-1%3Aabc/identities/us-east-1%3Adef/datasets/scores")
            .unwrap_or_else(|| unreachable!("UpdateRecords' path"));
        assert_eq!(route.op, Operation::UpdateRecords);
        assert_eq!(
            labels,
            vec![
                ("IdentityPoolId", "us-east-1:abc".to_owned()),
                ("IdentityId", "us-east-1:def".to_owned()),
                ("DatasetName", "scores".to_owned())
            ]
        );
        let get = |path: &str| route_of(&Method::GET, path).map(|(r, _)| r.op);
        assert_eq!(get("/identitypools/p/identities/i/datasets/scores"), Some(Operation::DescribeDataset));
        assert_eq!(get("/identitypools/p/identities/i/datasets/scores/records"), Some(Operation::ListRecords));
        assert_eq!(get("/identitypools/p/identities/i"), Some(Operation::DescribeIdentityUsage));
        assert_eq!(get("/identitypools"), Some(Operation::ListIdentityPoolUsage));
        assert_eq!(get("/identitypools/p/identities/i/datasets/scores/extra"), None);
        assert_eq!(get("/identitypools/p/identities//datasets"), None);
        assert_eq!(route_of(&Method::PUT, "/identitypools/p").map(|(r, _)| r.op), None);
    }

    #[test]
    fn the_input_gathers_path_query_header_and_body() {
        let (route, labels) = route_of(&Method::GET, "/identitypools/p/identities/i/datasets/d/records").unwrap_or_else(|| unreachable!());
        let mut headers = HeaderMap::new();
        headers.insert("x-amz-client-context", HeaderValue::from_static("ignored-here"));
        let input = gather(route, &labels, "lastSyncCount=3&maxResults=10&syncSessionToken=a%2Bb", &headers, b"")
            .unwrap_or_else(|e| unreachable!("{e}"));
        let input: Value = serde_json::from_slice(&input).unwrap_or_default();
        assert_eq!(
            input,
            json!({"IdentityPoolId": "p", "IdentityId": "i", "DatasetName": "d", "LastSyncCount": 3, "MaxResults": 10, "SyncSessionToken": "a+b"})
        );
        let bad = gather(route, &labels, "lastSyncCount=three", &headers, b"");
        assert!(matches!(bad, Err(Error::InvalidParameter(m)) if m.contains("lastSyncCount")));
        assert!(matches!(gather(route, &labels, "", &headers, b"[1]"), Err(Error::Serialization(_))));
    }
}
