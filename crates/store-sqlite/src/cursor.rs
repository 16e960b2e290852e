//! Opaque pagination tokens: base64url of the position the next page starts after.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pooldesk_core::store::StoreError;

pub fn encode(parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(parts.join("\u{0}"))
}

pub fn decode(token: &str, n: usize) -> Result<Vec<String>, StoreError> {
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| StoreError::BadCursor)?;
    let text = String::from_utf8(bytes).map_err(|_| StoreError::BadCursor)?;
    let parts: Vec<String> = text.split('\u{0}').map(str::to_owned).collect();
    if parts.len() != n {
        return Err(StoreError::BadCursor);
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode(&["a", "b"]);
        assert_eq!(decode(&c, 2).unwrap(), vec!["a", "b"]);
        assert!(matches!(decode("!!", 2), Err(StoreError::BadCursor)));
        assert!(matches!(decode(&c, 1), Err(StoreError::BadCursor)));
    }
}
