//! Managed login branding styles (CreateManagedLoginBranding and siblings): one style per app
//! client, for domains with managed login version 2, as Cognito's branding editor saves them:
//! a settings document and image assets.
//!
//! The pages honour the settings that map to them ([`HONOURED`]: the page, form, button, text,
//! link and input colours, light and dark, and the colour scheme) and the form logo and
//! favicon assets; the other keys are stored and described back unchanged. Choices the
//! documentation leaves open: UpdateManagedLoginBranding merges a `Settings` document into the
//! stored one key by key and replaces the asset list when `Assets` is given; two assets for
//! the same category and colour mode are refused.

use std::sync::LazyLock;

use base64::Engine as _;
use pooldesk_wire::cognito_idp::{self as w, AssetCategoryType as Category, AssetExtensionType as Extension, ColorSchemeModeType as Mode};
use serde_json::Value;

use super::UserPools;
use crate::clock::to_wire;
use crate::error::{Error, Result};
use crate::store::{ManagedLoginBranding, StoreError};

/// Cognito's default style (`UseCognitoProvidedValues`), as AWS's example of it reads. (A
/// unit test parses it: it cannot fail at run time.)
static DEFAULTS: LazyLock<Value> = LazyLock::new(|| serde_json::from_str(include_str!("managed_login_defaults.json")).unwrap_or_default());

/// The colours the pages honour: the CSS custom property each sets, and its path in the
/// settings document under `lightMode` / `darkMode` (written `{mode}`).
pub const HONOURED: [(&str, &str); 11] = [
    ("--page-bg", "components.pageBackground.{mode}.color"),
    ("--form-bg", "components.form.{mode}.backgroundColor"),
    ("--form-border", "components.form.{mode}.borderColor"),
    ("--button-bg", "components.primaryButton.{mode}.defaults.backgroundColor"),
    ("--button-text", "components.primaryButton.{mode}.defaults.textColor"),
    ("--button-hover-bg", "components.primaryButton.{mode}.hover.backgroundColor"),
    ("--heading", "components.pageText.{mode}.headingColor"),
    ("--body-text", "components.pageText.{mode}.bodyColor"),
    ("--link", "componentClasses.link.{mode}.defaults.textColor"),
    ("--input-bg", "componentClasses.input.{mode}.defaults.backgroundColor"),
    ("--input-border", "componentClasses.input.{mode}.defaults.borderColor"),
];

const SCHEME: &str = "categories.global.colorSchemeMode";

fn at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(doc, |v, key| v.get(key))
}

/// `RRGGBB` or `RRGGBBAA`, as the branding editor writes colours.
fn is_colour(s: &str) -> bool {
    matches!(s.len(), 6 | 8) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks what the pages would use: a JSON object whose honoured colours are colours and
/// whose colour scheme is LIGHT, DARK or DYNAMIC (so nothing else can reach a stylesheet).
fn check_settings(settings: &Value) -> Result<()> {
    let invalid = |m: String| Err(Error::InvalidParameter(m));
    if !settings.is_object() {
        return invalid("Settings must be a JSON object.".into());
    }
    for (_, path) in HONOURED {
        for mode in ["lightMode", "darkMode"] {
            let path = path.replace("{mode}", mode);
            match at(settings, &path) {
                None => {}
                Some(Value::String(s)) if is_colour(s) => {}
                Some(other) => return invalid(format!("Settings.{path} must be a colour as RRGGBB or RRGGBBAA hex digits, not {other}.")),
            }
        }
    }
    match at(settings, SCHEME) {
        None => Ok(()),
        Some(Value::String(s)) if matches!(s.as_str(), "LIGHT" | "DARK" | "DYNAMIC") => Ok(()),
        Some(other) => invalid(format!("Settings.{SCHEME} must be LIGHT, DARK or DYNAMIC, not {other}.")),
    }
}

/// Whether `bytes` are a file of `extension`, by their first bytes.
fn has_extension(bytes: &[u8], extension: Extension) -> bool {
    match extension {
        Extension::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        Extension::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        Extension::Ico => bytes.starts_with(&[0, 0, 1, 0]),
        Extension::Webp => bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        Extension::Svg => std::str::from_utf8(&bytes[..bytes.len().min(4096)]).is_ok_and(|head| head.contains("<svg")),
    }
}

/// The media type an asset is served with.
pub fn asset_media_type(extension: Extension) -> &'static str {
    match extension {
        Extension::Png => "image/png",
        Extension::Jpeg => "image/jpeg",
        Extension::Ico => "image/x-icon",
        Extension::Webp => "image/webp",
        Extension::Svg => "image/svg+xml",
    }
}

fn check_assets(assets: &[w::AssetType]) -> Result<()> {
    for (i, a) in assets.iter().enumerate() {
        let name = format!("{} ({})", a.category.as_str(), a.color_mode.as_str());
        let bytes = a.bytes.as_deref().ok_or_else(|| Error::InvalidParameter(format!("The asset {name} has no Bytes.")))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(bytes)
            .map_err(|_| Error::InvalidParameter(format!("The Bytes of the asset {name} are not base64.")))?;
        if !has_extension(&bytes, a.extension) {
            return Err(Error::InvalidParameter(format!("The asset {name} is not a {} file.", a.extension.as_str())));
        }
        if assets[..i].iter().any(|b| b.category == a.category && b.color_mode == a.color_mode) {
            return Err(Error::InvalidParameter(format!("Two assets are given for {name}; give one per category and colour mode.")));
        }
    }
    Ok(())
}

/// Merges `patch` into `base`: objects key by key, anything else replaced.
fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                match base.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, patch) => *base = patch.clone(),
    }
}

/// The style's settings with Cognito's defaults under them.
fn merged(style: &ManagedLoginBranding) -> Value {
    let mut doc = DEFAULTS.clone();
    if let Some(settings) = &style.settings {
        merge(&mut doc, settings);
    }
    doc
}

/// The stylesheet of a style: its honoured colours as the custom properties the pages' own
/// stylesheet reads, for its colour scheme (both, by the browser's preference, for DYNAMIC).
pub fn stylesheet(style: &ManagedLoginBranding) -> String {
    let doc = merged(style);
    let declarations = |mode: &str| -> String {
        HONOURED
            .iter()
            .filter_map(|(property, path)| {
                let colour = at(&doc, &path.replace("{mode}", mode))?.as_str().filter(|c| is_colour(c))?;
                Some(format!(" {property}: #{colour};"))
            })
            .collect()
    };
    match at(&doc, SCHEME).and_then(Value::as_str) {
        Some("DARK") => format!(":root {{ color-scheme: dark;{} }}\n", declarations("darkMode")),
        Some("DYNAMIC") => format!(
            ":root {{ color-scheme: light dark;{} }}\n@media (prefers-color-scheme: dark) {{ :root {{{} }} }}\n",
            declarations("lightMode"),
            declarations("darkMode")
        ),
        _ => format!(":root {{ color-scheme: light;{} }}\n", declarations("lightMode")),
    }
}

/// The style's image for `category` in its colour scheme: a browser-adaptive (DYNAMIC) one,
/// else the one for the scheme's mode. Its bytes and media type.
pub fn asset(style: &ManagedLoginBranding, category: Category) -> Option<(Vec<u8>, &'static str)> {
    let scheme = match at(&merged(style), SCHEME).and_then(Value::as_str) {
        Some("DARK") => Mode::Dark,
        _ => Mode::Light,
    };
    let of = |mode: Mode| style.assets.iter().find(|a| a.category == category && a.color_mode == mode);
    let found = of(Mode::Dynamic).or_else(|| of(scheme))?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(found.bytes.as_deref()?).ok()?;
    Some((bytes, asset_media_type(found.extension)))
}

/// Whether the form shows the style's logo: there is one, and the settings do not turn it off.
pub fn shows_logo(style: &ManagedLoginBranding) -> bool {
    let off = style.settings.as_ref().and_then(|s| at(s, "components.form.logo.enabled")) == Some(&Value::Bool(false));
    !off && style.assets.iter().any(|a| a.category == Category::FormLogo)
}

/// The model's pattern for a style's id: a hyphenated version 4 UUID.
fn is_style_id(id: &str) -> bool {
    id.len() == 36 && uuid::Uuid::try_parse(id).is_ok_and(|u| u.get_version_num() == 4 && u.get_variant() == uuid::Variant::RFC4122)
}

/// Exactly one of `UseCognitoProvidedValues: true` and `Settings`, as Cognito requires.
fn source(use_defaults: Option<bool>, settings: Option<&Value>) -> Result<()> {
    match (use_defaults.unwrap_or(false), settings) {
        (true, None) => Ok(()),
        (false, Some(settings)) => check_settings(settings),
        _ => Err(Error::InvalidParameter("useCognitoProvidedValues or settings should be specified (but not both)".into())),
    }
}

impl UserPools {
    /// The style the login pages of a version 2 domain show for `client_id`.
    pub fn managed_login_style(&self, pool_id: &str, client_id: &str) -> Result<Option<ManagedLoginBranding>> {
        Ok(self.store.get_managed_login_branding_by_client(pool_id, client_id)?)
    }

    fn describe_style(style: &ManagedLoginBranding, merged_defaults: bool) -> w::ManagedLoginBrandingType {
        w::ManagedLoginBrandingType {
            managed_login_branding_id: Some(style.id.clone()),
            user_pool_id: Some(style.pool_id.clone()),
            use_cognito_provided_values: Some(style.use_cognito_provided_values),
            settings: if merged_defaults { Some(merged(style)) } else { style.settings.clone() },
            assets: Some(style.assets.clone()),
            creation_date: Some(to_wire(style.created_ms)),
            last_modified_date: Some(to_wire(style.modified_ms)),
        }
    }

    fn style(&self, pool_id: &str, id: &str) -> Result<ManagedLoginBranding> {
        if !is_style_id(id) {
            return Err(Error::InvalidParameter(format!(
                "1 validation error detected: Value '{id}' at 'managedLoginBrandingId' failed to satisfy constraint: \
                 Member must be a version 4 UUID"
            )));
        }
        self.pool(pool_id)?;
        self.store
            .get_managed_login_branding(pool_id, id)?
            .ok_or_else(|| Error::ResourceNotFound("ManagedLoginBranding does not exist.".into()))
    }

    pub(super) fn op_create_managed_login_branding(
        &self,
        r: w::CreateManagedLoginBrandingRequest,
    ) -> Result<w::CreateManagedLoginBrandingResponse> {
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        source(r.use_cognito_provided_values, r.settings.as_ref())?;
        let assets = r.assets.unwrap_or_default();
        check_assets(&assets)?;
        let exists = || Error::ManagedLoginBrandingExists(format!("A ManagedLoginBranding already exists for client {}", client.client_id));
        if self.store.get_managed_login_branding_by_client(&client.pool_id, &client.client_id)?.is_some() {
            return Err(exists());
        }
        let now = self.now();
        let style = ManagedLoginBranding {
            id: self.random.uuid()?,
            pool_id: client.pool_id.clone(),
            client_id: client.client_id.clone(),
            use_cognito_provided_values: r.settings.is_none(),
            settings: r.settings,
            assets,
            created_ms: now,
            modified_ms: now,
        };
        self.store.create_managed_login_branding(&style).map_err(|e| match e {
            StoreError::Conflict(_) => exists(),
            other => other.into(),
        })?;
        Ok(w::CreateManagedLoginBrandingResponse { managed_login_branding: Some(Self::describe_style(&style, false)) })
    }

    pub(super) fn op_describe_managed_login_branding(
        &self,
        r: w::DescribeManagedLoginBrandingRequest,
    ) -> Result<w::DescribeManagedLoginBrandingResponse> {
        let style = self.style(&r.user_pool_id, &r.managed_login_branding_id)?;
        let merged = r.return_merged_resources.unwrap_or(false);
        Ok(w::DescribeManagedLoginBrandingResponse { managed_login_branding: Some(Self::describe_style(&style, merged)) })
    }

    pub(super) fn op_describe_managed_login_branding_by_client(
        &self,
        r: w::DescribeManagedLoginBrandingByClientRequest,
    ) -> Result<w::DescribeManagedLoginBrandingByClientResponse> {
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        let style = self
            .managed_login_style(&client.pool_id, &client.client_id)?
            .ok_or_else(|| Error::ResourceNotFound(format!("ManagedLoginBranding for client {} does not exist.", client.client_id)))?;
        let merged = r.return_merged_resources.unwrap_or(false);
        Ok(w::DescribeManagedLoginBrandingByClientResponse { managed_login_branding: Some(Self::describe_style(&style, merged)) })
    }

    /// Keeps what the request leaves out: `UseCognitoProvidedValues: true` resets the settings
    /// to Cognito's, `Settings` is merged into the stored settings, `Assets` replaces the list.
    pub(super) fn op_update_managed_login_branding(
        &self,
        r: w::UpdateManagedLoginBrandingRequest,
    ) -> Result<w::UpdateManagedLoginBrandingResponse> {
        let pool_id = r.user_pool_id.as_deref().ok_or_else(|| Error::InvalidParameter("UserPoolId is required.".into()))?;
        let id =
            r.managed_login_branding_id.as_deref().ok_or_else(|| Error::InvalidParameter("ManagedLoginBrandingId is required.".into()))?;
        let mut style = self.style(pool_id, id)?;
        source(r.use_cognito_provided_values, r.settings.as_ref())?;
        if let Some(assets) = r.assets {
            check_assets(&assets)?;
            style.assets = assets;
        }
        match r.settings {
            Some(patch) => {
                let mut settings = style.settings.take().unwrap_or_else(|| Value::Object(Default::default()));
                merge(&mut settings, &patch);
                style.settings = Some(settings);
                style.use_cognito_provided_values = false;
            }
            None => {
                style.settings = None;
                style.use_cognito_provided_values = true;
            }
        }
        style.modified_ms = self.now();
        self.store.update_managed_login_branding(&style)?;
        Ok(w::UpdateManagedLoginBrandingResponse { managed_login_branding: Some(Self::describe_style(&style, false)) })
    }

    pub(super) fn op_delete_managed_login_branding(&self, r: w::DeleteManagedLoginBrandingRequest) -> Result<()> {
        self.pool(&r.user_pool_id)?;
        if !self.store.delete_managed_login_branding(&r.user_pool_id, &r.managed_login_branding_id)? {
            return Err(Error::ResourceNotFound("ManagedLoginBranding does not exist.".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(settings: Option<Value>) -> ManagedLoginBranding {
        ManagedLoginBranding {
            id: "s".into(),
            pool_id: "p".into(),
            client_id: "c".into(),
            use_cognito_provided_values: settings.is_none(),
            settings,
            assets: vec![],
            created_ms: 0,
            modified_ms: 0,
        }
    }

    #[test]
    fn the_stylesheet_carries_the_honoured_colours_for_the_scheme() {
        let light = stylesheet(&style(Some(serde_json::json!({"components": {"pageBackground": {"lightMode": {"color": "112233"}}}}))));
        assert!(light.starts_with(":root { color-scheme: light;"), "{light}");
        assert!(light.contains("--page-bg: #112233;") && light.contains("--button-bg: #0972d3ff;"), "{light}");
        let dynamic = stylesheet(&style(Some(serde_json::json!({"categories": {"global": {"colorSchemeMode": "DYNAMIC"}}}))));
        assert!(dynamic.contains("@media (prefers-color-scheme: dark) { :root { --page-bg: #0f1b2aff;"), "{dynamic}");
        let defaults = stylesheet(&style(None));
        assert_eq!(defaults.matches("--").count(), HONOURED.len());
    }

    #[test]
    fn settings_that_would_reach_the_stylesheet_are_checked() {
        for bad in [
            serde_json::json!([]),
            serde_json::json!({"components": {"form": {"darkMode": {"borderColor": "red; background: url(x)"}}}}),
            serde_json::json!({"components": {"pageText": {"lightMode": {"headingColor": 7}}}}),
            serde_json::json!({"categories": {"global": {"colorSchemeMode": "SEPIA"}}}),
        ] {
            assert!(matches!(check_settings(&bad), Err(Error::InvalidParameter(_))), "{bad}");
        }
        assert!(check_settings(&serde_json::json!({"components": {"unknown": {"x": 1}}})).is_ok(), "other keys are kept as given");
    }

    #[test]
    fn merging_keeps_what_the_patch_leaves_out() {
        let mut doc = serde_json::json!({"a": {"b": 1, "c": [1, 2]}, "d": "x"});
        merge(&mut doc, &serde_json::json!({"a": {"c": [3]}, "e": true}));
        assert_eq!(doc, serde_json::json!({"a": {"b": 1, "c": [3]}, "d": "x", "e": true}));
    }

    #[test]
    fn assets_must_be_what_they_say_and_one_per_category_and_mode() {
        let png = |mode| w::AssetType {
            category: Category::FormLogo,
            color_mode: mode,
            extension: Extension::Png,
            bytes: Some(base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\nrest")),
            resource_id: None,
        };
        assert!(check_assets(&[png(Mode::Light), png(Mode::Dark)]).is_ok());
        assert!(check_assets(&[png(Mode::Light), png(Mode::Light)]).is_err());
        let lying = w::AssetType { extension: Extension::Jpeg, ..png(Mode::Light) };
        assert!(check_assets(&[lying]).is_err());
        assert!(check_assets(&[w::AssetType { bytes: None, ..png(Mode::Light) }]).is_err());
    }
}
