//! Storage errors from what SQLite and stored documents report.

use pooldesk_core::store::StoreError;

/// The one place a rusqlite error becomes a `StoreError`.
pub(crate) fn sql(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) => match f.code {
            ErrorCode::ConstraintViolation => StoreError::Conflict(msg.clone().unwrap_or_else(|| "constraint".into())),
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => StoreError::Corrupt(e.to_string()),
            _ => StoreError::Other(Box::new(e)),
        },
        _ => StoreError::Other(Box::new(e)),
    }
}

pub(crate) fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("a stored document does not parse: {e}"))
}
