//! Storage errors from what PostgreSQL reports.

use pooldesk_core::store::StoreError;
use postgres::error::SqlState;

/// The one place a PostgreSQL error becomes a `StoreError`.
pub(crate) fn sql(e: postgres::Error) -> StoreError {
    match e.code() {
        Some(code) if code.code().starts_with("23") => StoreError::Conflict(e.to_string()),
        // Two transactions raced (possible under concurrent writes from several servers).
        Some(&SqlState::T_R_SERIALIZATION_FAILURE | &SqlState::T_R_DEADLOCK_DETECTED) => StoreError::Conflict(e.to_string()),
        Some(&SqlState::DATA_CORRUPTED | &SqlState::INDEX_CORRUPTED) => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Other(Box::new(e)),
    }
}

pub(crate) fn pool_error(e: r2d2::Error) -> StoreError {
    StoreError::Other(format!("no database connection: {e}").into())
}
