//! ListUsers' filter language: `attribute op "value"` with `=` (equals) or `^=` (starts with),
//! on the attributes Cognito lets you search (see the ListUsers reference, `Filter`).

use crate::error::{Error, Result};
use crate::store::{FilterField, FilterOp, INDEXED_ATTRIBUTES, UserFilter};

/// Every attribute a filter may name, in the order the desktop app's filter builder offers them.
pub const FILTER_ATTRIBUTES: [&str; 10] = [
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

/// Parses a filter string. An empty (or all-blank) filter means no filter.
pub fn parse(input: &str) -> Result<Option<UserFilter>> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = |why: &str| Error::InvalidParameter(format!("Error while parsing filter: {why}"));
    let name_end = s.find(|c: char| c.is_whitespace() || c == '=' || c == '^').ok_or_else(|| bad("expected an operator"))?;
    let (name, rest) = s.split_at(name_end);
    let name = name.trim_matches('"');
    let rest = rest.trim_start();
    let (op, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (FilterOp::StartsWith, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (FilterOp::Equals, r)
    } else {
        return Err(bad("the operator must be = or ^="));
    };
    let rest = rest.trim();
    let quoted = rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')).ok_or_else(|| bad("the value must be in double quotes"))?;
    let mut value = String::with_capacity(quoted.len());
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next().ok_or_else(|| bad("a backslash ends the value"))?),
            '"' => return Err(bad("an unescaped quote inside the value")),
            c => value.push(c),
        }
    }
    let field = match name {
        "username" => FilterField::Username,
        "sub" => FilterField::Sub,
        "status" => FilterField::Enabled,
        "cognito:user_status" => FilterField::UserStatus,
        n if INDEXED_ATTRIBUTES.contains(&n) => FilterField::Attribute(n.to_owned()),
        n => return Err(Error::InvalidParameter(format!("Invalid search attribute: {n}"))),
    };
    if field == FilterField::Enabled && op == FilterOp::Equals && !matches!(value.as_str(), "Enabled" | "Disabled") {
        return Err(bad("status must be \"Enabled\" or \"Disabled\""));
    }
    Ok(Some(UserFilter { field, op, value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_offered_is_filterable_and_no_other() {
        for name in FILTER_ATTRIBUTES {
            let value = if name == "status" { "Enabled" } else { "x" };
            assert!(matches!(parse(&format!("{name} = \"{value}\"")), Ok(Some(_))), "{name}");
        }
        assert!(parse(r#"custom:team = "x""#).is_err() && parse(r#"locale = "x""#).is_err());
    }

    fn f(field: FilterField, op: FilterOp, v: &str) -> Option<UserFilter> {
        Some(UserFilter { field, op, value: v.to_owned() })
    }

    #[test]
    fn parses_what_cognito_accepts() {
        use FilterField::*;
        use FilterOp::*;
        let cases = [
            (r#"email = "a@b.c""#, f(Attribute("email".into()), Equals, "a@b.c")),
            (r#"email^="a""#, f(Attribute("email".into()), StartsWith, "a")),
            (r#"  family_name ^= "O'Brien" "#, f(Attribute("family_name".into()), StartsWith, "O'Brien")),
            (r#"username = "x\"y""#, f(Username, Equals, "x\"y")),
            (r#"cognito:user_status = "UNCONFIRMED""#, f(UserStatus, Equals, "UNCONFIRMED")),
            (r#"status = "Disabled""#, f(Enabled, Equals, "Disabled")),
            (r#""sub" = "1234""#, f(Sub, Equals, "1234")),
            (r#"name = """#, f(Attribute("name".into()), Equals, "")),
            ("", None),
            ("   ", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn rejects_what_cognito_rejects() {
        for input in [
            "email",
            r#"email != "x""#,
            r#"email = x"#,
            r#"email = "x"#,
            r#"custom:team = "x""#,
            r#"address = "x""#,
            r#"email = "a"b""#,
            r#"status = "Maybe""#,
        ] {
            assert!(matches!(parse(input), Err(Error::InvalidParameter(_))), "{input} should be refused");
        }
    }

    #[test]
    fn never_panics_on_arbitrary_input() {
        // A cheap property check over many generated strings built from the grammar's tokens.
        let parts = ["email", "=", "^=", "\"", "\\", " ", "x", "é", "status", ":", "^"];
        let mut seed: u64 = 0x9E3779B97F4A7C15;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 9) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(parts[(seed % parts.len() as u64) as usize]);
            }
            let _ = parse(&s);
        }
    }
}
