//! User pools: Cognito's `cognito-idp` operations.
//!
//! [`UserPools`] holds what every operation needs (store, clock, random source, hasher, token
//! signers, mail)
//! and implements the generated [`w::Service`] trait by handing each operation to its module.
//! Operations are synchronous: adapters run them off the async runtime (password hashing and
//! SQLite block), which keeps this code free of any runtime.
//!
//! # Layout
//! - `pools`, `clients`, `groups`, `domains`, `resource_servers`, `branding`: configuration
//!   resources.
//! - `oauth`: app clients' OAuth settings, the token endpoint's grants, GetClientToken,
//!   userInfo, revocation and logout; `authorize`: authorization requests, codes, SSO.
//! - `users`: the admin user lifecycle and ListUsers; `attributes`: schema checks.
//! - `self_service`: sign-up, confirmation, password reset, and what a signed-in user does
//!   with an access token.
//! - `sign_in`: sign-in flows and challenges, step by step, and the tokens they earn:
//!   refresh, sign-out and revocation.
//! - `mfa`: MFA settings of pools and users, and setting up authenticator apps.
//! - `messages`: codes, message templates, the outbox and delivery.

mod attributes;
mod authorize;
mod branding;
mod clients;
mod devices;
mod domains;
mod export;
mod federation;
mod groups;
mod identity_providers;
mod import;
mod managed_login;
mod messages;
mod mfa;
mod oauth;
mod pools;
mod replicas;
mod resource_servers;
mod saml_providers;
mod self_service;
mod sign_in;
mod terms;
mod token_exchange;
mod triggers;
mod users;

use std::borrow::Cow;
use std::sync::Arc;

use pooldesk_wire::cognito_idp as w;
use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::password::{HashParams, Hasher};
use crate::random::{Random, SystemRandom};
use crate::store::{AppClient, Store, StoreError, User, UserPool};
use crate::tokens::{self, Claims, Signer, SignerCache, VerifiedTokens};

pub use authorize::{Authorization, AuthorizeError, AuthorizeRequest, ResponseType, SamlSession, redirect_with};
pub use branding::{CUSTOMIZABLE, FORBIDDEN_IN_CSS, image_type};
pub use export::{ExportedUser, MAX_EXPORT_PAGE};
pub use import::{ImportReport, ImportRow};
pub use managed_login::{
    HONOURED as MANAGED_LOGIN_COLOURS, asset as managed_login_asset, shows_logo as managed_login_shows_logo,
    stylesheet as managed_login_stylesheet,
};
pub use oauth::{Logout, OAuthError, TOKEN_EXCHANGE, TokenRequest, TokenResponse};
pub use sign_in::{LoginStep, login_providers};
pub use terms::{TERMS_LANGUAGES, TermsLinks};
pub use token_exchange::{Derived, Exchange, Presented, Refusal};
pub use triggers::{CodeEncryptor, InvokeFailure, Invoked, LambdaInvoker, Trigger};

/// Settings that hold for the whole server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Region in ids and ARNs (`us-east-1_AbC...`).
    pub region: String,
    /// Account id in ARNs.
    pub account_id: String,
    /// The base URL clients reach this server at; token issuers are `{public_url}/{poolId}`.
    pub public_url: String,
    pub hash_params: HashParams,
    /// Where the social providers' ID tokens come from (identity pools' `Logins`).
    pub social_issuers: SocialIssuers,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            public_url: "http://127.0.0.1:9229".into(),
            hash_params: HashParams::default(),
            social_issuers: SocialIssuers::default(),
        }
    }
}

/// Where identity pools check the social providers' tokens: the issuers of Google's and Apple's
/// ID tokens, Facebook's Graph API and Amazon's API. The real ones, unless a mirror, an
/// air-gapped installation or a test names others (`POOLDESK_GOOGLE_ISSUER`,
/// `POOLDESK_APPLE_ISSUER`, `POOLDESK_FACEBOOK_GRAPH_URL`, `POOLDESK_AMAZON_API_URL`).
#[derive(Debug, Clone)]
pub struct SocialIssuers {
    pub google: String,
    pub apple: String,
    pub facebook_graph: String,
    pub amazon_api: String,
}

impl Default for SocialIssuers {
    fn default() -> Self {
        SocialIssuers {
            google: "https://accounts.google.com".into(),
            apple: "https://appleid.apple.com".into(),
            facebook_graph: "https://graph.facebook.com".into(),
            amazon_api: "https://api.amazon.com".into(),
        }
    }
}

impl SocialIssuers {
    /// The defaults, with the environment's overrides.
    pub fn from_env() -> Self {
        let named = |var: &str, default: String| std::env::var(var).ok().filter(|v| !v.is_empty()).unwrap_or(default);
        let d = SocialIssuers::default();
        SocialIssuers {
            google: named("POOLDESK_GOOGLE_ISSUER", d.google),
            apple: named("POOLDESK_APPLE_ISSUER", d.apple),
            facebook_graph: named("POOLDESK_FACEBOOK_GRAPH_URL", d.facebook_graph),
            amazon_api: named("POOLDESK_AMAZON_API_URL", d.amazon_api),
        }
    }
}

/// Who is calling, as far as an operation cares.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The access key that signed the request, for admin operations.
    pub caller: Option<String>,
    pub source_ip: Option<String>,
}

/// Sends e-mail. Messages are always recorded in the outbox; a mailer also delivers them.
pub trait Mailer: Send + Sync {
    fn send(&self, to: &str, subject: &str, body: &str) -> std::result::Result<(), String>;
}

/// Sends SMS through a gateway. Like e-mail, every SMS is also recorded in the outbox.
pub trait SmsSender: Send + Sync {
    fn send(&self, pool_id: &str, username: &str, phone_number: &str, message: &str) -> std::result::Result<(), String>;
}

pub struct UserPools {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Where ids, codes, tokens, secrets and salts are drawn from.
    random: Arc<dyn Random>,
    config: Config,
    hasher: Hasher,
    signers: SignerCache,
    verified: VerifiedTokens,
    mailer: Option<Arc<dyn Mailer>>,
    sms: Option<Arc<dyn SmsSender>>,
    /// How identity providers are reached (discovery, tokens, keys); none in tests that need none.
    web: Option<Arc<dyn crate::web::WebClient>>,
    /// Identity providers' key sets, read once an hour or on a key they lack.
    provider_keys: federation::ProviderKeys,
    /// SAML providers' metadata read from their URLs.
    saml_metadata: saml_providers::MetadataCache,
    /// Pools' SAML signing keys.
    saml_signing: saml_providers::SigningKeys,
    /// What SRP sign-ins of unknown users are answered with (PreventUserExistenceErrors).
    decoy_srp: sign_in::DecoySrp,
    /// How Lambda triggers are called; none in tests that configure none.
    lambda: Option<Arc<dyn triggers::LambdaInvoker>>,
    /// How custom senders' codes are sealed (KMS and the AWS Encryption SDK).
    encryptor: Option<Arc<dyn CodeEncryptor>>,
}

impl UserPools {
    /// The operations over `store`, drawing their randomness from the system's CSPRNG.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: Config, mailer: Option<Arc<dyn Mailer>>) -> Result<Self> {
        let random: Arc<dyn Random> = Arc::new(SystemRandom);
        let hasher = Hasher::new(config.hash_params, random.clone())?;
        let decoy_srp = sign_in::DecoySrp::new(&*random)?;
        Ok(UserPools {
            store,
            clock,
            random,
            config,
            hasher,
            signers: SignerCache::default(),
            verified: VerifiedTokens::default(),
            mailer,
            sms: None,
            web: None,
            provider_keys: Default::default(),
            saml_metadata: Default::default(),
            saml_signing: Default::default(),
            decoy_srp,
            lambda: None,
            encryptor: None,
        })
    }

    /// Draw from `random` instead of the system's CSPRNG: for tests that pin what would
    /// otherwise be random. What construction drew (the decoy SRP verifier, the hasher's dummy
    /// hash) is drawn again from it.
    pub fn with_random(mut self, random: Arc<dyn Random>) -> Result<Self> {
        self.hasher = Hasher::new(self.config.hash_params, random.clone())?;
        self.decoy_srp = sign_in::DecoySrp::new(&*random)?;
        self.random = random;
        Ok(self)
    }

    /// Also deliver SMS messages through `sms` (they are always recorded in the outbox).
    pub fn with_sms_sender(mut self, sms: Arc<dyn SmsSender>) -> Self {
        self.sms = Some(sms);
        self
    }

    /// Reach identity providers (OIDC discovery, token and userinfo endpoints) through `web`.
    pub fn with_web_client(mut self, web: Arc<dyn crate::web::WebClient>) -> Self {
        self.web = Some(web);
        self
    }

    /// Call the pools' Lambda triggers through `invoker`.
    pub fn with_lambda_invoker(mut self, invoker: Arc<dyn LambdaInvoker>) -> Self {
        self.lambda = Some(invoker);
        self
    }

    /// The way to AWS Lambda the pools' triggers take (Cognito Sync's trigger takes it too).
    pub fn lambda_invoker(&self) -> Option<Arc<dyn LambdaInvoker>> {
        self.lambda.clone()
    }

    /// Seal custom senders' codes through `encryptor`.
    pub fn with_code_encryptor(mut self, encryptor: Arc<dyn CodeEncryptor>) -> Self {
        self.encryptor = Some(encryptor);
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// The source the operations draw from (identity pools share it).
    pub(crate) fn random(&self) -> &Arc<dyn Random> {
        &self.random
    }

    fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    fn pool(&self, id: &str) -> Result<Arc<UserPool>> {
        self.store.get_pool(id)?.ok_or_else(|| Error::ResourceNotFound(format!("User pool {id} does not exist.")))
    }

    fn client(&self, client_id: &str) -> Result<Arc<AppClient>> {
        self.store.get_client(client_id)?.ok_or_else(|| Error::ResourceNotFound(format!("User pool client {client_id} does not exist.")))
    }

    /// The client, checked to belong to `pool_id` (admin calls name both).
    fn pool_client(&self, pool_id: &str, client_id: &str) -> Result<Arc<AppClient>> {
        let client = self.client(client_id)?;
        if client.pool_id != pool_id {
            return Err(Error::ResourceNotFound(format!("User pool client {client_id} does not exist.")));
        }
        Ok(client)
    }

    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{}", self.config.public_url.trim_end_matches('/'), pool_id)
    }

    fn signers(&self, pool_id: &str) -> Result<Vec<Arc<Signer>>> {
        let mut keys = self.store.signing_keys(pool_id)?;
        keys.sort_by_key(|k| std::cmp::Reverse(k.created_ms));
        keys.iter().map(|k| self.signers.get(k)).collect()
    }

    /// The newest key of the pool, which signs new tokens.
    pub(super) fn signer(&self, pool_id: &str) -> Result<Arc<Signer>> {
        self.signers(pool_id)?.into_iter().next().ok_or_else(|| Error::internal(anyhow::anyhow!("user pool {pool_id} has no signing key")))
    }

    /// The JWKS document of a pool (`/{poolId}/.well-known/jwks.json`).
    pub fn jwks(&self, pool_id: &str) -> Result<Value> {
        self.pool(pool_id)?;
        let keys: Vec<Value> = self.signers(pool_id)?.iter().map(|s| s.jwk()).collect();
        Ok(serde_json::json!({ "keys": keys }))
    }

    /// The OpenID discovery document of a pool. The OAuth endpoints are named once the pool
    /// has a domain (its custom domain if it has both), and only those PoolDesk serves.
    pub fn openid_configuration(&self, pool_id: &str) -> Result<Value> {
        self.pool(pool_id)?;
        let issuer = self.issuer(pool_id);
        let algorithm = self.signer(pool_id)?.algorithm().name();
        let mut doc = serde_json::json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [algorithm],
            "response_types_supported": [],
            "scopes_supported": crate::oauth::STANDARD_SCOPES,
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "token_use", "cognito:username", "cognito:groups", "email", "email_verified", "phone_number", "phone_number_verified"],
        });
        if let Some(domain) = self.pool_domain(pool_id)? {
            let base = self.domain_base_url(&domain.domain);
            let mut scopes: Vec<String> = crate::oauth::STANDARD_SCOPES.iter().map(|s| s.to_string()).collect();
            scopes.extend(self.custom_scopes(pool_id)?);
            let extra = serde_json::json!({
                "authorization_endpoint": format!("{base}/oauth2/authorize"),
                "token_endpoint": format!("{base}/oauth2/token"),
                "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
                "revocation_endpoint": format!("{base}/oauth2/revoke"),
                "end_session_endpoint": format!("{base}/logout"),
                "response_types_supported": ["code", "token"],
                "response_modes_supported": ["query", "fragment"],
                "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "client_credentials", TOKEN_EXCHANGE],
                "code_challenge_methods_supported": ["S256", "plain"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "scopes_supported": scopes,
            });
            if let (Some(doc), Some(extra)) = (doc.as_object_mut(), extra.as_object()) {
                doc.extend(extra.clone());
            }
        }
        Ok(doc)
    }

    /// The username as compared: case-folded in pools created case-insensitive.
    fn user_key(pool: &UserPool, username: &str) -> String {
        let case_sensitive = pool.config.username_configuration.as_ref().map(|c| c.case_sensitive).unwrap_or(true);
        if case_sensitive { username.to_owned() } else { username.to_lowercase() }
    }

    /// Finds a user by what a person types to sign in: the username, or (depending on the
    /// pool) an e-mail address or phone number used as username, or a verified alias.
    fn find_user(&self, pool: &UserPool, username: &str) -> Result<Option<User>> {
        if let Some(user) = self.store.get_user(&pool.id, &Self::user_key(pool, username))? {
            return Ok(Some(user));
        }
        let cfg = &pool.config;
        let mut candidates: Vec<(&str, bool)> = Vec::new();
        for a in cfg.username_attributes.iter().flatten() {
            candidates.push((a.as_str(), false));
        }
        for a in cfg.alias_attributes.iter().flatten() {
            candidates.push((a.as_str(), a.as_str() != "preferred_username"));
        }
        for (attr, must_be_verified) in candidates {
            let value = if attr == "preferred_username" { Self::user_key(pool, username) } else { username.to_owned() };
            for user in self.store.find_users_by_attribute(&pool.id, attr, &value)? {
                let verified = user.data.attributes.get(&format!("{attr}_verified")).map(String::as_str) == Some("true");
                if !must_be_verified || verified {
                    return Ok(Some(user));
                }
            }
        }
        Ok(None)
    }

    fn require_user(&self, pool: &UserPool, username: &str) -> Result<User> {
        self.find_user(pool, username)?.ok_or_else(|| Error::UserNotFound("User does not exist.".into()))
    }

    /// Writes a changed user (optimistic: fails if someone else wrote it since it was read).
    fn save_user(&self, user: &mut User) -> Result<()> {
        user.modified_ms = self.now();
        self.store.update_user(user).map_err(|e| match e {
            StoreError::Conflict(_) => Error::ConcurrentModification("The user was changed by another request; try again.".into()),
            other => other.into(),
        })?;
        user.version += 1;
        Ok(())
    }

    /// Checks `SECRET_HASH` (Base64(HMAC-SHA256(client secret, username + client id))) when the
    /// client has a secret. Any of `usernames` may have been used to compute it.
    fn check_secret_hash(client: &AppClient, usernames: &[&str], provided: Option<&str>) -> Result<()> {
        if !client.has_secret() {
            return Ok(());
        }
        let Some(provided) = provided else {
            return Err(Error::NotAuthorized(format!("Client {} is configured for secret but secret was not received", client.client_id)));
        };
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD.decode(provided).unwrap_or_default();
        // Made with any of the client's secrets (two while one is rotated out). Each is tried
        // (hmac::verify compares in constant time), so the timing says nothing of which matched.
        let mut matched = false;
        for secret in &client.secrets {
            let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.value.as_bytes());
            for username in usernames {
                let message = format!("{username}{}", client.client_id);
                matched |= aws_lc_rs::hmac::verify(&key, message.as_bytes(), &decoded).is_ok();
            }
        }
        if matched {
            return Ok(());
        }
        Err(Error::NotAuthorized(format!("Unable to verify secret hash for client {}", client.client_id)))
    }

    /// Verifies a token of `pool_id` (signature, issuer, use, expiry), checking its signature
    /// only the first time it is presented (`VerifiedTokens`).
    fn verified_claims(&self, pool_id: &str, token: &str, token_use: &str) -> Result<Arc<Claims>> {
        self.check_or_verify(pool_id, token, token_use, self.verified.get(token))
    }

    /// [`Self::verified_claims`], given what `VerifiedTokens` remembers of `token` (looked up
    /// once by a caller that needed it first).
    fn check_or_verify(&self, pool_id: &str, token: &str, token_use: &str, remembered: Option<Arc<Claims>>) -> Result<Arc<Claims>> {
        let (issuer, now) = (self.issuer(pool_id), self.clock.now_secs());
        if let Some(claims) = remembered {
            tokens::check_claims(&claims, &issuer, token_use, now)?;
            return Ok(claims);
        }
        let claims = Arc::new(tokens::verify(token, &self.signers(pool_id)?, &issuer, token_use, now)?);
        self.verified.remember(token, claims.clone(), now);
        Ok(claims)
    }

    /// Resolves an access token to its pool and user, checking signature, issuer, expiry,
    /// `token_use`, that its session was not revoked, and that the user may still act.
    /// Runs `f` with its reads as of one moment (and, on SQLite, in one read transaction).
    fn reading_together<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let mut f = Some(f);
        let mut out = None;
        self.store.read_together(&mut || out = f.take().map(|f| f()));
        out.unwrap_or_else(|| Err(Error::internal(anyhow::anyhow!("the store did not run a scope of reads"))))
    }

    fn authenticate(&self, access_token: &str) -> Result<(Arc<UserPool>, User, Arc<Claims>)> {
        self.reading_together(|| self.authenticate_reads(access_token, crate::oauth::ADMIN_SCOPE))
    }

    /// [`Self::authenticate`]'s reads, for a token that must carry `scope`.
    fn authenticate_reads(&self, access_token: &str, required_scope: &str) -> Result<(Arc<UserPool>, User, Arc<Claims>)> {
        let invalid = || Error::NotAuthorized("Invalid Access Token".into());
        // A token verified before names its pool in its verified issuer; only a new one is
        // decoded unverified, to find whose keys check it (that decoding was 4% of GetUser).
        let remembered = self.verified.get(access_token);
        let pool_id = match &remembered {
            Some(claims) => claims.get("iss").and_then(Value::as_str).and_then(pool_id_of_issuer).map(Cow::Borrowed),
            None => unverified_pool_id(access_token).map(Cow::Owned),
        };
        let pool = self.store.get_pool(&pool_id.ok_or_else(invalid)?)?.ok_or_else(invalid)?;
        let claims = self.check_or_verify(&pool.id, access_token, "access", remembered)?;
        let scope = claims.get("scope").and_then(Value::as_str).unwrap_or_default();
        if !scope.split(' ').any(|s| s == required_scope) {
            return Err(Error::NotAuthorized("Access Token does not have required scopes".into()));
        }
        let origin = claims.get("origin_jti").and_then(Value::as_str).ok_or_else(invalid)?;
        match self.store.get_session(origin)? {
            Some(s) if !s.revoked => {}
            _ => return Err(Error::NotAuthorized("Access Token has been revoked".into())),
        }
        let sub = claims.get("sub").and_then(Value::as_str).ok_or_else(invalid)?;
        let user = self.store.get_user_by_sub(&pool.id, sub)?.ok_or_else(|| Error::UserNotFound("User does not exist.".into()))?;
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        Ok((pool, user, claims))
    }
}

impl UserPools {
    /// Verifies an ID token of `pool_id` for an identity pool: signature, issuer, expiry,
    /// `token_use`, an audience among `client_ids` (when the identity pool names any) and, with
    /// `server_side_check`, that the session is not revoked and the user still exists and is
    /// enabled. Returns the token's claims.
    pub fn verify_id_token(
        &self,
        pool_id: &str,
        token: &str,
        client_ids: &[String],
        server_side_check: bool,
    ) -> Result<Map<String, Value>> {
        let invalid = |why: &str| Error::NotAuthorized(format!("Invalid login token. {why}"));
        let pool = self.store.get_pool(pool_id)?.ok_or_else(|| invalid("The user pool does not exist."))?;
        let claims = self.verified_claims(&pool.id, token, "id").map_err(|e| invalid(&e.to_string()))?;
        let aud = claims.get("aud").and_then(Value::as_str).unwrap_or_default();
        if !client_ids.is_empty() && !client_ids.iter().any(|c| c == aud) {
            return Err(invalid("Incorrect token audience."));
        }
        if server_side_check {
            let origin = claims.get("origin_jti").and_then(Value::as_str).unwrap_or_default();
            if self.store.get_session(origin)?.is_none_or(|s| s.revoked) {
                return Err(invalid("The token has been revoked."));
            }
            let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default();
            match self.store.get_user_by_sub(&pool.id, sub)? {
                Some(u) if u.enabled => {}
                Some(_) => return Err(invalid("User is disabled.")),
                None => return Err(invalid("User does not exist.")),
            }
        }
        Ok(Arc::unwrap_or_clone(claims))
    }
}

/// The user pool id from a token's `iss`, read without verification: only to know which keys
/// to verify it with.
pub fn token_issuer_pool(token: &str) -> Option<String> {
    unverified_pool_id(token)
}

fn unverified_pool_id(token: &str) -> Option<String> {
    use base64::Engine;
    /// Only `iss`, borrowed: the other claims are skipped, not built into a map (that was
    /// 6% of GetUser's CPU).
    #[derive(serde::Deserialize)]
    struct Issuer<'a> {
        #[serde(borrow)]
        iss: std::borrow::Cow<'a, str>,
    }
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Issuer<'_> = serde_json::from_slice(&bytes).ok()?;
    pool_id_of_issuer(&claims.iss).map(str::to_owned)
}

/// The pool an issuer URL names: its last path segment.
fn pool_id_of_issuer(iss: &str) -> Option<&str> {
    iss.rsplit('/').next()
}

impl w::Service for UserPools {
    type Context = Context;
    type Error = Error;

    fn create_user_pool(&self, _: &Context, i: w::CreateUserPoolRequest) -> Result<w::CreateUserPoolResponse> {
        self.op_create_user_pool(i)
    }
    fn describe_user_pool(&self, _: &Context, i: w::DescribeUserPoolRequest) -> Result<w::DescribeUserPoolResponse> {
        self.op_describe_user_pool(i)
    }
    fn list_user_pools(&self, _: &Context, i: w::ListUserPoolsRequest) -> Result<w::ListUserPoolsResponse> {
        self.op_list_user_pools(i)
    }
    fn update_user_pool(&self, _: &Context, i: w::UpdateUserPoolRequest) -> Result<w::UpdateUserPoolResponse> {
        self.op_update_user_pool(i)
    }
    fn tag_resource(&self, _: &Context, i: w::TagResourceRequest) -> Result<w::TagResourceResponse> {
        self.op_tag_resource(i)
    }
    fn untag_resource(&self, _: &Context, i: w::UntagResourceRequest) -> Result<w::UntagResourceResponse> {
        self.op_untag_resource(i)
    }
    fn list_tags_for_resource(&self, _: &Context, i: w::ListTagsForResourceRequest) -> Result<w::ListTagsForResourceResponse> {
        self.op_list_tags_for_resource(i)
    }

    fn confirm_device(&self, ctx: &Context, i: w::ConfirmDeviceRequest) -> Result<w::ConfirmDeviceResponse> {
        self.op_confirm_device(ctx, i)
    }
    fn get_device(&self, _: &Context, i: w::GetDeviceRequest) -> Result<w::GetDeviceResponse> {
        self.op_get_device(i)
    }
    fn admin_get_device(&self, _: &Context, i: w::AdminGetDeviceRequest) -> Result<w::AdminGetDeviceResponse> {
        self.op_admin_get_device(i)
    }
    fn list_devices(&self, _: &Context, i: w::ListDevicesRequest) -> Result<w::ListDevicesResponse> {
        self.op_list_devices(i)
    }
    fn admin_list_devices(&self, _: &Context, i: w::AdminListDevicesRequest) -> Result<w::AdminListDevicesResponse> {
        self.op_admin_list_devices(i)
    }
    fn forget_device(&self, _: &Context, i: w::ForgetDeviceRequest) -> Result<()> {
        self.op_forget_device(i)
    }
    fn admin_forget_device(&self, _: &Context, i: w::AdminForgetDeviceRequest) -> Result<()> {
        self.op_admin_forget_device(i)
    }
    fn update_device_status(&self, _: &Context, i: w::UpdateDeviceStatusRequest) -> Result<w::UpdateDeviceStatusResponse> {
        self.op_update_device_status(i)
    }
    fn admin_update_device_status(&self, _: &Context, i: w::AdminUpdateDeviceStatusRequest) -> Result<w::AdminUpdateDeviceStatusResponse> {
        self.op_admin_update_device_status(i)
    }
    fn delete_user_pool(&self, _: &Context, i: w::DeleteUserPoolRequest) -> Result<()> {
        self.op_delete_user_pool(i)
    }
    fn add_custom_attributes(&self, _: &Context, i: w::AddCustomAttributesRequest) -> Result<w::AddCustomAttributesResponse> {
        self.op_add_custom_attributes(i)
    }

    fn create_user_pool_client(&self, _: &Context, i: w::CreateUserPoolClientRequest) -> Result<w::CreateUserPoolClientResponse> {
        self.op_create_user_pool_client(i)
    }
    fn describe_user_pool_client(&self, _: &Context, i: w::DescribeUserPoolClientRequest) -> Result<w::DescribeUserPoolClientResponse> {
        self.op_describe_user_pool_client(i)
    }
    fn update_user_pool_client(&self, _: &Context, i: w::UpdateUserPoolClientRequest) -> Result<w::UpdateUserPoolClientResponse> {
        self.op_update_user_pool_client(i)
    }
    fn delete_user_pool_client(&self, _: &Context, i: w::DeleteUserPoolClientRequest) -> Result<()> {
        self.op_delete_user_pool_client(i)
    }
    fn list_user_pool_clients(&self, _: &Context, i: w::ListUserPoolClientsRequest) -> Result<w::ListUserPoolClientsResponse> {
        self.op_list_user_pool_clients(i)
    }
    fn add_user_pool_client_secret(&self, _: &Context, i: w::AddUserPoolClientSecretRequest) -> Result<w::AddUserPoolClientSecretResponse> {
        self.op_add_user_pool_client_secret(i)
    }
    fn delete_user_pool_client_secret(
        &self,
        _: &Context,
        i: w::DeleteUserPoolClientSecretRequest,
    ) -> Result<w::DeleteUserPoolClientSecretResponse> {
        self.op_delete_user_pool_client_secret(i).map(|()| w::DeleteUserPoolClientSecretResponse {})
    }
    fn list_user_pool_client_secrets(
        &self,
        _: &Context,
        i: w::ListUserPoolClientSecretsRequest,
    ) -> Result<w::ListUserPoolClientSecretsResponse> {
        self.op_list_user_pool_client_secrets(i)
    }

    fn sign_up(&self, _: &Context, i: w::SignUpRequest) -> Result<w::SignUpResponse> {
        self.op_sign_up(i)
    }
    fn confirm_sign_up(&self, _: &Context, i: w::ConfirmSignUpRequest) -> Result<w::ConfirmSignUpResponse> {
        self.op_confirm_sign_up(i)
    }
    fn resend_confirmation_code(&self, _: &Context, i: w::ResendConfirmationCodeRequest) -> Result<w::ResendConfirmationCodeResponse> {
        self.op_resend_confirmation_code(i)
    }
    fn forgot_password(&self, _: &Context, i: w::ForgotPasswordRequest) -> Result<w::ForgotPasswordResponse> {
        self.op_forgot_password(i)
    }
    fn confirm_forgot_password(&self, _: &Context, i: w::ConfirmForgotPasswordRequest) -> Result<w::ConfirmForgotPasswordResponse> {
        self.op_confirm_forgot_password(i)
    }
    fn change_password(&self, _: &Context, i: w::ChangePasswordRequest) -> Result<w::ChangePasswordResponse> {
        self.op_change_password(i)
    }
    fn get_user(&self, _: &Context, i: w::GetUserRequest) -> Result<w::GetUserResponse> {
        self.op_get_user(i)
    }
    fn update_user_attributes(&self, _: &Context, i: w::UpdateUserAttributesRequest) -> Result<w::UpdateUserAttributesResponse> {
        self.op_update_user_attributes(i)
    }
    fn delete_user_attributes(&self, _: &Context, i: w::DeleteUserAttributesRequest) -> Result<w::DeleteUserAttributesResponse> {
        self.op_delete_user_attributes(i)
    }
    fn delete_user(&self, _: &Context, i: w::DeleteUserRequest) -> Result<()> {
        self.op_delete_user(i)
    }
    fn get_user_attribute_verification_code(
        &self,
        _: &Context,
        i: w::GetUserAttributeVerificationCodeRequest,
    ) -> Result<w::GetUserAttributeVerificationCodeResponse> {
        self.op_get_user_attribute_verification_code(i)
    }
    fn verify_user_attribute(&self, _: &Context, i: w::VerifyUserAttributeRequest) -> Result<w::VerifyUserAttributeResponse> {
        self.op_verify_user_attribute(i)
    }

    fn get_csv_header(&self, _: &Context, i: w::GetCSVHeaderRequest) -> Result<w::GetCSVHeaderResponse> {
        self.op_get_csv_header(i)
    }
    fn admin_create_user(&self, _: &Context, i: w::AdminCreateUserRequest) -> Result<w::AdminCreateUserResponse> {
        self.op_admin_create_user(i)
    }
    fn admin_confirm_sign_up(&self, _: &Context, i: w::AdminConfirmSignUpRequest) -> Result<w::AdminConfirmSignUpResponse> {
        self.op_admin_confirm_sign_up(i)
    }
    fn admin_get_user(&self, _: &Context, i: w::AdminGetUserRequest) -> Result<w::AdminGetUserResponse> {
        self.op_admin_get_user(i)
    }
    fn admin_update_user_attributes(
        &self,
        _: &Context,
        i: w::AdminUpdateUserAttributesRequest,
    ) -> Result<w::AdminUpdateUserAttributesResponse> {
        self.op_admin_update_user_attributes(i)
    }
    fn admin_delete_user_attributes(
        &self,
        _: &Context,
        i: w::AdminDeleteUserAttributesRequest,
    ) -> Result<w::AdminDeleteUserAttributesResponse> {
        self.op_admin_delete_user_attributes(i)
    }
    fn admin_disable_user(&self, _: &Context, i: w::AdminDisableUserRequest) -> Result<w::AdminDisableUserResponse> {
        self.op_admin_set_enabled(&i.user_pool_id, &i.username, false).map(|_| w::AdminDisableUserResponse::default())
    }
    fn admin_enable_user(&self, _: &Context, i: w::AdminEnableUserRequest) -> Result<w::AdminEnableUserResponse> {
        self.op_admin_set_enabled(&i.user_pool_id, &i.username, true).map(|_| w::AdminEnableUserResponse::default())
    }
    fn admin_delete_user(&self, _: &Context, i: w::AdminDeleteUserRequest) -> Result<()> {
        self.op_admin_delete_user(i)
    }
    fn admin_reset_user_password(&self, _: &Context, i: w::AdminResetUserPasswordRequest) -> Result<w::AdminResetUserPasswordResponse> {
        self.op_admin_reset_user_password(i)
    }
    fn admin_set_user_password(&self, _: &Context, i: w::AdminSetUserPasswordRequest) -> Result<w::AdminSetUserPasswordResponse> {
        self.op_admin_set_user_password(i)
    }
    fn admin_user_global_sign_out(&self, _: &Context, i: w::AdminUserGlobalSignOutRequest) -> Result<w::AdminUserGlobalSignOutResponse> {
        self.op_admin_user_global_sign_out(i)
    }
    fn list_users(&self, _: &Context, i: w::ListUsersRequest) -> Result<w::ListUsersResponse> {
        self.op_list_users(i)
    }

    fn create_user_pool_domain(&self, _: &Context, i: w::CreateUserPoolDomainRequest) -> Result<w::CreateUserPoolDomainResponse> {
        self.op_create_user_pool_domain(i)
    }
    fn describe_user_pool_domain(&self, _: &Context, i: w::DescribeUserPoolDomainRequest) -> Result<w::DescribeUserPoolDomainResponse> {
        self.op_describe_user_pool_domain(i)
    }
    fn update_user_pool_domain(&self, _: &Context, i: w::UpdateUserPoolDomainRequest) -> Result<w::UpdateUserPoolDomainResponse> {
        self.op_update_user_pool_domain(i)
    }
    fn delete_user_pool_domain(&self, _: &Context, i: w::DeleteUserPoolDomainRequest) -> Result<w::DeleteUserPoolDomainResponse> {
        self.op_delete_user_pool_domain(i)
    }

    fn create_resource_server(&self, _: &Context, i: w::CreateResourceServerRequest) -> Result<w::CreateResourceServerResponse> {
        self.op_create_resource_server(i)
    }
    fn describe_resource_server(&self, _: &Context, i: w::DescribeResourceServerRequest) -> Result<w::DescribeResourceServerResponse> {
        self.op_describe_resource_server(i)
    }
    fn update_resource_server(&self, _: &Context, i: w::UpdateResourceServerRequest) -> Result<w::UpdateResourceServerResponse> {
        self.op_update_resource_server(i)
    }
    fn delete_resource_server(&self, _: &Context, i: w::DeleteResourceServerRequest) -> Result<()> {
        self.op_delete_resource_server(i)
    }
    fn list_resource_servers(&self, _: &Context, i: w::ListResourceServersRequest) -> Result<w::ListResourceServersResponse> {
        self.op_list_resource_servers(i)
    }
    fn set_ui_customization(&self, _: &Context, i: w::SetUICustomizationRequest) -> Result<w::SetUICustomizationResponse> {
        self.op_set_ui_customization(i)
    }
    fn get_ui_customization(&self, _: &Context, i: w::GetUICustomizationRequest) -> Result<w::GetUICustomizationResponse> {
        self.op_get_ui_customization(i)
    }
    fn get_client_token(&self, _: &Context, i: w::GetClientTokenRequest) -> Result<w::GetClientTokenResponse> {
        self.op_get_client_token(i)
    }
    fn create_managed_login_branding(
        &self,
        _: &Context,
        i: w::CreateManagedLoginBrandingRequest,
    ) -> Result<w::CreateManagedLoginBrandingResponse> {
        self.op_create_managed_login_branding(i)
    }
    fn describe_managed_login_branding(
        &self,
        _: &Context,
        i: w::DescribeManagedLoginBrandingRequest,
    ) -> Result<w::DescribeManagedLoginBrandingResponse> {
        self.op_describe_managed_login_branding(i)
    }
    fn describe_managed_login_branding_by_client(
        &self,
        _: &Context,
        i: w::DescribeManagedLoginBrandingByClientRequest,
    ) -> Result<w::DescribeManagedLoginBrandingByClientResponse> {
        self.op_describe_managed_login_branding_by_client(i)
    }
    fn update_managed_login_branding(
        &self,
        _: &Context,
        i: w::UpdateManagedLoginBrandingRequest,
    ) -> Result<w::UpdateManagedLoginBrandingResponse> {
        self.op_update_managed_login_branding(i)
    }
    fn delete_managed_login_branding(&self, _: &Context, i: w::DeleteManagedLoginBrandingRequest) -> Result<()> {
        self.op_delete_managed_login_branding(i)
    }
    fn create_user_pool_replica(&self, _: &Context, i: w::CreateUserPoolReplicaRequest) -> Result<w::CreateUserPoolReplicaResponse> {
        self.op_create_user_pool_replica(i)
    }
    fn list_user_pool_replicas(&self, _: &Context, i: w::ListUserPoolReplicasRequest) -> Result<w::ListUserPoolReplicasResponse> {
        self.op_list_user_pool_replicas(i)
    }
    fn update_user_pool_replica(&self, _: &Context, i: w::UpdateUserPoolReplicaRequest) -> Result<w::UpdateUserPoolReplicaResponse> {
        self.op_update_user_pool_replica(i)
    }
    fn delete_user_pool_replica(&self, _: &Context, i: w::DeleteUserPoolReplicaRequest) -> Result<w::DeleteUserPoolReplicaResponse> {
        self.op_delete_user_pool_replica(i)
    }
    fn create_terms(&self, _: &Context, i: w::CreateTermsRequest) -> Result<w::CreateTermsResponse> {
        self.op_create_terms(i)
    }
    fn update_terms(&self, _: &Context, i: w::UpdateTermsRequest) -> Result<w::UpdateTermsResponse> {
        self.op_update_terms(i)
    }
    fn describe_terms(&self, _: &Context, i: w::DescribeTermsRequest) -> Result<w::DescribeTermsResponse> {
        self.op_describe_terms(i)
    }
    fn describe_terms_by_client(&self, _: &Context, i: w::DescribeTermsByClientRequest) -> Result<w::DescribeTermsByClientResponse> {
        self.op_describe_terms_by_client(i)
    }
    fn list_terms(&self, _: &Context, i: w::ListTermsRequest) -> Result<w::ListTermsResponse> {
        self.op_list_terms(i)
    }
    fn delete_terms(&self, _: &Context, i: w::DeleteTermsRequest) -> Result<()> {
        self.op_delete_terms(i)
    }
    fn create_identity_provider(&self, _: &Context, i: w::CreateIdentityProviderRequest) -> Result<w::CreateIdentityProviderResponse> {
        self.op_create_identity_provider(i)
    }
    fn describe_identity_provider(
        &self,
        _: &Context,
        i: w::DescribeIdentityProviderRequest,
    ) -> Result<w::DescribeIdentityProviderResponse> {
        self.op_describe_identity_provider(i)
    }
    fn update_identity_provider(&self, _: &Context, i: w::UpdateIdentityProviderRequest) -> Result<w::UpdateIdentityProviderResponse> {
        self.op_update_identity_provider(i)
    }
    fn delete_identity_provider(&self, _: &Context, i: w::DeleteIdentityProviderRequest) -> Result<()> {
        self.op_delete_identity_provider(i)
    }
    fn list_identity_providers(&self, _: &Context, i: w::ListIdentityProvidersRequest) -> Result<w::ListIdentityProvidersResponse> {
        self.op_list_identity_providers(i)
    }
    fn get_identity_provider_by_identifier(
        &self,
        _: &Context,
        i: w::GetIdentityProviderByIdentifierRequest,
    ) -> Result<w::GetIdentityProviderByIdentifierResponse> {
        self.op_get_identity_provider_by_identifier(i)
    }
    fn get_signing_certificate(&self, _: &Context, i: w::GetSigningCertificateRequest) -> Result<w::GetSigningCertificateResponse> {
        self.op_get_signing_certificate(i)
    }
    fn admin_link_provider_for_user(
        &self,
        _: &Context,
        i: w::AdminLinkProviderForUserRequest,
    ) -> Result<w::AdminLinkProviderForUserResponse> {
        self.op_admin_link_provider_for_user(i)
    }
    fn admin_disable_provider_for_user(
        &self,
        _: &Context,
        i: w::AdminDisableProviderForUserRequest,
    ) -> Result<w::AdminDisableProviderForUserResponse> {
        self.op_admin_disable_provider_for_user(i)
    }
    fn get_derived_token(&self, ctx: &Context, i: w::GetDerivedTokenRequest) -> Result<w::GetDerivedTokenResponse> {
        self.op_get_derived_token(ctx, i)
    }

    fn create_group(&self, _: &Context, i: w::CreateGroupRequest) -> Result<w::CreateGroupResponse> {
        self.op_create_group(i)
    }
    fn get_group(&self, _: &Context, i: w::GetGroupRequest) -> Result<w::GetGroupResponse> {
        self.op_get_group(i)
    }
    fn update_group(&self, _: &Context, i: w::UpdateGroupRequest) -> Result<w::UpdateGroupResponse> {
        self.op_update_group(i)
    }
    fn delete_group(&self, _: &Context, i: w::DeleteGroupRequest) -> Result<()> {
        self.op_delete_group(i)
    }
    fn list_groups(&self, _: &Context, i: w::ListGroupsRequest) -> Result<w::ListGroupsResponse> {
        self.op_list_groups(i)
    }
    fn list_users_in_group(&self, _: &Context, i: w::ListUsersInGroupRequest) -> Result<w::ListUsersInGroupResponse> {
        self.op_list_users_in_group(i)
    }
    fn admin_add_user_to_group(&self, _: &Context, i: w::AdminAddUserToGroupRequest) -> Result<()> {
        self.op_admin_add_user_to_group(i)
    }
    fn admin_remove_user_from_group(&self, _: &Context, i: w::AdminRemoveUserFromGroupRequest) -> Result<()> {
        self.op_admin_remove_user_from_group(i)
    }
    fn admin_list_groups_for_user(&self, _: &Context, i: w::AdminListGroupsForUserRequest) -> Result<w::AdminListGroupsForUserResponse> {
        self.op_admin_list_groups_for_user(i)
    }

    fn initiate_auth(&self, ctx: &Context, i: w::InitiateAuthRequest) -> Result<w::InitiateAuthResponse> {
        self.op_initiate_auth(ctx, i)
    }
    fn admin_initiate_auth(&self, ctx: &Context, i: w::AdminInitiateAuthRequest) -> Result<w::AdminInitiateAuthResponse> {
        self.op_admin_initiate_auth(ctx, i)
    }
    fn respond_to_auth_challenge(&self, ctx: &Context, i: w::RespondToAuthChallengeRequest) -> Result<w::RespondToAuthChallengeResponse> {
        self.op_respond_to_auth_challenge(ctx, i)
    }
    fn admin_respond_to_auth_challenge(
        &self,
        ctx: &Context,
        i: w::AdminRespondToAuthChallengeRequest,
    ) -> Result<w::AdminRespondToAuthChallengeResponse> {
        self.op_admin_respond_to_auth_challenge(ctx, i)
    }
    fn get_tokens_from_refresh_token(
        &self,
        _: &Context,
        i: w::GetTokensFromRefreshTokenRequest,
    ) -> Result<w::GetTokensFromRefreshTokenResponse> {
        self.op_get_tokens_from_refresh_token(i)
    }
    fn admin_list_user_auth_events(&self, _: &Context, i: w::AdminListUserAuthEventsRequest) -> Result<w::AdminListUserAuthEventsResponse> {
        self.op_admin_list_user_auth_events(i)
    }
    fn associate_software_token(&self, _: &Context, i: w::AssociateSoftwareTokenRequest) -> Result<w::AssociateSoftwareTokenResponse> {
        self.op_associate_software_token(i)
    }
    fn admin_delete_software_token(
        &self,
        _: &Context,
        i: w::AdminDeleteSoftwareTokenRequest,
    ) -> Result<w::AdminDeleteSoftwareTokenResponse> {
        self.op_admin_delete_software_token(i)
    }
    fn verify_software_token(&self, _: &Context, i: w::VerifySoftwareTokenRequest) -> Result<w::VerifySoftwareTokenResponse> {
        self.op_verify_software_token(i)
    }
    fn set_user_settings(&self, _: &Context, i: w::SetUserSettingsRequest) -> Result<w::SetUserSettingsResponse> {
        self.op_set_user_settings(i)
    }
    fn admin_set_user_settings(&self, _: &Context, i: w::AdminSetUserSettingsRequest) -> Result<w::AdminSetUserSettingsResponse> {
        self.op_admin_set_user_settings(i)
    }
    fn set_user_mfa_preference(&self, _: &Context, i: w::SetUserMFAPreferenceRequest) -> Result<w::SetUserMFAPreferenceResponse> {
        self.op_set_user_mfa_preference(i)
    }
    fn admin_set_user_mfa_preference(
        &self,
        _: &Context,
        i: w::AdminSetUserMFAPreferenceRequest,
    ) -> Result<w::AdminSetUserMFAPreferenceResponse> {
        self.op_admin_set_user_mfa_preference(i)
    }
    fn get_user_pool_mfa_config(&self, _: &Context, i: w::GetUserPoolMfaConfigRequest) -> Result<w::GetUserPoolMfaConfigResponse> {
        self.op_get_user_pool_mfa_config(i)
    }
    fn set_user_pool_mfa_config(&self, _: &Context, i: w::SetUserPoolMfaConfigRequest) -> Result<w::SetUserPoolMfaConfigResponse> {
        self.op_set_user_pool_mfa_config(i)
    }
    fn get_user_auth_factors(&self, _: &Context, i: w::GetUserAuthFactorsRequest) -> Result<w::GetUserAuthFactorsResponse> {
        self.op_get_user_auth_factors(i)
    }
    fn admin_get_user_auth_factors(&self, _: &Context, i: w::AdminGetUserAuthFactorsRequest) -> Result<w::AdminGetUserAuthFactorsResponse> {
        self.op_admin_get_user_auth_factors(i)
    }
    fn global_sign_out(&self, _: &Context, i: w::GlobalSignOutRequest) -> Result<w::GlobalSignOutResponse> {
        self.op_global_sign_out(i)
    }
    fn revoke_token(&self, _: &Context, i: w::RevokeTokenRequest) -> Result<w::RevokeTokenResponse> {
        self.op_revoke_token(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn client(secrets: &[&str]) -> AppClient {
        AppClient {
            pool_id: "us-east-1_p".into(),
            client_id: "abc".into(),
            secrets: secrets.iter().zip(1..).map(|(s, at)| crate::store::ClientSecret::new("abc", (*s).into(), at)).collect(),
            config: Default::default(),
            created_ms: 0,
            modified_ms: 0,
        }
    }

    /// Base64(HMAC-SHA256(secret, username + client id)), computed independently.
    fn hash(secret: &str, message: &str) -> String {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(aws_lc_rs::hmac::sign(&key, message.as_bytes()))
    }

    #[test]
    fn secret_hash_is_required_and_checked_only_for_clients_with_a_secret() {
        assert!(UserPools::check_secret_hash(&client(&[]), &["alice"], None).is_ok());
        let c = client(&["s3cret"]);
        let good = hash("s3cret", "aliceabc");
        assert!(UserPools::check_secret_hash(&c, &["alice"], Some(&good)).is_ok());
        assert!(UserPools::check_secret_hash(&c, &["bob", "alice"], Some(&good)).is_ok(), "any of the names may be the one hashed");
        let missing = UserPools::check_secret_hash(&c, &["alice"], None).unwrap_err();
        assert!(missing.to_string().contains("configured for secret but secret was not received"));
        for bad in [hash("wrong", "aliceabc"), hash("s3cret", "bobabc"), "not base64!".into()] {
            let e = UserPools::check_secret_hash(&c, &["alice"], Some(&bad)).unwrap_err();
            assert_eq!(e.to_string(), "Unable to verify secret hash for client abc");
        }
    }

    #[test]
    fn while_a_secret_is_rotated_a_hash_made_with_either_one_is_accepted() {
        let c = client(&["old-secret", "new-secret"]);
        for secret in ["old-secret", "new-secret"] {
            assert!(UserPools::check_secret_hash(&c, &["alice"], Some(&hash(secret, "aliceabc"))).is_ok(), "{secret}");
            assert!(c.secret_matches(secret));
        }
        assert!(UserPools::check_secret_hash(&c, &["alice"], Some(&hash("other", "aliceabc"))).is_err());
        assert!(!c.secret_matches("other") && !c.secret_matches("") && !c.secret_matches("old-secretX"));
        assert_eq!(c.secret(), Some("old-secret"), "the oldest is the one described until it is deleted");
    }

    #[test]
    fn the_pool_id_is_read_from_the_issuer() {
        let token = |claims: &str| format!("x.{}.y", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims));
        let pool = |claims: &str| unverified_pool_id(&token(claims));
        assert_eq!(pool(r#"{"iss":"http://h:1/us-east-1_Ab12"}"#).as_deref(), Some("us-east-1_Ab12"));
        // Other claims of every kind are skipped; an escaped issuer is unescaped.
        assert_eq!(
            pool(r#"{"sub":"s","cognito:groups":["a"],"exp":1,"nested":{"iss":"no"},"iss":"http:\/\/h\/us-east-1_Esc"}"#).as_deref(),
            Some("us-east-1_Esc")
        );
        assert_eq!(pool(r#"{"iss":42}"#), None);
        assert_eq!(pool(r#"{"sub":"s"}"#), None);
        assert_eq!(pool(r#"{"iss":null}"#), None);
        assert_eq!(unverified_pool_id("garbage"), None);
    }
}
