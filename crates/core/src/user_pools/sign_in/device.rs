//! The device in a sign-in, when the pool remembers devices (DeviceConfiguration set).
//!
//! A sign-in that names no device ends with a new device key (NewDeviceMetadata), which the
//! app registers with ConfirmDevice. A sign-in that names a confirmed device (`DEVICE_KEY` in
//! AuthParameters or a challenge answer) proves it with device SRP before tokens:
//! DEVICE_SRP_AUTH (the device's `SRP_A`), then DEVICE_PASSWORD_VERIFIER (its claim, signed
//! with the device's secret). A remembered device does so instead of MFA when the pool says
//! (ChallengeRequiredOnNewDevice); any other device after it.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pooldesk_wire::cognito_idp::{self as w, ChallengeNameType as Ch};

use super::{Attempt, Outcome, Pending, Progress, Step, incorrect, param, srp_session_id};
use crate::error::{Error, Result};
use crate::srp;
use crate::store::{Device, User, UserPool};
use crate::tokens::sha256_hex;
use crate::user_pools::UserPools;

/// How far a device's TIMESTAMP may be from the server's clock, as for a user's SRP claim.
const TIMESTAMP_SKEW_SECS: i64 = 5 * 60;
/// Tries of a write to the user that lost a race with another.
const EDIT_ATTEMPTS: usize = 8;

/// The pool's device settings, when it remembers devices.
pub(in crate::user_pools) fn tracking(pool: &UserPool) -> Option<&w::DeviceConfigurationType> {
    pool.config.device_configuration.as_ref()
}

pub(in crate::user_pools) fn unknown_device() -> Error {
    Error::ResourceNotFound("Device does not exist.".into())
}

/// Where a DEVICE_SRP_AUTH challenge is also found by its client and device alone, for the
/// clients (pycognito) that answer it without the Session. Neither is secret, so an answer
/// found so must name the user (and pass SECRET_HASH), and whichever id is answered first
/// takes both.
pub(super) fn device_session_id(client_id: &str, device_key: &str) -> String {
    format!("device-{}", sha256_hex(&format!("{client_id}\0{device_key}")))
}

impl UserPools {
    /// The confirmed device this sign-in names, if the pool remembers devices. A key the
    /// user has no device under is ResourceNotFound, as Cognito answers it: clients then
    /// forget the key and sign in again without it.
    fn named_device<'u>(&self, attempt: Attempt<'_>, user: &'u User, passed: &Progress) -> Result<Option<&'u Device>> {
        let (Some(_), Some(key), false) = (tracking(attempt.pool), passed.device_key.as_deref(), attempt.hosted) else {
            return Ok(None);
        };
        user.data.devices.iter().find(|d| d.key == key).map(Some).ok_or_else(unknown_device)
    }

    /// Whether a remembered device stands in for this sign-in's MFA.
    pub(super) fn device_replaces_mfa(&self, attempt: Attempt<'_>, user: &User, passed: &Progress) -> Result<bool> {
        let suppresses = tracking(attempt.pool).and_then(|c| c.challenge_required_on_new_device) == Some(true);
        Ok(suppresses && self.named_device(attempt, user, passed)?.is_some_and(|d| d.remembered))
    }

    /// Before tokens: DEVICE_SRP_AUTH for a named device not yet proven, else None.
    pub(super) fn device_challenge(&self, attempt: Attempt<'_>, user: &User, passed: &Progress) -> Result<Option<Outcome>> {
        if passed.device_authenticated {
            return Ok(None);
        }
        let Some(device) = self.named_device(attempt, user, passed)? else {
            return Ok(None);
        };
        let parameters = BTreeMap::from([
            ("DEVICE_KEY".to_owned(), device.key.clone()),
            ("USERNAME".to_owned(), user.username.clone()),
            ("USER_ID_FOR_SRP".to_owned(), user.username.clone()),
        ]);
        let session = self.random.token()?;
        let alias = device_session_id(&attempt.client.client_id, &device.key);
        for (id, twin) in [(&session, &alias), (&alias, &session)] {
            let pending = Pending {
                client_id: attempt.client.client_id.clone(),
                sub: Some(user.sub.clone()),
                step: Step::DeviceSrpAuth { twin: twin.clone() },
                attempts_left: 1,
                passed: passed.clone(),
                hosted: false,
            };
            self.store_pending_as(id.clone(), attempt, pending)?;
        }
        Ok(Some(Outcome::Challenge { name: Ch::DeviceSrpAuth, session, parameters, available: None }))
    }

    /// DEVICE_SRP_AUTH's answer (the device's `SRP_A`), answered with DEVICE_PASSWORD_VERIFIER.
    /// The answer is checked before the challenge (under both its ids) is taken, so a stray
    /// answer cannot end a sign-in.
    pub(super) fn device_srp_step(
        &self,
        attempt: Attempt<'_>,
        user: &User,
        (session, twin): (&str, &str),
        responses: &BTreeMap<String, String>,
        passed: Progress,
    ) -> Result<Outcome> {
        let key = passed.device_key.clone().ok_or_else(unknown_device)?;
        if param(responses, "DEVICE_KEY")? != key {
            return Err(unknown_device());
        }
        let device = user.data.devices.iter().find(|d| d.key == key).ok_or_else(unknown_device)?;
        let step = srp::server_step(&*self.random, &device.verifier, param(responses, "SRP_A")?)?;
        self.take(session)?;
        let _ = self.take(twin);
        let secret_block = STANDARD.encode(self.random.bytes::<64>()?);
        let parameters = BTreeMap::from([
            ("SALT".to_owned(), device.verifier.salt_hex()),
            ("SRP_B".to_owned(), step.srp_b_hex.clone()),
            ("SECRET_BLOCK".to_owned(), secret_block.clone()),
            ("DEVICE_KEY".to_owned(), key.clone()),
            ("USERNAME".to_owned(), user.username.clone()),
        ]);
        let srp_a = param(responses, "SRP_A")?.to_owned();
        // Under a name the secret block gives too, as PASSWORD_VERIFIER: pycognito answers
        // without the Session.
        let session = self.store_pending_as(
            srp_session_id(&secret_block),
            attempt,
            Pending {
                client_id: attempt.client.client_id.clone(),
                sub: Some(user.sub.clone()),
                step: Step::DevicePasswordVerifier { b: hex::encode(&step.b), srp_a, secret_block, device_key: key },
                attempts_left: 1,
                passed,
                hosted: false,
            },
        )?;
        Ok(Outcome::Challenge { name: Ch::DevicePasswordVerifier, session, parameters, available: None })
    }

    /// DEVICE_PASSWORD_VERIFIER's answer: the device's signed claim. Then tokens.
    pub(super) fn device_claim(
        &self,
        attempt: Attempt<'_>,
        user: User,
        (b, srp_a, secret_block, device_key): (&[u8], &str, &str, &str),
        responses: &BTreeMap<String, String>,
        mut passed: Progress,
    ) -> Result<Outcome> {
        let timestamp = param(responses, "TIMESTAMP")?;
        let fresh = srp::parse_timestamp(timestamp).is_some_and(|t| (t - self.clock.now_secs()).abs() <= TIMESTAMP_SKEW_SECS);
        let block_ok = responses.get("PASSWORD_CLAIM_SECRET_BLOCK").map(String::as_str) == Some(secret_block);
        let same_device = responses.get("DEVICE_KEY").is_none_or(|k| k == device_key);
        let group_key = user.data.device_group_key.clone().ok_or_else(unknown_device)?;
        let device = user.data.devices.iter().find(|d| d.key == device_key).ok_or_else(unknown_device)?;
        let block = STANDARD.decode(secret_block).map_err(Error::internal)?;
        let expected = srp::expected_device_signature(&group_key, device_key, &device.verifier, srp_a, b, &block, timestamp)?;
        if !(fresh && block_ok && same_device && srp::signature_matches(&expected, param(responses, "PASSWORD_CLAIM_SIGNATURE")?)) {
            self.record_event(attempt, &user.sub, &passed.flow, w::EventResponseType::Fail, &[])?;
            return Err(incorrect());
        }
        // When and where the device was last used: worth a retry, not a failed sign-in.
        let (now, ip) = (self.now(), attempt.ctx.source_ip.clone());
        let noted = self.edit_devices(attempt.pool, &user, |devices| {
            if let Some(d) = devices.iter_mut().find(|d| d.key == device_key) {
                d.last_authenticated_ms = Some(now);
                d.last_ip.clone_from(&ip);
            }
            Ok(())
        });
        if let Err(e) = noted {
            tracing::warn!(pool = %attempt.pool.id, "noting a device's last use: {e}");
        }
        passed.device_authenticated = true;
        self.finish(attempt, &user, &passed)
    }

    /// The device a finished sign-in's tokens are for: the one it proved, or a new key
    /// (NewDeviceMetadata) when it named none and the pool remembers devices.
    pub(super) fn device_for_tokens(
        &self,
        attempt: Attempt<'_>,
        user: &User,
        passed: &Progress,
    ) -> Result<(Option<String>, Option<w::NewDeviceMetadataType>)> {
        if tracking(attempt.pool).is_none() || attempt.hosted {
            return Ok((None, None));
        }
        if let Some(key) = passed.device_key.clone().filter(|_| passed.device_authenticated) {
            return Ok((Some(key), None));
        }
        let group_key = self.device_group_key(attempt.pool, user)?;
        let region = attempt.pool.id.split('_').next().unwrap_or("us-east-1");
        let key = format!("{region}_{}", self.random.uuid()?);
        Ok((Some(key.clone()), Some(w::NewDeviceMetadataType { device_key: Some(key), device_group_key: Some(group_key) })))
    }
}

impl UserPools {
    /// The user's device group key, made (and kept) at its first use. Two first sign-ins at
    /// once agree on whichever key was stored first.
    fn device_group_key(&self, pool: &UserPool, user: &User) -> Result<String> {
        let mut user = user.clone();
        for _ in 0..EDIT_ATTEMPTS {
            if let Some(key) = &user.data.device_group_key {
                return Ok(key.clone());
            }
            let key = format!("-{}", &self.random.token()?[..9]);
            user.data.device_group_key = Some(key.clone());
            match self.save_user(&mut user) {
                Err(Error::ConcurrentModification(_)) => {
                    user = self.store.get_user_by_sub(&pool.id, &user.sub)?.ok_or_else(unknown_device)?;
                }
                other => return other.map(|()| key),
            }
        }
        Err(Error::TooManyRequests("The user is being changed by other requests; try again.".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_sessions_are_found_by_client_and_device() {
        assert_eq!(device_session_id("c", "us-east-1_d"), device_session_id("c", "us-east-1_d"));
        assert_ne!(device_session_id("c", "us-east-1_d"), device_session_id("other", "us-east-1_d"));
        assert_ne!(device_session_id("c", "us-east-1_d"), device_session_id("c", "us-east-1_e"));
    }
}
