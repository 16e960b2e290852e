//! Secrets at rest: signing keys, app client secrets, admin key secrets, server secrets and
//! TOTP seeds are sealed with AES-256-GCM under a master key that is never in the database.
//!
//! A sealed value names its place (table and row) as associated data, so a ciphertext copied
//! to another row does not open. The database holds one check value, sealed under the master
//! key, so a wrong key is refused when the store opens, not at the first sign-in.
//!
//! Where the key lives is the caller's choice, behind [`KeyVault`]: a file beside the database
//! or given in the environment (the server), the OS keychain (the desktop app).

use std::path::{Path, PathBuf};

use crate::store::{StoreError, StoreResult};
use aws_lc_rs::aead::{AES_256_GCM, Aad, Nonce, RandomizedNonceKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

/// Sealed BLOBs start with this (a DER key starts with 0x30, so the two never meet).
const BLOB_MAGIC: &[u8] = b"\0PDS1";
/// Sealed TEXT values start with this.
const TEXT_PREFIX: &str = "sealed1:";
const NONCE_LEN: usize = 12;
const KEY_LEN: usize = 32;

/// The 256-bit key the secrets are sealed under. No `Debug`, no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey([u8; KEY_LEN]);

impl MasterKey {
    /// A fresh random key.
    pub fn generate() -> StoreResult<MasterKey> {
        let mut key = [0u8; KEY_LEN];
        aws_lc_rs::rand::fill(&mut key).map_err(|_| other("the system random generator failed"))?;
        Ok(MasterKey(key))
    }

    /// Reads a key written by [`MasterKey::encode`]: 32 bytes in base64 (surrounding
    /// whitespace ignored).
    pub fn decode(text: &str) -> Result<MasterKey, String> {
        let bytes = B64.decode(text.trim()).map_err(|_| "a master key is 32 bytes in base64".to_owned())?;
        let key: [u8; KEY_LEN] = bytes.try_into().map_err(|_| "a master key is 32 bytes in base64".to_owned())?;
        Ok(MasterKey(key))
    }

    pub fn encode(&self) -> String {
        B64.encode(self.0)
    }
}

/// Where a database's master key is kept. Rotation writes the new key to the vault's
/// "next" slot before re-sealing, and promotes it after the commit, so a crash at any moment
/// leaves a key that opens the database.
pub trait KeyVault {
    /// Where the key is, for messages ("the file /x/pooldesk.sqlite.key").
    fn describe(&self) -> String;
    fn load(&self) -> Result<Option<MasterKey>, String>;
    fn save(&self, key: &MasterKey) -> Result<(), String>;
    fn load_next(&self) -> Result<Option<MasterKey>, String>;
    fn save_next(&self, key: &MasterKey) -> Result<(), String>;
    /// The next key becomes the key.
    fn promote_next(&self) -> Result<(), String>;
}

/// A key given from outside (`POOLDESK_MASTER_KEY`): it opens the database but cannot be
/// replaced from here.
pub struct GivenKey {
    pub key: MasterKey,
    pub source: String,
}

impl KeyVault for GivenKey {
    fn describe(&self) -> String {
        self.source.clone()
    }
    fn load(&self) -> Result<Option<MasterKey>, String> {
        Ok(Some(self.key.clone()))
    }
    fn save(&self, _: &MasterKey) -> Result<(), String> {
        Err(format!("the master key comes from {}; it cannot be written there", self.source))
    }
    fn load_next(&self) -> Result<Option<MasterKey>, String> {
        Ok(None)
    }
    fn save_next(&self, key: &MasterKey) -> Result<(), String> {
        self.save(key)
    }
    fn promote_next(&self) -> Result<(), String> {
        Ok(())
    }
}

/// A key in a file readable by its owner only (0600); the next key sits in `FILE.next`.
pub struct KeyFile {
    path: PathBuf,
}

impl KeyFile {
    pub fn new(path: impl Into<PathBuf>) -> KeyFile {
        KeyFile { path: path.into() }
    }

    /// The default place: beside the database, `pooldesk.sqlite` → `pooldesk.sqlite.key`.
    pub fn beside(database: &Path) -> KeyFile {
        let mut name = database.as_os_str().to_owned();
        name.push(".key");
        KeyFile::new(name)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn next_path(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".next");
        PathBuf::from(name)
    }

    fn read(path: &Path) -> Result<Option<MasterKey>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => MasterKey::decode(&text).map(Some).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("reading {}: {e}", path.display())),
        }
    }

    /// Writes owner-only and syncs, so a key reported as saved is on disk.
    fn write(path: &Path, key: &MasterKey) -> Result<(), String> {
        use std::io::Write as _;
        let fail = |e: std::io::Error| format!("writing {}: {e}", path.display());
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(fail)?;
        file.write_all(format!("{}\n", key.encode()).as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)
    }
}

impl KeyVault for KeyFile {
    fn describe(&self) -> String {
        format!("the file {}", self.path.display())
    }
    fn load(&self) -> Result<Option<MasterKey>, String> {
        KeyFile::read(&self.path)
    }
    fn save(&self, key: &MasterKey) -> Result<(), String> {
        KeyFile::write(&self.path, key)
    }
    fn load_next(&self) -> Result<Option<MasterKey>, String> {
        KeyFile::read(&self.next_path())
    }
    fn save_next(&self, key: &MasterKey) -> Result<(), String> {
        KeyFile::write(&self.next_path(), key)
    }
    fn promote_next(&self) -> Result<(), String> {
        std::fs::rename(self.next_path(), &self.path).map_err(|e| format!("replacing {}: {e}", self.path.display()))
    }
}

/// Seals and opens values under one master key.
pub struct Sealer {
    key: RandomizedNonceKey,
}

impl Sealer {
    pub fn new(master: &MasterKey) -> StoreResult<Sealer> {
        let key = RandomizedNonceKey::new(&AES_256_GCM, &master.0).map_err(|_| other("the master key is not a valid AES-256 key"))?;
        Ok(Sealer { key })
    }

    /// `MAGIC || nonce || ciphertext || tag`, bound to `place`.
    pub fn seal(&self, place: &str, plaintext: &[u8]) -> StoreResult<Vec<u8>> {
        let mut in_out = plaintext.to_vec();
        let nonce =
            self.key.seal_in_place_append_tag(Aad::from(place.as_bytes()), &mut in_out).map_err(|_| other("sealing a secret failed"))?;
        let mut out = Vec::with_capacity(BLOB_MAGIC.len() + NONCE_LEN + in_out.len());
        out.extend_from_slice(BLOB_MAGIC);
        out.extend_from_slice(nonce.as_ref());
        out.extend_from_slice(&in_out);
        Ok(out)
    }

    pub fn open(&self, place: &str, sealed: &[u8]) -> StoreResult<Vec<u8>> {
        let rest = sealed.strip_prefix(BLOB_MAGIC).ok_or_else(|| corrupt(place, "is not sealed"))?;
        if rest.len() < NONCE_LEN {
            return Err(corrupt(place, "is truncated"));
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| corrupt(place, "is truncated"))?;
        let mut in_out = ciphertext.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(place.as_bytes()), &mut in_out)
            .map_err(|_| corrupt(place, "does not open under the master key"))?;
        Ok(plain.to_vec())
    }

    pub fn seal_text(&self, place: &str, plaintext: &str) -> StoreResult<String> {
        Ok(text_of(&self.seal(place, plaintext.as_bytes())?))
    }

    pub fn open_text(&self, place: &str, sealed: &str) -> StoreResult<String> {
        let bytes = bytes_of(sealed).map_err(|_| corrupt(place, "is not sealed"))?;
        String::from_utf8(self.open(place, &bytes)?).map_err(|_| corrupt(place, "is not text"))
    }
}

/// The `server_secrets` row that tells whether a master key is a database's.
pub const KEY_CHECK: &str = "master-key-check";
const KEY_CHECK_VALUE: &[u8] = b"PoolDesk master key check";

/// What a store found when it looked for its master key.
pub enum Unlocked {
    /// The database's check value opens under the vault's key (or under its next key, left by
    /// an interrupted rotation and now promoted).
    Known(Sealer),
    /// The database has no check value yet: this key (the vault's, or a new one saved there)
    /// becomes its key. The store writes `check` as its `KEY_CHECK` row, and seals whatever an
    /// earlier version kept in plain text.
    New { sealer: Sealer, check: Vec<u8> },
}

/// Finds the sealer for a database whose `KEY_CHECK` row is `check`.
pub fn unlock(check: Option<&[u8]>, vault: &dyn KeyVault) -> StoreResult<Unlocked> {
    let vault_error = |message: String| StoreError::Other(message.into());
    let Some(check) = check else {
        let key = match vault.load().map_err(vault_error)? {
            Some(key) => key,
            None => {
                let key = MasterKey::generate()?;
                vault.save(&key).map_err(vault_error)?;
                tracing::info!("created the master key for this database's secrets in {}", vault.describe());
                key
            }
        };
        let sealer = Sealer::new(&key)?;
        let check = check_value(&sealer)?;
        return Ok(Unlocked::New { sealer, check });
    };
    let opens = |key: &MasterKey| Sealer::new(key).is_ok_and(|s| opens_check(&s, check));
    if let Some(key) = vault.load().map_err(vault_error)?.filter(opens) {
        return Ok(Unlocked::Known(Sealer::new(&key)?));
    }
    if let Some(key) = vault.load_next().map_err(vault_error)?.filter(opens) {
        vault.promote_next().map_err(vault_error)?;
        tracing::warn!("finished an interrupted master key rotation in {}", vault.describe());
        return Ok(Unlocked::Known(Sealer::new(&key)?));
    }
    Err(StoreError::Other(format!("this database's secrets are sealed under a master key that {} does not hold", vault.describe()).into()))
}

/// The `KEY_CHECK` row's value under `sealer`.
pub fn check_value(sealer: &Sealer) -> StoreResult<Vec<u8>> {
    sealer.seal(KEY_CHECK, KEY_CHECK_VALUE)
}

/// Moves a database's secrets to a new master key: the key is saved as the vault's next key
/// first, `reseal` rewrites every secret and the `KEY_CHECK` row (given its new value) in one
/// transaction, and the vault promotes the key once that commits. A crash at any point leaves
/// a key that opens the database. Returns the new sealer and how many secrets moved.
pub fn rotate(
    vault: &dyn KeyVault,
    old: &Sealer,
    reseal: impl FnOnce(Reseal<'_>, Vec<u8>) -> StoreResult<usize>,
) -> StoreResult<(Sealer, usize)> {
    let vault_error = |message: String| StoreError::Other(message.into());
    let new_key = MasterKey::generate()?;
    vault.save_next(&new_key).map_err(vault_error)?;
    let new = Sealer::new(&new_key)?;
    let count = reseal(&|place, sealed| new.seal(place, &old.open(place, sealed)?).map(Some), check_value(&new)?)?;
    vault.promote_next().map_err(vault_error)?;
    Ok((new, count))
}

/// Whether a database's `KEY_CHECK` value was sealed under `sealer`'s key.
pub fn opens_check(sealer: &Sealer, check: &[u8]) -> bool {
    sealer.open(KEY_CHECK, check).is_ok_and(|v| v == KEY_CHECK_VALUE)
}

/// Sealed bytes as a TEXT column holds them.
pub fn text_of(sealed: &[u8]) -> String {
    format!("{TEXT_PREFIX}{}", B64.encode(sealed))
}

/// The sealed bytes in a TEXT column's value.
pub fn bytes_of(text: &str) -> StoreResult<Vec<u8>> {
    let encoded = text.strip_prefix(TEXT_PREFIX).ok_or_else(|| StoreError::Corrupt("a secret is not sealed".into()))?;
    B64.decode(encoded).map_err(|_| StoreError::Corrupt("a sealed secret is not base64".into()))
}

/// A rewrite of one stored secret, given its place and stored bytes (`None`: leave it).
pub type Reseal<'a> = &'a dyn Fn(&str, &[u8]) -> StoreResult<Option<Vec<u8>>>;

pub fn is_sealed_blob(value: &[u8]) -> bool {
    value.starts_with(BLOB_MAGIC)
}

pub fn is_sealed_text(value: &str) -> bool {
    value.starts_with(TEXT_PREFIX)
}

fn corrupt(place: &str, what: &str) -> StoreError {
    StoreError::Corrupt(format!("the secret at {place} {what}"))
}

fn other(message: &str) -> StoreError {
    StoreError::Other(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_place_and_under_their_key() {
        let key = MasterKey::generate().unwrap();
        let sealer = Sealer::new(&key).unwrap();
        let sealed = sealer.seal_text("client:abc", "s3cret").unwrap();
        assert!(!sealed.contains("s3cret"));
        assert_eq!(sealer.open_text("client:abc", &sealed).unwrap(), "s3cret");
        assert!(matches!(sealer.open_text("client:other", &sealed), Err(StoreError::Corrupt(_))));
        let stranger = Sealer::new(&MasterKey::generate().unwrap()).unwrap();
        assert!(matches!(stranger.open_text("client:abc", &sealed), Err(StoreError::Corrupt(_))));
        assert!(matches!(sealer.open_text("client:abc", "s3cret"), Err(StoreError::Corrupt(_))));
        // Two seals of one value differ (random nonces).
        assert_ne!(sealer.seal("k", b"v").unwrap(), sealer.seal("k", b"v").unwrap());
    }

    #[test]
    fn keys_round_trip_through_their_text_form_and_bad_text_is_refused() {
        let key = MasterKey::generate().unwrap();
        assert!(MasterKey::decode(&format!("  {}\n", key.encode())).unwrap() == key);
        assert!(MasterKey::decode("c2hvcnQ=").is_err());
        assert!(MasterKey::decode("not base64!").is_err());
    }

    #[test]
    fn key_files_are_owner_only_and_promote_their_next_key() {
        let dir = tempfile::tempdir().unwrap();
        let vault = KeyFile::beside(&dir.path().join("db.sqlite"));
        assert!(vault.load().unwrap().is_none());
        let (first, second) = (MasterKey::generate().unwrap(), MasterKey::generate().unwrap());
        vault.save(&first).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(vault.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
        vault.save_next(&second).unwrap();
        assert!(vault.load().unwrap().unwrap() == first);
        vault.promote_next().unwrap();
        assert!(vault.load().unwrap().unwrap() == second);
        assert!(vault.load_next().unwrap().is_none());
    }
}
