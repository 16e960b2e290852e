//! What every store implementation shares, so SQLite and PostgreSQL behave alike beyond the
//! SQL: opaque pagination tokens, the cache of decoded pools and clients, the places secrets
//! are sealed at, and how a user's or provider's secrets are split from its document.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use crate::sealed::Sealer;
use crate::store::{
    AppClient, ClientSecret, IdentityProvider, PROVIDER_SECRET_KEYS, Page, StoreError, StoreResult, User, UserData, UserPool,
};

/// Opaque pagination tokens: base64url of the position the next page starts after.
pub mod cursor {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use crate::store::StoreError;

    pub fn encode(parts: &[&str]) -> String {
        URL_SAFE_NO_PAD.encode(parts.join("\u{0}"))
    }

    pub fn decode(token: &str, n: usize) -> Result<Vec<String>, StoreError> {
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| StoreError::BadCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| StoreError::BadCursor)?;
        let parts: Vec<String> = text.split('\u{0}').map(str::to_owned).collect();
        if parts.len() != n {
            return Err(StoreError::BadCursor);
        }
        Ok(parts)
    }
}

/// Builds a page from `limit + 1` fetched rows: the extra row only says there is a next page.
pub fn page<T>(mut items: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Page<T> {
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(&key)
    } else {
        None
    };
    Page { items, next }
}

/// The smallest string greater than every string starting with `prefix`, for range scans
/// that use an index instead of LIKE (both stores compare text byte by byte).
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

pub fn to_json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(Box::new(e)))
}

/// A stored document, parsed; one that does not parse means the database is damaged.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("a stored document does not parse: {e}")))
}

/// An app client's secrets as stored: the oldest alone in `secret` (what servers of earlier
/// versions read) and all of them, a JSON list, in `secrets`; both sealed at the client's place.
/// A row from before clients could hold two has only `secret`: its one secret, made with it.
pub mod client_secrets {
    use super::*;

    /// (`secret`, `secrets`) for a client, None for a public one.
    pub fn seal(sealer: &Sealer, client: &AppClient) -> StoreResult<(Option<String>, Option<String>)> {
        let place = places::client_secret(&client.client_id);
        let Some(oldest) = client.secrets.first() else { return Ok((None, None)) };
        Ok((Some(sealer.seal_text(&place, &oldest.value)?), Some(sealer.seal_text(&place, &to_json(&client.secrets)?)?)))
    }

    pub fn open(
        sealer: &Sealer,
        client_id: &str,
        client_created_ms: i64,
        secret: Option<&str>,
        secrets: Option<&str>,
    ) -> StoreResult<Vec<ClientSecret>> {
        let place = places::client_secret(client_id);
        match (secrets, secret) {
            (Some(all), _) => from_json(&sealer.open_text(&place, all)?),
            (None, Some(one)) => Ok(vec![ClientSecret::new(client_id, sealer.open_text(&place, one)?, client_created_ms)]),
            (None, None) => Ok(Vec::new()),
        }
    }
}

/// Where each kind of secret is sealed: the place is bound into the ciphertext, so a value
/// copied to another row does not open.
pub mod places {
    pub fn signing_key(kid: &str) -> String {
        format!("signing_keys:{kid}")
    }
    pub fn client_secret(client_id: &str) -> String {
        format!("user_pool_clients:{client_id}")
    }
    pub fn access_key(id: &str) -> String {
        format!("access_keys:{id}")
    }
    pub fn server_secret(name: &str) -> String {
        format!("server_secrets:{name}")
    }
    /// A provider's row key (`pool/name`) is part of its place.
    pub fn provider(pool_id: &str, name: &str) -> String {
        format!("identity_providers:{pool_id}/{name}")
    }
    /// A user's authenticator secret (`field`: `totp_secret` or `pending_totp_secret`).
    pub fn totp(pool_id: &str, sub: &str, field: &str) -> String {
        format!("users:{pool_id}:{sub}:{field}")
    }
}

/// The authenticator secrets inside a user's document, by field name.
pub const TOTP_FIELDS: [&str; 2] = ["totp_secret", "pending_totp_secret"];

/// The user's document as stored: its authenticator secrets sealed.
pub fn seal_user_data(sealer: &Sealer, user: &User) -> StoreResult<String> {
    let mfa = &user.data.mfa;
    if mfa.totp_secret.is_none() && mfa.pending_totp_secret.is_none() {
        return to_json(&user.data);
    }
    let mut data = user.data.clone();
    let mfa = &mut data.mfa;
    for (field, secret) in TOTP_FIELDS.into_iter().zip([&mut mfa.totp_secret, &mut mfa.pending_totp_secret]) {
        if let Some(plain) = secret.as_mut() {
            *plain = sealer.seal_text(&places::totp(&user.pool_id, &user.sub, field), plain)?;
        }
    }
    to_json(&data)
}

/// A stored user document, its authenticator secrets opened.
pub fn open_user_data(sealer: &Sealer, pool_id: &str, sub: &str, stored: &str) -> StoreResult<UserData> {
    let mut data: UserData = from_json(stored)?;
    let mfa = &mut data.mfa;
    for (field, secret) in TOTP_FIELDS.into_iter().zip([&mut mfa.totp_secret, &mut mfa.pending_totp_secret]) {
        if let Some(sealed) = secret.as_mut() {
            *sealed = sealer.open_text(&places::totp(pool_id, sub, field), sealed)?;
        }
    }
    Ok(data)
}

/// A provider as stored: its document less its secrets, and those secrets sealed.
pub fn seal_provider(sealer: &Sealer, p: &IdentityProvider) -> StoreResult<(String, Option<String>)> {
    let mut config = p.config.clone();
    let mut secrets = BTreeMap::new();
    if let Some(details) = config.provider_details.as_mut() {
        for key in PROVIDER_SECRET_KEYS {
            if let Some(value) = details.remove(key) {
                secrets.insert(key, value);
            }
        }
    }
    let place = places::provider(&p.pool_id, &p.name);
    let sealed = if secrets.is_empty() { None } else { Some(sealer.seal_text(&place, &to_json(&secrets)?)?) };
    Ok((to_json(&config)?, sealed))
}

/// A stored provider, its secrets opened and put back among its details.
pub fn open_provider(
    sealer: &Sealer,
    (pool_id, name, config, secrets): (String, String, &str, Option<&str>),
    created_ms: i64,
    modified_ms: i64,
) -> StoreResult<IdentityProvider> {
    let mut config: pooldesk_wire::cognito_idp::IdentityProviderType = from_json(config)?;
    if let Some(sealed) = secrets {
        let opened: BTreeMap<String, String> = from_json(&sealer.open_text(&places::provider(&pool_id, &name), sealed)?)?;
        config.provider_details.get_or_insert_with(Default::default).extend(opened);
    }
    Ok(IdentityProvider { pool_id, name, config, created_ms, modified_ms })
}

/// Entries kept of each kind: past it the cache starts over (a server has a few pools).
const MAX_CACHED: usize = 256;

/// User pools and app clients as last decoded, kept while the database's config generation
/// stays the same. Every call made with a token needs its pool and client; reading their rows
/// and parsing their JSON was a fifth of GetUser's CPU, reading the generation is one small row.
///
/// The generation is a value every write to either table changes, by any process (or server
/// sharing the database). A store reads it before the rows it stamps, so what is kept under a
/// generation is never older than it. Pools and clients are handed out shared (`Arc`): copying
/// a pool's settings for every call, and freeing the copy, was 7% of GetUser's CPU.
#[derive(Default)]
pub struct ConfigCache {
    pools: Mutex<Kept<UserPool>>,
    clients: Mutex<Kept<AppClient>>,
}

struct Kept<T> {
    generation: Option<i64>,
    items: HashMap<String, Arc<T>>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept { generation: None, items: HashMap::new() }
    }
}

impl<T> Kept<T> {
    fn get(&self, generation: i64, id: &str) -> Option<Arc<T>> {
        if self.generation != Some(generation) {
            return None;
        }
        self.items.get(id).cloned()
    }

    fn keep(&mut self, generation: i64, id: &str, item: &Arc<T>) {
        if self.generation != Some(generation) || self.items.len() >= MAX_CACHED {
            self.items.clear();
            self.generation = Some(generation);
        }
        self.items.insert(id.to_owned(), Arc::clone(item));
    }
}

/// A mutex's guard, poisoned or not: a panic elsewhere leaves caches and connections usable.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ConfigCache {
    pub fn pool(&self, generation: i64, id: &str) -> Option<Arc<UserPool>> {
        lock(&self.pools).get(generation, id)
    }

    pub fn keep_pool(&self, generation: i64, pool: &Arc<UserPool>) {
        lock(&self.pools).keep(generation, &pool.id, pool);
    }

    pub fn client(&self, generation: i64, client_id: &str) -> Option<Arc<AppClient>> {
        lock(&self.clients).get(generation, client_id)
    }

    pub fn keep_client(&self, generation: i64, client: &Arc<AppClient>) {
        lock(&self.clients).keep(generation, &client.client_id, client);
    }

    /// Forgets everything (the database was replaced).
    pub fn clear(&self) {
        *lock(&self.pools) = Kept::default();
        *lock(&self.clients) = Kept::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = cursor::encode(&["a", "b"]);
        assert_eq!(cursor::decode(&c, 2).unwrap(), vec!["a", "b"]);
        assert!(matches!(cursor::decode("!!", 2), Err(StoreError::BadCursor)));
        assert!(matches!(cursor::decode(&c, 1), Err(StoreError::BadCursor)));
    }

    #[test]
    fn a_new_generation_forgets_what_was_kept() {
        let cache = ConfigCache::default();
        let pool = Arc::new(UserPool {
            id: "p".into(),
            config: Default::default(),
            mfa_config: Default::default(),
            created_ms: 1,
            modified_ms: 1,
        });
        cache.keep_pool(7, &pool);
        assert!(cache.pool(7, "p").is_some());
        assert!(cache.pool(8, "p").is_none());
        cache.clear();
        assert!(cache.pool(7, "p").is_none());
    }

    #[test]
    fn a_clients_secrets_open_as_sealed_and_a_row_with_one_plain_column_opens_as_its_only_secret() {
        let sealer = Sealer::new(&crate::sealed::MasterKey::generate().unwrap()).unwrap();
        let mut client = AppClient {
            pool_id: "p".into(),
            client_id: "c".into(),
            secrets: Vec::new(),
            config: Default::default(),
            created_ms: 5,
            modified_ms: 5,
        };
        assert_eq!(client_secrets::seal(&sealer, &client).unwrap(), (None, None), "a public client stores no secret");
        assert_eq!(client_secrets::open(&sealer, "c", 5, None, None).unwrap(), vec![]);
        client.secrets = vec![ClientSecret::new("c", "one".into(), 5), ClientSecret::new("c", "[two]".into(), 9)];
        let (oldest, all) = client_secrets::seal(&sealer, &client).unwrap();
        let (oldest, all) = (oldest.unwrap(), all.unwrap());
        assert!(!all.contains("one") && !all.contains("two"));
        assert_eq!(client_secrets::open(&sealer, "c", 5, Some(&oldest), Some(&all)).unwrap(), client.secrets);
        assert_eq!(sealer.open_text(&places::client_secret("c"), &oldest).unwrap(), "one", "what earlier versions read");

        // A row written before: one secret, whatever it looks like.
        let old = sealer.seal_text(&places::client_secret("c"), "[not-a-list]").unwrap();
        let opened = client_secrets::open(&sealer, "c", 5, Some(&old), None).unwrap();
        assert_eq!(opened, vec![ClientSecret { id: "c--5".into(), value: "[not-a-list]".into(), created_ms: 5 }]);
        assert!(client_secrets::open(&sealer, "other", 5, None, Some(&all)).is_err(), "sealed for its own client only");
    }
}
