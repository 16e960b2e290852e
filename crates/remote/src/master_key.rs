//! Where a local database's master key (the key its secrets are sealed under) is found, the
//! same way by the desktop app and the CLI, so `pooldesk import-users --db` opens the app's
//! database.
//!
//! A key file beside the database wins when there is one. Otherwise the OS keychain's entry
//! for the database, where the desktop app keeps its keys. A new database's key goes to the
//! keychain for the app and to a file for the CLI (servers run without a desktop session);
//! without a reachable keychain the app falls back to the file too, with a warning.

use std::path::{Path, PathBuf};

use pooldesk_store_sqlite::{KeyFile, KeyVault, MasterKey};

use crate::{Keychain, RemoteError};

/// The master key of one database in the keychain: entries `master-key:<path>` and, during a
/// rotation, `master-key-next:<path>` (connection names cannot contain `:`).
pub struct KeychainVault {
    keychain: Keychain,
    account: String,
    next_account: String,
}

impl KeychainVault {
    pub fn new(keychain: Keychain, database: &Path) -> KeychainVault {
        let path = entry_path(database);
        let path = path.to_string_lossy();
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

/// Where a new database's key goes when neither a key file nor a keychain entry exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKeyIn {
    /// The desktop app: the OS keychain, or the file when the keychain does not answer.
    Keychain,
    /// The CLI and servers: a file beside the database.
    File,
}

/// The vault for the database at `database`, and why the keychain could not be asked (for
/// error messages) when it could not.
pub fn vault_for(database: &Path, keychain: &Keychain, new_key_in: NewKeyIn) -> (Box<dyn KeyVault>, Option<String>) {
    let file = KeyFile::beside(database);
    if file.path().exists() {
        return (Box::new(file), None);
    }
    let vault = KeychainVault::new(keychain.clone(), database);
    match vault.load() {
        Ok(Some(_)) => (Box::new(vault), None),
        Ok(None) if new_key_in == NewKeyIn::Keychain => (Box::new(vault), None),
        Ok(None) => (Box::new(file), None),
        Err(why) => {
            if new_key_in == NewKeyIn::Keychain {
                tracing::warn!("the OS keychain is not reachable ({why}); keeping the database's master key in {}", file.path().display());
            }
            (Box::new(file), Some(why))
        }
    }
}

/// The database's path as its keychain entry names it: absolute, so `--db pools.sqlite` and
/// the app's full path find the same entry.
fn entry_path(database: &Path) -> PathBuf {
    std::path::absolute(database).unwrap_or_else(|_| database.to_owned())
}
