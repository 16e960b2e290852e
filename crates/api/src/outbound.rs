//! What the server sends or fetches over the network: e-mail over SMTP (lettre), SMS to a
//! gateway webhook, and OpenID providers' signing keys over HTTP.

use std::sync::OnceLock;

use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport};
use pooldesk_core::Mailer;

pub struct SmtpMailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl SmtpMailer {
    /// `url` is `smtp://host:port`, optionally `smtp://user:pass@host:port`: plain SMTP, for
    /// local sinks and relays on a trusted network. (TLS relays come with a TLS backend.)
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let bad = || anyhow::anyhow!("POOLDESK_SMTP_URL must look like smtp://[user:pass@]host:port, got {url}");
        let rest = url.strip_prefix("smtp://").ok_or_else(bad)?.trim_end_matches('/');
        let (credentials, hostport) = match rest.rsplit_once('@') {
            Some((c, h)) => (Some(c), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
            None => (hostport, 25),
        };
        if host.is_empty() {
            return Err(bad());
        }
        let mut builder = SmtpTransport::builder_dangerous(host).port(port).timeout(Some(std::time::Duration::from_secs(10)));
        if let Some((user, pass)) = credentials.and_then(|c| c.split_once(':')) {
            builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(user.into(), pass.into()));
        }
        let transport = builder.build();
        let from = from.parse().map_err(|e| anyhow::anyhow!("the sender address {from} is invalid: {e}"))?;
        Ok(SmtpMailer { transport, from })
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("invalid recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body.to_owned())
            .map_err(|e| format!("building the message: {e}"))?;
        self.transport.send(&message).map(|_| ()).map_err(|e| format!("SMTP: {e}"))
    }
}

/// Posts each SMS to a webhook, so any SMS gateway can be plugged in:
/// `POST <url>` with `{"PhoneNumber", "Message", "UserPoolId", "Username"}`; any 2xx is success.
pub struct SmsWebhook {
    url: String,
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

impl SmsWebhook {
    /// Operations run on blocking threads; the request is driven on `runtime` from there.
    pub fn new(url: &str, runtime: tokio::runtime::Handle) -> anyhow::Result<Self> {
        if !url.starts_with("http://") {
            anyhow::bail!("POOLDESK_SMS_WEBHOOK_URL must be an http:// URL, got {url}");
        }
        let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build()?;
        Ok(SmsWebhook { url: url.to_owned(), client, runtime })
    }
}

impl pooldesk_core::SmsSender for SmsWebhook {
    fn send(&self, pool_id: &str, username: &str, phone_number: &str, message: &str) -> Result<(), String> {
        let body = serde_json::json!({ "PhoneNumber": phone_number, "Message": message, "UserPoolId": pool_id, "Username": username });
        let request = self.client.post(&self.url).json(&body).send();
        let response = self.runtime.block_on(request).map_err(|e| format!("SMS webhook: {e}"))?;
        if response.status().is_success() { Ok(()) } else { Err(format!("SMS webhook answered {}", response.status())) }
    }
}

/// Fetches OpenID providers' signing keys over HTTP for identity pools:
/// `{issuer}/.well-known/openid-configuration`, then its `jwks_uri`.
pub struct HttpJwks(pub HttpWeb);

impl pooldesk_core::identity_pools::JwksSource for HttpJwks {
    fn fetch(&self, issuer: &str) -> Result<serde_json::Value, String> {
        use pooldesk_core::web::WebClient;
        let get = |url: &str| match self.0.get_json(url, None)? {
            r if r.status == 200 => Ok(r.body),
            r => Err(format!("{url} answered {}", r.status)),
        };
        let discovery = get(&format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/')))?;
        let jwks_uri = discovery.get("jwks_uri").and_then(|v| v.as_str()).ok_or("the discovery document has no jwks_uri")?;
        get(jwks_uri)
    }
}

/// Reaches identity providers: discovery documents, key sets, token and userinfo endpoints,
/// over HTTP(S) with the system's root certificates.
pub struct HttpWeb {
    /// Built on first use: building it loads and parses the system's root certificates, work
    /// (and memory) a server that never reaches an identity provider does without.
    client: OnceLock<Result<reqwest::Client, String>>,
    runtime: tokio::runtime::Handle,
}

impl HttpWeb {
    pub fn new(runtime: tokio::runtime::Handle) -> Self {
        HttpWeb { client: OnceLock::new(), runtime }
    }

    fn client(&self) -> Result<&reqwest::Client, String> {
        let built = self.client.get_or_init(|| {
            reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                // A provider's answer is read here, never a page it redirects to.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| format!("building the HTTP client: {e}"))
        });
        built.as_ref().map_err(Clone::clone)
    }

    fn answer(&self, request: reqwest::RequestBuilder, url: &str) -> Result<pooldesk_core::web::JsonResponse, String> {
        self.runtime.block_on(async {
            let resp = request.header("accept", "application/json").send().await.map_err(|e| format!("{url}: {e}"))?;
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.map_err(|e| format!("{url}: {e}"))?;
            let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
            Ok(pooldesk_core::web::JsonResponse { status, body })
        })
    }
}

impl pooldesk_core::web::WebClient for HttpWeb {
    fn get_json(&self, url: &str, bearer: Option<&str>) -> Result<pooldesk_core::web::JsonResponse, String> {
        let mut request = self.client()?.get(url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        self.answer(request, url)
    }

    fn post_form(&self, url: &str, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Result<pooldesk_core::web::JsonResponse, String> {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let mut request = self.client()?.post(url).header("content-type", "application/x-www-form-urlencoded").body(body);
        if let Some((id, secret)) = basic {
            // RFC 6749 §2.3.1: each part form-urlencoded before the Basic encoding.
            let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            request = request.basic_auth(enc(id), Some(enc(secret)));
        }
        self.answer(request, url)
    }

    fn get_text(&self, url: &str, max_bytes: usize) -> Result<(u16, String), String> {
        let request = self.client()?.get(url);
        self.runtime.block_on(async {
            let mut resp = request.send().await.map_err(|e| format!("{url}: {e}"))?;
            let status = resp.status().as_u16();
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| format!("{url}: {e}"))? {
                if body.len() + chunk.len() > max_bytes {
                    return Err(format!("{url}: the document is larger than {max_bytes} bytes"));
                }
                body.extend_from_slice(&chunk);
            }
            Ok((status, String::from_utf8(body).map_err(|_| format!("{url}: the document is not UTF-8"))?))
        })
    }
}
