//! IAM's SAML providers, which identity pools (`SamlProviderARNs`) and STS
//! (`AssumeRoleWithSAML`) trust: the registry behind IAM's `CreateSAMLProvider` and the rest,
//! and reading a SAML response an identity provider addressed to AWS sign-in
//! (`https://signin.aws.amazon.com/saml`) against one of them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use base64::Engine;

use super::IdentityPools;
use super::credentials::{SessionClaims, TemporaryCredentials};
use crate::error::{Error, Result};
use crate::saml::{self, IdpMetadata, SignedIn};
use crate::store::{SamlProviderRecord, StoreError};

/// Where identity providers post to AWS sign-in: the Recipient (and Destination) of a response
/// meant for AWS.
pub const AWS_SIGNIN: &str = "https://signin.aws.amazon.com/saml";
/// The audiences AWS accepts: its sign-in URL, and the entity id in its SP metadata.
const AUDIENCES: [&str; 2] = [AWS_SIGNIN, "urn:amazon:webservices"];
/// The attribute whose values pair a role with the SAML provider it may be assumed through
/// (`<role ARN>,<provider ARN>`, either order).
pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
pub const ROLE_SESSION_NAME_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
pub const SOURCE_IDENTITY_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/SourceIdentity";
/// `PrincipalTag:<key>` attributes become session tags.
pub const PRINCIPAL_TAG_PREFIX: &str = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:";
/// IAM's limit of SAML providers per account.
const MAX_PROVIDERS: usize = 100;
const MAX_TAGS: usize = 50;
/// How long an assertion's ID is remembered when it says nothing itself.
const REPLAY_FLOOR_MS: i64 = 10 * 60 * 1000;

/// Metadata as read, by provider ARN, with the provider's modification time when read.
#[derive(Default)]
pub(super) struct MetadataCache(Mutex<HashMap<String, (i64, Arc<IdpMetadata>)>>);

fn invalid_input(message: impl Into<String>) -> Error {
    Error::InvalidParameter(message.into())
}

fn no_such(arn: &str) -> Error {
    Error::ResourceNotFound(format!("SAMLProvider {arn} does not exist."))
}

/// IAM's name pattern `[\w._-]+`, 1 to 128 characters.
fn check_name(name: &str) -> Result<()> {
    let ok = (1..=128).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if ok {
        return Ok(());
    }
    Err(invalid_input(format!(
        "1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w._-]+ (1 to 128 characters)"
    )))
}

fn check_tags(tags: &[(String, String)]) -> Result<()> {
    if tags.len() > MAX_TAGS {
        return Err(Error::LimitExceeded(format!("A SAML provider has at most {MAX_TAGS} tags.")));
    }
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
            return Err(invalid_input(format!("Tag '{key}': keys are 1 to 128 characters, values at most 256.")));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(invalid_input(format!("Tag '{key}': the aws: prefix is reserved for AWS.")));
        }
    }
    let mut keys: Vec<String> = tags.iter().map(|(k, _)| k.to_lowercase()).collect();
    keys.sort();
    keys.dedup();
    if keys.len() != tags.len() {
        return Err(invalid_input("Duplicate tag keys found. Tag keys are case insensitive."));
    }
    Ok(())
}

/// Tags in, later values replacing earlier ones of the same key (case-insensitive, as IAM).
fn merge_tags(mut into: Vec<(String, String)>, new: Vec<(String, String)>) -> Vec<(String, String)> {
    for (key, value) in new {
        match into.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&key)) {
            Some(slot) => *slot = (key, value),
            None => into.push((key, value)),
        }
    }
    into
}

/// `arn:aws:<partition>:iam::<12 digits>:saml-provider/<name>`.
pub fn is_saml_provider_arn(arn: &str) -> bool {
    let Some((head, name)) = arn.split_once(":saml-provider/") else { return false };
    let account_ok = head.strip_prefix("arn:").and_then(|rest| rest.split_once(":iam::")).is_some_and(|(partition, account)| {
        partition.starts_with("aws") && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
    });
    account_ok && check_name(name).is_ok()
}

/// The role ARNs an assertion's Role attribute pairs with `provider_arn`, in order, once each.
pub fn asserted_roles(signed_in: &SignedIn, provider_arn: &str) -> Vec<String> {
    let mut roles = Vec::new();
    for value in signed_in.attributes.get(ROLE_ATTRIBUTE).into_iter().flatten() {
        let Some((a, b)) = value.split_once(',') else { continue };
        let (a, b) = (a.trim(), b.trim());
        let role = if b == provider_arn {
            a
        } else if a == provider_arn {
            b
        } else {
            continue;
        };
        if !role.is_empty() && !roles.iter().any(|r| r == role) {
            roles.push(role.to_owned());
        }
    }
    roles
}

/// What AWS STS answers about a SAML session besides its credentials.
pub struct SamlAssumption {
    pub credentials: TemporaryCredentials,
    pub session: SessionClaims,
    /// The NameID, its format less `urn:oasis:names:tc:SAML:2.0:nameid-format:`.
    pub subject: String,
    pub subject_type: String,
    pub issuer: String,
    /// The Recipient it was addressed to.
    pub audience: String,
    /// `base64(sha1(issuer + account + "/" + provider name))`, which with the subject names the user.
    pub name_qualifier: String,
    pub source_identity: Option<String>,
}

impl IdentityPools {
    fn saml_arn(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:saml-provider/{name}", self.config().account_id)
    }

    fn check_metadata(&self, metadata: &str) -> Result<()> {
        // IAM's bounds on SAMLMetadataDocument.
        if !(1000..=10_000_000).contains(&metadata.len()) {
            return Err(invalid_input("SAMLMetadataDocument must be 1000 to 10000000 characters."));
        }
        saml::read_metadata(metadata, self.now()).map(drop).map_err(|e| invalid_input(format!("Could not parse metadata: {e}.")))
    }

    /// IAM `CreateSAMLProvider`.
    pub fn create_saml_provider(&self, name: &str, metadata: &str, tags: Vec<(String, String)>) -> Result<SamlProviderRecord> {
        check_name(name)?;
        check_tags(&tags)?;
        self.check_metadata(metadata)?;
        if self.store.list_saml_providers()?.len() >= MAX_PROVIDERS {
            return Err(Error::LimitExceeded(format!("Cannot exceed quota for SAMLProvidersPerAccount: {MAX_PROVIDERS}.")));
        }
        let now = self.now();
        let uuid: String = self.random.uuid()?.replace('-', "").to_uppercase();
        let record = SamlProviderRecord {
            arn: self.saml_arn(name),
            metadata: metadata.to_owned(),
            tags,
            uuid: format!("SAML{uuid}"),
            created_ms: now,
            modified_ms: now,
        };
        match self.store.create_saml_provider(&record) {
            Ok(()) => Ok(record),
            Err(StoreError::Conflict(_)) => Err(Error::ResourceConflict(format!("SAMLProvider {name} already exists."))),
            Err(e) => Err(e.into()),
        }
    }

    /// IAM `GetSAMLProvider`.
    pub fn get_saml_provider(&self, arn: &str) -> Result<SamlProviderRecord> {
        self.store.get_saml_provider(arn)?.ok_or_else(|| no_such(arn))
    }

    /// IAM `ListSAMLProviders`.
    pub fn list_saml_providers(&self) -> Result<Vec<SamlProviderRecord>> {
        Ok(self.store.list_saml_providers()?)
    }

    /// IAM `UpdateSAMLProvider`: new metadata (a rolled certificate, a moved endpoint).
    pub fn update_saml_provider(&self, arn: &str, metadata: &str) -> Result<SamlProviderRecord> {
        let mut record = self.get_saml_provider(arn)?;
        self.check_metadata(metadata)?;
        record.metadata = metadata.to_owned();
        record.modified_ms = self.now().max(record.modified_ms + 1);
        self.save_saml_provider(record)
    }

    fn save_saml_provider(&self, record: SamlProviderRecord) -> Result<SamlProviderRecord> {
        match self.store.update_saml_provider(&record)? {
            true => Ok(record),
            false => Err(no_such(&record.arn)),
        }
    }

    /// IAM `DeleteSAMLProvider`. Identity pools that list it stop accepting its assertions.
    pub fn delete_saml_provider(&self, arn: &str) -> Result<()> {
        match self.store.delete_saml_provider(arn)? {
            true => Ok(()),
            false => Err(no_such(arn)),
        }
    }

    /// IAM `TagSAMLProvider`.
    pub fn tag_saml_provider(&self, arn: &str, tags: Vec<(String, String)>) -> Result<()> {
        let mut record = self.get_saml_provider(arn)?;
        check_tags(&tags)?;
        record.tags = merge_tags(record.tags, tags);
        check_tags(&record.tags)?;
        record.modified_ms = self.now().max(record.modified_ms + 1);
        self.save_saml_provider(record).map(drop)
    }

    /// IAM `UntagSAMLProvider`.
    pub fn untag_saml_provider(&self, arn: &str, keys: &[String]) -> Result<()> {
        let mut record = self.get_saml_provider(arn)?;
        record.tags.retain(|(k, _)| !keys.iter().any(|gone| gone.eq_ignore_ascii_case(k)));
        record.modified_ms = self.now().max(record.modified_ms + 1);
        self.save_saml_provider(record).map(drop)
    }

    /// The provider's metadata, read once per version of it.
    fn saml_metadata(&self, record: &SamlProviderRecord) -> Result<Arc<IdpMetadata>> {
        let cache = &self.saml_metadata.0;
        if let Some((at, metadata)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&record.arn)
            && *at == record.modified_ms
        {
            return Ok(metadata.clone());
        }
        let metadata = Arc::new(
            saml::read_metadata(&record.metadata, self.now())
                .map_err(|e| Error::NotAuthorized(format!("The SAML provider {}'s metadata is no longer usable: {e}.", record.arn)))?,
        );
        cache.lock().unwrap_or_else(|e| e.into_inner()).insert(record.arn.clone(), (record.modified_ms, metadata.clone()));
        Ok(metadata)
    }

    /// A base64 SAMLResponse the identity provider behind `arn` addressed to AWS sign-in:
    /// signed with a certificate of its metadata, for AWS's audience, within its time. Errors
    /// say why, and which provider; None when there is no such provider.
    pub(super) fn read_aws_saml_response(&self, arn: &str, response: &str) -> Result<Option<(Arc<IdpMetadata>, SignedIn)>> {
        let Some(record) = self.store.get_saml_provider(arn)? else {
            return Ok(None);
        };
        let metadata = self.saml_metadata(&record)?;
        let expected = saml::Expected {
            idp: &metadata,
            audiences: &AUDIENCES,
            delivery: Some(saml::Delivery { acs: AWS_SIGNIN, in_response_to: None }),
            now_ms: self.now(),
        };
        let signed_in = saml::read_response(response, &expected, None).map_err(Error::NotAuthorized)?;
        Ok(Some((metadata, signed_in)))
    }

    /// STS `AssumeRoleWithSAML`: a response from the provider `principal_arn` whose Role
    /// attribute pairs `role_arn` with it, once (its ID is remembered until it expires).
    pub fn assume_role_with_saml(
        &self,
        role_arn: &str,
        principal_arn: &str,
        response: &str,
        duration_secs: Option<i64>,
    ) -> Result<SamlAssumption> {
        let invalid = |why: String| Error::InvalidIdentityToken(why);
        if let Some(d) = duration_secs
            && !(900..=43_200).contains(&d)
        {
            return Err(invalid_input(format!(
                "1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must be between 900 and 43200"
            )));
        }
        let (metadata, signed_in) = match self.read_aws_saml_response(principal_arn, response) {
            Ok(Some(found)) => found,
            Ok(None) => return Err(invalid(format!("No SAML provider {principal_arn} exists in this account (IAM CreateSAMLProvider)."))),
            Err(Error::NotAuthorized(why)) => return Err(invalid(format!("The SAML response is not valid: {why}."))),
            Err(e) => return Err(e),
        };
        if !asserted_roles(&signed_in, principal_arn).iter().any(|r| r == role_arn) {
            return Err(Error::AccessDenied(format!(
                "Not authorized to perform sts:AssumeRoleWithSAML: the assertion's {ROLE_ATTRIBUTE} attribute does not pair {role_arn} with {principal_arn}."
            )));
        }
        let one = |name: &str| signed_in.attributes.get(name).and_then(|v| v.first()).map(|v| v.trim().to_owned());
        let session_name = one(ROLE_SESSION_NAME_ATTRIBUTE)
            .ok_or_else(|| invalid(format!("The assertion has no {ROLE_SESSION_NAME_ATTRIBUTE} attribute, which AWS requires.")))?;
        let valid_name =
            (2..=64).contains(&session_name.len()) && session_name.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
        if !valid_name {
            return Err(invalid(format!("The assertion's RoleSessionName '{session_name}' is not 2 to 64 characters of [\\w+=,.@-].")));
        }
        let mut tags = BTreeMap::new();
        for (name, values) in &signed_in.attributes {
            let Some(key) = name.strip_prefix(PRINCIPAL_TAG_PREFIX) else { continue };
            let value = values.first().cloned().unwrap_or_default();
            if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
                return Err(invalid(format!("The session tag '{key}' must have a 1 to 128 character key and a value of at most 256.")));
            }
            tags.insert(key.to_owned(), value);
        }
        if tags.len() > MAX_TAGS {
            return Err(invalid(format!("The assertion passes {} session tags; at most {MAX_TAGS} are allowed.", tags.len())));
        }
        let seen = format!("sts-saml-{}", crate::tokens::sha256_hex(&format!("{principal_arn}\n{}", signed_in.assertion_id)));
        if !self.store.use_once(&seen, signed_in.valid_until_ms.max(self.now() + REPLAY_FLOOR_MS), self.now())? {
            return Err(invalid("This SAML assertion was already used.".into()));
        }
        let ttl = duration_secs.unwrap_or(3600) * 1000;
        let provider_name = principal_arn.rsplit('/').next().unwrap_or_default();
        let digest = aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            format!("{}{}/{provider_name}", metadata.entity_id, self.config().account_id).as_bytes(),
        );
        let name_qualifier = base64::engine::general_purpose::STANDARD.encode(digest.as_ref());
        // The session's subject: the user as IAM names it (the name qualifier and the NameID).
        let identity_id = format!("{name_qualifier}:{}", signed_in.name_id);
        let credentials = self.issue(&identity_id, role_arn, &session_name, tags, ttl)?;
        let (session, _) = self
            .open_session(&credentials.access_key_id, &credentials.session_token)
            .map_err(|_| Error::internal(anyhow::anyhow!("a fresh session token did not open")))?;
        let subject_type = signed_in.name_id_format.as_deref().map_or("persistent".to_owned(), |f| {
            f.strip_prefix("urn:oasis:names:tc:SAML:2.0:nameid-format:")
                .or_else(|| f.strip_prefix("urn:oasis:names:tc:SAML:1.1:nameid-format:"))
                .unwrap_or(f)
                .to_owned()
        });
        Ok(SamlAssumption {
            credentials,
            session,
            subject: signed_in.name_id.clone(),
            subject_type,
            issuer: metadata.entity_id.clone(),
            audience: AWS_SIGNIN.to_owned(),
            name_qualifier,
            source_identity: one(SOURCE_IDENTITY_ATTRIBUTE),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_in(roles: &[&str]) -> SignedIn {
        SignedIn {
            assertion_id: "_a".into(),
            name_id: "carol".into(),
            name_id_format: None,
            session_index: None,
            attributes: BTreeMap::from([(ROLE_ATTRIBUTE.to_owned(), roles.iter().map(|r| (*r).to_owned()).collect())]),
            valid_until_ms: 0,
        }
    }

    #[test]
    fn roles_are_the_ones_paired_with_the_provider_in_either_order() {
        let p = "arn:aws:iam::000000000000:saml-provider/Corp";
        let a = signed_in(&[
            "arn:aws:iam::000000000000:role/Admin,arn:aws:iam::000000000000:saml-provider/Corp",
            "arn:aws:iam::000000000000:saml-provider/Corp, arn:aws:iam::000000000000:role/Dev",
            "arn:aws:iam::000000000000:role/Other,arn:aws:iam::000000000000:saml-provider/Elsewhere",
            "arn:aws:iam::000000000000:role/Admin,arn:aws:iam::000000000000:saml-provider/Corp",
            "no comma here",
        ]);
        assert_eq!(asserted_roles(&a, p), ["arn:aws:iam::000000000000:role/Admin", "arn:aws:iam::000000000000:role/Dev"]);
        assert!(asserted_roles(&signed_in(&[]), p).is_empty());
    }

    #[test]
    fn provider_arns_are_iams() {
        assert!(is_saml_provider_arn("arn:aws:iam::000000000000:saml-provider/Corp"));
        assert!(is_saml_provider_arn("arn:aws-cn:iam::123456789012:saml-provider/a.b-c"));
        for bad in [
            "arn:aws:iam::0:saml-provider/Corp",
            "arn:aws:iam::000000000000:oidc-provider/x",
            "Corp",
            "arn:aws:iam::000000000000:saml-provider/",
        ] {
            assert!(!is_saml_provider_arn(bad), "{bad}");
        }
    }

    #[test]
    fn names_and_tags_are_checked_as_iam_checks_them() {
        assert!(check_name("Corp_IdP-1.prod").is_ok());
        for bad in ["", "has space", "slash/no", &"x".repeat(129)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_tags(&[("team".into(), "a".into())]).is_ok());
        assert!(check_tags(&[("aws:x".into(), "a".into())]).is_err());
        assert!(check_tags(&[("Team".into(), "a".into()), ("team".into(), "b".into())]).is_err());
        let many: Vec<(String, String)> = (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        assert!(matches!(check_tags(&many), Err(Error::LimitExceeded(_))));
        let merged = merge_tags(vec![("Team".into(), "a".into()), ("env".into(), "x".into())], vec![("team".into(), "b".into())]);
        assert_eq!(merged, [("team".to_owned(), "b".to_owned()), ("env".to_owned(), "x".to_owned())]);
    }
}
