//! The part of IAM that identity pools and STS need: SAML providers (`CreateSAMLProvider`,
//! `GetSAMLProvider`, `ListSAMLProviders`, `UpdateSAMLProvider`, `DeleteSAMLProvider` and their
//! tags). IAM speaks the query protocol (the server's `iam` door turns its form parameters into
//! these requests and the answers into XML); here the operations are typed, with IAM's member
//! names, so the desktop app and the CLI call them as JSON like every other target
//! (`AWSIdentityManagementV20100508.ListSAMLProviders`).

use pooldesk_core::Error;
use pooldesk_core::store::SamlProviderRecord;
use pooldesk_wire::{Validate, Violations};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Api;

/// The `X-Amz-Target` prefix of these operations: IAM's service name in its model.
pub const TARGET_PREFIX: &str = "AWSIdentityManagementV20100508";
/// The signing name a request's credential scope must carry.
pub const SIGNING_NAME: &str = "iam";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamOperation {
    CreateSAMLProvider,
    GetSAMLProvider,
    ListSAMLProviders,
    UpdateSAMLProvider,
    DeleteSAMLProvider,
    TagSAMLProvider,
    UntagSAMLProvider,
    ListSAMLProviderTags,
}

impl IamOperation {
    pub const ALL: [IamOperation; 8] = [
        IamOperation::CreateSAMLProvider,
        IamOperation::GetSAMLProvider,
        IamOperation::ListSAMLProviders,
        IamOperation::UpdateSAMLProvider,
        IamOperation::DeleteSAMLProvider,
        IamOperation::TagSAMLProvider,
        IamOperation::UntagSAMLProvider,
        IamOperation::ListSAMLProviderTags,
    ];

    pub fn from_name(name: &str) -> Option<IamOperation> {
        IamOperation::ALL.into_iter().find(|o| o.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            IamOperation::CreateSAMLProvider => "CreateSAMLProvider",
            IamOperation::GetSAMLProvider => "GetSAMLProvider",
            IamOperation::ListSAMLProviders => "ListSAMLProviders",
            IamOperation::UpdateSAMLProvider => "UpdateSAMLProvider",
            IamOperation::DeleteSAMLProvider => "DeleteSAMLProvider",
            IamOperation::TagSAMLProvider => "TagSAMLProvider",
            IamOperation::UntagSAMLProvider => "UntagSAMLProvider",
            IamOperation::ListSAMLProviderTags => "ListSAMLProviderTags",
        }
    }

    pub(crate) fn call(self, api: &Api, body: &[u8]) -> Result<Vec<u8>, Error> {
        let ids = &api.identity;
        match self {
            IamOperation::CreateSAMLProvider => {
                let r: CreateSAMLProviderRequest = decode(body)?;
                refuse_unsupported(r.assertion_encryption_mode.as_deref(), r.add_private_key.is_some(), r.unsupported.keys())?;
                let p = ids.create_saml_provider(&r.name, &r.saml_metadata_document, pairs(r.tags))?;
                respond(CreateSAMLProviderResponse { tags: tags_of(&p), saml_provider_arn: p.arn })
            }
            IamOperation::GetSAMLProvider => {
                let r: SAMLProviderArnRequest = decode(body)?;
                respond(GetSAMLProviderResponse::from(ids.get_saml_provider(&r.saml_provider_arn)?))
            }
            IamOperation::ListSAMLProviders => {
                let _: Empty = decode(body)?;
                let list = ids
                    .list_saml_providers()?
                    .into_iter()
                    .map(|p| SAMLProviderListEntry { arn: p.arn, create_date: iso8601(p.created_ms) })
                    .collect();
                respond(ListSAMLProvidersResponse { saml_provider_list: list })
            }
            IamOperation::UpdateSAMLProvider => {
                let r: UpdateSAMLProviderRequest = decode(body)?;
                refuse_unsupported(r.assertion_encryption_mode.as_deref(), r.add_private_key.is_some(), r.unsupported.keys())?;
                let metadata = r.saml_metadata_document.ok_or_else(|| {
                    Error::InvalidParameter(
                        "SAMLMetadataDocument is required: it is the only setting PoolDesk's SAML providers have.".into(),
                    )
                })?;
                let p = ids.update_saml_provider(&r.saml_provider_arn, &metadata)?;
                respond(SAMLProviderArnRequest { saml_provider_arn: p.arn })
            }
            IamOperation::DeleteSAMLProvider => {
                let r: SAMLProviderArnRequest = decode(body)?;
                ids.delete_saml_provider(&r.saml_provider_arn)?;
                respond(Empty {})
            }
            IamOperation::TagSAMLProvider => {
                let r: TagSAMLProviderRequest = decode(body)?;
                ids.tag_saml_provider(&r.saml_provider_arn, pairs(Some(r.tags)))?;
                respond(Empty {})
            }
            IamOperation::UntagSAMLProvider => {
                let r: UntagSAMLProviderRequest = decode(body)?;
                ids.untag_saml_provider(&r.saml_provider_arn, &r.tag_keys)?;
                respond(Empty {})
            }
            IamOperation::ListSAMLProviderTags => {
                let r: SAMLProviderArnRequest = decode(body)?;
                let p = ids.get_saml_provider(&r.saml_provider_arn)?;
                respond(ListSAMLProviderTagsResponse { tags: tags_of(&p), is_truncated: false })
            }
        }
    }
}

fn decode<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, Error> {
    pooldesk_wire::decode(body)
}

fn respond<T: Serialize>(answer: T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(&answer).map_err(Error::internal)
}

/// IAM's newer SAML settings: assertion encryption to a private key IAM keeps, and IAM
/// Identity Center. PoolDesk has neither, so asking for them is refused, not ignored.
fn refuse_unsupported<'a>(
    encryption_mode: Option<&str>,
    private_key: bool,
    mut others: impl Iterator<Item = &'a String>,
) -> Result<(), Error> {
    if let Some(name) = others.next() {
        return Err(Error::InvalidParameter(format!("{name} is not supported: PoolDesk's SAML providers have no IAM Identity Center.")));
    }
    if private_key || encryption_mode.is_some_and(|m| m != "Allowed") {
        return Err(Error::InvalidParameter(
            "Encrypted SAML assertions (AssertionEncryptionMode Required, AddPrivateKey) are not supported for IAM SAML providers in PoolDesk; \
             send signed, unencrypted assertions."
                .into(),
        ));
    }
    Ok(())
}

fn pairs(tags: Option<Vec<IamTag>>) -> Vec<(String, String)> {
    tags.into_iter().flatten().map(|t| (t.key, t.value)).collect()
}

fn tags_of(p: &SamlProviderRecord) -> Vec<IamTag> {
    p.tags.iter().map(|(key, value)| IamTag { key: key.clone(), value: value.clone() }).collect()
}

fn iso8601(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct IamTag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// A request or answer without members.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct CreateSAMLProviderRequest {
    pub name: String,
    #[serde(rename = "SAMLMetadataDocument")]
    pub saml_metadata_document: String,
    #[ts(optional)]
    pub tags: Option<Vec<IamTag>>,
    /// `Allowed` only (the default): see [`refuse_unsupported`].
    #[ts(optional)]
    pub assertion_encryption_mode: Option<String>,
    #[ts(optional)]
    pub add_private_key: Option<String>,
    /// Anything else IAM's model has (Identity Center), refused by name.
    #[serde(flatten)]
    #[ts(skip)]
    pub unsupported: std::collections::BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct CreateSAMLProviderResponse {
    #[serde(rename = "SAMLProviderArn")]
    pub saml_provider_arn: String,
    pub tags: Vec<IamTag>,
}

/// A request (or answer) that names one provider.
#[derive(Debug, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct SAMLProviderArnRequest {
    #[serde(rename = "SAMLProviderArn")]
    pub saml_provider_arn: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct GetSAMLProviderResponse {
    #[serde(rename = "SAMLProviderUUID")]
    pub saml_provider_uuid: String,
    #[serde(rename = "SAMLMetadataDocument")]
    pub saml_metadata_document: String,
    pub create_date: String,
    pub tags: Vec<IamTag>,
    pub assertion_encryption_mode: String,
}

impl From<SamlProviderRecord> for GetSAMLProviderResponse {
    fn from(p: SamlProviderRecord) -> Self {
        GetSAMLProviderResponse {
            tags: tags_of(&p),
            saml_provider_uuid: p.uuid,
            saml_metadata_document: p.metadata,
            create_date: iso8601(p.created_ms),
            assertion_encryption_mode: "Allowed".into(),
        }
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct SAMLProviderListEntry {
    pub arn: String,
    pub create_date: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ListSAMLProvidersResponse {
    #[serde(rename = "SAMLProviderList")]
    pub saml_provider_list: Vec<SAMLProviderListEntry>,
}

#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct UpdateSAMLProviderRequest {
    #[serde(rename = "SAMLProviderArn")]
    pub saml_provider_arn: String,
    #[serde(rename = "SAMLMetadataDocument")]
    #[ts(optional)]
    pub saml_metadata_document: Option<String>,
    #[ts(optional)]
    pub assertion_encryption_mode: Option<String>,
    #[ts(optional)]
    pub add_private_key: Option<String>,
    #[serde(flatten)]
    #[ts(skip)]
    pub unsupported: std::collections::BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct TagSAMLProviderRequest {
    #[serde(rename = "SAMLProviderArn")]
    pub saml_provider_arn: String,
    pub tags: Vec<IamTag>,
}

#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct UntagSAMLProviderRequest {
    #[serde(rename = "SAMLProviderArn")]
    pub saml_provider_arn: String,
    pub tag_keys: Vec<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "PascalCase")]
#[ts(export, export_to = "../../../ui/src/generated/")]
pub struct ListSAMLProviderTagsResponse {
    pub tags: Vec<IamTag>,
    pub is_truncated: bool,
}

// IAM's checks (names, lengths, metadata) are the operations' own, in core.
macro_rules! no_rules {
    ($($t:ty),*) => { $(impl Validate for $t { fn validate(&self, _: &str, _: &mut Violations) {} })* };
}
no_rules!(
    Empty,
    CreateSAMLProviderRequest,
    SAMLProviderArnRequest,
    UpdateSAMLProviderRequest,
    TagSAMLProviderRequest,
    UntagSAMLProviderRequest
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_found_by_their_iam_names() {
        for op in IamOperation::ALL {
            assert_eq!(IamOperation::from_name(op.name()), Some(op));
        }
        assert_eq!(IamOperation::from_name("CreateRole"), None);
    }

    #[test]
    fn settings_pooldesk_lacks_are_refused_by_name() {
        let none = std::collections::BTreeMap::<String, serde_json::Value>::new();
        assert!(refuse_unsupported(Some("Allowed"), false, none.keys()).is_ok());
        assert!(refuse_unsupported(Some("Required"), false, none.keys()).is_err());
        assert!(refuse_unsupported(None, true, none.keys()).is_err());
        let center = std::collections::BTreeMap::from([("IdentityCenterInstanceArn".to_owned(), serde_json::json!("x"))]);
        let e = refuse_unsupported(None, false, center.keys()).unwrap_err();
        assert!(e.client_message().contains("IdentityCenterInstanceArn"), "{e}");
    }
}
