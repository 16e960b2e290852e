//! Rate limits on the public (unsigned) operations: token buckets per source address and per
//! app client, answered with Cognito's `TooManyRequestsException`.
//!
//! Two classes, as Cognito's own quotas separate them: the operations an attacker repeats to
//! guess passwords and codes or to flood a pool (sign-in, sign-up, confirmation, recovery,
//! and getting identity pool credentials) get the strict rate; every other public operation
//! gets ten times that. Admin operations are signed and not limited here.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Past this many buckets, idle ones (refilled to full) are dropped, so a flood from many
/// addresses cannot grow the table without bound.
const MAX_BUCKETS: usize = 100_000;

/// Requests per second, with bursts of twice that.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate(pub f64);

/// The limits a server applies. `None` rates are not limited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitConfig {
    /// Sign-in and account operations per second from one address.
    pub per_source: Option<Rate>,
    /// Sign-in and account operations per second for one app client, from everywhere.
    pub per_client: Option<Rate>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig { per_source: Some(Rate(50.0)), per_client: Some(Rate(500.0)) }
    }
}

impl RateLimitConfig {
    pub const OFF: RateLimitConfig = RateLimitConfig { per_source: None, per_client: None };

    /// `off`, or `source=N,client=M` (either may be left out, `0` turns one off).
    pub fn parse(text: &str) -> Result<RateLimitConfig, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(RateLimitConfig::OFF);
        }
        let mut config = RateLimitConfig::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').ok_or_else(|| format!("expected name=rate, got {part:?}"))?;
            let rate: f64 =
                value.trim().parse().ok().filter(|r: &f64| r.is_finite() && *r >= 0.0).ok_or_else(|| format!("bad rate {value:?}"))?;
            let rate = (rate > 0.0).then_some(Rate(rate));
            match name.trim() {
                "source" => config.per_source = rate,
                "client" => config.per_client = rate,
                other => return Err(format!("unknown rate limit {other:?} (source, client)")),
            }
        }
        Ok(config)
    }
}

/// Which class a public operation is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Class {
    Sensitive,
    Other,
}

fn class_of(operation: &str) -> Class {
    match operation {
        "InitiateAuth"
        | "RespondToAuthChallenge"
        | "SignUp"
        | "ConfirmSignUp"
        | "ResendConfirmationCode"
        | "ForgotPassword"
        | "ConfirmForgotPassword"
        | "VerifySoftwareToken"
        | "GetId"
        | "GetOpenIdToken"
        | "GetCredentialsForIdentity" => Class::Sensitive,
        _ => Class::Other,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Source(IpAddr, Class),
    Client(String, Class),
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

pub struct RateLimiter {
    config: RateLimitConfig,
    buckets: Mutex<HashMap<Key, Bucket>>,
}

impl RateLimiter {
    pub fn new(config: RateLimitConfig) -> RateLimiter {
        RateLimiter { config, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from the buckets of its source and client; `false` if either is
    /// empty (nothing is taken then).
    pub fn admit(&self, operation: &str, source: IpAddr, client_id: Option<&str>) -> bool {
        let class = class_of(operation);
        // One IPv6 host usually has a whole /64: count it as one source.
        let source = match source {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
            IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().unwrap_or(std::net::Ipv4Addr::UNSPECIFIED)),
            v4 => v4,
        };
        let scale = if class == Class::Sensitive { 1.0 } else { 10.0 };
        let mut wanted: Vec<(Key, f64)> = Vec::with_capacity(2);
        if let Some(Rate(r)) = self.config.per_source {
            wanted.push((Key::Source(source, class), r * scale));
        }
        if let (Some(Rate(r)), Some(client)) = (self.config.per_client, client_id) {
            // Ids are short; a longer value is not a client and shares one bucket.
            let client = if client.len() <= 128 { client } else { "" };
            wanted.push((Key::Client(client.to_owned(), class), r * scale));
        }
        if wanted.is_empty() {
            return true;
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > MAX_BUCKETS {
            let full = |b: &Bucket, rate: f64| b.tokens + now.duration_since(b.at).as_secs_f64() * rate >= 2.0 * rate;
            let smallest = self.config.per_source.map_or(f64::MAX, |r| r.0).min(self.config.per_client.map_or(f64::MAX, |r| r.0));
            buckets.retain(|_, b| !full(b, smallest));
        }
        let refill = |bucket: &mut Bucket, rate: f64| {
            bucket.tokens = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(2.0 * rate);
            bucket.at = now;
        };
        for (key, rate) in &wanted {
            let bucket = buckets.entry(key.clone()).or_insert(Bucket { tokens: 2.0 * rate, at: now });
            refill(bucket, *rate);
            if bucket.tokens < 1.0 {
                return false;
            }
        }
        for (key, _) in &wanted {
            if let Some(bucket) = buckets.get_mut(key) {
                bucket.tokens -= 1.0;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn a_source_gets_its_burst_then_is_refused_and_others_are_not() {
        let limiter = RateLimiter::new(RateLimitConfig { per_source: Some(Rate(5.0)), per_client: None });
        let admitted = (0..30).filter(|_| limiter.admit("InitiateAuth", ip(1), Some("c"))).count();
        assert_eq!(admitted, 10, "a burst of twice the rate");
        assert!(limiter.admit("InitiateAuth", ip(2), Some("c")), "another address has its own bucket");
        assert!(limiter.admit("GetUser", ip(1), None), "other operations have their own, larger bucket");
    }

    #[test]
    fn an_ipv6_slash_64_is_one_source() {
        let limiter = RateLimiter::new(RateLimitConfig { per_source: Some(Rate(2.0)), per_client: None });
        let host = |n: u16| IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, n]);
        assert_eq!((0..20).filter(|n| limiter.admit("SignUp", host(*n), None)).count(), 4);
        assert!(limiter.admit("SignUp", IpAddr::from([0x2001, 0xdb8, 0, 2, 0, 0, 0, 1]), None), "another /64");
    }

    #[test]
    fn a_client_is_limited_across_sources() {
        let limiter = RateLimiter::new(RateLimitConfig { per_source: None, per_client: Some(Rate(3.0)) });
        let admitted = (0..20).filter(|n| limiter.admit("SignUp", ip(*n), Some("client1"))).count();
        assert_eq!(admitted, 6);
        assert!(limiter.admit("SignUp", ip(99), Some("client2")));
    }

    #[test]
    fn configs_parse_and_bad_ones_are_refused() {
        assert_eq!(RateLimitConfig::parse("off").unwrap(), RateLimitConfig::OFF);
        let c = RateLimitConfig::parse("source=10, client=0").unwrap();
        assert_eq!((c.per_source, c.per_client), (Some(Rate(10.0)), None));
        assert_eq!(RateLimitConfig::parse("").unwrap(), RateLimitConfig::default());
        for bad in ["source", "source=-1", "source=x", "speed=3", "source=inf"] {
            assert!(RateLimitConfig::parse(bad).is_err(), "{bad}");
        }
    }
}
