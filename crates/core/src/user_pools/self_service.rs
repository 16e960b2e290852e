//! What users do themselves: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
//! ConfirmForgotPassword, and, with an access token, ChangePassword, GetUser,
//! UpdateUserAttributes, DeleteUserAttributes, DeleteUser, GetUserAttributeVerificationCode,
//! VerifyUserAttribute.

use std::collections::BTreeMap;
use std::sync::Arc;

use pooldesk_wire::cognito_idp::{self as w, PreventUserExistenceErrorTypes, UserStatusType};

use serde_json::json;

use super::attributes::{self, Writer};
use super::{UserPools, messages, triggers};
use crate::error::{Error, Result};
use crate::password;
use crate::store::{AppClient, CodePurpose, User, UserPool};

impl UserPools {
    fn password_policy(pool: &UserPool) -> w::PasswordPolicyType {
        pool.config.policies.as_ref().and_then(|p| p.password_policy.clone()).unwrap_or_else(password::default_policy)
    }

    /// With PreventUserExistenceErrors, "no such user" must look like any other failure.
    fn hides_users(client: &AppClient) -> bool {
        client.config.prevent_user_existence_errors == Some(PreventUserExistenceErrorTypes::Enabled)
    }

    /// A user for a public, client-scoped operation (ConfirmSignUp, ForgotPassword...).
    fn client_user(&self, pool: &UserPool, username: &str) -> Result<User> {
        self.find_user(pool, username)?.ok_or_else(|| Error::UserNotFound("Username/client id combination not found.".into()))
    }

    pub(super) fn op_sign_up(&self, r: w::SignUpRequest) -> Result<w::SignUpResponse> {
        let client = self.client(&r.client_id)?;
        let pool = self.pool(&client.pool_id)?;
        Self::check_secret_hash(&client, &[&r.username], r.secret_hash.as_deref().map(String::as_str))?;
        if pool.config.admin_create_user_config.as_ref().and_then(|c| c.allow_admin_create_user_only) == Some(true) {
            return Err(Error::NotAuthorized("SignUp is not permitted for this user pool".into()));
        }
        let password = r.password.as_ref().map(|p| p.0.clone()).ok_or_else(|| {
            Error::InvalidParameter(
                "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null".into(),
            )
        })?;
        password::check_policy(&Self::password_policy(&pool), &password)?;
        let given = r.user_attributes.clone().unwrap_or_default();
        attributes::check(&pool, &given, Writer::User(Some(&client)), true)?;
        let attrs: BTreeMap<String, String> = given.iter().map(|a| (a.name.clone(), a.value.clone().unwrap_or_default())).collect();
        let mut user = self.new_user(&pool, &r.username, attrs, UserStatusType::Unconfirmed)?;
        attributes::check_required(&pool, &user.data.attributes)?;
        // The function sees the request before anything is hashed or stored.
        let request = json!({
            "userAttributes": triggers::name_values(Some(&given)),
            "validationData": triggers::name_values(r.validation_data.as_ref()),
            "clientMetadata": triggers::client_metadata(r.client_metadata.as_ref()),
        });
        let decided =
            self.pre_sign_up(&pool, "PreSignUp_SignUp", &user.username, Some(&client.client_id), request, &user.data.attributes)?;
        decided.apply(&mut user);
        self.set_password(&pool, &mut user, &password)?;

        let channel = if decided.auto_confirm { None } else { self.confirmation_channel(&pool, &user) };
        if let Some(ch) = &channel {
            self.confirmation_link_base(&pool, ch)?;
        }
        let code = match channel {
            Some(_) => Some(self.new_code(&mut user, CodePurpose::SignUp)?),
            None => None,
        };
        self.insert_user(&pool, &user)?;
        if let (Some(ch), Some(code)) = (&channel, &code) {
            let why = messages::Why::new("CustomMessage_SignUp", r.client_metadata.as_ref());
            self.send_sign_up_confirmation(&pool, &user, ch, (code, &client.client_id), why)?;
        }
        Ok(w::SignUpResponse {
            user_confirmed: decided.auto_confirm,
            code_delivery_details: channel.as_ref().map(messages::details),
            user_sub: user.sub.clone(),
            session: None,
        })
    }

    /// Where the sign-up confirmation code goes: an auto-verified attribute the user has.
    fn confirmation_channel(&self, pool: &UserPool, user: &User) -> Option<(w::DeliveryMediumType, String, String)> {
        let auto: Vec<&str> = pool.config.auto_verified_attributes.iter().flatten().map(|a| a.as_str()).collect();
        ["email", "phone_number"].into_iter().filter(|a| auto.contains(a)).find_map(|a| messages::channel(user, a))
    }

    pub(super) fn op_confirm_sign_up(&self, r: w::ConfirmSignUpRequest) -> Result<w::ConfirmSignUpResponse> {
        let client = self.client(&r.client_id)?;
        let pool = self.pool(&client.pool_id)?;
        let mut user = self.client_user(&pool, &r.username)?;
        Self::check_secret_hash(&client, &[&r.username, &user.username], r.secret_hash.as_deref().map(String::as_str))?;
        if user.status != UserStatusType::Unconfirmed {
            return Err(Error::NotAuthorized(format!("User cannot be confirmed. Current status is {}", user.status.as_str())));
        }
        self.redeem_code(&mut user, CodePurpose::SignUp, &r.confirmation_code)?;
        user.status = UserStatusType::Confirmed;
        if let Some((_, attr, _)) = self.confirmation_channel(&pool, &user) {
            user.data.attributes.insert(format!("{attr}_verified"), "true".into());
        }
        self.save_user(&mut user)?;
        // The user stays confirmed whatever the function answers; its failure is reported.
        self.post_confirmation(&pool, &user, "PostConfirmation_ConfirmSignUp", Some(&client.client_id), r.client_metadata.as_ref())?;
        Ok(w::ConfirmSignUpResponse { session: None })
    }

    pub(super) fn op_resend_confirmation_code(&self, r: w::ResendConfirmationCodeRequest) -> Result<w::ResendConfirmationCodeResponse> {
        let client = self.client(&r.client_id)?;
        let pool = self.pool(&client.pool_id)?;
        let mut user = self.client_user(&pool, &r.username)?;
        Self::check_secret_hash(&client, &[&r.username, &user.username], r.secret_hash.as_deref().map(String::as_str))?;
        if user.status != UserStatusType::Unconfirmed {
            return Err(Error::InvalidParameter("User is already confirmed.".into()));
        }
        let ch = self
            .confirmation_channel(&pool, &user)
            .ok_or_else(|| Error::InvalidParameter("The user has no e-mail address or phone number to send a code to.".into()))?;
        self.confirmation_link_base(&pool, &ch)?;
        let code = self.new_code(&mut user, CodePurpose::SignUp)?;
        self.save_user(&mut user)?;
        let why = messages::Why::new("CustomMessage_ResendCode", r.client_metadata.as_ref());
        self.send_sign_up_confirmation(&pool, &user, &ch, (&code, &client.client_id), why)?;
        Ok(w::ResendConfirmationCodeResponse { code_delivery_details: Some(messages::details(&ch)) })
    }

    pub(super) fn op_forgot_password(&self, r: w::ForgotPasswordRequest) -> Result<w::ForgotPasswordResponse> {
        let client = self.client(&r.client_id)?;
        let pool = self.pool(&client.pool_id)?;
        let found = match self.find_user(&pool, &r.username)? {
            Some(user) => Some(user),
            None => {
                Self::check_secret_hash(&client, &[&r.username], r.secret_hash.as_deref().map(String::as_str))?;
                let migration = triggers::Migration {
                    user_name: &r.username,
                    client: &client,
                    password: None,
                    client_metadata: r.client_metadata.as_ref(),
                };
                match self.migrate_user(&pool, migration) {
                    Err(Error::UserNotFound(_)) if Self::hides_users(&client) => None,
                    other => other?,
                }
            }
        };
        let Some(mut user) = found else {
            Self::check_secret_hash(&client, &[&r.username], r.secret_hash.as_deref().map(String::as_str))?;
            if Self::hides_users(&client) {
                // Answer as if a code went out, so the response does not reveal who exists.
                return Ok(w::ForgotPasswordResponse {
                    code_delivery_details: Some(w::CodeDeliveryDetailsType {
                        destination: Some(messages::mask(&r.username)),
                        delivery_medium: Some(w::DeliveryMediumType::Email),
                        attribute_name: Some("email".into()),
                    }),
                });
            }
            return Err(Error::UserNotFound("Username/client id combination not found.".into()));
        };
        Self::check_secret_hash(&client, &[&r.username, &user.username], r.secret_hash.as_deref().map(String::as_str))?;
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        let ch = self.recovery_channel(&user).ok_or_else(|| {
            Error::InvalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number".into())
        })?;
        let code = self.new_code(&mut user, CodePurpose::ForgotPassword)?;
        self.save_user(&mut user)?;
        self.send_code(&pool, &user, &ch, &code, messages::Why::new("CustomMessage_ForgotPassword", r.client_metadata.as_ref()))?;
        Ok(w::ForgotPasswordResponse { code_delivery_details: Some(messages::details(&ch)) })
    }

    pub(super) fn op_confirm_forgot_password(&self, r: w::ConfirmForgotPasswordRequest) -> Result<w::ConfirmForgotPasswordResponse> {
        let client = self.client(&r.client_id)?;
        let pool = self.pool(&client.pool_id)?;
        let mut user = match self.find_user(&pool, &r.username)? {
            Some(u) => u,
            None if Self::hides_users(&client) => {
                return Err(Error::CodeMismatch("Invalid verification code provided, please try again.".into()));
            }
            None => return Err(Error::UserNotFound("Username/client id combination not found.".into())),
        };
        Self::check_secret_hash(&client, &[&r.username, &user.username], r.secret_hash.as_deref().map(String::as_str))?;
        password::check_policy(&Self::password_policy(&pool), &r.password)?;
        self.redeem_code(&mut user, CodePurpose::ForgotPassword, &r.confirmation_code)?;
        self.set_password(&pool, &mut user, &r.password)?;
        user.data.failed_sign_ins = 0;
        user.data.locked_until_ms = None;
        user.data.temporary_password_expires_ms = None;
        if matches!(user.status, UserStatusType::ResetRequired | UserStatusType::ForceChangePassword) {
            user.status = UserStatusType::Confirmed;
        }
        self.save_user(&mut user)?;
        self.post_confirmation(
            &pool,
            &user,
            "PostConfirmation_ConfirmForgotPassword",
            Some(&client.client_id),
            r.client_metadata.as_ref(),
        )?;
        Ok(w::ConfirmForgotPasswordResponse {})
    }

    pub(super) fn op_change_password(&self, r: w::ChangePasswordRequest) -> Result<w::ChangePasswordResponse> {
        let (pool, mut user, _) = self.authenticate(&r.access_token)?;
        let previous = r.previous_password.as_ref().map(|p| p.0.as_str()).unwrap_or("");
        let ok = user.data.password_hash.as_deref().is_some_and(|h| self.hasher.verify(previous, h));
        if !ok {
            return Err(Error::NotAuthorized("Incorrect username or password.".into()));
        }
        password::check_policy(&Self::password_policy(&pool), &r.proposed_password)?;
        self.set_password(&pool, &mut user, &r.proposed_password)?;
        self.save_user(&mut user)?;
        Ok(w::ChangePasswordResponse {})
    }

    /// The client the access token was issued to, for its Read/WriteAttributes.
    fn token_client(&self, claims: &serde_json::Map<String, serde_json::Value>) -> Result<Option<Arc<AppClient>>> {
        match claims.get("client_id").and_then(|v| v.as_str()) {
            Some(id) => Ok(self.store.get_client(id)?),
            None => Ok(None),
        }
    }

    pub(super) fn op_get_user(&self, r: w::GetUserRequest) -> Result<w::GetUserResponse> {
        let (pool, user, client) = self.reading_together(|| {
            let (pool, user, claims) = self.authenticate(&r.access_token)?;
            Ok((pool, user, self.token_client(&claims)?))
        })?;
        let only = client.as_ref().and_then(|c| c.config.read_attributes.clone()).map(|mut v| {
            v.push("sub".into());
            v
        });
        Ok(w::GetUserResponse {
            username: user.username.clone(),
            user_attributes: attributes::to_wire(&user.sub, &user.data.attributes, only.as_deref()),
            mfa_options: Self::mfa_options(&user),
            preferred_mfa_setting: user.data.mfa.preferred.clone(),
            user_mfa_setting_list: Some(self.enabled_factors(&pool, &user)).filter(|l| !l.is_empty()),
        })
    }

    pub(super) fn op_update_user_attributes(&self, r: w::UpdateUserAttributesRequest) -> Result<w::UpdateUserAttributesResponse> {
        let (pool, mut user, claims) = self.authenticate(&r.access_token)?;
        let client = self.token_client(&claims)?;
        attributes::check(&pool, &r.user_attributes, Writer::User(client.as_deref()), false)?;
        let details = self.update_attributes(&pool, &mut user, &r.user_attributes, r.client_metadata.as_ref())?;
        Ok(w::UpdateUserAttributesResponse { code_delivery_details_list: Some(details) })
    }

    pub(super) fn op_delete_user_attributes(&self, r: w::DeleteUserAttributesRequest) -> Result<w::DeleteUserAttributesResponse> {
        let (pool, mut user, _) = self.authenticate(&r.access_token)?;
        Self::remove_attributes(&pool, &mut user, &r.user_attribute_names)?;
        self.save_user(&mut user)?;
        Ok(w::DeleteUserAttributesResponse {})
    }

    pub(super) fn op_delete_user(&self, r: w::DeleteUserRequest) -> Result<()> {
        let (pool, user, _) = self.authenticate(&r.access_token)?;
        self.store.delete_user(&pool.id, &user.key)?;
        Ok(())
    }

    fn verification_purpose(attribute: &str) -> Result<CodePurpose> {
        match attribute {
            "email" => Ok(CodePurpose::VerifyEmail),
            "phone_number" => Ok(CodePurpose::VerifyPhoneNumber),
            other => Err(Error::InvalidParameter(format!("Attribute {other} cannot be verified."))),
        }
    }

    pub(super) fn op_get_user_attribute_verification_code(
        &self,
        r: w::GetUserAttributeVerificationCodeRequest,
    ) -> Result<w::GetUserAttributeVerificationCodeResponse> {
        let (pool, mut user, _) = self.authenticate(&r.access_token)?;
        let purpose = Self::verification_purpose(&r.attribute_name)?;
        let ch = messages::channel(&user, &r.attribute_name)
            .ok_or_else(|| Error::InvalidParameter(format!("The user has no {} to verify.", r.attribute_name)))?;
        let code = self.new_code(&mut user, purpose)?;
        self.save_user(&mut user)?;
        self.send_code(&pool, &user, &ch, &code, messages::Why::new("CustomMessage_VerifyUserAttribute", r.client_metadata.as_ref()))?;
        Ok(w::GetUserAttributeVerificationCodeResponse { code_delivery_details: Some(messages::details(&ch)) })
    }

    pub(super) fn op_verify_user_attribute(&self, r: w::VerifyUserAttributeRequest) -> Result<w::VerifyUserAttributeResponse> {
        let (_, mut user, _) = self.authenticate(&r.access_token)?;
        let purpose = Self::verification_purpose(&r.attribute_name)?;
        self.redeem_code(&mut user, purpose, &r.code)?;
        user.data.attributes.insert(format!("{}_verified", r.attribute_name), "true".into());
        self.save_user(&mut user)?;
        Ok(w::VerifyUserAttributeResponse {})
    }
}
