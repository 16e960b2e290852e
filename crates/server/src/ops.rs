//! What operators and load balancers ask a server: `/health/live` (the process serves),
//! `/health/ready` (and its database answers), and `/metrics` in Prometheus' text format
//! (requests by operation and outcome, their latency, sign-ins, database connections).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use pooldesk_api::Target;
use pooldesk_core::store::PoolUse;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabel {
    operation: String,
}

type Latency = Family<OperationLabel, Histogram, fn() -> Histogram>;

/// The operation a handler answered, when the request alone does not say (STS's and IAM's
/// `Action` is in the body): set on the response for [`observe`].
#[derive(Clone)]
pub(crate) struct Operation(pub String);

/// 100 µs to about 6.5 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0001, 2.0, 17))
}

/// The server's counters, exported at `/metrics`.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    sign_ins: Counter,
    /// Set from the store at each scrape, for a store that pools connections.
    connections: Family<ConnectionLabel, Gauge>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConnectionLabel {
    /// `open`, `idle` or `max`.
    state: &'static str,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("pooldesk");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        let sign_ins = Counter::default();
        registry.register(
            "requests",
            "Requests by operation (X-Amz-Target, else route) and outcome (error name, else HTTP status)",
            requests.clone(),
        );
        registry.register("request_duration_seconds", "Time to answer, by operation", latency.clone());
        registry.register("sign_ins", "Sign-ins through the API that ended in tokens", sign_ins.clone());
        let connections = Family::<ConnectionLabel, Gauge>::default();
        registry.register(
            "database_connections",
            "Database connections of this server: open (in use or idle), idle, and the most it keeps (PostgreSQL)",
            connections.clone(),
        );
        Metrics { registry, requests, latency, sign_ins, connections }
    }
}

impl Metrics {
    /// Counts a sign-in operation's answer that carries tokens.
    pub(crate) fn signed_in(&self) {
        self.sign_ins.inc();
    }

    fn connections_now(&self, pool: PoolUse) {
        for (state, n) in [("open", pool.open), ("idle", pool.idle), ("max", pool.max)] {
            self.connections.get_or_create(&ConnectionLabel { state }).set(i64::from(n));
        }
    }

    fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// The operation a request is counted under: an `X-Amz-Target` the server knows
/// (never the raw header, which anyone can fill with anything), else the route's pattern.
fn operation_of(request: &Request) -> String {
    if let Some(target) = request.headers().get("x-amz-target").and_then(|v| v.to_str().ok()) {
        // The whole target: Cognito's two services share operation names (TagResource).
        return if Target::parse(target).is_ok() { target.to_owned() } else { "unknown".to_owned() };
    }
    match request.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_owned(),
        None => "unmatched".to_owned(),
    }
}

/// Middleware: counts and times every request.
pub(crate) async fn observe(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let operation = operation_of(&request);
    let started = Instant::now();
    let response = next.run(request).await;
    let operation = response.extensions().get::<Operation>().map_or(operation, |o| o.0.clone());
    let outcome = match response.headers().get("x-amzn-errortype").and_then(|v| v.to_str().ok()) {
        Some(error) => error.split(':').next().unwrap_or(error).to_owned(),
        None => response.status().as_u16().to_string(),
    };
    let metrics = &state.metrics;
    metrics.latency.get_or_create(&OperationLabel { operation: operation.clone() }).observe(started.elapsed().as_secs_f64());
    metrics.requests.get_or_create(&RequestLabels { operation, outcome }).inc();
    response
}

pub(crate) async fn live() -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], r#"{"status":"live"}"#).into_response()
}

/// Ready when the database answers a trivial query; 503 otherwise (the reason is logged, not
/// shown: it may name files or hosts).
pub(crate) async fn ready(State(state): State<Arc<AppState>>) -> Response {
    let store = state.api.store.clone();
    let answered = tokio::task::spawn_blocking(move || store.ping()).await;
    let json = [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))];
    match answered {
        Ok(Ok(())) => (StatusCode::OK, json, r#"{"status":"ready"}"#).into_response(),
        Ok(Err(e)) => {
            tracing::warn!("not ready: the database does not answer: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, json, r#"{"status":"unavailable","reason":"the database does not answer"}"#).into_response()
        }
        Err(e) => {
            tracing::warn!("not ready: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, json, r#"{"status":"unavailable","reason":"the check failed"}"#).into_response()
        }
    }
}

pub(crate) async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    if let Some(pool) = state.api.store.pool_use() {
        state.metrics.connections_now(pool);
    }
    match state.metrics.encode() {
        Ok(text) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"))],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
