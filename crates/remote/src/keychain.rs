//! Secret access keys in the OS keychain (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows), one entry per connection, through the `keyring` crate.

use crate::RemoteError;

/// The keychain entries of one application (service name); the app and the CLI share
/// [`Keychain::DEFAULT_SERVICE`].
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Keychain { service: Keychain::DEFAULT_SERVICE.to_owned() }
    }
}

impl Keychain {
    pub const DEFAULT_SERVICE: &'static str = "pooldesk";

    /// Entries under another service name (tests keep theirs apart this way).
    pub fn with_service(service: &str) -> Keychain {
        Keychain { service: service.to_owned() }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, connection: &str) -> Result<keyring::Entry, RemoteError> {
        keyring::Entry::new(&self.service, connection).map_err(keychain_error)
    }

    /// Stores (or replaces) the secret for `connection`.
    pub fn store(&self, connection: &str, secret: &str) -> Result<(), RemoteError> {
        self.entry(connection)?.set_password(secret).map_err(keychain_error)
    }

    /// The secret for `connection`; `SecretMissing` when the keychain has none.
    pub fn read(&self, connection: &str) -> Result<String, RemoteError> {
        self.entry(connection)?.get_password().map_err(|e| match e {
            keyring::Error::NoEntry => RemoteError::SecretMissing(connection.to_owned()),
            e => keychain_error(e),
        })
    }

    /// Deletes the secret for `connection`; `Ok(false)` when there was none.
    pub fn delete(&self, connection: &str) -> Result<bool, RemoteError> {
        match self.entry(connection)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

fn keychain_error(e: keyring::Error) -> RemoteError {
    match e {
        keyring::Error::NoStorageAccess(why) => RemoteError::KeychainLocked(why.to_string()),
        keyring::Error::PlatformFailure(why) => RemoteError::KeychainUnavailable(why.to_string()),
        other => RemoteError::KeychainUnavailable(other.to_string()),
    }
}
