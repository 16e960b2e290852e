//! Passwords: the pool's policy, and argon2id hashing with bounded concurrency.
//!
//! Parameters have a floor (RFC 9106 / OWASP: m = 19 MiB, t = 2, p = 1). Each hash holds its
//! memory and a core for ~20 ms, so at most one per core (and never more than
//! [`Hasher::MAX_CONCURRENT`]) runs at once: a burst of sign-ins queues instead of exhausting
//! memory. Unknown users are checked against a dummy hash so the time an answer takes does not
//! reveal whether the user exists.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Block, Params, Version};
use aws_lc_rs::constant_time;
use base64::Engine as _;
use pooldesk_wire::cognito_idp::PasswordPolicyType;

use crate::error::{Error, Result};
use crate::random::Random;

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
    /// Where salts come from.
    random: Arc<dyn Random>,
    shared: Arc<Shared>,
    max_concurrent: usize,
}

/// What the hashing threads and the thread that releases idle memory share.
struct Shared {
    /// [`RELEASE_IDLE_AFTER`], but for tests.
    release_after: Duration,
    running: Mutex<Running>,
    slot_freed: Condvar,
    /// Signalled when a memory goes idle, and when the hasher is dropped.
    memory_idle: Condvar,
}

/// The hashes in progress and the idle working memories (argon2's blocks, 19 MiB each at the
/// floor). A burst of hashes reuses them, so hashing pays no 19 MiB allocation and page faults
/// each time; once no hash has run for [`RELEASE_IDLE_AFTER`] they are given back to the OS.
#[derive(Default)]
struct Running {
    count: usize,
    idle: Vec<Vec<Block>>,
    last_done: Option<Instant>,
    releaser_started: bool,
    closed: bool,
}

/// How long idle working memory is kept for the next hash.
const RELEASE_IDLE_AFTER: Duration = Duration::from_secs(1);

/// Working memory is reserved at least this large (in 1 KiB blocks), beyond what glibc's
/// malloc ever keeps in its heap (its mmap threshold rises to at most 32 MiB): it is then
/// mapped on its own and unmapped when freed, so releasing it really returns it to the OS.
/// Only the blocks a hash uses are ever touched, so the rest costs no memory.
const MIN_MAPPED_BLOCKS: usize = 33 * 1024;

impl Hasher {
    pub const MAX_CONCURRENT: usize = 4;

    pub fn new(params: HashParams, random: Arc<dyn Random>) -> Result<Self> {
        let p = params.at_least_floor();
        let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)
            .map_err(|e| Error::internal(anyhow::anyhow!("argon2 parameters: {e}")))?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let max_concurrent = cores.clamp(1, Self::MAX_CONCURRENT);
        // A PHC string with these parameters, a random salt and a random "hash": checking a
        // password against it costs exactly what a real check costs and never matches, and
        // making it costs no hashing (nor 19 MiB) at startup.
        let dummy_hash = phc(&params, &random.bytes::<16>()?, &random.bytes::<32>()?);
        let shared = Arc::new(Shared {
            release_after: RELEASE_IDLE_AFTER,
            running: Mutex::default(),
            slot_freed: Condvar::new(),
            memory_idle: Condvar::new(),
        });
        Ok(Hasher { params, dummy_hash, random, shared, max_concurrent })
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
    pub fn hash(&self, password: &str) -> Result<String> {
        let salt = self.random.bytes::<16>()?;
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
            slot.memory = Vec::with_capacity(blocks.max(MIN_MAPPED_BLOCKS));
            slot.memory.resize(blocks, Block::default());
        }
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, &mut slot.memory[..])
    }

    fn slot(&self) -> Slot<'_> {
        let mut running = lock(&self.shared.running);
        while running.count >= self.max_concurrent {
            running = self.shared.slot_freed.wait(running).unwrap_or_else(|p| p.into_inner());
        }
        running.count += 1;
        let memory = running.idle.pop().unwrap_or_default();
        Slot { hasher: self, memory }
    }

    #[cfg(test)]
    fn releasing_after(mut self, after: Duration) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.release_after = after;
        }
        self
    }

    /// How many working memories are kept idle for the next hash.
    #[cfg(test)]
    fn idle_memories(&self) -> usize {
        lock(&self.shared.running).idle.len()
    }
}

impl Drop for Hasher {
    fn drop(&mut self) {
        lock(&self.shared.running).closed = true;
        self.shared.memory_idle.notify_all();
    }
}

/// Frees the idle memories once no hash has run for [`RELEASE_IDLE_AFTER`]; sleeps while
/// there are none; ends when the hasher is dropped.
fn release_idle_memory(shared: &Shared) {
    let mut running = lock(&shared.running);
    while !running.closed {
        let quiet_for = running.last_done.map_or(Duration::ZERO, |t| t.elapsed());
        if running.idle.is_empty() {
            running = shared.memory_idle.wait(running).unwrap_or_else(|p| p.into_inner());
        } else if running.count == 0 && quiet_for >= shared.release_after {
            running.idle.clear();
        } else {
            let wait = shared.release_after.saturating_sub(quiet_for).max(Duration::from_millis(10));
            running = shared.memory_idle.wait_timeout(running, wait).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
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
        let shared = &self.hasher.shared;
        let mut running = lock(&shared.running);
        running.count -= 1;
        running.last_done = Some(Instant::now());
        if self.memory.len() == self.hasher.params.block_count() {
            running.idle.push(std::mem::take(&mut self.memory));
            if !running.releaser_started {
                let releasing = Arc::clone(shared);
                match std::thread::Builder::new().name("argon2-release".into()).spawn(move || release_idle_memory(&releasing)) {
                    Ok(_) => running.releaser_started = true,
                    // Memory is then kept, as it is while hashes keep coming.
                    Err(e) => tracing::warn!("starting the thread that frees idle hashing memory: {e}"),
                }
            }
            shared.memory_idle.notify_one();
        }
        shared.slot_freed.notify_one();
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
    use crate::random::SystemRandom;

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
        let h = Hasher::new(HashParams::FLOOR, Arc::new(SystemRandom)).unwrap();
        let stored = h.hash("Correct-Horse1").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(h.verify("Correct-Horse1", &stored));
        assert!(!h.verify("correct-Horse1", &stored));
        assert!(!h.verify("Correct-Horse1", "not a hash"));
    }

    #[test]
    fn hashes_are_argon2s_own_phc_strings_both_ways() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = Hasher::new(HashParams::FLOOR, Arc::new(SystemRandom)).unwrap();
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
        let hasher = Hasher::new(HashParams { memory_kib: 20 * 1024, iterations: 3, parallelism: 1 }, Arc::new(SystemRandom)).unwrap();
        let parsed = argon2::PasswordHash::new(&hasher.dummy_hash).unwrap();
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!((params.m_cost(), params.t_cost(), params.p_cost()), (20 * 1024, 3, 1));
        assert_eq!(parsed.hash.map(|h| h.len()), Some(32));
        assert!(!hasher.verify("anything", &hasher.dummy_hash.clone()));
    }

    #[test]
    fn idle_working_memory_is_reused_by_the_next_hash() {
        let hasher = Hasher::new(HashParams::FLOOR, Arc::new(SystemRandom)).unwrap().releasing_after(Duration::from_secs(3600));
        let stored = hasher.hash("correct horse").unwrap();
        assert_eq!(hasher.idle_memories(), 1);
        assert!(hasher.verify("correct horse", &stored));
        assert_eq!(hasher.idle_memories(), 1);
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // waits for the releasing thread, not for a worker's clock
    fn idle_working_memory_is_released_once_hashing_stops() {
        let hasher = Hasher::new(HashParams::FLOOR, Arc::new(SystemRandom)).unwrap().releasing_after(Duration::from_millis(50));
        let stored = hasher.hash("correct horse").unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while hasher.idle_memories() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(hasher.idle_memories(), 0);
        // A hasher that gave its memory back hashes as before.
        assert!(hasher.verify("correct horse", &stored));
    }

    #[test]
    fn parameters_below_the_floor_are_raised() {
        let weak = HashParams { memory_kib: 1024, iterations: 1, parallelism: 1 };
        assert_eq!(weak.at_least_floor(), HashParams::FLOOR);
    }
}
