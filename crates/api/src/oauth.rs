//! The OAuth 2.0 endpoints' operations, as every door calls them: a domain's token endpoint,
//! audited like the admin operations (the actor is the app client, the outcome the OAuth error).

use pooldesk_core::store::Domain;
use pooldesk_core::user_pools::{Authorization, OAuthError, TOKEN_EXCHANGE, TokenRequest, TokenResponse};

use crate::Api;

impl Api {
    /// The domain a request names, by its name (`myapp`, `auth.example.com`).
    pub fn domain(&self, name: &str) -> Result<Option<Domain>, pooldesk_core::Error> {
        self.pools.domain(name)
    }

    /// `POST /oauth2/token` of `domain`, from `source` (the client's address). Every grant and
    /// every refusal is recorded in the audit log as `OAuth2.<grant type>`.
    pub fn oauth_token(&self, domain: &Domain, request: &TokenRequest, source: &str) -> Result<TokenResponse, OAuthError> {
        let result = self.pools.oauth_token(domain, request);
        // Only the grant types there are, so a caller cannot write what it likes into the log.
        let grant = request
            .grant_type
            .as_deref()
            .filter(|g| matches!(*g, "authorization_code" | "refresh_token" | "client_credentials" | TOKEN_EXCHANGE))
            .unwrap_or("unsupported");
        let client: String = request.client_id.as_deref().unwrap_or("-").chars().take(128).collect();
        let client = client.as_str();
        let resource = serde_json::json!({ "UserPoolId": domain.pool_id, "ClientId": client }).to_string();
        let outcome = result.as_ref().map(|_| &b""[..]).map_err(|e| e.error);
        pooldesk_core::audit::record(&*self.store, &*self.clock, client, source, &format!("OAuth2.{grant}"), resource.as_bytes(), outcome);
        result
    }

    /// A sign-in at a login page succeeded: its code or tokens, and where the browser goes
    /// with them. Audited as `OAuth2.SignIn`, the actor being the app client.
    pub fn complete_sign_in(&self, auth: &Authorization, sub: &str, source: &str) -> Result<String, pooldesk_core::Error> {
        let result = self.pools.complete_authorization(auth, sub);
        self.record_sign_in(auth, result.as_ref().map(|_| ()).map_err(|e| e.wire_code()), source);
        result
    }

    /// A sign-in at a login page failed (wrong password, wrong code, ...): audited with the
    /// error's name.
    pub fn record_sign_in_failure(&self, auth: &Authorization, code: &str, source: &str) {
        self.record_sign_in(auth, Err(code), source);
    }

    fn record_sign_in(&self, auth: &Authorization, outcome: Result<(), &str>, source: &str) {
        let client = &auth.client;
        let resource = serde_json::json!({ "UserPoolId": client.pool_id, "ClientId": client.client_id }).to_string();
        let outcome = outcome.map(|()| &b""[..]);
        pooldesk_core::audit::record(&*self.store, &*self.clock, &client.client_id, source, "OAuth2.SignIn", resource.as_bytes(), outcome);
    }
}
