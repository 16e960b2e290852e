//! JSON Web Tokens: per-pool signing keys (RS256 as Cognito's, or ES256), the JWKS they
//! publish, and checking the access tokens clients present.
//!
//! Signing uses aws-lc directly on a key parsed once and cached, so issuing tokens costs one
//! signature and nothing more; verification goes through `jsonwebtoken`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::random::{Random, SystemRandom};
use crate::store::SigningKey;

/// How a pool signs its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningAlgorithm {
    /// RSA 2048, as Cognito signs: what every client and library expects.
    #[default]
    Rs256,
    /// ECDSA P-256: signing is about 15 times cheaper, so sign-ins and refreshes are too.
    Es256,
}

/// The user pool tag that chooses the algorithm when a pool is created (Cognito's API has no
/// field for it): `RS256` (the default) or `ES256`.
pub const SIGNING_ALGORITHM_TAG: &str = "pooldesk:token-signing-algorithm";

impl SigningAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            SigningAlgorithm::Rs256 => "RS256",
            SigningAlgorithm::Es256 => "ES256",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [SigningAlgorithm::Rs256, SigningAlgorithm::Es256].into_iter().find(|a| a.name() == name)
    }

    fn jsonwebtoken(self) -> jsonwebtoken::Algorithm {
        match self {
            SigningAlgorithm::Rs256 => jsonwebtoken::Algorithm::RS256,
            SigningAlgorithm::Es256 => jsonwebtoken::Algorithm::ES256,
        }
    }
}

/// Generates a 2048-bit RSA key for a pool, its kid drawn from the system source (for tests
/// and tools; the operations use [`generate_key_for`] with their own).
pub fn generate_key(pool_id: &str, now_ms: i64) -> Result<SigningKey> {
    generate_key_for(&SystemRandom, pool_id, now_ms, SigningAlgorithm::Rs256)
}

/// Generates a pool's signing key for `alg`.
pub fn generate_key_for(random: &dyn Random, pool_id: &str, now_ms: i64, alg: SigningAlgorithm) -> Result<SigningKey> {
    let failed = |what: &str| Error::internal(anyhow::anyhow!("{what} failed"));
    let private_der = match alg {
        SigningAlgorithm::Rs256 => {
            let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| failed("RSA key generation"))?;
            pair.as_der().map_err(|_| failed("encoding an RSA key"))?.as_ref().to_vec()
        }
        SigningAlgorithm::Es256 => {
            let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(|_| failed("EC key generation"))?;
            pair.to_pkcs8v1().map_err(|_| failed("encoding an EC key"))?.as_ref().to_vec()
        }
    };
    Ok(SigningKey {
        // Cognito's kids are base64 of 32 bytes.
        kid: STANDARD.encode(random.bytes::<32>()?),
        pool_id: pool_id.to_owned(),
        alg: alg.name().to_owned(),
        private_der,
        created_ms: now_ms,
    })
}

enum Pair {
    Rsa(KeyPair),
    Ec(EcdsaKeyPair),
}

/// A parsed signing key, ready to sign.
pub struct Signer {
    kid: String,
    alg: SigningAlgorithm,
    pair: Pair,
    header_b64: String,
}

impl Signer {
    pub fn new(key: &SigningKey) -> Result<Self> {
        let unreadable = |e: &dyn std::fmt::Display| Error::internal(anyhow::anyhow!("a stored signing key is unreadable: {e}"));
        let alg = SigningAlgorithm::parse(&key.alg).ok_or_else(|| unreadable(&format!("unknown algorithm {}", key.alg)))?;
        let pair = match alg {
            SigningAlgorithm::Rs256 => Pair::Rsa(KeyPair::from_pkcs8(&key.private_der).map_err(|e| unreadable(&e))?),
            SigningAlgorithm::Es256 => {
                Pair::Ec(EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &key.private_der).map_err(|e| unreadable(&e))?)
            }
        };
        let header = json!({"kid": key.kid, "alg": alg.name()});
        Ok(Signer { kid: key.kid.clone(), alg, pair, header_b64: URL_SAFE_NO_PAD.encode(header.to_string()) })
    }

    pub fn algorithm(&self) -> SigningAlgorithm {
        self.alg
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `header.claims.signature`.
    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String> {
        let payload = serde_json::to_vec(claims).map_err(Error::internal)?;
        let mut token = String::with_capacity(self.header_b64.len() + payload.len() * 4 / 3 + 350);
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        // Signing's own randomness (ECDSA's nonce) is always the system's: no test pins it, and a
        // nonce that repeats would give the key away.
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let failed = || Error::internal(anyhow::anyhow!("{} signing failed", self.alg.name()));
        let sig = match &self.pair {
            Pair::Rsa(pair) => {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(&signature::RSA_PKCS1_SHA256, &rng, token.as_bytes(), &mut sig).map_err(|_| failed())?;
                sig
            }
            // FIXED: r || s, 32 bytes each, as JWS wants (not ASN.1).
            Pair::Ec(pair) => pair.sign(&rng, token.as_bytes()).map_err(|_| failed())?.as_ref().to_vec(),
        };
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&sig, &mut token);
        Ok(token)
    }

    /// The public half as a JWK, as Cognito publishes it (RFC 7518 for an EC key).
    pub fn jwk(&self) -> Value {
        match &self.pair {
            Pair::Rsa(pair) => {
                let public = pair.public_key();
                let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
                let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
                json!({"alg": "RS256", "e": e, "kid": self.kid, "kty": "RSA", "n": n, "use": "sig"})
            }
            Pair::Ec(pair) => {
                // The uncompressed point: 0x04, then x and y, 32 bytes each.
                let point = pair.public_key().as_ref();
                let (x, y) = point.get(1..).unwrap_or_default().split_at(point.len().saturating_sub(1) / 2);
                let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
                json!({"alg": "ES256", "crv": "P-256", "kid": self.kid, "kty": "EC", "use": "sig", "x": x, "y": y})
            }
        }
    }

    fn decoding_key(&self) -> jsonwebtoken::DecodingKey {
        match &self.pair {
            Pair::Rsa(pair) => jsonwebtoken::DecodingKey::from_rsa_der(pair.public_key().as_ref()),
            // jsonwebtoken hands these bytes to aws-lc, which takes the uncompressed point.
            Pair::Ec(pair) => jsonwebtoken::DecodingKey::from_ec_der(pair.public_key().as_ref()),
        }
    }
}

/// Parsed signing keys by kid. Keys never change once made, so entries never go stale.
#[derive(Default)]
pub struct SignerCache(RwLock<HashMap<String, Arc<Signer>>>);

impl SignerCache {
    pub fn get(&self, key: &SigningKey) -> Result<Arc<Signer>> {
        if let Some(s) = self.0.read().unwrap_or_else(|p| p.into_inner()).get(&key.kid) {
            return Ok(s.clone());
        }
        let signer = Arc::new(Signer::new(key)?);
        self.0.write().unwrap_or_else(|p| p.into_inner()).insert(key.kid.clone(), signer.clone());
        Ok(signer)
    }
}

/// Verifies a token's signature with one of `signers` (by kid), its issuer and its expiry,
/// and that it is the expected `token_use`. Any failure is NotAuthorized, as Cognito answers.
pub fn verify(token: &str, signers: &[Arc<Signer>], issuer: &str, token_use: &str, now_secs: i64) -> Result<Map<String, Value>> {
    let invalid = || Error::NotAuthorized(format!("Invalid {token_use} token"));
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
    let kid = header.kid.ok_or_else(invalid)?;
    let signer = signers.iter().find(|s| s.kid == kid).ok_or_else(invalid)?;
    // The key's algorithm, never the header's: a token cannot choose how it is checked.
    let mut validation = jsonwebtoken::Validation::new(signer.alg.jsonwebtoken());
    validation.validate_aud = false;
    // Issuer, use and expiry are checked by `check_claims`, against the injected clock.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "iss"]);
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, &signer.decoding_key(), &validation).map_err(|_| invalid())?;
    check_claims(&data.claims, issuer, token_use, now_secs)?;
    Ok(data.claims)
}

/// Checks what a good signature does not vouch for on its own: the issuer, the `token_use`,
/// and the expiry (against `now_secs`).
pub fn check_claims(claims: &Map<String, Value>, issuer: &str, token_use: &str, now_secs: i64) -> Result<()> {
    let invalid = || Error::NotAuthorized(format!("Invalid {token_use} token"));
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) || claims.get("token_use").and_then(Value::as_str) != Some(token_use) {
        return Err(invalid());
    }
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or_else(invalid)?;
    if exp <= now_secs {
        return Err(Error::NotAuthorized(format!("{} token has expired", capitalize(token_use))));
    }
    Ok(())
}

/// A token's claims.
pub type Claims = Map<String, Value>;

/// The claims of tokens whose signature verified, by the token's SHA-256. A client presents
/// the same access or ID token on every call until it expires, and an RS256 check costs
/// ~30 µs plus a query for the pool's keys; hashing the token costs ~1 µs. Only the signature
/// is remembered: `check_claims` runs on every use, and revocation is the caller's check.
/// Signing keys are never removed, so a remembered signature never goes bad.
#[derive(Default)]
pub struct VerifiedTokens(Mutex<HashMap<[u8; 32], Arc<Claims>>>);

impl VerifiedTokens {
    /// At most this many are remembered (a few MiB): past it, the expired ones are dropped,
    /// or all of them if none has expired.
    const CAPACITY: usize = 4096;

    pub fn get(&self, token: &str) -> Option<Arc<Claims>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(&token_digest(token)).cloned()
    }

    pub fn remember(&self, token: &str, claims: Arc<Claims>, now_secs: i64) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= Self::CAPACITY {
            map.retain(|_, c| c.get("exp").and_then(Value::as_i64).is_some_and(|exp| exp > now_secs));
            if map.len() >= Self::CAPACITY {
                map.clear();
            }
        }
        map.insert(token_digest(token), claims);
    }
}

fn token_digest(token: &str) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// SHA-256, hex: how refresh tokens and codes are stored.
pub fn sha256_hex(data: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_tokens_verify_and_tampering_is_refused() {
        let key = generate_key("us-east-1_test", 0).unwrap();
        let signer = Arc::new(Signer::new(&key).unwrap());
        let mut claims = Map::new();
        claims.insert("iss".into(), json!("http://x/us-east-1_test"));
        claims.insert("token_use".into(), json!("access"));
        claims.insert("exp".into(), json!(2000));
        let token = signer.sign(&claims).unwrap();
        let got = verify(&token, std::slice::from_ref(&signer), "http://x/us-east-1_test", "access", 1000).unwrap();
        assert_eq!(got["exp"], json!(2000));

        assert!(verify(&token, std::slice::from_ref(&signer), "http://x/other", "access", 1000).is_err(), "issuer is checked");
        assert!(verify(&token, std::slice::from_ref(&signer), "http://x/us-east-1_test", "id", 1000).is_err(), "token_use is checked");
        match verify(&token, std::slice::from_ref(&signer), "http://x/us-east-1_test", "access", 2000) {
            Err(Error::NotAuthorized(m)) => assert_eq!(m, "Access token has expired"),
            other => panic!("{other:?}"),
        }
        let mut tampered = token.clone().into_bytes();
        let mid = token.find('.').unwrap() + 5;
        tampered[mid] = if tampered[mid] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(verify(&tampered, std::slice::from_ref(&signer), "http://x/us-east-1_test", "access", 1000).is_err());

        let other = Arc::new(Signer::new(&generate_key("p2", 0).unwrap()).unwrap());
        assert!(verify(&token, &[other], "http://x/us-east-1_test", "access", 1000).is_err(), "another pool's key");
    }

    fn claims(exp: i64) -> Arc<Claims> {
        Arc::new(json!({ "iss": "http://x/p", "token_use": "access", "exp": exp }).as_object().unwrap().clone())
    }

    #[test]
    fn remembered_signatures_are_found_by_the_exact_token_and_claims_are_still_checked() {
        let verified = VerifiedTokens::default();
        verified.remember("a.b.c", claims(2000), 1000);
        let got = verified.get("a.b.c").expect("remembered");
        assert!(check_claims(&got, "http://x/p", "access", 1000).is_ok());
        assert!(check_claims(&got, "http://x/p", "access", 2000).is_err(), "expiry is checked on every use");
        assert!(check_claims(&got, "http://x/other", "access", 1000).is_err(), "issuer too");
        assert!(check_claims(&got, "http://x/p", "id", 1000).is_err(), "and use");
        assert!(verified.get("a.b.d").is_none(), "another token (a tampered one) is not found");
    }

    #[test]
    fn remembered_signatures_are_bounded_and_expired_ones_go_first() {
        let verified = VerifiedTokens::default();
        verified.remember("live", claims(5000), 1000);
        for i in 1..VerifiedTokens::CAPACITY {
            verified.remember(&format!("expired-{i}"), claims(1500), 1000);
        }
        verified.remember("new", claims(5000), 2000);
        assert!(verified.get("live").is_some() && verified.get("new").is_some());
        assert!(verified.get("expired-1").is_none());
        assert_eq!(verified.0.lock().unwrap().len(), 2);
    }

    #[test]
    fn jwk_has_the_rsa_public_parts() {
        let signer = Signer::new(&generate_key("p", 0).unwrap()).unwrap();
        let jwk = signer.jwk();
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap().len(), 256);
    }

    fn access_claims() -> Map<String, Value> {
        json!({ "iss": "http://x/p", "token_use": "access", "exp": 2000 }).as_object().unwrap().clone()
    }

    #[test]
    fn es256_keys_sign_tokens_that_verify_against_their_published_jwk() {
        let key = generate_key_for(&SystemRandom, "p", 0, SigningAlgorithm::Es256).unwrap();
        assert_eq!(key.alg, "ES256");
        let signer = Arc::new(Signer::new(&key).unwrap());
        let token = signer.sign(&access_claims()).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!((header.alg, header.kid.as_deref()), (jsonwebtoken::Algorithm::ES256, Some(key.kid.as_str())));
        assert_eq!(URL_SAFE_NO_PAD.decode(token.rsplit('.').next().unwrap()).unwrap().len(), 64, "r || s, as JWS wants");
        assert!(verify(&token, std::slice::from_ref(&signer), "http://x/p", "access", 1000).is_ok());

        // Anyone can check it with the JWK alone, as a client library does.
        let jwk = signer.jwk();
        assert_eq!((&jwk["kty"], &jwk["crv"], &jwk["alg"], &jwk["use"]), (&json!("EC"), &json!("P-256"), &json!("ES256"), &json!("sig")));
        let decoding = jsonwebtoken::DecodingKey::from_ec_components(jwk["x"].as_str().unwrap(), jwk["y"].as_str().unwrap()).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.validate_exp = false;
        assert!(jsonwebtoken::decode::<Map<String, Value>>(&token, &decoding, &validation).is_ok());

        let other = Arc::new(Signer::new(&generate_key_for(&SystemRandom, "p", 0, SigningAlgorithm::Es256).unwrap()).unwrap());
        let forged = format!("{}.{}", token.rsplit_once('.').unwrap().0, other.sign(&access_claims()).unwrap().rsplit('.').next().unwrap());
        assert!(verify(&forged, std::slice::from_ref(&signer), "http://x/p", "access", 1000).is_err(), "another key's signature");
    }

    #[test]
    fn a_token_cannot_choose_the_algorithm_it_is_checked_with() {
        let rsa = Arc::new(Signer::new(&generate_key("p", 0).unwrap()).unwrap());
        let ec = Arc::new(Signer::new(&generate_key_for(&SystemRandom, "p", 0, SigningAlgorithm::Es256).unwrap()).unwrap());
        // A token signed by the EC key, relabelled with the RSA key's kid: checked as RS256, refused.
        let token = ec.sign(&access_claims()).unwrap();
        let (_, rest) = token.split_once('.').unwrap();
        let header = URL_SAFE_NO_PAD.encode(json!({"kid": rsa.kid(), "alg": "ES256"}).to_string());
        let relabelled = format!("{header}.{rest}");
        assert!(verify(&relabelled, &[rsa.clone(), ec.clone()], "http://x/p", "access", 1000).is_err());
        let header = URL_SAFE_NO_PAD.encode(json!({"kid": ec.kid(), "alg": "RS256"}).to_string());
        assert!(
            verify(&format!("{header}.{rest}"), &[rsa, ec], "http://x/p", "access", 1000).is_err(),
            "nor with its own kid and another alg"
        );
    }

    #[test]
    fn algorithm_names_are_jws_names() {
        assert_eq!(SigningAlgorithm::parse("ES256"), Some(SigningAlgorithm::Es256));
        assert_eq!(SigningAlgorithm::parse("RS256"), Some(SigningAlgorithm::Rs256));
        assert_eq!(SigningAlgorithm::parse("es256"), None);
        assert_eq!(SigningAlgorithm::parse("HS256"), None);
        let mut key = generate_key("p", 0).unwrap();
        key.alg = "HS256".into();
        assert!(Signer::new(&key).is_err(), "a stored key of an unknown algorithm is refused, not guessed");
    }
}
