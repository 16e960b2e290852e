//! Storage ports: what PoolDesk needs from a database, as narrow traits over domain records.
//!
//! Each method is one atomic unit of work. Where a use case needs several writes to land
//! together they travel in one record (a user carries its pending codes) or one method. No
//! SQL or driver type appears here, so a PostgreSQL store can follow the SQLite one; the
//! behaviour both must have is `testkit::store_contract`.

use std::collections::BTreeMap;
use std::sync::Arc;

use pooldesk_wire::cognito_idp::{
    DomainDescriptionType, GetUserPoolMfaConfigResponse, GroupType, ResourceServerType, UserPoolClientType, UserPoolType, UserStatusType,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness constraint or an optimistic version check failed.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A pagination token this store did not issue.
    #[error("invalid pagination token")]
    BadCursor,
    #[error("the database is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Attributes kept in an index so ListUsers can filter on them (Cognito's searchable set).
pub const INDEXED_ATTRIBUTES: [&str; 6] = ["email", "phone_number", "name", "given_name", "family_name", "preferred_username"];

#[derive(Debug, Clone, PartialEq)]
pub struct UserPool {
    pub id: String,
    /// The pool's settings as Cognito describes them; `Id`, dates and counts are filled in
    /// when described, not stored.
    pub config: UserPoolType,
    /// MFA settings as GetUserPoolMfaConfig describes them.
    pub mfa_config: GetUserPoolMfaConfigResponse,
    pub created_ms: i64,
    pub modified_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppClient {
    pub pool_id: String,
    pub client_id: String,
    /// None for a public client; up to two, oldest first, while one is being rotated out.
    /// Kept apart from `config` (and sealed at rest) so a secret is never echoed except where
    /// Cognito shows it.
    pub secrets: Vec<ClientSecret>,
    pub config: UserPoolClientType,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// One of an app client's secrets.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientSecret {
    /// `<client id>--<creation time in epoch milliseconds>`.
    pub id: String,
    pub value: String,
    pub created_ms: i64,
}

/// Never prints the value: an app client may end up in a log line.
impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecret").field("id", &self.id).field("created_ms", &self.created_ms).finish_non_exhaustive()
    }
}

impl ClientSecret {
    pub fn new(client_id: &str, value: String, created_ms: i64) -> Self {
        ClientSecret { id: format!("{client_id}--{created_ms}"), value, created_ms }
    }
}

impl AppClient {
    /// A confidential client: one that must prove a secret.
    pub fn has_secret(&self) -> bool {
        !self.secrets.is_empty()
    }

    /// The secret DescribeUserPoolClient shows and the login pages sign with: the oldest one,
    /// which every caller has until a rotation completes.
    pub fn secret(&self) -> Option<&str> {
        self.secrets.first().map(|s| s.value.as_str())
    }

    /// Whether `given` is one of the client's secrets. Every secret is compared, each in
    /// constant time, so the answer's timing says nothing about which one matched.
    pub fn secret_matches(&self, given: &str) -> bool {
        self.secrets
            .iter()
            .fold(false, |found, s| found | aws_lc_rs::constant_time::verify_slices_are_equal(s.value.as_bytes(), given.as_bytes()).is_ok())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub pool_id: String,
    pub name: String,
    pub config: GroupType,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// A user pool's domain: the host name (a prefix such as `myapp`, or a custom domain such as
/// `auth.example.com`) under which its login pages and OAuth endpoints are served. Names are
/// unique across the installation, as Cognito's are across a region.
#[derive(Debug, Clone, PartialEq)]
pub struct Domain {
    pub domain: String,
    pub pool_id: String,
    /// As DescribeUserPoolDomain answers it.
    pub config: DomainDescriptionType,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// An OAuth resource server of a pool: an API whose custom scopes (`<identifier>/<scope>`)
/// app clients may be granted.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceServer {
    pub pool_id: String,
    pub identifier: String,
    /// As DescribeResourceServer answers it.
    pub config: ResourceServerType,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// The login pages' branding for a pool's clients (`client_id` `ALL`) or one client.
#[derive(Debug, Clone, PartialEq)]
pub struct UiCustomization {
    pub pool_id: String,
    pub client_id: String,
    pub css: Option<String>,
    /// A PNG or JPEG logo.
    pub image: Option<Vec<u8>>,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// An identity provider of a pool, as DescribeIdentityProvider answers it (its secrets
/// included: the store seals them).
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityProvider {
    pub pool_id: String,
    pub name: String,
    pub config: pooldesk_wire::cognito_idp::IdentityProviderType,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// The `ProviderDetails` keys that are secrets, sealed at rest and never logged.
pub const PROVIDER_SECRET_KEYS: [&str; 3] = ["client_secret", "private_key", "EncryptionPrivateKey"];

/// A managed login branding style: one app client's look on domains with managed login
/// version 2.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedLoginBranding {
    pub id: String,
    pub pool_id: String,
    pub client_id: String,
    /// Cognito's default look; `settings` is then `None`.
    pub use_cognito_provided_values: bool,
    /// The style's settings document, as the caller gave it.
    pub settings: Option<serde_json::Value>,
    pub assets: Vec<pooldesk_wire::cognito_idp::AssetType>,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// An app client's terms documents of one kind (`terms-of-use` or `privacy-policy`): a link
/// per managed login language, shown on the sign-up page.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub id: String,
    pub pool_id: String,
    pub client_id: String,
    /// Unique per client.
    pub name: String,
    /// `cognito:<language>` (or `cognito:default`) to URL.
    pub links: BTreeMap<String, String>,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// A user. `key` is the username as compared (case-folded in case-insensitive pools).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub pool_id: String,
    pub key: String,
    pub username: String,
    pub sub: String,
    pub status: UserStatusType,
    pub enabled: bool,
    pub created_ms: i64,
    pub modified_ms: i64,
    /// Bumped by every update; an update based on a stale read fails with `Conflict`.
    pub version: i64,
    pub data: UserData,
}

/// The parts of a user no index needs, stored together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserData {
    /// Every attribute but `sub` (which is a column), by name.
    pub attributes: BTreeMap<String, String>,
    /// argon2id PHC string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// When a temporary password (FORCE_CHANGE_PASSWORD) stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_password_expires_ms: Option<i64>,
    /// Outstanding one-time codes by purpose.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<CodePurpose, PendingCode>,
    /// Consecutive failed sign-ins, and until when sign-in is refused because of them.
    #[serde(default)]
    pub failed_sign_ins: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until_ms: Option<i64>,
    /// The SRP verifier of the current password (USER_SRP_AUTH), set with the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srp: Option<crate::srp::Verifier>,
    #[serde(default)]
    pub mfa: MfaSettings,
    /// The devices the user confirmed (ConfirmDevice), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
    /// The user's device group key (NewDeviceMetadata's `DeviceGroupKey`), made at the first
    /// sign-in that got a device key; device SRP hashes it as user SRP hashes the pool name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_group_key: Option<String>,
}

/// A device a user confirmed, to be authenticated with device SRP (DEVICE_SRP_AUTH).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// `<region>_<uuid>`, as NewDeviceMetadata handed it out.
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The device's SRP salt and verifier, from ConfirmDevice's DeviceSecretVerifierConfig.
    pub verifier: crate::srp::Verifier,
    /// Remembered devices may stand in for MFA (`dev:device_remembered_status`).
    pub remembered: bool,
    pub created_ms: i64,
    pub modified_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_authenticated_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ip: Option<String>,
}

/// A user's second factors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MfaSettings {
    /// The verified authenticator secret (base32), and the last time step a code was used
    /// for, so no code is accepted twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_last_step: Option<i64>,
    /// A secret handed out by AssociateSoftwareToken, waiting for VerifySoftwareToken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_totp_secret: Option<String>,
    #[serde(default)]
    pub totp_enabled: bool,
    #[serde(default)]
    pub sms_enabled: bool,
    #[serde(default)]
    pub email_enabled: bool,
    /// `SOFTWARE_TOKEN_MFA`, `SMS_MFA` or `EMAIL_OTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CodePurpose {
    SignUp,
    ForgotPassword,
    /// Verification of a changed attribute (`email` or `phone_number`).
    VerifyEmail,
    VerifyPhoneNumber,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingCode {
    /// SHA-256 of the code, hex.
    pub hash: String,
    pub expires_ms: i64,
    pub attempts_left: u32,
}

/// A signed-in session: the refresh token (stored only as a hash) and the `origin_jti` its
/// ID and access tokens carry, so revoking it also stops those tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub origin_jti: String,
    pub pool_id: String,
    pub client_id: String,
    pub sub: String,
    pub refresh_hash: String,
    /// With refresh token rotation: the token replaced last and when, accepted again only
    /// within the client's grace period.
    pub previous_refresh_hash: Option<String>,
    pub rotated_ms: Option<i64>,
    /// The OAuth scopes granted (space-separated) when the session began at a login page;
    /// None for a sign-in through the API, whose access tokens carry `aws.cognito.signin.user.admin`.
    pub scope: Option<String>,
    pub auth_time: i64,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub revoked: bool,
}

/// A sign-in step waiting for the client's answer, under the Session id the client holds.
/// `state` is core's own document; the store only keeps it until it expires or is taken.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeRecord {
    pub id: String,
    pub pool_id: String,
    pub state: String,
    pub expires_ms: i64,
}

/// One sign-in attempt, as AdminListUserAuthEvents reports it (`event` is core's document).
#[derive(Debug, Clone, PartialEq)]
pub struct AuthEventRecord {
    pub id: i64,
    pub pool_id: String,
    pub sub: String,
    pub event: String,
    pub created_ms: i64,
}

#[derive(Clone, PartialEq)]
pub struct SigningKey {
    pub kid: String,
    pub pool_id: String,
    pub alg: String,
    /// PKCS#8 DER.
    pub private_der: Vec<u8>,
    pub created_ms: i64,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).field("pool_id", &self.pool_id).finish_non_exhaustive()
    }
}

/// An admin credential for SigV4.
#[derive(Clone, PartialEq)]
pub struct AccessKey {
    pub id: String,
    pub secret: String,
    pub description: String,
    pub created_ms: i64,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey").field("id", &self.id).field("description", &self.description).finish_non_exhaustive()
    }
}

/// A message PoolDesk sent (or would have sent) to a user: kept so developers can read codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: i64,
    pub pool_id: String,
    pub username: String,
    /// `EMAIL` or `SMS`.
    pub medium: String,
    pub destination: String,
    pub subject: String,
    pub body: String,
    pub code: Option<String>,
    pub created_ms: i64,
    /// `RECORDED` (outbox only), `SENT`, or `FAILED: reason`.
    pub delivery: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterField {
    Username,
    Sub,
    /// `status`: "Enabled" or "Disabled".
    Enabled,
    /// `cognito:user_status`.
    UserStatus,
    /// One of [`INDEXED_ATTRIBUTES`].
    Attribute(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    Equals,
    StartsWith,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter {
    pub field: FilterField,
    pub op: FilterOp,
    pub value: String,
}

/// A page of results and the token for the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

pub trait UserPoolStore: Send + Sync {
    /// Creates a pool together with its first signing key.
    fn create_pool(&self, pool: &UserPool, key: &SigningKey) -> StoreResult<()>;
    /// Shared: a call reads its pool's settings, it does not own a copy of them.
    fn get_pool(&self, id: &str) -> StoreResult<Option<Arc<UserPool>>>;
    fn list_pools(&self, after: Option<&str>, limit: usize) -> StoreResult<Page<UserPool>>;
    fn update_pool(&self, pool: &UserPool) -> StoreResult<()>;
    /// Deletes the pool and everything in it. False if there was no such pool.
    fn delete_pool(&self, id: &str) -> StoreResult<bool>;
    fn count_users(&self, pool_id: &str) -> StoreResult<u64>;

    fn signing_keys(&self, pool_id: &str) -> StoreResult<Vec<SigningKey>>;

    fn create_client(&self, client: &AppClient) -> StoreResult<()>;
    fn get_client(&self, client_id: &str) -> StoreResult<Option<Arc<AppClient>>>;
    fn list_clients(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<AppClient>>;
    /// Conflict unless the stored client was last modified at `read_at` (nobody changed or
    /// deleted it since it was read).
    fn update_client(&self, client: &AppClient, read_at: i64) -> StoreResult<()>;
    fn delete_client(&self, client_id: &str) -> StoreResult<bool>;

    /// Conflict if the group exists.
    fn create_group(&self, group: &Group) -> StoreResult<()>;
    fn get_group(&self, pool_id: &str, name: &str) -> StoreResult<Option<Group>>;
    fn list_groups(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<Group>>;
    fn update_group(&self, group: &Group) -> StoreResult<()>;
    fn delete_group(&self, pool_id: &str, name: &str) -> StoreResult<bool>;

    /// Conflict if the name is taken (by any pool).
    fn create_domain(&self, domain: &Domain) -> StoreResult<()>;
    fn get_domain(&self, domain: &str) -> StoreResult<Option<Domain>>;
    /// A pool's domains (at most one prefix and one custom domain), by name.
    fn domains_of_pool(&self, pool_id: &str) -> StoreResult<Vec<Domain>>;
    fn update_domain(&self, domain: &Domain) -> StoreResult<()>;
    fn delete_domain(&self, domain: &str) -> StoreResult<bool>;

    /// Conflict if the pool has a resource server with this identifier.
    fn create_resource_server(&self, server: &ResourceServer) -> StoreResult<()>;
    fn get_resource_server(&self, pool_id: &str, identifier: &str) -> StoreResult<Option<ResourceServer>>;
    /// By identifier; `after` is the last identifier of the previous page.
    fn list_resource_servers(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<ResourceServer>>;
    fn update_resource_server(&self, server: &ResourceServer) -> StoreResult<()>;
    fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> StoreResult<bool>;

    /// Creates or replaces the branding of (pool, client).
    fn put_ui_customization(&self, customization: &UiCustomization) -> StoreResult<()>;
    fn get_ui_customization(&self, pool_id: &str, client_id: &str) -> StoreResult<Option<UiCustomization>>;

    /// Conflict if the client already has a style. A client's style goes with it.
    fn create_managed_login_branding(&self, style: &ManagedLoginBranding) -> StoreResult<()>;
    fn get_managed_login_branding(&self, pool_id: &str, id: &str) -> StoreResult<Option<ManagedLoginBranding>>;
    fn get_managed_login_branding_by_client(&self, pool_id: &str, client_id: &str) -> StoreResult<Option<ManagedLoginBranding>>;
    /// Replaces the settings and assets of the style `style.id`.
    fn update_managed_login_branding(&self, style: &ManagedLoginBranding) -> StoreResult<()>;
    fn delete_managed_login_branding(&self, pool_id: &str, id: &str) -> StoreResult<bool>;

    /// Conflict if the client has terms of that name. Deleting the client or pool deletes them.
    fn create_terms(&self, terms: &Terms) -> StoreResult<()>;
    fn get_terms(&self, pool_id: &str, id: &str) -> StoreResult<Option<Terms>>;
    /// The client's terms, by name.
    fn client_terms(&self, client_id: &str) -> StoreResult<Vec<Terms>>;
    /// A pool's terms by id; `after` is the last id of the previous page.
    fn list_terms(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<Terms>>;
    /// Conflict if renamed to a name the client's other terms have; false if they are gone.
    fn update_terms(&self, terms: &Terms) -> StoreResult<bool>;
    fn delete_terms(&self, pool_id: &str, id: &str) -> StoreResult<bool>;

    /// Conflict if the pool has a provider by that name.
    fn create_identity_provider(&self, provider: &IdentityProvider) -> StoreResult<()>;
    fn get_identity_provider(&self, pool_id: &str, name: &str) -> StoreResult<Option<IdentityProvider>>;
    /// By name; `after` is the last name of the previous page.
    fn list_identity_providers(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityProvider>>;
    fn update_identity_provider(&self, provider: &IdentityProvider) -> StoreResult<()>;
    /// The provider and every link of its identities.
    fn delete_identity_provider(&self, pool_id: &str, name: &str) -> StoreResult<bool>;

    /// Links `provider`'s identity `subject` to the user `user_sub`; Conflict if it is linked.
    fn link_identity(&self, pool_id: &str, provider: &str, subject: &str, user_sub: &str, now_ms: i64) -> StoreResult<()>;
    /// The user an external identity is linked to.
    fn linked_user(&self, pool_id: &str, provider: &str, subject: &str) -> StoreResult<Option<String>>;
    fn unlink_identity(&self, pool_id: &str, provider: &str, subject: &str) -> StoreResult<bool>;
    /// A pool's links of external identities, by provider and subject; `after` is the last
    /// (provider, subject) of the previous page.
    fn list_identity_links(&self, pool_id: &str, after: Option<(&str, &str)>, limit: usize) -> StoreResult<Vec<IdentityLink>>;
}

/// An external identity (a provider's subject) linked to a user of a pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityLink {
    pub provider: String,
    pub subject: String,
    pub user_sub: String,
    pub created_ms: i64,
}

pub trait UserStore: Send + Sync {
    /// Conflict if the username (key) or sub is taken in the pool.
    fn insert_user(&self, user: &User) -> StoreResult<()>;
    /// Inserts many users in one transaction (bulk import). Returns the positions of the users
    /// refused because their username or sub is taken; the others are stored.
    fn insert_users(&self, users: &[User]) -> StoreResult<Vec<usize>>;
    fn get_user(&self, pool_id: &str, key: &str) -> StoreResult<Option<User>>;
    fn get_user_by_sub(&self, pool_id: &str, sub: &str) -> StoreResult<Option<User>>;
    /// Users whose indexed attribute `name` equals `value` exactly.
    fn find_users_by_attribute(&self, pool_id: &str, name: &str, value: &str) -> StoreResult<Vec<User>>;
    /// Writes `user` if its stored version is still `user.version`, and bumps it.
    fn update_user(&self, user: &User) -> StoreResult<()>;
    /// Deletes the user, its group memberships and its sessions.
    fn delete_user(&self, pool_id: &str, key: &str) -> StoreResult<bool>;
    fn list_users(&self, pool_id: &str, filter: Option<&UserFilter>, cursor: Option<&str>, limit: usize) -> StoreResult<Page<User>>;

    fn add_to_group(&self, pool_id: &str, group: &str, sub: &str) -> StoreResult<()>;
    fn remove_from_group(&self, pool_id: &str, group: &str, sub: &str) -> StoreResult<()>;
    fn groups_of_user(&self, pool_id: &str, sub: &str) -> StoreResult<Vec<Group>>;
    fn users_in_group(&self, pool_id: &str, group: &str, cursor: Option<&str>, limit: usize) -> StoreResult<Page<User>>;
}

pub trait SessionStore: Send + Sync {
    fn insert_session(&self, session: &Session) -> StoreResult<()>;
    fn get_session(&self, origin_jti: &str) -> StoreResult<Option<Session>>;
    /// The session whose current or (after a rotation) previous refresh token has this hash.
    fn get_session_by_refresh_hash(&self, refresh_hash: &str) -> StoreResult<Option<Session>>;
    /// Replaces the session's refresh token, keeping the old one as `previous_refresh_hash`.
    /// Conflict if the current token is no longer `expected_hash` (a concurrent rotation).
    fn rotate_refresh_token(&self, origin_jti: &str, expected_hash: &str, new_hash: &str, now_ms: i64) -> StoreResult<()>;
    fn revoke_session(&self, origin_jti: &str) -> StoreResult<()>;
    /// Global sign-out: revokes every session of the user.
    fn revoke_user_sessions(&self, pool_id: &str, sub: &str) -> StoreResult<()>;
    /// A pool's sessions by `origin_jti`; `after` is the last one of the previous page.
    fn list_sessions(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Vec<Session>>;
}

pub trait ChallengeStore: Send + Sync {
    fn put_challenge(&self, challenge: &ChallengeRecord) -> StoreResult<()>;
    fn get_challenge(&self, id: &str) -> StoreResult<Option<ChallengeRecord>>;
    /// Removes the challenge; true only for the one caller that removed it, which is what
    /// makes answering a challenge single-use. Expired challenges are swept on the way.
    fn take_challenge(&self, id: &str, now_ms: i64) -> StoreResult<bool>;
    /// Records that `key` was used, remembered until `expires_ms`; true only for the first
    /// caller (atomic across threads and servers). Expired keys are swept on the way.
    fn use_once(&self, key: &str, expires_ms: i64, now_ms: i64) -> StoreResult<bool>;
}

pub trait AuthEventStore: Send + Sync {
    fn add_auth_event(&self, event: &AuthEventRecord) -> StoreResult<i64>;
    /// Newest first; `before` is an id from a previous page.
    fn list_auth_events(&self, pool_id: &str, sub: &str, before: Option<i64>, limit: usize) -> StoreResult<Vec<AuthEventRecord>>;
}

/// An identity pool: its settings as DescribeIdentityPool answers them, its roles and role
/// mappings, and its principal-tag maps by provider (core's documents).
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityPoolRecord {
    pub id: String,
    pub config: pooldesk_wire::cognito_identity::IdentityPool,
    pub roles: pooldesk_wire::cognito_identity::GetIdentityPoolRolesResponse,
    pub tag_maps: BTreeMap<String, pooldesk_wire::cognito_identity::GetPrincipalTagAttributeMapResponse>,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// An identity and the logins (provider, subject) linked to it.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityRecord {
    pub id: String,
    pub pool_id: String,
    pub logins: Vec<(String, String)>,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// One of IAM's SAML providers: an identity provider's metadata under an ARN
/// (`arn:aws:iam::<account>:saml-provider/<Name>`).
#[derive(Debug, Clone, PartialEq)]
pub struct SamlProviderRecord {
    pub arn: String,
    /// The provider's SAML metadata document, as given.
    pub metadata: String,
    /// In the order given.
    pub tags: Vec<(String, String)>,
    /// IAM's `SAMLProviderUUID`.
    pub uuid: String,
    pub created_ms: i64,
    pub modified_ms: i64,
}

pub trait IdentityStore: Send + Sync {
    fn create_identity_pool(&self, pool: &IdentityPoolRecord) -> StoreResult<()>;
    fn get_identity_pool(&self, id: &str) -> StoreResult<Option<IdentityPoolRecord>>;
    fn list_identity_pools(&self, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityPoolRecord>>;
    fn update_identity_pool(&self, pool: &IdentityPoolRecord) -> StoreResult<()>;
    /// Deletes the pool and its identities. False if there was no such pool.
    fn delete_identity_pool(&self, id: &str) -> StoreResult<bool>;

    /// The identity a login is linked to in a pool.
    fn identity_for_login(&self, pool_id: &str, provider: &str, subject: &str) -> StoreResult<Option<String>>;
    /// Creates an identity with its first logins. Conflict if one of them is already linked
    /// (a concurrent first sign-in): the caller looks the login up again.
    fn create_identity(&self, identity: &IdentityRecord) -> StoreResult<()>;
    /// Links more logins to an identity (Conflict if one belongs to another identity), and
    /// touches its modification time.
    fn link_logins(&self, pool_id: &str, identity_id: &str, logins: &[(String, String)], now_ms: i64) -> StoreResult<()>;
    fn unlink_login(&self, pool_id: &str, identity_id: &str, provider: &str, subject: &str) -> StoreResult<bool>;
    /// Moves every login of `from` to `to` and deletes `from` (MergeDeveloperIdentities).
    fn merge_identities(&self, from: &str, to: &str, now_ms: i64) -> StoreResult<()>;
    fn get_identity(&self, id: &str) -> StoreResult<Option<IdentityRecord>>;
    fn list_identities(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityRecord>>;
    fn delete_identity(&self, id: &str) -> StoreResult<bool>;

    /// Conflict if the ARN is taken.
    fn create_saml_provider(&self, provider: &SamlProviderRecord) -> StoreResult<()>;
    fn get_saml_provider(&self, arn: &str) -> StoreResult<Option<SamlProviderRecord>>;
    /// Every one, by ARN (IAM lists them unpaged; an account has at most 100).
    fn list_saml_providers(&self) -> StoreResult<Vec<SamlProviderRecord>>;
    /// Replaces the metadata and tags; false if there is no such provider.
    fn update_saml_provider(&self, provider: &SamlProviderRecord) -> StoreResult<bool>;
    fn delete_saml_provider(&self, arn: &str) -> StoreResult<bool>;

    /// A server-held secret by name, created with `make` the first time it is asked for.
    fn server_secret(&self, name: &str, make: &dyn Fn() -> Vec<u8>) -> StoreResult<Vec<u8>>;
    /// The names of the server-held secrets there are.
    fn server_secret_names(&self) -> StoreResult<Vec<String>>;
}

/// A Cognito Sync dataset of an identity. A deleted one stays behind as a marker without
/// records, so that its sync count keeps rising if it is made again and devices that synced
/// before learn that it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetRecord {
    pub identity_id: String,
    pub name: String,
    pub pool_id: String,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub modified_by: String,
    /// How many writes (updates and deletions) the dataset has seen.
    pub sync_count: i64,
    /// UTF-8 bytes of its live records' keys and values.
    pub data_storage: i64,
    /// Its live records.
    pub num_records: i64,
    pub deleted: bool,
}

/// A record of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRecord {
    pub key: String,
    /// `None` once removed: the record stays so that devices syncing later learn of it.
    pub value: Option<String>,
    /// The dataset's sync count when the record was last written.
    pub sync_count: i64,
    pub modified_ms: i64,
    pub modified_by: String,
    pub device_modified_ms: Option<i64>,
}

/// How [`SyncStore::write_dataset`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncWrite {
    Written,
    /// The dataset changed since it was read: nothing was written.
    Conflict,
    /// Making the dataset would give the identity more live datasets than allowed.
    TooManyDatasets,
}

/// A pool's Cognito Sync figures, summed over its identities' datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncUsage {
    /// Writes to its datasets (the sum of their sync counts).
    pub writes: i64,
    pub data_storage: i64,
    pub modified_ms: Option<i64>,
}

/// An identity pool's Cognito Sync settings (`SetCognitoEvents`, `SetIdentityPoolConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncSettings {
    /// Event type (`SyncTrigger`) to the Lambda function it calls.
    #[serde(default)]
    pub events: BTreeMap<String, String>,
    /// Cognito Streams: where every change is copied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streams: Option<StreamSettings>,
    /// Push sync: the SNS platform applications that devices register with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<PushSettings>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StreamSettings {
    pub stream_name: String,
    pub role_arn: String,
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PushSettings {
    pub application_arns: Vec<String>,
    pub role_arn: String,
}

/// An identity pool's last bulk publish.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkPublishState {
    pub started_ms: i64,
    /// Set once every dataset it queued has reached the stream.
    pub completed_ms: Option<i64>,
}

/// How [`SyncStore::start_bulk_publish`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkStart {
    Started,
    /// One is still going.
    InProgress,
    /// One finished, at this time, less than the minimum gap ago.
    TooSoon(i64),
}

/// A dataset's whole copy for a bulk publish, as read at `sync_count`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkDataset {
    pub identity_id: String,
    pub name: String,
    pub sync_count: i64,
    pub notices: Vec<SyncNotice>,
}

/// How [`SyncStore::bulk_publish_step`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkStep {
    /// Queued, and the marker moved on.
    Done,
    /// A dataset changed since it was read: nothing was queued; read again.
    Changed,
    /// The marker is no longer this server's (its lease ran out): nothing was queued.
    Lost,
}

/// Where a queued Cognito Sync message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeTarget {
    /// A Cognito Streams record for Kinesis.
    Stream,
    /// A push sync notification for a device, through SNS.
    Push,
    /// The next identities of a bulk publish to queue stream records for.
    BulkPage,
}

impl NoticeTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeTarget::Stream => "stream",
            NoticeTarget::Push => "push",
            NoticeTarget::BulkPage => "bulk-page",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "stream" => Some(NoticeTarget::Stream),
            "push" => Some(NoticeTarget::Push),
            "bulk-page" => Some(NoticeTarget::BulkPage),
            _ => None,
        }
    }
}

/// A message Cognito Sync owes a stream or a device, queued in the same transaction as the
/// change it reports, so that neither a restart nor an unreachable service loses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncNotice {
    pub pool_id: String,
    /// Notices with the same key are delivered one after another, in the order queued.
    pub key: String,
    pub target: NoticeTarget,
    /// What to deliver (JSON; its shape depends on the target).
    pub body: String,
    /// Queued by a bulk publish.
    pub bulk: bool,
}

/// A queued notice, as handed out for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedNotice {
    pub seq: i64,
    pub notice: SyncNotice,
    /// Failed deliveries so far.
    pub attempts: i64,
}

/// A device registered for push sync (`RegisterDevice`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncDevice {
    pub device_id: String,
    pub identity_id: String,
    pub platform: String,
    pub token: String,
    /// The SNS platform application the device's endpoint belongs to.
    pub application_arn: String,
}

/// Cognito Sync's datasets. They belong to their identity: deleting it deletes them, and
/// merging identities moves the source's datasets to the destination as
/// `<name>.<source identity id>` (Cognito's merged datasets).
pub trait SyncStore: Send + Sync {
    /// The dataset, deleted or not.
    fn get_dataset(&self, identity_id: &str, name: &str) -> StoreResult<Option<DatasetRecord>>;
    /// The identity's live datasets (and deleted ones when asked) by name, after `after`.
    fn list_datasets(&self, identity_id: &str, deleted_too: bool, after: Option<&str>, limit: usize) -> StoreResult<Page<DatasetRecord>>;
    /// The records with these keys that exist (removed ones too).
    fn get_sync_records(&self, identity_id: &str, dataset: &str, keys: &[&str]) -> StoreResult<Vec<SyncRecord>>;
    /// The records (removed ones too) written after sync count `since`, by key after `after`.
    fn list_sync_records(
        &self,
        identity_id: &str,
        dataset: &str,
        since: i64,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<SyncRecord>>;
    /// Stores the dataset's new state and writes `records` (replacing those with the same
    /// keys), provided its sync count is still `expected` (`None`: there is no dataset by that
    /// name yet, deleted or not). Making a live dataset where there was none (or a deleted one)
    /// is refused when the identity already has `max_datasets`. A deleted dataset loses every
    /// record.
    /// `notices` are queued with the write, and only if it is made.
    fn write_dataset(
        &self,
        dataset: &DatasetRecord,
        expected: Option<i64>,
        records: &[SyncRecord],
        max_datasets: usize,
        notices: &[SyncNotice],
    ) -> StoreResult<SyncWrite>;
    /// The pool's figures.
    fn sync_usage(&self, pool_id: &str) -> StoreResult<SyncUsage>;
    /// An identity pool's settings; they go with the pool.
    fn get_sync_settings(&self, pool_id: &str) -> StoreResult<Option<SyncSettings>>;
    fn put_sync_settings(&self, pool_id: &str, settings: &SyncSettings) -> StoreResult<()>;

    /// Queues notices (a bulk publish's), in order.
    fn queue_sync_notices(&self, notices: &[SyncNotice]) -> StoreResult<()>;
    /// Up to `limit` notices due at `now_ms`, each the oldest of its key, leased until
    /// `lease_until_ms` (when another server may take them, if this one has not answered).
    fn claim_sync_notices(&self, now_ms: i64, lease_until_ms: i64, limit: usize) -> StoreResult<Vec<QueuedNotice>>;
    /// A notice claimed with lease `lease_ms` was delivered: it goes, and the next of its key is
    /// due. Nothing happens if the lease ran out and another server claimed it since.
    fn finish_sync_notice(&self, seq: i64, lease_ms: i64) -> StoreResult<()>;
    /// A delivery failed: the notice (and those after it with its key) waits until `retry_ms`.
    /// Nothing happens if the lease `lease_ms` ran out and another server claimed it since.
    fn retry_sync_notice(&self, seq: i64, lease_ms: i64, retry_ms: i64, error: &str) -> StoreResult<()>;
    /// How many notices of the pool are waiting (only a bulk publish's if `bulk`), and the
    /// delivery error of the oldest that has one.
    fn pending_sync_notices(&self, pool_id: &str, bulk: bool) -> StoreResult<(i64, Option<String>)>;

    /// The pool's last bulk publish.
    fn get_bulk_publish(&self, pool_id: &str) -> StoreResult<Option<BulkPublishState>>;
    /// Starts a bulk publish at `now_ms` and queues its first `marker`, unless one is going or
    /// one finished less than `every_ms` ago.
    fn start_bulk_publish(&self, pool_id: &str, now_ms: i64, every_ms: i64, marker: &SyncNotice) -> StoreResult<BulkStart>;
    /// Marks the pool's bulk publish finished at `now_ms` if it is going and nothing it queued
    /// is left; answers its state.
    fn settle_bulk_publish(&self, pool_id: &str, now_ms: i64) -> StoreResult<Option<BulkPublishState>>;
    /// One step of a bulk publish, atomically: queues the datasets' copies (each only if its
    /// sync count is still the one read: otherwise nothing and `Changed`), the `next` marker,
    /// and removes the marker `seq` held with lease `lease_ms`.
    fn bulk_publish_step(&self, seq: i64, lease_ms: i64, datasets: &[BulkDataset], next: Option<&SyncNotice>) -> StoreResult<BulkStep>;

    /// Registers a device (or answers the one already registered with this identity, platform
    /// and token).
    fn register_sync_device(&self, device: &SyncDevice) -> StoreResult<SyncDevice>;
    fn get_sync_device(&self, device_id: &str) -> StoreResult<Option<SyncDevice>>;
    /// Subscribes the device to the identity's dataset, or unsubscribes it.
    fn set_sync_subscription(&self, device_id: &str, dataset: &str, subscribed: bool) -> StoreResult<()>;
    /// The devices subscribed to a dataset of an identity.
    fn sync_subscribers(&self, identity_id: &str, dataset: &str) -> StoreResult<Vec<SyncDevice>>;
    /// An identity's devices, each with the datasets it is subscribed to (by name).
    fn list_sync_devices(&self, identity_id: &str) -> StoreResult<Vec<(SyncDevice, Vec<String>)>>;
    /// Every queued notice after `after_seq`, oldest first, whether due or not (to copy them).
    fn list_sync_notices(&self, after_seq: i64, limit: usize) -> StoreResult<Vec<QueuedNotice>>;
}

pub trait AccessKeyStore: Send + Sync {
    fn put_access_key(&self, key: &AccessKey) -> StoreResult<()>;
    fn get_access_key(&self, id: &str) -> StoreResult<Option<AccessKey>>;
    fn list_access_keys(&self) -> StoreResult<Vec<AccessKey>>;
    fn delete_access_key(&self, id: &str) -> StoreResult<bool>;
}

/// One admin action in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuditEvent {
    /// Assigned by the store; 0 when appending.
    pub id: i64,
    #[serde(rename = "Time")]
    pub at_ms: i64,
    /// The access key id that signed the request, or who acted locally (`desktop`, `cli`).
    pub actor: String,
    /// The client's address, or `local` for the desktop app and the CLI.
    pub source: String,
    /// The operation's `X-Amz-Target` name, e.g. `AWSCognitoIdentityProviderService.AdminDeleteUser`.
    pub operation: String,
    /// The ids the request named (`UserPoolId=…, Username=…`), never a secret.
    pub resource: String,
    /// `OK`, or the error's name.
    pub outcome: String,
}

/// Which audit events to list: every filter given must hold. Newest first.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditQuery<'a> {
    /// One actor's events (an access key id, `desktop`, `cli`).
    pub actor: Option<&'a str>,
    /// The operation's short name (`AdminDeleteUser`) or its full target.
    pub operation: Option<&'a str>,
    /// `Some(true)`: only `OK`; `Some(false)`: only failures.
    pub succeeded: Option<bool>,
    /// Events naming this user pool or identity pool (`UserPoolId=` / `IdentityPoolId=`).
    pub pool_id: Option<&'a str>,
    /// Epoch milliseconds, inclusive.
    pub start_ms: Option<i64>,
    /// Epoch milliseconds, exclusive.
    pub end_ms: Option<i64>,
    /// The id of the last event of the previous page.
    pub before: Option<i64>,
    pub limit: usize,
}

/// One call of a Lambda trigger, as the inspector shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerInvocation {
    /// Assigned by the store; 0 when appending.
    pub id: i64,
    pub pool_id: String,
    /// `PreSignUp`, `PreTokenGeneration`, ...
    pub trigger: String,
    /// The event's `triggerSource`.
    pub source: String,
    pub function: String,
    pub started_ms: i64,
    pub duration_ms: i64,
    /// The event sent, as JSON, secrets redacted.
    pub event: String,
    /// The function's `response`, as JSON, when it answered.
    pub response: Option<String>,
    /// The error the caller got, when it failed.
    pub error: Option<String>,
}

/// Which trigger invocations to list: a pool's, newest first.
#[derive(Debug, Clone, Copy, Default)]
pub struct TriggerQuery<'a> {
    pub pool_id: &'a str,
    pub trigger: Option<&'a str>,
    /// `Some(true)`: only those that succeeded; `Some(false)`: only failures.
    pub succeeded: Option<bool>,
    /// The id of the last invocation of the previous page.
    pub before: Option<i64>,
    pub limit: usize,
}

pub trait TriggerLogStore: Send + Sync {
    fn add_trigger_invocation(&self, invocation: &TriggerInvocation) -> StoreResult<i64>;
    fn list_trigger_invocations(&self, query: &TriggerQuery<'_>) -> StoreResult<Vec<TriggerInvocation>>;
}

pub trait AuditStore: Send + Sync {
    fn append_audit(&self, event: &AuditEvent) -> StoreResult<()>;
    fn list_audit(&self, query: &AuditQuery<'_>) -> StoreResult<Vec<AuditEvent>>;
}

/// Which messages to list: every filter given must hold. Newest first.
#[derive(Debug, Clone, Copy, Default)]
pub struct MessageQuery<'a> {
    pub pool_id: Option<&'a str>,
    pub username: Option<&'a str>,
    /// Messages whose username or destination contains this, ignoring ASCII case.
    pub search: Option<&'a str>,
    /// The id of the last message of the previous page.
    pub before: Option<i64>,
    pub limit: usize,
}

pub trait MessageStore: Send + Sync {
    /// Records a message and returns its id.
    fn add_message(&self, message: &Message) -> StoreResult<i64>;
    fn list_messages(&self, query: &MessageQuery<'_>) -> StoreResult<Vec<Message>>;
}

/// Reads that belong together: a call made with a token reads its pool, session, user and app
/// client, and should see them as of one moment.
pub trait ReadScope: Send + Sync {
    /// Runs `f` so that the reads it makes see one snapshot of the data (and, on SQLite, share
    /// one read transaction instead of paying for four). Writes inside `f` are not part of it.
    fn read_together(&self, f: &mut dyn FnMut()) {
        f()
    }

    /// Whether a point read is answered from this process's own files, quickly enough to run
    /// on an async thread (SQLite). A network database's reads wait for the network, so the
    /// server runs them on blocking threads.
    fn reads_are_local(&self) -> bool {
        true
    }
}

pub trait Health: Send + Sync {
    /// Asks the database something trivial: whether it answers (`/health/ready`).
    fn ping(&self) -> StoreResult<()>;

    /// How many database connections are open and idle, for a store that pools them.
    fn pool_use(&self) -> Option<PoolUse> {
        None
    }
}

/// A connection pool's use, as `/metrics` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// Everything PoolDesk stores.
pub trait Store:
    UserPoolStore
    + UserStore
    + SessionStore
    + ChallengeStore
    + AuthEventStore
    + IdentityStore
    + SyncStore
    + AccessKeyStore
    + MessageStore
    + AuditStore
    + TriggerLogStore
    + ReadScope
    + Health
{
}

impl<
    T: UserPoolStore
        + UserStore
        + SessionStore
        + ChallengeStore
        + AuthEventStore
        + IdentityStore
        + SyncStore
        + AccessKeyStore
        + MessageStore
        + AuditStore
        + TriggerLogStore
        + ReadScope
        + Health,
> Store for T
{
}
