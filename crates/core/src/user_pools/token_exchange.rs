//! Token exchange (RFC 8693): GetDerivedToken, and the token endpoint's
//! `urn:ietf:params:oauth:grant-type:token-exchange` grant. A service holding a user's token
//! trades it for one narrowed in scope and bound to one downstream audience; with an actor
//! token (delegation) the new token also names, in `act`, the service acting for the user.
//!
//! Choices the documentation leaves open, made here: the subject and actor tokens are this
//! pool's own (any of its clients'), verified like any token (signature, expiry, revocation,
//! the user still enabled), or, named by `*ProviderName`, a SAML provider's assertion or an
//! OpenID provider's ID token, checked as a sign-in through that provider is; the issued token never outlives its subject token; it keeps the
//! subject's session (`origin_jti`), so signing the user out ends it too; and it comes with no
//! refresh token.

use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, ExplicitAuthFlowsType as Flow, IssuedTokenTypeIdentifierType as Issued};
use serde_json::{Map, Value, json};

use super::clients::{allows, validity};
use super::sign_in::Holder;
use super::{Context, UserPools};
use crate::error::{Error, Result};
use crate::oauth::ADMIN_SCOPE;
use crate::store::AppClient;

/// A token presented to the exchange, and what kind the caller says it is.
pub struct Presented<'a> {
    pub token: &'a str,
    pub kind: w::TokenTypeIdentifierType,
    /// The identity provider that issued it, when it is not this pool's.
    pub provider: Option<&'a str>,
}

/// What a client asks the exchange for.
pub struct Exchange<'a> {
    pub subject: Presented<'a>,
    pub actor: Option<Presented<'a>>,
    /// Requested scopes; `None` keeps the subject token's.
    pub scopes: Option<Vec<&'a str>>,
    pub audience: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub requested: Issued,
}

/// The issued token.
pub struct Derived {
    pub token: String,
    pub kind: Issued,
    pub expires_in: i64,
    pub scopes: Vec<String>,
}

/// Why an exchange was refused, so the token endpoint can answer with RFC 8693's codes; the
/// API answers with the inner error.
#[derive(Debug)]
pub enum Refusal {
    /// The client may not exchange tokens this way (`unauthorized_client`).
    Client(Error),
    /// The subject or actor token is not valid (`invalid_grant`).
    Token(Error),
    /// No requested scope can be granted (`invalid_scope`).
    Scope(Error),
    /// The audience or resource is not acceptable (`invalid_target`).
    Target(Error),
    /// The request itself is malformed (`invalid_request`).
    Request(Error),
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        match r {
            Refusal::Client(e) | Refusal::Token(e) | Refusal::Scope(e) | Refusal::Target(e) | Refusal::Request(e) => e,
        }
    }
}

/// A verified token of this pool: its claims, and the user it speaks for (none for a
/// client's own `client_credentials` token).
struct Verified {
    claims: Map<String, Value>,
    user: Option<crate::store::User>,
}

impl UserPools {
    pub(super) fn op_get_derived_token(&self, ctx: &Context, r: w::GetDerivedTokenRequest) -> Result<w::GetDerivedTokenResponse> {
        let failed = || Error::NotAuthorized("Client authentication failed.".into());
        let client = self.store.get_client(&r.client_id)?.ok_or_else(failed)?;
        // Signed with IAM credentials, the secret is not needed; otherwise it is the proof.
        if ctx.caller.is_none() || r.client_secret.is_some() {
            match &r.client_secret {
                None if !client.has_secret() => {}
                Some(given) if client.secret_matches(&given.0) => {}
                _ => return Err(failed()),
            }
        }
        let exchange = Exchange {
            subject: Presented {
                token: &r.subject_token.0,
                kind: r.subject_token_type,
                provider: r.subject_token_provider_name.as_deref(),
            },
            actor: match (&r.actor_token, r.actor_token_type) {
                (Some(token), Some(kind)) => Some(Presented { token: &token.0, kind, provider: r.actor_token_provider_name.as_deref() }),
                (Some(_), None) => return Err(Error::InvalidParameter("ActorTokenType is required with an ActorToken.".into())),
                (None, Some(_)) => return Err(Error::InvalidParameter("ActorTokenType is given without an ActorToken.".into())),
                (None, None) => None,
            },
            scopes: r.scopes.as_ref().map(|s| s.iter().map(String::as_str).collect()),
            audience: first(&r.audiences),
            resource: first(&r.resources),
            requested: r.requested_token_type.unwrap_or(Issued::AccessToken),
        };
        let derived = self.derive_token(&client, &exchange)?;
        Ok(w::GetDerivedTokenResponse {
            issued_token: Sensitive(derived.token),
            issued_token_type: derived.kind,
            token_type: match derived.kind {
                Issued::AccessToken => w::OAuthTokenTypeType::Bearer,
                Issued::IdToken => w::OAuthTokenTypeType::NA,
            },
            expires_in: Some(i32::try_from(derived.expires_in).unwrap_or(i32::MAX)),
            scopes: Some(derived.scopes),
        })
    }

    /// Exchanges a subject token (and an actor token, for delegation) for a new token issued
    /// to `client`, with the intersection of the requested scopes, the subject's and the
    /// client's, for one audience or resource server.
    pub fn derive_token(&self, client: &AppClient, x: &Exchange<'_>) -> std::result::Result<Derived, Refusal> {
        let (flow, mode) = match x.actor {
            Some(_) => (Flow::AllowTokenExchangeDelegation, "delegation"),
            None => (Flow::AllowTokenExchangeImpersonation, "impersonation"),
        };
        if !allows(client, flow, None) {
            return Err(Refusal::Client(Error::InvalidParameter(format!(
                "Token exchange by {mode} is not enabled for this client ({}).",
                flow.as_str()
            ))));
        }
        if x.audience.is_some() && x.resource.is_some() {
            return Err(Refusal::Request(Error::InvalidParameter("Give Audiences or Resources, not both.".into())));
        }
        let pool_id = client.pool_id.as_str();
        if let Some(resource) = x.resource
            && self.store.get_resource_server(pool_id, resource).map_err(|e| Refusal::Request(e.into()))?.is_none()
        {
            return Err(Refusal::Target(Error::InvalidParameter(format!(
                "{resource} is not the identifier of a resource server of this user pool."
            ))));
        }
        let subject = self.verify_presented(client, &x.subject, "SubjectToken")?;
        let actor = x.actor.as_ref().map(|a| self.verify_presented(client, a, "ActorToken")).transpose()?;
        let scopes = self.exchanged_scopes(client, &subject, x.scopes.as_deref())?;

        let now = self.clock.now_secs();
        let validity = validity(&client.config);
        let lifetime = match x.requested {
            Issued::AccessToken => validity.access,
            Issued::IdToken => validity.id,
        };
        let subject_exp = subject.claims.get("exp").and_then(Value::as_i64).unwrap_or(now);
        let exp = (now + lifetime).min(subject_exp);
        let aud = x.audience.or(x.resource);
        let origin_jti = subject.claims.get("origin_jti").and_then(Value::as_str);
        let auth_time = subject.claims.get("auth_time").and_then(Value::as_i64).unwrap_or(now);
        let event_id = self.random.uuid().map_err(Refusal::Request)?;
        let internal = |e: Error| Refusal::Request(e);

        let mut claims = match (&subject.user, origin_jti) {
            (Some(user), Some(origin_jti)) => {
                let groups = self.store.groups_of_user(pool_id, &user.sub).map_err(|e| internal(e.into()))?;
                let holder = Holder { pool_id, user, groups: &groups, origin_jti, auth_time, event_id: &event_id };
                match x.requested {
                    Issued::IdToken => self.id_claims(&holder, aud.unwrap_or(&client.client_id), exp, now).map_err(internal)?,
                    Issued::AccessToken => {
                        let mut c = self.access_claims(&holder, &client.client_id, &scopes.join(" "), exp, now).map_err(internal)?;
                        if let Some(aud) = aud {
                            c.insert("aud".into(), json!(aud));
                        }
                        c
                    }
                }
            }
            _ => {
                // A client's own token (client_credentials): there is no user to put in an ID token.
                if x.requested == Issued::IdToken {
                    return Err(Refusal::Token(Error::InvalidParameter(
                        "An ID token needs a user, and the subject token was issued to an app client for itself.".into(),
                    )));
                }
                let mut c = Map::new();
                c.insert("sub".into(), subject.claims.get("sub").cloned().unwrap_or(Value::Null));
                c.insert("iss".into(), json!(self.issuer(pool_id)));
                c.insert("client_id".into(), json!(client.client_id));
                c.insert("token_use".into(), json!("access"));
                c.insert("scope".into(), json!(scopes.join(" ")));
                c.insert("auth_time".into(), json!(auth_time));
                c.insert("exp".into(), json!(exp));
                c.insert("iat".into(), json!(now));
                c.insert("jti".into(), json!(self.random.uuid().map_err(internal)?));
                if let Some(aud) = aud {
                    c.insert("aud".into(), json!(aud));
                }
                c
            }
        };
        if let Some(actor) = &actor {
            claims.insert("act".into(), act_claim(&actor.claims, subject.claims.get("act")));
        }
        let token = self.signer(pool_id).and_then(|s| s.sign(&claims)).map_err(internal)?;
        Ok(Derived { token, kind: x.requested, expires_in: (exp - now).max(0), scopes })
    }

    /// Verifies a presented token as this pool's: signature, issuer, use, expiry, its session
    /// not revoked and its user still enabled; or, named by its provider, as that provider's.
    fn verify_presented(&self, client: &AppClient, p: &Presented<'_>, name: &str) -> std::result::Result<Verified, Refusal> {
        let pool_id = client.pool_id.as_str();
        if let Some(provider) = p.provider {
            return self.verify_provider_presented(client, provider, p, name);
        }
        let token_use = match p.kind {
            w::TokenTypeIdentifierType::AccessToken => "access",
            w::TokenTypeIdentifierType::IdToken => "id",
            w::TokenTypeIdentifierType::Saml2 => {
                return Err(Refusal::Request(Error::InvalidParameter(format!(
                    "A SAML2 {name} needs {name}ProviderName, the SAML provider that issued it."
                ))));
            }
        };
        let invalid = |why: &str| Refusal::Token(Error::NotAuthorized(format!("Invalid {name}: {why}")));
        let claims = self.verified_claims(pool_id, p.token, token_use).map_err(|e| invalid(&e.to_string()))?;
        let claims = std::sync::Arc::unwrap_or_clone(claims);
        let Some(origin) = claims.get("origin_jti").and_then(Value::as_str) else {
            return Ok(Verified { claims, user: None });
        };
        match self.store.get_session(origin).map_err(|e| Refusal::Request(e.into()))? {
            Some(s) if !s.revoked => {}
            _ => return Err(invalid("it has been revoked.")),
        }
        let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default();
        let user = match self.store.get_user_by_sub(pool_id, sub).map_err(|e| Refusal::Request(e.into()))? {
            Some(u) if u.enabled => u,
            Some(_) => return Err(invalid("the user is disabled.")),
            None => return Err(Refusal::Token(Error::UserNotFound("User does not exist.".into()))),
        };
        Ok(Verified { claims, user: Some(user) })
    }

    /// A token of one of the pool's providers: a SAML provider's assertion or an OpenID
    /// provider's ID token, checked against that provider's configuration as a sign-in through
    /// it is, and its user made or refreshed the same way. The exchange then holds a session of
    /// its own (no refresh token), so signing the user out ends what it issued; its scopes are
    /// those the client is allowed, an external token having none of this pool's.
    fn verify_provider_presented(
        &self,
        client: &AppClient,
        provider_name: &str,
        p: &Presented<'_>,
        name: &str,
    ) -> std::result::Result<Verified, Refusal> {
        use w::IdentityProviderTypeType as Kind;
        let pool_id = client.pool_id.as_str();
        let request = |e: Error| Refusal::Request(e);
        let provider = self.store.get_identity_provider(pool_id, provider_name).map_err(|e| request(e.into()))?.ok_or_else(|| {
            Refusal::Token(Error::ResourceNotFound(format!("The identity provider {provider_name} does not exist in this user pool.")))
        })?;
        let kind = provider.config.provider_type.unwrap_or(Kind::Oidc);
        let refused = |e: Error| match e {
            e if e.is_internal() => Refusal::Request(e),
            Error::NotAuthorized(why) => Refusal::Token(Error::NotAuthorized(format!("Invalid {name}: {why}"))),
            other => Refusal::Token(other),
        };
        let (sub, expires) = match (kind, p.kind) {
            (Kind::Saml, w::TokenTypeIdentifierType::Saml2) => {
                let (sub, until_ms) = self.saml_token_user(&provider, p.token).map_err(refused)?;
                (sub, until_ms.div_euclid(1000))
            }
            (k, w::TokenTypeIdentifierType::IdToken) if super::federation::is_openid(k) => {
                self.oidc_token_user(&provider, p.token).map_err(refused)?
            }
            (k, given) => {
                let takes = if k == Kind::Saml {
                    "SAML2 assertions"
                } else if super::federation::is_openid(k) {
                    "ID tokens"
                } else {
                    "nothing: it issues no token this server can check"
                };
                return Err(Refusal::Request(Error::InvalidParameter(format!(
                    "{name}Type {} cannot be checked against {provider_name}, a {} provider; it takes {takes}.",
                    given.as_str(),
                    k.as_str()
                ))));
            }
        };
        let user = match self.store.get_user_by_sub(pool_id, &sub).map_err(|e| request(e.into()))? {
            Some(u) if u.enabled => u,
            _ => return Err(Refusal::Token(Error::NotAuthorized(format!("Invalid {name}: the user is disabled.")))),
        };
        let now_ms = self.now();
        let now = now_ms.div_euclid(1000);
        let scope = client.config.allowed_oauth_scopes.clone().unwrap_or_default().join(" ");
        let session = crate::store::Session {
            origin_jti: self.random.uuid().map_err(request)?,
            pool_id: pool_id.to_owned(),
            client_id: client.client_id.clone(),
            sub: user.sub.clone(),
            // No refresh token is issued: this one is never handed out.
            refresh_hash: crate::tokens::sha256_hex(&self.random.token().map_err(request)?),
            previous_refresh_hash: None,
            rotated_ms: None,
            scope: Some(scope.clone()),
            auth_time: now,
            created_ms: now_ms,
            expires_ms: expires.max(now) * 1000,
            revoked: false,
        };
        self.store.insert_session(&session).map_err(|e| request(e.into()))?;
        let claims = Map::from_iter([
            ("sub".to_owned(), json!(user.sub)),
            ("origin_jti".to_owned(), json!(session.origin_jti)),
            ("exp".to_owned(), json!(expires)),
            ("auth_time".to_owned(), json!(now)),
            ("scope".to_owned(), json!(scope)),
        ]);
        Ok(Verified { claims, user: Some(user) })
    }

    /// The scopes of the issued token: those requested that the subject token has and the
    /// client is allowed (`aws.cognito.signin.user.admin` is every client's, as on its API
    /// sign-ins); the subject's own when none are requested. An ID token's scopes are those
    /// of its session's sign-in.
    fn exchanged_scopes(
        &self,
        client: &AppClient,
        subject: &Verified,
        requested: Option<&[&str]>,
    ) -> std::result::Result<Vec<String>, Refusal> {
        let held: Vec<String> = match subject.claims.get("scope").and_then(Value::as_str) {
            Some(scope) => scope.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            None => {
                let origin = subject.claims.get("origin_jti").and_then(Value::as_str).unwrap_or_default();
                let session = self.store.get_session(origin).map_err(|e| Refusal::Request(e.into()))?;
                let scope = session.and_then(|s| s.scope).unwrap_or_else(|| ADMIN_SCOPE.to_owned());
                scope.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect()
            }
        };
        let Some(requested) = requested.filter(|r| !r.is_empty()) else {
            return Ok(held);
        };
        let allowed = client.config.allowed_oauth_scopes.as_deref().unwrap_or_default();
        let granted: Vec<String> = requested
            .iter()
            .filter(|s| held.iter().any(|h| h == *s) && (**s == ADMIN_SCOPE || allowed.iter().any(|a| a == *s)))
            .map(|s| (*s).to_owned())
            .collect();
        if granted.is_empty() {
            return Err(Refusal::Scope(Error::InvalidParameter(
                "None of the requested scopes is both in the subject token and allowed to this client.".into(),
            )));
        }
        Ok(granted)
    }
}

/// The one value the model allows in `Audiences` and `Resources`.
fn first(list: &Option<Vec<String>>) -> Option<&str> {
    list.as_ref().and_then(|l| l.first()).map(String::as_str)
}

/// RFC 8693's `act` claim: who acts (the actor token's subject, and the client it was issued
/// to), nesting any earlier actor of the subject token, so a chain of delegations stays visible.
fn act_claim(actor: &Map<String, Value>, earlier: Option<&Value>) -> Value {
    let mut act = Map::new();
    if let Some(sub) = actor.get("sub") {
        act.insert("sub".into(), sub.clone());
    }
    if let Some(client) = actor.get("client_id").or_else(|| actor.get("aud")) {
        act.insert("client_id".into(), client.clone());
    }
    if let Some(earlier) = earlier {
        act.insert("act".into(), earlier.clone());
    }
    Value::Object(act)
}
