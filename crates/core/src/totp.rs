//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second steps, 6
//! digits, what authenticator apps and pyotp use by default.

use aws_lc_rs::hmac;

use crate::error::Result;
use crate::random::Random;

const STEP_SECS: i64 = 30;
const DIGITS: u32 = 6;
/// Steps either side of now that still count, for clocks that drift a little.
const WINDOW: i64 = 1;

/// A new shared secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32.
pub fn new_secret(random: &dyn Random) -> Result<String> {
    Ok(base32(&random.bytes::<20>()?))
}

/// RFC 4648 base32 without padding, as authenticator apps read secrets.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in s.trim_end_matches('=').chars() {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The code for one time step (RFC 4226 dynamic truncation).
fn code_at(key: &hmac::Key, counter: i64) -> u32 {
    let tag = hmac::sign(key, &counter.to_be_bytes());
    let h = tag.as_ref();
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    binary % 10u32.pow(DIGITS)
}

/// The code an authenticator app shows at `at_secs`, for PoolDesk's own tests and tools (the
/// server only ever verifies). None when the secret is not base32.
pub fn code_at_time(secret_b32: &str, at_secs: i64) -> Option<String> {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &base32_decode(secret_b32)?);
    Some(format!("{:06}", code_at(&key, at_secs.div_euclid(STEP_SECS))))
}

/// Checks `code` against the steps around `now_secs`. Returns the step it matched, which the
/// caller stores so that the same code (or an older one) is never accepted twice; a code from a
/// step at or before `last_used` is refused.
pub fn verify(secret_b32: &str, code: &str, now_secs: i64, last_used: Option<i64>) -> Option<i64> {
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let given: u32 = code.parse().ok()?;
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &base32_decode(secret_b32)?);
    let now = now_secs.div_euclid(STEP_SECS);
    let mut matched = None;
    // Every candidate step is computed, so timing does not tell which one matched.
    for counter in (now - WINDOW)..=(now + WINDOW) {
        if code_at(&key, counter) == given && last_used.is_none_or(|l| counter > l) {
            matched = Some(counter);
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 key "12345678901234567890", truncated to 6 digits.
    #[test]
    fn rfc_6238_vectors() {
        let secret = base32(b"12345678901234567890");
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        for (time, code) in [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")] {
            assert_eq!(verify(&secret, code, time, None), Some(time / 30), "t={time}");
            assert_eq!(code_at_time(&secret, time).as_deref(), Some(code), "t={time}");
        }
    }

    #[test]
    fn a_code_is_accepted_once_and_only_near_its_time() {
        let secret = base32(b"12345678901234567890");
        let step = verify(&secret, "005924", 1234567890, None).unwrap();
        assert_eq!(verify(&secret, "005924", 1234567890, Some(step)), None, "replay refused");
        assert!(verify(&secret, "005924", 1234567890 + 30, None).is_some(), "one step of drift is fine");
        assert_eq!(verify(&secret, "005924", 1234567890 + 120, None), None, "four steps later is too late");
        for bad in ["", "12345", "1234567", "abcdef", "00592a"] {
            assert_eq!(verify(&secret, bad, 1234567890, None), None, "{bad}");
        }
    }

    #[test]
    fn base32_round_trips() {
        for len in 0..25 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base32_decode(&base32(&bytes)).unwrap(), bytes);
        }
        assert_eq!(new_secret(&crate::random::SystemRandom).unwrap().len(), 32);
    }
}
