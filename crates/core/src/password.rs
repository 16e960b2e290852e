//! Passwords: the pool's policy, and argon2id hashing with bounded concurrency.
//!
//! Parameters have a floor (RFC 9106 / OWASP: m = 19 MiB, t = 2, p = 1). Each hash holds its
//! memory and a core for ~20 ms, so at most one per core (and never more than
//! [`Hasher::MAX_CONCURRENT`]) runs at once: a burst of sign-ins queues instead of exhausting
//! memory. Unknown users are checked against a dummy hash so the time an answer takes does not
//! reveal whether the user exists.

use std::sync::{Condvar, Mutex};

use argon2::{Algorithm, Argon2, Block, Params, Version};
use aws_lc_rs::constant_time;
use base64::Engine as _;
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
    params: Params,
    dummy_hash: String,
    running: Mutex<Running>,
    slot_freed: Condvar,
    max_concurrent: usize,
}

/// The hashes in progress and the idle working memories (argon2's blocks, 19 MiB each at the
/// floor). A memory is reused by the next hash, so there are never more than one per slot,
/// and hashing pays no 19 MiB allocation and page faults each time.
#[derive(Default)]
struct Running {
    count: usize,
    idle: Vec<Vec<Block>>,
}

impl Hasher {
    pub const MAX_CONCURRENT: usize = 4;

    pub fn new(params: HashParams) -> Result<Self> {
        let p = params.at_least_floor();
        let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)
            .map_err(|e| Error::internal(anyhow::anyhow!("argon2 parameters: {e}")))?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let max_concurrent = cores.clamp(1, Self::MAX_CONCURRENT);
        // A PHC string with these parameters, a random salt and a random "hash": checking a
        // password against it costs exactly what a real check costs and never matches, and
        // making it costs no hashing (nor 19 MiB) at startup.
        let dummy_hash = phc(&params, &random::bytes::<16>()?, &random::bytes::<32>()?);
        Ok(Hasher { params, dummy_hash, running: Mutex::new(Running::default()), slot_freed: Condvar::new(), max_concurrent })
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
    pub fn hash(&self, password: &str) -> Result<String> {
        let salt = random::bytes::<16>()?;
        let mut out = [0u8; 32];
        self.compute(&self.params, password, &salt, &mut out).map_err(|e| Error::internal(anyhow::anyhow!("hashing a password: {e}")))?;
        Ok(phc(&self.params, &salt, &out))
    }

    /// Checks a password against a stored hash (argon2id, with the parameters it was made
    /// with), comparing in constant time. A malformed stored hash counts as a mismatch (and is
    /// logged): it must never let anyone in.
    pub fn verify(&self, password: &str, stored: &str) -> bool {
        let checked = (|| -> std::result::Result<bool, String> {
            let parsed = argon2::PasswordHash::new(stored).map_err(|e| e.to_string())?;
            if parsed.algorithm.as_str() != "argon2id" || parsed.version.is_some_and(|v| v != u32::from(Version::V0x13)) {
                return Err("not argon2id v19".into());
            }
            let params = Params::try_from(&parsed).map_err(|e| e.to_string())?;
            let expected = parsed.hash.ok_or("no hash")?;
            let salt = parsed.salt.ok_or("no salt")?;
            let mut out = vec![0u8; expected.len()];
            self.compute(&params, password, salt.as_ref(), &mut out).map_err(|e| e.to_string())?;
            Ok(constant_time::verify_slices_are_equal(&out, expected.as_bytes()).is_ok())
        })();
        checked.unwrap_or_else(|e| {
            tracing::error!("a stored password hash is malformed: {e}");
            false
        })
    }

    /// Spends the same work as [`Hasher::verify`] for a user that does not exist.
    pub fn verify_dummy(&self, password: &str) {
        let _ = self.verify(password, &self.dummy_hash.clone());
    }

    /// argon2id of `password` into `out`, in a free slot's working memory.
    fn compute(&self, params: &Params, password: &str, salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
        let mut slot = self.slot();
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let blocks = params.block_count();
        if slot.memory.len() != blocks {
            // First use of this slot, or a hash stored under other parameters.
            slot.memory = vec![Block::default(); blocks];
        }
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, &mut slot.memory[..])
    }

    fn slot(&self) -> Slot<'_> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        while running.count >= self.max_concurrent {
            running = self.slot_freed.wait(running).unwrap_or_else(|p| p.into_inner());
        }
        running.count += 1;
        let memory = running.idle.pop().unwrap_or_default();
        Slot { hasher: self, memory }
    }
}

/// The PHC string argon2's own encoder writes.
fn phc(params: &Params, salt: &[u8], hash: &[u8]) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes);
    format!("$argon2id$v=19$m={},t={},p={}${}${}", params.m_cost(), params.t_cost(), params.p_cost(), b64(salt), b64(hash))
}

struct Slot<'a> {
    hasher: &'a Hasher,
    memory: Vec<Block>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut running = self.hasher.running.lock().unwrap_or_else(|p| p.into_inner());
        running.count -= 1;
        if self.memory.len() == self.hasher.params.block_count() {
            running.idle.push(std::mem::take(&mut self.memory));
        }
        self.hasher.slot_freed.notify_one();
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
    fn hashes_are_argon2s_own_phc_strings_both_ways() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = Hasher::new(HashParams::FLOOR).unwrap();
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, hasher.params.clone());
        // Stored by an earlier PoolDesk (argon2's encoder), checked by the pooled hasher...
        let theirs = reference.hash_password_with_salt(b"correct horse", b"0123456789abcdef").unwrap().to_string();
        assert!(hasher.verify("correct horse", &theirs));
        assert!(!hasher.verify("correct horsf", &theirs));
        // ...and the other way round.
        let ours = hasher.hash("correct horse").unwrap();
        assert!(reference.verify_password(b"correct horse", &argon2::PasswordHash::new(&ours).unwrap()).is_ok());
        // Reused working memory gives the same answers.
        for _ in 0..3 {
            assert!(hasher.verify("correct horse", &ours));
        }
        assert!(!hasher.verify("correct horse", "$argon2i$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAA"));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_check_costs() {
        // A dummy that failed to parse would be refused at once, and the time would tell.
        let hasher = Hasher::new(HashParams { memory_kib: 20 * 1024, iterations: 3, parallelism: 1 }).unwrap();
        let parsed = argon2::PasswordHash::new(&hasher.dummy_hash).unwrap();
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!((params.m_cost(), params.t_cost(), params.p_cost()), (20 * 1024, 3, 1));
        assert_eq!(parsed.hash.map(|h| h.len()), Some(32));
        assert!(!hasher.verify("anything", &hasher.dummy_hash.clone()));
    }

    #[test]
    fn parameters_below_the_floor_are_raised() {
        let weak = HashParams { memory_kib: 1024, iterations: 1, parallelism: 1 };
        assert_eq!(weak.at_least_floor(), HashParams::FLOOR);
    }
}
