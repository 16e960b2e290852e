//! The cognito-identity operations behind [`IdentityPools`], plus what STS and the
//! `PoolDesk.SimulateRoleMapping` extension need: opening session tokens, the classic flow's
//! AssumeRoleWithWebIdentity, and role simulation.

use std::collections::BTreeMap;
use std::sync::Arc;

use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_identity::{self as w};
use serde_json::{Map, Value, json};

use super::credentials::{CredentialError, CredentialsKey, SessionClaims, TemporaryCredentials};
use super::role_mapping::{self, RoleDecision, RoleError, RoleInput, RuleOutcome};
use crate::clock::{Clock, to_wire};
use crate::error::{Error, Result};
use crate::random::Random;
use crate::store::{IdentityPoolRecord, IdentityRecord, SigningKey, Store, StoreError};
use crate::tokens::{self, Signer};
use crate::user_pools::{Context, UserPools};

/// The login name under which identity pools accept their own OpenID tokens, as in AWS.
pub const DEVELOPER_LOGIN: &str = "cognito-identity.amazonaws.com";
/// Temporary credentials live one hour, like Cognito's.
const CREDENTIALS_TTL_MS: i64 = 3600 * 1000;
const SESSION_NAME: &str = "CognitoIdentityCredentials";

/// A login whose token checked out.
#[derive(Debug, Clone)]
struct VerifiedLogin {
    /// The provider as identities are linked and role mappings looked up.
    provider: String,
    subject: String,
    claims: Map<String, Value>,
    /// A SAML login's roles: those its assertion's Role attribute pairs with the provider.
    asserted_roles: Option<Vec<String>>,
}

/// Fetches an OpenID provider's signing keys: the JWKS named by
/// `{issuer}/.well-known/openid-configuration`. Implemented by an adapter that can do HTTP.
pub trait JwksSource: Send + Sync {
    fn fetch(&self, issuer: &str) -> std::result::Result<Value, String>;
}

/// How long fetched provider keys are trusted before they are fetched again.
const JWKS_TTL_MS: i64 = 10 * 60 * 1000;
/// An unknown `kid` refetches at most this often, so bad tokens cannot hammer the provider.
const JWKS_REFETCH_MS: i64 = 60 * 1000;

pub struct IdentityPools {
    pub(super) store: Arc<dyn Store>,
    pub(super) clock: Arc<dyn Clock>,
    /// The user pools' source: one per server, so a test that pins it pins both.
    pub(super) random: Arc<dyn Random>,
    user_pools: Arc<UserPools>,
    credentials: CredentialsKey,
    openid: Arc<Signer>,
    jwks_source: Option<Arc<dyn JwksSource>>,
    /// How Facebook's and Amazon's token endpoints are reached.
    web: Option<Arc<dyn crate::web::WebClient>>,
    /// Provider keys by issuer: when fetched, and the JWKS.
    jwks_cache: std::sync::Mutex<BTreeMap<String, (i64, jsonwebtoken::jwk::JwkSet)>>,
    /// IAM SAML providers' metadata as read, by ARN, with the modification time it was read at.
    pub(super) saml_metadata: super::saml::MetadataCache,
}

/// The `Logins` keys of the social providers whose ID tokens an identity pool takes.
const GOOGLE: &str = "accounts.google.com";
const APPLE: &str = "appleid.apple.com";
const FACEBOOK: &str = "graph.facebook.com";
const AMAZON: &str = "www.amazon.com";

fn not_found(what: &str) -> Error {
    Error::ResourceNotFound(what.to_owned())
}

impl IdentityPools {
    /// The identity pools over `store`, drawing randomness from `user_pools`' source.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, user_pools: Arc<UserPools>) -> Result<Self> {
        let random = user_pools.random().clone();
        let secret = store.server_secret("credentials-key", &|| random.bytes::<64>().map(|b| b.to_vec()).unwrap_or_default())?;
        let credentials = CredentialsKey::new(&secret)?;
        let der = store.server_secret("identity-openid-key", &|| {
            tokens::generate_key_for(&*random, "cognito-identity", 0, tokens::SigningAlgorithm::Rs256)
                .map(|k| k.private_der)
                .unwrap_or_default()
        })?;
        let kid = tokens::sha256_hex(&String::from_utf8_lossy(&der))[..16].to_owned();
        let openid = Arc::new(Signer::new(&SigningKey {
            kid,
            pool_id: "cognito-identity".into(),
            alg: "RS256".into(),
            private_der: der,
            created_ms: 0,
        })?);
        Ok(IdentityPools {
            store,
            clock,
            random,
            user_pools,
            credentials,
            openid,
            jwks_source: None,
            web: None,
            jwks_cache: Default::default(),
            saml_metadata: Default::default(),
        })
    }

    /// Check Facebook's and Login with Amazon's access tokens through `web`.
    pub fn with_web_client(mut self, web: Arc<dyn crate::web::WebClient>) -> Self {
        self.web = Some(web);
        self
    }

    /// Facebook's and Login with Amazon's logins: access tokens, not JWTs. The provider says
    /// whose token it is and for which app (Graph API `/me` and `/app`; Amazon's `tokeninfo`),
    /// and the app must be the one in the pool's SupportedLoginProviders.
    fn verify_access_token(&self, pool: &IdentityPoolRecord, provider: &str, token: &str) -> Result<Option<VerifiedLogin>> {
        if provider != FACEBOOK && provider != AMAZON {
            return Ok(None);
        }
        let invalid = |why: &str| Error::NotAuthorized(format!("Invalid login token. {why}"));
        let app = pool.config.supported_login_providers.as_ref().and_then(|m| m.get(provider)).ok_or_else(|| {
            invalid(&format!("The identity pool does not accept {provider}: add it to SupportedLoginProviders with the app id."))
        })?;
        let web = self.web.as_ref().ok_or_else(|| invalid("This server cannot reach the provider."))?;
        let get = |url: String, bearer: Option<&str>| -> Result<Map<String, Value>> {
            match web.get_json(&url, bearer) {
                Ok(r) if r.status == 200 => match r.body {
                    Value::Object(m) => Ok(m),
                    _ => Err(invalid("The provider's answer is not an object.")),
                },
                Ok(r) => Err(invalid(&format!("The provider refused the token (HTTP {}).", r.status))),
                Err(e) => Err(invalid(&format!("The provider could not be reached: {e}"))),
            }
        };
        let endpoints = &self.config().social_issuers;
        let text = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
        let (subject, issued_to, claims) = if provider == FACEBOOK {
            let base = endpoints.facebook_graph.trim_end_matches('/');
            let me = get(format!("{base}/me?fields=id"), Some(token))?;
            let app_of = get(format!("{base}/app"), Some(token))?;
            (text(&me, "id"), text(&app_of, "id"), me)
        } else {
            let base = endpoints.amazon_api.trim_end_matches('/');
            let mut url = url::Url::parse(&format!("{base}/auth/o2/tokeninfo")).map_err(|_| invalid("The provider's URL is not valid."))?;
            url.query_pairs_mut().append_pair("access_token", token);
            let info = get(url.into(), None)?;
            (text(&info, "user_id"), text(&info, "aud"), info)
        };
        let subject = subject.ok_or_else(|| invalid("The provider named no user."))?;
        if !issued_to.as_deref().is_some_and(|to| app.split(',').map(str::trim).any(|a| a == to)) {
            return Err(invalid("The token was issued to another app."));
        }
        Ok(Some(VerifiedLogin { provider: provider.to_owned(), subject, claims, asserted_roles: None }))
    }

    /// Verify logins of external OpenID Connect providers with keys fetched by `source`.
    pub fn with_jwks_source(mut self, source: Arc<dyn JwksSource>) -> Self {
        self.jwks_source = Some(source);
        self
    }

    /// The provider's keys, from the cache unless stale or missing `kid`.
    fn provider_keys(&self, issuer: &str, kid: &str) -> Result<jsonwebtoken::jwk::JwkSet> {
        let now = self.now();
        let cached = self.jwks_cache.lock().unwrap_or_else(|p| p.into_inner()).get(issuer).cloned();
        if let Some((fetched, set)) = &cached {
            let fresh = now - fetched < JWKS_TTL_MS;
            if fresh && (set.find(kid).is_some() || now - fetched < JWKS_REFETCH_MS) {
                return Ok(set.clone());
            }
        }
        let source = self
            .jwks_source
            .as_ref()
            .ok_or_else(|| Error::NotAuthorized("Invalid login token. This server cannot fetch provider keys.".into()))?;
        let doc = source
            .fetch(issuer)
            .map_err(|e| Error::NotAuthorized(format!("Invalid login token. Could not fetch the provider's keys: {e}")))?;
        let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(doc)
            .map_err(|e| Error::NotAuthorized(format!("Invalid login token. The provider's JWKS is malformed: {e}")))?;
        self.jwks_cache.lock().unwrap_or_else(|p| p.into_inner()).insert(issuer.to_owned(), (now, set.clone()));
        Ok(set)
    }

    /// Verifies a token of an OpenID Connect provider the pool lists (by its IAM OIDC provider
    /// ARN, `arn:aws:iam::<account>:oidc-provider/<issuer host and path>`): signature with the
    /// provider's published keys, issuer, expiry, and an audience among the client ids in the
    /// pool's SupportedLoginProviders entry for the provider (comma-separated).
    fn verify_oidc(&self, pool: &IdentityPoolRecord, provider: &str, token: &str) -> Result<Option<VerifiedLogin>> {
        let listed = pool
            .config
            .open_id_connect_provider_arns
            .iter()
            .flatten()
            .any(|arn| arn.rsplit_once(":oidc-provider/").map(|(_, p)| p) == Some(provider));
        if !listed {
            return Ok(None);
        }
        // The issuer is the provider's host and path with https, or http on loopback.
        let loopback = provider.starts_with("127.0.0.1") || provider.starts_with("localhost") || provider.starts_with("[::1]");
        let issuer = format!("{}://{provider}", if loopback { "http" } else { "https" });
        self.verify_provider_jwt(pool, provider, &issuer, token).map(Some)
    }

    /// Google's and Apple's ID tokens, under `accounts.google.com` and `appleid.apple.com`
    /// (their issuers as configured: the real ones unless a mirror or a test names others).
    fn verify_social(&self, pool: &IdentityPoolRecord, provider: &str, token: &str) -> Result<Option<VerifiedLogin>> {
        let issuers = &self.config().social_issuers;
        let issuer = match provider {
            GOOGLE => &issuers.google,
            APPLE => &issuers.apple,
            _ => return Ok(None),
        };
        self.verify_provider_jwt(pool, provider, issuer, token).map(Some)
    }

    /// A provider's JWT: its signature with the keys `issuer` publishes, the issuer (with or
    /// without its scheme, as Google writes either), expiry, and an audience among the pool's
    /// SupportedLoginProviders entry for `provider` (client ids, comma-separated).
    fn verify_provider_jwt(&self, pool: &IdentityPoolRecord, provider: &str, issuer: &str, token: &str) -> Result<VerifiedLogin> {
        let invalid = |why: &str| Error::NotAuthorized(format!("Invalid login token. {why}"));
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("Not a JWT."))?;
        let kid = header.kid.clone().ok_or_else(|| invalid("The token has no kid."))?;
        if !matches!(header.alg, jsonwebtoken::Algorithm::RS256 | jsonwebtoken::Algorithm::ES256) {
            return Err(invalid("Unsupported signing algorithm."));
        }
        let keys = self.provider_keys(issuer, &kid)?;
        let jwk = keys.find(&kid).ok_or_else(|| invalid("Unknown signing key."))?;
        let key = jsonwebtoken::DecodingKey::from_jwk(jwk).map_err(|_| invalid("Unusable signing key."))?;
        let mut validation = jsonwebtoken::Validation::new(header.alg);
        let bare = issuer.split_once("://").map_or(issuer, |(_, rest)| rest);
        validation.set_issuer(&[issuer, bare]);
        validation.validate_exp = false;
        // The audience is always checked. IAM keeps an OIDC provider's client ids, which PoolDesk
        // does not model; the identity pool's SupportedLoginProviders holds them instead.
        let audience = pool.config.supported_login_providers.as_ref().and_then(|m| m.get(provider)).ok_or_else(|| {
            invalid(&format!(
                "No audience is configured for {provider}: add it to SupportedLoginProviders with the client id as the value."
            ))
        })?;
        validation.set_audience(&audience.split(',').map(str::trim).collect::<Vec<_>>());
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation).map_err(|e| invalid(&format!("{e}.")))?.claims;
        if claims.get("exp").and_then(Value::as_i64).is_none_or(|exp| exp <= self.clock.now_secs()) {
            return Err(invalid("Token expired."));
        }
        let subject = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_owned();
        Ok(VerifiedLogin { provider: provider.to_owned(), subject, claims, asserted_roles: None })
    }

    pub(super) fn config(&self) -> &crate::user_pools::Config {
        self.user_pools.config()
    }

    pub(super) fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    /// The issuer of this server's identity OpenID tokens.
    pub fn openid_issuer(&self) -> String {
        format!("{}/cognito-identity", self.config().public_url.trim_end_matches('/'))
    }

    /// The JWKS that verifies GetOpenIdToken's tokens.
    pub fn openid_jwks(&self) -> Value {
        json!({ "keys": [self.openid.jwk()] })
    }

    fn pool(&self, id: &str) -> Result<IdentityPoolRecord> {
        self.store.get_identity_pool(id)?.ok_or_else(|| not_found(&format!("IdentityPool '{id}' not found.")))
    }

    fn identity(&self, id: &str) -> Result<IdentityRecord> {
        self.store.get_identity(id)?.ok_or_else(|| not_found(&format!("Identity '{id}' not found.")))
    }

    fn arn(&self, pool_id: &str) -> String {
        format!("arn:aws:cognito-identity:{}:{}:identitypool/{pool_id}", self.config().region, self.config().account_id)
    }

    fn pool_from_arn(&self, arn: &str) -> Result<IdentityPoolRecord> {
        let id = arn
            .rsplit_once(":identitypool/")
            .map(|(_, id)| id)
            .ok_or_else(|| Error::InvalidParameter(format!("{arn} is not an identity pool ARN.")))?;
        self.pool(id)
    }

    /// The user pool a provider name points at, in either spelling clients use:
    /// `cognito-idp.<region>.amazonaws.com/<poolId>` or this server's issuer without scheme.
    fn user_pool_of(&self, provider: &str) -> Option<String> {
        let (prefix, pool_id) = provider.rsplit_once('/')?;
        let own = self.config().public_url.split_once("://").map(|(_, rest)| rest.trim_end_matches('/')).unwrap_or_default();
        let aws = prefix.starts_with("cognito-idp.") && prefix.ends_with(".amazonaws.com");
        (aws || prefix == own).then(|| pool_id.to_owned())
    }

    fn canonical_provider(&self, pool_id: &str) -> String {
        format!("cognito-idp.{}.amazonaws.com/{pool_id}", self.config().region)
    }

    /// Verifies one login of a request against the pool's configured providers.
    fn verify_login(&self, pool: &IdentityPoolRecord, provider: &str, token: &str) -> Result<VerifiedLogin> {
        if provider == DEVELOPER_LOGIN {
            let claims = self.verify_openid_token(token, &pool.id)?;
            let subject = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_owned();
            return Ok(VerifiedLogin { provider: DEVELOPER_LOGIN.to_owned(), subject, claims, asserted_roles: None });
        }
        // An OpenID Connect provider listed by ARN (which may even be one of this server's own
        // user pools, federated as a plain OIDC issuer).
        if let Some(login) = self.verify_oidc(pool, provider, token)? {
            return Ok(login);
        }
        if let Some(login) = self.verify_social(pool, provider, token)? {
            return Ok(login);
        }
        if let Some(login) = self.verify_access_token(pool, provider, token)? {
            return Ok(login);
        }
        if let Some(login) = self.verify_saml(pool, provider, token)? {
            return Ok(login);
        }
        if let Some(user_pool_id) = self.user_pool_of(provider) {
            let configured = pool
                .config
                .cognito_identity_providers
                .iter()
                .flatten()
                .filter(|p| p.provider_name.as_deref().and_then(|n| self.user_pool_of(n)).as_deref() == Some(user_pool_id.as_str()))
                .collect::<Vec<_>>();
            if configured.is_empty() {
                return Err(Error::NotAuthorized(format!("Invalid login token. The identity pool does not accept {provider}.")));
            }
            let client_ids: Vec<String> = configured.iter().filter_map(|p| p.client_id.clone()).collect();
            let server_side = configured.iter().any(|p| p.server_side_token_check == Some(true));
            let claims = self.user_pools.verify_id_token(&user_pool_id, token, &client_ids, server_side)?;
            let subject = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_owned();
            return Ok(VerifiedLogin { provider: self.canonical_provider(&user_pool_id), subject, claims, asserted_roles: None });
        }
        Err(Error::NotAuthorized(format!(
            "Invalid login token. {provider} is not a provider of this identity pool (supported: this server's user pools, OpenID Connect providers listed in OpenIdConnectProviderARNs, {GOOGLE}, {APPLE}, {FACEBOOK}, {AMAZON}, SAML providers listed in SamlProviderARNs and {DEVELOPER_LOGIN})."
        )))
    }

    /// A SAML response (base64, as posted to AWS sign-in) under the ARN of an IAM SAML provider
    /// the pool lists. Claims are its attributes (one value as a string, several as a list).
    fn verify_saml(&self, pool: &IdentityPoolRecord, provider: &str, token: &str) -> Result<Option<VerifiedLogin>> {
        if !pool.config.saml_provider_arns.iter().flatten().any(|arn| arn == provider) {
            return Ok(None);
        }
        let (_, signed_in) = match self.read_aws_saml_response(provider, token) {
            Ok(Some(found)) => found,
            Ok(None) => return Err(Error::NotAuthorized(format!("Invalid login token. The SAML provider {provider} does not exist."))),
            Err(Error::NotAuthorized(why)) => {
                return Err(Error::NotAuthorized(format!("Invalid login token. The SAML response is not valid: {why}.")));
            }
            Err(e) => return Err(e),
        };
        let claims = signed_in
            .attributes
            .iter()
            .map(|(name, values)| {
                let value = match values.as_slice() {
                    [one] => Value::String(one.clone()),
                    many => json!(many),
                };
                (name.clone(), value)
            })
            .collect();
        let roles = super::saml::asserted_roles(&signed_in, provider);
        Ok(Some(VerifiedLogin { provider: provider.to_owned(), subject: signed_in.name_id, claims, asserted_roles: Some(roles) }))
    }

    fn verify_logins(&self, pool: &IdentityPoolRecord, logins: &BTreeMap<String, Sensitive<String>>) -> Result<Vec<VerifiedLogin>> {
        logins.iter().map(|(provider, token)| self.verify_login(pool, provider, token)).collect()
    }

    /// The identity for verified logins: the one they are linked to, or a new one. Logins
    /// linked to two different identities are refused.
    fn identity_for(&self, pool: &IdentityPoolRecord, logins: &[VerifiedLogin]) -> Result<String> {
        let pairs: Vec<(String, String)> = logins.iter().map(|l| (l.provider.clone(), l.subject.clone())).collect();
        let mut found: Option<String> = None;
        for (provider, subject) in &pairs {
            if let Some(id) = self.store.identity_for_login(&pool.id, provider, subject)? {
                if found.as_ref().is_some_and(|f| *f != id) {
                    return Err(Error::ResourceConflict("Logins are linked to different identities.".into()));
                }
                found = Some(id);
            }
        }
        let now = self.now();
        match found {
            Some(id) => {
                self.store.link_logins(&pool.id, &id, &pairs, now).map_err(conflict)?;
                Ok(id)
            }
            None => {
                let id = format!("{}:{}", self.config().region, self.random.uuid()?);
                let identity =
                    IdentityRecord { id: id.clone(), pool_id: pool.id.clone(), logins: pairs.clone(), created_ms: now, modified_ms: now };
                match self.store.create_identity(&identity) {
                    Ok(()) => Ok(id),
                    // A concurrent first sign-in created it: use theirs.
                    Err(StoreError::Conflict(_)) => match self.store.identity_for_login(&pool.id, &pairs[0].0, &pairs[0].1)? {
                        Some(theirs) => Ok(theirs),
                        None => Err(Error::ConcurrentModification("Try again.".into())),
                    },
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    /// Checks that a request's logins belong to the identity (or, with none, that it is a
    /// guest of a pool that allows guests). Returns the logins.
    fn logins_for_identity(
        &self,
        pool: &IdentityPoolRecord,
        identity: &IdentityRecord,
        logins: Option<&BTreeMap<String, Sensitive<String>>>,
    ) -> Result<Vec<VerifiedLogin>> {
        let mismatch = || {
            Error::NotAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.".into())
        };
        match logins.filter(|l| !l.is_empty()) {
            None => {
                if !pool.config.allow_unauthenticated_identities {
                    return Err(Error::NotAuthorized("Unauthenticated access is not supported for this identity pool.".into()));
                }
                if !identity.logins.is_empty() {
                    return Err(mismatch());
                }
                Ok(Vec::new())
            }
            Some(logins) => {
                let verified = self.verify_logins(pool, logins)?;
                for l in &verified {
                    let linked = if l.provider == DEVELOPER_LOGIN {
                        l.subject == identity.id
                    } else {
                        identity.logins.iter().any(|(p, s)| *p == l.provider && *s == l.subject)
                    };
                    if !linked {
                        return Err(mismatch());
                    }
                }
                Ok(verified)
            }
        }
    }

    /// The role (and why) for an identity's request, and its principal tags.
    fn decide(
        &self,
        pool: &IdentityPoolRecord,
        login: Option<&VerifiedLogin>,
        custom_role_arn: Option<&str>,
    ) -> (std::result::Result<RoleDecision, RoleError>, BTreeMap<String, String>) {
        let empty = Map::new();
        let roles = pool.roles.roles.clone().unwrap_or_default();
        let mappings = pool.roles.role_mappings.clone().unwrap_or_default();
        let mapping = login.and_then(|l| self.per_provider(&mappings, l));
        let claims = login.map(|l| &l.claims).unwrap_or(&empty);
        let by_rules = mapping.is_some_and(|m| m.r#type == w::RoleMappingType::Rules);
        let decision = match login.and_then(|l| l.asserted_roles.as_deref()) {
            Some(asserted) if !by_rules => role_mapping::resolve_asserted(&roles, asserted, custom_role_arn),
            _ => role_mapping::resolve(&RoleInput { authenticated: login.is_some(), roles: &roles, mapping, claims, custom_role_arn }),
        };
        let tags = match login.and_then(|l| self.per_provider(&pool.tag_maps, l)) {
            Some(map) => role_mapping::principal_tags(claims, map.principal_tags.as_ref(), map.use_defaults.unwrap_or(false)),
            None => BTreeMap::new(),
        };
        (decision, tags)
    }

    /// The entry of a per-provider map (RoleMappings, principal tag maps) for a login. Keys
    /// name the provider in any spelling, and for user pools Cognito's own spelling adds the app
    /// client: `cognito-idp.<region>.amazonaws.com/<poolId>:<clientId>`. An entry for the
    /// login's exact app client wins over one for the whole provider.
    fn per_provider<'a, T>(&self, map: &'a BTreeMap<String, T>, login: &VerifiedLogin) -> Option<&'a T> {
        let aud = login.claims.get("aud").and_then(Value::as_str);
        let mut general = None;
        for (key, value) in map {
            let (provider, client) = match key.rsplit_once('/') {
                Some((prefix, rest)) => match rest.split_once(':') {
                    Some((pool, client)) => (format!("{prefix}/{pool}"), Some(client)),
                    None => (key.clone(), None),
                },
                None => (key.clone(), None),
            };
            let provider = self.user_pool_of(&provider).map(|p| self.canonical_provider(&p)).unwrap_or(provider);
            if provider != login.provider {
                continue;
            }
            match client {
                Some(c) if Some(c) == aud => return Some(value),
                Some(_) => {}
                None => general = general.or(Some(value)),
            }
        }
        general
    }

    pub(super) fn issue(
        &self,
        identity_id: &str,
        role_arn: &str,
        session_name: &str,
        tags: BTreeMap<String, String>,
        ttl_ms: i64,
    ) -> Result<TemporaryCredentials> {
        self.credentials.issue(
            &*self.random,
            SessionClaims {
                access_key_id: String::new(),
                admin_key: None,
                identity_id: identity_id.to_owned(),
                role_arn: role_arn.to_owned(),
                session_name: session_name.to_owned(),
                tags,
                expires_ms: self.now() + ttl_ms,
            },
        )
    }

    /// Temporary credentials that act as the admin access key `key_id` (STS GetSessionToken)
    /// until they expire or the key is deleted. Admin keys are the account's root (as
    /// GetCallerIdentity says), whose sessions AWS holds to an hour: a longer `duration_secs`
    /// (900 to 129,600) gets one hour, as it would there.
    pub fn session_token_for_admin(&self, key_id: &str, duration_secs: Option<i64>) -> Result<TemporaryCredentials> {
        const ROOT_SESSION_SECS: i64 = 3_600;
        let duration = duration_secs.unwrap_or(43_200);
        if !(900..=129_600).contains(&duration) {
            return Err(Error::InvalidParameter(format!(
                "1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600"
            )));
        }
        self.credentials.issue(
            &*self.random,
            SessionClaims {
                access_key_id: String::new(),
                admin_key: Some(key_id.to_owned()),
                identity_id: String::new(),
                role_arn: String::new(),
                session_name: key_id.to_owned(),
                tags: BTreeMap::new(),
                expires_ms: self.now() + duration.min(ROOT_SESSION_SECS) * 1000,
            },
        )
    }

    /// Opens the session token of a request signed with temporary credentials; returns what it
    /// vouches for and the secret the signature must use.
    pub fn open_session(&self, access_key_id: &str, session_token: &str) -> std::result::Result<(SessionClaims, String), CredentialError> {
        self.credentials.open(access_key_id, session_token, self.now())
    }

    /// An OpenID token for an identity (GetOpenIdToken and the developer variant).
    fn openid_token(&self, pool_id: &str, identity_id: &str, amr: Vec<String>, ttl_secs: i64) -> Result<String> {
        let now = self.clock.now_secs();
        let mut claims = Map::new();
        claims.insert("iss".into(), json!(self.openid_issuer()));
        claims.insert("sub".into(), json!(identity_id));
        claims.insert("aud".into(), json!(pool_id));
        claims.insert("amr".into(), json!(amr));
        claims.insert("token_use".into(), json!("openid"));
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + ttl_secs));
        self.openid.sign(&claims)
    }

    fn verify_openid_token(&self, token: &str, pool_id: &str) -> Result<Map<String, Value>> {
        let claims = tokens::verify(token, std::slice::from_ref(&self.openid), &self.openid_issuer(), "openid", self.clock.now_secs())
            .map_err(|_| Error::NotAuthorized("Invalid login token.".into()))?;
        if claims.get("aud").and_then(Value::as_str) != Some(pool_id) {
            return Err(Error::NotAuthorized("Invalid login token. Incorrect audience.".into()));
        }
        Ok(claims)
    }

    /// STS AssumeRoleWithWebIdentity for the classic (basic) flow: a GetOpenIdToken token of a
    /// pool that allows the classic flow, for a role that pool uses.
    pub fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        token: &str,
        duration_secs: Option<i64>,
    ) -> Result<(TemporaryCredentials, SessionClaims)> {
        let invalid = |why: &str| Error::InvalidIdentityToken(why.to_owned());
        let unverified_aud = token
            .split('.')
            .nth(1)
            .and_then(|p| base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, p).ok())
            .and_then(|b| serde_json::from_slice::<Map<String, Value>>(&b).ok())
            .and_then(|c| c.get("aud").and_then(Value::as_str).map(str::to_owned))
            .ok_or_else(|| invalid("the token is not a PoolDesk identity token"))?;
        let pool = self.store.get_identity_pool(&unverified_aud)?.ok_or_else(|| invalid("unknown audience"))?;
        let claims = self.verify_openid_token(token, &pool.id).map_err(|_| invalid("the token does not verify"))?;
        if pool.config.allow_classic_flow != Some(true) {
            return Err(Error::AccessDenied("The identity pool does not allow the basic (classic) flow.".into()));
        }
        let roles = pool.roles.roles.clone().unwrap_or_default();
        let in_rules = pool
            .roles
            .role_mappings
            .iter()
            .flatten()
            .flat_map(|(_, m)| m.rules_configuration.iter().flat_map(|r| r.rules.iter()))
            .any(|r| r.role_arn == role_arn);
        if !roles.values().any(|r| r == role_arn) && !in_rules {
            return Err(Error::AccessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity".into()));
        }
        let identity_id = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_owned();
        let ttl = duration_secs.unwrap_or(3600).clamp(900, 43200) * 1000;
        let creds = self.issue(&identity_id, role_arn, session_name, BTreeMap::new(), ttl)?;
        let (session, _) = self
            .open_session(&creds.access_key_id, &creds.session_token)
            .map_err(|_| Error::internal(anyhow::anyhow!("a fresh session token did not open")))?;
        Ok((creds, session))
    }

    /// `PoolDesk.SimulateRoleMapping`: which role an ID token, or claims given by hand, would
    /// get from an identity pool, why, and the principal tags.
    pub fn simulate_role_mapping(&self, request: &SimulationRequest) -> Result<Simulation> {
        let mut pool = self.pool(&request.identity_pool_id)?;
        // A draft from the editor stands in for what is saved, checked as saving would check it.
        check_roles(request.roles.as_ref(), request.role_mappings.as_ref())?;
        if let Some(roles) = &request.roles {
            pool.roles.roles = Some(roles.clone());
        }
        if let Some(mappings) = &request.role_mappings {
            pool.roles.role_mappings = Some(mappings.clone());
        }
        let login = if let Some(token) = &request.id_token {
            let provider = match &request.provider {
                Some(p) => p.clone(),
                None => {
                    let iss = crate::user_pools::token_issuer_pool(token)
                        .ok_or_else(|| Error::InvalidParameter("The token has no issuer.".into()))?;
                    self.canonical_provider(&iss)
                }
            };
            Some(self.verify_login(&pool, &provider, token)?)
        } else if let Some(claims) = &request.claims {
            let provider =
                request.provider.as_deref().ok_or_else(|| Error::InvalidParameter("Provider is required with Claims.".into()))?;
            let provider = self.user_pool_of(provider).map(|p| self.canonical_provider(&p)).unwrap_or_else(|| provider.to_owned());
            Some(VerifiedLogin { provider, subject: String::new(), claims: claims.clone(), asserted_roles: None })
        } else {
            None
        };
        let (decision, principal_tags) = self.decide(&pool, login.as_ref(), request.custom_role_arn.as_deref());
        let rules = login.as_ref().and_then(|l| {
            let mappings = pool.roles.role_mappings.as_ref()?;
            let mapping = self.per_provider(mappings, l).filter(|m| m.r#type == w::RoleMappingType::Rules)?;
            Some(role_mapping::rule_outcomes(mapping, &l.claims))
        });
        Ok(Simulation { decision, principal_tags, rules, claims: login.map(|l| l.claims) })
    }
}

/// What `PoolDesk.SimulateRoleMapping` is asked: an identity pool and an ID token, or claims
/// given by hand with the provider that would vouch for them, or neither (a guest).
#[derive(Debug, Clone, Default)]
pub struct SimulationRequest {
    pub identity_pool_id: String,
    pub id_token: Option<String>,
    /// `cognito-idp.<region>.amazonaws.com/<UserPoolId>`, an issuer, or an OpenID provider.
    pub provider: Option<String>,
    pub claims: Option<Map<String, Value>>,
    pub custom_role_arn: Option<String>,
    /// The roles on the editor's screen, evaluated instead of the saved ones.
    pub roles: Option<BTreeMap<String, String>>,
    /// The role mappings on the editor's screen, evaluated instead of the saved ones.
    pub role_mappings: Option<BTreeMap<String, w::RoleMapping>>,
}

/// The role the login would get and why, or why none; and the principal tags either way.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub decision: std::result::Result<RoleDecision, RoleError>,
    pub principal_tags: BTreeMap<String, String>,
    /// Each rule's verdict, when the login's provider is mapped by rules.
    pub rules: Option<Vec<RuleOutcome>>,
    /// The claims evaluated (a token's verified claims, or those given); `None` for a guest.
    pub claims: Option<Map<String, Value>>,
}

/// SetIdentityPoolRoles' checks, which a simulated draft passes too.
fn check_roles(roles: Option<&BTreeMap<String, String>>, mappings: Option<&BTreeMap<String, w::RoleMapping>>) -> Result<()> {
    for (kind, arn) in roles.into_iter().flatten() {
        if kind != role_mapping::AUTHENTICATED && kind != role_mapping::UNAUTHENTICATED {
            return Err(Error::InvalidParameter(format!("Invalid role type {kind}: use authenticated or unauthenticated.")));
        }
        if !role_mapping::is_role_arn(arn) {
            return Err(Error::InvalidParameter(format!("{arn} is not a valid role ARN.")));
        }
    }
    for (provider, mapping) in mappings.into_iter().flatten() {
        role_mapping::validate_mapping(mapping)
            .map_err(|e| Error::InvalidParameter(format!("Invalid role mapping for {provider}: {e}")))?;
    }
    Ok(())
}

/// SAML logins get credentials through GetCredentialsForIdentity only: Cognito supports SAML
/// providers in the enhanced flow, not as OpenID tokens for the classic one.
fn enhanced_flow_only(logins: &[VerifiedLogin]) -> Result<()> {
    match logins.iter().find(|l| l.asserted_roles.is_some()) {
        Some(l) => Err(Error::InvalidParameter(format!(
            "{} is a SAML provider, which identity pools support in the enhanced flow only: call GetCredentialsForIdentity with this login.",
            l.provider
        ))),
        None => Ok(()),
    }
}

fn conflict(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(_) => Error::ResourceConflict("A login in the request is linked to another identity.".into()),
        other => other.into(),
    }
}

/// `IdentityPoolName`'s pattern from the model, which the wire types do not check (the desktop
/// app's form applies the same rule).
fn check_pool_name(name: &str) -> Result<()> {
    if pooldesk_wire::rules::IDENTITY_POOL_NAME.accepts(name) {
        return Ok(());
    }
    Err(Error::InvalidParameter(format!(
        "1 validation error detected: Value '{name}' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
    )))
}

fn check_pool_config(c: &w::IdentityPool) -> Result<()> {
    for arn in c.saml_provider_arns.iter().flatten() {
        if !super::saml::is_saml_provider_arn(arn) {
            return Err(Error::InvalidParameter(format!(
                "{arn} is not an IAM SAML provider ARN (arn:aws:iam::<account>:saml-provider/<name>)."
            )));
        }
    }
    for p in c.cognito_identity_providers.iter().flatten() {
        if p.provider_name.as_deref().is_none_or(str::is_empty) {
            return Err(Error::InvalidParameter("Every CognitoIdentityProvider needs a ProviderName.".into()));
        }
    }
    Ok(())
}

impl w::Service for IdentityPools {
    type Context = Context;
    type Error = Error;

    fn create_identity_pool(&self, _: &Context, r: w::CreateIdentityPoolInput) -> Result<w::IdentityPool> {
        check_pool_name(&r.identity_pool_name)?;
        let now = self.now();
        let id = format!("{}:{}", self.config().region, self.random.uuid()?);
        let config = w::IdentityPool {
            identity_pool_id: id.clone(),
            identity_pool_name: r.identity_pool_name,
            allow_unauthenticated_identities: r.allow_unauthenticated_identities,
            allow_classic_flow: Some(r.allow_classic_flow.unwrap_or(false)),
            supported_login_providers: r.supported_login_providers,
            developer_provider_name: r.developer_provider_name,
            open_id_connect_provider_arns: r.open_id_connect_provider_arns,
            cognito_identity_providers: r.cognito_identity_providers,
            saml_provider_arns: r.saml_provider_arns,
            identity_pool_tags: r.identity_pool_tags,
        };
        check_pool_config(&config)?;
        let record = IdentityPoolRecord {
            id,
            config: config.clone(),
            roles: Default::default(),
            tag_maps: BTreeMap::new(),
            created_ms: now,
            modified_ms: now,
        };
        self.store.create_identity_pool(&record)?;
        Ok(config)
    }

    fn describe_identity_pool(&self, _: &Context, r: w::DescribeIdentityPoolInput) -> Result<w::IdentityPool> {
        Ok(self.pool(&r.identity_pool_id)?.config)
    }

    fn update_identity_pool(&self, _: &Context, r: w::IdentityPool) -> Result<w::IdentityPool> {
        check_pool_name(&r.identity_pool_name)?;
        let mut pool = self.pool(&r.identity_pool_id)?;
        if pool.config.developer_provider_name.is_some()
            && r.developer_provider_name != pool.config.developer_provider_name
            && r.developer_provider_name.is_some()
        {
            return Err(Error::InvalidParameter("DeveloperProviderName cannot be changed once set.".into()));
        }
        let developer = r.developer_provider_name.clone().or(pool.config.developer_provider_name.clone());
        pool.config =
            w::IdentityPool { developer_provider_name: developer, allow_classic_flow: Some(r.allow_classic_flow.unwrap_or(false)), ..r };
        check_pool_config(&pool.config)?;
        pool.modified_ms = self.now();
        self.store.update_identity_pool(&pool)?;
        Ok(pool.config)
    }

    fn delete_identity_pool(&self, _: &Context, r: w::DeleteIdentityPoolInput) -> Result<()> {
        if !self.store.delete_identity_pool(&r.identity_pool_id)? {
            return Err(not_found(&format!("IdentityPool '{}' not found.", r.identity_pool_id)));
        }
        Ok(())
    }

    fn list_identity_pools(&self, _: &Context, r: w::ListIdentityPoolsInput) -> Result<w::ListIdentityPoolsResponse> {
        let page = self.store.list_identity_pools(r.next_token.as_deref(), r.max_results.clamp(1, 60) as usize)?;
        Ok(w::ListIdentityPoolsResponse {
            identity_pools: Some(
                page.items
                    .iter()
                    .map(|p| w::IdentityPoolShortDescription {
                        identity_pool_id: Some(p.id.clone()),
                        identity_pool_name: Some(p.config.identity_pool_name.clone()),
                    })
                    .collect(),
            ),
            next_token: page.next,
        })
    }

    fn get_id(&self, _: &Context, r: w::GetIdInput) -> Result<w::GetIdResponse> {
        let pool = self.pool(&r.identity_pool_id)?;
        let logins = r.logins.unwrap_or_default();
        if logins.is_empty() {
            if !pool.config.allow_unauthenticated_identities {
                return Err(Error::NotAuthorized("Unauthenticated access is not supported for this identity pool.".into()));
            }
            let now = self.now();
            let id = format!("{}:{}", self.config().region, self.random.uuid()?);
            self.store.create_identity(&IdentityRecord {
                id: id.clone(),
                pool_id: pool.id.clone(),
                logins: vec![],
                created_ms: now,
                modified_ms: now,
            })?;
            return Ok(w::GetIdResponse { identity_id: Some(id) });
        }
        let verified = self.verify_logins(&pool, &logins)?;
        if let Some(dev) = verified.iter().find(|l| l.provider == DEVELOPER_LOGIN) {
            return Ok(w::GetIdResponse { identity_id: Some(dev.subject.clone()) });
        }
        Ok(w::GetIdResponse { identity_id: Some(self.identity_for(&pool, &verified)?) })
    }

    fn get_credentials_for_identity(
        &self,
        _: &Context,
        r: w::GetCredentialsForIdentityInput,
    ) -> Result<w::GetCredentialsForIdentityResponse> {
        let identity = self.identity(&r.identity_id)?;
        let pool = self.pool(&identity.pool_id)?;
        let logins = self.logins_for_identity(&pool, &identity, r.logins.as_ref())?;
        let (decision, tags) = self.decide(&pool, logins.first(), r.custom_role_arn.as_deref());
        let decision = decision?;
        let creds = self.issue(&identity.id, &decision.role_arn, SESSION_NAME, tags, CREDENTIALS_TTL_MS)?;
        Ok(w::GetCredentialsForIdentityResponse {
            identity_id: Some(identity.id),
            credentials: Some(w::Credentials {
                access_key_id: Some(creds.access_key_id),
                secret_key: Some(Sensitive(creds.secret_key)),
                session_token: Some(creds.session_token),
                expiration: Some(to_wire(creds.expires_ms)),
            }),
        })
    }

    fn get_open_id_token(&self, _: &Context, r: w::GetOpenIdTokenInput) -> Result<w::GetOpenIdTokenResponse> {
        let identity = self.identity(&r.identity_id)?;
        let pool = self.pool(&identity.pool_id)?;
        let logins = self.logins_for_identity(&pool, &identity, r.logins.as_ref())?;
        enhanced_flow_only(&logins)?;
        let mut amr = vec![if logins.is_empty() { "unauthenticated".to_owned() } else { "authenticated".to_owned() }];
        amr.extend(logins.iter().map(|l| l.provider.clone()));
        let token = self.openid_token(&pool.id, &identity.id, amr, 600)?;
        Ok(w::GetOpenIdTokenResponse { identity_id: Some(identity.id), token: Some(Sensitive(token)) })
    }

    fn get_open_id_token_for_developer_identity(
        &self,
        _: &Context,
        r: w::GetOpenIdTokenForDeveloperIdentityInput,
    ) -> Result<w::GetOpenIdTokenForDeveloperIdentityResponse> {
        let pool = self.pool(&r.identity_pool_id)?;
        let developer = pool
            .config
            .developer_provider_name
            .clone()
            .ok_or_else(|| Error::InvalidParameter("The identity pool has no DeveloperProviderName.".into()))?;
        let mut pairs = Vec::new();
        let mut verified = Vec::new();
        for (provider, value) in &r.logins {
            if *provider == developer {
                pairs.push((developer.clone(), value.0.clone()));
            } else {
                verified.push(self.verify_login(&pool, provider, value)?);
            }
        }
        if pairs.is_empty() {
            return Err(Error::InvalidParameter(format!("Logins must include the developer provider {developer}.")));
        }
        enhanced_flow_only(&verified)?;
        let logins: Vec<VerifiedLogin> = pairs
            .iter()
            .map(|(p, s)| VerifiedLogin { provider: p.clone(), subject: s.clone(), claims: Map::new(), asserted_roles: None })
            .chain(verified)
            .collect();
        let identity_id = match &r.identity_id {
            Some(id) => {
                let identity = self.identity(id)?;
                if identity.pool_id != pool.id {
                    return Err(not_found(&format!("Identity '{id}' not found.")));
                }
                if let Some(other) = self.store.identity_for_login(&pool.id, &developer, &pairs[0].1)?
                    && other != *id
                {
                    return Err(Error::DeveloperUserAlreadyRegistered(
                        "The developer user identifier is already linked to another identity.".into(),
                    ));
                }
                let all: Vec<(String, String)> = logins.iter().map(|l| (l.provider.clone(), l.subject.clone())).collect();
                self.store.link_logins(&pool.id, id, &all, self.now()).map_err(conflict)?;
                id.clone()
            }
            None => self.identity_for(&pool, &logins)?,
        };
        let ttl = r.token_duration.unwrap_or(900).clamp(1, 86400);
        let token = self.openid_token(&pool.id, &identity_id, vec!["authenticated".into(), developer], ttl)?;
        Ok(w::GetOpenIdTokenForDeveloperIdentityResponse { identity_id: Some(identity_id), token: Some(Sensitive(token)) })
    }

    fn lookup_developer_identity(&self, _: &Context, r: w::LookupDeveloperIdentityInput) -> Result<w::LookupDeveloperIdentityResponse> {
        let pool = self.pool(&r.identity_pool_id)?;
        let developer = pool.config.developer_provider_name.clone().unwrap_or_default();
        let identity_id = match (&r.identity_id, &r.developer_user_identifier) {
            (Some(id), _) => id.clone(),
            (None, Some(user)) => self
                .store
                .identity_for_login(&pool.id, &developer, user)?
                .ok_or_else(|| not_found("No identity for this developer user identifier."))?,
            (None, None) => return Err(Error::InvalidParameter("Either IdentityId or DeveloperUserIdentifier is required.".into())),
        };
        let identity = self.identity(&identity_id)?;
        let users: Vec<String> = identity.logins.iter().filter(|(p, _)| *p == developer).map(|(_, s)| s.clone()).collect();
        Ok(w::LookupDeveloperIdentityResponse {
            identity_id: Some(identity.id),
            developer_user_identifier_list: Some(users),
            next_token: None,
        })
    }

    fn merge_developer_identities(&self, _: &Context, r: w::MergeDeveloperIdentitiesInput) -> Result<w::MergeDeveloperIdentitiesResponse> {
        let pool = self.pool(&r.identity_pool_id)?;
        if pool.config.developer_provider_name.as_deref() != Some(r.developer_provider_name.as_str()) {
            return Err(Error::InvalidParameter("DeveloperProviderName does not match the identity pool.".into()));
        }
        let find = |user: &str| -> Result<String> {
            self.store
                .identity_for_login(&pool.id, &r.developer_provider_name, user)?
                .ok_or_else(|| not_found(&format!("No identity for {user}.")))
        };
        let (from, to) = (find(&r.source_user_identifier)?, find(&r.destination_user_identifier)?);
        if from != to {
            self.store.merge_identities(&from, &to, self.now())?;
        }
        Ok(w::MergeDeveloperIdentitiesResponse { identity_id: Some(to) })
    }

    fn unlink_developer_identity(&self, _: &Context, r: w::UnlinkDeveloperIdentityInput) -> Result<()> {
        self.pool(&r.identity_pool_id)?;
        if !self.store.unlink_login(&r.identity_pool_id, &r.identity_id, &r.developer_provider_name, &r.developer_user_identifier)? {
            return Err(not_found("No such developer identity link."));
        }
        Ok(())
    }

    fn unlink_identity(&self, _: &Context, r: w::UnlinkIdentityInput) -> Result<()> {
        let identity = self.identity(&r.identity_id)?;
        let pool = self.pool(&identity.pool_id)?;
        self.logins_for_identity(&pool, &identity, Some(&r.logins))?;
        for remove in &r.logins_to_remove {
            let provider = self.user_pool_of(remove).map(|p| self.canonical_provider(&p)).unwrap_or_else(|| remove.clone());
            for (p, s) in identity.logins.iter().filter(|(p, _)| *p == provider) {
                self.store.unlink_login(&pool.id, &identity.id, p, s)?;
            }
        }
        Ok(())
    }

    fn describe_identity(&self, _: &Context, r: w::DescribeIdentityInput) -> Result<w::IdentityDescription> {
        let identity = self.identity(&r.identity_id)?;
        let pool = self.pool(&identity.pool_id)?;
        Ok(self.describe(&pool, &identity))
    }

    fn list_identities(&self, _: &Context, r: w::ListIdentitiesInput) -> Result<w::ListIdentitiesResponse> {
        let pool = self.pool(&r.identity_pool_id)?;
        let page = self.store.list_identities(&r.identity_pool_id, r.next_token.as_deref(), r.max_results.clamp(1, 60) as usize)?;
        Ok(w::ListIdentitiesResponse {
            identity_pool_id: Some(r.identity_pool_id),
            identities: Some(page.items.iter().map(|i| self.describe(&pool, i)).collect()),
            next_token: page.next,
        })
    }

    fn delete_identities(&self, _: &Context, r: w::DeleteIdentitiesInput) -> Result<w::DeleteIdentitiesResponse> {
        for id in &r.identity_ids_to_delete {
            self.store.delete_identity(id)?;
        }
        Ok(w::DeleteIdentitiesResponse { unprocessed_identity_ids: Some(vec![]) })
    }

    fn set_identity_pool_roles(&self, _: &Context, r: w::SetIdentityPoolRolesInput) -> Result<()> {
        let mut pool = self.pool(&r.identity_pool_id)?;
        check_roles(Some(&r.roles), r.role_mappings.as_ref())?;
        pool.roles = w::GetIdentityPoolRolesResponse {
            identity_pool_id: Some(pool.id.clone()),
            roles: Some(r.roles),
            role_mappings: r.role_mappings,
        };
        pool.modified_ms = self.now();
        self.store.update_identity_pool(&pool)?;
        Ok(())
    }

    fn get_identity_pool_roles(&self, _: &Context, r: w::GetIdentityPoolRolesInput) -> Result<w::GetIdentityPoolRolesResponse> {
        let pool = self.pool(&r.identity_pool_id)?;
        Ok(w::GetIdentityPoolRolesResponse {
            identity_pool_id: Some(pool.id.clone()),
            roles: Some(pool.roles.roles.unwrap_or_default()),
            role_mappings: pool.roles.role_mappings,
        })
    }

    fn set_principal_tag_attribute_map(
        &self,
        _: &Context,
        r: w::SetPrincipalTagAttributeMapInput,
    ) -> Result<w::SetPrincipalTagAttributeMapResponse> {
        let mut pool = self.pool(&r.identity_pool_id)?;
        let map = w::GetPrincipalTagAttributeMapResponse {
            identity_pool_id: Some(pool.id.clone()),
            identity_provider_name: Some(r.identity_provider_name.clone()),
            use_defaults: Some(r.use_defaults.unwrap_or(false)),
            principal_tags: r.principal_tags,
        };
        pool.tag_maps.insert(r.identity_provider_name, map.clone());
        pool.modified_ms = self.now();
        self.store.update_identity_pool(&pool)?;
        Ok(w::SetPrincipalTagAttributeMapResponse {
            identity_pool_id: map.identity_pool_id,
            identity_provider_name: map.identity_provider_name,
            use_defaults: map.use_defaults,
            principal_tags: map.principal_tags,
        })
    }

    fn get_principal_tag_attribute_map(
        &self,
        _: &Context,
        r: w::GetPrincipalTagAttributeMapInput,
    ) -> Result<w::GetPrincipalTagAttributeMapResponse> {
        let pool = self.pool(&r.identity_pool_id)?;
        Ok(pool.tag_maps.get(&r.identity_provider_name).cloned().unwrap_or(w::GetPrincipalTagAttributeMapResponse {
            identity_pool_id: Some(pool.id.clone()),
            identity_provider_name: Some(r.identity_provider_name),
            use_defaults: Some(false),
            principal_tags: None,
        }))
    }

    fn tag_resource(&self, _: &Context, r: w::TagResourceInput) -> Result<w::TagResourceResponse> {
        let mut pool = self.pool_from_arn(&r.resource_arn)?;
        pool.config.identity_pool_tags.get_or_insert_with(BTreeMap::new).extend(r.tags);
        pool.modified_ms = self.now();
        self.store.update_identity_pool(&pool)?;
        Ok(w::TagResourceResponse {})
    }

    fn untag_resource(&self, _: &Context, r: w::UntagResourceInput) -> Result<w::UntagResourceResponse> {
        let mut pool = self.pool_from_arn(&r.resource_arn)?;
        if let Some(tags) = pool.config.identity_pool_tags.as_mut() {
            for k in &r.tag_keys {
                tags.remove(k);
            }
        }
        pool.modified_ms = self.now();
        self.store.update_identity_pool(&pool)?;
        Ok(w::UntagResourceResponse {})
    }

    fn list_tags_for_resource(&self, _: &Context, r: w::ListTagsForResourceInput) -> Result<w::ListTagsForResourceResponse> {
        let pool = self.pool_from_arn(&r.resource_arn)?;
        Ok(w::ListTagsForResourceResponse { tags: Some(pool.config.identity_pool_tags.unwrap_or_default()) })
    }
}

impl IdentityPools {
    /// The ARN clients tag an identity pool by.
    pub fn pool_arn(&self, pool_id: &str) -> String {
        self.arn(pool_id)
    }
}

impl IdentityPools {
    /// An identity as DescribeIdentity and ListIdentities show it. A user pool's logins are linked
    /// under one spelling (so either spelling finds the same identity), and named as the identity
    /// pool's `CognitoIdentityProviders` write them.
    fn describe(&self, pool: &IdentityPoolRecord, i: &IdentityRecord) -> w::IdentityDescription {
        let as_configured = |provider: &str| -> String {
            let Some(user_pool) = self.user_pool_of(provider) else { return provider.to_owned() };
            pool.config
                .cognito_identity_providers
                .iter()
                .flatten()
                .filter_map(|p| p.provider_name.as_deref())
                .find(|name| self.user_pool_of(name).as_deref() == Some(user_pool.as_str()))
                .unwrap_or(provider)
                .to_owned()
        };
        let mut logins: Vec<String> = i.logins.iter().map(|(p, _)| as_configured(p)).collect();
        logins.dedup();
        w::IdentityDescription {
            identity_id: Some(i.id.clone()),
            logins: Some(logins),
            creation_date: Some(to_wire(i.created_ms)),
            last_modified_date: Some(to_wire(i.modified_ms)),
        }
    }
}
