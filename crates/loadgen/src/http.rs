//! One keep-alive HTTP/1.1 connection speaking the JSON 1.1 protocol, and SigV4 signing.
//!
//! Each load worker owns one connection (hyper's connection-level client, no pool), so N
//! workers are exactly N connections and nothing is shared on the hot path.

use std::net::SocketAddr;
use std::time::SystemTime;

use anyhow::{Context as _, anyhow, bail};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// The two Cognito services and their JSON 1.1 target prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Idp,
    Identity,
}

impl Service {
    fn prefix(self) -> &'static str {
        match self {
            Service::Idp => "AWSCognitoIdentityProviderService",
            Service::Identity => "AWSCognitoIdentityService",
        }
    }

    fn signing_name(self) -> &'static str {
        match self {
            Service::Idp => "cognito-idp",
            Service::Identity => "cognito-identity",
        }
    }
}

/// The access key admin calls are signed with (emulators that do not check ignore it).
#[derive(Clone)]
pub struct Key {
    pub id: String,
    pub secret: String,
    pub region: String,
}

pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    addr: SocketAddr,
    host: String,
    key: Key,
}

/// A response: status, headers and body.
pub struct Reply {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> anyhow::Result<Value> {
        serde_json::from_slice(&self.body).with_context(|| format!("a non-JSON answer: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The AWS error name (`__type` without its namespace), if this is an error.
    pub fn error(&self) -> Option<String> {
        if self.status == 200 {
            return None;
        }
        let body = self.json().ok();
        let kind = body.as_ref().and_then(|b| b.get("__type")).and_then(Value::as_str).unwrap_or("");
        let message = body.as_ref().and_then(|b| b.get("message").or_else(|| b.get("Message"))).and_then(Value::as_str).unwrap_or("");
        Some(format!("HTTP {} {} {}", self.status, kind.rsplit('#').next().unwrap_or(kind), message).trim().to_owned())
    }
}

async fn handshake(addr: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await.with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // Ends when the server closes the connection or the sender is dropped.
        let _ = connection.await;
    });
    Ok(sender)
}

impl Conn {
    pub async fn open(addr: SocketAddr, key: &Key) -> anyhow::Result<Conn> {
        Ok(Conn { sender: handshake(addr).await?, addr, host: addr.to_string(), key: key.clone() })
    }

    /// `POST /` with `X-Amz-Target: {service}.{operation}`; SigV4-signed if `signed`.
    pub async fn call(&mut self, service: Service, operation: &str, body: Vec<u8>, signed: bool) -> anyhow::Result<Reply> {
        let target = format!("{}.{operation}", service.prefix());
        let mut headers = vec![
            ("host".to_owned(), self.host.clone()),
            ("content-type".to_owned(), "application/x-amz-json-1.1".to_owned()),
            ("x-amz-target".to_owned(), target),
        ];
        if signed {
            headers.extend(self.sign(service, &headers, &body)?);
        }
        let mut request = hyper::Request::post("/");
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        self.send(request.body(Full::new(Bytes::from(body)))?).await
    }

    /// Any request on this connection (the OAuth endpoints and login pages: forms, redirects,
    /// cookies); `Host` is added.
    pub async fn request(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> anyhow::Result<Reply> {
        let mut request = hyper::Request::builder().method(method).uri(path).header("host", &self.host);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Full::new(Bytes::from(body)))?).await
    }

    async fn send(&mut self, request: hyper::Request<Full<Bytes>>) -> anyhow::Result<Reply> {
        // A server that closes connections (moto's werkzeug answers `Connection: close`) gets
        // a new one, and pays for it in the measured latency as its clients would.
        if self.sender.is_closed() || self.sender.ready().await.is_err() {
            self.sender = handshake(self.addr).await?;
            self.sender.ready().await.context("a new connection closed at once")?;
        }
        let response = self.sender.send_request(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Reply { status, headers, body })
    }

    /// `call` for setup steps: the JSON answer, or the error as an `Err`.
    pub async fn json(&mut self, service: Service, operation: &str, body: &Value, signed: bool) -> anyhow::Result<Value> {
        let reply = self.call(service, operation, serde_json::to_vec(body)?, signed).await?;
        if let Some(error) = reply.error() {
            bail!("{operation}: {error}");
        }
        reply.json()
    }

    fn sign(&self, service: Service, headers: &[(String, String)], body: &[u8]) -> anyhow::Result<Vec<(String, String)>> {
        let identity = Credentials::new(&self.key.id, &self.key.secret, None, None, "pooldesk-loadgen").into();
        #[allow(clippy::disallowed_methods)] // a signature carries the wall-clock time
        let now = SystemTime::now();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.key.region)
            .name(service.signing_name())
            .time(now)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| anyhow!("signing parameters: {e}"))?
            .into();
        let uri = format!("http://{}/", self.host);
        let signable =
            SignableRequest::new("POST", &uri, headers.iter().map(|(n, v)| (n.as_str(), v.as_str())), SignableBody::Bytes(body))?;
        let (instructions, _) = sign(signable, &params)?.into_parts();
        Ok(instructions.headers().map(|(n, v)| (n.to_owned(), v.to_owned())).collect())
    }
}
