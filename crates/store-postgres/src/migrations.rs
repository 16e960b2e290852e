//! The schema: forward-only versions in `../migrations/NNNN_name.sql`, each applied in its own
//! transaction (PostgreSQL's DDL is transactional) under an advisory lock, so servers that
//! start together migrate once. The version is the `pooldesk_schema` row.

use pooldesk_core::store::StoreError;

use crate::pool::Conn;

/// The schema versions, in order. Never edit a released one: add a new file.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_sync.sql"),
    include_str!("../migrations/0003_sync_delivery.sql"),
    include_str!("../migrations/0004_terms.sql"),
    include_str!("../migrations/0005_client_secrets.sql"),
];

/// The advisory lock migrations hold ("PoolDesk" in ASCII).
const MIGRATION_LOCK: i64 = 0x506f_6f6c_4465_736b;

/// Applies the migrations the database has not seen. A database at a newer version than this
/// PoolDesk knows is refused, never changed.
pub(crate) fn migrate(conn: &mut Conn) -> Result<(), StoreError> {
    conn.batch("CREATE TABLE IF NOT EXISTS pooldesk_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)")?;
    loop {
        let applied = conn.transaction(|c| {
            c.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            let current = match c.opt("SELECT version FROM pooldesk_schema WHERE id = 1", &[])? {
                Some(row) => usize::try_from(crate::pool::get::<i32>(&row, 0)?).unwrap_or(0),
                None => 0,
            };
            if current > MIGRATIONS.len() {
                return Err(StoreError::Corrupt(format!(
                    "the database is at schema version {current}, newer than this PoolDesk knows ({}); upgrade PoolDesk",
                    MIGRATIONS.len()
                )));
            }
            let Some(next) = MIGRATIONS.get(current) else { return Ok(None) };
            c.batch(next)?;
            let version = i32::try_from(current + 1).unwrap_or(i32::MAX);
            c.execute(
                "INSERT INTO pooldesk_schema (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = excluded.version",
                &[&version],
            )?;
            Ok(Some(version))
        })?;
        match applied {
            Some(version) => tracing::info!("database migrated to schema version {version}"),
            None => return Ok(()),
        }
    }
}
