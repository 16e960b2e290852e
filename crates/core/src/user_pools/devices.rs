//! Remembered devices: ConfirmDevice, GetDevice, ListDevices, ForgetDevice, UpdateDeviceStatus
//! and the Admin* forms of the last four. How a device takes part in a sign-in is in
//! `sign_in::device`.
//!
//! A device is its user's, kept in the user's document: confirmed devices only. A key handed
//! out at sign-in is stored nowhere until ConfirmDevice, which takes it only with an access
//! token from that sign-in (its `device_key` claim), so sign-ins that never confirm a device
//! leave nothing behind.

use pooldesk_wire::cognito_idp::{self as w, DeviceRememberedStatusType as Remembered};

use super::sign_in::{tracks_devices, unknown_device};
use super::{Context, UserPools};
use crate::clock::to_wire;
use crate::error::{Error, Result};
use crate::srp;
use crate::store::{Device, User, UserPool};

/// The devices a user keeps; confirming one more forgets the one used least recently, so a
/// user's document cannot grow without bound.
const MAX_DEVICES: usize = 100;
/// ListDevices' page size when the request names none (its most).
const MAX_PAGE: usize = 60;
/// Tries of a device edit that lost a race with another write to the user.
const EDIT_ATTEMPTS: usize = 8;

impl UserPools {
    pub(super) fn op_confirm_device(&self, ctx: &Context, r: w::ConfirmDeviceRequest) -> Result<w::ConfirmDeviceResponse> {
        check_key(&r.device_key)?;
        let (pool, user, claims) = self.authenticate(&r.access_token)?;
        let config = tracks_devices(&pool)
            .ok_or_else(|| Error::InvalidParameter("The user pool does not remember devices (no DeviceConfiguration).".into()))?;
        // Only the sign-in the key was handed to can confirm it.
        if claims.get("device_key").and_then(|k| k.as_str()) != Some(r.device_key.as_str()) {
            return Err(unknown_device());
        }
        let config_given = r.device_secret_verifier_config.as_ref();
        let (Some(salt), Some(verifier)) =
            (config_given.and_then(|c| c.salt.as_deref()), config_given.and_then(|c| c.password_verifier.as_deref()))
        else {
            return Err(Error::InvalidParameter("DeviceSecretVerifierConfig needs a Salt and a PasswordVerifier.".into()));
        };
        let verifier = srp::Verifier::from_client(salt, verifier)?;
        if let Some(name) = &r.device_name {
            check_name(name)?;
        }
        let on_prompt = config.device_only_remembered_on_user_prompt == Some(true);
        let now = self.now();
        self.edit_devices(&pool, &user, |devices| {
            if devices.iter().any(|d| d.key == r.device_key) {
                return Err(Error::DeviceKeyExists("Device key already exists.".into()));
            }
            if devices.len() >= MAX_DEVICES
                && let Some(oldest) =
                    devices.iter().enumerate().min_by_key(|(_, d)| d.last_authenticated_ms.unwrap_or(d.created_ms)).map(|(i, _)| i)
            {
                devices.remove(oldest);
            }
            devices.push(Device {
                key: r.device_key.clone(),
                name: r.device_name.clone(),
                verifier: verifier.clone(),
                remembered: !on_prompt,
                created_ms: now,
                modified_ms: now,
                last_authenticated_ms: Some(now),
                last_ip: ctx.source_ip.clone(),
            });
            Ok(())
        })?;
        Ok(w::ConfirmDeviceResponse { user_confirmation_necessary: Some(on_prompt) })
    }

    pub(super) fn op_get_device(&self, r: w::GetDeviceRequest) -> Result<w::GetDeviceResponse> {
        check_key(&r.device_key)?;
        let (_, user, _) = self.authenticate(&required_token(r.access_token.as_ref())?)?;
        Ok(w::GetDeviceResponse { device: device_type(find(&user, &r.device_key)?) })
    }

    pub(super) fn op_admin_get_device(&self, r: w::AdminGetDeviceRequest) -> Result<w::AdminGetDeviceResponse> {
        check_key(&r.device_key)?;
        let (_, user) = self.device_owner(&r.user_pool_id, &r.username, true)?;
        Ok(w::AdminGetDeviceResponse { device: device_type(find(&user, &r.device_key)?) })
    }

    pub(super) fn op_list_devices(&self, r: w::ListDevicesRequest) -> Result<w::ListDevicesResponse> {
        let (_, user, _) = self.authenticate(&r.access_token)?;
        let (devices, pagination_token) = page(&user, r.limit, r.pagination_token.as_deref())?;
        Ok(w::ListDevicesResponse { devices: Some(devices), pagination_token })
    }

    pub(super) fn op_admin_list_devices(&self, r: w::AdminListDevicesRequest) -> Result<w::AdminListDevicesResponse> {
        let (_, user) = self.device_owner(&r.user_pool_id, &r.username, true)?;
        let (devices, pagination_token) = page(&user, r.limit, r.pagination_token.as_deref())?;
        Ok(w::AdminListDevicesResponse { devices: Some(devices), pagination_token })
    }

    pub(super) fn op_forget_device(&self, r: w::ForgetDeviceRequest) -> Result<()> {
        check_key(&r.device_key)?;
        let (pool, user, _) = self.authenticate(&required_token(r.access_token.as_ref())?)?;
        self.forget(&pool, &user, &r.device_key)
    }

    pub(super) fn op_admin_forget_device(&self, r: w::AdminForgetDeviceRequest) -> Result<()> {
        check_key(&r.device_key)?;
        let (pool, user) = self.device_owner(&r.user_pool_id, &r.username, false)?;
        self.forget(&pool, &user, &r.device_key)
    }

    pub(super) fn op_update_device_status(&self, r: w::UpdateDeviceStatusRequest) -> Result<w::UpdateDeviceStatusResponse> {
        check_key(&r.device_key)?;
        let (pool, user, _) = self.authenticate(&r.access_token)?;
        self.set_remembered(&pool, &user, &r.device_key, r.device_remembered_status.as_ref())?;
        Ok(w::UpdateDeviceStatusResponse {})
    }

    pub(super) fn op_admin_update_device_status(&self, r: w::AdminUpdateDeviceStatusRequest) -> Result<w::AdminUpdateDeviceStatusResponse> {
        check_key(&r.device_key)?;
        let (pool, user) = self.device_owner(&r.user_pool_id, &r.username, false)?;
        self.set_remembered(&pool, &user, &r.device_key, r.device_remembered_status.as_ref())?;
        Ok(w::AdminUpdateDeviceStatusResponse {})
    }

    /// The pool and user an admin device operation names. `no_user_error`: the operation's
    /// model lists no UserNotFoundException (AdminGetDevice, AdminListDevices), so an unknown
    /// user is ResourceNotFound.
    fn device_owner(&self, pool_id: &str, username: &str, no_user_error: bool) -> Result<(std::sync::Arc<UserPool>, User)> {
        let pool = self.pool(pool_id)?;
        match self.require_user(&pool, username) {
            Err(Error::UserNotFound(message)) if no_user_error => Err(Error::ResourceNotFound(message)),
            other => Ok((pool, other?)),
        }
    }

    fn forget(&self, pool: &UserPool, user: &User, key: &str) -> Result<()> {
        self.edit_devices(pool, user, |devices| {
            let before = devices.len();
            devices.retain(|d| d.key != key);
            if devices.len() == before { Err(unknown_device()) } else { Ok(()) }
        })
    }

    fn set_remembered(&self, pool: &UserPool, user: &User, key: &str, status: Option<&Remembered>) -> Result<()> {
        let status = status.ok_or_else(|| Error::InvalidParameter("DeviceRememberedStatus is required.".into()))?;
        let now = self.now();
        self.edit_devices(pool, user, |devices| {
            let device = devices.iter_mut().find(|d| d.key == key).ok_or_else(unknown_device)?;
            device.remembered = *status == Remembered::Remembered;
            device.modified_ms = now;
            Ok(())
        })
    }

    /// Changes a user's devices, read again and retried if another write to the user won.
    pub(super) fn edit_devices(&self, pool: &UserPool, user: &User, edit: impl Fn(&mut Vec<Device>) -> Result<()>) -> Result<()> {
        let mut user = user.clone();
        for _ in 0..EDIT_ATTEMPTS {
            edit(&mut user.data.devices)?;
            match self.save_user(&mut user) {
                Err(Error::ConcurrentModification(_)) => {
                    user = self
                        .store
                        .get_user_by_sub(&pool.id, &user.sub)?
                        .ok_or_else(|| Error::UserNotFound("User does not exist.".into()))?;
                }
                other => return other,
            }
        }
        Err(Error::TooManyRequests("The user is being changed by other requests; try again.".into()))
    }
}

fn required_token(token: Option<&pooldesk_wire::Sensitive<String>>) -> Result<String> {
    token.map(|t| t.0.clone()).ok_or_else(|| Error::InvalidParameter("Missing required parameter AccessToken".into()))
}

fn find<'u>(user: &'u User, key: &str) -> Result<&'u Device> {
    user.data.devices.iter().find(|d| d.key == key).ok_or_else(unknown_device)
}

/// A device key as Cognito's model writes it: `[\w-]+_[0-9a-f-]+`.
fn check_key(key: &str) -> Result<()> {
    let shaped = key.rsplit_once('_').is_some_and(|(region, id)| {
        !region.is_empty()
            && !id.is_empty()
            && region.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && id.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c) || c == '-')
    });
    if shaped && key.len() <= 55 {
        return Ok(());
    }
    let shown: String = key.chars().take(60).collect();
    Err(Error::InvalidParameter(format!("{shown} is not a device key (<region>_<uuid>).")))
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name.chars().count() > 1024 {
        return Err(Error::InvalidParameter("DeviceName must be 1 to 1024 characters.".into()));
    }
    Ok(())
}

/// A page of the user's devices, oldest first; the token is the last key given.
fn page(user: &User, limit: Option<i32>, token: Option<&str>) -> Result<(Vec<w::DeviceType>, Option<String>)> {
    let size = match limit {
        None | Some(0) => MAX_PAGE,
        Some(n @ 1..=60) => n as usize,
        Some(_) => return Err(Error::InvalidParameter("Limit must be from 0 to 60.".into())),
    };
    let devices = &user.data.devices;
    let start = match token {
        None => 0,
        Some(key) => devices
            .iter()
            .position(|d| d.key == key)
            .map(|i| i + 1)
            .ok_or_else(|| Error::InvalidParameter("Invalid pagination token.".into()))?,
    };
    let shown: Vec<&Device> = devices.iter().skip(start).take(size).collect();
    let next = (start + shown.len() < devices.len()).then(|| shown.last().map(|d| d.key.clone())).flatten();
    Ok((shown.into_iter().map(device_type).collect(), next))
}

fn device_type(d: &Device) -> w::DeviceType {
    let attribute = |name: &str, value: &str| w::AttributeType { name: name.to_owned(), value: Some(value.to_owned()) };
    let mut attributes = vec![
        attribute("device_status", "valid"),
        attribute("dev:device_remembered_status", if d.remembered { "remembered" } else { "not_remembered" }),
    ];
    if let Some(name) = &d.name {
        attributes.push(attribute("device_name", name));
    }
    if let Some(ip) = &d.last_ip {
        attributes.push(attribute("last_ip_used", ip));
    }
    w::DeviceType {
        device_key: Some(d.key.clone()),
        device_attributes: Some(attributes),
        device_create_date: Some(to_wire(d.created_ms)),
        device_last_modified_date: Some(to_wire(d.modified_ms)),
        device_last_authenticated_date: d.last_authenticated_ms.map(to_wire),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_keys_are_checked_against_the_models_pattern() {
        check_key("us-east-1_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0").unwrap();
        check_key("eu_west_ab-12").unwrap();
        for bad in ["", "nounderscore", "_abc", "us-east-1_", "us-east-1_XYZ", "us east_ab", &format!("r_{}", "a".repeat(60))] {
            assert!(matches!(check_key(bad), Err(Error::InvalidParameter(_))), "{bad:?} passed");
        }
    }
}
