//! Where the desktop keeps the master key its local database's secrets are sealed under: the
//! OS keychain, beside the remote connections' secrets.
//!
//! Without a reachable keychain (no Secret Service running), the key goes to an owner-only
//! file beside the database instead, with a warning; once such a file exists it stays the
//! key's place, so the database opens whether or not the keychain answers later.

use std::path::Path;

use pooldesk_remote::{Keychain, RemoteError};
use pooldesk_store_sqlite::{KeyFile, KeyVault, MasterKey};

/// The master key of one database in the keychain: entries `master-key:<path>` and, during a
/// rotation, `master-key-next:<path>` (connection names cannot contain `:`).
pub struct KeychainVault {
    keychain: Keychain,
    account: String,
    next_account: String,
}

impl KeychainVault {
    pub fn new(keychain: Keychain, database: &Path) -> KeychainVault {
        let path = database.to_string_lossy();
        KeychainVault { keychain, account: format!("master-key:{path}"), next_account: format!("master-key-next:{path}") }
    }

    fn read(&self, account: &str) -> Result<Option<MasterKey>, String> {
        match self.keychain.read(account) {
            Ok(text) => MasterKey::decode(&text).map(Some).map_err(|e| format!("the keychain entry {account}: {e}")),
            Err(RemoteError::SecretMissing(_)) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl KeyVault for KeychainVault {
    fn describe(&self) -> String {
        format!("the OS keychain (service {:?}, entry {:?})", self.keychain.service(), self.account)
    }
    fn load(&self) -> Result<Option<MasterKey>, String> {
        self.read(&self.account)
    }
    fn save(&self, key: &MasterKey) -> Result<(), String> {
        self.keychain.store(&self.account, &key.encode()).map_err(|e| e.to_string())
    }
    fn load_next(&self) -> Result<Option<MasterKey>, String> {
        self.read(&self.next_account)
    }
    fn save_next(&self, key: &MasterKey) -> Result<(), String> {
        self.keychain.store(&self.next_account, &key.encode()).map_err(|e| e.to_string())
    }
    fn promote_next(&self) -> Result<(), String> {
        let next = self.load_next()?.ok_or_else(|| "the keychain holds no next master key".to_owned())?;
        self.save(&next)?;
        self.keychain.delete(&self.next_account).map(drop).map_err(|e| e.to_string())
    }
}

/// The vault for the database at `database`: a key file beside it if one exists, else the
/// keychain if it answers, else a new key file (with a warning).
pub fn vault_for(database: &Path, keychain: &Keychain) -> Box<dyn KeyVault> {
    let file = KeyFile::beside(database);
    if file.path().exists() {
        return Box::new(file);
    }
    let vault = KeychainVault::new(keychain.clone(), database);
    match vault.load() {
        Ok(_) => Box::new(vault),
        Err(why) => {
            tracing::warn!("the OS keychain is not reachable ({why}); keeping the database's master key in {}", file.path().display());
            Box::new(file)
        }
    }
}
