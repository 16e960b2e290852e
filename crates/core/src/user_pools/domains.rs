//! Domains: Create/Describe/Update/DeleteUserPoolDomain. A pool's domain is where its login
//! pages and OAuth 2.0 endpoints are served: a prefix (`myapp`, Cognito's
//! `myapp.auth.<region>.amazoncognito.com`) or a custom domain (`auth.example.com`). PoolDesk
//! serves both under `{public_url}/domains/<domain>` and, when a request's `Host` names them,
//! at the root.

use pooldesk_wire::cognito_idp as w;

use super::UserPools;
use crate::error::{Error, Result};
use crate::store::{Domain, StoreError};

/// Words Cognito refuses in a prefix domain.
const RESERVED_WORDS: [&str; 3] = ["aws", "amazon", "cognito"];

/// One DNS label as Cognito's `DomainType` pattern has it: `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`.
fn is_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    let inner = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (1..=63).contains(&bytes.len())
        && bytes.first().is_some_and(inner)
        && bytes.last().is_some_and(inner)
        && bytes.iter().all(|b| inner(b) || *b == b'-')
}

/// Checks a domain name: a prefix is one label without Cognito's reserved words; a custom
/// domain (given with a certificate) is a host name of two labels or more.
pub(crate) fn check_domain_name(domain: &str, custom: bool) -> Result<()> {
    if custom {
        let labels: Vec<&str> = domain.split('.').collect();
        if domain.len() > 253 || labels.len() < 2 || !labels.iter().all(|l| is_label(l)) {
            return Err(Error::InvalidParameter(format!("The custom domain {domain} is not a valid fully qualified host name.")));
        }
        return Ok(());
    }
    if !is_label(domain) {
        return Err(Error::InvalidParameter(format!(
            "1 validation error detected: Value '{domain}' at 'domain' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{{0,61}}[a-z0-9])?$"
        )));
    }
    if let Some(word) = RESERVED_WORDS.iter().find(|w| domain.contains(*w)) {
        return Err(Error::InvalidParameter(format!("Domain cannot contain reserved word: {word}")));
    }
    Ok(())
}

/// An ACM certificate's ARN (`arn:aws:acm:<region>:<account>:certificate/<id>`). PoolDesk
/// records it and describes it back; the certificate it serves is `pooldesk serve --tls-cert`.
fn check_certificate_arn(arn: &str) -> Result<()> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = matches!(parts.as_slice(), ["arn", partition, "acm", region, account, resource]
        if partition.starts_with("aws") && !region.is_empty() && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
            && resource.strip_prefix("certificate/").is_some_and(|id| !id.is_empty()));
    if !ok {
        return Err(Error::InvalidParameter(format!("The certificate ARN {arn} is not a valid ACM certificate ARN.")));
    }
    Ok(())
}

fn check_managed_login_version(version: Option<i32>) -> Result<()> {
    match version {
        None | Some(1) | Some(2) => Ok(()),
        Some(v) => {
            Err(Error::InvalidParameter(format!("ManagedLoginVersion must be 1 (classic hosted UI) or 2 (managed login), not {v}.")))
        }
    }
}

/// PoolDesk is one region's endpoint: there is no second region to fail over to.
fn refuse_routing(routing: &Option<w::RoutingType>) -> Result<()> {
    if routing.is_some() {
        return Err(Error::InvalidParameter("PoolDesk serves a single region: Routing (multi-region failover) is not supported.".into()));
    }
    Ok(())
}

impl UserPools {
    /// Where a domain's pages are reached: the public URL's host (what a custom domain's DNS
    /// record points at, Cognito's CloudFront distribution).
    fn served_host(&self) -> String {
        let url = self.config.public_url.as_str();
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        rest.split('/').next().unwrap_or(rest).to_owned()
    }

    /// The base URL of a domain's endpoints (`…/oauth2/authorize` hangs off it).
    pub fn domain_base_url(&self, domain: &str) -> String {
        format!("{}/domains/{domain}", self.config.public_url.trim_end_matches('/'))
    }

    /// A domain by name, as the OAuth endpoints and login pages look it up.
    pub fn domain(&self, name: &str) -> Result<Option<Domain>> {
        Ok(self.store.get_domain(name)?)
    }

    /// The domain a pool's endpoints are announced under: its custom domain if it has one,
    /// else its prefix domain.
    pub fn pool_domain(&self, pool_id: &str) -> Result<Option<Domain>> {
        let mut domains = self.store.domains_of_pool(pool_id)?;
        domains.sort_by_key(|d| d.config.custom_domain_config.is_none());
        Ok(domains.into_iter().next())
    }

    pub(super) fn op_create_user_pool_domain(&self, r: w::CreateUserPoolDomainRequest) -> Result<w::CreateUserPoolDomainResponse> {
        let pool = self.pool(&r.user_pool_id)?;
        let custom = r.custom_domain_config.is_some();
        check_domain_name(&r.domain, custom)?;
        if let Some(c) = &r.custom_domain_config {
            check_certificate_arn(&c.certificate_arn)?;
        }
        check_managed_login_version(r.managed_login_version)?;
        refuse_routing(&r.routing)?;
        if self.store.get_domain(&r.domain)?.is_some() {
            return Err(Error::InvalidParameter("Domain already associated with another user pool.".into()));
        }
        if self.store.domains_of_pool(&pool.id)?.iter().any(|d| d.config.custom_domain_config.is_some() == custom) {
            let kind = if custom { "custom domain" } else { "domain" };
            return Err(Error::InvalidParameter(format!("User pool already has a {kind} configured.")));
        }
        let now = self.now();
        let managed_login_version = Some(r.managed_login_version.unwrap_or(1));
        let config = w::DomainDescriptionType {
            user_pool_id: Some(pool.id.clone()),
            aws_account_id: Some(self.config.account_id.clone()),
            domain: Some(r.domain.clone()),
            cloud_front_distribution: Some(self.served_host()),
            version: Some(now.to_string()),
            status: Some(w::DomainStatusType::Active),
            custom_domain_config: r.custom_domain_config,
            managed_login_version,
            ..Default::default()
        };
        let domain = Domain { domain: r.domain, pool_id: pool.id.clone(), config, created_ms: now, modified_ms: now };
        self.store.create_domain(&domain).map_err(|e| match e {
            StoreError::Conflict(_) => Error::InvalidParameter("Domain already associated with another user pool.".into()),
            other => other.into(),
        })?;
        Ok(w::CreateUserPoolDomainResponse { managed_login_version, cloud_front_domain: custom.then(|| self.served_host()), routing: None })
    }

    /// Cognito answers an unknown domain with an empty description, not an error.
    pub(super) fn op_describe_user_pool_domain(&self, r: w::DescribeUserPoolDomainRequest) -> Result<w::DescribeUserPoolDomainResponse> {
        let description = self.store.get_domain(&r.domain)?.map(|d| d.config).unwrap_or_default();
        Ok(w::DescribeUserPoolDomainResponse { domain_description: Some(description) })
    }

    pub(super) fn op_update_user_pool_domain(&self, r: w::UpdateUserPoolDomainRequest) -> Result<w::UpdateUserPoolDomainResponse> {
        self.pool(&r.user_pool_id)?;
        let mut domain = self
            .store
            .get_domain(&r.domain)?
            .filter(|d| d.pool_id == r.user_pool_id)
            .ok_or_else(|| Error::ResourceNotFound(format!("Domain {} does not exist for user pool {}.", r.domain, r.user_pool_id)))?;
        check_managed_login_version(r.managed_login_version)?;
        refuse_routing(&r.routing)?;
        if let Some(c) = r.custom_domain_config {
            if domain.config.custom_domain_config.is_none() {
                return Err(Error::InvalidParameter("CustomDomainConfig can only be updated for a custom domain.".into()));
            }
            check_certificate_arn(&c.certificate_arn)?;
            domain.config.custom_domain_config = Some(c);
        }
        if let Some(v) = r.managed_login_version {
            domain.config.managed_login_version = Some(v);
        }
        domain.modified_ms = self.now();
        domain.config.version = Some(domain.modified_ms.to_string());
        self.store.update_domain(&domain)?;
        let custom = domain.config.custom_domain_config.is_some();
        Ok(w::UpdateUserPoolDomainResponse {
            managed_login_version: domain.config.managed_login_version,
            cloud_front_domain: custom.then(|| self.served_host()),
            routing: None,
        })
    }

    pub(super) fn op_delete_user_pool_domain(&self, r: w::DeleteUserPoolDomainRequest) -> Result<w::DeleteUserPoolDomainResponse> {
        let found = self.store.get_domain(&r.domain)?.filter(|d| d.pool_id == r.user_pool_id);
        if found.is_none() || !self.store.delete_domain(&r.domain)? {
            return Err(Error::InvalidParameter("No such domain or user pool exists.".into()));
        }
        Ok(w::DeleteUserPoolDomainResponse {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_follow_cognitos_pattern_and_reserved_words() {
        for ok in ["myapp", "a", "my-app-2", "0x"] {
            assert!(check_domain_name(ok, false).is_ok(), "{ok}");
        }
        for bad in ["MyApp", "-app", "app-", "my_app", "auth.example.com", "", &"a".repeat(64)] {
            let e = check_domain_name(bad, false).unwrap_err();
            assert!(e.to_string().contains("failed to satisfy constraint"), "{bad}: {e}");
        }
        for reserved in ["my-cognito", "awsome", "amazonian"] {
            assert!(check_domain_name(reserved, false).unwrap_err().to_string().contains("reserved word"), "{reserved}");
        }
    }

    #[test]
    fn custom_domains_are_host_names() {
        assert!(check_domain_name("auth.example.com", true).is_ok());
        assert!(check_domain_name("login.aws-example.co.uk", true).is_ok(), "reserved words only bind prefixes");
        for bad in ["example", "auth..example.com", "Auth.example.com", "auth.example.com.", "auth_x.example.com"] {
            assert!(check_domain_name(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn certificates_are_acm_arns() {
        assert!(check_certificate_arn("arn:aws:acm:us-east-1:123456789012:certificate/abc-123").is_ok());
        for bad in [
            "",
            "arn:aws:acm:us-east-1:123:certificate/x",
            "arn:aws:iam::123456789012:role/x",
            "arn:aws:acm:us-east-1:123456789012:certificate/",
        ] {
            assert!(check_certificate_arn(bad).is_err(), "{bad}");
        }
    }
}
