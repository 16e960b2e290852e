//! Remote PoolDesk servers, shared by the desktop app and the CLI.
//!
//! # Layout
//! - [`connections`]: what is saved about a server (name, endpoint, region, access key id),
//!   in a small SQLite file of its own; never a secret;
//! - [`keychain`]: the secret access key, only in the OS keychain;
//! - [`master_key`]: where a local database's master key is, for the app and the CLI alike;
//! - [`client`]: Cognito's JSON 1.1 protocol over HTTP(S), signed with SigV4 here, with
//!   failures explained (unreachable, TLS, clock skew, unknown key, wrong secret);
//! - this file: [`Remotes`], which ties the three together, and [`RemoteError`].

pub mod client;
pub mod connections;
pub mod keychain;
pub mod master_key;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub use client::{RemoteClient, ServerCheck};
pub use connections::{Connection, Connections, LOCAL};
pub use keychain::Keychain;

/// Everything that can go wrong with a remote connection, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{0}")]
    InvalidConnection(String),
    #[error("There is no connection named {0:?}.")]
    UnknownConnection(String),
    #[error("A connection named {0:?} already exists; remove it first, or replace it.")]
    ConnectionExists(String),
    #[error("The connections file cannot be used: {0}")]
    Settings(String),
    #[error(
        "The OS keychain is not available ({0}). PoolDesk keeps secret access keys only there: start a Secret Service \
         (GNOME Keyring, KWallet or KeePassXC) in this session, or use a desktop session that has one, and try again."
    )]
    KeychainUnavailable(String),
    #[error(
        "The OS keychain is locked or refused access ({0}). Unlock it (for GNOME Keyring, log in or open Passwords and Keys) and try again."
    )]
    KeychainLocked(String),
    #[error("The keychain holds no secret for the connection {0:?}. Add the connection again with its secret access key.")]
    SecretMissing(String),
    #[error("{endpoint} is unreachable: {detail}. Check the URL and that the server is running and reachable from here.")]
    Unreachable { endpoint: String, detail: String },
    #[error("TLS with {endpoint} failed: {detail}.")]
    Tls { endpoint: String, detail: String },
    #[error("{}", clock_skew_message(endpoint, *server_ahead_secs, detail))]
    ClockSkew { endpoint: String, server_ahead_secs: Option<i64>, detail: String },
    #[error("{endpoint} does not look like a Cognito endpoint: {detail} (HTTP {status}). Check the URL.")]
    NotCognito { endpoint: String, status: u16, detail: String },
    /// The server's own answer: Cognito's error name, unchanged, and its message.
    #[error("{message}")]
    Service { code: String, message: String },
}

impl RemoteError {
    /// A stable name for programs and the UI: the Cognito error name for a server's answer,
    /// PoolDesk's own names for everything that happens before one.
    pub fn code(&self) -> &str {
        match self {
            RemoteError::InvalidConnection(_) => "InvalidConnection",
            RemoteError::UnknownConnection(_) => "UnknownConnection",
            RemoteError::ConnectionExists(_) => "ConnectionExists",
            RemoteError::Settings(_) => "SettingsError",
            RemoteError::KeychainUnavailable(_) => "KeychainUnavailable",
            RemoteError::KeychainLocked(_) => "KeychainLocked",
            RemoteError::SecretMissing(_) => "SecretMissing",
            RemoteError::Unreachable { .. } => "RemoteUnreachable",
            RemoteError::Tls { .. } => "RemoteTlsError",
            RemoteError::ClockSkew { .. } => "RemoteClockSkew",
            RemoteError::NotCognito { .. } => "RemoteNotCognito",
            RemoteError::Service { code, .. } => code,
        }
    }
}

fn clock_skew_message(endpoint: &str, server_ahead_secs: Option<i64>, detail: &str) -> String {
    let apart = match server_ahead_secs {
        Some(secs) => {
            let (sign, secs) = if secs >= 0 { ("ahead of", secs) } else { ("behind", -secs) };
            format!("the clock of {endpoint} is {} {sign} this computer's", human_duration(secs))
        }
        None => format!("the clocks of this computer and {endpoint} disagree"),
    };
    format!(
        "Clock skew: {apart}, and signed requests allow 5 minutes. Set both clocks right (NTP), then try again. (The server said: {detail})"
    )
}

fn human_duration(secs: i64) -> String {
    match secs {
        s if s >= 86_400 => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{s} s"),
    }
}

/// The saved connections with their secrets, and a client per connection once used.
pub struct Remotes {
    connections: Connections,
    keychain: Keychain,
    clients: Mutex<HashMap<String, Arc<RemoteClient>>>,
}

impl Remotes {
    pub fn open(path: &Path, keychain: Keychain) -> Result<Remotes, RemoteError> {
        Ok(Remotes { connections: Connections::open(path)?, keychain, clients: Mutex::new(HashMap::new()) })
    }

    /// The keychain the secrets are in (the desktop keeps its database's master key there too).
    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    pub fn list(&self) -> Result<Vec<Connection>, RemoteError> {
        self.connections.list()
    }

    /// Tests `connection` with `secret` and, only if the server accepts it, saves the
    /// settings and puts the secret in the keychain. With `replace`, an existing connection of
    /// that name (and its secret) is replaced.
    pub async fn add(&self, connection: Connection, secret: String, replace: bool) -> Result<ServerCheck, RemoteError> {
        if !replace && self.connections.exists(&connection.name)? {
            return Err(RemoteError::ConnectionExists(connection.name));
        }
        let client = RemoteClient::new(connection.clone(), &secret)?;
        let check = client.check().await?;
        let keychain = self.keychain.clone();
        let name = connection.name.clone();
        blocking(move || keychain.store(&name, &secret)).await?;
        if let Err(e) = self.connections.save(&connection, replace) {
            // Never leave a secret behind for a connection that was not saved.
            if !replace {
                let keychain = self.keychain.clone();
                let name = connection.name.clone();
                let _ = blocking(move || keychain.delete(&name)).await;
            }
            return Err(e);
        }
        self.forget_client(&connection.name);
        Ok(check)
    }

    /// Removes the connection and its keychain entry. The keychain goes first: if it cannot
    /// be reached, the connection stays listed so the secret is not orphaned.
    /// `Ok(false)` when the keychain had no secret for it.
    pub async fn remove(&self, name: &str) -> Result<bool, RemoteError> {
        let connection = self.connections.get(name)?;
        let keychain = self.keychain.clone();
        let canonical = connection.name.clone();
        let had_secret = blocking(move || keychain.delete(&canonical)).await?;
        self.connections.remove(&connection.name)?;
        self.forget_client(&connection.name);
        Ok(had_secret)
    }

    /// The client for a saved connection (its secret read from the keychain on first use).
    pub async fn client(&self, name: &str) -> Result<Arc<RemoteClient>, RemoteError> {
        if let Some(client) = self.clients.lock().ok().and_then(|c| c.get(&name.to_lowercase()).cloned()) {
            return Ok(client);
        }
        let connection = self.connections.get(name)?;
        let keychain = self.keychain.clone();
        let canonical = connection.name.clone();
        let secret = blocking(move || keychain.read(&canonical)).await?;
        let client = Arc::new(RemoteClient::new(connection, &secret)?);
        if let Ok(mut clients) = self.clients.lock() {
            clients.insert(name.to_lowercase(), client.clone());
        }
        Ok(client)
    }

    /// Tests a saved connection as it is now.
    pub async fn test(&self, name: &str) -> Result<ServerCheck, RemoteError> {
        self.client(name).await?.check().await
    }

    fn forget_client(&self, name: &str) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.remove(&name.to_lowercase());
        }
    }
}

/// Keychain calls block (D-Bus round trips): off the async runtime's workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, RemoteError> + Send + 'static) -> Result<T, RemoteError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| RemoteError::KeychainUnavailable(format!("the keychain call stopped unexpectedly: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_skew_says_which_way_and_how_far() {
        let m = clock_skew_message("http://h", Some(3725), "Signature expired");
        assert!(m.contains("the clock of http://h is 1 h 2 min ahead of this computer's"), "{m}");
        let m = clock_skew_message("http://h", Some(-400), "x");
        assert!(m.contains("6 min 40 s behind"), "{m}");
        assert!(clock_skew_message("http://h", None, "x").contains("disagree"));
    }
}
