//! Remote servers as connections: listed, added (tested first), tested and removed. Settings
//! go to the connections file and the secret to the OS keychain (`pooldesk_remote`); the
//! web view hands a secret over once, when it is typed, and never gets one back.

use pooldesk_remote::{Connection, RemoteError, ServerCheck};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::Desktop;
use crate::commands::CommandError;

impl From<RemoteError> for CommandError {
    fn from(e: RemoteError) -> Self {
        CommandError { code: e.code().to_owned(), message: e.to_string() }
    }
}

/// A remote server as the UI shows it (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../ui/src/generated/")]
pub struct ConnectionInfo {
    pub name: String,
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
}

impl From<Connection> for ConnectionInfo {
    fn from(c: Connection) -> Self {
        ConnectionInfo { name: c.name, endpoint: c.endpoint, region: c.region, access_key_id: c.access_key_id }
    }
}

/// What the "Add a server" form sends. No `Debug`: it carries the secret.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../ui/src/generated/")]
pub struct NewConnection {
    pub name: String,
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Replace the connection of the same name (a new key, a moved server).
    #[serde(default)]
    #[ts(optional)]
    pub replace: Option<bool>,
}

/// A successful test of a connection.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../ui/src/generated/")]
pub struct ConnectionCheck {
    pub connection: ConnectionInfo,
    /// User pools on the server's first page of `ListUserPools` (at most 60).
    pub user_pools: u32,
    /// The server's clock minus this computer's, in seconds, when the server said.
    pub clock_offset_secs: Option<i32>,
}

impl ConnectionCheck {
    fn new(connection: Connection, check: ServerCheck) -> Self {
        ConnectionCheck {
            connection: connection.into(),
            user_pools: u32::try_from(check.user_pools).unwrap_or(u32::MAX),
            clock_offset_secs: check.clock_offset_secs.map(|s| s.clamp(i32::MIN.into(), i32::MAX.into()) as i32),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../ui/src/generated/")]
pub struct RemovedConnection {
    pub name: String,
    /// Whether the keychain held a secret for it (and now does not).
    pub secret_deleted: bool,
}

/// The remote servers, by name (this computer is not listed: it is always there).
#[tauri::command]
pub fn connections_list(desktop: State<'_, Desktop>) -> Result<Vec<ConnectionInfo>, CommandError> {
    Ok(desktop.remotes.list()?.into_iter().map(ConnectionInfo::from).collect())
}

/// Tests the server with the given key and, only if it answers as it should, saves the
/// connection and stores the secret in the keychain.
#[tauri::command]
pub async fn connection_add(desktop: State<'_, Desktop>, input: NewConnection) -> Result<ConnectionCheck, CommandError> {
    let connection = Connection::new(&input.name, &input.endpoint, &input.region, &input.access_key_id)?;
    if input.secret_access_key.is_empty() {
        return Err(RemoteError::InvalidConnection("The secret access key is empty.".to_owned()).into());
    }
    let check = desktop.remotes.add(connection.clone(), input.secret_access_key, input.replace.unwrap_or(false)).await?;
    tracing::info!(connection = %connection.name, endpoint = %connection.endpoint, "remote connection added");
    Ok(ConnectionCheck::new(connection, check))
}

/// Tests a saved connection now.
#[tauri::command]
pub async fn connection_test(desktop: State<'_, Desktop>, name: String) -> Result<ConnectionCheck, CommandError> {
    let client = desktop.remotes.client(&name).await?;
    let check = client.check().await?;
    Ok(ConnectionCheck::new(client.connection().clone(), check))
}

/// Removes a connection and its keychain entry.
#[tauri::command]
pub async fn connection_remove(desktop: State<'_, Desktop>, name: String) -> Result<RemovedConnection, CommandError> {
    let secret_deleted = desktop.remotes.remove(&name).await?;
    tracing::info!(connection = %name, "remote connection removed");
    Ok(RemovedConnection { name, secret_deleted })
}
