//! TLS to PostgreSQL with libpq's `sslmode` meanings, against the test cluster, which serves a
//! certificate for `localhost` from a throwaway CA (`scripts/postgres.sh`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use pooldesk_core::sealed::{GivenKey, MasterKey};
use pooldesk_core::store::UserPoolStore;
use pooldesk_store_postgres::{PostgresStore, testdb, tls};

/// Connects as `url` asks and says whether the session is encrypted.
fn encrypted(url: &str) -> Result<bool, String> {
    let connection = tls::parse(url)?;
    let connector = connection.connector()?;
    let mut client = connection.config.connect(connector).map_err(|e| format!("{e:?}"))?;
    let row = client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).map_err(|e| e.to_string())?;
    Ok(row.get(0))
}

/// The test cluster's CA, beside its server certificate.
fn cluster_ca(url: &str) -> PathBuf {
    let connection = tls::parse(url).expect("url");
    let mut client = connection.config.connect(connection.connector().expect("tls")).expect("connect");
    let cert: String = client.query_one("SHOW ssl_cert_file", &[]).expect("show").get(0);
    let ssl: String = client.query_one("SHOW ssl", &[]).expect("show").get(0);
    assert_eq!(ssl, "on", "the test cluster must serve TLS, as scripts/postgres.sh starts it");
    PathBuf::from(cert).with_file_name("ca.crt")
}

/// The same database under another host name and with more parameters.
fn with(url: &str, host: &str, params: &str) -> String {
    format!("{}?{params}", url.replace("127.0.0.1", host))
}

#[test]
fn sslmode_encrypts_and_verifies_as_libpq_does() {
    let url = testdb::fresh_database("tls");
    let ca = cluster_ca(&url);
    let ca = ca.display();

    assert_eq!(encrypted(&url), Ok(true), "the default (prefer) encrypts when the server offers TLS");
    assert_eq!(encrypted(&with(&url, "127.0.0.1", "sslmode=require")), Ok(true));
    assert_eq!(encrypted(&with(&url, "127.0.0.1", "sslmode=disable")), Ok(false));

    // The certificate names `localhost` and chains to the cluster's CA.
    assert_eq!(encrypted(&with(&url, "localhost", &format!("sslmode=verify-full&sslrootcert={ca}"))), Ok(true));
    assert_eq!(encrypted(&with(&url, "127.0.0.1", &format!("sslmode=verify-ca&sslrootcert={ca}"))), Ok(true), "verify-ca ignores the name");
    let wrong_name = encrypted(&with(&url, "127.0.0.1", &format!("sslmode=verify-full&sslrootcert={ca}"))).unwrap_err();
    assert!(wrong_name.contains("NotValidForName"), "a certificate for another name is refused: {wrong_name}");
    let untrusted = encrypted(&with(&url, "localhost", "sslmode=verify-full")).unwrap_err();
    assert!(untrusted.contains("UnknownIssuer"), "the system's roots do not trust the test CA: {untrusted}");
    let other_ca = encrypted(&with(&url, "localhost", "sslmode=verify-ca&sslrootcert=/etc/ssl/certs/ca-certificates.crt")).unwrap_err();
    assert!(other_ca.contains("UnknownIssuer"), "verify-ca still needs the chain: {other_ca}");

    // libpq's key=value form, and percent-encoded values in the URL form.
    let (host_port, db) = url.trim_start_matches("postgres://pooldesk@").split_once('/').unwrap();
    let (_, port) = host_port.split_once(':').unwrap();
    let key_value = format!("host=localhost port={port} user=pooldesk dbname={db} sslmode=verify-full sslrootcert={ca}");
    assert_eq!(encrypted(&key_value), Ok(true));
    let encoded = ca.to_string().replace('/', "%2F");
    assert_eq!(encrypted(&with(&url, "localhost", &format!("sslmode=verify-full&sslrootcert={encoded}"))), Ok(true));

    // Settings that cannot mean what they say are refused, not ignored.
    assert!(tls::parse(&with(&url, "localhost", &format!("sslmode=require&sslrootcert={ca}"))).is_err());
    assert!(tls::parse(&with(&url, "localhost", "sslmode=verify-everything")).is_err());
    let missing = tls::parse(&with(&url, "localhost", "sslmode=verify-full&sslrootcert=/nonexistent.pem")).unwrap().connector();
    assert!(missing.is_err_and(|e| e.contains("/nonexistent.pem")));
}

#[test]
fn a_server_opens_its_database_over_verified_tls() {
    let url = testdb::fresh_database("tls-store");
    let ca = cluster_ca(&url);
    let verified = with(&url, "localhost", &format!("sslmode=verify-full&sslrootcert={}", ca.display()));
    let key = GivenKey { key: MasterKey::generate().expect("key"), source: "a test".into() };
    let store = PostgresStore::open(&verified, &key, 2).expect("open over verify-full");
    assert!(store.list_pools(None, 10).expect("list").items.is_empty());
    let refused = PostgresStore::open(&with(&url, "127.0.0.1", &format!("sslmode=verify-full&sslrootcert={}", ca.display())), &key, 2);
    assert!(refused.is_err(), "a certificate that names another host stops the server from starting");
}
