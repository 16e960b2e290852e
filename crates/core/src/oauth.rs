//! OAuth 2.0 pieces that hold no state: scopes and redirect URIs. The grants that use them are
//! in `user_pools::oauth`.

/// The scope that lets an access token call Cognito's user operations (GetUser, ...).
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// Cognito's built-in scopes; every other scope is a resource server's (`<identifier>/<name>`).
pub const STANDARD_SCOPES: [&str; 5] = ["openid", "email", "phone", "profile", ADMIN_SCOPE];

pub fn is_standard_scope(scope: &str) -> bool {
    STANDARD_SCOPES.contains(&scope)
}

/// The scopes of a space-separated `scope` parameter, each once, in the order given.
pub fn parse_scope(text: &str) -> Vec<&str> {
    let mut scopes: Vec<&str> = Vec::new();
    for scope in text.split_ascii_whitespace() {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes
}

/// Whether a URL's host is this machine: `localhost`, `127.0.0.1` or `[::1]`, where plain
/// HTTP is allowed for development.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks a callback or sign-out URL as Cognito does: absolute, without a fragment, HTTPS
/// (plain HTTP only on loopback), or an app's own scheme (`myapp://callback`). Schemes that run
/// code or carry data in a browser are refused.
pub fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let parsed = url::Url::parse(uri).map_err(|_| format!("{uri} is not an absolute URL."))?;
    if parsed.fragment().is_some() {
        return Err(format!("{uri} must not contain a fragment (#)."));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => Err(format!("{uri} must use HTTPS; plain HTTP is allowed only for localhost.")),
        "javascript" | "data" | "vbscript" | "file" | "blob" => Err(format!("{uri} uses a scheme that is not allowed.")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_split_on_spaces_once_each() {
        assert_eq!(parse_scope(" openid  email openid\tapi/read "), ["openid", "email", "api/read"]);
        assert!(parse_scope("").is_empty());
        assert!(is_standard_scope(ADMIN_SCOPE) && !is_standard_scope("api/read"));
    }

    #[test]
    fn redirect_uris_follow_cognitos_rules() {
        for ok in [
            "https://app.example.com/callback",
            "http://localhost:3000/cb",
            "http://127.0.0.1:8080/",
            "http://[::1]/cb",
            "myapp://callback",
            "https://app.example.com/cb?tenant=1",
        ] {
            assert!(check_redirect_uri(ok).is_ok(), "{ok}");
        }
        for bad in [
            "/relative",
            "http://app.example.com/cb",
            "http://localhost.evil.com/cb",
            "https://app.example.com/cb#frag",
            "javascript:alert(1)",
            "data:text/html,hi",
            "not a url",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }
}
