//! Temporary AWS credentials for identity-pool identities.
//!
//! The session token is sealed (AES-256-GCM) under a server key and carries the identity, role,
//! principal tags and expiry, so any PoolDesk node holding the key can check a SigV4 request
//! signed with the credentials. The secret key is not in the token at all: it is derived from
//! the access key id with a second server key (HMAC), so the token alone grants nothing.

use std::collections::BTreeMap;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::random::Random;

const TOKEN_PREFIX: &str = "PD1.";
const AAD: &[u8] = b"pooldesk session token v1";

/// What a session token vouches for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionClaims {
    pub access_key_id: String,
    /// The admin access key these credentials stand in for (STS GetSessionToken); the
    /// identity and role are then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_key: Option<String>,
    pub identity_id: String,
    pub role_arn: String,
    pub session_name: String,
    pub tags: BTreeMap<String, String>,
    pub expires_ms: i64,
}

/// A set of temporary credentials as handed to the client.
pub struct TemporaryCredentials {
    pub access_key_id: String,
    pub secret_key: String,
    pub session_token: String,
    pub expires_ms: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CredentialError {
    /// Not a token this server sealed, tampered with, or for another access key.
    Invalid,
    Expired,
}

pub struct CredentialsKey {
    seal: LessSafeKey,
    derive: hmac::Key,
}

impl CredentialsKey {
    /// From 64 bytes of server secret: the first half seals tokens, the second derives secrets.
    pub fn new(secret: &[u8]) -> Result<Self> {
        if secret.len() != 64 {
            return Err(Error::internal(anyhow::anyhow!("the credentials key must be 64 bytes")));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, &secret[..32])
            .map_err(|_| Error::internal(anyhow::anyhow!("the credentials key is unusable")))?;
        Ok(CredentialsKey { seal: LessSafeKey::new(unbound), derive: hmac::Key::new(hmac::HMAC_SHA256, &secret[32..]) })
    }

    fn secret_for(&self, access_key_id: &str) -> String {
        let tag = hmac::sign(&self.derive, access_key_id.as_bytes());
        // 40 characters like an AWS secret access key.
        base64::engine::general_purpose::STANDARD.encode(tag.as_ref()).chars().take(40).collect()
    }

    /// New credentials for `claims` (its access key id is filled in here).
    pub fn issue(&self, random: &dyn Random, mut claims: SessionClaims) -> Result<TemporaryCredentials> {
        claims.access_key_id = format!("ASIA{}", random.string_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)?);
        let mut data = serde_json::to_vec(&claims).map_err(Error::internal)?;
        let nonce_bytes = random.bytes::<NONCE_LEN>()?;
        self.seal
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce_bytes), Aad::from(AAD), &mut data)
            .map_err(|_| Error::internal(anyhow::anyhow!("sealing a session token failed")))?;
        let mut sealed = nonce_bytes.to_vec();
        sealed.extend_from_slice(&data);
        Ok(TemporaryCredentials {
            secret_key: self.secret_for(&claims.access_key_id),
            session_token: format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)),
            expires_ms: claims.expires_ms,
            access_key_id: claims.access_key_id,
        })
    }

    /// Opens a session token presented with `access_key_id`; returns what it vouches for and
    /// the secret key the request must have been signed with.
    pub fn open(
        &self,
        access_key_id: &str,
        session_token: &str,
        now_ms: i64,
    ) -> std::result::Result<(SessionClaims, String), CredentialError> {
        let body = session_token.strip_prefix(TOKEN_PREFIX).ok_or(CredentialError::Invalid)?;
        let mut sealed = URL_SAFE_NO_PAD.decode(body).map_err(|_| CredentialError::Invalid)?;
        if sealed.len() < NONCE_LEN {
            return Err(CredentialError::Invalid);
        }
        let mut data = sealed.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&sealed).map_err(|_| CredentialError::Invalid)?;
        let plain = self.seal.open_in_place(nonce, Aad::from(AAD), &mut data).map_err(|_| CredentialError::Invalid)?;
        let claims: SessionClaims = serde_json::from_slice(plain).map_err(|_| CredentialError::Invalid)?;
        if aws_lc_rs::constant_time::verify_slices_are_equal(claims.access_key_id.as_bytes(), access_key_id.as_bytes()).is_err() {
            return Err(CredentialError::Invalid);
        }
        if claims.expires_ms <= now_ms {
            return Err(CredentialError::Expired);
        }
        let secret = self.secret_for(&claims.access_key_id);
        Ok((claims, secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> SessionClaims {
        SessionClaims {
            access_key_id: String::new(),
            admin_key: None,
            identity_id: "us-east-1:abc".into(),
            role_arn: "arn:aws:iam::000000000000:role/Auth".into(),
            session_name: "CognitoIdentityCredentials".into(),
            tags: BTreeMap::from([("team".into(), "blue".into())]),
            expires_ms: 10_000,
        }
    }

    #[test]
    fn issued_credentials_open_with_their_key_id_and_secret() {
        let key = CredentialsKey::new(&[7u8; 64]).unwrap();
        let creds = key.issue(&crate::random::SystemRandom, claims()).unwrap();
        assert!(creds.access_key_id.starts_with("ASIA") && creds.access_key_id.len() == 20);
        assert_eq!(creds.secret_key.len(), 40);
        let (opened, secret) = key.open(&creds.access_key_id, &creds.session_token, 5_000).unwrap();
        assert_eq!(secret, creds.secret_key);
        assert_eq!(opened.role_arn, "arn:aws:iam::000000000000:role/Auth");
        assert_eq!(opened.tags["team"], "blue");
    }

    #[test]
    fn tampered_foreign_mismatched_and_expired_tokens_are_refused() {
        let key = CredentialsKey::new(&[7u8; 64]).unwrap();
        let creds = key.issue(&crate::random::SystemRandom, claims()).unwrap();
        let mut bytes = creds.session_token.clone().into_bytes();
        let i = bytes.len() / 2;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert_eq!(key.open(&creds.access_key_id, &tampered, 5_000).unwrap_err(), CredentialError::Invalid);
        assert_eq!(key.open("ASIAOTHER00000000000", &creds.session_token, 5_000).unwrap_err(), CredentialError::Invalid);
        let other = CredentialsKey::new(&[8u8; 64]).unwrap();
        assert_eq!(other.open(&creds.access_key_id, &creds.session_token, 5_000).unwrap_err(), CredentialError::Invalid);
        assert_eq!(key.open(&creds.access_key_id, &creds.session_token, 10_000).unwrap_err(), CredentialError::Expired);
        assert_eq!(key.open(&creds.access_key_id, "garbage", 0).unwrap_err(), CredentialError::Invalid);
    }
}
