//! TLS to PostgreSQL with libpq's `sslmode` meanings, on rustls:
//!
//! - `disable`: plain TCP.
//! - `prefer` (the default) and `require`: encrypted when the server offers it (`require`
//!   refuses a server that does not); the certificate is not checked, as libpq does not.
//! - `verify-ca`: the certificate must chain to a trusted root; `verify-full`: and name the
//!   host. The roots are `sslrootcert` (a PEM file) if given, else the system's.
//!
//! tokio-postgres knows only the first three modes and no `sslrootcert`, so those two are taken
//! out of the connection string here and the verifying modes reach it as `require`.

use std::str::FromStr as _;
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Encryption only (`prefer`, `require`).
    Nothing,
    /// The chain to a trusted root (`verify-ca`).
    Chain,
    /// The chain and the host name (`verify-full`).
    ChainAndName,
}

/// A connection string split into what tokio-postgres reads and the TLS settings it cannot.
pub struct Connection {
    pub config: postgres::Config,
    pub verify: Verify,
    pub root_cert: Option<String>,
}

/// Parses `url` (`postgres://...?sslmode=...` or libpq's `key=value` form).
pub fn parse(url: &str) -> Result<Connection, String> {
    let url_form = url.contains("://");
    let (base, pairs): (&str, Vec<&str>) = match url.split_once('?') {
        Some((base, query)) if url_form => (base, query.split('&').collect()),
        _ if url_form => (url, Vec::new()),
        _ => ("", url.split_whitespace().collect()),
    };
    let (mut verify, mut root_cert, mut kept) = (Verify::Nothing, None, Vec::new());
    for pair in pairs {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let value = if url_form {
            percent_decode_str(raw).decode_utf8().map_err(|_| format!("the database URL: {key} is not UTF-8"))?.into_owned()
        } else {
            raw.trim_matches('\'').to_owned()
        };
        match (key, value.as_str()) {
            ("sslmode", "verify-ca") => verify = Verify::Chain,
            ("sslmode", "verify-full") => verify = Verify::ChainAndName,
            ("sslrootcert", _) => root_cert = Some(value),
            _ => kept.push(pair.to_owned()),
        }
    }
    if root_cert.is_some() && verify == Verify::Nothing {
        // libpq would verify `require` against a root file; say so rather than guess.
        return Err("the database URL: sslrootcert needs sslmode=verify-ca or sslmode=verify-full".into());
    }
    if verify != Verify::Nothing {
        kept.push("sslmode=require".into());
    }
    let rest = match (url_form, kept.is_empty()) {
        (true, true) => base.to_owned(),
        (true, false) => format!("{base}?{}", kept.join("&")),
        (false, _) => kept.join(" "),
    };
    let config = postgres::Config::from_str(&rest).map_err(|e| format!("the database URL: {e}"))?;
    Ok(Connection { config, verify, root_cert })
}

impl Connection {
    /// The TLS connector for these settings.
    pub fn connector(&self) -> Result<MakeRustlsConnect, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS settings: {e}"))?;
        let algorithms = provider.signature_verification_algorithms;
        let config = match self.verify {
            Verify::Nothing => {
                builder.dangerous().with_custom_certificate_verifier(Arc::new(Lenient { chain: None, algorithms })).with_no_client_auth()
            }
            Verify::Chain | Verify::ChainAndName => {
                let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(self.roots()?), provider.clone())
                    .build()
                    .map_err(|e| format!("TLS roots: {e}"))?;
                if self.verify == Verify::ChainAndName {
                    builder.with_webpki_verifier(webpki).with_no_client_auth()
                } else {
                    let lenient = Lenient { chain: Some(webpki), algorithms };
                    builder.dangerous().with_custom_certificate_verifier(Arc::new(lenient)).with_no_client_auth()
                }
            }
        };
        Ok(MakeRustlsConnect::new(config))
    }

    fn roots(&self) -> Result<RootCertStore, String> {
        let mut roots = RootCertStore::empty();
        match &self.root_cert {
            Some(file) => {
                for cert in CertificateDer::pem_file_iter(file).map_err(|e| format!("sslrootcert {file}: {e}"))? {
                    let cert = cert.map_err(|e| format!("sslrootcert {file}: {e}"))?;
                    roots.add(cert).map_err(|e| format!("sslrootcert {file}: {e}"))?;
                }
            }
            None => {
                let found = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(found.certs);
            }
        }
        if roots.is_empty() {
            return Err("sslmode=verify-ca/verify-full: no trusted root certificate (give sslrootcert=FILE)".into());
        }
        Ok(roots)
    }
}

/// The certificate checks of libpq's modes that rustls has no verifier for: none (`prefer`,
/// `require`: encryption only), or WebPKI's without the name (`verify-ca`: the chain is verified
/// before the name, the last thing WebPKI compares). The handshake's signatures are checked in
/// every mode, with the provider's algorithms.
#[derive(Debug)]
struct Lenient {
    chain: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else { return Ok(ServerCertVerified::assertion()) };
        match chain.verify_server_cert(end_entity, intermediates, name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. })) => {
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
