//! Which database a command works on (`--db`): a SQLite file, the embedded default, or a
//! PostgreSQL database that several servers share. Opening one, with its master key.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context as _;
use pooldesk_core::store::Store;
use pooldesk_remote::Keychain;
use pooldesk_remote::master_key::{self, NewKeyIn};
use pooldesk_store_postgres::PostgresStore;
use pooldesk_store_sqlite::{Durability, GivenKey, KeyFile, KeyVault, MasterKey, SqliteStore};

/// `--db`: a file path or `sqlite://PATH`, or `postgres://user:password@host:port/name`
/// (`postgresql://` too, with libpq's URL parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl FromStr for Database {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if pooldesk_store_postgres::is_postgres_url(s) {
            return Ok(Database::Postgres(s.to_owned()));
        }
        let path = s.strip_prefix("sqlite://").unwrap_or(s);
        if path.is_empty() {
            return Err("an empty database path".into());
        }
        if s.contains("://") && !s.starts_with("sqlite://") {
            return Err(format!("{s}: a database is a file path, sqlite://PATH or postgres://..."));
        }
        Ok(Database::Sqlite(PathBuf::from(path)))
    }
}

/// `--db` as given, or this computer's default SQLite file.
pub fn chosen(db: Option<Database>) -> anyhow::Result<Database> {
    match db {
        Some(db) => Ok(db),
        None => {
            let dir = dirs::data_dir().context("no user data directory; pass --db")?;
            Ok(Database::Sqlite(dir.join("pooldesk").join("pooldesk.sqlite")))
        }
    }
}

/// An open store, as the commands that need more than the storage traits see it.
pub enum Opened {
    Sqlite(Arc<SqliteStore>),
    Postgres(Arc<PostgresStore>),
}

impl Opened {
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Opened::Sqlite(s) => s.clone(),
            Opened::Postgres(s) => s.clone(),
        }
    }

    /// The database for messages: a path, or a PostgreSQL URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Opened::Sqlite(s) => s.path().to_owned(),
            Opened::Postgres(s) => s.describe().to_owned(),
        }
    }
}

/// How a command opens its database.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub durability: Durability,
    /// PostgreSQL connections kept at most.
    pub max_connections: u32,
    /// The master key's file (made if missing), instead of the usual places.
    pub key_file: Option<PathBuf>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { durability: Durability::Normal, max_connections: 4, key_file: None }
    }
}

pub fn open(db: Option<Database>, options: OpenOptions) -> anyhow::Result<Opened> {
    let given = options.key_file.map(|file| Box::new(KeyFile::new(file)) as Box<dyn KeyVault>);
    match chosen(db)? {
        Database::Sqlite(path) => {
            let (vault, keychain_unreachable) = match given {
                Some(vault) => (vault, None),
                None => key_vault(&path)?,
            };
            let store = SqliteStore::open(&path, options.durability, &*vault).with_context(|| {
                let keychain = match keychain_unreachable {
                    Some(why) => format!("; the OS keychain, where the desktop app keeps its database's key, did not answer: {why}"),
                    None => String::new(),
                };
                format!(
                    "opening the database {} (master key: POOLDESK_MASTER_KEY, POOLDESK_MASTER_KEY_FILE, the file beside it, or the desktop app's entry in the OS keychain{keychain})",
                    path.display()
                )
            })?;
            Ok(Opened::Sqlite(Arc::new(store)))
        }
        Database::Postgres(url) => {
            let vault = match given {
                Some(vault) => vault,
                None => shared_key_vault()?,
            };
            let store = PostgresStore::open(&url, &*vault, options.max_connections)
                .with_context(|| format!("opening the PostgreSQL database (master key: {})", vault.describe()))?;
            Ok(Opened::Postgres(Arc::new(store)))
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The key given in the environment, if any: `POOLDESK_MASTER_KEY` (the key itself, base64)
/// or the file `POOLDESK_MASTER_KEY_FILE`.
fn given_key_vault() -> anyhow::Result<Option<Box<dyn KeyVault>>> {
    if let Some(text) = env("POOLDESK_MASTER_KEY") {
        let key = MasterKey::decode(&text).map_err(|e| anyhow::anyhow!("POOLDESK_MASTER_KEY: {e}"))?;
        return Ok(Some(Box::new(GivenKey { key, source: "POOLDESK_MASTER_KEY".into() })));
    }
    Ok(env("POOLDESK_MASTER_KEY_FILE").map(|file| Box::new(KeyFile::new(file)) as Box<dyn KeyVault>))
}

/// Where the master key of the SQLite file at `path` is: the environment's, a file beside
/// the database (`pooldesk.sqlite.key`), or the OS keychain's entry where the desktop app keeps
/// the key of its database; a new database's key goes to the file beside it, made owner-only.
/// The second value says why the keychain could not be asked, if it could not.
pub fn key_vault(path: &Path) -> anyhow::Result<(Box<dyn KeyVault>, Option<String>)> {
    if let Some(vault) = given_key_vault()? {
        return Ok((vault, None));
    }
    Ok(master_key::vault_for(path, &Keychain::default(), NewKeyIn::File))
}

/// A shared database's master key: every server needs the same one, so it is given, never
/// made up beside one of them.
pub fn shared_key_vault() -> anyhow::Result<Box<dyn KeyVault>> {
    given_key_vault()?.context(
        "a PostgreSQL database needs its master key from POOLDESK_MASTER_KEY (32 bytes in base64) or POOLDESK_MASTER_KEY_FILE \
         (created there if the file does not exist); every server on the database must use the same key",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn databases_by_path_or_url() {
        assert_eq!("data/p.sqlite".parse::<Database>().unwrap(), Database::Sqlite("data/p.sqlite".into()));
        assert_eq!("sqlite:///var/p.sqlite".parse::<Database>().unwrap(), Database::Sqlite("/var/p.sqlite".into()));
        assert_eq!("postgres://u@h/db".parse::<Database>().unwrap(), Database::Postgres("postgres://u@h/db".into()));
        assert_eq!("postgresql://u@h/db".parse::<Database>().unwrap(), Database::Postgres("postgresql://u@h/db".into()));
        assert!("mysql://u@h/db".parse::<Database>().unwrap_err().contains("postgres://"));
        assert!("sqlite://".parse::<Database>().is_err());
    }
}
