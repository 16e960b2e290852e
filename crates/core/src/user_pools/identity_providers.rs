//! Identity providers a pool signs users in through: CreateIdentityProvider and its siblings,
//! with Cognito's checks of each type's `ProviderDetails` and the keys Cognito fills in itself
//! (an OIDC provider's endpoints, discovered from its issuer; a social provider's fixed URLs).
//!
//! Sign-in through OIDC and social providers is `federation`'s, through SAML providers
//! `saml_providers`'s (which also checks their details).

use std::collections::BTreeMap;

use pooldesk_wire::cognito_idp::{self as w, IdentityProviderTypeType as Kind};
use serde_json::Value;

use super::UserPools;
use super::attributes;
use crate::clock::to_wire;
use crate::error::{Error, Result};
use crate::store::{IdentityProvider, StoreError};
use crate::web::is_acceptable_url;

/// The providers' names users give in `SupportedIdentityProviders` and `identity_provider`
/// besides their own: the pool's users with passwords.
pub const COGNITO: &str = "COGNITO";

/// A social provider's required detail keys, and the keys Cognito fills in with their values.
type SocialDetails = (&'static [&'static str], Vec<(&'static str, String)>);

/// The keys a social provider's details must have, and the ones Cognito fills in (from the
/// model's documentation of `ProviderDetails`).
fn social_details(kind: Kind, details: &BTreeMap<String, String>) -> Option<SocialDetails> {
    let filled = |pairs: &[(&'static str, &str)]| pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect::<Vec<_>>();
    Some(match kind {
        Kind::Google => (
            &["client_id", "client_secret", "authorize_scopes"],
            filled(&[
                ("attributes_url", "https://people.googleapis.com/v1/people/me?personFields="),
                ("attributes_url_add_attributes", "true"),
                ("authorize_url", "https://accounts.google.com/o/oauth2/v2/auth"),
                ("oidc_issuer", "https://accounts.google.com"),
                ("token_request_method", "POST"),
                ("token_url", "https://www.googleapis.com/oauth2/v4/token"),
            ]),
        ),
        Kind::Facebook => {
            let version = details.get("api_version").map_or("v17.0", String::as_str);
            (
                &["client_id", "client_secret", "authorize_scopes"],
                vec![
                    ("api_version", version.to_owned()),
                    ("attributes_url", format!("https://graph.facebook.com/{version}/me?fields=")),
                    ("attributes_url_add_attributes", "true".to_owned()),
                    ("authorize_url", format!("https://www.facebook.com/{version}/dialog/oauth")),
                    ("token_request_method", "GET".to_owned()),
                    ("token_url", format!("https://graph.facebook.com/{version}/oauth/access_token")),
                ],
            )
        }
        Kind::LoginWithAmazon => (
            &["client_id", "client_secret", "authorize_scopes"],
            filled(&[
                ("attributes_url", "https://api.amazon.com/user/profile"),
                ("attributes_url_add_attributes", "false"),
                ("authorize_url", "https://www.amazon.com/ap/oa"),
                ("token_request_method", "POST"),
                ("token_url", "https://api.amazon.com/auth/o2/token"),
            ]),
        ),
        Kind::SignInWithApple => (
            &["client_id", "team_id", "key_id", "private_key", "authorize_scopes"],
            filled(&[
                ("attributes_url_add_attributes", "false"),
                ("authorize_url", "https://appleid.apple.com/auth/authorize"),
                ("oidc_issuer", "https://appleid.apple.com"),
                ("token_request_method", "POST"),
                ("token_url", "https://appleid.apple.com/auth/token"),
            ]),
        ),
        Kind::Oidc | Kind::Saml => return None,
    })
}

/// The provider attribute a federated user's username comes from, per type.
pub(super) fn username_claim(kind: Kind) -> &'static str {
    match kind {
        Kind::Facebook => "id",
        Kind::LoginWithAmazon => "user_id",
        _ => "sub",
    }
}

/// Sign in with Apple's key: a P-256 private key in PKCS#8 PEM (Apple's `.p8` file).
fn check_apple_key(pem: &str) -> Result<()> {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).map(str::trim).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).unwrap_or_default();
    aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(&aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING, &der)
        .map(|_| ())
        .map_err(|_| invalid("ProviderDetails.private_key must be Apple's P-256 private key in PEM (the .p8 file).".into()))
}

fn invalid(message: String) -> Error {
    Error::InvalidParameter(message)
}

impl UserPools {
    pub(super) fn identity_provider(&self, pool_id: &str, name: &str) -> Result<IdentityProvider> {
        self.store
            .get_identity_provider(pool_id, name)?
            .ok_or_else(|| Error::ResourceNotFound(format!("Identity provider {name} does not exist.")))
    }

    /// Checks `details` for a provider of `kind` and adds what Cognito fills in.
    /// `old`: the details it had, when it is updated.
    fn complete_details(
        &self,
        pool_id: &str,
        kind: Kind,
        mut details: BTreeMap<String, String>,
        old: Option<&BTreeMap<String, String>>,
    ) -> Result<BTreeMap<String, String>> {
        let require = |details: &BTreeMap<String, String>, keys: &[&str]| -> Result<()> {
            match keys.iter().find(|k| details.get(**k).is_none_or(|v| v.trim().is_empty())) {
                Some(missing) => Err(invalid(format!("ProviderDetails.{missing} is required for a {} provider.", kind.as_str()))),
                None => Ok(()),
            }
        };
        match kind {
            Kind::Saml => self.saml_details(pool_id, details, old),
            Kind::Oidc => {
                require(&details, &["client_id", "authorize_scopes", "attributes_request_method", "oidc_issuer"])?;
                if !details["authorize_scopes"].split(' ').any(|s| s == "openid") {
                    return Err(invalid("ProviderDetails.authorize_scopes of an OIDC provider must include openid.".into()));
                }
                if !matches!(details["attributes_request_method"].as_str(), "GET" | "POST") {
                    return Err(invalid("ProviderDetails.attributes_request_method must be GET or POST.".into()));
                }
                const ENDPOINTS: [&str; 4] = ["authorize_url", "token_url", "attributes_url", "jwks_uri"];
                if !ENDPOINTS.iter().all(|k| details.contains_key(*k)) {
                    self.discover(&mut details)?;
                }
                for key in ["oidc_issuer"].iter().chain(&ENDPOINTS) {
                    if !is_acceptable_url(&details[*key]) {
                        return Err(invalid(format!(
                            "ProviderDetails.{key} must be an https URL (http only on this machine's loopback): {}",
                            details[*key]
                        )));
                    }
                }
                details.insert("attributes_url_add_attributes".into(), "false".into());
                Ok(details)
            }
            social => {
                let (required, filled) = social_details(social, &details).unwrap_or_default();
                require(&details, required)?;
                if social == Kind::SignInWithApple {
                    check_apple_key(&details["private_key"])?;
                }
                // Endpoints given explicitly (a mirror, an air-gapped copy, a test) are kept.
                for (key, value) in filled {
                    details.entry(key.to_owned()).or_insert(value);
                }
                for key in ["authorize_url", "token_url", "attributes_url", "oidc_issuer", "jwks_uri"] {
                    if let Some(url) = details.get(key)
                        && !is_acceptable_url(url.trim_end_matches('='))
                    {
                        return Err(invalid(format!("ProviderDetails.{key} must be an https URL (http only on loopback): {url}")));
                    }
                }
                Ok(details)
            }
        }
    }

    /// What `issuer`'s discovery document names, as CreateIdentityProvider fills it in.
    pub fn discover_oidc_provider(&self, issuer: &str) -> Result<BTreeMap<String, String>> {
        let mut details = BTreeMap::from([("oidc_issuer".to_owned(), issuer.to_owned())]);
        self.discover(&mut details)?;
        Ok(details)
    }

    /// Fills an OIDC provider's missing endpoints from `{oidc_issuer}/.well-known/openid-configuration`.
    fn discover(&self, details: &mut BTreeMap<String, String>) -> Result<()> {
        let issuer = details["oidc_issuer"].trim_end_matches('/').to_owned();
        if !is_acceptable_url(&issuer) {
            return Err(invalid(format!("ProviderDetails.oidc_issuer must be an https URL (http only on loopback): {issuer}")));
        }
        let web =
            self.web.as_ref().ok_or_else(|| invalid("This server cannot reach identity providers to discover their endpoints.".into()))?;
        let url = format!("{issuer}/.well-known/openid-configuration");
        let failed = |why: String| invalid(format!("Could not read the OIDC discovery document {url}: {why}"));
        let doc = web.get_json(&url, None).map_err(failed)?;
        if doc.status != 200 {
            return Err(failed(format!("it answered HTTP {}", doc.status)));
        }
        let found = |key: &str| doc.body.get(key).and_then(Value::as_str).map(str::to_owned);
        if found("issuer").as_deref().map(|i| i.trim_end_matches('/')) != Some(issuer.as_str()) {
            return Err(failed(format!("its issuer is not {issuer}")));
        }
        for (ours, theirs) in [
            ("authorize_url", "authorization_endpoint"),
            ("token_url", "token_endpoint"),
            ("attributes_url", "userinfo_endpoint"),
            ("jwks_uri", "jwks_uri"),
        ] {
            if !details.contains_key(ours) {
                let value = found(theirs).ok_or_else(|| failed(format!("it names no {theirs}")))?;
                details.insert(ours.to_owned(), value);
            }
        }
        Ok(())
    }

    /// Checks an attribute mapping (pool attribute → provider attribute) and adds the
    /// username's, which Cognito always maps.
    fn complete_mapping(&self, pool_id: &str, kind: Kind, mapping: Option<BTreeMap<String, String>>) -> Result<BTreeMap<String, String>> {
        let pool = self.pool(pool_id)?;
        let schema = attributes::schema(&pool);
        let mut mapping = mapping.unwrap_or_default();
        for (ours, theirs) in &mapping {
            let known = ours == "username" || schema.iter().any(|a| a.name.as_deref() == Some(ours.as_str()));
            if !known || ours == "sub" {
                return Err(invalid(format!("AttributeMapping names {ours}, which is not an attribute of this user pool.")));
            }
            if theirs.is_empty() || theirs.len() > 131_072 {
                return Err(invalid(format!("AttributeMapping.{ours} must name a provider attribute (1 to 131,072 characters).")));
            }
        }
        if kind != Kind::Saml {
            mapping.insert("username".into(), username_claim(kind).into());
        }
        Ok(mapping)
    }

    /// IdpIdentifiers are unique in the pool, and names of no other provider.
    fn check_identifiers(&self, pool_id: &str, name: &str, identifiers: &[String]) -> Result<()> {
        let mut after = None;
        loop {
            let page = self.store.list_identity_providers(pool_id, after.as_deref(), 50)?;
            for other in page.items.iter().filter(|p| p.name != name) {
                let theirs = other.config.idp_identifiers.as_deref().unwrap_or_default();
                if let Some(taken) = identifiers.iter().find(|i| theirs.contains(i)) {
                    return Err(Error::DuplicateProvider(format!(
                        "The identifier {taken} is already used by the provider {}.",
                        other.name
                    )));
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(()),
            }
        }
    }

    pub(super) fn op_create_identity_provider(&self, r: w::CreateIdentityProviderRequest) -> Result<w::CreateIdentityProviderResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let name = r.provider_name;
        if name == COGNITO {
            return Err(invalid("COGNITO names the pool's own users; choose another provider name.".into()));
        }
        if r.provider_type != Kind::Oidc && r.provider_type != Kind::Saml && name != r.provider_type.as_str() {
            return Err(invalid(format!("A {} provider must be named {0}.", r.provider_type.as_str())));
        }
        if r.acr_mapping.is_some() {
            return Err(invalid("AcrMapping is not supported by this server yet.".into()));
        }
        let details = self.complete_details(&pool.id, r.provider_type, r.provider_details, None)?;
        let mapping = self.complete_mapping(&pool.id, r.provider_type, r.attribute_mapping)?;
        let identifiers = r.idp_identifiers.unwrap_or_default();
        self.check_identifiers(&pool.id, &name, &identifiers)?;
        let now = self.now();
        let provider = IdentityProvider {
            pool_id: pool.id.clone(),
            name: name.clone(),
            config: w::IdentityProviderType {
                user_pool_id: Some(pool.id.clone()),
                provider_name: Some(name.clone()),
                provider_type: Some(r.provider_type),
                provider_details: Some(details),
                attribute_mapping: Some(mapping),
                idp_identifiers: Some(identifiers),
                acr_mapping: None,
                last_modified_date: None,
                creation_date: None,
            },
            created_ms: now,
            modified_ms: now,
        };
        self.store.create_identity_provider(&provider).map_err(|e| match e {
            StoreError::Conflict(_) => {
                Error::DuplicateProvider(format!("A provider with the name {name} already exists in this user pool."))
            }
            other => other.into(),
        })?;
        Ok(w::CreateIdentityProviderResponse { identity_provider: describe(&provider) })
    }

    pub(super) fn op_describe_identity_provider(
        &self,
        r: w::DescribeIdentityProviderRequest,
    ) -> Result<w::DescribeIdentityProviderResponse> {
        self.pool(&r.user_pool_id)?;
        Ok(w::DescribeIdentityProviderResponse { identity_provider: describe(&self.identity_provider(&r.user_pool_id, &r.provider_name)?) })
    }

    pub(super) fn op_update_identity_provider(&self, r: w::UpdateIdentityProviderRequest) -> Result<w::UpdateIdentityProviderResponse> {
        self.pool(&r.user_pool_id)?;
        let mut provider = self.identity_provider(&r.user_pool_id, &r.provider_name)?;
        if r.acr_mapping.is_some() {
            return Err(invalid("AcrMapping is not supported by this server yet.".into()));
        }
        let kind = provider.config.provider_type.unwrap_or(Kind::Oidc);
        if let Some(given) = r.provider_details {
            // A secret left out is kept, as the console sends the details without it.
            let mut details = given;
            for key in crate::store::PROVIDER_SECRET_KEYS {
                if let (None, Some(old)) = (details.get(key), provider.config.provider_details.as_ref().and_then(|d| d.get(key))) {
                    details.insert(key.to_owned(), old.clone());
                }
            }
            let old = provider.config.provider_details.clone();
            provider.config.provider_details = Some(self.complete_details(&provider.pool_id, kind, details, old.as_ref())?);
        }
        if let Some(mapping) = r.attribute_mapping {
            provider.config.attribute_mapping = Some(self.complete_mapping(&provider.pool_id, kind, Some(mapping))?);
        }
        if let Some(identifiers) = r.idp_identifiers {
            self.check_identifiers(&provider.pool_id, &provider.name, &identifiers)?;
            provider.config.idp_identifiers = Some(identifiers);
        }
        provider.modified_ms = self.now();
        self.store.update_identity_provider(&provider)?;
        Ok(w::UpdateIdentityProviderResponse { identity_provider: describe(&provider) })
    }

    pub(super) fn op_delete_identity_provider(&self, r: w::DeleteIdentityProviderRequest) -> Result<()> {
        self.pool(&r.user_pool_id)?;
        if !self.store.delete_identity_provider(&r.user_pool_id, &r.provider_name)? {
            return Err(Error::ResourceNotFound(format!("Identity provider {} does not exist.", r.provider_name)));
        }
        Ok(())
    }

    pub(super) fn op_list_identity_providers(&self, r: w::ListIdentityProvidersRequest) -> Result<w::ListIdentityProvidersResponse> {
        self.pool(&r.user_pool_id)?;
        let limit = r.max_results.map_or(60, |m| m.clamp(1, 60) as usize);
        let page = self.store.list_identity_providers(&r.user_pool_id, r.next_token.as_deref(), limit)?;
        Ok(w::ListIdentityProvidersResponse {
            providers: page
                .items
                .iter()
                .map(|p| w::ProviderDescription {
                    provider_name: Some(p.name.clone()),
                    provider_type: p.config.provider_type,
                    last_modified_date: Some(to_wire(p.modified_ms)),
                    creation_date: Some(to_wire(p.created_ms)),
                })
                .collect(),
            next_token: page.next,
        })
    }

    pub(super) fn op_get_identity_provider_by_identifier(
        &self,
        r: w::GetIdentityProviderByIdentifierRequest,
    ) -> Result<w::GetIdentityProviderByIdentifierResponse> {
        self.pool(&r.user_pool_id)?;
        let provider = self
            .provider_by_identifier(&r.user_pool_id, &r.idp_identifier)?
            .ok_or_else(|| Error::ResourceNotFound(format!("No identity provider has the identifier {}.", r.idp_identifier)))?;
        Ok(w::GetIdentityProviderByIdentifierResponse { identity_provider: describe(&provider) })
    }

    /// The client's provider an e-mail address (or its domain) routes to by the providers'
    /// identifiers, as the login page's "work e-mail" field does; identifiers compare without
    /// regard to case.
    pub fn provider_for_email(&self, client: &crate::store::AppClient, email: &str) -> Result<Option<String>> {
        let domain = email.rsplit('@').next().unwrap_or_default().trim().to_lowercase();
        for name in client.config.supported_identity_providers.iter().flatten().filter(|p| *p != COGNITO) {
            if let Some(p) = self.store.get_identity_provider(&client.pool_id, name)?
                && p.config.idp_identifiers.iter().flatten().any(|i| i.to_lowercase() == domain)
            {
                return Ok(Some(p.name));
            }
        }
        Ok(None)
    }

    /// Whether any of the client's providers has identifiers, so the login page asks for a
    /// work e-mail address to route by.
    pub fn routes_by_email(&self, client: &crate::store::AppClient) -> Result<bool> {
        for name in client.config.supported_identity_providers.iter().flatten().filter(|p| *p != COGNITO) {
            if self
                .store
                .get_identity_provider(&client.pool_id, name)?
                .is_some_and(|p| p.config.idp_identifiers.iter().flatten().next().is_some())
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(super) fn provider_by_identifier(&self, pool_id: &str, identifier: &str) -> Result<Option<IdentityProvider>> {
        let mut after = None;
        loop {
            let page = self.store.list_identity_providers(pool_id, after.as_deref(), 50)?;
            if let Some(found) =
                page.items.into_iter().find(|p| p.config.idp_identifiers.as_deref().unwrap_or_default().iter().any(|i| i == identifier))
            {
                return Ok(Some(found));
            }
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(None),
            }
        }
    }
}

/// How many external identities Cognito lets one user have linked.
const MAX_LINKS_PER_USER: usize = 5;

impl UserPools {
    /// An external identity named as AdminLinkProviderForUser and AdminDisableProviderForUser
    /// name it: a provider of the pool and the identity's subject (`Cognito_Subject`).
    fn external_identity(&self, pool_id: &str, who: &w::ProviderUserIdentifierType, what: &str) -> Result<(IdentityProvider, String)> {
        let name =
            who.provider_name.as_deref().filter(|n| !n.is_empty()).ok_or_else(|| invalid(format!("{what}.ProviderName is required.")))?;
        if name.eq_ignore_ascii_case("cognito") {
            return Err(invalid(format!("{what} must be an identity of an external provider, not a Cognito user.")));
        }
        let provider = self.identity_provider(pool_id, name)?;
        if who.provider_attribute_name.as_deref() != Some("Cognito_Subject") {
            return Err(invalid(format!("{what}.ProviderAttributeName must be Cognito_Subject: identities are linked by their subject.")));
        }
        let subject = who
            .provider_attribute_value
            .clone()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid(format!("{what}.ProviderAttributeValue is required.")))?;
        Ok((provider, subject))
    }

    pub(super) fn op_admin_link_provider_for_user(
        &self,
        r: w::AdminLinkProviderForUserRequest,
    ) -> Result<w::AdminLinkProviderForUserResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        if !r.destination_user.provider_name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case("cognito")) {
            return Err(invalid("DestinationUser.ProviderName must be Cognito: the user the identity is linked to.".into()));
        }
        let username = r.destination_user.provider_attribute_value.as_deref().unwrap_or_default();
        let mut user = self.require_user(&pool, username)?;
        let (provider, subject) = self.external_identity(&pool.id, &r.source_user, "SourceUser")?;
        if self.store.linked_user(&pool.id, &provider.name, &subject)?.is_some() {
            return Err(Error::AliasExists(format!("The identity {subject} of {} is already linked to a user.", provider.name)));
        }
        let mut identities: Vec<Value> =
            user.data.attributes.get("identities").and_then(|i| serde_json::from_str(i).ok()).unwrap_or_default();
        if identities.len() >= MAX_LINKS_PER_USER {
            return Err(Error::LimitExceeded(format!("A user can have at most {MAX_LINKS_PER_USER} linked identities.")));
        }
        let now = self.now();
        self.store.link_identity(&pool.id, &provider.name, &subject, &user.sub, now).map_err(|e| match e {
            StoreError::Conflict(_) => {
                Error::AliasExists(format!("The identity {subject} of {} is already linked to a user.", provider.name))
            }
            other => other.into(),
        })?;
        identities.push(serde_json::json!({
            "userId": subject,
            "providerName": provider.name,
            "providerType": provider.config.provider_type.map_or("OIDC", |k| k.as_str()),
            "issuer": null,
            "primary": "false",
            "dateCreated": now.to_string(),
        }));
        user.data.attributes.insert("identities".into(), Value::Array(identities).to_string());
        self.save_user(&mut user)?;
        Ok(w::AdminLinkProviderForUserResponse {})
    }

    /// Stops an external identity signing in: a link to another user is removed (its next
    /// sign-in makes a user of its own); the user the identity made itself is disabled.
    pub(super) fn op_admin_disable_provider_for_user(
        &self,
        r: w::AdminDisableProviderForUserRequest,
    ) -> Result<w::AdminDisableProviderForUserResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let (provider, subject) = self.external_identity(&pool.id, &r.user, "User")?;
        let not_found = || Error::UserNotFound("No user is linked to that identity.".into());
        let sub = self.store.linked_user(&pool.id, &provider.name, &subject)?.ok_or_else(not_found)?;
        let mut user = self.store.get_user_by_sub(&pool.id, &sub)?.ok_or_else(not_found)?;
        if user.username == format!("{}_{subject}", provider.name) && user.status == w::UserStatusType::ExternalProvider {
            user.enabled = false;
            self.store.revoke_user_sessions(&pool.id, &user.sub)?;
        } else {
            self.store.unlink_identity(&pool.id, &provider.name, &subject)?;
            let identities: Vec<Value> = user
                .data
                .attributes
                .get("identities")
                .and_then(|i| serde_json::from_str::<Vec<Value>>(i).ok())
                .unwrap_or_default()
                .into_iter()
                .filter(|i| !(i["providerName"] == provider.name.as_str() && i["userId"] == subject.as_str()))
                .collect();
            if identities.is_empty() {
                user.data.attributes.remove("identities");
            } else {
                user.data.attributes.insert("identities".into(), Value::Array(identities).to_string());
            }
        }
        self.save_user(&mut user)?;
        Ok(w::AdminDisableProviderForUserResponse {})
    }
}

/// A provider as Describe answers it: Sign in with Apple's private key and a SAML provider's
/// decryption key are never returned.
fn describe(p: &IdentityProvider) -> w::IdentityProviderType {
    let mut config = p.config.clone();
    if let Some(details) = config.provider_details.as_mut() {
        if config.provider_type == Some(Kind::SignInWithApple) {
            details.remove("private_key");
        }
        details.remove(super::saml_providers::ENCRYPTION_KEY);
    }
    config.creation_date = Some(to_wire(p.created_ms));
    config.last_modified_date = Some(to_wire(p.modified_ms));
    config
}
