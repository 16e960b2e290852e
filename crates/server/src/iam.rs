//! IAM's query door: SAML providers (`CreateSAMLProvider` and the rest), signed by an admin key
//! for the `iam` service. Form parameters become the typed requests of `pooldesk_api::iam`,
//! whose JSON answers are written back as IAM's XML.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use pooldesk_api::Target;
use pooldesk_api::iam::{IamOperation, SIGNING_NAME, TARGET_PREFIX};
use pooldesk_core::Context;
use pooldesk_core::Error;
use serde_json::{Map, Value, json};

use crate::query::{self, Params, escape};
use crate::{AppState, Caller, authenticate, signed};

const NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// The actions this door answers; every other query request is STS's.
pub(crate) const ACTIONS: [&str; 8] = [
    "CreateSAMLProvider",
    "GetSAMLProvider",
    "ListSAMLProviders",
    "UpdateSAMLProvider",
    "DeleteSAMLProvider",
    "TagSAMLProvider",
    "UntagSAMLProvider",
    "ListSAMLProviderTags",
];

/// IAM's status and code for an error (its model's `awsQueryError` codes).
fn wire(e: &Error) -> (StatusCode, &'static str) {
    use StatusCode as S;
    match e {
        Error::MissingAuthenticationToken(_) => (S::FORBIDDEN, "MissingAuthenticationToken"),
        Error::IncompleteSignature(_) => (S::BAD_REQUEST, "IncompleteSignature"),
        Error::InvalidSignature(_) => (S::FORBIDDEN, "SignatureDoesNotMatch"),
        Error::UnrecognizedClient(_) => (S::FORBIDDEN, "InvalidClientTokenId"),
        Error::ExpiredToken(_) => (S::FORBIDDEN, "ExpiredToken"),
        Error::NotAuthorized(_) | Error::AccessDenied(_) => (S::FORBIDDEN, "AccessDenied"),
        Error::ResourceNotFound(_) => (S::NOT_FOUND, "NoSuchEntity"),
        Error::ResourceConflict(_) => (S::CONFLICT, "EntityAlreadyExists"),
        Error::LimitExceeded(_) => (S::CONFLICT, "LimitExceeded"),
        Error::ConcurrentModification(_) => (S::CONFLICT, "ConcurrentModification"),
        Error::Internal(_) => (S::INTERNAL_SERVER_ERROR, "ServiceFailure"),
        _ => (S::BAD_REQUEST, "InvalidInput"),
    }
}

fn error_response(e: Error) -> Response {
    if let Error::Internal(inner) = &e {
        tracing::error!("IAM: {inner:#}");
    }
    let (status, code) = wire(&e);
    query::error_response(NS, status, code, &e.client_message())
}

/// The form's parameters as the operation's JSON request: `X.member.N` lists (of strings, or
/// of structures `X.member.N.Field`) become arrays; everything else stays a string.
fn request_json(params: &Params) -> Value {
    let mut out = Map::new();
    for (key, value) in params {
        if key == "Action" || key == "Version" {
            continue;
        }
        let mut parts = key.splitn(4, '.');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(name), Some("member"), Some(index), field) => {
                let Some(i) = index.parse::<usize>().ok().filter(|i| (1..=1000).contains(i)) else { continue };
                let list = out.entry(name).or_insert_with(|| json!([])).as_array_mut().map(std::mem::take).unwrap_or_default();
                let mut list = list;
                if list.len() < i {
                    list.resize(i, Value::Null);
                }
                match field {
                    Some(field) => {
                        if !list[i - 1].is_object() {
                            list[i - 1] = json!({});
                        }
                        list[i - 1][field] = Value::String(value.clone());
                    }
                    None => list[i - 1] = Value::String(value.clone()),
                }
                out.insert(name.to_owned(), Value::Array(list));
            }
            _ => {
                out.insert(key.clone(), Value::String(value.clone()));
            }
        }
    }
    // A list with a gap (member.1, member.3) keeps what came before the gap, as AWS reads it.
    for value in out.values_mut() {
        if let Value::Array(items) = value
            && let Some(gap) = items.iter().position(Value::is_null)
        {
            items.truncate(gap);
        }
    }
    Value::Object(out)
}

/// An answer's JSON as query-protocol XML: arrays as `<member>` items.
fn to_xml(value: &Value, out: &mut String) {
    match value {
        Value::Object(fields) => {
            for (name, v) in fields {
                out.push_str(&format!("<{name}>"));
                to_xml(v, out);
                out.push_str(&format!("</{name}>"));
            }
        }
        Value::Array(items) => {
            for item in items {
                out.push_str("<member>");
                to_xml(item, out);
                out.push_str("</member>");
            }
        }
        Value::String(s) => out.push_str(&escape(s)),
        Value::Null => {}
        other => out.push_str(&other.to_string()),
    }
}

pub(crate) async fn handle(
    state: Arc<AppState>,
    peer: SocketAddr,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    params: Params,
) -> Response {
    let action = move || -> Result<Response, Error> {
        let action = params.get("Action").cloned().unwrap_or_default();
        let op = IamOperation::from_name(&action).ok_or_else(|| Error::UnknownOperation(format!("Could not find operation {action}")))?;
        let key = match authenticate(&state, Some(SIGNING_NAME), &signed(&method, &uri, &headers, &body))? {
            Caller::Admin(key) => key,
            Caller::Session(_) => return Err(Error::AccessDenied("Temporary credentials from an identity pool cannot call IAM.".into())),
            // As AWS refuses IAM to GetSessionToken's credentials obtained without MFA.
            Caller::AdminSession(_) => {
                return Err(Error::AccessDenied(
                    "Temporary credentials from GetSessionToken cannot call IAM; sign with the access key.".into(),
                ));
            }
        };
        let request = serde_json::to_vec(&request_json(&params)).map_err(Error::internal)?;
        let source = peer.ip().to_string();
        let ctx = Context { caller: Some(key), source_ip: Some(source.clone()) };
        let answer = Target::Iam(op).call_audited(&state.api, &ctx, &format!("{TARGET_PREFIX}.{action}"), &source, &request)?;
        let answer: Value = serde_json::from_slice(&answer).map_err(Error::internal)?;
        let mut result = String::new();
        to_xml(&answer, &mut result);
        Ok(query::ok(NS, &action, &result))
    };
    query::run_blocking(action, error_response).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn form_lists_and_structures_become_json() {
        let p = params(&[
            ("Action", "CreateSAMLProvider"),
            ("Version", "2010-05-08"),
            ("Name", "Corp"),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "id"),
            ("Tags.member.2.Key", "env"),
            ("TagKeys.member.1", "a"),
            ("TagKeys.member.3", "c"),
        ]);
        assert_eq!(request_json(&p), json!({"Name": "Corp", "Tags": [{"Key": "team", "Value": "id"}, {"Key": "env"}], "TagKeys": ["a"]}));
    }

    #[test]
    fn answers_are_written_as_query_xml() {
        let mut out = String::new();
        to_xml(&json!({"SAMLProviderList": [{"Arn": "a<b"}], "IsTruncated": false}), &mut out);
        assert_eq!(out, "<IsTruncated>false</IsTruncated><SAMLProviderList><member><Arn>a&lt;b</Arn></member></SAMLProviderList>");
    }
}
