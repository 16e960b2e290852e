//! Randomness from the operating system's CSPRNG (through aws-lc), and the identifier formats
//! AWS uses, so ids look like Cognito's to clients that pattern-match them.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use crate::error::{Error, Result};

pub fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    SystemRandom::new().fill(&mut buf).map_err(|_| Error::internal(anyhow::anyhow!("the system random source failed")))?;
    Ok(buf)
}

/// `len` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
pub fn string_from(alphabet: &[u8], len: usize) -> Result<String> {
    let limit = 256 - (256 % alphabet.len());
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in bytes::<64>()? {
            if (b as usize) < limit && out.len() < len {
                out.push(alphabet[b as usize % alphabet.len()] as char);
            }
        }
    }
    Ok(out)
}

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const DIGITS: &[u8] = b"0123456789";

/// `us-east-1_AbCdEf123`
pub fn user_pool_id(region: &str) -> Result<String> {
    Ok(format!("{region}_{}", string_from(ALNUM, 9)?))
}

/// 26 lowercase alphanumerics, like Cognito app client ids.
pub fn client_id() -> Result<String> {
    string_from(LOWER_ALNUM, 26)
}

/// 51 lowercase alphanumerics (about 263 bits), like Cognito client secrets.
pub fn client_secret() -> Result<String> {
    string_from(LOWER_ALNUM, 51)
}

/// A random (version 4) UUID, used for `sub`, token ids and event ids.
pub fn uuid() -> Result<String> {
    Ok(uuid::Builder::from_random_bytes(bytes::<16>()?).into_uuid().to_string())
}

/// A 6-digit one-time code.
pub fn code() -> Result<String> {
    string_from(DIGITS, 6)
}

/// Opaque token material: 48 random bytes, base64url.
pub fn token() -> Result<String> {
    use base64::Engine;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes::<48>()?))
}

/// A temporary password that satisfies any policy Cognito allows (every character class).
pub fn temporary_password(min_length: usize) -> Result<String> {
    let len = min_length.max(12);
    let mut s = string_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 1)?;
    s.push_str(&string_from(b"abcdefghijkmnopqrstuvwxyz", 1)?);
    s.push_str(&string_from(DIGITS, 1)?);
    s.push_str(&string_from(b"^$*.[]{}()?-!@#%&", 1)?);
    s.push_str(&string_from(ALNUM, len - 4)?);
    Ok(s)
}

/// AWS-style access key id (`AKIA` + 16 uppercase alphanumerics) and a 40-character secret.
pub fn access_key() -> Result<(String, String)> {
    let id = format!("AKIA{}", string_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)?);
    let secret = string_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)?;
    Ok((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_have_aws_shapes() {
        let id = user_pool_id("us-east-1").unwrap();
        assert!(id.starts_with("us-east-1_") && id.len() == 19, "{id}");
        let c = client_id().unwrap();
        assert_eq!(c.len(), 26);
        assert!(c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_eq!(code().unwrap().len(), 6);
        let (k, s) = access_key().unwrap();
        assert!(k.starts_with("AKIA") && k.len() == 20 && s.len() == 40);
        assert_ne!(client_secret().unwrap(), client_secret().unwrap());
    }

    #[test]
    fn temporary_passwords_contain_every_class() {
        let p = temporary_password(8).unwrap();
        assert!(p.len() >= 12);
        assert!(p.chars().any(|c| c.is_ascii_uppercase()));
        assert!(p.chars().any(|c| c.is_ascii_lowercase()));
        assert!(p.chars().any(|c| c.is_ascii_digit()));
        assert!(p.chars().any(|c| !c.is_ascii_alphanumeric()));
    }
}
