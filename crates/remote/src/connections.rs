//! The saved remote connections: name, endpoint, region and access key id, in a small SQLite
//! file of their own. Nothing secret is stored here; the secret access key is in the keychain.

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;

use pooldesk_wire::rules;

use crate::RemoteError;

/// The name the desktop app and the CLI use for this computer's pools; no remote may take it.
pub const LOCAL: &str = "local";

/// A remote PoolDesk (or any Cognito-compatible) server, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub name: String,
    /// `http(s)://host[:port]`, normalised (no trailing slash).
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
}

impl Connection {
    /// Checks and normalises what a person typed: a short name, an http(s) URL with no path
    /// beyond `/`, a region and an access key id of AWS's shapes.
    pub fn new(name: &str, endpoint: &str, region: &str, access_key_id: &str) -> Result<Connection, RemoteError> {
        let invalid = |message: String| RemoteError::InvalidConnection(message);
        let name = name.trim();
        if !rules::CONNECTION_NAME.accepts(name) {
            return Err(invalid(format!(
                "{name:?} is not a valid connection name: use 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit."
            )));
        }
        if name.eq_ignore_ascii_case(LOCAL) {
            return Err(invalid(format!("{name:?} is reserved for this computer's pools; choose another name.")));
        }
        let url = url::Url::parse(endpoint.trim())
            .map_err(|e| invalid(format!("{endpoint:?} is not a URL ({e}); write it as http://host:port or https://host.")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(invalid(format!("{endpoint:?} is not an http:// or https:// URL with a host.")));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(invalid(format!(
                "{endpoint:?} has a path, query or user name; give only the server's address, e.g. https://cognito.example.com."
            )));
        }
        let region = region.trim();
        if !rules::REGION.accepts(region) {
            return Err(invalid(format!("{region:?} is not a region name like us-east-1.")));
        }
        let access_key_id = access_key_id.trim();
        if !rules::ACCESS_KEY_ID.accepts(access_key_id) {
            return Err(invalid(format!("{access_key_id:?} is not an access key id (16 to 128 letters and digits, like AKIA...).")));
        }
        Ok(Connection {
            name: name.to_owned(),
            endpoint: url.as_str().trim_end_matches('/').to_owned(),
            region: region.to_owned(),
            access_key_id: access_key_id.to_owned(),
        })
    }
}

/// Where the connections live unless `POOLDESK_CONNECTIONS` says otherwise; the desktop app
/// and the CLI share this file.
pub fn default_path() -> Result<PathBuf, RemoteError> {
    if let Some(path) = std::env::var_os("POOLDESK_CONNECTIONS").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let dir =
        dirs::data_dir().ok_or_else(|| RemoteError::Settings("this user has no data directory; set POOLDESK_CONNECTIONS".to_owned()))?;
    Ok(dir.join("pooldesk").join("connections.sqlite"))
}

/// The connections file. Each method opens its own short transaction, so the app and the CLI
/// can use the file at the same time.
pub struct Connections {
    db: std::sync::Mutex<rusqlite::Connection>,
    path: PathBuf,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS remote_connections (
    name TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
    endpoint TEXT NOT NULL,
    region TEXT NOT NULL,
    access_key_id TEXT NOT NULL,
    added_at INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;";

impl Connections {
    pub fn open(path: &Path) -> Result<Connections, RemoteError> {
        let settings = |e: &dyn std::fmt::Display| RemoteError::Settings(format!("{}: {e}", path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| settings(&e))?;
        }
        let db = rusqlite::Connection::open(path).map_err(|e| settings(&e))?;
        db.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| settings(&e))?;
        db.execute_batch(SCHEMA).map_err(|e| settings(&e))?;
        Ok(Connections { db: std::sync::Mutex::new(db), path: path.to_owned() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>) -> Result<T, RemoteError> {
        let db = self.db.lock().map_err(|_| RemoteError::Settings("the connections file lock was poisoned".to_owned()))?;
        f(&db).map_err(|e| RemoteError::Settings(format!("{}: {e}", self.path.display())))
    }

    pub fn list(&self) -> Result<Vec<Connection>, RemoteError> {
        self.with(|db| {
            let mut statement =
                db.prepare("SELECT name, endpoint, region, access_key_id FROM remote_connections ORDER BY name COLLATE NOCASE")?;
            let rows = statement.query_map([], row_to_connection)?;
            rows.collect()
        })
    }

    pub fn get(&self, name: &str) -> Result<Connection, RemoteError> {
        self.with(|db| {
            db.query_row("SELECT name, endpoint, region, access_key_id FROM remote_connections WHERE name = ?1", [name], row_to_connection)
                .optional()
        })?
        .ok_or_else(|| RemoteError::UnknownConnection(name.to_owned()))
    }

    /// Saves a new connection, or replaces the one with the same name when `replace`.
    pub fn save(&self, connection: &Connection, replace: bool) -> Result<(), RemoteError> {
        let verb = if replace { "INSERT OR REPLACE" } else { "INSERT OR IGNORE" };
        let inserted = self.with(|db| {
            db.execute(
                &format!("{verb} INTO remote_connections (name, endpoint, region, access_key_id) VALUES (?1, ?2, ?3, ?4)"),
                params![connection.name, connection.endpoint, connection.region, connection.access_key_id],
            )
        })?;
        if inserted == 0 {
            return Err(RemoteError::ConnectionExists(connection.name.clone()));
        }
        Ok(())
    }

    pub fn exists(&self, name: &str) -> Result<bool, RemoteError> {
        self.with(|db| db.query_row("SELECT count(*) FROM remote_connections WHERE name = ?1", [name], |r| r.get::<_, i64>(0)))
            .map(|n| n > 0)
    }

    /// Forgets a connection; `UnknownConnection` when there is none by that name.
    pub fn remove(&self, name: &str) -> Result<(), RemoteError> {
        let removed = self.with(|db| db.execute("DELETE FROM remote_connections WHERE name = ?1", [name]))?;
        if removed == 0 {
            return Err(RemoteError::UnknownConnection(name.to_owned()));
        }
        Ok(())
    }
}

fn row_to_connection(row: &rusqlite::Row<'_>) -> rusqlite::Result<Connection> {
    Ok(Connection { name: row.get(0)?, endpoint: row.get(1)?, region: row.get(2)?, access_key_id: row.get(3)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AKIAIOSFODNN7EXAMPLE";

    #[test]
    fn normalises_and_refuses_what_is_not_a_connection() {
        let c = Connection::new(" prod ", "https://cognito.example.com/", "eu-west-1", KEY).unwrap();
        assert_eq!((c.name.as_str(), c.endpoint.as_str()), ("prod", "https://cognito.example.com"));
        assert_eq!(Connection::new("dev", "http://127.0.0.1:9229", "us-east-1", KEY).unwrap().endpoint, "http://127.0.0.1:9229");
        for (name, endpoint, region, key) in [
            ("", "http://h", "us-east-1", KEY),
            ("local", "http://h", "us-east-1", KEY),
            ("LOCAL", "http://h", "us-east-1", KEY),
            ("a b", "http://h", "us-east-1", KEY),
            ("-x", "http://h", "us-east-1", KEY),
            ("x", "ftp://h", "us-east-1", KEY),
            ("x", "h:9229", "us-east-1", KEY),
            ("x", "http://h/api", "us-east-1", KEY),
            ("x", "http://user@h", "us-east-1", KEY),
            ("x", "http://h", "US East", KEY),
            ("x", "http://h", "us-east-1", "short"),
            ("x", "http://h", "us-east-1", "AKIA/IOSFODNN7EXAMPLE"),
        ] {
            let e = Connection::new(name, endpoint, region, key).unwrap_err();
            assert!(matches!(e, RemoteError::InvalidConnection(_)), "{name} {endpoint} {region} {key}: {e}");
        }
    }

    #[test]
    fn saves_lists_replaces_and_removes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("connections.sqlite");
        let connections = Connections::open(&path).unwrap();
        let staging = Connection::new("staging", "http://127.0.0.1:1", "us-east-1", KEY).unwrap();
        let prod = Connection::new("Prod", "https://cognito.example.com", "eu-west-1", KEY).unwrap();
        connections.save(&staging, false).unwrap();
        connections.save(&prod, false).unwrap();
        assert!(matches!(connections.save(&staging, false), Err(RemoteError::ConnectionExists(_))));
        // Names are case-insensitive, as a person reads them.
        let clash = Connection { name: "STAGING".to_owned(), ..staging.clone() };
        assert!(matches!(connections.save(&clash, false), Err(RemoteError::ConnectionExists(_))));
        assert_eq!(connections.list().unwrap(), vec![prod.clone(), staging.clone()]);

        let moved = Connection { endpoint: "http://127.0.0.1:2".to_owned(), ..staging.clone() };
        connections.save(&moved, true).unwrap();
        // A second handle (the CLI while the app runs) sees the same file.
        let other = Connections::open(&path).unwrap();
        assert_eq!(other.get("staging").unwrap(), moved);

        connections.remove("staging").unwrap();
        assert!(matches!(other.get("staging"), Err(RemoteError::UnknownConnection(_))));
        assert!(matches!(connections.remove("staging"), Err(RemoteError::UnknownConnection(_))));
        assert_eq!(other.list().unwrap(), vec![prod]);
    }
}
