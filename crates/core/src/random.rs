//! Randomness, injected as time is ([`crate::clock`]): the operations draw ids, codes, tokens,
//! secrets, salts and SRP's secret exponents from the [`Random`] source they hold, so a test
//! can pin what would otherwise be random (`testkit::SeededRandom`, built only with the
//! `testkit` feature). Everything else uses [`SystemRandom`]: the operating system's CSPRNG
//! through aws-lc, the only source production has.
//!
//! The draws are methods of `dyn Random`, with the identifier formats AWS uses, so ids look
//! like Cognito's to clients that pattern-match them.

use aws_lc_rs::rand::SecureRandom;

use crate::error::{Error, Result};

/// Where random bytes come from.
pub trait Random: Send + Sync {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]) -> Result<()>;
}

/// The operating system's CSPRNG, through aws-lc.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRandom;

impl Random for SystemRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<()> {
        aws_lc_rs::rand::SystemRandom::new().fill(buf).map_err(|_| Error::internal(anyhow::anyhow!("the system random source failed")))
    }
}

/// [`SystemRandom`]'s bytes, for what is not an operation's draw (the server's request ids,
/// SRP's client side).
pub fn bytes<const N: usize>() -> Result<[u8; N]> {
    (&SystemRandom as &dyn Random).bytes()
}

/// An access key from [`SystemRandom`], for the admin keys the CLI and the desktop app make.
pub fn access_key() -> Result<(String, String)> {
    (&SystemRandom as &dyn Random).access_key()
}

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const DIGITS: &[u8] = b"0123456789";

impl dyn Random + '_ {
    pub fn bytes<const N: usize>(&self) -> Result<[u8; N]> {
        let mut buf = [0u8; N];
        self.fill(&mut buf)?;
        Ok(buf)
    }

    /// `len` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
    pub fn string_from(&self, alphabet: &[u8], len: usize) -> Result<String> {
        let limit = 256 - (256 % alphabet.len());
        let mut out = String::with_capacity(len);
        while out.len() < len {
            for b in self.bytes::<64>()? {
                if (b as usize) < limit && out.len() < len {
                    out.push(alphabet[b as usize % alphabet.len()] as char);
                }
            }
        }
        Ok(out)
    }

    /// `us-east-1_AbCdEf123`
    pub fn user_pool_id(&self, region: &str) -> Result<String> {
        Ok(format!("{region}_{}", self.string_from(ALNUM, 9)?))
    }

    /// 26 lowercase alphanumerics, like Cognito app client ids.
    pub fn client_id(&self) -> Result<String> {
        self.string_from(LOWER_ALNUM, 26)
    }

    /// 51 lowercase alphanumerics (about 263 bits), like Cognito client secrets.
    pub fn client_secret(&self) -> Result<String> {
        self.string_from(LOWER_ALNUM, 51)
    }

    /// A random (version 4) UUID, used for `sub`, token ids and event ids.
    pub fn uuid(&self) -> Result<String> {
        Ok(uuid::Builder::from_random_bytes(self.bytes::<16>()?).into_uuid().to_string())
    }

    /// A 6-digit one-time code.
    pub fn code(&self) -> Result<String> {
        self.string_from(DIGITS, 6)
    }

    /// Opaque token material: 48 random bytes, base64url.
    pub fn token(&self) -> Result<String> {
        use base64::Engine;
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.bytes::<48>()?))
    }

    /// A temporary password that satisfies any policy Cognito allows (every character class).
    pub fn temporary_password(&self, min_length: usize) -> Result<String> {
        let len = min_length.max(12);
        let mut s = self.string_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 1)?;
        s.push_str(&self.string_from(b"abcdefghijkmnopqrstuvwxyz", 1)?);
        s.push_str(&self.string_from(DIGITS, 1)?);
        s.push_str(&self.string_from(b"^$*.[]{}()?-!@#%&", 1)?);
        s.push_str(&self.string_from(ALNUM, len - 4)?);
        Ok(s)
    }

    /// AWS-style access key id (`AKIA` + 16 uppercase alphanumerics) and a 40-character secret.
    pub fn access_key(&self) -> Result<(String, String)> {
        let id = format!("AKIA{}", self.string_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)?);
        let secret = self.string_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)?;
        Ok((id, secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYSTEM: &dyn Random = &SystemRandom;

    #[test]
    fn identifiers_have_aws_shapes() {
        let id = SYSTEM.user_pool_id("us-east-1").unwrap();
        assert!(id.starts_with("us-east-1_") && id.len() == 19, "{id}");
        let c = SYSTEM.client_id().unwrap();
        assert_eq!(c.len(), 26);
        assert!(c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_eq!(SYSTEM.code().unwrap().len(), 6);
        let (k, s) = SYSTEM.access_key().unwrap();
        assert!(k.starts_with("AKIA") && k.len() == 20 && s.len() == 40);
        assert_ne!(SYSTEM.client_secret().unwrap(), SYSTEM.client_secret().unwrap());
    }

    /// Gives the same bytes over and over.
    struct Repeating(&'static [u8]);

    impl Random for Repeating {
        fn fill(&self, buf: &mut [u8]) -> Result<()> {
            for (b, r) in buf.iter_mut().zip(self.0.iter().cycle()) {
                *b = *r;
            }
            Ok(())
        }
    }

    #[test]
    fn bytes_past_the_last_whole_alphabet_are_rejected_not_folded() {
        // 10 digits: 250..=255 would favour 0-5 if taken modulo 10, so they are skipped.
        let source: &dyn Random = &Repeating(&[250, 255, 7, 13, 249, 0]);
        assert_eq!(source.code().unwrap(), "739073");
        assert_eq!(source.string_from(b"ab", 4).unwrap(), "abbb", "256 divides evenly by 2: nothing is rejected");
    }

    #[test]
    fn temporary_passwords_contain_every_class() {
        let p = SYSTEM.temporary_password(8).unwrap();
        assert!(p.len() >= 12);
        assert!(p.chars().any(|c| c.is_ascii_uppercase()));
        assert!(p.chars().any(|c| c.is_ascii_lowercase()));
        assert!(p.chars().any(|c| c.is_ascii_digit()));
        assert!(p.chars().any(|c| !c.is_ascii_alphanumeric()));
    }
}
