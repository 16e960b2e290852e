//! Sign-in through an external provider. OpenID Connect (OIDC providers, Google, Sign in with
//! Apple): the login pages send the browser to
//! the provider's authorization endpoint (state, nonce, PKCE S256), the provider sends it
//! back to `<domain base>/oauth2/idpresponse` with a code, and here the code is exchanged
//! (client_secret_post, falling back to client_secret_basic when the provider refuses it), the
//! ID token verified against the provider's key set (signature by a maintained library,
//! issuer, audience, expiry, nonce), userinfo read, and the identity mapped to the pool's user:
//! the one linked to it (AdminLinkProviderForUser, or an earlier sign-in), else a new user
//! `<provider>_<sub>` in `EXTERNAL_PROVIDER` state, in the group `<poolId>_<provider>`.
//!
//! Facebook and Login with Amazon speak plain OAuth 2.0: the code buys an access token, and
//! their profile endpoint says whose it is.
//!
//! Key sets are kept for an hour and read again at once (at most every two seconds) when a
//! token names a key they lack, which is how a provider's key rotation shows.

use std::collections::BTreeMap;

use pooldesk_wire::cognito_idp::{self as w, IdentityProviderTypeType as Kind, UserStatusType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Authorization, UserPools, attributes};
use crate::error::{Error, Result};
use crate::store::{ChallengeRecord, Domain, Group, IdentityProvider, StoreError, User, UserData};
use crate::tokens::sha256_hex;
use crate::web::{JsonResponse, WebClient};

/// How long a provider's key set is used before it is read again.
const KEY_TTL_MS: i64 = 60 * 60 * 1000;
/// The least time between two reads of one key set for a key it did not have.
const KEY_REFETCH_MS: i64 = 2 * 1000;

/// Identity providers' key sets by URI, with when each was read.
#[derive(Default)]
pub(super) struct ProviderKeys(std::sync::Mutex<std::collections::HashMap<String, (jsonwebtoken::jwk::JwkSet, i64)>>);

impl ProviderKeys {
    fn get(&self, uri: &str, now_ms: i64) -> Option<(jsonwebtoken::jwk::JwkSet, i64)> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(uri).filter(|(_, fetched)| now_ms - fetched < KEY_TTL_MS).cloned()
    }

    fn put(&self, uri: &str, set: jsonwebtoken::jwk::JwkSet, now_ms: i64) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // A pool has few providers; a bound keeps a misconfigured one from growing this.
        if map.len() >= 256 {
            map.clear();
        }
        map.insert(uri.to_owned(), (set, now_ms));
    }
}

/// How long the provider may take to send the browser back.
pub(super) const FEDERATION_TTL_MS: i64 = 10 * 60 * 1000;

/// What is remembered while the browser is at the provider, under the `state` sent there.
#[derive(Serialize, Deserialize)]
pub(super) struct PendingFederation {
    /// The authorization request it serves, as the login pages carry it.
    pub(super) query: String,
    pub(super) domain: String,
    pub(super) provider: String,
    pub(super) nonce: String,
    pub(super) verifier: String,
    /// A SAML AuthnRequest's ID, which the response must answer.
    #[serde(default)]
    pub(super) request_id: Option<String>,
}

pub(super) fn pending_key(state: &str) -> String {
    format!("fed-{}", sha256_hex(state))
}

/// Why a federated sign-in failed: always shown on an error page (the client's redirect URI
/// is not known to be safe until the pending request is found).
pub(super) fn refused(why: impl Into<String>) -> Error {
    Error::NotAuthorized(why.into())
}

impl UserPools {
    fn web(&self) -> Result<&dyn WebClient> {
        self.web.as_deref().ok_or_else(|| Error::internal(anyhow::anyhow!("no web client to reach identity providers")))
    }

    /// Where the browser goes to sign in at `auth.provider`: its authorization endpoint, with
    /// a state that brings it back to this request (`query`) on `domain`.
    pub fn federation_start(&self, domain: &Domain, auth: &Authorization, query: &str) -> Result<String> {
        let name = auth.provider.as_deref().ok_or_else(|| Error::InvalidParameter("The request names no identity provider.".into()))?;
        let provider = self.identity_provider(&auth.client.pool_id, name)?;
        let kind = provider.config.provider_type.unwrap_or(Kind::Oidc);
        if kind == Kind::Saml {
            return self.saml_start(domain, &provider, query);
        }
        let details = provider.config.provider_details.clone().unwrap_or_default();
        let (state, nonce, verifier) = (self.random.token()?, self.random.token()?, self.random.token()?);
        let pending = PendingFederation {
            query: query.to_owned(),
            domain: domain.domain.clone(),
            provider: provider.name.clone(),
            nonce: nonce.clone(),
            verifier: verifier.clone(),
            request_id: None,
        };
        self.store.put_challenge(&ChallengeRecord {
            id: pending_key(&state),
            pool_id: provider.pool_id.clone(),
            state: serde_json::to_string(&pending).map_err(Error::internal)?,
            expires_ms: self.now() + FEDERATION_TTL_MS,
        })?;
        let challenge = {
            use base64::Engine;
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
        };
        let mut url = url::Url::parse(&details["authorize_url"]).map_err(Error::internal)?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &details["client_id"])
            .append_pair("redirect_uri", &self.idp_response_url(&domain.domain))
            .append_pair("scope", &details["authorize_scopes"])
            .append_pair("state", &state);
        if is_openid(kind) {
            url.query_pairs_mut()
                .append_pair("nonce", &nonce)
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256");
        }
        if kind == Kind::SignInWithApple {
            // Apple answers with a form posted to the redirect URI when it is asked for the
            // user's name or e-mail address.
            url.query_pairs_mut().append_pair("response_mode", "form_post");
        }
        Ok(url.into())
    }

    /// `<domain base>/oauth2/idpresponse`: where providers send the browser back.
    pub fn idp_response_url(&self, domain: &str) -> String {
        format!("{}/oauth2/idpresponse", self.domain_base_url(domain))
    }

    /// The provider sent the browser back with `code` (or `error`) for `state`: the user it
    /// signed in, and the authorization request to finish for them.
    /// `user` is what Sign in with Apple posts beside the code on a first sign-in (the name
    /// and e-mail address the user chose to share), as JSON.
    pub fn federation_finish(
        &self,
        domain: &Domain,
        state: &str,
        code: Option<&str>,
        error: Option<&str>,
        user: Option<&str>,
    ) -> Result<(String, String)> {
        let key = pending_key(state);
        let record = self.store.get_challenge(&key)?.ok_or_else(|| refused("This sign-in is unknown or was already finished."))?;
        if !self.store.take_challenge(&key, self.now())? || record.expires_ms <= self.now() {
            return Err(refused("This sign-in is unknown, expired, or was already finished."));
        }
        let pending: PendingFederation = serde_json::from_str(&record.state).map_err(Error::internal)?;
        if pending.domain != domain.domain {
            return Err(refused("This sign-in began at another domain."));
        }
        if let Some(error) = error {
            return Err(refused(format!("The identity provider {} refused the sign-in: {error}", pending.provider)));
        }
        let code = code.ok_or_else(|| refused("The identity provider sent no code."))?;
        let provider = self.identity_provider(&record.pool_id, &pending.provider)?;
        let mut claims = self.provider_claims(&provider, domain, code, &pending)?;
        if provider.config.provider_type == Some(Kind::SignInWithApple)
            && let Some(Value::Object(shared)) = user.and_then(|u| serde_json::from_str::<Value>(u).ok())
        {
            // {"name": {"firstName", "lastName"}, "email"}: sent once, on the first sign-in.
            if let Some(Value::Object(name)) = shared.get("name") {
                for (k, v) in name {
                    claims.entry(k.clone()).or_insert(v.clone());
                }
            }
            if let Some(email) = shared.get("email") {
                claims.entry("email".to_owned()).or_insert(email.clone());
            }
        }
        let kind = provider.config.provider_type.unwrap_or(Kind::Oidc);
        let subject = claim_text(claims.get(super::identity_providers::username_claim(kind)))
            .ok_or_else(|| refused("The identity provider named no subject."))?;
        let sub = self.federated_user(&provider, &subject, &claims)?;
        Ok((pending.query, sub))
    }

    /// The code exchanged, the ID token verified, userinfo merged: what the provider says of
    /// the user.
    fn provider_claims(
        &self,
        provider: &IdentityProvider,
        domain: &Domain,
        code: &str,
        pending: &PendingFederation,
    ) -> Result<Map<String, Value>> {
        let details = provider.config.provider_details.clone().unwrap_or_default();
        let web = self.web()?;
        let redirect_uri = self.idp_response_url(&domain.domain);
        let client_id = details["client_id"].as_str();
        let apple_secret = match provider.config.provider_type {
            Some(Kind::SignInWithApple) => Some(self.apple_client_secret(&details)?),
            _ => None,
        };
        let secret = apple_secret.as_deref().or(details.get("client_secret").map(String::as_str));
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", pending.verifier.as_str()),
            ("client_id", client_id),
        ];
        if let Some(secret) = secret {
            form.push(("client_secret", secret));
        }
        let unreachable = |e: String| refused(format!("The identity provider {} could not be reached: {e}", provider.name));
        let kind = provider.config.provider_type.unwrap_or(Kind::Oidc);
        if !is_openid(kind) {
            return self.oauth2_claims(provider, &details, code, &redirect_uri);
        }
        let mut answer = web.post_form(&details["token_url"], &form, None).map_err(unreachable)?;
        if let (401, Some(secret)) = (answer.status, secret) {
            // The provider wants client_secret_basic.
            form.retain(|(k, _)| *k != "client_secret" && *k != "client_id");
            answer = web.post_form(&details["token_url"], &form, Some((client_id, secret))).map_err(unreachable)?;
        }
        let field = |r: &JsonResponse, k: &str| r.body.get(k).and_then(Value::as_str).map(str::to_owned);
        if answer.status != 200 {
            let why = field(&answer, "error_description")
                .or_else(|| field(&answer, "error"))
                .unwrap_or_else(|| format!("HTTP {}", answer.status));
            return Err(refused(format!("The identity provider {} refused the code: {why}", provider.name)));
        }
        let id_token =
            field(&answer, "id_token").ok_or_else(|| refused(format!("The identity provider {} sent no ID token.", provider.name)))?;
        let mut claims = self.verify_provider_token(provider, &details, &id_token, Some(&pending.nonce))?;
        if let (Some(access), Some(url)) = (field(&answer, "access_token"), details.get("attributes_url")) {
            let url = &attributes_url(provider, url, &details, None);
            let info = if details.get("attributes_request_method").map(String::as_str) == Some("POST") {
                web.post_form(url, &[("access_token", &access)], None)
            } else {
                web.get_json(url, Some(&access))
            }
            .map_err(unreachable)?;
            if info.status != 200 {
                return Err(refused(format!("The identity provider {}'s userinfo answered HTTP {}.", provider.name, info.status)));
            }
            if info.body.get("sub") != claims.get("sub") {
                return Err(refused(format!("The identity provider {}'s userinfo is about another user.", provider.name)));
            }
            if let Value::Object(more) = info.body {
                for (k, v) in more {
                    claims.entry(k).or_insert(v);
                }
            }
        }
        Ok(claims)
    }

    /// Facebook and Login with Amazon: OAuth 2.0 without ID tokens. The code is exchanged at
    /// `token_url` (by GET for Facebook's Graph API, `token_request_method`), and the user is
    /// who `attributes_url` says the access token belongs to.
    fn oauth2_claims(
        &self,
        provider: &IdentityProvider,
        details: &BTreeMap<String, String>,
        code: &str,
        redirect_uri: &str,
    ) -> Result<Map<String, Value>> {
        let web = self.web()?;
        let unreachable = |e: String| refused(format!("The identity provider {} could not be reached: {e}", provider.name));
        let secret = details.get("client_secret").map_or("", String::as_str);
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", details["client_id"].as_str()),
            ("client_secret", secret),
        ];
        let answer = if details.get("token_request_method").map(String::as_str) == Some("GET") {
            let mut url = url::Url::parse(&details["token_url"]).map_err(Error::internal)?;
            url.query_pairs_mut().extend_pairs(&form[1..]);
            web.get_json(url.as_str(), None)
        } else {
            web.post_form(&details["token_url"], &form, None)
        }
        .map_err(unreachable)?;
        let access = answer.body.get("access_token").and_then(Value::as_str).filter(|_| answer.status == 200).ok_or_else(|| {
            let why =
                answer.body.pointer("/error/message").or_else(|| answer.body.get("error_description")).or_else(|| answer.body.get("error"));
            refused(format!(
                "The identity provider {} refused the code: {}",
                provider.name,
                why.map_or_else(|| format!("HTTP {}", answer.status), Value::to_string)
            ))
        })?;
        let kind = provider.config.provider_type.unwrap_or(Kind::Oidc);
        // The Graph API answers only the fields it is asked for: the user's id among them.
        let id = super::identity_providers::username_claim(kind);
        let url = attributes_url(provider, &details["attributes_url"], details, Some(id));
        let info = web.get_json(&url, Some(access)).map_err(unreachable)?;
        match info.body {
            Value::Object(claims) if info.status == 200 => Ok(claims),
            _ => Err(refused(format!("The identity provider {}'s profile answered HTTP {}.", provider.name, info.status))),
        }
    }

    /// Verifies a provider's ID token with jsonwebtoken against the key its key set names;
    /// `nonce`, the one this server sent (none for a token presented to the token exchange).
    fn verify_provider_token(
        &self,
        provider: &IdentityProvider,
        details: &BTreeMap<String, String>,
        token: &str,
        nonce: Option<&str>,
    ) -> Result<Map<String, Value>> {
        use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
        let bad = |why: &str| refused(format!("The ID token of {} is not valid: {why}", provider.name));
        let header = decode_header(token).map_err(|_| bad("it is not a JWT"))?;
        let allowed = [
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
        ];
        if !allowed.contains(&header.alg) {
            return Err(bad("its algorithm is not an asymmetric signature"));
        }
        let jwks_uri = match details.get("jwks_uri") {
            Some(uri) => uri.clone(),
            None => self.discovered_jwks_uri(&details["oidc_issuer"]).map_err(|e| bad(&e))?,
        };
        let pick = |set: &JwkSet| -> Option<jsonwebtoken::jwk::Jwk> {
            match &header.kid {
                Some(kid) => set.find(kid).cloned(),
                None if set.keys.len() == 1 => set.keys.first().cloned(),
                None => None,
            }
        };
        let now = self.now();
        let cached = self.provider_keys.get(&jwks_uri, now);
        let jwk = match cached.as_ref().and_then(|(set, _)| pick(set)) {
            Some(jwk) => jwk,
            // Unknown here: the provider may have rotated its keys. Fetched again, but not more
            // often than KEY_REFETCH_MS, so tokens with made-up key ids cannot make this server
            // hammer the provider.
            None if cached.as_ref().is_none_or(|(_, fetched)| now - fetched >= KEY_REFETCH_MS) => {
                let keys = self.web()?.get_json(&jwks_uri, None).map_err(|e| bad(&format!("its key set could not be read: {e}")))?;
                let set: JwkSet = serde_json::from_value(keys.body).map_err(|_| bad("the provider's key set is not a JWK set"))?;
                let jwk = pick(&set);
                self.provider_keys.put(&jwks_uri, set, now);
                jwk.ok_or_else(|| bad("no key of the provider's key set signed it"))?
            }
            None => return Err(bad("no key of the provider's key set signed it")),
        };
        let jwk = &jwk;
        let key = DecodingKey::from_jwk(jwk).map_err(|_| bad("the provider's key cannot verify it"))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[details["oidc_issuer"].trim_end_matches('/'), details["oidc_issuer"].as_str()]);
        validation.set_audience(&[details["client_id"].as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 60;
        let data = decode::<Map<String, Value>>(token, &key, &validation).map_err(|e| bad(&e.to_string()))?;
        if let Some(nonce) = nonce
            && data.claims.get("nonce").and_then(Value::as_str) != Some(nonce)
        {
            return Err(bad("its nonce is not the one sent"));
        }
        Ok(data.claims)
    }

    /// An OpenID provider's ID token presented to the token exchange: the user it names (made
    /// or refreshed as at a sign-in through the pages) and its expiry (seconds).
    pub(super) fn oidc_token_user(&self, provider: &IdentityProvider, token: &str) -> Result<(String, i64)> {
        let details = provider.config.provider_details.clone().unwrap_or_default();
        let claims = self.verify_provider_token(provider, &details, token, None)?;
        let kind = provider.config.provider_type.unwrap_or(Kind::Oidc);
        let subject = claim_text(claims.get(super::identity_providers::username_claim(kind)))
            .ok_or_else(|| refused("The identity provider named no subject."))?;
        let sub = self.federated_user(provider, &subject, &claims)?;
        Ok((sub, claims.get("exp").and_then(Value::as_i64).unwrap_or_default()))
    }

    /// A social provider's key set, named by its discovery document (Google's and Apple's
    /// are not among the details Cognito shows).
    fn discovered_jwks_uri(&self, issuer: &str) -> std::result::Result<String, String> {
        let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
        let doc = self.web().map_err(|e| e.to_string())?.get_json(&url, None)?;
        doc.body.get("jwks_uri").and_then(Value::as_str).map(str::to_owned).ok_or_else(|| format!("{url} names no jwks_uri"))
    }

    /// Sign in with Apple's client secret: a short-lived JWT (ES256) PoolDesk signs with the
    /// team's private key (`private_key`, `key_id`, `team_id`), as Apple requires.
    fn apple_client_secret(&self, details: &BTreeMap<String, String>) -> Result<String> {
        use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
        let bad = |why: &str| Error::InvalidUserPoolConfiguration(format!("The Sign in with Apple provider's private_key {why}."));
        let pem = details.get("private_key").ok_or_else(|| bad("is missing"))?;
        // A .p8 file: PKCS#8 in PEM armour.
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).map(str::trim).collect();
        let der = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| bad("is not a key in PEM"))?
        };
        let key = EncodingKey::from_ec_der(&der);
        let mut header = Header::new(Algorithm::ES256);
        header.kid = details.get("key_id").cloned();
        let now = self.clock.now_secs();
        let claims = json!({
            "iss": details.get("team_id"),
            "iat": now,
            "exp": now + 300,
            "aud": "https://appleid.apple.com",
            "sub": details.get("client_id"),
        });
        encode(&header, &claims, &key).map_err(|_| bad("cannot sign"))
    }

    /// The pool's user for the provider's identity `subject`: the linked one, with the mapped attributes
    /// refreshed, or a new one.
    pub(super) fn federated_user(&self, provider: &IdentityProvider, subject: &str, claims: &Map<String, Value>) -> Result<String> {
        let pool = self.pool(&provider.pool_id)?;
        let kind = provider.config.provider_type.unwrap_or(Kind::Oidc);
        let mapping = provider.config.attribute_mapping.clone().unwrap_or_default();
        let mut mapped = BTreeMap::new();
        for (ours, theirs) in mapping.iter().filter(|(ours, _)| *ours != "username") {
            if let Some(value) = claim_text(claims.get(theirs)) {
                mapped.insert(ours.clone(), value);
            }
        }
        // A provider's e-mail address is not verified unless the mapping says it is.
        let unverified = mapped.contains_key("email") && !mapped.contains_key("email_verified");
        if let Some(sub) = self.store.linked_user(&pool.id, &provider.name, subject)? {
            if let Some(mut user) = self.store.get_user_by_sub(&pool.id, &sub)? {
                if !user.enabled {
                    return Err(refused("User is disabled."));
                }
                // A user linked by an admin keeps what it verified itself.
                if unverified && user.status == UserStatusType::ExternalProvider {
                    mapped.insert("email_verified".into(), "false".into());
                }
                user.data.attributes.extend(mapped);
                self.save_user(&mut user)?;
                return Ok(user.sub);
            }
            self.store.unlink_identity(&pool.id, &provider.name, subject)?;
        }
        let now = self.now();
        let mut attrs = mapped;
        if unverified {
            attrs.insert("email_verified".into(), "false".into());
        }
        let identity = json!([{
            "userId": subject,
            "providerName": provider.name,
            "providerType": kind.as_str(),
            "issuer": null,
            "primary": "true",
            "dateCreated": now.to_string(),
        }]);
        attrs.insert("identities".into(), identity.to_string());
        attributes::check_required(&pool, &attrs)
            .map_err(|e| refused(format!("The identity provider did not give what this user pool requires: {e}")))?;
        let username = format!("{}_{subject}", provider.name);
        // A first sign-in through a provider is a sign-up: the pre sign-up function may refuse
        // it, or verify the e-mail address and phone number the provider gave.
        let given: Map<String, Value> = attrs.iter().filter(|(k, _)| *k != "identities").map(|(k, v)| (k.clone(), json!(v))).collect();
        let request = json!({"userAttributes": given, "validationData": {}, "clientMetadata": {}});
        let decided = self.pre_sign_up(&pool, "PreSignUp_ExternalProvider", &username, None, request, &attrs)?;
        if decided.auto_verify_email {
            attrs.insert("email_verified".into(), "true".into());
        }
        if decided.auto_verify_phone {
            attrs.insert("phone_number_verified".into(), "true".into());
        }
        let user = User {
            pool_id: pool.id.clone(),
            key: Self::user_key(&pool, &username),
            username,
            sub: self.random.uuid()?,
            status: UserStatusType::ExternalProvider,
            enabled: true,
            created_ms: now,
            modified_ms: now,
            version: 0,
            data: UserData { attributes: attrs, ..Default::default() },
        };
        self.store.insert_user(&user).map_err(|e| match e {
            StoreError::Conflict(_) => refused("A user for this identity already exists."),
            other => other.into(),
        })?;
        match self.store.link_identity(&pool.id, &provider.name, subject, &user.sub, now) {
            Ok(()) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let group = format!("{}_{}", pool.id, provider.name);
        if self.store.get_group(&pool.id, &group)?.is_none() {
            let created = Group {
                pool_id: pool.id.clone(),
                name: group.clone(),
                config: w::GroupType {
                    group_name: Some(group.clone()),
                    user_pool_id: Some(pool.id.clone()),
                    description: Some(format!("Autogenerated group for users who sign in using {}", provider.name)),
                    ..Default::default()
                },
                created_ms: now,
                modified_ms: now,
            };
            match self.store.create_group(&created) {
                Ok(()) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.store.add_to_group(&pool.id, &group, &user.sub)?;
        Ok(user.sub)
    }
}

/// The profile URL to read: one ending in `=` with `attributes_url_add_attributes` takes the
/// names of the attributes wanted (Google's people API, Facebook's Graph API): `first`, then
/// the mapped ones.
fn attributes_url(provider: &IdentityProvider, url: &str, details: &BTreeMap<String, String>, first: Option<&str>) -> String {
    if !url.ends_with('=') || details.get("attributes_url_add_attributes").map(String::as_str) != Some("true") {
        return url.to_owned();
    }
    let mut names: Vec<&str> = first.into_iter().collect();
    for (ours, theirs) in provider.config.attribute_mapping.iter().flatten() {
        if ours != "username" && !names.contains(&theirs.as_str()) {
            names.push(theirs);
        }
    }
    format!("{url}{}", names.join(","))
}

/// Whether the provider signs users in with OpenID Connect (an ID token, nonce and PKCE), not
/// plain OAuth 2.0 (Facebook, Login with Amazon).
pub(super) fn is_openid(kind: Kind) -> bool {
    matches!(kind, Kind::Oidc | Kind::Google | Kind::SignInWithApple)
}

/// A claim as an attribute's text: strings as they are, booleans and numbers written out.
fn claim_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}
