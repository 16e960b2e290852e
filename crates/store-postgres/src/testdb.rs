//! Throwaway databases for tests (feature `testkit`): one PostgreSQL cluster per test run,
//! a fresh database in it per caller.
//!
//! The cluster is `POOLDESK_TEST_POSTGRES` (a superuser URL, as `scripts/test.sh` starts one),
//! or, when that is not set, one this process starts with `scripts/postgres.sh` in a temporary
//! directory and that stops when the process ends.

#![allow(clippy::expect_used, clippy::panic)]

use std::str::FromStr as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

static CLUSTER: OnceLock<String> = OnceLock::new();
static NEXT: AtomicU32 = AtomicU32::new(0);

fn cluster() -> &'static str {
    CLUSTER.get_or_init(|| {
        if let Ok(url) = std::env::var("POOLDESK_TEST_POSTGRES")
            && !url.is_empty()
        {
            return url;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/postgres.sh");
        let dir = std::env::temp_dir().join(format!("pooldesk-test-postgres-{}", std::process::id()));
        let out = std::process::Command::new("bash")
            .arg(script)
            .arg("start")
            .arg(&dir)
            .arg(std::process::id().to_string())
            .output()
            .expect("running scripts/postgres.sh");
        assert!(out.status.success(), "starting a PostgreSQL cluster: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("a URL").trim().to_owned()
    })
}

/// The URL of a new, empty database (named after `label`) in the test cluster.
pub fn fresh_database(label: &str) -> String {
    let admin = cluster();
    let name = format!(
        "{}_{}_{}",
        label.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect::<String>(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let mut client =
        postgres::Config::from_str(admin).expect("the cluster URL").connect(postgres::NoTls).expect("connecting to the test cluster");
    client.batch_execute(&format!("CREATE DATABASE \"{name}\"")).expect("creating a test database");
    let (base, _) = admin.rsplit_once('/').expect("a database in the cluster URL");
    format!("{base}/{name}")
}
