//! The admin user lifecycle: AdminCreateUser, AdminGetUser, AdminUpdate/DeleteUserAttributes,
//! AdminEnable/DisableUser, AdminDeleteUser, AdminConfirmSignUp, AdminResetUserPassword,
//! AdminSetUserPassword, AdminUserGlobalSignOut, and ListUsers.

use std::collections::BTreeMap;

use pooldesk_wire::cognito_idp::{self as w, DeliveryMediumType, MessageActionType, UserStatusType};
use serde_json::json;

use super::attributes::{self, Writer};
use super::{UserPools, messages, triggers};
use crate::clock::to_wire;
use crate::error::{Error, Result};
use crate::store::{CodePurpose, StoreError, User, UserData, UserPool};
use crate::{filter, password};

pub(super) fn user_type(user: &User, only: Option<&[String]>) -> w::UserType {
    w::UserType {
        username: Some(user.username.clone()),
        attributes: Some(attributes::to_wire(&user.sub, &user.data.attributes, only)),
        user_create_date: Some(to_wire(user.created_ms)),
        user_last_modified_date: Some(to_wire(user.modified_ms)),
        enabled: Some(user.enabled),
        user_status: Some(user.status),
        mfa_options: None,
    }
}

impl UserPools {
    /// Builds a new user; `username` is what the caller gave. In pools whose usernames are
    /// e-mail addresses or phone numbers, that value becomes the attribute and the username
    /// is the `sub`, as in Cognito.
    pub(super) fn new_user(
        &self,
        pool: &UserPool,
        username: &str,
        mut attrs: BTreeMap<String, String>,
        status: UserStatusType,
    ) -> Result<User> {
        let sub = self.random.uuid()?;
        let username_attributes: Vec<&str> = pool.config.username_attributes.iter().flatten().map(|a| a.as_str()).collect();
        let name = if username_attributes.is_empty() {
            username.to_owned()
        } else {
            let as_email = attributes::looks_like_email(username);
            let as_phone = attributes::looks_like_phone(username);
            let attr = match (as_email, as_phone) {
                (true, _) if username_attributes.contains(&"email") => "email",
                (_, true) if username_attributes.contains(&"phone_number") => "phone_number",
                _ => {
                    let what = username_attributes
                        .iter()
                        .map(|a| if *a == "email" { "an email" } else { "a phone number" })
                        .collect::<Vec<_>>()
                        .join(" or ");
                    return Err(Error::InvalidParameter(format!("Username should be {what}.")));
                }
            };
            if let Some(other) = attrs.get(attr)
                && other != username
            {
                return Err(Error::InvalidParameter(format!("The {attr} attribute must match the username.")));
            }
            attrs.insert(attr.to_owned(), username.to_owned());
            sub.clone()
        };
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(Error::InvalidParameter("Username must not be empty or contain whitespace.".into()));
        }
        let now = self.now();
        Ok(User {
            pool_id: pool.id.clone(),
            key: Self::user_key(pool, &name),
            username: name,
            sub,
            status,
            enabled: true,
            created_ms: now,
            modified_ms: now,
            version: 0,
            data: UserData { attributes: attrs, ..Default::default() },
        })
    }

    /// Inserts a user, refusing a taken username, e-mail/phone username or verified alias.
    pub(super) fn insert_user(&self, pool: &UserPool, user: &User) -> Result<()> {
        for attr in pool.config.username_attributes.iter().flatten() {
            if let Some(v) = user.data.attributes.get(attr.as_str())
                && !self.store.find_users_by_attribute(&pool.id, attr.as_str(), v)?.is_empty()
            {
                return Err(Error::UsernameExists(format!("An account with the given {} already exists.", attr.as_str())));
            }
        }
        self.store.insert_user(user).map_err(|e| match e {
            StoreError::Conflict(_) => Error::UsernameExists("User account already exists".into()),
            other => other.into(),
        })
    }

    pub(super) fn op_admin_create_user(&self, r: w::AdminCreateUserRequest) -> Result<w::AdminCreateUserResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let given = r.user_attributes.clone().unwrap_or_default();
        let policy = pool.config.policies.as_ref().and_then(|p| p.password_policy.clone()).unwrap_or_else(password::default_policy);
        // A generated password that is neither sent nor returned is known to no one, so none
        // is stored: the user waits for AdminSetUserPassword or a RESEND, as in Cognito, and
        // the call costs no password hash.
        let temporary = match &r.temporary_password {
            Some(p) => {
                password::check_policy(&policy, p)?;
                Some(p.0.clone())
            }
            None if r.message_action == Some(MessageActionType::Suppress) => None,
            None => Some(self.random.temporary_password(policy.minimum_length.unwrap_or(8) as usize)?),
        };
        let validity_days = i64::from(policy.temporary_password_validity_days.unwrap_or(7));

        let mut user = if r.message_action == Some(MessageActionType::Resend) {
            let mut user = self.require_user(&pool, &r.username)?;
            if user.status != UserStatusType::ForceChangePassword {
                return Err(Error::UnsupportedUserState("Resend not possible. The user is not in FORCE_CHANGE_PASSWORD state.".into()));
            }
            let temporary = temporary.as_deref().ok_or_else(|| Error::InvalidParameter("RESEND delivers a temporary password.".into()))?;
            self.set_password(&pool, &mut user, temporary)?;
            user.data.temporary_password_expires_ms = Some(self.now() + validity_days * 86_400_000);
            self.save_user(&mut user)?;
            user
        } else {
            attributes::check(&pool, &given, Writer::Admin, true)?;
            let attrs: BTreeMap<String, String> = given.iter().map(|a| (a.name.clone(), a.value.clone().unwrap_or_default())).collect();
            let mut user = self.new_user(&pool, &r.username, attrs, UserStatusType::ForceChangePassword)?;
            attributes::check_required(&pool, &user.data.attributes)?;
            let request = json!({
                "userAttributes": triggers::name_values(Some(&given)),
                "validationData": triggers::name_values(r.validation_data.as_ref()),
                "clientMetadata": triggers::client_metadata(r.client_metadata.as_ref()),
            });
            let decided = self.pre_sign_up(&pool, "PreSignUp_AdminCreateUser", &user.username, None, request, &user.data.attributes)?;
            // An invited user confirms by changing the temporary password: only the
            // verification flags apply.
            triggers::PreSignUp { auto_confirm: false, ..decided }.apply(&mut user);
            if let Some(temporary) = &temporary {
                self.set_password(&pool, &mut user, temporary)?;
                user.data.temporary_password_expires_ms = Some(self.now() + validity_days * 86_400_000);
            }
            self.insert_user(&pool, &user)?;
            user
        };
        user.version = user.version.max(0);

        if r.message_action != Some(MessageActionType::Suppress) {
            let wanted = r.desired_delivery_mediums.clone().unwrap_or_else(|| vec![DeliveryMediumType::Sms]);
            let mut channels: Vec<_> = wanted
                .iter()
                .filter_map(|m| messages::channel(&user, if *m == DeliveryMediumType::Email { "email" } else { "phone_number" }))
                .collect();
            if channels.is_empty() {
                // Nothing to send to over the requested medium: fall back to any address the
                // user has, so the invitation is not silently lost.
                channels.extend(messages::channel(&user, "email").or_else(|| messages::channel(&user, "phone_number")));
            }
            for ch in &channels {
                self.send_invitation(&pool, &user, ch, temporary.as_deref().unwrap_or_default(), r.client_metadata.as_ref())?;
            }
        }
        Ok(w::AdminCreateUserResponse { user: Some(user_type(&user, None)) })
    }

    pub(super) fn op_admin_get_user(&self, r: w::AdminGetUserRequest) -> Result<w::AdminGetUserResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.require_user(&pool, &r.username)?;
        Ok(w::AdminGetUserResponse {
            username: user.username.clone(),
            user_attributes: Some(attributes::to_wire(&user.sub, &user.data.attributes, None)),
            user_create_date: Some(to_wire(user.created_ms)),
            user_last_modified_date: Some(to_wire(user.modified_ms)),
            enabled: Some(user.enabled),
            user_status: Some(user.status),
            mfa_options: Self::mfa_options(&user),
            preferred_mfa_setting: user.data.mfa.preferred.clone(),
            user_mfa_setting_list: Some(self.enabled_factors(&pool, &user)).filter(|l| !l.is_empty()),
        })
    }

    /// Updates attributes; a changed auto-verified e-mail or phone gets a verification code.
    pub(super) fn update_attributes(
        &self,
        pool: &UserPool,
        user: &mut User,
        changes: &[w::AttributeType],
        client_metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<Vec<w::CodeDeliveryDetailsType>> {
        let changed = attributes::apply(&mut user.data.attributes, changes);
        if let Some(v) = user.data.attributes.get("email").cloned()
            && changed.iter().any(|c| c == "email")
            && pool.config.alias_attributes.iter().flatten().any(|a| a.as_str() == "email")
        {
            let taken = self
                .store
                .find_users_by_attribute(&pool.id, "email", &v)?
                .into_iter()
                .any(|u| u.sub != user.sub && u.data.attributes.get("email_verified").map(String::as_str) == Some("true"));
            if taken {
                return Err(Error::AliasExists("An account with the given email already exists.".into()));
            }
        }
        let auto: Vec<&str> = pool.config.auto_verified_attributes.iter().flatten().map(|a| a.as_str()).collect();
        let mut to_send = Vec::new();
        for attr in &changed {
            let verified = user.data.attributes.get(&format!("{attr}_verified")).map(String::as_str) == Some("true");
            if auto.contains(&attr.as_str())
                && !verified
                && let Some(ch) = messages::channel(user, attr)
            {
                let purpose = if attr == "email" { CodePurpose::VerifyEmail } else { CodePurpose::VerifyPhoneNumber };
                let code = self.new_code(user, purpose)?;
                to_send.push((ch, code));
            }
        }
        self.save_user(user)?;
        let mut details = Vec::new();
        for (ch, code) in &to_send {
            self.send_code(pool, user, ch, code, messages::Why::new("CustomMessage_UpdateUserAttribute", client_metadata))?;
            details.push(messages::details(ch));
        }
        Ok(details)
    }

    pub(super) fn op_admin_update_user_attributes(
        &self,
        r: w::AdminUpdateUserAttributesRequest,
    ) -> Result<w::AdminUpdateUserAttributesResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let mut user = self.require_user(&pool, &r.username)?;
        attributes::check(&pool, &r.user_attributes, Writer::Admin, false)?;
        self.update_attributes(&pool, &mut user, &r.user_attributes, r.client_metadata.as_ref())?;
        Ok(w::AdminUpdateUserAttributesResponse {})
    }

    pub(super) fn remove_attributes(pool: &UserPool, user: &mut User, names: &[String]) -> Result<()> {
        for name in names {
            let def = pool.config.schema_attributes.iter().flatten().find(|d| d.name.as_deref() == Some(name.as_str()));
            match def {
                None => {
                    return Err(Error::InvalidParameter(format!(
                        "Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined"
                    )));
                }
                Some(d) if d.required == Some(true) || d.mutable == Some(false) => {
                    return Err(Error::InvalidParameter(format!("Cannot delete the required or non-mutable attribute {name}")));
                }
                Some(_) => {
                    user.data.attributes.remove(name);
                }
            }
        }
        Ok(())
    }

    pub(super) fn op_admin_delete_user_attributes(
        &self,
        r: w::AdminDeleteUserAttributesRequest,
    ) -> Result<w::AdminDeleteUserAttributesResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let mut user = self.require_user(&pool, &r.username)?;
        Self::remove_attributes(&pool, &mut user, &r.user_attribute_names)?;
        self.save_user(&mut user)?;
        Ok(w::AdminDeleteUserAttributesResponse {})
    }

    pub(super) fn op_admin_set_enabled(&self, pool_id: &str, username: &str, enabled: bool) -> Result<()> {
        let pool = self.pool(pool_id)?;
        let mut user = self.require_user(&pool, username)?;
        if user.enabled != enabled {
            user.enabled = enabled;
            self.save_user(&mut user)?;
        }
        Ok(())
    }

    pub(super) fn op_admin_delete_user(&self, r: w::AdminDeleteUserRequest) -> Result<()> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.require_user(&pool, &r.username)?;
        self.store.delete_user(&pool.id, &user.key)?;
        Ok(())
    }

    pub(super) fn op_admin_confirm_sign_up(&self, r: w::AdminConfirmSignUpRequest) -> Result<w::AdminConfirmSignUpResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let mut user = self.require_user(&pool, &r.username)?;
        if user.status != UserStatusType::Unconfirmed {
            return Err(Error::NotAuthorized(format!("User cannot be confirmed. Current status is {}", user.status.as_str())));
        }
        user.status = UserStatusType::Confirmed;
        user.data.codes.remove(&CodePurpose::SignUp);
        self.save_user(&mut user)?;
        self.post_confirmation(&pool, &user, "PostConfirmation_ConfirmSignUp", None, r.client_metadata.as_ref())?;
        Ok(w::AdminConfirmSignUpResponse {})
    }

    /// Makes the current password unusable: the user must reset it with a code, which is
    /// sent when they have a verified address.
    pub(super) fn op_admin_reset_user_password(&self, r: w::AdminResetUserPasswordRequest) -> Result<w::AdminResetUserPasswordResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let mut user = self.require_user(&pool, &r.username)?;
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        let ch = self.recovery_channel(&user);
        if user.status != UserStatusType::Unconfirmed {
            user.status = UserStatusType::ResetRequired;
        }
        let code = match &ch {
            Some(_) => Some(self.new_code(&mut user, CodePurpose::ForgotPassword)?),
            None => None,
        };
        self.save_user(&mut user)?;
        self.store.revoke_user_sessions(&pool.id, &user.sub)?;
        if let (Some(ch), Some(code)) = (&ch, &code) {
            self.send_code(&pool, &user, ch, code, messages::Why::new("CustomMessage_ForgotPassword", r.client_metadata.as_ref()))?;
        }
        Ok(w::AdminResetUserPasswordResponse {})
    }

    pub(super) fn op_admin_set_user_password(&self, r: w::AdminSetUserPasswordRequest) -> Result<w::AdminSetUserPasswordResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let mut user = self.require_user(&pool, &r.username)?;
        let policy = pool.config.policies.as_ref().and_then(|p| p.password_policy.clone()).unwrap_or_else(password::default_policy);
        password::check_policy(&policy, &r.password)?;
        self.set_password(&pool, &mut user, &r.password)?;
        user.data.failed_sign_ins = 0;
        user.data.locked_until_ms = None;
        if r.permanent == Some(true) {
            user.status = UserStatusType::Confirmed;
            user.data.temporary_password_expires_ms = None;
        } else {
            user.status = UserStatusType::ForceChangePassword;
            let days = i64::from(policy.temporary_password_validity_days.unwrap_or(7));
            user.data.temporary_password_expires_ms = Some(self.now() + days * 86_400_000);
        }
        user.data.codes.remove(&CodePurpose::ForgotPassword);
        self.save_user(&mut user)?;
        Ok(w::AdminSetUserPasswordResponse {})
    }

    pub(super) fn op_admin_user_global_sign_out(&self, r: w::AdminUserGlobalSignOutRequest) -> Result<w::AdminUserGlobalSignOutResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.require_user(&pool, &r.username)?;
        self.store.revoke_user_sessions(&pool.id, &user.sub)?;
        Ok(w::AdminUserGlobalSignOutResponse {})
    }

    pub(super) fn op_list_users(&self, r: w::ListUsersRequest) -> Result<w::ListUsersResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let limit = match r.limit {
            None => 60,
            Some(n) if (0..=60).contains(&n) => n.max(1) as usize,
            Some(n) => {
                return Err(Error::InvalidParameter(format!(
                    "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
                )));
            }
        };
        let mut filter = filter::parse(r.filter.as_deref().unwrap_or(""))?;
        if let Some(f) = filter.as_mut()
            && f.field == crate::store::FilterField::Username
        {
            f.value = Self::user_key(&pool, &f.value);
        }
        let page = self.store.list_users(&pool.id, filter.as_ref(), r.pagination_token.as_deref(), limit).map_err(|e| match e {
            StoreError::BadCursor => Error::InvalidParameter("Invalid pagination token.".into()),
            other => other.into(),
        })?;
        let only = r.attributes_to_get.as_deref();
        Ok(w::ListUsersResponse { users: Some(page.items.iter().map(|u| user_type(u, only)).collect()), pagination_token: page.next })
    }

    /// The verified address a password-reset code goes to, preferring e-mail.
    pub(super) fn recovery_channel(&self, user: &User) -> Option<(DeliveryMediumType, String, String)> {
        ["email", "phone_number"].into_iter().find_map(|attr| {
            let verified = user.data.attributes.get(&format!("{attr}_verified")).map(String::as_str) == Some("true");
            if verified { messages::channel(user, attr) } else { None }
        })
    }
}
