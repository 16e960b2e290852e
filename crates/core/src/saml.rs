//! SAML 2.0 as Cognito speaks it to an identity provider, the service provider's side: the
//! provider's metadata read, the AuthnRequest and LogoutRequest sent by HTTP-Redirect (signed
//! with the pool's key when asked), and the Response posted back, checked.
//!
//! Signatures are libxmlsec1's business (through samael), never this module's: the response is
//! reduced to what its signatures cover (`ValidateAndMarkNoAncestors`: unsigned content and
//! ancestors are dropped, duplicate IDs refused, every signature must verify) and every field
//! read afterwards comes from that reduced document, which is what defeats signature wrapping.
//! Documents with a DOCTYPE are refused before any parser sees them.

use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use samael::crypto::{AllowedSignatureAlgorithm as Alg, CertificateDer, CryptoProvider, ReduceMode};

/// Cognito's limit on a posted SAMLResponse, in characters.
pub const MAX_RESPONSE_CHARS: usize = 100_000;
/// Clock skew allowed on the assertion's time bounds.
const SKEW_MS: i64 = 60_000;
/// How old an IdP-initiated assertion may be (Cognito: issued in the last six minutes).
const IDP_INITIATED_AGE_MS: i64 = 6 * 60_000;

/// What signatures are accepted with: SHA-2 only (no SHA-1, no DSA).
const ALGORITHMS: [Alg; 6] = [Alg::RsaSha256, Alg::RsaSha384, Alg::RsaSha512, Alg::EcdsaSha256, Alg::EcdsaSha384, Alg::EcdsaSha512];

pub const POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
pub const REDIRECT_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/// The service provider a pool is to SAML identity providers (its entity id and audience).
pub fn sp_entity_id(pool_id: &str) -> String {
    format!("urn:amazon:cognito:sp:{pool_id}")
}

/// What an identity provider's metadata says.
#[derive(Debug, Clone, PartialEq)]
pub struct IdpMetadata {
    pub entity_id: String,
    /// Its signing certificates, DER.
    pub signing_certs: Vec<Vec<u8>>,
    /// Where AuthnRequests go (HTTP-Redirect binding).
    pub sso_redirect: String,
    /// Where LogoutRequests go (HTTP-Redirect binding), if it has single logout.
    pub slo_redirect: Option<String>,
}

/// Refuses what no SAML document has any business carrying: a DOCTYPE (entity expansion,
/// external entities) and more than Cognito's size.
fn check_document(xml: &str) -> Result<(), String> {
    if xml.len() > MAX_RESPONSE_CHARS * 4 {
        return Err("the document is too large".into());
    }
    if xml.to_ascii_lowercase().contains("<!doctype") || xml.contains("<!ENTITY") {
        return Err("the document has a DOCTYPE, which SAML documents never need".into());
    }
    Ok(())
}

/// Reads an identity provider's metadata (an `EntityDescriptor`, or an `EntitiesDescriptor`
/// holding one IdP). Expired certificates are refused, as Cognito does.
pub fn read_metadata(xml: &str, now_ms: i64) -> Result<IdpMetadata, String> {
    use samael::metadata::{EntityDescriptor, EntityDescriptorType};
    check_document(xml)?;
    let entity: EntityDescriptor = match xml.parse::<EntityDescriptorType>() {
        Ok(EntityDescriptorType::EntityDescriptor(one)) => one,
        Ok(EntityDescriptorType::EntitiesDescriptor(many)) => {
            let mut idps: Vec<EntityDescriptor> = many
                .descriptors
                .into_iter()
                .flat_map(|d| d.iter().cloned().collect::<Vec<_>>())
                .filter(|e| e.idp_sso_descriptors.is_some())
                .collect();
            if idps.len() != 1 {
                return Err(format!("it describes {} identity providers; give the metadata of one", idps.len()));
            }
            idps.remove(0)
        }
        Err(e) => return Err(format!("it is not SAML metadata: {e}")),
    };
    let entity_id = entity.entity_id.clone().filter(|e| !e.is_empty()).ok_or("its EntityDescriptor has no entityID")?;
    let idp = entity
        .idp_sso_descriptors
        .as_ref()
        .and_then(|d| d.first())
        .ok_or("it has no IDPSSODescriptor: it is not an identity provider's metadata")?;
    let redirect =
        |endpoints: &[samael::metadata::Endpoint]| endpoints.iter().find(|e| e.binding == REDIRECT_BINDING).map(|e| e.location.clone());
    let sso_redirect = redirect(&idp.single_sign_on_services).ok_or("it has no SingleSignOnService with the HTTP-Redirect binding")?;
    let slo_redirect = redirect(&idp.single_logout_services);
    let mut signing_certs = Vec::new();
    // A KeyDescriptor without `use` serves both signing and encryption.
    for key in idp.key_descriptors.iter().filter(|k| k.key_use.as_deref() != Some("encryption")) {
        for text in key.key_info.x509_data.iter().flat_map(|d| &d.certificates) {
            let compact: String = text.split_whitespace().collect();
            if compact.len() > 4096 * 2 {
                return Err("one of its signing certificates is too long".into());
            }
            let der = B64.decode(compact).map_err(|_| "one of its signing certificates is not base64".to_owned())?;
            let cert = openssl::x509::X509::from_der(&der).map_err(|_| "one of its signing certificates is not X.509".to_owned())?;
            let now = openssl::asn1::Asn1Time::from_unix(now_ms / 1000).map_err(|e| e.to_string())?;
            if cert.not_after() < now {
                return Err(format!("its signing certificate expired on {}", cert.not_after()));
            }
            signing_certs.push(der);
        }
    }
    if signing_certs.is_empty() {
        return Err("it has no signing certificate, so nothing it sends could be verified".into());
    }
    Ok(IdpMetadata { entity_id, signing_certs, sso_redirect, slo_redirect })
}

/// Text safe in an XML attribute or element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An instant as SAML writes it: `2026-12-06T20:39:19Z`.
pub fn instant(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

/// An AuthnRequest from the pool `sp` asking `destination` to post its answer to `acs`.
pub fn authn_request(id: &str, now_ms: i64, sp: &str, destination: &str, acs: &str) -> String {
    format!(
        concat!(
            r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion""#,
            r#" ID="{id}" Version="2.0" IssueInstant="{instant}" Destination="{destination}" AssertionConsumerServiceURL="{acs}" ProtocolBinding="{binding}">"#,
            r#"<saml:Issuer>{sp}</saml:Issuer>"#,
            r#"<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" AllowCreate="true"/>"#,
            r#"</samlp:AuthnRequest>"#
        ),
        id = escape(id),
        instant = instant(now_ms),
        destination = escape(destination),
        acs = escape(acs),
        binding = POST_BINDING,
        sp = escape(sp),
    )
}

/// A LogoutRequest for the session `session_index` of `name_id`.
pub fn logout_request(
    id: &str,
    now_ms: i64,
    sp: &str,
    destination: &str,
    name_id: &str,
    format: Option<&str>,
    session_index: Option<&str>,
) -> String {
    let format = format.map(|f| format!(r#" Format="{}""#, escape(f))).unwrap_or_default();
    let session = session_index.map(|s| format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", escape(s))).unwrap_or_default();
    format!(
        concat!(
            r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion""#,
            r#" ID="{id}" Version="2.0" IssueInstant="{instant}" Destination="{destination}">"#,
            r#"<saml:Issuer>{sp}</saml:Issuer><saml:NameID{format}>{name_id}</saml:NameID>{session}</samlp:LogoutRequest>"#
        ),
        id = escape(id),
        instant = instant(now_ms),
        destination = escape(destination),
        sp = escape(sp),
        format = format,
        name_id = escape(name_id),
        session = session,
    )
}

/// The HTTP-Redirect binding: `message` deflated and base64'd as `param` (`SAMLRequest`) on
/// `endpoint`, with `RelayState`, and signed over the query (`SigAlg`, `Signature`) with
/// `key` (PKCS#8 RSA) when one is given.
pub fn redirect(endpoint: &str, param: &str, message: &str, relay_state: &str, key: Option<&[u8]>) -> Result<String, String> {
    let mut deflater = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflater.write_all(message.as_bytes()).map_err(|e| e.to_string())?;
    let deflated = deflater.finish().map_err(|e| e.to_string())?;
    let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let mut query = format!("{param}={}&RelayState={}", enc(&B64.encode(deflated)), enc(relay_state));
    if let Some(key) = key {
        query.push_str(&format!("&SigAlg={}", enc(RSA_SHA256)));
        let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(key).map_err(|e| e.to_string())?;
        let mut signature = vec![0; pair.public_modulus_len()];
        pair.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), query.as_bytes(), &mut signature)
            .map_err(|e| e.to_string())?;
        query.push_str(&format!("&Signature={}", enc(&B64.encode(signature))));
    }
    let joiner = if endpoint.contains('?') { '&' } else { '?' };
    Ok(format!("{endpoint}{joiner}{query}"))
}

/// Opens a response's `EncryptedAssertion`: the response's XML in, the assertion's out.
pub type Decrypt<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// What a response must match to be accepted.
pub struct Expected<'a> {
    pub idp: &'a IdpMetadata,
    /// The audiences it may be for (`urn:amazon:cognito:sp:<poolId>` for a user pool).
    pub audiences: &'a [&'a str],
    /// Where and for what it was posted; None for an assertion presented as a token (token
    /// exchange), which was posted to no one here.
    pub delivery: Option<Delivery<'a>>,
    pub now_ms: i64,
}

/// A response posted to this server's ACS.
#[derive(Clone, Copy)]
pub struct Delivery<'a> {
    /// `<domain base>/saml2/idpresponse`.
    pub acs: &'a str,
    /// The AuthnRequest's ID; None for an IdP-initiated sign-in, which must answer none.
    pub in_response_to: Option<&'a str>,
}

/// A verified assertion: who the identity provider says signed in.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedIn {
    pub assertion_id: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
    /// By SAML `Attribute@Name`, every value.
    pub attributes: BTreeMap<String, Vec<String>>,
    /// Until when the assertion could be presented: how long its ID is remembered against replay.
    pub valid_until_ms: i64,
}

/// Reads a posted `SAMLResponse` (base64) and checks it against `expected`. `decrypt` opens an
/// `EncryptedAssertion` when the provider encrypts (None: an encrypted one is refused).
/// Every error says why, for the error page and the log; none says which key or byte.
pub fn read_response(posted: &str, expected: &Expected, decrypt: Option<Decrypt>) -> Result<SignedIn, String> {
    use samael::schema::{Assertion, Response};
    if posted.len() > MAX_RESPONSE_CHARS {
        return Err(format!("the SAMLResponse is longer than {MAX_RESPONSE_CHARS} characters"));
    }
    let compact: String = posted.split_whitespace().collect();
    let bytes = B64.decode(compact).map_err(|_| "the SAMLResponse is not base64".to_owned())?;
    let xml = String::from_utf8(bytes).map_err(|_| "the SAMLResponse is not UTF-8 XML".to_owned())?;
    check_document(&xml)?;
    let raw = Element::parse(&xml)?;
    if raw.name != "Response" {
        return Err(format!("the SAMLResponse holds a {}, not a Response", raw.name));
    }
    // Unverified, read for its status only: a refusal carries no assertion to verify.
    let status = raw.path(&["Status", "StatusCode"]).and_then(|c| c.attr("Value"));
    if status != Some(SUCCESS) {
        let message = raw.path(&["Status", "StatusMessage"]).map(|m| m.text.trim().to_owned()).filter(|m| !m.is_empty());
        return Err(format!(
            "the identity provider answered {}{}",
            status.unwrap_or("no status").rsplit(':').next().unwrap_or_default(),
            message.map(|m| format!(": {m}")).unwrap_or_default()
        ));
    }
    if count_elements(&xml, &[b"Assertion", b"EncryptedAssertion"])? != 1 {
        return Err("it must hold exactly one assertion".into());
    }
    let certs: Vec<CertificateDer> = expected.idp.signing_certs.iter().map(|c| CertificateDer::from(c.clone())).collect();
    let reduce = |doc: &str| {
        samael::crypto::Crypto::reduce_xml_to_signed_with_allowed_algorithms(
            doc,
            &certs,
            ReduceMode::ValidateAndMarkNoAncestors,
            Some(&ALGORITHMS),
        )
        .map_err(|_| "its signature does not verify with the identity provider's certificates (or it is not signed)".to_owned())
    };
    let parse_assertion = |doc: &str| doc.parse::<Assertion>().map_err(|e| format!("its assertion cannot be read: {e}"));
    let (envelope, assertion) = if raw.child("EncryptedAssertion").is_some() {
        let decrypt = decrypt.ok_or("it holds an encrypted assertion, and this provider is not set to encrypt (EncryptedResponses)")?;
        // A signed response vouches for the encrypted assertion it holds: it is decrypted from
        // the signed document. Otherwise the assertion inside must carry its own signature.
        let outer = match raw.child("Signature") {
            Some(_) => Some(reduce(&xml)?),
            None => None,
        };
        let envelope = match &outer {
            Some(signed) => Some(Element::parse(signed)?),
            None => None,
        };
        let plain = decrypt(outer.as_deref().unwrap_or(&xml))?;
        check_document(&plain)?;
        let assertion = if outer.is_some() && count_elements(&plain, &[b"Signature"])? == 0 {
            parse_assertion(&plain)?
        } else {
            parse_assertion(&reduce(&plain)?)?
        };
        (envelope, assertion)
    } else {
        if decrypt.is_some() {
            return Err("its assertion is not encrypted, and this provider is set to encrypt every one (EncryptedResponses)".into());
        }
        let signed = reduce(&xml)?;
        let root = Element::parse(&signed)?;
        match root.name.as_str() {
            "Response" => {
                let mut response: Response = signed.parse().map_err(|e| format!("the signed response cannot be read: {e}"))?;
                let assertion = response.assertion.take().ok_or("its signed response holds no assertion")?;
                (Some(root), assertion)
            }
            "Assertion" => (None, parse_assertion(&signed)?),
            _ => return Err("what is signed in it is neither the response nor its assertion".into()),
        }
    };
    check_assertion(envelope.as_ref(), &assertion, expected)
}

/// Reads a SAML 2.0 assertion presented as a token (RFC 8693's `saml2` token type: the
/// assertion, base64url or base64): signed by the provider, for this pool, within its time.
pub fn read_assertion(token: &str, expected: &Expected) -> Result<SignedIn, String> {
    if token.len() > MAX_RESPONSE_CHARS {
        return Err(format!("the assertion is longer than {MAX_RESPONSE_CHARS} characters"));
    }
    let compact: String = token.split_whitespace().collect();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(compact.trim_end_matches('='))
        .or_else(|_| B64.decode(&compact))
        .map_err(|_| "the assertion is not base64url".to_owned())?;
    let xml = String::from_utf8(bytes).map_err(|_| "the assertion is not UTF-8 XML".to_owned())?;
    check_document(&xml)?;
    if Element::parse(&xml)?.name != "Assertion" {
        return Err("the token is not a SAML Assertion".into());
    }
    let certs: Vec<CertificateDer> = expected.idp.signing_certs.iter().map(|c| CertificateDer::from(c.clone())).collect();
    let signed = samael::crypto::Crypto::reduce_xml_to_signed_with_allowed_algorithms(
        &xml,
        &certs,
        ReduceMode::ValidateAndMarkNoAncestors,
        Some(&ALGORITHMS),
    )
    .map_err(|_| "its signature does not verify with the identity provider's certificates (or it is not signed)".to_owned())?;
    if Element::parse(&signed)?.name != "Assertion" || count_elements(&xml, &[b"Assertion"])? != 1 {
        return Err("what is signed in it is not the assertion".into());
    }
    let assertion: samael::schema::Assertion = signed.parse().map_err(|e| format!("its assertion cannot be read: {e}"))?;
    check_assertion(None, &assertion, expected)
}

/// Reads a posted `LogoutResponse` (base64) answering the LogoutRequest `in_response_to`: it
/// must be signed by the provider and say Success.
pub fn read_logout_response(posted: &str, idp: &IdpMetadata, in_response_to: &str) -> Result<(), String> {
    if posted.len() > MAX_RESPONSE_CHARS {
        return Err(format!("the SAMLResponse is longer than {MAX_RESPONSE_CHARS} characters"));
    }
    let bytes = B64.decode(posted.split_whitespace().collect::<String>()).map_err(|_| "the SAMLResponse is not base64".to_owned())?;
    let xml = String::from_utf8(bytes).map_err(|_| "the SAMLResponse is not UTF-8 XML".to_owned())?;
    check_document(&xml)?;
    let certs: Vec<CertificateDer> = idp.signing_certs.iter().map(|c| CertificateDer::from(c.clone())).collect();
    let signed = samael::crypto::Crypto::reduce_xml_to_signed_with_allowed_algorithms(
        &xml,
        &certs,
        ReduceMode::ValidateAndMarkNoAncestors,
        Some(&ALGORITHMS),
    )
    .map_err(|_| "its signature does not verify with the identity provider's certificates (or it is not signed)".to_owned())?;
    let response = Element::parse(&signed)?;
    if response.name != "LogoutResponse" {
        return Err(format!("what is signed in it is a {}, not a LogoutResponse", response.name));
    }
    if response.attr("InResponseTo") != Some(in_response_to) {
        return Err("it answers another request (InResponseTo)".into());
    }
    if response.child("Issuer").map(|i| i.text.trim()) != Some(idp.entity_id.as_str()) {
        return Err(format!("its Issuer is not {}", idp.entity_id));
    }
    match response.path(&["Status", "StatusCode"]).and_then(|c| c.attr("Value")) {
        Some(SUCCESS) => Ok(()),
        other => Err(format!("the identity provider answered {}", other.unwrap_or("no status").rsplit(':').next().unwrap_or_default())),
    }
}

/// A document as a tree of elements by local name: enough to read a response's envelope (its
/// status, its encrypted parts) whatever prefixes its sender chose.
#[derive(Debug, Default)]
struct Element {
    name: String,
    /// By local name; namespace declarations left out.
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn parse(xml: &str) -> Result<Element, String> {
        use quick_xml::events::{BytesStart, Event};
        let malformed = |e: &dyn std::fmt::Display| format!("the document is not well-formed XML: {e}");
        let open = |e: &BytesStart| -> Result<Element, String> {
            let mut element = Element { name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(), ..Default::default() };
            for attribute in e.attributes() {
                let attribute = attribute.map_err(|e| malformed(&e))?;
                let key = attribute.key;
                if key.as_ref() == b"xmlns" || key.prefix().is_some_and(|p| p.as_ref() == b"xmlns") {
                    continue;
                }
                let value = attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| malformed(&e))?.into_owned();
                element.attributes.push((String::from_utf8_lossy(key.local_name().as_ref()).into_owned(), value));
            }
            Ok(element)
        };
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut stack: Vec<Element> = Vec::new();
        loop {
            match reader.read_event().map_err(|e| malformed(&e))? {
                Event::Start(e) => stack.push(open(&e)?),
                Event::Empty(e) => {
                    let element = open(&e)?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => return Ok(element),
                    }
                }
                Event::End(_) => {
                    let element = stack.pop().ok_or_else(|| malformed(&"an end tag without a start"))?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => return Ok(element),
                    }
                }
                Event::Text(t) => {
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&t.decode().map_err(|e| malformed(&e))?);
                    }
                }
                Event::GeneralRef(r) => {
                    // Only the five XML predefines and character references: no DTD, no others.
                    let resolved = match r.resolve_char_ref().map_err(|e| malformed(&e))? {
                        Some(c) => c,
                        None => match r.decode().map_err(|e| malformed(&e))?.as_ref() {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "quot" => '"',
                            "apos" => '\'',
                            other => return Err(malformed(&format!("it names the entity {other}"))),
                        },
                    };
                    if let Some(top) = stack.last_mut() {
                        top.text.push(resolved);
                    }
                }
                Event::CData(t) => {
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&String::from_utf8_lossy(&t));
                    }
                }
                Event::Eof => return Err(malformed(&"it ends before its root element does")),
                _ => {}
            }
        }
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |at, name| at.child(name))
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Decrypts a response's `EncryptedAssertion` with the provider's encryption key (PKCS#8
/// RSA): the key transported with RSA-OAEP (MGF1 and digest SHA-1, `rsa-oaep-mgf1p`), the
/// assertion with AES-CBC or AES-GCM, 128 or 256 bits. Every failure reads the same, so the
/// answer tells nothing about padding or keys.
pub fn decrypt_assertion(xml: &str, key: &[u8]) -> Result<String, String> {
    use aws_lc_rs::cipher::{AES_128, AES_256, DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey};
    let failed = || "its encrypted assertion cannot be decrypted with this provider's encryption key".to_owned();
    let root = Element::parse(xml)?;
    let encrypted = root.child("EncryptedAssertion").ok_or_else(failed)?;
    let data = encrypted.child("EncryptedData").ok_or_else(failed)?;
    // The key travels in the data's KeyInfo, or beside it in the EncryptedAssertion.
    let wrapped_key = data.path(&["KeyInfo", "EncryptedKey"]).or_else(|| encrypted.child("EncryptedKey")).ok_or_else(failed)?;
    let method = |e: &Element| e.child("EncryptionMethod").and_then(|m| m.attr("Algorithm")).unwrap_or_default().to_owned();
    let cipher = |e: &Element| {
        let text = e.path(&["CipherData", "CipherValue"]).map(|v| v.text.as_str()).unwrap_or_default();
        B64.decode(text.split_whitespace().collect::<String>()).map_err(|_| failed())
    };
    let (key_method, data_method) = (method(wrapped_key), method(data));
    let oaep_digest = wrapped_key.path(&["EncryptionMethod", "DigestMethod"]).and_then(|d| d.attr("Algorithm"));
    if key_method != "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
        || oaep_digest.is_some_and(|d| d != "http://www.w3.org/2000/09/xmldsig#sha1")
    {
        return Err(format!("its assertion's key is encrypted with {key_method}; this server takes rsa-oaep-mgf1p with SHA-1"));
    }
    let private = aws_lc_rs::rsa::PrivateDecryptingKey::from_pkcs8(key).map_err(|_| failed())?;
    let oaep = aws_lc_rs::rsa::OaepPrivateDecryptingKey::new(private).map_err(|_| failed())?;
    let wrapped = cipher(wrapped_key)?;
    let mut buffer = vec![0; oaep.min_output_size()];
    let secret = oaep.decrypt(&aws_lc_rs::rsa::OAEP_SHA1_MGF1SHA1, &wrapped, &mut buffer, None).map_err(|_| failed())?.to_vec();
    let mut data = cipher(data)?;
    let plain = match data_method.as_str() {
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc" | "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => {
            let algorithm = if secret.len() == 16 { &AES_128 } else { &AES_256 };
            if data.len() < 32 || data.len() % 16 != 0 {
                return Err(failed());
            }
            let (iv, body) = data.split_at_mut(16);
            let iv: [u8; 16] = iv.try_into().map_err(|_| failed())?;
            let key = UnboundCipherKey::new(algorithm, &secret).map_err(|_| failed())?;
            // XML Encryption pads as ISO 10126: the last byte counts the padding.
            let decrypting = PaddedBlockDecryptingKey::cbc_iso10126(key).map_err(|_| failed())?;
            decrypting.decrypt(body, DecryptionContext::Iv128(iv.into())).map_err(|_| failed())?.to_vec()
        }
        "http://www.w3.org/2009/xmlenc11#aes128-gcm" | "http://www.w3.org/2009/xmlenc11#aes256-gcm" => {
            use aws_lc_rs::aead::{AES_128_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
            let algorithm = if secret.len() == 16 { &AES_128_GCM } else { &AES_256_GCM };
            if data.len() < 12 + 16 {
                return Err(failed());
            }
            let (nonce, body) = data.split_at_mut(12);
            let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| failed())?;
            let key = LessSafeKey::new(UnboundKey::new(algorithm, &secret).map_err(|_| failed())?);
            key.open_in_place(nonce, Aad::empty(), body).map_err(|_| failed())?.to_vec()
        }
        other => return Err(format!("its assertion is encrypted with {other}; this server takes AES-128 or AES-256, CBC or GCM")),
    };
    if (data_method.contains("128") && secret.len() != 16) || (data_method.contains("256") && secret.len() != 32) {
        return Err(failed());
    }
    String::from_utf8(plain).map_err(|_| failed())
}

/// How many elements with one of `names` (local names) a document holds.
fn count_elements(xml: &str, names: &[&[u8]]) -> Result<usize, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut count = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) if names.contains(&e.local_name().as_ref()) => {
                count += 1
            }
            Ok(quick_xml::events::Event::Eof) => return Ok(count),
            Ok(_) => {}
            Err(e) => return Err(format!("the document is not well-formed XML: {e}")),
        }
    }
}

/// `envelope`: the signed response around the assertion, if the response is signed.
fn check_assertion(envelope: Option<&Element>, a: &samael::schema::Assertion, expected: &Expected) -> Result<SignedIn, String> {
    let now = expected.now_ms;
    if let (Some(r), Some(delivery)) = (envelope, expected.delivery) {
        if r.attr("Destination").is_some_and(|d| d != delivery.acs) {
            return Err(format!("its Destination is not {}", delivery.acs));
        }
        if r.attr("InResponseTo").is_some() && r.attr("InResponseTo") != delivery.in_response_to {
            return Err("it answers another request (InResponseTo)".into());
        }
    }
    if let Some(r) = envelope
        && r.child("Issuer").is_some_and(|i| i.text.trim() != expected.idp.entity_id)
    {
        return Err(format!("its response Issuer is not {}", expected.idp.entity_id));
    }
    if a.issuer.value.as_deref() != Some(expected.idp.entity_id.as_str()) {
        return Err(format!("its Issuer is not the provider's entity id {}", expected.idp.entity_id));
    }
    let subject = a.subject.as_ref().ok_or("its assertion has no Subject")?;
    let name_id = subject.name_id.as_ref().filter(|n| !n.value.trim().is_empty()).ok_or("its Subject has no NameID")?;
    let confirmation = subject
        .subject_confirmations
        .iter()
        .flatten()
        .find(|c| c.method.as_deref() == Some(BEARER))
        .and_then(|c| c.subject_confirmation_data.as_ref())
        .ok_or("its Subject has no bearer SubjectConfirmationData")?;
    if let Some(delivery) = expected.delivery {
        if confirmation.recipient.as_deref() != Some(delivery.acs) {
            return Err(format!("its Recipient is not {}", delivery.acs));
        }
        if confirmation.in_response_to.as_deref() != delivery.in_response_to {
            return Err(match delivery.in_response_to {
                Some(_) => "it does not answer the request this sign-in sent (InResponseTo)".into(),
                None => "it answers a request, but this sign-in began at the identity provider".into(),
            });
        }
        if delivery.in_response_to.is_none() && a.issue_instant.timestamp_millis() + IDP_INITIATED_AGE_MS < now {
            return Err("it was issued more than six minutes ago, too long for a sign-in begun at the identity provider".into());
        }
    }
    let confirm_until =
        confirmation.not_on_or_after.map(|t| t.timestamp_millis()).ok_or("its SubjectConfirmationData has no NotOnOrAfter")?;
    if confirm_until + SKEW_MS <= now {
        return Err("it has expired (SubjectConfirmationData NotOnOrAfter)".into());
    }
    let conditions = a.conditions.as_ref().ok_or("its assertion has no Conditions")?;
    if conditions.not_before.map(|t| t.timestamp_millis()).is_some_and(|t| t > now + SKEW_MS) {
        return Err("it is not valid yet (Conditions NotBefore)".into());
    }
    let until = conditions.not_on_or_after.map(|t| t.timestamp_millis());
    if until.is_some_and(|t| t + SKEW_MS <= now) {
        return Err("it has expired (Conditions NotOnOrAfter)".into());
    }
    let audiences: Vec<&String> = conditions.audience_restrictions.iter().flatten().flat_map(|r| &r.audience).collect();
    if !audiences.iter().any(|a| expected.audiences.contains(&a.as_str())) {
        return Err(format!("its audience is not {}", expected.audiences.join(" or ")));
    }
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for attribute in a.attribute_statements.iter().flatten().flat_map(|s| &s.attributes) {
        if let Some(name) = &attribute.name {
            let values = attributes.entry(name.clone()).or_default();
            values.extend(attribute.values.iter().filter_map(|v| v.value.clone()));
        }
    }
    let session_index = a.authn_statements.iter().flatten().find_map(|s| s.session_index.clone());
    Ok(SignedIn {
        assertion_id: a.id.clone(),
        name_id: name_id.value.trim().to_owned(),
        name_id_format: name_id.format.clone(),
        session_index,
        attributes,
        valid_until_ms: until.unwrap_or(confirm_until).max(confirm_until),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metadata for an IdP whose certificate is valid until `not_after` (unix seconds).
    fn metadata(not_after: i64, sso_binding: &str) -> String {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["idp.example".into()]).unwrap();
        params.not_before = time::OffsetDateTime::from_unix_timestamp(not_after - 86_400 * 30).unwrap();
        params.not_after = time::OffsetDateTime::from_unix_timestamp(not_after).unwrap();
        let cert = B64.encode(params.self_signed(&key).unwrap().der());
        format!(
            r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example/meta">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{cert}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="{REDIRECT_BINDING}" Location="https://idp.example/slo"/>
    <md:SingleSignOnService Binding="{sso_binding}" Location="https://idp.example/sso?tenant=1"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
        )
    }

    const NOW_MS: i64 = 1_800_000_000_000;

    #[test]
    fn metadata_names_the_entity_its_endpoints_and_its_certificates() {
        let read = read_metadata(&metadata(NOW_MS / 1000 + 86_400, REDIRECT_BINDING), NOW_MS).unwrap();
        assert_eq!(read.entity_id, "https://idp.example/meta");
        assert_eq!(read.sso_redirect, "https://idp.example/sso?tenant=1");
        assert_eq!(read.slo_redirect.as_deref(), Some("https://idp.example/slo"));
        assert_eq!(read.signing_certs.len(), 1);
    }

    #[test]
    fn metadata_that_cannot_serve_is_refused() {
        let expired = read_metadata(&metadata(NOW_MS / 1000 - 60, REDIRECT_BINDING), NOW_MS).unwrap_err();
        assert!(expired.contains("expired"), "{expired}");
        let post_only = read_metadata(&metadata(NOW_MS / 1000 + 86_400, POST_BINDING), NOW_MS).unwrap_err();
        assert!(post_only.contains("HTTP-Redirect"), "{post_only}");
        let doctype = format!("<!DOCTYPE x>{}", metadata(NOW_MS / 1000 + 86_400, REDIRECT_BINDING));
        assert!(read_metadata(&doctype, NOW_MS).unwrap_err().contains("DOCTYPE"));
        assert!(read_metadata("<html/>", NOW_MS).is_err());
    }

    #[test]
    fn instants_are_written_as_saml_writes_them() {
        assert_eq!(instant(0), "1970-01-01T00:00:00Z");
        assert_eq!(instant(1_765_053_559_999), "2025-12-06T20:39:19Z");
    }

    #[test]
    fn a_redirect_carries_the_deflated_message_and_a_signature_over_the_query() {
        let key = rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).unwrap();
        let request = authn_request("_abc", NOW_MS, "urn:amazon:cognito:sp:pool", "https://idp.example/sso", "https://d/saml2/idpresponse");
        let url = redirect("https://idp.example/sso?tenant=1", "SAMLRequest", &request, "relay&state", Some(&key.serialize_der())).unwrap();
        let (_, query) = url.split_once("?tenant=1&").unwrap();
        let pairs: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        assert_eq!(pairs["RelayState"], "relay&state");
        assert_eq!(pairs["SigAlg"], RSA_SHA256);
        let deflated = B64.decode(&pairs["SAMLRequest"]).unwrap();
        let mut inflated = String::new();
        std::io::Read::read_to_string(&mut flate2::read::DeflateDecoder::new(deflated.as_slice()), &mut inflated).unwrap();
        assert_eq!(inflated, request);
        // The signature covers the query as sent, up to (not including) `&Signature=`.
        let signed = query.split("&Signature=").next().unwrap();
        let public = aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, key.public_key_raw());
        let signature = B64.decode(&pairs["Signature"]).unwrap();
        public.verify(signed.as_bytes(), &signature).expect("the query's signature verifies with the key's public half");
        assert!(public.verify(b"SAMLRequest=other", &signature).is_err());
        assert!(redirect("https://idp.example/sso", "SAMLRequest", &request, "r", None).unwrap().ends_with("&RelayState=r"));
    }

    #[test]
    fn requests_escape_what_they_carry() {
        let request = authn_request("_a\"b", NOW_MS, "sp<&>", "https://idp/sso?a=1&b=2", "acs");
        assert!(request.contains(r#"ID="_a&quot;b""#) && request.contains("sp&lt;&amp;&gt;") && request.contains("a=1&amp;b=2"));
    }

    #[test]
    fn the_envelope_reader_takes_predefined_entities_only() {
        let read = Element::parse(r#"<p:R xmlns:p="u" A="x&amp;y"><p:S>a&lt;b&#65;</p:S></p:R>"#).unwrap();
        assert_eq!((read.name.as_str(), read.attr("A")), ("R", Some("x&y")));
        assert_eq!(read.child("S").unwrap().text, "a<bA");
        assert!(Element::parse("<R>&custom;</R>").unwrap_err().contains("entity"));
        assert!(Element::parse("<R><S></R>").is_err());
    }

    fn response_for(xml: &str) -> Result<SignedIn, String> {
        let idp = read_metadata(&metadata(NOW_MS / 1000 + 86_400, REDIRECT_BINDING), NOW_MS).unwrap();
        let expected = Expected {
            idp: &idp,
            audiences: &["urn:amazon:cognito:sp:p"],
            delivery: Some(Delivery { acs: "https://d/saml2/idpresponse", in_response_to: None }),
            now_ms: NOW_MS,
        };
        read_response(&B64.encode(xml), &expected, None)
    }

    #[test]
    fn responses_are_refused_before_any_signature_is_looked_at() {
        let success = r#"<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>"#;
        let envelope = |inner: &str| {
            format!(
                r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Version="2.0" IssueInstant="2027-01-15T08:00:00Z">{inner}</samlp:Response>"#
            )
        };
        let refused = envelope(
            r#"<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"/><samlp:StatusMessage>no such user</samlp:StatusMessage></samlp:Status>"#,
        );
        assert_eq!(response_for(&refused).unwrap_err(), "the identity provider answered Responder: no such user");
        let two = envelope(&format!("{success}<saml:Assertion ID=\"a\"/><saml:Assertion ID=\"b\"/>"));
        assert!(response_for(&two).unwrap_err().contains("exactly one assertion"));
        let unsigned = envelope(&format!("{success}<saml:Assertion ID=\"a\" Version=\"2.0\" IssueInstant=\"2027-01-15T08:00:00Z\"/>"));
        assert!(response_for(&unsigned).unwrap_err().contains("signature"));
        assert!(response_for("<Assertion/>").unwrap_err().contains("not a Response"));
        assert!(response_for(&format!("<!DOCTYPE r>{}", envelope(success))).unwrap_err().contains("DOCTYPE"));
        let encrypted = envelope(&format!("{success}<saml:EncryptedAssertion/>"));
        assert!(response_for(&encrypted).unwrap_err().contains("EncryptedResponses"));
    }
}
