//! The authorization endpoint's side of OAuth 2.0: checking an `/oauth2/authorize` request
//! (client, redirect URI, response type, scopes, PKCE), and what a finished sign-in at a login
//! page produces: an authorization code (or, for the implicit flow, tokens) sent back to the
//! redirect URI, and a single sign-on session so the pool's other clients skip the form.
//!
//! Codes and SSO sessions are kept in the challenge store under `code-`/`sso-` and the SHA-256
//! of their value, so the database never holds one that could be replayed; taking a code is
//! what makes it single-use.

use std::sync::Arc;

use pooldesk_wire::cognito_idp::{OAuthFlowType, UserStatusType};
use serde::{Deserialize, Serialize};

use super::UserPools;
use super::identity_providers::COGNITO;
use super::sign_in::{Grant, Occasion};
use crate::error::{Error, Result};
use crate::oauth::{self, is_standard_scope};
use crate::store::{AppClient, ChallengeRecord, Domain};
use crate::tokens::sha256_hex;

/// How long an authorization code may wait to be exchanged (Cognito: 5 minutes).
const CODE_TTL_MS: i64 = 5 * 60_000;
/// How long a login page remembers who signed in (Cognito's session cookie: 1 hour).
const SSO_TTL_MS: i64 = 60 * 60_000;

/// The parameters of `/oauth2/authorize` (and of the login pages, which carry them along).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    pub scope: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub identity_provider: Option<String>,
    pub idp_identifier: Option<String>,
    pub prompt: Option<String>,
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResponseType {
    /// The authorization code grant: `?code=` on the redirect URI.
    Code,
    /// The implicit grant: tokens in the redirect URI's fragment.
    Token,
}

/// A checked authorization request: what the sign-in will be granted and where it returns.
#[derive(Debug, Clone)]
pub struct Authorization {
    pub client: Arc<AppClient>,
    pub redirect_uri: String,
    pub response_type: ResponseType,
    /// The scopes granted, space-separated.
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// PKCE: the method (`S256` or `plain`) and the challenge.
    pub pkce: Option<(String, String)>,
    /// `login` (show the form even with an SSO session), `none` (never show it), ...
    pub prompt: Option<String>,
    /// The external identity provider the request names (`identity_provider`, or the one
    /// an `idp_identifier` belongs to): the browser goes there instead of to the form.
    pub provider: Option<String>,
}

/// Why an authorization request is refused, and where the answer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// The redirect URI cannot be trusted (unknown client, unregistered URI): an error page.
    Page { error: &'static str, description: String },
    /// Everything else goes back to the client's redirect URI, carrying `error` and `state`.
    Redirect(String),
}

/// An authorization code waiting for the token endpoint.
#[derive(Debug, Serialize, Deserialize)]
struct PendingCode {
    client_id: String,
    redirect_uri: String,
    scope: String,
    nonce: Option<String>,
    pkce: Option<(String, String)>,
    sub: String,
}

/// Who signed in at a pool's login pages, for single sign-on.
#[derive(Debug, Serialize, Deserialize)]
struct SsoSession {
    sub: String,
    /// The SAML provider's session it began with, for single logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    saml: Option<SamlSession>,
}

/// Who a SAML provider signed in, as its LogoutRequest must name them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamlSession {
    pub provider: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
}

fn code_key(code: &str) -> String {
    format!("code-{}", sha256_hex(code))
}

/// Where a redeemed code remembers the session it began, until it would have expired.
fn redeemed_key(code: &str) -> String {
    format!("code-redeemed-{}", sha256_hex(code))
}

/// The `origin_jti` of a token this server just signed (read without verifying: it is ours).
fn origin_of(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.split('.').nth(1)?).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&payload).ok()?;
    claims.get("origin_jti")?.as_str().map(str::to_owned)
}

fn sso_key(cookie: &str) -> String {
    format!("sso-{}", sha256_hex(cookie))
}

/// `redirect_uri` with `params` added: to the query for the code flow, to the fragment for
/// the implicit flow (RFC 6749 §4.1.2 and §4.2.2).
pub fn redirect_with(redirect_uri: &str, response_type: ResponseType, params: &[(&str, &str)]) -> String {
    let Ok(mut url) = url::Url::parse(redirect_uri) else { return redirect_uri.to_owned() };
    match response_type {
        ResponseType::Code => {
            url.query_pairs_mut().extend_pairs(params);
        }
        ResponseType::Token => {
            let fragment = form_encode(params);
            url.set_fragment(Some(&fragment));
        }
    }
    url.into()
}

fn form_encode(params: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish()
}

/// RFC 7636 §4.1: 43 to 128 characters of `[A-Za-z0-9-._~]`.
fn is_pkce_value(s: &str) -> bool {
    (43..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Whether `verifier` answers the stored PKCE challenge, compared in constant time.
fn pkce_matches((method, challenge): &(String, String), verifier: &str) -> bool {
    use base64::Engine;
    let computed = match method.as_str() {
        "S256" => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref()),
        _ => verifier.to_owned(),
    };
    is_pkce_value(verifier) && aws_lc_rs::constant_time::verify_slices_are_equal(computed.as_bytes(), challenge.as_bytes()).is_ok()
}

impl UserPools {
    /// Checks an authorization request of `domain`'s pool as Cognito does. The client and the
    /// redirect URI are checked first: until both are known good, errors go to an error page,
    /// never to an unchecked URI (no open redirect); after, to the redirect URI.
    pub fn authorize(&self, domain: &Domain, r: &AuthorizeRequest) -> std::result::Result<Authorization, AuthorizeError> {
        let page = |error: &'static str, description: &str| AuthorizeError::Page { error, description: description.to_owned() };
        let client_id = r.client_id.as_deref().ok_or_else(|| page("invalid_request", "client_id is required."))?;
        let client = match self.store.get_client(client_id) {
            Ok(Some(c)) if c.pool_id == domain.pool_id => c,
            Ok(_) => return Err(page("invalid_request", "The client_id is not an app client of this user pool.")),
            Err(e) => {
                tracing::error!("authorize: {e}");
                return Err(page("server_error", "An internal error occurred."));
            }
        };
        if client.config.allowed_oauth_flows_user_pool_client != Some(true) {
            return Err(page("unauthorized_client", "The app client is not allowed OAuth flows."));
        }
        let callbacks = client.config.callback_urls.as_deref().unwrap_or_default();
        let redirect_uri = match r.redirect_uri.as_deref().or(client.config.default_redirect_uri.as_deref()) {
            Some(uri) if callbacks.iter().any(|c| c == uri) => uri.to_owned(),
            Some(_) => return Err(page("redirect_mismatch", "The redirect_uri is not one of the app client's callback URLs.")),
            None => return Err(page("invalid_request", "redirect_uri is required.")),
        };

        let (response_type, flow) = match r.response_type.as_deref() {
            Some("code") => (ResponseType::Code, OAuthFlowType::Code),
            Some("token") => (ResponseType::Token, OAuthFlowType::Implicit),
            _ => (ResponseType::Code, OAuthFlowType::Code),
        };
        let refuse = |error: &str, description: &str| {
            let mut params = vec![("error", error), ("error_description", description)];
            if let Some(state) = r.state.as_deref() {
                params.push(("state", state));
            }
            AuthorizeError::Redirect(redirect_with(&redirect_uri, response_type, &params))
        };
        if !matches!(r.response_type.as_deref(), Some("code" | "token")) {
            return Err(refuse("unsupported_response_type", "response_type must be code or token."));
        }
        if !client.config.allowed_oauth_flows.as_deref().unwrap_or_default().contains(&flow) {
            return Err(refuse("unauthorized_client", "The app client is not allowed this response_type."));
        }

        let allowed = client.config.allowed_oauth_scopes.as_deref().unwrap_or_default();
        let defined = self.custom_scopes(&client.pool_id).map_err(|_| refuse("server_error", "An internal error occurred."))?;
        let grantable = |s: &str| allowed.iter().any(|a| a == s) && (is_standard_scope(s) || defined.iter().any(|d| d == s));
        let scopes: Vec<&str> = match r.scope.as_deref().map(oauth::parse_scope) {
            Some(requested) if !requested.is_empty() => {
                if let Some(bad) = requested.iter().find(|s| !grantable(s)) {
                    return Err(refuse("invalid_scope", &format!("The scope {bad} is not allowed for this app client.")));
                }
                requested
            }
            _ => allowed.iter().map(String::as_str).filter(|s| grantable(s)).collect(),
        };

        let pkce = match (r.code_challenge.as_deref(), r.code_challenge_method.as_deref()) {
            (None, None) => None,
            (None, Some(_)) => return Err(refuse("invalid_request", "code_challenge_method needs a code_challenge.")),
            (Some(challenge), method) => {
                let method = method.unwrap_or("plain");
                if !matches!(method, "S256" | "plain") {
                    return Err(refuse("invalid_request", "code_challenge_method must be S256 or plain."));
                }
                if !is_pkce_value(challenge) {
                    return Err(refuse("invalid_request", "code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, -._~."));
                }
                Some((method.to_owned(), challenge.to_owned()))
            }
        };
        let supported = client.config.supported_identity_providers.as_deref().unwrap_or_default();
        let provider = match (r.identity_provider.as_deref(), r.idp_identifier.as_deref()) {
            (None | Some(COGNITO), None) => None,
            (Some(name), _) => {
                let known = self
                    .store
                    .get_identity_provider(&client.pool_id, name)
                    .map_err(|_| refuse("server_error", "An internal error occurred."))?;
                if known.is_none() || !supported.iter().any(|s| s == name) {
                    return Err(refuse("invalid_request", &format!("The identity provider {name} is not configured for this app client.")));
                }
                Some(name.to_owned())
            }
            (None, Some(identifier)) => {
                let found = self
                    .provider_by_identifier(&client.pool_id, identifier)
                    .map_err(|_| refuse("server_error", "An internal error occurred."))?;
                match found.filter(|p| supported.contains(&p.name)) {
                    Some(p) => Some(p.name),
                    None => return Err(refuse("invalid_request", "No identity provider of this app client has that idp_identifier.")),
                }
            }
        };
        if !matches!(r.prompt.as_deref(), None | Some("none" | "login" | "select_account" | "consent")) {
            return Err(refuse("invalid_request", "prompt must be none, login, select_account or consent."));
        }
        let scope = scopes.join(" ");
        Ok(Authorization {
            client: client.clone(),
            redirect_uri,
            response_type,
            scope,
            state: r.state.clone(),
            nonce: r.nonce.clone(),
            pkce,
            prompt: r.prompt.clone(),
            provider,
        })
    }

    /// The URL that opens the login pages for an app client (what Cognito's console calls
    /// "View login page"): the pool's domain's `/oauth2/authorize` with the client's flow, its
    /// scopes and `redirect_uri` (the one given, else its default, else its first callback).
    pub fn login_url(&self, pool_id: &str, client_id: &str, redirect_uri: Option<&str>) -> Result<String> {
        self.pool(pool_id)?;
        let client = self.pool_client(pool_id, client_id)?;
        let domain = self.pool_domain(pool_id)?.ok_or_else(|| {
            Error::InvalidParameter(format!(
                "User pool {pool_id} has no domain: create one (CreateUserPoolDomain) to serve its login pages."
            ))
        })?;
        let flows = client.config.allowed_oauth_flows.as_deref().unwrap_or_default();
        let response_type = if flows.contains(&OAuthFlowType::Code) {
            "code"
        } else if flows.contains(&OAuthFlowType::Implicit) {
            "token"
        } else {
            ""
        };
        if client.config.allowed_oauth_flows_user_pool_client != Some(true) || response_type.is_empty() {
            return Err(Error::InvalidParameter(format!(
                "App client {client_id} does not sign users in at the login pages: allow OAuth flows (AllowedOAuthFlowsUserPoolClient) with the code or implicit flow."
            )));
        }
        let callbacks = client.config.callback_urls.as_deref().unwrap_or_default();
        let redirect = match redirect_uri {
            Some(uri) if callbacks.iter().any(|c| c == uri) => uri,
            Some(uri) => return Err(Error::InvalidParameter(format!("{uri} is not one of the app client's callback URLs."))),
            None => client.config.default_redirect_uri.as_deref().or(callbacks.first().map(String::as_str)).unwrap_or_default(),
        };
        let scope = client.config.allowed_oauth_scopes.as_deref().unwrap_or_default().join(" ");
        let query =
            form_encode(&[("client_id", client_id), ("response_type", response_type), ("scope", &scope), ("redirect_uri", redirect)]);
        Ok(format!("{}/oauth2/authorize?{query}", self.domain_base_url(&domain.domain)))
    }

    /// Where to send the browser once `sub` signed in for `auth`: the redirect URI with a new
    /// authorization code, or (implicit flow) with tokens in its fragment; `state` always.
    pub fn complete_authorization(&self, auth: &Authorization, sub: &str) -> Result<String> {
        let state = auth.state.as_deref();
        let mut params: Vec<(&str, String)> = Vec::new();
        match auth.response_type {
            ResponseType::Code => {
                let code = self.random.token()?;
                let pending = PendingCode {
                    client_id: auth.client.client_id.clone(),
                    redirect_uri: auth.redirect_uri.clone(),
                    scope: auth.scope.clone(),
                    nonce: auth.nonce.clone(),
                    pkce: auth.pkce.clone(),
                    sub: sub.to_owned(),
                };
                self.store.put_challenge(&ChallengeRecord {
                    id: code_key(&code),
                    pool_id: auth.client.pool_id.clone(),
                    state: serde_json::to_string(&pending).map_err(Error::internal)?,
                    expires_ms: self.now() + CODE_TTL_MS,
                })?;
                params.push(("code", code));
            }
            ResponseType::Token => {
                let pool = self.pool(&auth.client.pool_id)?;
                let user = self.store.get_user_by_sub(&pool.id, sub)?.ok_or_else(|| Error::UserNotFound("User does not exist.".into()))?;
                let grant = Grant { scope: &auth.scope, nonce: auth.nonce.as_deref() };
                let tokens =
                    self.issue_tokens(&pool, &auth.client, &user, None, Some(&grant), Occasion::of("TokenGeneration_HostedAuth"))?;
                // The implicit flow never hands out a refresh token.
                if let Some(id) = tokens.id_token {
                    params.push(("id_token", id.0));
                }
                params.push(("access_token", tokens.access_token.map(|t| t.0).unwrap_or_default()));
                params.push(("token_type", "Bearer".into()));
                params.push(("expires_in", tokens.expires_in.unwrap_or_default().to_string()));
            }
        }
        if let Some(state) = state {
            params.push(("state", state.to_owned()));
        }
        let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Ok(redirect_with(&auth.redirect_uri, auth.response_type, &borrowed))
    }

    /// The `prompt=none` answer when nobody is signed in: `login_required` to the client.
    pub fn login_required(&self, auth: &Authorization) -> String {
        let mut params = vec![("error", "login_required"), ("error_description", "The user is not signed in.")];
        if let Some(state) = auth.state.as_deref() {
            params.push(("state", state));
        }
        redirect_with(&auth.redirect_uri, auth.response_type, &params)
    }

    /// Starts a single sign-on session for `sub` at the pool's login pages: the cookie's value.
    /// `saml`: the SAML provider's session it came from.
    pub fn start_sso(&self, pool_id: &str, sub: &str, saml: Option<&SamlSession>) -> Result<String> {
        let cookie = self.random.token()?;
        let session = SsoSession { sub: sub.to_owned(), saml: saml.cloned() };
        self.store.put_challenge(&ChallengeRecord {
            id: sso_key(&cookie),
            pool_id: pool_id.to_owned(),
            state: serde_json::to_string(&session).map_err(Error::internal)?,
            expires_ms: self.now() + SSO_TTL_MS,
        })?;
        Ok(cookie)
    }

    /// Who a session cookie signed in, if it is live, of this pool, and the user may still
    /// sign in (exists, enabled, confirmed or signed in through a provider).
    pub fn sso_user(&self, pool_id: &str, cookie: &str) -> Result<Option<String>> {
        let Some(record) = self.store.get_challenge(&sso_key(cookie))? else { return Ok(None) };
        if record.pool_id != pool_id || record.expires_ms <= self.now() {
            return Ok(None);
        }
        let Ok(session) = serde_json::from_str::<SsoSession>(&record.state) else { return Ok(None) };
        Ok(self
            .store
            .get_user_by_sub(pool_id, &session.sub)?
            .filter(|u| u.enabled && matches!(u.status, UserStatusType::Confirmed | UserStatusType::ExternalProvider))
            .map(|u| u.sub))
    }

    /// Ends a single sign-on session (`/logout`): the SAML provider session it began with, if
    /// any, to sign out of too.
    pub fn end_sso(&self, cookie: &str) -> Result<Option<SamlSession>> {
        let key = sso_key(cookie);
        let session = self.store.get_challenge(&key)?.and_then(|r| serde_json::from_str::<SsoSession>(&r.state).ok());
        self.store.take_challenge(&key, self.now())?;
        Ok(session.and_then(|s| s.saml))
    }

    /// The authorization_code grant: the code taken (so used once, even when the rest fails),
    /// then checked against the client, the redirect URI and the PKCE verifier.
    pub(super) fn exchange_code(
        &self,
        client: &AppClient,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<pooldesk_wire::cognito_idp::AuthenticationResultType> {
        let invalid = |why: &str| Error::NotAuthorized(why.to_owned());
        let key = code_key(code);
        let Some(record) = self.store.get_challenge(&key)? else {
            // RFC 6749 §4.1.2: a code presented again may have been stolen, so what its first
            // exchange issued is revoked.
            if let Some(redeemed) = self.store.get_challenge(&redeemed_key(code))? {
                self.store.revoke_session(&redeemed.state)?;
            }
            return Err(invalid("The authorization code is unknown or was used."));
        };
        if !self.store.take_challenge(&key, self.now())? {
            return Err(invalid("The authorization code is unknown or was used."));
        }
        if record.expires_ms <= self.now() {
            return Err(invalid("The authorization code has expired."));
        }
        let pending: PendingCode =
            serde_json::from_str(&record.state).map_err(|_| invalid("The authorization code is unknown or was used."))?;
        if pending.client_id != client.client_id {
            return Err(invalid("The authorization code was issued to another client."));
        }
        if pending.redirect_uri != redirect_uri {
            return Err(invalid("The redirect_uri is not the one the code was issued for."));
        }
        if let Some(pkce) = &pending.pkce
            && !verifier.is_some_and(|v| pkce_matches(pkce, v))
        {
            return Err(invalid("The code_verifier does not match the code_challenge."));
        }
        let pool = self.pool(&client.pool_id)?;
        let user = self
            .store
            .get_user_by_sub(&pool.id, &pending.sub)?
            .filter(|u| u.enabled)
            .ok_or_else(|| invalid("The user can no longer sign in."))?;
        let grant = Grant { scope: &pending.scope, nonce: pending.nonce.as_deref() };
        let tokens = self.issue_tokens(&pool, client, &user, None, Some(&grant), Occasion::of("TokenGeneration_HostedAuth"))?;
        if let Some(origin) = tokens.access_token.as_ref().and_then(|t| origin_of(&t.0)) {
            self.store.put_challenge(&ChallengeRecord {
                id: redeemed_key(code),
                pool_id: pool.id.clone(),
                state: origin,
                expires_ms: record.expires_ms,
            })?;
        }
        Ok(tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_and_plain_follow_rfc_7636() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let s256 = ("S256".to_owned(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned());
        assert!(pkce_matches(&s256, verifier));
        assert!(!pkce_matches(&s256, &verifier.replace('d', "e")));
        let plain = ("plain".to_owned(), verifier.to_owned());
        assert!(pkce_matches(&plain, verifier));
        assert!(!pkce_matches(&("plain".to_owned(), "short".to_owned()), "short"), "verifiers are 43 characters or more");
    }

    #[test]
    fn redirects_carry_parameters_in_the_query_or_the_fragment() {
        let code = redirect_with("https://app.example.com/cb?tenant=1", ResponseType::Code, &[("code", "abc"), ("state", "s 1&x")]);
        assert_eq!(code, "https://app.example.com/cb?tenant=1&code=abc&state=s+1%26x");
        let token = redirect_with("http://localhost:3000/cb", ResponseType::Token, &[("access_token", "t"), ("state", "s")]);
        assert_eq!(token, "http://localhost:3000/cb#access_token=t&state=s");
        assert_eq!(redirect_with("myapp://cb", ResponseType::Code, &[("code", "c")]), "myapp://cb?code=c");
    }
}
