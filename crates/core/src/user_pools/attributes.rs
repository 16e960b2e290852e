//! User attributes against the pool's schema: names, types, lengths, mutability, who may
//! write what.

use std::collections::BTreeMap;

use pooldesk_wire::cognito_idp::{AttributeDataType, AttributeType, SchemaAttributeType};

use crate::error::{Error, Result};
use crate::store::{AppClient, UserPool};

/// Who is writing attributes, which decides what they may touch.
#[derive(Debug, Clone, Copy)]
pub(super) enum Writer<'a> {
    /// An admin operation (SigV4): anything mutable, including `*_verified` and `dev:` attributes.
    Admin,
    /// A user through an app client: what the client's WriteAttributes allow, never `*_verified`.
    User(Option<&'a AppClient>),
}

pub(super) fn schema(pool: &UserPool) -> &[SchemaAttributeType] {
    pool.config.schema_attributes.as_deref().unwrap_or_default()
}

fn nonconforming(why: String) -> Error {
    Error::InvalidParameter(format!("Attributes did not conform to the schema: {why}"))
}

/// Checks attributes a request wants to set. `creating` is true while the user is being
/// created (immutable attributes may be given once).
pub(super) fn check(pool: &UserPool, attrs: &[AttributeType], writer: Writer<'_>, creating: bool) -> Result<()> {
    for a in attrs {
        let name = a.name.as_str();
        let value = a.value.as_deref().unwrap_or("");
        if name == "sub" {
            return Err(Error::InvalidParameter("Cannot modify the non-mutable attribute sub".into()));
        }
        let def = schema(pool)
            .iter()
            .find(|d| d.name.as_deref() == Some(name))
            .ok_or_else(|| nonconforming(format!("Type for attribute {{{name}}} could not be determined")))?;
        if let Writer::User(client) = writer {
            let unauthorized = || Error::NotAuthorized("A client attempted to write unauthorized attribute".into());
            if name.ends_with("_verified") || name.starts_with("dev:") {
                return Err(unauthorized());
            }
            if let Some(allowed) = client.and_then(|c| c.config.write_attributes.as_ref())
                && !allowed.iter().any(|n| n == name)
            {
                return Err(unauthorized());
            }
        }
        if !creating && def.mutable == Some(false) {
            return Err(Error::InvalidParameter(format!("Cannot modify the non-mutable attribute {name}")));
        }
        check_value(def, name, value)?;
    }
    Ok(())
}

fn check_value(def: &SchemaAttributeType, name: &str, value: &str) -> Result<()> {
    match def.attribute_data_type.unwrap_or(AttributeDataType::String) {
        AttributeDataType::String => {
            let len = value.chars().count();
            if let Some(c) = &def.string_attribute_constraints {
                let min = c.min_length.as_deref().and_then(|s| s.parse::<usize>().ok()).unwrap_or(0);
                let max = c.max_length.as_deref().and_then(|s| s.parse::<usize>().ok()).unwrap_or(2048);
                if !value.is_empty() && (len < min || len > max) {
                    return Err(nonconforming(format!("{name}: String must be between {min} and {max} characters")));
                }
            }
            if name == "email" && !value.is_empty() && !looks_like_email(value) {
                return Err(Error::InvalidParameter("Invalid email address format.".into()));
            }
            if name == "phone_number" && !value.is_empty() && !looks_like_phone(value) {
                return Err(Error::InvalidParameter("Invalid phone number format.".into()));
            }
        }
        AttributeDataType::Number => {
            let n: f64 = value.parse().map_err(|_| nonconforming(format!("{name}: Number expected")))?;
            if let Some(c) = &def.number_attribute_constraints {
                let min = c.min_value.as_deref().and_then(|s| s.parse::<f64>().ok());
                let max = c.max_value.as_deref().and_then(|s| s.parse::<f64>().ok());
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    return Err(nonconforming(format!("{name}: Number is out of the allowed range")));
                }
            }
        }
        AttributeDataType::Boolean => {
            if value != "true" && value != "false" {
                return Err(nonconforming(format!("{name}: Boolean expected (true or false)")));
            }
        }
        AttributeDataType::DateTime => {}
    }
    Ok(())
}

pub(super) fn looks_like_email(v: &str) -> bool {
    let mut parts = v.splitn(2, '@');
    let (local, domain) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    !local.is_empty() && !domain.is_empty() && !domain.contains('@') && !v.chars().any(char::is_whitespace)
}

/// E.164: `+` and 4 to 15 digits.
pub(super) fn looks_like_phone(v: &str) -> bool {
    v.strip_prefix('+').is_some_and(|d| (4..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The pool's required attributes missing from `attrs`.
pub(super) fn check_required(pool: &UserPool, attrs: &BTreeMap<String, String>) -> Result<()> {
    for def in schema(pool) {
        let name = def.name.as_deref().unwrap_or_default();
        if def.required == Some(true) && name != "sub" && attrs.get(name).is_none_or(|v| v.is_empty()) {
            return Err(nonconforming(format!("{name}: The attribute is required")));
        }
    }
    Ok(())
}

/// Attributes as the wire lists them: `sub` first, then the rest by name, optionally limited
/// to `only` (AttributesToGet, or a client's ReadAttributes).
pub(super) fn to_wire(sub: &str, attrs: &BTreeMap<String, String>, only: Option<&[String]>) -> Vec<AttributeType> {
    let wanted = |n: &str| only.is_none_or(|o| o.iter().any(|x| x == n));
    let mut out = Vec::with_capacity(attrs.len() + 1);
    if wanted("sub") {
        out.push(AttributeType { name: "sub".into(), value: Some(sub.into()) });
    }
    out.extend(attrs.iter().filter(|(k, _)| wanted(k)).map(|(k, v)| AttributeType { name: k.clone(), value: Some(v.clone()) }));
    out
}

/// Applies changed attributes. Changing `email` or `phone_number` marks it unverified unless
/// the same request sets its `_verified` flag. Returns the verifiable attributes that changed.
pub(super) fn apply(attrs: &mut BTreeMap<String, String>, changes: &[AttributeType]) -> Vec<String> {
    let mut changed = Vec::new();
    for a in changes {
        let value = a.value.clone().unwrap_or_default();
        let previous = attrs.insert(a.name.clone(), value.clone());
        if (a.name == "email" || a.name == "phone_number") && previous.as_deref() != Some(value.as_str()) {
            changed.push(a.name.clone());
        }
    }
    for name in &changed {
        let flag = format!("{name}_verified");
        if !changes.iter().any(|a| a.name == flag) {
            attrs.insert(flag, "false".into());
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        for ok in ["a@b.c", "first.last+tag@example.co.uk"] {
            assert!(looks_like_email(ok), "{ok}");
        }
        for bad in ["", "a", "@b", "a@", "a b@c.d", "a@b@c"] {
            assert!(!looks_like_email(bad), "{bad}");
        }
        assert!(looks_like_phone("+14155550100"));
        for bad in ["14155550100", "+1", "+1415555abcd", "+1234567890123456"] {
            assert!(!looks_like_phone(bad), "{bad}");
        }
    }

    #[test]
    fn changing_email_unverifies_it_unless_told_otherwise() {
        let mut attrs = BTreeMap::from([("email".to_string(), "a@b.c".to_string()), ("email_verified".into(), "true".into())]);
        let changed = apply(&mut attrs, &[AttributeType { name: "email".into(), value: Some("new@b.c".into()) }]);
        assert_eq!(changed, vec!["email".to_string()]);
        assert_eq!(attrs["email_verified"], "false");
        apply(
            &mut attrs,
            &[
                AttributeType { name: "email".into(), value: Some("x@b.c".into()) },
                AttributeType { name: "email_verified".into(), value: Some("true".into()) },
            ],
        );
        assert_eq!(attrs["email_verified"], "true");
    }
}
