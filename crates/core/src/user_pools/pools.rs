//! CreateUserPool, DescribeUserPool, ListUserPools, UpdateUserPool, DeleteUserPool,
//! AddCustomAttributes.

use std::sync::Arc;

use pooldesk_wire::cognito_idp::{self as w, AttributeDataType, SchemaAttributeType};

use super::UserPools;
use crate::clock::to_wire;
use crate::error::{Error, Result};
use crate::password;
use crate::store::UserPool;
use crate::tokens;

/// Cognito allows at most 50 custom attributes per pool.
const MAX_CUSTOM_ATTRIBUTES: usize = 50;

/// The standard (OpenID Connect) attributes every pool has, with Cognito's defaults.
fn standard_schema() -> Vec<SchemaAttributeType> {
    let string = |name: &str, min: &str, max: &str, mutable: bool, required: bool| SchemaAttributeType {
        name: Some(name.into()),
        attribute_data_type: Some(AttributeDataType::String),
        developer_only_attribute: Some(false),
        mutable: Some(mutable),
        required: Some(required),
        string_attribute_constraints: Some(w::StringAttributeConstraintsType {
            min_length: Some(min.into()),
            max_length: Some(max.into()),
        }),
        number_attribute_constraints: None,
    };
    let boolean = |name: &str| SchemaAttributeType {
        name: Some(name.into()),
        attribute_data_type: Some(AttributeDataType::Boolean),
        developer_only_attribute: Some(false),
        mutable: Some(true),
        required: Some(false),
        ..Default::default()
    };
    let mut schema = vec![string("sub", "1", "2048", false, true)];
    for name in
        ["name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture", "website", "email"]
    {
        schema.push(string(name, "0", "2048", true, false));
    }
    schema.push(boolean("email_verified"));
    schema.push(string("gender", "0", "2048", true, false));
    schema.push(string("birthdate", "10", "10", true, false));
    for name in ["zoneinfo", "locale", "phone_number"] {
        schema.push(string(name, "0", "2048", true, false));
    }
    schema.push(boolean("phone_number_verified"));
    schema.push(string("address", "0", "2048", true, false));
    schema.push(SchemaAttributeType {
        name: Some("updated_at".into()),
        attribute_data_type: Some(AttributeDataType::Number),
        developer_only_attribute: Some(false),
        mutable: Some(true),
        required: Some(false),
        number_attribute_constraints: Some(w::NumberAttributeConstraintsType { min_value: Some("0".into()), max_value: None }),
        string_attribute_constraints: None,
    });
    schema.push(SchemaAttributeType {
        name: Some("identities".into()),
        attribute_data_type: Some(AttributeDataType::String),
        developer_only_attribute: Some(false),
        mutable: Some(true),
        required: Some(false),
        string_attribute_constraints: Some(w::StringAttributeConstraintsType::default()),
        number_attribute_constraints: None,
    });
    schema
}

/// Builds a custom attribute's stored definition from a request's (`name` -> `custom:name`).
fn custom_attribute(req: &SchemaAttributeType) -> Result<SchemaAttributeType> {
    let name = req.name.clone().unwrap_or_default();
    let bare = name.strip_prefix("custom:").unwrap_or(&name);
    if bare.is_empty() || bare.len() > 20 || !bare.chars().all(|c| c.is_ascii_alphanumeric() || "_-:".contains(c)) {
        return Err(Error::InvalidParameter(format!("Invalid custom attribute name: {name}")));
    }
    if req.required == Some(true) {
        return Err(Error::InvalidParameter("Required custom attributes are not supported currently.".into()));
    }
    let data_type = req.attribute_data_type.unwrap_or(AttributeDataType::String);
    let developer_only = req.developer_only_attribute.unwrap_or(false);
    let mut attr = SchemaAttributeType {
        name: Some(if developer_only { format!("dev:custom:{bare}") } else { format!("custom:{bare}") }),
        attribute_data_type: Some(data_type),
        developer_only_attribute: Some(developer_only),
        mutable: Some(req.mutable.unwrap_or(true)),
        required: Some(false),
        ..Default::default()
    };
    match data_type {
        AttributeDataType::String => {
            let c = req.string_attribute_constraints.clone().unwrap_or_default();
            let parse = |v: &Option<String>, what: &str| -> Result<Option<u32>> {
                v.as_deref()
                    .map(|s| s.parse::<u32>().map_err(|_| Error::InvalidParameter(format!("{what} of {name} must be a whole number."))))
                    .transpose()
            };
            let (min, max) = (parse(&c.min_length, "MinLength")?, parse(&c.max_length, "MaxLength")?);
            if max.unwrap_or(2048) > 2048 || min.unwrap_or(0) > max.unwrap_or(2048) {
                return Err(Error::InvalidParameter(format!("Invalid length constraints for {name}.")));
            }
            attr.string_attribute_constraints = Some(w::StringAttributeConstraintsType {
                min_length: Some(min.unwrap_or(0).to_string()),
                max_length: Some(max.unwrap_or(2048).to_string()),
            });
        }
        AttributeDataType::Number => {
            let c = req.number_attribute_constraints.clone().unwrap_or_default();
            for v in [&c.min_value, &c.max_value].into_iter().flatten() {
                v.parse::<i64>().map_err(|_| Error::InvalidParameter(format!("Invalid number constraint {v} for {name}.")))?;
            }
            attr.number_attribute_constraints = Some(c);
        }
        AttributeDataType::DateTime | AttributeDataType::Boolean => {}
    }
    Ok(attr)
}

/// Applies a CreateUserPool request's schema entries to the standard schema.
fn build_schema(requested: &[SchemaAttributeType]) -> Result<Vec<SchemaAttributeType>> {
    let mut schema = standard_schema();
    for req in requested {
        let name = req.name.clone().unwrap_or_default();
        if let Some(std_attr) = schema.iter_mut().find(|a| a.name.as_deref() == Some(name.as_str())) {
            if name == "sub" {
                continue;
            }
            if let Some(r) = req.required {
                std_attr.required = Some(r);
            }
            if let Some(m) = req.mutable {
                std_attr.mutable = Some(m);
            }
            if let Some(c) = &req.string_attribute_constraints {
                std_attr.string_attribute_constraints = Some(c.clone());
            }
        } else {
            let attr = custom_attribute(req)?;
            if schema.iter().any(|a| a.name == attr.name) {
                return Err(Error::InvalidParameter(format!("Duplicate attribute name: {name}")));
            }
            schema.push(attr);
        }
    }
    check_custom_count(&schema)?;
    Ok(schema)
}

/// The algorithm the pool's tags choose for its tokens (PoolDesk's own tag; RS256 without it).
/// AWS's limit on tags per resource.
const MAX_TAGS: usize = 50;

fn signing_algorithm(tags: Option<&std::collections::BTreeMap<String, String>>) -> Result<tokens::SigningAlgorithm> {
    match tags.and_then(|t| t.get(tokens::SIGNING_ALGORITHM_TAG)) {
        None => Ok(tokens::SigningAlgorithm::default()),
        Some(name) => tokens::SigningAlgorithm::parse(name).ok_or_else(|| {
            Error::InvalidParameter(format!("The {} tag must be RS256 or ES256, not {name}.", tokens::SIGNING_ALGORITHM_TAG))
        }),
    }
}

fn check_custom_count(schema: &[SchemaAttributeType]) -> Result<()> {
    let custom = schema.iter().filter(|a| a.name.as_deref().is_some_and(|n| n.contains("custom:"))).count();
    if custom > MAX_CUSTOM_ATTRIBUTES {
        return Err(Error::LimitExceeded(format!("A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes.")));
    }
    Ok(())
}

/// Settings Cognito acts on and PoolDesk does not yet: refused, with what to do, rather than
/// stored and silently ignored. (Threat protection's AUDIT mode is taken: every sign-in is
/// recorded for AdminListUserAuthEvents, as AUDIT records them.) And a link template without
/// its link.
fn refuse_settings_not_acted_on(
    add_ons: Option<&w::UserPoolAddOnsType>,
    template: Option<&w::VerificationMessageTemplateType>,
) -> Result<()> {
    if let Some(add_ons) = add_ons {
        let custom = add_ons.advanced_security_additional_flows.as_ref().and_then(|f| f.custom_auth_mode.as_ref());
        if add_ons.advanced_security_mode == w::AdvancedSecurityModeType::Enforced
            || custom == Some(&w::AdvancedSecurityEnabledModeType::Enforced)
        {
            return Err(Error::InvalidParameter(
                "PoolDesk does not enforce threat protection yet: use AdvancedSecurityMode AUDIT (sign-ins recorded) or OFF.".into(),
            ));
        }
    }
    if let Some(message) = template.and_then(|t| t.email_message_by_link.as_deref())
        && super::messages::link_text(message).is_none()
    {
        return Err(Error::InvalidParameter("EmailMessageByLink must hold the link as {##link text##}.".into()));
    }
    Ok(())
}

impl UserPools {
    pub(super) fn op_create_user_pool(&self, r: w::CreateUserPoolRequest) -> Result<w::CreateUserPoolResponse> {
        refuse_settings_not_acted_on(r.user_pool_add_ons.as_ref(), r.verification_message_template.as_ref())?;
        if r.username_attributes.as_ref().is_some_and(|v| !v.is_empty()) && r.alias_attributes.as_ref().is_some_and(|v| !v.is_empty()) {
            return Err(Error::InvalidParameter("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.".into()));
        }
        let mut policies = r.policies.clone().unwrap_or_default();
        let policy = policies.password_policy.get_or_insert_with(password::default_policy);
        policy.minimum_length = Some(policy.minimum_length.unwrap_or(8));
        policy.temporary_password_validity_days = Some(policy.temporary_password_validity_days.unwrap_or(7));
        if !(6..=99).contains(&policy.minimum_length.unwrap_or(8)) {
            return Err(Error::InvalidParameter("MinimumLength must be between 6 and 99.".into()));
        }
        let schema = build_schema(r.schema.as_deref().unwrap_or_default())?;
        let algorithm = signing_algorithm(r.user_pool_tags.as_ref())?;
        let now = self.now();
        let id = self.random.user_pool_id(&self.config.region)?;
        let config = w::UserPoolType {
            name: Some(r.pool_name),
            policies: Some(policies),
            deletion_protection: Some(r.deletion_protection.unwrap_or(w::DeletionProtectionType::Inactive)),
            lambda_config: Some(super::triggers::checked_lambda_config(r.lambda_config.unwrap_or_default())?),
            schema_attributes: Some(schema),
            auto_verified_attributes: r.auto_verified_attributes,
            alias_attributes: r.alias_attributes,
            username_attributes: r.username_attributes,
            sms_verification_message: r.sms_verification_message,
            email_verification_message: r.email_verification_message,
            email_verification_subject: r.email_verification_subject,
            verification_message_template: Some(r.verification_message_template.unwrap_or_else(|| w::VerificationMessageTemplateType {
                default_email_option: Some(w::DefaultEmailOptionType::ConfirmWithCode),
                ..Default::default()
            })),
            sms_authentication_message: r.sms_authentication_message,
            user_attribute_update_settings: r.user_attribute_update_settings,
            mfa_configuration: Some(r.mfa_configuration.unwrap_or(w::UserPoolMfaType::Off)),
            device_configuration: r.device_configuration,
            email_configuration: Some(r.email_configuration.unwrap_or_else(|| w::EmailConfigurationType {
                email_sending_account: Some(w::EmailSendingAccountType::CognitoDefault),
                ..Default::default()
            })),
            sms_configuration: r.sms_configuration,
            user_pool_tags: Some(r.user_pool_tags.unwrap_or_default()),
            admin_create_user_config: Some({
                let mut c = r.admin_create_user_config.unwrap_or_default();
                c.allow_admin_create_user_only = Some(c.allow_admin_create_user_only.unwrap_or(false));
                c.unused_account_validity_days = Some(c.unused_account_validity_days.unwrap_or(7));
                c
            }),
            user_pool_add_ons: r.user_pool_add_ons,
            username_configuration: r.username_configuration,
            account_recovery_setting: r.account_recovery_setting,
            user_pool_tier: Some(r.user_pool_tier.unwrap_or(w::UserPoolTierType::Essentials)),
            ..Default::default()
        };
        let mfa_config = w::GetUserPoolMfaConfigResponse { mfa_configuration: config.mfa_configuration, ..Default::default() };
        let pool = UserPool { id: id.clone(), config, mfa_config, created_ms: now, modified_ms: now };
        let key = tokens::generate_key_for(&*self.random, &id, now, algorithm)?;
        self.store.create_pool(&pool, &key)?;
        Ok(w::CreateUserPoolResponse { user_pool: Some(self.describe(&pool)?) })
    }

    /// The pool as DescribeUserPool answers it.
    fn describe(&self, pool: &UserPool) -> Result<w::UserPoolType> {
        let mut t = pool.config.clone();
        t.id = Some(pool.id.clone());
        t.arn = Some(self.pool_arn(&pool.id));
        t.creation_date = Some(to_wire(pool.created_ms));
        t.last_modified_date = Some(to_wire(pool.modified_ms));
        t.estimated_number_of_users = Some(i32::try_from(self.store.count_users(&pool.id)?).unwrap_or(i32::MAX));
        for d in self.store.domains_of_pool(&pool.id)? {
            if d.config.custom_domain_config.is_some() {
                t.custom_domain = Some(d.domain);
            } else {
                t.domain = Some(d.domain);
            }
        }
        Ok(t)
    }

    pub(super) fn op_describe_user_pool(&self, r: w::DescribeUserPoolRequest) -> Result<w::DescribeUserPoolResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        Ok(w::DescribeUserPoolResponse { user_pool: Some(self.describe(&pool)?) })
    }

    pub(super) fn op_list_user_pools(&self, r: w::ListUserPoolsRequest) -> Result<w::ListUserPoolsResponse> {
        let page = self.store.list_pools(r.next_token.as_deref(), r.max_results as usize)?;
        let user_pools = page
            .items
            .iter()
            .map(|p| w::UserPoolDescriptionType {
                id: Some(p.id.clone()),
                name: p.config.name.clone(),
                lambda_config: p.config.lambda_config.clone(),
                status: None,
                last_modified_date: Some(to_wire(p.modified_ms)),
                creation_date: Some(to_wire(p.created_ms)),
                ..Default::default()
            })
            .collect();
        Ok(w::ListUserPoolsResponse { user_pools: Some(user_pools), next_token: page.next })
    }

    /// UpdateUserPool replaces the settings it names and, as in Cognito, resets the
    /// updatable settings it leaves out to their defaults.
    pub(super) fn op_update_user_pool(&self, r: w::UpdateUserPoolRequest) -> Result<w::UpdateUserPoolResponse> {
        refuse_settings_not_acted_on(r.user_pool_add_ons.as_ref(), r.verification_message_template.as_ref())?;
        let mut pool = Arc::unwrap_or_clone(self.pool(&r.user_pool_id)?);
        let c = &mut pool.config;
        if let Some(name) = r.pool_name {
            c.name = Some(name);
        }
        if let Some(mut policies) = r.policies {
            if let Some(p) = policies.password_policy.as_mut() {
                p.minimum_length = Some(p.minimum_length.unwrap_or(8));
                p.temporary_password_validity_days = Some(p.temporary_password_validity_days.unwrap_or(7));
            }
            c.policies = Some(policies);
        }
        c.deletion_protection = Some(r.deletion_protection.unwrap_or(w::DeletionProtectionType::Inactive));
        c.lambda_config = Some(super::triggers::checked_lambda_config(r.lambda_config.unwrap_or_default())?);
        c.auto_verified_attributes = r.auto_verified_attributes;
        c.sms_verification_message = r.sms_verification_message;
        c.email_verification_message = r.email_verification_message;
        c.email_verification_subject = r.email_verification_subject;
        if r.verification_message_template.is_some() {
            c.verification_message_template = r.verification_message_template;
        }
        c.sms_authentication_message = r.sms_authentication_message;
        c.user_attribute_update_settings = r.user_attribute_update_settings;
        c.mfa_configuration = Some(r.mfa_configuration.unwrap_or(w::UserPoolMfaType::Off));
        c.device_configuration = r.device_configuration;
        if r.email_configuration.is_some() {
            c.email_configuration = r.email_configuration;
        }
        c.sms_configuration = r.sms_configuration;
        if r.user_pool_tags.is_some() {
            let signing = self.signer(&pool.id)?.algorithm();
            if signing_algorithm(r.user_pool_tags.as_ref())? != signing {
                return Err(Error::InvalidParameter(format!(
                    "The pool signs its tokens with {}: the {} tag is chosen when a pool is created and cannot change.",
                    signing.name(),
                    tokens::SIGNING_ALGORITHM_TAG
                )));
            }
            c.user_pool_tags = r.user_pool_tags;
        }
        if let Some(mut admin) = r.admin_create_user_config {
            admin.allow_admin_create_user_only = Some(admin.allow_admin_create_user_only.unwrap_or(false));
            admin.unused_account_validity_days = Some(admin.unused_account_validity_days.unwrap_or(7));
            c.admin_create_user_config = Some(admin);
        }
        c.user_pool_add_ons = r.user_pool_add_ons;
        c.account_recovery_setting = r.account_recovery_setting;
        if r.user_pool_tier.is_some() {
            c.user_pool_tier = r.user_pool_tier;
        }
        pool.modified_ms = self.now();
        self.store.update_pool(&pool)?;
        Ok(w::UpdateUserPoolResponse {})
    }

    pub(super) fn pool_arn(&self, pool_id: &str) -> String {
        format!("arn:aws:cognito-idp:{}:{}:userpool/{pool_id}", self.config.region, self.config.account_id)
    }

    /// The user pool an ARN names (`arn:aws:cognito-idp:<region>:<account>:userpool/<id>`, this
    /// server's region and account).
    fn pool_from_arn(&self, arn: &str) -> Result<Arc<UserPool>> {
        let prefix = format!("arn:aws:cognito-idp:{}:{}:userpool/", self.config.region, self.config.account_id);
        match arn.strip_prefix(&prefix) {
            Some(id) if !id.is_empty() && !id.contains('/') => self.pool(id),
            _ => Err(Error::InvalidParameter(format!("'{arn}' is not the ARN of a user pool ({prefix}<user pool id>)."))),
        }
    }

    /// Sets tags on a user pool; the signing-algorithm tag, chosen at creation, cannot change.
    pub(super) fn op_tag_resource(&self, r: w::TagResourceRequest) -> Result<w::TagResourceResponse> {
        let mut pool = Arc::unwrap_or_clone(self.pool_from_arn(&r.resource_arn)?);
        let mut tags = pool.config.user_pool_tags.clone().unwrap_or_default();
        tags.extend(r.tags);
        self.set_tags(&mut pool, tags)?;
        Ok(w::TagResourceResponse {})
    }

    pub(super) fn op_untag_resource(&self, r: w::UntagResourceRequest) -> Result<w::UntagResourceResponse> {
        let mut pool = Arc::unwrap_or_clone(self.pool_from_arn(&r.resource_arn)?);
        let mut tags = pool.config.user_pool_tags.clone().unwrap_or_default();
        for key in &r.tag_keys {
            tags.remove(key);
        }
        self.set_tags(&mut pool, tags)?;
        Ok(w::UntagResourceResponse {})
    }

    pub(super) fn op_list_tags_for_resource(&self, r: w::ListTagsForResourceRequest) -> Result<w::ListTagsForResourceResponse> {
        let pool = self.pool_from_arn(&r.resource_arn)?;
        Ok(w::ListTagsForResourceResponse { tags: Some(pool.config.user_pool_tags.clone().unwrap_or_default()) })
    }

    fn set_tags(&self, pool: &mut UserPool, tags: std::collections::BTreeMap<String, String>) -> Result<()> {
        if tags.len() > MAX_TAGS {
            return Err(Error::InvalidParameter(format!("A user pool has at most {MAX_TAGS} tags.")));
        }
        let signing = self.signer(&pool.id)?.algorithm();
        if signing_algorithm(Some(&tags))? != signing {
            return Err(Error::InvalidParameter(format!(
                "The pool signs its tokens with {}: the {} tag is chosen when a pool is created and cannot change.",
                signing.name(),
                tokens::SIGNING_ALGORITHM_TAG
            )));
        }
        pool.config.user_pool_tags = Some(tags);
        pool.modified_ms = self.now();
        self.store.update_pool(pool)?;
        Ok(())
    }

    pub(super) fn op_delete_user_pool(&self, r: w::DeleteUserPoolRequest) -> Result<()> {
        let pool = self.pool(&r.user_pool_id)?;
        if pool.config.deletion_protection == Some(w::DeletionProtectionType::Active) {
            return Err(Error::InvalidParameter(
                "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first."
                    .into(),
            ));
        }
        self.store.delete_pool(&pool.id)?;
        Ok(())
    }

    pub(super) fn op_add_custom_attributes(&self, r: w::AddCustomAttributesRequest) -> Result<w::AddCustomAttributesResponse> {
        let mut pool = Arc::unwrap_or_clone(self.pool(&r.user_pool_id)?);
        let schema = pool.config.schema_attributes.get_or_insert_with(standard_schema);
        for req in &r.custom_attributes {
            let attr = custom_attribute(req)?;
            if schema.iter().any(|a| a.name == attr.name) {
                return Err(Error::InvalidParameter(format!("{} already exists in schema.", attr.name.as_deref().unwrap_or_default())));
            }
            schema.push(attr);
        }
        check_custom_count(schema)?;
        pool.modified_ms = self.now();
        self.store.update_pool(&pool)?;
        Ok(w::AddCustomAttributesResponse {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_attributes_are_prefixed_and_checked() {
        let req = SchemaAttributeType {
            name: Some("team".into()),
            attribute_data_type: Some(AttributeDataType::Number),
            number_attribute_constraints: Some(w::NumberAttributeConstraintsType {
                min_value: Some("1".into()),
                max_value: Some("9".into()),
            }),
            ..Default::default()
        };
        let schema = build_schema(std::slice::from_ref(&req)).unwrap();
        let team = schema.iter().find(|a| a.name.as_deref() == Some("custom:team")).unwrap();
        assert_eq!(team.mutable, Some(true));
        assert!(build_schema(&[req.clone(), req.clone()]).is_err(), "duplicates are refused");
        let required = SchemaAttributeType { required: Some(true), ..req };
        assert!(matches!(build_schema(&[required]), Err(Error::InvalidParameter(_))));
    }

    #[test]
    fn standard_attributes_can_be_made_required() {
        let req = SchemaAttributeType { name: Some("email".into()), required: Some(true), ..Default::default() };
        let schema = build_schema(&[req]).unwrap();
        let email = schema.iter().find(|a| a.name.as_deref() == Some("email")).unwrap();
        assert_eq!(email.required, Some(true));
        assert_eq!(schema.iter().filter(|a| a.name.as_deref() == Some("email")).count(), 1);
    }
}
