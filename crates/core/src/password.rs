//! Passwords: the pool's policy, and argon2id hashing with bounded concurrency.
//!
//! Parameters have a floor (RFC 9106 / OWASP: m = 19 MiB, t = 2, p = 1). Each hash holds its
//! memory for ~20 ms, so at most [`Hasher::MAX_CONCURRENT`] run at once; a burst of sign-ins
//! queues instead of exhausting memory. Unknown users are checked against a dummy hash so
//! the time an answer takes does not reveal whether the user exists.

use std::sync::{Condvar, Mutex};

use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use pooldesk_wire::cognito_idp::PasswordPolicyType;

use crate::error::{Error, Result};
use crate::random;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl HashParams {
    pub const FLOOR: HashParams = HashParams { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };

    /// Raises any parameter below the floor to it.
    pub fn at_least_floor(self) -> Self {
        HashParams {
            memory_kib: self.memory_kib.max(Self::FLOOR.memory_kib),
            iterations: self.iterations.max(Self::FLOOR.iterations),
            parallelism: self.parallelism.max(Self::FLOOR.parallelism),
        }
    }
}

impl Default for HashParams {
    fn default() -> Self {
        Self::FLOOR
    }
}

pub struct Hasher {
    argon2: Argon2<'static>,
    dummy_hash: String,
    running: Mutex<usize>,
    slot_freed: Condvar,
}

impl Hasher {
    pub const MAX_CONCURRENT: usize = 4;

    pub fn new(params: HashParams) -> Result<Self> {
        let p = params.at_least_floor();
        let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)
            .map_err(|e| Error::internal(anyhow::anyhow!("argon2 parameters: {e}")))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut hasher = Hasher { argon2, dummy_hash: String::new(), running: Mutex::new(0), slot_freed: Condvar::new() };
        hasher.dummy_hash = hasher.hash(&random::token()?)?;
        Ok(hasher)
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
    pub fn hash(&self, password: &str) -> Result<String> {
        let salt = random::bytes::<16>()?;
        let _slot = self.slot();
        let hash = self
            .argon2
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map_err(|e| Error::internal(anyhow::anyhow!("hashing a password: {e}")))?;
        Ok(hash.to_string())
    }

    /// Checks a password against a stored hash, in constant time for the comparison. A
    /// malformed stored hash counts as a mismatch (and is logged): it must never let anyone in.
    pub fn verify(&self, password: &str, stored: &str) -> bool {
        let _slot = self.slot();
        match argon2::PasswordHash::new(stored) {
            Ok(parsed) => self.argon2.verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(e) => {
                tracing::error!("a stored password hash is malformed: {e}");
                false
            }
        }
    }

    /// Spends the same work as [`Hasher::verify`] for a user that does not exist.
    pub fn verify_dummy(&self, password: &str) {
        let _ = self.verify(password, &self.dummy_hash.clone());
    }

    fn slot(&self) -> Slot<'_> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        while *running >= Self::MAX_CONCURRENT {
            running = self.slot_freed.wait(running).unwrap_or_else(|p| p.into_inner());
        }
        *running += 1;
        Slot(self)
    }
}

struct Slot<'a>(&'a Hasher);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut running = self.0.running.lock().unwrap_or_else(|p| p.into_inner());
        *running -= 1;
        self.0.slot_freed.notify_one();
    }
}

/// The characters Cognito counts as symbols.
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// The policy Cognito applies when a pool is created without one.
pub fn default_policy() -> PasswordPolicyType {
    PasswordPolicyType {
        minimum_length: Some(8),
        require_uppercase: Some(true),
        require_lowercase: Some(true),
        require_numbers: Some(true),
        require_symbols: Some(true),
        temporary_password_validity_days: Some(7),
        ..Default::default()
    }
}

/// Checks a new password against the pool's policy, naming the first rule it breaks as
/// Cognito does ("Password did not conform with policy: Password must have numeric characters").
pub fn check_policy(policy: &PasswordPolicyType, password: &str) -> Result<()> {
    let fail = |why: &str| Err(Error::InvalidPassword(format!("Password did not conform with policy: {why}")));
    let min = policy.minimum_length.unwrap_or(8).max(6) as usize;
    if password.chars().count() < min {
        return fail("Password not long enough");
    }
    if password.starts_with(' ') || password.ends_with(' ') {
        return fail("Password must not begin or end with a space");
    }
    if policy.require_uppercase.unwrap_or(false) && !password.chars().any(|c| c.is_uppercase()) {
        return fail("Password must have uppercase characters");
    }
    if policy.require_lowercase.unwrap_or(false) && !password.chars().any(|c| c.is_lowercase()) {
        return fail("Password must have lowercase characters");
    }
    if policy.require_numbers.unwrap_or(false) && !password.chars().any(|c| c.is_ascii_digit()) {
        return fail("Password must have numeric characters");
    }
    if policy.require_symbols.unwrap_or(false) && !password.chars().any(|c| SYMBOLS.contains(c)) {
        return fail("Password must have symbol characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_the_rule_that_failed() {
        let p = default_policy();
        let cases = [
            ("Short1!", Some("not long enough")),
            ("alllower1!", Some("uppercase")),
            ("ALLUPPER1!", Some("lowercase")),
            ("NoNumbers!", Some("numeric")),
            ("NoSymbols1", Some("symbol")),
            (" Spaced1!x", Some("space")),
            ("Good-Passw0rd", None),
        ];
        for (pw, want) in cases {
            match (check_policy(&p, pw), want) {
                (Ok(()), None) => {}
                (Err(Error::InvalidPassword(m)), Some(w)) => assert!(m.contains(w), "{pw}: {m}"),
                (got, want) => panic!("{pw}: got {got:?}, wanted {want:?}"),
            }
        }
    }

    #[test]
    fn relaxed_policy_accepts_simple_passwords() {
        let p = PasswordPolicyType { minimum_length: Some(6), ..Default::default() };
        assert!(check_policy(&p, "abcdef").is_ok());
        assert!(check_policy(&p, "abcde").is_err());
    }

    #[test]
    fn hashes_verify_and_reject() {
        let h = Hasher::new(HashParams::FLOOR).unwrap();
        let stored = h.hash("Correct-Horse1").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(h.verify("Correct-Horse1", &stored));
        assert!(!h.verify("correct-Horse1", &stored));
        assert!(!h.verify("Correct-Horse1", "not a hash"));
    }

    #[test]
    fn parameters_below_the_floor_are_raised() {
        let weak = HashParams { memory_kib: 1024, iterations: 1, parallelism: 1 };
        assert_eq!(weak.at_least_floor(), HashParams::FLOOR);
    }
}
