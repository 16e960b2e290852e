//! Terms documents (CreateTerms and siblings): an app client's terms of use and privacy policy,
//! a link per managed login language, shown on the login pages' sign-up form.

use std::collections::BTreeMap;

use pooldesk_wire::cognito_idp::{self as w, TermsEnforcementType, TermsSourceType};

use super::UserPools;
use crate::clock::to_wire;
use crate::error::{Error, Result};
use crate::store::{StoreError, Terms};

/// The two kinds of terms documents; a client has at most one of each.
const TERMS_NAMES: [&str; 2] = ["terms-of-use", "privacy-policy"];
/// The languages a link can be for (`cognito:<language>`), `default` for every other one.
pub const TERMS_LANGUAGES: [&str; 13] = [
    "default",
    "dutch",
    "english",
    "french",
    "spanish",
    "german",
    "bahasa-indonesia",
    "italian",
    "japanese",
    "korean",
    "portuguese-brazil",
    "chinese-simplified",
    "chinese-traditional",
];

fn check_name(name: &str) -> Result<()> {
    if TERMS_NAMES.contains(&name) {
        Ok(())
    } else {
        Err(Error::InvalidParameter(format!(
            "1 validation error detected: Value '{name}' at 'termsName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(terms-of-use|privacy-policy)$"
        )))
    }
}

/// One to 13 links, each for a known language and to a web page: a link is put on a page
/// people trust, so nothing but http(s) is taken.
fn check_links(links: &BTreeMap<String, String>) -> Result<()> {
    if links.is_empty() || links.len() > TERMS_LANGUAGES.len() {
        return Err(Error::InvalidParameter(format!("Links must name 1 to {} languages.", TERMS_LANGUAGES.len())));
    }
    for (language, link) in links {
        if !language.strip_prefix("cognito:").is_some_and(|l| TERMS_LANGUAGES.contains(&l)) {
            return Err(Error::InvalidParameter(format!(
                "Links has '{language}': languages are cognito:default or cognito:<a managed login language>, for example cognito:spanish."
            )));
        }
        // Url::parse forgives spaces and control characters that the link would keep.
        let clean = !link.chars().any(|c| c.is_whitespace() || c.is_control());
        let web = url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
        if !clean || !web || link.len() > 1024 {
            return Err(Error::InvalidParameter(format!("The link for {language} is not an http(s) URL of at most 1024 characters.")));
        }
    }
    Ok(())
}

fn describe(t: &Terms) -> w::TermsType {
    w::TermsType {
        terms_id: t.id.clone(),
        user_pool_id: t.pool_id.clone(),
        client_id: t.client_id.clone(),
        terms_name: t.name.clone(),
        terms_source: TermsSourceType::Link,
        enforcement: TermsEnforcementType::None,
        links: t.links.clone(),
        creation_date: to_wire(t.created_ms),
        last_modified_date: to_wire(t.modified_ms),
    }
}

fn exists(client_id: &str, name: &str) -> Error {
    Error::TermsExists(format!("App client {client_id} already has terms named {name}."))
}

/// What a sign-up page links to: the terms of use and the privacy policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermsLinks {
    pub terms_of_use: String,
    pub privacy_policy: String,
}

impl UserPools {
    fn terms(&self, pool_id: &str, id: &str) -> Result<Terms> {
        self.pool(pool_id)?;
        self.store.get_terms(pool_id, id)?.ok_or_else(|| Error::ResourceNotFound(format!("Terms {id} do not exist.")))
    }

    pub(super) fn op_create_terms(&self, r: w::CreateTermsRequest) -> Result<w::CreateTermsResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        check_name(&r.terms_name)?;
        let links =
            r.links.ok_or_else(|| Error::InvalidParameter("Links is required: a link for each language, or cognito:default.".into()))?;
        check_links(&links)?;
        let now = self.now();
        let terms = Terms {
            id: self.random.uuid()?,
            pool_id: client.pool_id.clone(),
            client_id: client.client_id.clone(),
            name: r.terms_name,
            links,
            created_ms: now,
            modified_ms: now,
        };
        self.store.create_terms(&terms).map_err(|e| match e {
            StoreError::Conflict(_) => exists(&terms.client_id, &terms.name),
            other => other.into(),
        })?;
        Ok(w::CreateTermsResponse { terms: Some(describe(&terms)) })
    }

    /// Changes what the request names; the rest stays.
    pub(super) fn op_update_terms(&self, r: w::UpdateTermsRequest) -> Result<w::UpdateTermsResponse> {
        let mut terms = self.terms(&r.user_pool_id, &r.terms_id)?;
        if let Some(name) = r.terms_name {
            check_name(&name)?;
            terms.name = name;
        }
        if let Some(links) = r.links {
            check_links(&links)?;
            terms.links = links;
        }
        terms.modified_ms = self.now();
        let updated = self.store.update_terms(&terms).map_err(|e| match e {
            StoreError::Conflict(_) => exists(&terms.client_id, &terms.name),
            other => other.into(),
        })?;
        if !updated {
            return Err(Error::ResourceNotFound(format!("Terms {} do not exist.", terms.id)));
        }
        Ok(w::UpdateTermsResponse { terms: Some(describe(&terms)) })
    }

    pub(super) fn op_describe_terms(&self, r: w::DescribeTermsRequest) -> Result<w::DescribeTermsResponse> {
        Ok(w::DescribeTermsResponse { terms: Some(describe(&self.terms(&r.user_pool_id, &r.terms_id)?)) })
    }

    pub(super) fn op_describe_terms_by_client(&self, r: w::DescribeTermsByClientRequest) -> Result<w::DescribeTermsByClientResponse> {
        self.pool(&r.user_pool_id)?;
        let client = self.pool_client(&r.user_pool_id, &r.client_id)?;
        check_name(&r.terms_name)?;
        let terms = self
            .store
            .client_terms(&client.client_id)?
            .into_iter()
            .find(|t| t.name == r.terms_name)
            .ok_or_else(|| Error::ResourceNotFound(format!("App client {} has no terms named {}.", client.client_id, r.terms_name)))?;
        Ok(w::DescribeTermsByClientResponse { terms: Some(describe(&terms)) })
    }

    pub(super) fn op_list_terms(&self, r: w::ListTermsRequest) -> Result<w::ListTermsResponse> {
        self.pool(&r.user_pool_id)?;
        let limit = r.max_results.unwrap_or(60).clamp(1, 60) as usize;
        let page = self.store.list_terms(&r.user_pool_id, r.next_token.as_deref(), limit)?;
        let terms = page
            .items
            .iter()
            .map(|t| w::TermsDescriptionType {
                terms_id: t.id.clone(),
                terms_name: t.name.clone(),
                enforcement: TermsEnforcementType::None,
                creation_date: to_wire(t.created_ms),
                last_modified_date: to_wire(t.modified_ms),
            })
            .collect();
        Ok(w::ListTermsResponse { terms, next_token: page.next })
    }

    pub(super) fn op_delete_terms(&self, r: w::DeleteTermsRequest) -> Result<()> {
        self.pool(&r.user_pool_id)?;
        if !self.store.delete_terms(&r.user_pool_id, &r.terms_id)? {
            return Err(Error::ResourceNotFound(format!("Terms {} do not exist.", r.terms_id)));
        }
        Ok(())
    }

    /// The links a sign-up page in `language` (`english`, `spanish`, ...) shows for `client_id`:
    /// each document's link for that language, else its `cognito:default` one. None until both
    /// documents have one, as Cognito shows terms only then.
    pub fn sign_up_terms(&self, client_id: &str, language: &str) -> Result<Option<TermsLinks>> {
        let all = self.store.client_terms(client_id)?;
        let link = |name: &str| {
            let terms = all.iter().find(|t| t.name == name)?;
            terms.links.get(&format!("cognito:{language}")).or_else(|| terms.links.get("cognito:default")).cloned()
        };
        Ok(link("terms-of-use")
            .zip(link("privacy-policy"))
            .map(|(terms_of_use, privacy_policy)| TermsLinks { terms_of_use, privacy_policy }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_for_known_languages_are_taken() {
        let links = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<BTreeMap<_, _>>();
        assert!(
            check_links(&links(&[("cognito:default", "https://example.com/terms"), ("cognito:spanish", "http://example.com/es")])).is_ok()
        );
        for bad in [
            links(&[]),
            links(&[("default", "https://example.com")]),
            links(&[("cognito:klingon", "https://example.com")]),
            links(&[("cognito:default", "javascript:alert(1)")]),
            links(&[("cognito:default", "data:text/html,hi")]),
            links(&[("cognito:default", "/relative")]),
            links(&[("cognito:default", " https://example.com/terms")]),
            links(&[("cognito:default", "https://example.com/a\tb")]),
        ] {
            assert!(matches!(check_links(&bad), Err(Error::InvalidParameter(_))), "{bad:?}");
        }
        assert!(check_name("terms-of-use").is_ok() && check_name("privacy-policy").is_ok());
        assert!(check_name("terms-of-use-v2").is_err() && check_name("").is_err());
    }
}
