//! What the operations need from the web to talk to other identity providers: discovery
//! documents, key sets, token and userinfo endpoints. The API layer implements it over HTTP;
//! core never opens a connection itself.

use serde_json::Value;

/// An HTTP response's status and JSON body (OAuth errors are JSON too).
pub struct JsonResponse {
    pub status: u16,
    pub body: Value,
}

pub trait WebClient: Send + Sync {
    /// `GET url`, with `Authorization: Bearer` when a token is given.
    fn get_json(&self, url: &str, bearer: Option<&str>) -> Result<JsonResponse, String>;
    /// `POST url` with a form body, with `Authorization: Basic` when credentials are given.
    fn post_form(&self, url: &str, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Result<JsonResponse, String>;
    /// `GET url` for a document (a SAML provider's metadata): its status and text, at most
    /// `max_bytes` of it (more is an error).
    fn get_text(&self, url: &str, max_bytes: usize) -> Result<(u16, String), String>;
}

/// Whether `url` may be an identity provider's endpoint: https, or http on loopback only
/// (a development provider on this machine).
pub fn is_acceptable_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else { return false };
    match parsed.scheme() {
        "https" => parsed.host().is_some(),
        "http" => match parsed.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_https_or_loopback_http() {
        for good in ["https://idp.example.com", "http://127.0.0.1:8080/x", "http://localhost:3000", "http://[::1]:9/"] {
            assert!(super::is_acceptable_url(good), "{good}");
        }
        for bad in ["http://idp.example.com", "ftp://x", "javascript:alert(1)", "https://", "http://10.0.0.1/", "not a url"] {
            assert!(!super::is_acceptable_url(bad), "{bad}");
        }
    }
}
