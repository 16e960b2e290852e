//! Resource servers: Create/Describe/Update/Delete/ListResourceServers. A resource server is an
//! API whose custom scopes (`<identifier>/<scope>`) app clients may be allowed and granted.

use pooldesk_wire::cognito_idp as w;

use super::UserPools;
use crate::error::{Error, Result};
use crate::store::{ResourceServer, StoreError};

/// Cognito's quota of resource servers per user pool.
const MAX_RESOURCE_SERVERS: usize = 25;

/// Whether every character of `s` is in `allowed` (the model's character-class patterns).
fn only(s: &str, allowed: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(allowed)
}

fn pattern_error(value: &str, member: &str, pattern: &str) -> Error {
    Error::InvalidParameter(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
    ))
}

/// `[\x21\x23-\x5B\x5D-\x7E]+`: printable ASCII but space, `"` and `\`.
pub(crate) fn is_scope_token(s: &str) -> bool {
    only(s, |c| matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E'))
}

fn check(identifier: &str, name: &str, scopes: &[w::ResourceServerScopeType]) -> Result<()> {
    if !is_scope_token(identifier) {
        return Err(pattern_error(identifier, "identifier", r"[\x21\x23-\x5B\x5D-\x7E]+"));
    }
    if !only(name, |c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c)) {
        return Err(pattern_error(name, "name", r"[\w\s+=,.@-]+"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for scope in scopes {
        // `[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`: no `/` either, which separates it from the identifier.
        if !only(&scope.scope_name, |c| matches!(c, '\x21' | '\x23'..='\x2E' | '\x30'..='\x5B' | '\x5D'..='\x7E')) {
            return Err(pattern_error(&scope.scope_name, "scopeName", r"[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+"));
        }
        if !seen.insert(scope.scope_name.as_str()) {
            return Err(Error::InvalidParameter(format!("Duplicate scope names are not allowed: {}", scope.scope_name)));
        }
    }
    Ok(())
}

impl UserPools {
    fn describe_resource_server(server: &ResourceServer) -> w::ResourceServerType {
        server.config.clone()
    }

    /// Every custom scope the pool's resource servers define, as `<identifier>/<scope>`.
    pub(super) fn custom_scopes(&self, pool_id: &str) -> Result<Vec<String>> {
        let mut scopes = Vec::new();
        let mut after = None;
        loop {
            let page = self.store.list_resource_servers(pool_id, after.as_deref(), 50)?;
            for server in &page.items {
                for scope in server.config.scopes.iter().flatten() {
                    scopes.push(format!("{}/{}", server.identifier, scope.scope_name));
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(scopes),
            }
        }
    }

    pub(super) fn op_create_resource_server(&self, r: w::CreateResourceServerRequest) -> Result<w::CreateResourceServerResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let scopes = r.scopes.unwrap_or_default();
        check(&r.identifier, &r.name, &scopes)?;
        if self.store.list_resource_servers(&pool.id, None, MAX_RESOURCE_SERVERS)?.next.is_some() {
            return Err(Error::LimitExceeded(format!("A user pool can have at most {MAX_RESOURCE_SERVERS} resource servers.")));
        }
        let exists = || Error::InvalidParameter(format!("{} already exists in user pool {}.", r.identifier, pool.id));
        let now = self.now();
        let server = ResourceServer {
            pool_id: pool.id.clone(),
            identifier: r.identifier.clone(),
            config: w::ResourceServerType {
                user_pool_id: Some(pool.id.clone()),
                identifier: Some(r.identifier.clone()),
                name: Some(r.name.clone()),
                scopes: Some(scopes),
                managed_by: None,
            },
            created_ms: now,
            modified_ms: now,
        };
        self.store.create_resource_server(&server).map_err(|e| match e {
            StoreError::Conflict(_) => exists(),
            other => other.into(),
        })?;
        Ok(w::CreateResourceServerResponse { resource_server: Self::describe_resource_server(&server) })
    }

    fn resource_server(&self, pool_id: &str, identifier: &str) -> Result<ResourceServer> {
        self.pool(pool_id)?;
        self.store
            .get_resource_server(pool_id, identifier)?
            .ok_or_else(|| Error::ResourceNotFound(format!("Resource server {identifier} does not exist in user pool {pool_id}.")))
    }

    pub(super) fn op_describe_resource_server(&self, r: w::DescribeResourceServerRequest) -> Result<w::DescribeResourceServerResponse> {
        let server = self.resource_server(&r.user_pool_id, &r.identifier)?;
        Ok(w::DescribeResourceServerResponse { resource_server: Self::describe_resource_server(&server) })
    }

    /// Replaces the name and scopes, as Cognito's UpdateResourceServer does (scopes left out
    /// are removed).
    pub(super) fn op_update_resource_server(&self, r: w::UpdateResourceServerRequest) -> Result<w::UpdateResourceServerResponse> {
        let mut server = self.resource_server(&r.user_pool_id, &r.identifier)?;
        let scopes = r.scopes.unwrap_or_default();
        check(&r.identifier, &r.name, &scopes)?;
        server.config.name = Some(r.name);
        server.config.scopes = Some(scopes);
        server.modified_ms = self.now();
        self.store.update_resource_server(&server)?;
        Ok(w::UpdateResourceServerResponse { resource_server: Self::describe_resource_server(&server) })
    }

    pub(super) fn op_delete_resource_server(&self, r: w::DeleteResourceServerRequest) -> Result<()> {
        let server = self.resource_server(&r.user_pool_id, &r.identifier)?;
        self.store.delete_resource_server(&server.pool_id, &server.identifier)?;
        Ok(())
    }

    pub(super) fn op_list_resource_servers(&self, r: w::ListResourceServersRequest) -> Result<w::ListResourceServersResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let limit = usize::try_from(r.max_results.unwrap_or(50)).unwrap_or(50);
        let page = self.store.list_resource_servers(&pool.id, r.next_token.as_deref(), limit)?;
        Ok(w::ListResourceServersResponse {
            resource_servers: page.items.iter().map(Self::describe_resource_server).collect(),
            next_token: page.next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(name: &str) -> w::ResourceServerScopeType {
        w::ResourceServerScopeType { scope_name: name.into(), scope_description: "d".into() }
    }

    #[test]
    fn identifiers_names_and_scopes_follow_the_models_patterns() {
        assert!(check("https://api.example.com", "Orders API", &[scope("read"), scope("write:all")]).is_ok());
        assert!(check("has space", "n", &[]).unwrap_err().to_string().contains("at 'identifier'"));
        assert!(check("quote\"", "n", &[]).is_err());
        assert!(check("api", "bad/name", &[]).unwrap_err().to_string().contains("at 'name'"));
        assert!(check("api", "n", &[scope("a/b")]).unwrap_err().to_string().contains("at 'scopeName'"), "a scope has no slash");
        assert!(check("api", "n", &[scope("read"), scope("read")]).unwrap_err().to_string().contains("Duplicate"));
    }
}
