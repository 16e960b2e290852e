//! The login pages' branding: SetUICustomization / GetUICustomization (Cognito's classic
//! hosted UI branding). A stylesheet limited to Cognito's `*-customizable` classes, so that CSS
//! written for Cognito's pages styles PoolDesk's unchanged, and a PNG or JPEG logo; for all of
//! a pool's clients (`ALL`) or one client, whose branding replaces the pool's.

use pooldesk_wire::cognito_idp as w;

use super::UserPools;
use crate::clock::to_wire;
use crate::error::{Error, Result};
use crate::store::UiCustomization;

/// The classes Cognito lets a stylesheet style, with the pseudo-classes it allows.
pub const CUSTOMIZABLE: [&str; 18] = [
    ".background-customizable",
    ".banner-customizable",
    ".errorMessage-customizable",
    ".idpButton-customizable",
    ".idpButton-customizable:hover",
    ".idpDescription-customizable",
    ".inputField-customizable",
    ".inputField-customizable:focus",
    ".label-customizable",
    ".legalText-customizable",
    ".logo-customizable",
    ".passwordCheck-notValid-customizable",
    ".passwordCheck-valid-customizable",
    ".redirect-customizable",
    ".socialButton-customizable",
    ".submitButton-customizable",
    ".submitButton-customizable:hover",
    ".textDescription-customizable",
];

/// What a stylesheet's declarations may not contain: nothing that loads, nothing that ends a
/// `<style>` the CSS may be placed in.
pub const FORBIDDEN_IN_CSS: [&str; 6] = ["url(", "@", "expression(", "\\", "<", "javascript:"];

/// Cognito's limit on a logo.
const MAX_IMAGE_BYTES: usize = 100 * 1024;

/// Checks a stylesheet: rules of `selector, ... { declarations }` whose selectors are all
/// [`CUSTOMIZABLE`], and declarations that load nothing (`url(`, `@import`, `expression(`) and
/// cannot end the `<style>` they may be placed in.
pub fn check_css(css: &str) -> std::result::Result<(), String> {
    let mut rest = strip_comments(css)?;
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            return Ok(());
        }
        let open = trimmed.find('{').ok_or("the CSS ends in the middle of a rule")?;
        let close = trimmed[open..].find('}').map(|i| open + i).ok_or("a rule of the CSS has no closing }")?;
        let (selectors, body) = (&trimmed[..open], &trimmed[open + 1..close]);
        if body.contains('{') {
            return Err("nested rules and at-rules are not allowed in the CSS".into());
        }
        for selector in selectors.split(',').map(str::trim) {
            if !CUSTOMIZABLE.contains(&selector) {
                return Err(format!("{selector:?} is not one of Cognito's customizable classes ({})", CUSTOMIZABLE.join(", ")));
            }
        }
        let lower = body.to_ascii_lowercase();
        if let Some(bad) = FORBIDDEN_IN_CSS.iter().find(|b| lower.contains(*b)) {
            return Err(format!("{bad:?} is not allowed in the CSS's declarations"));
        }
        rest = trimmed[close + 1..].to_owned();
    }
}

fn strip_comments(css: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start + 2..].find("*/").ok_or("a comment in the CSS is not closed")?;
        rest = &rest[start + 2 + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What a logo is, from its first bytes: PNG or JPEG only.
pub fn image_type(image: &[u8]) -> Option<&'static str> {
    if image.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if image.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

impl UserPools {
    /// The branding the login pages show for a client: its own, else the pool's (`ALL`).
    pub fn branding(&self, pool_id: &str, client_id: &str) -> Result<Option<UiCustomization>> {
        if let Some(own) = self.store.get_ui_customization(pool_id, client_id)? {
            return Ok(Some(own));
        }
        Ok(self.store.get_ui_customization(pool_id, "ALL")?)
    }

    fn describe_branding(&self, pool_id: &str, client_id: &str, c: Option<&UiCustomization>) -> Result<w::UICustomizationType> {
        let image_url = match (c.and_then(|c| c.image.as_ref()), self.pool_domain(pool_id)?) {
            (Some(_), Some(domain)) => Some(format!("{}/logo?client_id={client_id}", self.domain_base_url(&domain.domain))),
            _ => None,
        };
        Ok(w::UICustomizationType {
            user_pool_id: Some(pool_id.to_owned()),
            client_id: Some(c.map_or(client_id, |c| c.client_id.as_str()).to_owned()),
            image_url,
            css: c.and_then(|c| c.css.clone()),
            css_version: c.map(|c| c.modified_ms.to_string()),
            last_modified_date: c.map(|c| to_wire(c.modified_ms)),
            creation_date: c.map(|c| to_wire(c.created_ms)),
        })
    }

    /// `ClientId` absent or `ALL` names the pool's branding; anything else must be its client.
    fn branding_client(&self, pool_id: &str, client_id: Option<&str>) -> Result<String> {
        match client_id {
            None | Some("ALL") => Ok("ALL".to_owned()),
            Some(id) => Ok(self.pool_client(pool_id, id)?.client_id.clone()),
        }
    }

    pub(super) fn op_set_ui_customization(&self, r: w::SetUICustomizationRequest) -> Result<w::SetUICustomizationResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let client_id = self.branding_client(&pool.id, r.client_id.as_deref())?;
        if self.pool_domain(&pool.id)?.is_none() {
            return Err(Error::InvalidParameter(
                "The user pool has no domain: create one (CreateUserPoolDomain) before branding its pages.".into(),
            ));
        }
        if let Some(css) = &r.css {
            check_css(css).map_err(|why| Error::InvalidParameter(format!("Invalid CSS: {why}.")))?;
        }
        let image = match r.image_file.as_deref() {
            None => None,
            Some(b64) => {
                use base64::Engine;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|_| Error::InvalidParameter("ImageFile is not base64.".into()))?;
                if bytes.len() > MAX_IMAGE_BYTES {
                    return Err(Error::InvalidParameter("The logo must be smaller than 100 KB.".into()));
                }
                if image_type(&bytes).is_none() {
                    return Err(Error::InvalidParameter("The logo must be a PNG or JPEG image.".into()));
                }
                Some(bytes)
            }
        };
        let now = self.now();
        let created_ms = self.store.get_ui_customization(&pool.id, &client_id)?.map_or(now, |c| c.created_ms);
        let customization =
            UiCustomization { pool_id: pool.id.clone(), client_id: client_id.clone(), css: r.css, image, created_ms, modified_ms: now };
        self.store.put_ui_customization(&customization)?;
        Ok(w::SetUICustomizationResponse { ui_customization: self.describe_branding(&pool.id, &client_id, Some(&customization))? })
    }

    pub(super) fn op_get_ui_customization(&self, r: w::GetUICustomizationRequest) -> Result<w::GetUICustomizationResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let client_id = self.branding_client(&pool.id, r.client_id.as_deref())?;
        let found = self.branding(&pool.id, &client_id)?;
        Ok(w::GetUICustomizationResponse { ui_customization: self.describe_branding(&pool.id, &client_id, found.as_ref())? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_may_only_style_the_customizable_classes() {
        let good = "/* brand */ .banner-customizable { background-color: #123456; }\n.submitButton-customizable, .submitButton-customizable:hover { color: white; font-size: 14px; }";
        assert_eq!(check_css(good), Ok(()));
        assert_eq!(check_css(""), Ok(()));
        for bad in [
            "body { color: red }",
            ".banner-customizable { background: url(https://evil.example/x.png) }",
            "@import 'https://evil.example/x.css';",
            ".banner-customizable { color: red",
            ".banner-customizable { x: y } .logo-customizable { @media x { } }",
            ".label-customizable, h1 { color: red }",
            ".label-customizable { color: red } /* unclosed",
            ".label-customizable { content: '</style><script>' }",
        ] {
            assert!(check_css(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn logos_are_png_or_jpeg() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"<svg/>"), None);
    }
}
