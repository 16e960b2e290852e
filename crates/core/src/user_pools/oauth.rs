//! OAuth 2.0 for app clients: their OAuth settings (checked as Cognito checks them), the token
//! endpoint's grants, and GetClientToken, which is the `client_credentials` grant as an API
//! operation. The HTTP door decodes requests into [`TokenRequest`]; everything else is here.

use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, OAuthFlowType};
use serde::Serialize;
use serde_json::{Map, json};

use std::collections::BTreeMap;

use super::UserPools;
use super::clients::validity;
use crate::error::{Error, Result};
use crate::oauth::{self, check_redirect_uri, is_standard_scope};
use crate::store::{AppClient, Domain};

/// A request to `/oauth2/token`, as the HTTP door decoded it. The client's credentials come
/// from the `Authorization: Basic` header (client_secret_basic) or the body (client_secret_post).
#[derive(Default, Clone)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scope: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    /// `/oauth2/revoke`'s token.
    pub token: Option<String>,
    /// The token exchange grant's parameters (RFC 8693 §2.1).
    pub subject_token: Option<String>,
    pub subject_token_type: Option<String>,
    pub actor_token: Option<String>,
    pub actor_token_type: Option<String>,
    pub audience: Option<String>,
    pub resource: Option<String>,
    pub requested_token_type: Option<String>,
    /// `aws_client_metadata`: a JSON object of strings for the pre token generation trigger
    /// of a `client_credentials` grant (Cognito's extension).
    pub aws_client_metadata: Option<String>,
}

/// RFC 8693's grant type.
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// RFC 8693's token type URIs, and the kinds Cognito names them by.
const TOKEN_TYPES: [(&str, w::TokenTypeIdentifierType); 3] = [
    ("urn:ietf:params:oauth:token-type:access_token", w::TokenTypeIdentifierType::AccessToken),
    ("urn:ietf:params:oauth:token-type:id_token", w::TokenTypeIdentifierType::IdToken),
    ("urn:ietf:params:oauth:token-type:saml2", w::TokenTypeIdentifierType::Saml2),
];

/// The token endpoint's answer (RFC 6749 §5.1).
#[derive(Serialize)]
pub struct TokenResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub token_type: &'static str,
    /// A token exchange's: what `access_token` holds (RFC 8693 §2.2.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl TokenResponse {
    fn bearer(access_token: String, expires_in: i64) -> Self {
        TokenResponse {
            id_token: None,
            access_token,
            refresh_token: None,
            expires_in,
            token_type: "Bearer",
            issued_token_type: None,
            scope: None,
        }
    }
}

impl From<w::AuthenticationResultType> for TokenResponse {
    fn from(result: w::AuthenticationResultType) -> Self {
        TokenResponse {
            id_token: result.id_token.map(|t| t.0),
            refresh_token: result.refresh_token.map(|t| t.0),
            ..TokenResponse::bearer(
                result.access_token.map(|t| t.0).unwrap_or_default(),
                result.expires_in.map(i64::from).unwrap_or_default(),
            )
        }
    }
}

/// An OAuth 2.0 error (RFC 6749 §5.2), with Cognito's codes: `invalid_request`,
/// `invalid_client`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type`,
/// `invalid_scope`; `server_error` when the fault is PoolDesk's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError { error, description: description.into() }
    }

    /// 400 for the client's errors, 500 for the server's.
    pub fn status(&self) -> u16 {
        if self.error == "server_error" { 500 } else { 400 }
    }

    /// An operation's error met on the way: internal faults stay internal (and are logged).
    fn from_error(e: Error, error: &'static str) -> Self {
        if e.is_internal() {
            tracing::error!("OAuth token endpoint: {e:#}");
            return OAuthError::new("server_error", "An internal error occurred.");
        }
        OAuthError::new(error, e.client_message())
    }
}

/// Where the browser goes after `/logout`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logout {
    /// A registered sign-out URL.
    To(String),
    /// The login page again, for the same authorization request.
    SignInAgain,
}

/// Scopes granted to a client for itself, and the token that carries them.
struct ClientToken {
    access_token: String,
    expires_in: i64,
}

fn has_flow(client: &AppClient, flow: OAuthFlowType) -> bool {
    client.config.allowed_oauth_flows.as_deref().unwrap_or_default().contains(&flow)
}

impl UserPools {
    /// Checks an app client's OAuth settings as Cognito does on Create/UpdateUserPoolClient.
    pub(super) fn check_oauth_settings(&self, pool_id: &str, c: &w::UserPoolClientType, has_secret: bool) -> Result<()> {
        let flows = c.allowed_oauth_flows.as_deref().unwrap_or_default();
        let scopes = c.allowed_oauth_scopes.as_deref().unwrap_or_default();
        let callbacks = c.callback_urls.as_deref().unwrap_or_default();
        if flows.contains(&OAuthFlowType::ClientCredentials) {
            if flows.len() > 1 {
                return Err(Error::InvalidOAuthFlow(
                    "client_credentials flow can not be selected along with code flow or implicit flow.".into(),
                ));
            }
            if !has_secret {
                return Err(Error::InvalidOAuthFlow(
                    "client_credentials flow can not be selected if client does not have a client secret.".into(),
                ));
            }
        }
        if c.allowed_oauth_flows_user_pool_client == Some(true) {
            if flows.is_empty() {
                return Err(Error::InvalidOAuthFlow("AllowedOAuthFlows is required when AllowedOAuthFlowsUserPoolClient is true.".into()));
            }
            if scopes.is_empty() {
                return Err(Error::InvalidParameter("AllowedOAuthScopes is required when AllowedOAuthFlowsUserPoolClient is true.".into()));
            }
            if callbacks.is_empty() && flows.iter().any(|f| matches!(f, OAuthFlowType::Code | OAuthFlowType::Implicit)) {
                return Err(Error::InvalidParameter("CallbackURLs is required for the code and implicit flows.".into()));
            }
        }
        for (member, urls) in [("CallbackURLs", callbacks), ("LogoutURLs", c.logout_urls.as_deref().unwrap_or_default())] {
            for url in urls {
                check_redirect_uri(url).map_err(|why| Error::InvalidParameter(format!("Invalid {member}: {why}")))?;
            }
        }
        if let Some(default) = &c.default_redirect_uri
            && !callbacks.contains(default)
        {
            return Err(Error::InvalidParameter("DefaultRedirectURI must be one of the CallbackURLs.".into()));
        }
        let custom: Vec<&str> = scopes.iter().map(String::as_str).filter(|s| !is_standard_scope(s)).collect();
        if !custom.is_empty() {
            let defined = self.custom_scopes(pool_id)?;
            if let Some(missing) = custom.iter().find(|s| !defined.iter().any(|d| d == *s)) {
                return Err(Error::ScopeDoesNotExist(format!("Invalid scope requested: {missing}")));
            }
        }
        for provider in c.supported_identity_providers.as_deref().unwrap_or_default() {
            if provider != "COGNITO" && self.store.get_identity_provider(pool_id, provider)?.is_none() {
                return Err(Error::InvalidParameter(format!("The provider {provider} does not exist for User Pool {pool_id}")));
            }
        }
        Ok(())
    }

    /// The token endpoint of `domain`'s pool.
    pub fn oauth_token(&self, domain: &Domain, r: &TokenRequest) -> std::result::Result<TokenResponse, OAuthError> {
        let grant = r.grant_type.as_deref().ok_or_else(|| OAuthError::new("invalid_request", "grant_type is required."))?;
        if !matches!(grant, "authorization_code" | "refresh_token" | "client_credentials" | TOKEN_EXCHANGE) {
            return Err(OAuthError::new("unsupported_grant_type", format!("The grant type {grant} is not supported.")));
        }
        let client = self.authenticate_client(domain, r)?;
        if grant == TOKEN_EXCHANGE {
            // Allowed by the client's ExplicitAuthFlows, as GetDerivedToken, not by its OAuth flows.
            return self.exchange_at_endpoint(&client, r);
        }
        if client.config.allowed_oauth_flows_user_pool_client != Some(true) {
            return Err(OAuthError::new("unauthorized_client", "The client is not allowed OAuth flows (AllowedOAuthFlowsUserPoolClient)."));
        }
        match grant {
            "client_credentials" => {
                if !has_flow(&client, OAuthFlowType::ClientCredentials) || !client.has_secret() {
                    return Err(OAuthError::new("unauthorized_client", "The client is not allowed the client_credentials grant."));
                }
                let requested = r.scope.as_deref().map(oauth::parse_scope);
                let metadata = match r.aws_client_metadata.as_deref() {
                    None => None,
                    Some(json) => Some(
                        serde_json::from_str::<BTreeMap<String, String>>(json)
                            .map_err(|_| OAuthError::new("invalid_request", "aws_client_metadata must be a JSON object of strings."))?,
                    ),
                };
                let token = self.client_token(&client, requested.as_deref(), metadata.as_ref()).map_err(|e| match e {
                    Error::ScopeDoesNotExist(_) => OAuthError::from_error(e, "invalid_scope"),
                    other => OAuthError::from_error(other, "invalid_request"),
                })?;
                Ok(TokenResponse::bearer(token.access_token, token.expires_in))
            }
            "refresh_token" => {
                if !has_flow(&client, OAuthFlowType::Code) {
                    return Err(OAuthError::new(
                        "unauthorized_client",
                        "The client is not allowed to refresh tokens here: it has no code flow.",
                    ));
                }
                let token = r.refresh_token.as_deref().ok_or_else(|| OAuthError::new("invalid_request", "refresh_token is required."))?;
                let result = self.refresh_tokens(&client, token, None).map_err(|e| OAuthError::from_error(e, "invalid_grant"))?;
                Ok(TokenResponse::from(result))
            }
            _ => {
                if !has_flow(&client, OAuthFlowType::Code) {
                    return Err(OAuthError::new("unauthorized_client", "The client is not allowed the code grant."));
                }
                let required = |v: &Option<String>, name: &str| {
                    v.clone().ok_or_else(|| OAuthError::new("invalid_request", format!("{name} is required.")))
                };
                let code = required(&r.code, "code")?;
                let redirect_uri = required(&r.redirect_uri, "redirect_uri")?;
                let result = self
                    .exchange_code(&client, &code, &redirect_uri, r.code_verifier.as_deref())
                    .map_err(|e| OAuthError::from_error(e, "invalid_grant"))?;
                Ok(TokenResponse::from(result))
            }
        }
    }

    /// `/oauth2/revoke`: ends the session of a refresh token, as RevokeToken does. The client
    /// authenticates as at the token endpoint.
    pub fn oauth_revoke(&self, domain: &Domain, r: &TokenRequest) -> std::result::Result<(), OAuthError> {
        let id = r.client_id.as_deref().ok_or_else(|| OAuthError::new("invalid_request", "client_id is required."))?;
        let client = self
            .store
            .get_client(id)
            .map_err(|e| OAuthError::from_error(e.into(), "invalid_client"))?
            .filter(|c| c.pool_id == domain.pool_id)
            .ok_or_else(|| OAuthError::new("invalid_client", "Client authentication failed."))?;
        let token = r.token.clone().ok_or_else(|| OAuthError::new("invalid_request", "token is required."))?;
        self.op_revoke_token(w::RevokeTokenRequest {
            token: Sensitive(token),
            client_id: client.client_id.clone(),
            client_secret: r.client_secret.clone().map(Sensitive),
            revoke_associated_sessions: None,
        })
        .map(|_| ())
        .map_err(|e| match e {
            Error::Unsupported(_) => OAuthError::from_error(e, "unsupported_token_type"),
            Error::Unauthorized(_) | Error::NotAuthorized(_) => OAuthError::new("invalid_client", "Client authentication failed."),
            other => OAuthError::from_error(other, "invalid_request"),
        })
    }

    /// `/oauth2/userInfo`: the signed-in user's claims for an access token with `openid`.
    /// `sub` and `username` always; `email`/`phone` scopes add those attributes (and whether
    /// they are verified, as strings, as Cognito answers), `profile` every attribute.
    pub fn user_info(&self, access_token: &str) -> Result<Map<String, serde_json::Value>> {
        let (_, user, claims) = self.reading_together(|| self.authenticate_reads(access_token, "openid"))?;
        let scopes: Vec<&str> = claims.get("scope").and_then(|s| s.as_str()).unwrap_or_default().split(' ').collect();
        let mut out = Map::new();
        out.insert("sub".into(), json!(user.sub));
        for (name, value) in &user.data.attributes {
            let wanted = scopes.contains(&"profile")
                || (scopes.contains(&"email") && matches!(name.as_str(), "email" | "email_verified"))
                || (scopes.contains(&"phone") && matches!(name.as_str(), "phone_number" | "phone_number_verified"));
            if wanted && !name.starts_with("dev:") {
                out.insert(name.clone(), json!(value));
            }
        }
        out.insert("username".into(), json!(user.username));
        Ok(out)
    }

    /// Where `/logout` sends the browser: to a registered sign-out URL (`logout_uri`), or back
    /// to the login page for a new sign-in (`redirect_uri` and `response_type`, checked as an
    /// authorization request). Anything else is an error page, never an unchecked redirect.
    pub fn logout(
        &self,
        domain: &Domain,
        r: &crate::user_pools::AuthorizeRequest,
        logout_uri: Option<&str>,
    ) -> std::result::Result<Logout, crate::user_pools::AuthorizeError> {
        use crate::user_pools::AuthorizeError;
        let page = |description: &str| AuthorizeError::Page { error: "invalid_request", description: description.to_owned() };
        let client_id = r.client_id.as_deref().ok_or_else(|| page("client_id is required."))?;
        let client = match self.store.get_client(client_id) {
            Ok(Some(c)) if c.pool_id == domain.pool_id => c,
            _ => return Err(page("The client_id is not an app client of this user pool.")),
        };
        if let Some(uri) = logout_uri {
            if !client.config.logout_urls.as_deref().unwrap_or_default().iter().any(|u| u == uri) {
                return Err(page("The logout_uri is not one of the app client's sign-out URLs."));
            }
            return Ok(Logout::To(uri.to_owned()));
        }
        if r.redirect_uri.is_some() && r.response_type.is_some() {
            self.authorize(domain, r)?;
            return Ok(Logout::SignInAgain);
        }
        Err(page("Give a logout_uri, or a redirect_uri and a response_type."))
    }

    /// The token exchange grant: GetDerivedToken's exchange with RFC 8693's parameters
    /// (one `audience` or `resource`; `scope` space-separated) and answer (the issued token in
    /// `access_token`, its kind in `issued_token_type`, `token_type` `N_A` for an ID token).
    fn exchange_at_endpoint(&self, client: &AppClient, r: &TokenRequest) -> std::result::Result<TokenResponse, OAuthError> {
        let kind = |uri: &Option<String>, name: &str| -> std::result::Result<Option<w::TokenTypeIdentifierType>, OAuthError> {
            let Some(uri) = uri else { return Ok(None) };
            match TOKEN_TYPES.iter().find(|(u, _)| u == uri) {
                Some((_, kind)) => Ok(Some(*kind)),
                None => Err(OAuthError::new("invalid_request", format!("{name} {uri} is not a token type this server exchanges."))),
            }
        };
        let subject = r.subject_token.as_deref().ok_or_else(|| OAuthError::new("invalid_request", "subject_token is required."))?;
        let subject_kind = kind(&r.subject_token_type, "subject_token_type")?
            .ok_or_else(|| OAuthError::new("invalid_request", "subject_token_type is required."))?;
        let actor = match (&r.actor_token, kind(&r.actor_token_type, "actor_token_type")?) {
            (Some(token), Some(kind)) => Some(super::Presented { token, kind, provider: None }),
            (None, None) => None,
            _ => return Err(OAuthError::new("invalid_request", "actor_token and actor_token_type go together.")),
        };
        let requested = match kind(&r.requested_token_type, "requested_token_type")? {
            None | Some(w::TokenTypeIdentifierType::AccessToken) => w::IssuedTokenTypeIdentifierType::AccessToken,
            Some(w::TokenTypeIdentifierType::IdToken) => w::IssuedTokenTypeIdentifierType::IdToken,
            Some(w::TokenTypeIdentifierType::Saml2) => {
                return Err(OAuthError::new("invalid_request", "This server cannot issue a SAML assertion."));
            }
        };
        let exchange = super::Exchange {
            subject: super::Presented { token: subject, kind: subject_kind, provider: None },
            actor,
            scopes: r.scope.as_deref().map(oauth::parse_scope),
            audience: r.audience.as_deref(),
            resource: r.resource.as_deref(),
            requested,
        };
        let derived = self.derive_token(client, &exchange).map_err(|refusal| match refusal {
            super::Refusal::Client(e) => OAuthError::from_error(e, "unauthorized_client"),
            super::Refusal::Token(e) => OAuthError::from_error(e, "invalid_grant"),
            super::Refusal::Scope(e) => OAuthError::from_error(e, "invalid_scope"),
            super::Refusal::Target(e) => OAuthError::from_error(e, "invalid_target"),
            super::Refusal::Request(e) => OAuthError::from_error(e, "invalid_request"),
        })?;
        let (issued_type, token_type) = match derived.kind {
            w::IssuedTokenTypeIdentifierType::AccessToken => (TOKEN_TYPES[0].0, "Bearer"),
            w::IssuedTokenTypeIdentifierType::IdToken => (TOKEN_TYPES[1].0, "N_A"),
        };
        Ok(TokenResponse {
            issued_token_type: Some(issued_type),
            scope: Some(derived.scopes.join(" ")),
            token_type,
            ..TokenResponse::bearer(derived.token, derived.expires_in)
        })
    }

    /// The app client a token request names, if its credentials are right: its secret when it
    /// has one (compared in constant time), none when it has none. The client must belong to
    /// the domain's pool.
    fn authenticate_client(&self, domain: &Domain, r: &TokenRequest) -> std::result::Result<std::sync::Arc<AppClient>, OAuthError> {
        let failed = || OAuthError::new("invalid_client", "Client authentication failed.");
        let id = r.client_id.as_deref().ok_or_else(|| OAuthError::new("invalid_request", "client_id is required."))?;
        let client = self
            .store
            .get_client(id)
            .map_err(|e| OAuthError::from_error(e.into(), "invalid_client"))?
            .filter(|c| c.pool_id == domain.pool_id)
            .ok_or_else(failed)?;
        match &r.client_secret {
            None if !client.has_secret() => {}
            Some(given) if client.secret_matches(given) => {}
            _ => return Err(failed()),
        }
        Ok(client)
    }

    /// An access token for the client itself (client_credentials): the scopes requested, or
    /// all its custom scopes when none are. Each must be allowed to the client and still
    /// defined by a resource server (`ScopeDoesNotExist` otherwise). A `V3_0` pre token
    /// generation function may then change its claims and scopes.
    fn client_token(
        &self,
        client: &AppClient,
        requested: Option<&[&str]>,
        client_metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<ClientToken> {
        let allowed = client.config.allowed_oauth_scopes.as_deref().unwrap_or_default();
        let defined = self.custom_scopes(&client.pool_id)?;
        let grantable = |s: &str| !is_standard_scope(s) && allowed.iter().any(|a| a == s) && defined.iter().any(|d| d == s);
        let scopes: Vec<&str> = match requested {
            Some(requested) if !requested.is_empty() => {
                if let Some(refused) = requested.iter().find(|s| !grantable(s)) {
                    return Err(Error::ScopeDoesNotExist(format!("Invalid scope requested: {refused}")));
                }
                requested.to_vec()
            }
            _ => allowed.iter().map(String::as_str).filter(|s| grantable(s)).collect(),
        };
        if scopes.is_empty() {
            return Err(Error::ScopeDoesNotExist("The client has no custom scopes to grant.".into()));
        }
        let expires_in = validity(&client.config).access;
        let now = self.clock.now_secs();
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(client.client_id));
        claims.insert("token_use".into(), json!("access"));
        claims.insert("scope".into(), json!(scopes.join(" ")));
        claims.insert("auth_time".into(), json!(now));
        claims.insert("iss".into(), json!(self.issuer(&client.pool_id)));
        claims.insert("exp".into(), json!(now + expires_in));
        claims.insert("iat".into(), json!(now));
        claims.insert("version".into(), json!(2));
        claims.insert("jti".into(), json!(self.random.uuid()?));
        claims.insert("client_id".into(), json!(client.client_id));
        let pool = self.pool(&client.pool_id)?;
        if let Some(overrides) = self.client_credentials_token_generation(&pool, &client.client_id, &scopes, client_metadata)? {
            overrides.apply(&mut claims, false);
            claims.insert("scope".into(), json!(overrides.scopes(&scopes.join(" "))));
        }
        let access_token = self.signer(&client.pool_id)?.sign(&claims)?;
        Ok(ClientToken { access_token, expires_in })
    }

    /// GetClientToken: the client_credentials grant as an operation. The model documents an
    /// `ALLOW_CLIENT_TOKEN_AUTH` flow its own `ExplicitAuthFlowsType` cannot express, so the
    /// client must allow the `client_credentials` OAuth flow instead, as at `/oauth2/token`.
    pub(super) fn op_get_client_token(&self, r: w::GetClientTokenRequest) -> Result<w::GetClientTokenResponse> {
        let failed = || Error::NotAuthorized("Client authentication failed.".into());
        let client = self.store.get_client(&r.client_id)?.ok_or_else(failed)?;
        if !client.secret_matches(&r.secret.0) {
            return Err(failed());
        }
        if client.config.allowed_oauth_flows_user_pool_client != Some(true) || !has_flow(&client, OAuthFlowType::ClientCredentials) {
            return Err(Error::InvalidParameter("The app client is not allowed the client_credentials flow.".into()));
        }
        let requested: Option<Vec<&str>> = r.scopes.as_ref().map(|s| s.iter().map(String::as_str).collect());
        let token = self.client_token(&client, requested.as_deref(), r.client_metadata.as_ref()).map_err(|e| match e {
            Error::ScopeDoesNotExist(m) => Error::InvalidParameter(m),
            other => other,
        })?;
        Ok(w::GetClientTokenResponse {
            client_authentication_result: Some(w::ClientAuthenticationResultType {
                access_token: Some(Sensitive(token.access_token)),
                expires_in: Some(i32::try_from(token.expires_in).unwrap_or(i32::MAX)),
                token_type: Some("Bearer".into()),
            }),
        })
    }
}
