//! What SAML identity providers send, to the readers: metadata, a posted Response (plain, or
//! holding an encrypted assertion), an assertion presented to the token exchange. Read or
//! refused, never a panic; and nothing the fuzzer makes is accepted, since only the provider's
//! key (absent here) can sign it.
#![no_main]
use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use libfuzzer_sys::fuzz_target;
use pooldesk_core::saml::{self, Delivery, Expected, IdpMetadata};

const NOW_MS: i64 = 1_800_000_000_000;

/// An identity provider whose key the fuzzer never has, and the pool's encryption key.
static KEYS: LazyLock<(IdpMetadata, Vec<u8>)> = LazyLock::new(|| {
    let signer = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let cert = rcgen::CertificateParams::new(vec!["idp.example".into()]).expect("params").self_signed(&signer).expect("cert");
    let metadata = IdpMetadata {
        entity_id: "https://idp.example/metadata".into(),
        signing_certs: vec![cert.der().to_vec()],
        sso_redirect: "https://idp.example/sso".into(),
        slo_redirect: None,
    };
    let decryption = rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).expect("rsa key");
    (metadata, decryption.serialize_der())
});

fuzz_target!(|text: &str| {
    let (idp, key) = &*KEYS;
    let _ = saml::read_metadata(text, NOW_MS);
    let _ = saml::decrypt_assertion(text, key);
    let acs = "https://auth.example/saml2/idpresponse";
    for delivery in [Some(Delivery { acs, in_response_to: Some("_request") }), Some(Delivery { acs, in_response_to: None }), None] {
        let expected = Expected { idp, audiences: &["urn:amazon:cognito:sp:us-east-1_fuzz"], delivery, now_ms: NOW_MS };
        let decrypt = |xml: &str| saml::decrypt_assertion(xml, key);
        assert!(saml::read_response(&STANDARD.encode(text), &expected, None).is_err(), "an unsigned response was accepted");
        assert!(saml::read_response(&STANDARD.encode(text), &expected, Some(&decrypt)).is_err(), "an unsigned response was accepted");
        assert!(saml::read_assertion(&URL_SAFE_NO_PAD.encode(text), &expected).is_err(), "an unsigned assertion was accepted");
    }
    let _ = saml::read_logout_response(&STANDARD.encode(text), idp, "_request");
});
