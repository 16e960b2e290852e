//! SAML 2.0 identity providers: their `ProviderDetails` (metadata from `MetadataFile` or
//! `MetadataURL`, `IDPInit`, `EncryptedResponses`, `RequestSigningAlgorithm`), the pool's
//! signing certificate (GetSigningCertificate), and sign-in through them: an AuthnRequest sent
//! by HTTP-Redirect, the Response posted back to `<domain base>/saml2/idpresponse`, checked
//! by [`crate::saml`], and its NameID made the pool's user `<provider>_<NameID>`.
//!
//! Keys are Cognito's shape: RSA-2048 with a self-signed certificate, `CN=<poolId>`, ten
//! years. The pool's signing key is made on first use and kept sealed among the server's
//! secrets; each provider that encrypts gets a key pair of its own, sealed with its details.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use pooldesk_wire::cognito_idp::{self as w, IdentityProviderTypeType as Kind};
use serde_json::{Map, Value};

use super::federation::{FEDERATION_TTL_MS, PendingFederation, pending_key, refused};
use super::{SamlSession, UserPools};
use crate::error::{Error, Result};
use crate::saml::{self, IdpMetadata};
use crate::store::{ChallengeRecord, Domain, IdentityProvider};
use crate::web::is_acceptable_url;

/// The detail keys a user gives a SAML provider.
const GIVEN: [&str; 6] = ["MetadataFile", "MetadataURL", "IDPSignout", "IDPInit", "EncryptedResponses", "RequestSigningAlgorithm"];
/// The ones PoolDesk fills in from the metadata and the provider's key.
const FILLED: [&str; 3] = ["SSORedirectBindingURI", "SLORedirectBindingURI", "ActiveEncryptionCertificate"];
/// The provider's own encryption key (PKCS#8), sealed at rest and never described.
pub(crate) const ENCRYPTION_KEY: &str = "EncryptionPrivateKey";
/// How long metadata read from a URL is used before it is read again.
const METADATA_TTL_MS: i64 = 6 * 60 * 60 * 1000;
/// The least time between two reads of one metadata URL after a signature failed to verify.
const METADATA_REFETCH_MS: i64 = 2_000;
/// The most metadata PoolDesk reads from a URL.
const METADATA_MAX_BYTES: usize = 1 << 20;
/// How long an assertion's ID is remembered against replay when it says nothing itself.
const REPLAY_FLOOR_MS: i64 = 10 * 60 * 1000;

/// Pools' SAML signing keys and certificates, once read from the store.
#[derive(Default)]
pub(super) struct SigningKeys(Mutex<HashMap<String, Arc<CertifiedKey>>>);

/// A private key (PKCS#8) and its certificate (DER).
struct CertifiedKey {
    key: Vec<u8>,
    cert: Vec<u8>,
}

/// Metadata read from `MetadataURL`s, by URL, with when it was read.
#[derive(Default)]
pub(super) struct MetadataCache(Mutex<HashMap<String, (Arc<IdpMetadata>, i64)>>);

fn invalid(message: String) -> Error {
    Error::InvalidParameter(message)
}

fn is_true(details: &BTreeMap<String, String>, key: &str) -> bool {
    details.get(key).map(String::as_str) == Some("true")
}

/// An RSA-2048 key (PKCS#8) and its self-signed certificate (DER) as Cognito issues them.
fn certified_key(pool_id: &str, now_ms: i64, serial: [u8; 9]) -> Result<(Vec<u8>, Vec<u8>)> {
    use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_RSA_SHA256, RsaKeySize, SerialNumber};
    let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).map_err(Error::internal)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, pool_id);
    let from = time::OffsetDateTime::from_unix_timestamp(now_ms / 1000).map_err(Error::internal)?;
    params.not_before = from;
    params.not_after = from + time::Duration::days(3650);
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    let cert = params.self_signed(&key).map_err(Error::internal)?;
    Ok((key.serialize_der(), cert.der().to_vec()))
}

impl UserPools {
    /// Checks a SAML provider's details, reads its metadata, and fills in what Cognito does.
    /// `old`: the details it had (an update keeps its encryption key).
    pub(super) fn saml_details(
        &self,
        pool_id: &str,
        given: BTreeMap<String, String>,
        old: Option<&BTreeMap<String, String>>,
    ) -> Result<BTreeMap<String, String>> {
        let mut details = BTreeMap::new();
        for (key, value) in given {
            if GIVEN.contains(&key.as_str()) {
                details.insert(key, value);
            } else if key == ENCRYPTION_KEY {
                // Only ever the one it had, which an update carries over.
                if old.and_then(|o| o.get(ENCRYPTION_KEY)) != Some(&value) {
                    return Err(invalid("ProviderDetails.EncryptionPrivateKey is made by this server; it cannot be given.".into()));
                }
            } else if !FILLED.contains(&key.as_str()) {
                return Err(invalid(format!("ProviderDetails.{key} is not a detail of SAML providers (they take {}).", GIVEN.join(", "))));
            }
        }
        for key in ["IDPSignout", "IDPInit", "EncryptedResponses"] {
            match details.get(key).map(String::as_str) {
                None => {}
                Some("true" | "false") => {}
                Some(other) => return Err(invalid(format!("ProviderDetails.{key} must be true or false, not {other}."))),
            }
        }
        if let Some(alg) = details.get("RequestSigningAlgorithm")
            && alg != "rsa-sha256"
        {
            return Err(invalid(format!("ProviderDetails.RequestSigningAlgorithm must be rsa-sha256, not {alg}.")));
        }
        let text = match (details.get("MetadataFile"), details.get("MetadataURL")) {
            (Some(file), None) => {
                if file.len() > 131_072 {
                    return Err(invalid("ProviderDetails.MetadataFile is longer than 131,072 characters.".into()));
                }
                file.clone()
            }
            (None, Some(url)) => {
                if !is_acceptable_url(url) {
                    return Err(invalid(format!("ProviderDetails.MetadataURL must be an https URL (http only on loopback): {url}")));
                }
                self.fetch_metadata(url).map_err(invalid)?
            }
            _ => return Err(invalid("A SAML provider needs exactly one of ProviderDetails.MetadataFile and MetadataURL.".into())),
        };
        let metadata = saml::read_metadata(&text, self.now()).map_err(|e| invalid(format!("The SAML metadata cannot be used: {e}.")))?;
        if is_true(&details, "IDPSignout") && metadata.slo_redirect.is_none() {
            return Err(invalid(
                "IDPSignout needs a SingleLogoutService with the HTTP-Redirect binding, which the SAML metadata does not have.".into(),
            ));
        }
        details.insert("SSORedirectBindingURI".into(), metadata.sso_redirect.clone());
        if let Some(slo) = &metadata.slo_redirect {
            details.insert("SLORedirectBindingURI".into(), slo.clone());
        }
        if let Some(url) = details.get("MetadataURL") {
            self.saml_metadata.put(url, Arc::new(metadata), self.now());
        }
        if is_true(&details, "EncryptedResponses") {
            // A provider keeps its key for good, as Cognito's "public key doesn't change".
            let kept = old.and_then(|o| o.get(ENCRYPTION_KEY).zip(o.get("ActiveEncryptionCertificate")));
            let (key, cert) = match kept {
                Some((key, cert)) => (key.clone(), cert.clone()),
                None => {
                    let (key, cert) = certified_key(pool_id, self.now(), self.random.bytes()?)?;
                    (B64.encode(key), B64.encode(cert))
                }
            };
            details.insert(ENCRYPTION_KEY.into(), key);
            details.insert("ActiveEncryptionCertificate".into(), cert);
        }
        Ok(details)
    }

    /// `GET MetadataURL`: the metadata's text.
    fn fetch_metadata(&self, url: &str) -> std::result::Result<String, String> {
        let web = self.web.as_ref().ok_or("This server cannot reach identity providers to read their metadata.")?;
        let (status, text) = web.get_text(url, METADATA_MAX_BYTES).map_err(|e| format!("Could not read the SAML metadata {url}: {e}"))?;
        if status != 200 {
            return Err(format!("Could not read the SAML metadata {url}: it answered HTTP {status}"));
        }
        Ok(text)
    }

    /// The provider's metadata: its file, or its URL's, read again after METADATA_TTL_MS or
    /// (`stale`) when what was read did not verify a response.
    fn provider_metadata(&self, provider: &IdentityProvider, stale: bool) -> Result<Arc<IdpMetadata>> {
        let details = provider.config.provider_details.clone().unwrap_or_default();
        let broken = |e: String| refused(format!("The SAML provider {}'s metadata cannot be used: {e}.", provider.name));
        let Some(url) = details.get("MetadataURL") else {
            return Ok(Arc::new(saml::read_metadata(details.get("MetadataFile").map_or("", String::as_str), self.now()).map_err(broken)?));
        };
        let now = self.now();
        if let Some((metadata, fetched)) = self.saml_metadata.get(url)
            && now - fetched < METADATA_TTL_MS
            && !(stale && now - fetched >= METADATA_REFETCH_MS)
        {
            return Ok(metadata);
        }
        let metadata = Arc::new(saml::read_metadata(&self.fetch_metadata(url).map_err(refused)?, now).map_err(broken)?);
        self.saml_metadata.put(url, metadata.clone(), now);
        Ok(metadata)
    }

    /// The pool's SAML signing key and certificate (PKCS#8, DER), made on first use.
    fn saml_signing_key(&self, pool_id: &str) -> Result<Arc<CertifiedKey>> {
        if let Some(pair) = self.saml_signing.0.lock().unwrap_or_else(|p| p.into_inner()).get(pool_id) {
            return Ok(pair.clone());
        }
        let name = format!("saml-signing:{pool_id}");
        // Made before asking: the store keeps the first one written, so two servers making one
        // at once still agree.
        let (key, cert) = certified_key(pool_id, self.now(), self.random.bytes()?)?;
        let fresh = serde_json::json!({"key": B64.encode(key), "cert": B64.encode(cert)}).to_string().into_bytes();
        let stored = self.store.server_secret(&name, &|| fresh.clone())?;
        let pair: Value = serde_json::from_slice(&stored).map_err(Error::internal)?;
        let field = |k: &str| {
            pair[k].as_str().and_then(|v| B64.decode(v).ok()).ok_or_else(|| Error::internal(anyhow::anyhow!("{name} is damaged")))
        };
        let pair = Arc::new(CertifiedKey { key: field("key")?, cert: field("cert")? });
        let mut cache = self.saml_signing.0.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= 1024 {
            cache.clear();
        }
        cache.insert(pool_id.to_owned(), pair.clone());
        Ok(pair)
    }

    pub(super) fn op_get_signing_certificate(&self, r: w::GetSigningCertificateRequest) -> Result<w::GetSigningCertificateResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let pair = self.saml_signing_key(&pool.id)?;
        Ok(w::GetSigningCertificateResponse { certificate: Some(B64.encode(&pair.cert)) })
    }

    /// Where the browser goes to sign in at the SAML `provider`: its SSO endpoint with an
    /// AuthnRequest, and a RelayState that brings it back to this request (`query`).
    pub(super) fn saml_start(&self, domain: &Domain, provider: &IdentityProvider, query: &str) -> Result<String> {
        let details = provider.config.provider_details.clone().unwrap_or_default();
        let metadata = self.provider_metadata(provider, false)?;
        let relay_state = self.random.token()?;
        let request_id = format!("_{}", hex::encode(self.random.bytes::<20>()?));
        let pending = PendingFederation {
            query: query.to_owned(),
            domain: domain.domain.clone(),
            provider: provider.name.clone(),
            nonce: String::new(),
            verifier: String::new(),
            request_id: Some(request_id.clone()),
        };
        self.store.put_challenge(&ChallengeRecord {
            id: pending_key(&relay_state),
            pool_id: provider.pool_id.clone(),
            state: serde_json::to_string(&pending).map_err(Error::internal)?,
            // Cognito cancels a SAML request after five minutes.
            expires_ms: self.now() + FEDERATION_TTL_MS.min(5 * 60 * 1000),
        })?;
        let request = saml::authn_request(
            &request_id,
            self.now(),
            &saml::sp_entity_id(&provider.pool_id),
            &metadata.sso_redirect,
            &self.saml_response_url(&domain.domain),
        );
        let key = match details.get("RequestSigningAlgorithm") {
            Some(_) => Some(self.saml_signing_key(&provider.pool_id)?),
            None => None,
        };
        saml::redirect(&metadata.sso_redirect, "SAMLRequest", &request, &relay_state, key.as_ref().map(|k| k.key.as_slice()))
            .map_err(|e| Error::internal(anyhow::anyhow!(e)))
    }

    /// `<domain base>/saml2/idpresponse`: where SAML providers post their responses.
    pub fn saml_response_url(&self, domain: &str) -> String {
        format!("{}/saml2/idpresponse", self.domain_base_url(domain))
    }

    /// A SAML provider posted `response` with `relay_state`: the user it signed in and the
    /// authorization request to finish for them. The RelayState is either one this server
    /// sent (SP-initiated) or, for a provider with `IDPInit`, the authorization request itself
    /// (`identity_provider`, `client_id`, `redirect_uri`, `response_type`, `scope`, `state`).
    pub fn saml_finish(&self, domain: &Domain, response: &str, relay_state: Option<&str>) -> Result<(String, String, SamlSession)> {
        let sent = match relay_state {
            Some(relay) => {
                let key = pending_key(relay);
                match self.store.get_challenge(&key)? {
                    Some(record) => {
                        if !self.store.take_challenge(&key, self.now())? || record.expires_ms <= self.now() {
                            return Err(refused("This sign-in expired or was already finished."));
                        }
                        Some(serde_json::from_str::<PendingFederation>(&record.state).map_err(Error::internal)?)
                    }
                    None => None,
                }
            }
            None => None,
        };
        let (query, provider_name, request_id) = match sent {
            Some(pending) => {
                if pending.domain != domain.domain {
                    return Err(refused("This sign-in began at another domain."));
                }
                (pending.query, pending.provider, pending.request_id)
            }
            None => {
                let query = relay_state.unwrap_or_default().to_owned();
                let name = url::form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == "identity_provider")
                    .map(|(_, v)| v.into_owned())
                    .ok_or_else(|| {
                        refused(
                            "This SAML response answers no sign-in in progress (it expired or was already used), and its \
                             RelayState is not an authorization request for a provider set to IDPInit.",
                        )
                    })?;
                (query, name, None)
            }
        };
        let provider = self.identity_provider(&domain.pool_id, &provider_name)?;
        if provider.config.provider_type != Some(Kind::Saml) {
            return Err(refused(format!("{provider_name} is not a SAML provider.")));
        }
        let details = provider.config.provider_details.clone().unwrap_or_default();
        if request_id.is_none() && !is_true(&details, "IDPInit") {
            return Err(refused(format!(
                "The SAML provider {provider_name} is not set to begin sign-ins itself (IDPInit); sign in from the app."
            )));
        }
        let acs = self.saml_response_url(&domain.domain);
        let audience = saml::sp_entity_id(&provider.pool_id);
        let encryption_key = match is_true(&details, "EncryptedResponses") {
            true => Some(B64.decode(details.get(ENCRYPTION_KEY).map_or("", String::as_str)).map_err(Error::internal)?),
            false => None,
        };
        let decrypt = encryption_key.as_ref().map(|key| move |xml: &str| saml::decrypt_assertion(xml, key));
        let decrypt = decrypt.as_ref().map(|d| d as saml::Decrypt);
        let check = |metadata: &IdpMetadata| {
            let expected = saml::Expected {
                idp: metadata,
                audiences: &[&audience],
                delivery: Some(saml::Delivery { acs: &acs, in_response_to: request_id.as_deref() }),
                now_ms: self.now(),
            };
            saml::read_response(response, &expected, decrypt)
        };
        let metadata = self.provider_metadata(&provider, false)?;
        let signed_in = match check(&metadata) {
            // The provider may have rolled its certificate: its metadata is read again, once.
            Err(e) if e.contains("signature") && details.contains_key("MetadataURL") => check(&*self.provider_metadata(&provider, true)?),
            other => other,
        }
        .map_err(|e| refused(format!("The SAML response of {provider_name} is not valid: {e}.")))?;
        let sub = self.saml_user(&provider, &signed_in)?;
        let session = SamlSession {
            provider: provider.name.clone(),
            name_id: signed_in.name_id,
            name_id_format: signed_in.name_id_format,
            session_index: signed_in.session_index,
        };
        Ok((query, sub, session))
    }

    /// The pool's user for a verified assertion, which signs in once (its ID is remembered
    /// until it expires).
    fn saml_user(&self, provider: &IdentityProvider, signed_in: &saml::SignedIn) -> Result<String> {
        let seen = format!("saml-{}", crate::tokens::sha256_hex(&format!("{}\n{}", provider.name, signed_in.assertion_id)));
        if !self.store.use_once(&seen, signed_in.valid_until_ms.max(self.now() + REPLAY_FLOOR_MS), self.now())? {
            return Err(refused("This SAML assertion was already used to sign in."));
        }
        let mut claims = Map::new();
        for (name, values) in &signed_in.attributes {
            // Several values read as Cognito writes them: "[a, b]".
            let text = match values.as_slice() {
                [one] => one.clone(),
                many => format!("[{}]", many.join(", ")),
            };
            claims.insert(name.clone(), Value::String(text));
        }
        self.federated_user(provider, &signed_in.name_id, &claims)
    }

    /// A SAML provider's assertion presented to the token exchange: the user it names (made or
    /// refreshed as at a sign-in through the pages) and until when the assertion holds.
    pub(super) fn saml_token_user(&self, provider: &IdentityProvider, token: &str) -> Result<(String, i64)> {
        let metadata = self.provider_metadata(provider, false)?;
        let audience = saml::sp_entity_id(&provider.pool_id);
        let expected = saml::Expected { idp: &metadata, audiences: &[&audience], delivery: None, now_ms: self.now() };
        let signed_in = saml::read_assertion(token, &expected)
            .map_err(|e| Error::NotAuthorized(format!("The SAML assertion of {} is not valid: {e}.", provider.name)))?;
        let sub = self.saml_user(provider, &signed_in)?;
        Ok((sub, signed_in.valid_until_ms))
    }

    /// `/logout` for a session a SAML provider with `IDPSignout` began: where the browser goes
    /// to sign out there (a signed LogoutRequest by HTTP-Redirect) before it is sent on to
    /// `then`. None when the provider does not sign out (or is gone).
    pub fn saml_logout_start(&self, domain: &Domain, session: &SamlSession, then: &str) -> Result<Option<String>> {
        let Some(provider) = self.store.get_identity_provider(&domain.pool_id, &session.provider)? else { return Ok(None) };
        let details = provider.config.provider_details.clone().unwrap_or_default();
        if provider.config.provider_type != Some(Kind::Saml) || !is_true(&details, "IDPSignout") {
            return Ok(None);
        }
        let metadata = self.provider_metadata(&provider, false)?;
        let Some(slo) = metadata.slo_redirect.clone() else { return Ok(None) };
        let relay_state = self.random.token()?;
        let request_id = format!("_{}", hex::encode(self.random.bytes::<20>()?));
        let pending = PendingLogout {
            domain: domain.domain.clone(),
            provider: provider.name.clone(),
            request_id: request_id.clone(),
            then: then.to_owned(),
        };
        self.store.put_challenge(&ChallengeRecord {
            id: logout_key(&relay_state),
            pool_id: provider.pool_id.clone(),
            state: serde_json::to_string(&pending).map_err(Error::internal)?,
            expires_ms: self.now() + 5 * 60 * 1000,
        })?;
        let request = saml::logout_request(
            &request_id,
            self.now(),
            &saml::sp_entity_id(&provider.pool_id),
            &slo,
            &session.name_id,
            session.name_id_format.as_deref(),
            session.session_index.as_deref(),
        );
        // Cognito signs every LogoutRequest with the pool's key.
        let key = self.saml_signing_key(&provider.pool_id)?;
        saml::redirect(&slo, "SAMLRequest", &request, &relay_state, Some(&key.key))
            .map(Some)
            .map_err(|e| Error::internal(anyhow::anyhow!(e)))
    }

    /// `<domain base>/saml2/logout`: the provider's LogoutResponse to a LogoutRequest sent
    /// with `relay_state`; where the browser goes on to (the `logout_uri`, or the sign-in page).
    pub fn saml_logout_finish(&self, domain: &Domain, response: &str, relay_state: &str) -> Result<String> {
        let key = logout_key(relay_state);
        let record =
            self.store.get_challenge(&key)?.ok_or_else(|| refused("This sign-out is unknown, expired, or was already finished."))?;
        if !self.store.take_challenge(&key, self.now())? || record.expires_ms <= self.now() {
            return Err(refused("This sign-out is unknown, expired, or was already finished."));
        }
        let pending: PendingLogout = serde_json::from_str(&record.state).map_err(Error::internal)?;
        if pending.domain != domain.domain {
            return Err(refused("This sign-out began at another domain."));
        }
        let provider = self.identity_provider(&record.pool_id, &pending.provider)?;
        let metadata = self.provider_metadata(&provider, false)?;
        saml::read_logout_response(response, &metadata, &pending.request_id)
            .map_err(|e| refused(format!("The SAML logout response of {} is not valid: {e}.", provider.name)))?;
        Ok(pending.then)
    }
}

/// What is remembered while the browser signs out at a SAML provider.
#[derive(serde::Serialize, serde::Deserialize)]
struct PendingLogout {
    domain: String,
    provider: String,
    request_id: String,
    /// Where the browser goes once signed out there.
    then: String,
}

fn logout_key(relay_state: &str) -> String {
    format!("slo-{}", crate::tokens::sha256_hex(relay_state))
}

impl MetadataCache {
    fn get(&self, url: &str) -> Option<(Arc<IdpMetadata>, i64)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(url).cloned()
    }

    fn put(&self, url: &str, metadata: Arc<IdpMetadata>, now_ms: i64) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= 256 {
            map.clear();
        }
        map.insert(url.to_owned(), (metadata, now_ms));
    }
}
