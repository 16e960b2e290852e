//! One-time codes and the messages that carry them.
//!
//! Every message is recorded in the outbox (so local development needs no mail server) and,
//! for e-mail, also sent through the [`super::Mailer`] when one is configured. A failed
//! delivery is recorded and reported to the caller as CodeDeliveryFailureException.

use pooldesk_wire::cognito_idp::{self as w, DeliveryMediumType};

use super::UserPools;
use super::triggers::MessageKind;
pub(super) use super::triggers::Why;
use crate::error::{Error, Result};
use crate::store::{CodePurpose, Message, MessageQuery, PendingCode, User, UserPool};
use crate::tokens::sha256_hex;

/// Where a `{##link text##}` placeholder sits in a confirmation-link template, and its text.
pub(super) fn link_placeholder(template: &str) -> Option<(std::ops::Range<usize>, &str)> {
    let start = template.find("{##")?;
    let end = start + 3 + template[start + 3..].find("##}")?;
    Some((start..end + 3, &template[start + 3..end]))
}

/// The link text of a confirmation-link template, if it holds the link.
pub(super) fn link_text(template: &str) -> Option<&str> {
    link_placeholder(template).map(|(_, text)| text)
}

/// Wrong guesses allowed per code before it is void.
const CODE_ATTEMPTS: u32 = 5;

/// How long a code lives: Cognito gives 24 hours to confirm a sign-up or verify an
/// attribute and 1 hour to use a password-reset code.
fn code_ttl_ms(purpose: CodePurpose) -> i64 {
    match purpose {
        CodePurpose::ForgotPassword => 3600 * 1000,
        _ => 24 * 3600 * 1000,
    }
}

/// `a***@e***`, as Cognito masks destinations in CodeDeliveryDetails.
pub(super) fn mask(destination: &str) -> String {
    if let Some((local, domain)) = destination.split_once('@') {
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}***@{}***", first(local), first(domain))
    } else {
        let tail: String = destination.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        format!("+*******{tail}")
    }
}

/// Where a user's codes go: the verified (or, for confirmation, the auto-verified) e-mail or
/// phone. Returns the medium, the attribute and the address.
pub(super) fn channel(user: &User, attribute: &str) -> Option<(DeliveryMediumType, String, String)> {
    let value = user.data.attributes.get(attribute).filter(|v| !v.is_empty())?;
    let medium = if attribute == "email" { DeliveryMediumType::Email } else { DeliveryMediumType::Sms };
    Some((medium, attribute.to_owned(), value.clone()))
}

pub(super) fn details((medium, attribute, destination): &(DeliveryMediumType, String, String)) -> w::CodeDeliveryDetailsType {
    w::CodeDeliveryDetailsType {
        destination: Some(mask(destination)),
        delivery_medium: Some(*medium),
        attribute_name: Some(attribute.clone()),
    }
}

impl UserPools {
    /// Puts a fresh code on the user (replacing any earlier one for the same purpose) and
    /// returns it in clear for the message. The user is saved by the caller.
    pub(super) fn new_code(&self, user: &mut User, purpose: CodePurpose) -> Result<String> {
        let code = self.random.code()?;
        user.data.codes.insert(
            purpose,
            PendingCode { hash: sha256_hex(&code), expires_ms: self.now() + code_ttl_ms(purpose), attempts_left: CODE_ATTEMPTS },
        );
        Ok(code)
    }

    /// Checks a code. A wrong guess uses up an attempt and is saved; the right one is removed
    /// (single use) and the caller saves the user with whatever the code confirmed.
    pub(super) fn redeem_code(&self, user: &mut User, purpose: CodePurpose, given: &str) -> Result<()> {
        let Some(pending) = user.data.codes.get_mut(&purpose) else {
            return Err(Error::ExpiredCode("Invalid code provided, please request a code again.".into()));
        };
        if pending.expires_ms <= self.now() {
            user.data.codes.remove(&purpose);
            self.save_user(user)?;
            return Err(Error::ExpiredCode("Invalid code provided, please request a code again.".into()));
        }
        if pending.attempts_left == 0 {
            return Err(Error::LimitExceeded("Attempt limit exceeded, please try after some time.".into()));
        }
        let matches = aws_lc_rs::constant_time::verify_slices_are_equal(sha256_hex(given).as_bytes(), pending.hash.as_bytes()).is_ok();
        if !matches {
            pending.attempts_left -= 1;
            self.save_user(user)?;
            return Err(Error::CodeMismatch("Invalid verification code provided, please try again.".into()));
        }
        user.data.codes.remove(&purpose);
        Ok(())
    }

    /// Records (and, for e-mail with a mailer, sends) a message. Delivery failures come back
    /// as CodeDeliveryFailureException after the message is recorded.
    pub(super) fn deliver(
        &self,
        pool: &UserPool,
        user: &User,
        (medium, _, destination): &(DeliveryMediumType, String, String),
        subject: &str,
        body: &str,
        code: Option<&str>,
    ) -> Result<()> {
        let sent = match (medium, &self.mailer, &self.sms) {
            (DeliveryMediumType::Email, Some(mailer), _) => Some(mailer.send(destination, subject, body)),
            (DeliveryMediumType::Sms, _, Some(sms)) => Some(sms.send(&pool.id, &user.username, destination, body)),
            _ => None,
        };
        let (delivery, failure) = match sent {
            Some(Ok(())) => ("SENT".to_owned(), None),
            Some(Err(e)) => (format!("FAILED: {e}"), Some(e)),
            None => ("RECORDED".to_owned(), None),
        };
        self.record_message(pool, user, (medium, destination), (subject, body), code, delivery)?;
        match failure {
            Some(e) => {
                tracing::warn!(pool = %pool.id, "message delivery failed: {e}");
                Err(Error::CodeDeliveryFailure(format!("Unable to deliver the message: {e}")))
            }
            None => Ok(()),
        }
    }

    /// Keeps a message in the outbox.
    fn record_message(
        &self,
        pool: &UserPool,
        user: &User,
        (medium, destination): (&DeliveryMediumType, &str),
        (subject, body): (&str, &str),
        code: Option<&str>,
        delivery: String,
    ) -> Result<()> {
        self.store.add_message(&Message {
            id: 0,
            pool_id: pool.id.clone(),
            username: user.username.clone(),
            medium: if *medium == DeliveryMediumType::Email { "EMAIL" } else { "SMS" }.to_owned(),
            destination: destination.to_owned(),
            subject: subject.to_owned(),
            body: body.to_owned(),
            code: code.map(str::to_owned),
            created_ms: self.now(),
            delivery,
        })?;
        Ok(())
    }

    /// The pool's custom sender for this medium, if it has one, takes the message instead of
    /// PoolDesk (no custom message, no mail or SMS); the outbox notes whom it went to.
    fn handed_to_custom_sender(
        &self,
        pool: &UserPool,
        user: &User,
        (medium, _, destination): &(DeliveryMediumType, String, String),
        why: Why<'_>,
        code: &str,
    ) -> Result<bool> {
        let Some(function) = self.custom_sender(pool, user, *medium, why, code)? else { return Ok(false) };
        let body = format!("Handed to the pool's {function} function, which delivers it.");
        self.record_message(pool, user, (medium, destination), ("", &body), Some(code), format!("SENT BY {function}"))?;
        Ok(true)
    }

    /// Sends a verification-style code (sign-up, attribute verification, password reset)
    /// using the pool's verification template.
    pub(super) fn send_code(
        &self,
        pool: &UserPool,
        user: &User,
        ch: &(DeliveryMediumType, String, String),
        code: &str,
        why: Why<'_>,
    ) -> Result<()> {
        if self.handed_to_custom_sender(pool, user, ch, why, code)? {
            return Ok(());
        }
        let t = pool.config.verification_message_template.clone().unwrap_or_default();
        let (subject, template) = if ch.0 == DeliveryMediumType::Email {
            (
                t.email_subject.or(pool.config.email_verification_subject.clone()).unwrap_or_else(|| "Your verification code".into()),
                t.email_message
                    .or(pool.config.email_verification_message.clone())
                    .unwrap_or_else(|| "Your verification code is {####}.".into()),
            )
        } else {
            (
                String::new(),
                t.sms_message
                    .or(pool.config.sms_verification_message.clone())
                    .unwrap_or_else(|| "Your verification code is {####}.".into()),
            )
        };
        let (subject, template) = self.custom_message(pool, user, ch, why, subject, template, MessageKind::Code)?;
        let body = template.replace("{####}", code).replace("{username}", &user.username);
        self.deliver(pool, user, ch, &subject, &body, Some(code))
    }

    /// A sign-up's confirmation: its code, or, when the pool confirms sign-ups by link
    /// (CONFIRM_WITH_LINK) and the code goes by e-mail, a link to the pool's domain that
    /// confirms with one click (`GET /confirmUser`, served by the login pages).
    pub(super) fn send_sign_up_confirmation(
        &self,
        pool: &UserPool,
        user: &User,
        ch: &(DeliveryMediumType, String, String),
        (code, client_id): (&str, &str),
        why: Why<'_>,
    ) -> Result<()> {
        let Some(base) = self.confirmation_link_base(pool, ch)? else {
            return self.send_code(pool, user, ch, code, why);
        };
        if self.handed_to_custom_sender(pool, user, ch, why, code)? {
            return Ok(());
        }
        let t = pool.config.verification_message_template.clone().unwrap_or_default();
        let subject = t.email_subject_by_link.unwrap_or_else(|| "Your verification link".into());
        let template = t
            .email_message_by_link
            .unwrap_or_else(|| "Please click the link below to verify your email address. {##Verify Email##}".into());
        let (subject, template) = self.custom_message(pool, user, ch, why, subject, template, MessageKind::Link)?;
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", client_id)
            .append_pair("user_name", &user.username)
            .append_pair("confirmation_code", code)
            .finish();
        let link = format!("{base}/confirmUser?{query}");
        // Mail goes out as plain text: the link text, then the address mail readers make a link of.
        let body = match link_placeholder(&template) {
            Some((range, "")) => format!("{}{link}{}", &template[..range.start], &template[range.end..]),
            Some((range, text)) => format!("{}{text}: {link}{}", &template[..range.start], &template[range.end..]),
            None => format!("{template}\n{link}"),
        };
        // A custom message function may have kept the code instead of the link.
        let body = body.replace("{username}", &user.username).replace("{####}", code);
        self.deliver(pool, user, ch, &subject, &body, Some(code))
    }

    /// Where a sign-up confirmation link points, when one is due (the pool confirms by link,
    /// the message is an e-mail): the pool's domain. `InvalidParameter` when the pool has no
    /// domain to serve the link, checked before a user is created.
    pub(super) fn confirmation_link_base(&self, pool: &UserPool, ch: &(DeliveryMediumType, String, String)) -> Result<Option<String>> {
        let by_link = pool.config.verification_message_template.as_ref().and_then(|t| t.default_email_option.as_ref())
            == Some(&w::DefaultEmailOptionType::ConfirmWithLink);
        if !by_link || ch.0 != DeliveryMediumType::Email {
            return Ok(None);
        }
        let domain = self.pool_domain(&pool.id)?.ok_or_else(|| {
            Error::InvalidParameter(
                "The pool confirms sign-ups with a link (CONFIRM_WITH_LINK) but has no domain to serve it: add one with CreateUserPoolDomain.".into(),
            )
        })?;
        Ok(Some(self.domain_base_url(&domain.domain)))
    }

    /// Sends the AdminCreateUser invitation with the temporary password.
    pub(super) fn send_invitation(
        &self,
        pool: &UserPool,
        user: &User,
        ch: &(DeliveryMediumType, String, String),
        password: &str,
        client_metadata: Option<&std::collections::BTreeMap<String, String>>,
    ) -> Result<()> {
        let why = Why { source: "CustomMessage_AdminCreateUser", client_metadata };
        if self.handed_to_custom_sender(pool, user, ch, why, password)? {
            return Ok(());
        }
        let t = pool.config.admin_create_user_config.as_ref().and_then(|c| c.invite_message_template.clone()).unwrap_or_default();
        let default_body = "Your username is {username} and temporary password is {####}.";
        let (subject, template) = if ch.0 == DeliveryMediumType::Email {
            (t.email_subject.unwrap_or_else(|| "Your temporary password".into()), t.email_message.unwrap_or_else(|| default_body.into()))
        } else {
            (String::new(), t.sms_message.unwrap_or_else(|| default_body.into()))
        };
        let (subject, template) = self.custom_message(pool, user, ch, why, subject, template, MessageKind::Invitation)?;
        let body = template.replace("{####}", password).replace("{username}", &user.username);
        self.deliver(pool, user, ch, &subject, &body, Some(password))
    }

    /// Welcomes a user migrated from another directory: the pool's invitation, which names
    /// no temporary password (the user keeps theirs).
    pub(super) fn send_welcome(&self, pool: &UserPool, user: &User, ch: &(DeliveryMediumType, String, String)) -> Result<()> {
        let subject = if ch.0 == DeliveryMediumType::Email { "Welcome" } else { "" };
        let body = format!("Your account {} has moved to a new sign-in service. Sign in as before.", user.username);
        self.deliver(pool, user, ch, subject, &body, None)
    }

    /// Sends a sign-in code (SMS_MFA, EMAIL_OTP, SMS_OTP) with the pool's MFA templates.
    pub(super) fn send_mfa_code(
        &self,
        pool: &UserPool,
        user: &User,
        ch: &(DeliveryMediumType, String, String),
        code: &str,
        client_metadata: Option<&std::collections::BTreeMap<String, String>>,
    ) -> Result<()> {
        let why = Why { source: "CustomMessage_Authentication", client_metadata };
        if self.handed_to_custom_sender(pool, user, ch, why, code)? {
            return Ok(());
        }
        let c = &pool.mfa_config;
        let (subject, template) = if ch.0 == DeliveryMediumType::Email {
            let e = c.email_mfa_configuration.clone().unwrap_or_default();
            (e.subject.unwrap_or_else(|| "Your sign-in code".into()), e.message.unwrap_or_else(|| "Your sign-in code is {####}.".into()))
        } else {
            let template = c
                .sms_mfa_configuration
                .as_ref()
                .and_then(|s| s.sms_authentication_message.clone())
                .or(pool.config.sms_authentication_message.clone())
                .unwrap_or_else(|| "Your authentication code is {####}.".into());
            (String::new(), template)
        };
        let (subject, template) = self.custom_message(pool, user, ch, why, subject, template, MessageKind::Code)?;
        let body = template.replace("{####}", code).replace("{username}", &user.username);
        self.deliver(pool, user, ch, &subject, &body, Some(code))
    }

    /// `PoolDesk.ListMessages`: the outbox, newest first.
    pub fn list_messages(&self, query: &MessageQuery<'_>) -> Result<Vec<Message>> {
        if let Some(id) = query.pool_id {
            self.pool(id)?;
        }
        Ok(self.store.list_messages(query)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_placeholders_are_found_with_their_text() {
        let template = "Hi {username}, {##Verify Email##} now.";
        let (range, text) = link_placeholder(template).unwrap();
        assert_eq!((&template[range], text), ("{##Verify Email##}", "Verify Email"));
        // Cognito's pattern lets the link text be empty, so its code placeholder is a bare link.
        assert_eq!(link_text("{####}"), Some(""));
        assert_eq!(link_text("no link here"), None);
        assert_eq!(link_text("{## unclosed"), None);
    }

    #[test]
    fn destinations_are_masked_like_cognito() {
        assert_eq!(mask("alice@example.com"), "a***@e***");
        assert_eq!(mask("+14155550100"), "+*******0100");
    }
}
