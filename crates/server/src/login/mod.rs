//! The managed login pages of a user pool domain: `/oauth2/authorize`, `/login`, the
//! challenge pages that follow a password (new password, MFA codes, MFA set-up) and `/logout`.
//! Plain HTML forms that work without JavaScript, rendered by `maud` (which escapes every
//! value), with a CSRF token on every form, a strict Content-Security-Policy and no framing.
//!
//! The authorization request's parameters travel in the pages' query string, as on Cognito's
//! pages, and are checked again on every step; what to grant and where to return is decided
//! in `pooldesk_core::user_pools::authorize`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use pooldesk_core::Context;
use pooldesk_core::store::Domain;
use pooldesk_core::user_pools::{self, Authorization, AuthorizeError, AuthorizeRequest, LoginStep, Logout, SamlSession};
use pooldesk_wire::cognito_idp::{AssetCategoryType as Category, ChallengeNameType as Ch};

use crate::AppState;
use crate::oauth::DomainRef;

mod account;
mod messages;
pub(crate) use account::{
    confirm_forgot_password, confirm_user, confirm_user_link, forgot_password_page, forgot_password_submit, resend_code, sign_up_page,
    sign_up_submit,
};
use messages::{Lang, Msg, fill};

/// The login pages' single sign-on cookie, and their CSRF cookie.
const SSO_COOKIE: &str = "pooldesk-session";
const CSRF_COOKIE: &str = "XSRF-TOKEN";
/// The language a managed login (version 2) domain's pages were last asked for (`lang`), as
/// Cognito remembers it in a cookie; a year, as it lasts until the browser clears it.
const LANG_COOKIE: &str = "pooldesk-lang";
const LANG_COOKIE_MAX_AGE: i64 = 365 * 24 * 3600;
const STYLESHEET: &str = include_str!("../../../../assets/login/login.css");

fn decode_query(query: Option<&str>) -> AuthorizeRequest {
    let mut r = AuthorizeRequest::default();
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let value = Some(value.into_owned());
        match &*name {
            "response_type" => r.response_type = value,
            "client_id" => r.client_id = value,
            "redirect_uri" => r.redirect_uri = value,
            "state" => r.state = value,
            "scope" => r.scope = value,
            "nonce" => r.nonce = value,
            "code_challenge" => r.code_challenge = value,
            "code_challenge_method" => r.code_challenge_method = value,
            "identity_provider" => r.identity_provider = value,
            "idp_identifier" => r.idp_identifier = value,
            "prompt" => r.prompt = value,
            "lang" => r.lang = value,
            _ => {}
        }
    }
    r
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A cookie for the domain's pages only (`Path` is their base), never readable by scripts,
/// and sent only over TLS when the server speaks it.
fn set_cookie(state: &AppState, resp: &mut Response, name: &str, value: &str, base: &str, same_site: &str, max_age: Option<i64>) {
    let path = if base.is_empty() { "/" } else { base };
    let age = max_age.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    let secure = if state.tls { "; Secure" } else { "" };
    if let Ok(v) = HeaderValue::from_str(&format!("{name}={value}; Path={path}; HttpOnly; SameSite={same_site}{age}{secure}")) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The branding a page carries, served beside the pages so the Content-Security-Policy's
/// `'self'` covers it: SetUICustomization's stylesheet and logo on a classic (version 1)
/// domain, the client's managed login style on a version 2 domain.
#[derive(Debug, Default, Clone)]
struct Brand {
    client_id: String,
    /// The stylesheet after the pages' own (`branding.css` or `managed-login.css`).
    stylesheet: Option<&'static str>,
    logo: Option<&'static str>,
    favicon: bool,
}

impl Brand {
    /// The client's branding on `domain`; `None` when the domain uses managed login (version
    /// 2) and the client has no style, which leaves its pages unavailable, as on Cognito.
    fn of(state: &AppState, domain: &Domain, client_id: &str) -> Option<Brand> {
        let client = client_id.to_owned();
        let failed = |e: pooldesk_core::Error| tracing::error!("reading a client's branding: {e:#}");
        if domain.config.managed_login_version == Some(2) {
            return match state.api.pools.managed_login_style(&domain.pool_id, client_id) {
                Ok(Some(style)) => Some(Brand {
                    client_id: client,
                    stylesheet: Some("managed-login.css"),
                    logo: user_pools::managed_login_shows_logo(&style).then_some("managed-login/logo"),
                    favicon: [Category::FaviconSvg, Category::FaviconIco].iter().any(|c| style.assets.iter().any(|a| a.category == *c)),
                }),
                Ok(None) => None,
                Err(e) => {
                    failed(e);
                    Some(Brand::default())
                }
            };
        }
        match state.api.pools.branding(&domain.pool_id, client_id) {
            Ok(Some(b)) => Some(Brand {
                client_id: client,
                stylesheet: b.css.is_some().then_some("branding.css"),
                logo: b.image.is_some().then_some("logo"),
                favicon: false,
            }),
            Ok(None) => Some(Brand::default()),
            Err(e) => {
                failed(e);
                Some(Brand::default())
            }
        }
    }
}

fn page(lang: Lang, brand: &Brand, title: &str, body: Markup) -> Markup {
    let client = form_urlencoded::byte_serialize(brand.client_id.as_bytes()).collect::<String>();
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="login.css";
                @if let Some(sheet) = brand.stylesheet { link rel="stylesheet" href={ (sheet) "?client_id=" (client) }; }
                @if brand.favicon { link rel="icon" href={ "managed-login/favicon?client_id=" (client) }; }
            }
            body.background-customizable {
                main {
                    @if let Some(logo) = brand.logo { div.banner-customizable { img.logo-customizable src={ (logo) "?client_id=" (client) } alt=(Msg::Logo.text(lang)); } }
                    (body)
                }
            }
        }
    }
}

/// A page with the headers every login page carries: nothing cached, nothing framed, no
/// script, styles and images from here only.
fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut resp = (status, markup.into_string()).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn error_page(lang: Lang, status: StatusCode, error: &str, description: &str) -> Response {
    html_response(
        status,
        page(
            lang,
            &Brand::default(),
            Msg::SomethingWentWrong.text(lang),
            html! {
                h1 { (Msg::SomethingWentWrong.text(lang)) }
                p.error.errorMessage-customizable role="alert" { (description) }
                p.hint.textDescription-customizable { (Msg::ErrorLabel.text(lang)) " " code { (error) } }
            },
        ),
    )
}

/// The page for an error that is the server's, not the request's.
fn internal_error(lang: Lang) -> Response {
    error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, "server_error", Msg::InternalError.text(lang))
}

fn redirect(location: &str) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn refused(lang: Lang, e: AuthorizeError) -> Response {
    match e {
        // The description is core's, in English.
        AuthorizeError::Page { error, description } => error_page(lang, StatusCode::BAD_REQUEST, error, &description),
        AuthorizeError::Redirect(to) => redirect(&to),
    }
}

/// What a page handler needs: the domain, where its pages live, and the checked request.
struct Flow {
    brand: Brand,
    domain: Domain,
    base: String,
    query: String,
    auth: Authorization,
    /// The language the pages speak (always English on a version 1 domain).
    lang: Lang,
}

impl Flow {
    /// `msg` in the pages' language.
    fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.lang)
    }
}

/// The language a `lang` query parameter names, if it is one of the pages' languages.
fn requested_lang(query: &str) -> Option<Lang> {
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::from_tag(&v))
}

/// The language of `domain`'s pages: English on a classic (version 1) domain; on a managed
/// login (version 2) one, the query's `lang`, else the one the cookie remembers, else English.
fn page_lang(domain: &Domain, query: &str, headers: &HeaderMap) -> Lang {
    if domain.config.managed_login_version != Some(2) {
        return Lang::En;
    }
    requested_lang(query).or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::from_tag)).unwrap_or_default()
}

/// Resolves the domain and checks the authorization request a page carries; the response
/// to send instead when either fails.
fn flow(state: &AppState, domain: &DomainRef, query: Option<String>, headers: &HeaderMap) -> Result<Flow, Box<Response>> {
    let found = domain.resolve(state).map_err(|e| {
        tracing::error!("login pages: {e:#}");
        internal_error(Lang::En)
    })?;
    let Some(found) = found else { return Err(Box::new(crate::ApiError::not_found("No such domain.").into_response())) };
    let query = query.unwrap_or_default();
    let lang = page_lang(&found, &query, headers);
    let auth = state.api.pools.authorize(&found, &decode_query(Some(&query))).map_err(|e| Box::new(refused(lang, e)))?;
    let Some(brand) = Brand::of(state, &found, &auth.client.client_id) else {
        return Err(Box::new(error_page(lang, StatusCode::NOT_FOUND, "login_pages_unavailable", Msg::LoginPagesUnavailable.text(lang))));
    };
    Ok(Flow { brand, domain: found, base: domain.base_path(), query, auth, lang })
}

/// A page's GET: the domain resolved and the authorization request checked, then `render`
/// off the async runtime; or the answer that ends the visit there. A `lang` the page is
/// asked for on a managed login (version 2) domain is remembered in a cookie, as Cognito does.
async fn visit(
    state: Arc<AppState>,
    domain: DomainRef,
    query: Option<String>,
    headers: HeaderMap,
    render: impl FnOnce(&AppState, Flow, &HeaderMap) -> Response + Send + 'static,
) -> Response {
    blocking(move || match flow(&state, &domain, query, &headers) {
        Ok(f) => {
            let chosen = if f.domain.config.managed_login_version == Some(2) { requested_lang(&f.query) } else { None };
            let base = f.base.clone();
            let mut resp = render(&state, f, &headers);
            if let Some(lang) = chosen {
                set_cookie(&state, &mut resp, LANG_COOKIE, lang.tag(), &base, "Lax", Some(LANG_COOKIE_MAX_AGE));
            }
            resp
        }
        Err(resp) => *resp,
    })
    .await
}

async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(f).await {
        Ok(resp) => resp,
        Err(join) => {
            tracing::error!("a login page panicked: {join}");
            internal_error(Lang::En)
        }
    }
}

/// `GET /branding.css?client_id=`: the stylesheet SetUICustomization stored for the client
/// (or its pool); empty when there is none.
pub(crate) async fn branding_css(State(state): State<Arc<AppState>>, domain: DomainRef, RawQuery(query): RawQuery) -> Response {
    blocking(move || match branding_of(&state, &domain, query) {
        Ok(b) => {
            let mut resp = b.and_then(|b| b.css).unwrap_or_default().into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            resp
        }
        Err(resp) => *resp,
    })
    .await
}

/// `GET /logo?client_id=`: the logo SetUICustomization stored for the client (or its pool).
pub(crate) async fn logo(State(state): State<Arc<AppState>>, domain: DomainRef, RawQuery(query): RawQuery) -> Response {
    blocking(move || match branding_of(&state, &domain, query) {
        Ok(Some(b)) if b.image.is_some() => {
            let image = b.image.unwrap_or_default();
            let kind = pooldesk_core::user_pools::image_type(&image).unwrap_or("application/octet-stream");
            let mut resp = image.into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            resp
        }
        Ok(_) => crate::ApiError::not_found("No logo.").into_response(),
        Err(resp) => *resp,
    })
    .await
}

/// `GET /managed-login.css?client_id=`: the client's managed login style as the custom
/// properties the pages' stylesheet reads; empty when it has none.
pub(crate) async fn managed_login_css(State(state): State<Arc<AppState>>, domain: DomainRef, RawQuery(query): RawQuery) -> Response {
    blocking(move || match style_of(&state, &domain, query) {
        Ok(style) => {
            let mut resp = style.map(|s| user_pools::managed_login_stylesheet(&s)).unwrap_or_default().into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            resp
        }
        Err(resp) => *resp,
    })
    .await
}

/// `GET /managed-login/logo?client_id=` and `/managed-login/favicon?client_id=`: the style's
/// form logo and favicon. An SVG is sandboxed, so opened on its own it runs nothing here.
pub(crate) async fn managed_login_logo(state: State<Arc<AppState>>, domain: DomainRef, query: RawQuery) -> Response {
    managed_login_asset(state, domain, query, &[Category::FormLogo]).await
}

pub(crate) async fn managed_login_favicon(state: State<Arc<AppState>>, domain: DomainRef, query: RawQuery) -> Response {
    managed_login_asset(state, domain, query, &[Category::FaviconSvg, Category::FaviconIco]).await
}

async fn managed_login_asset(
    State(state): State<Arc<AppState>>,
    domain: DomainRef,
    RawQuery(query): RawQuery,
    categories: &'static [Category],
) -> Response {
    blocking(move || match style_of(&state, &domain, query) {
        Ok(Some(style)) => match categories.iter().find_map(|c| user_pools::managed_login_asset(&style, *c)) {
            Some((bytes, media_type)) => {
                let mut resp = bytes.into_response();
                let h = resp.headers_mut();
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
                h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                h.insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
                );
                resp
            }
            None => crate::ApiError::not_found("No such image.").into_response(),
        },
        Ok(None) => crate::ApiError::not_found("No such image.").into_response(),
        Err(resp) => *resp,
    })
    .await
}

fn style_of(
    state: &AppState,
    domain: &DomainRef,
    query: Option<String>,
) -> Result<Option<pooldesk_core::store::ManagedLoginBranding>, Box<Response>> {
    let internal = |e: pooldesk_core::Error| {
        tracing::error!("managed login style: {e:#}");
        Box::new(internal_error(Lang::En))
    };
    let Some(found) = domain.resolve(state).map_err(internal)? else {
        return Err(Box::new(crate::ApiError::not_found("No such domain.").into_response()));
    };
    let client = form_urlencoded::parse(query.unwrap_or_default().as_bytes()).find(|(k, _)| k == "client_id").map(|(_, v)| v.into_owned());
    match client {
        Some(client) => state.api.pools.managed_login_style(&found.pool_id, &client).map_err(internal),
        None => Ok(None),
    }
}

fn branding_of(
    state: &AppState,
    domain: &DomainRef,
    query: Option<String>,
) -> Result<Option<pooldesk_core::store::UiCustomization>, Box<Response>> {
    let internal = |e: pooldesk_core::Error| {
        tracing::error!("branding: {e:#}");
        Box::new(internal_error(Lang::En))
    };
    let Some(found) = domain.resolve(state).map_err(internal)? else {
        return Err(Box::new(crate::ApiError::not_found("No such domain.").into_response()));
    };
    let client = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "client_id")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| "ALL".to_owned());
    state.api.pools.branding(&found.pool_id, &client).map_err(internal)
}

pub(crate) async fn stylesheet() -> Response {
    let mut resp = STYLESHEET.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    resp
}

/// `GET /oauth2/authorize`: straight back to the client when a single sign-on session covers
/// it (unless `prompt=login`), `login_required` for `prompt=none` without one, else the form.
pub(crate) async fn authorize(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    domain: DomainRef,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    visit(state, domain, query, headers, move |state, f, headers| {
        if f.auth.provider.is_some() {
            // A named identity provider: straight there, as Cognito does.
            return match state.api.pools.federation_start(&f.domain, &f.auth, &f.query) {
                Ok(to) => redirect(&to),
                Err(e) if e.is_internal() => {
                    tracing::error!("starting a federated sign-in: {e:#}");
                    internal_error(f.lang)
                }
                Err(e) => error_page(f.lang, StatusCode::BAD_REQUEST, "invalid_request", &e.client_message()),
            };
        }
        let forced = matches!(f.auth.prompt.as_deref(), Some("login" | "select_account" | "consent"));
        if !forced && let Some(cookie) = cookie(headers, SSO_COOKIE) {
            match state.api.pools.sso_user(&f.domain.pool_id, cookie) {
                Ok(Some(sub)) => return signed_in(state, &f, &sub, &peer, Sso::Covered),
                Ok(None) => {}
                Err(e) => tracing::error!("reading a single sign-on session: {e:#}"),
            }
        }
        if f.auth.prompt.as_deref() == Some("none") {
            return redirect(&state.api.pools.login_required(&f.auth));
        }
        redirect(&format!("{}/login?{}", f.base, f.query))
    })
    .await
}

/// `GET /oauth2/idpresponse`: an identity provider sends the browser back with a code (or an
/// error) and the state it was given; the user it vouches for is signed in to the client's
/// authorization request.
pub(crate) async fn idp_response(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    domain: DomainRef,
    RawQuery(query): RawQuery,
    method: axum::http::Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    blocking(move || {
        // GET with the answer in the query; POST with it in a form (Sign in with Apple's form_post).
        let params: BTreeMap<String, String> = if method == axum::http::Method::POST {
            decode_form(&body)
        } else {
            form_urlencoded::parse(query.unwrap_or_default().as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
        };
        let found = match resolved(&state, &domain, "identity provider response") {
            Ok(d) => d,
            Err(resp) => return *resp,
        };
        // The answer carries no `lang`: the one the cookie remembers.
        let lang = page_lang(&found, "", &headers);
        let Some(sent_state) = params.get("state") else {
            return error_page(lang, StatusCode::BAD_REQUEST, "invalid_request", Msg::IdpAnswerHasNoState.text(lang));
        };
        let finished = state.api.pools.federation_finish(
            &found,
            sent_state,
            params.get("code").map(String::as_str),
            params.get("error").map(String::as_str),
            params.get("user").map(String::as_str),
        );
        let finished = finished.map(|(query, sub)| (query, sub, None));
        provider_answered(&state, &domain, &headers, &peer, lang, finished)
    })
    .await
}

/// `POST /saml2/idpresponse`: a SAML identity provider posts its response (HTTP-POST binding)
/// with the RelayState it was sent, or, begun at the provider (`IDPInit`), one naming the
/// authorization request.
pub(crate) async fn saml_response(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    domain: DomainRef,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    blocking(move || {
        let params = decode_form(&body);
        let found = match resolved(&state, &domain, "SAML response") {
            Ok(d) => d,
            Err(resp) => return *resp,
        };
        let lang = page_lang(&found, "", &headers);
        let Some(response) = params.get("SAMLResponse") else {
            return error_page(lang, StatusCode::BAD_REQUEST, "invalid_request", Msg::SamlAnswerHasNoResponse.text(lang));
        };
        let finished = state.api.pools.saml_finish(&found, response, params.get("RelayState").map(String::as_str));
        provider_answered(&state, &domain, &headers, &peer, lang, finished.map(|(query, sub, session)| (query, sub, Some(session))))
    })
    .await
}

/// `POST /saml2/logout`: a SAML provider's LogoutResponse to the sign-out `/logout` sent it
/// to; the browser goes on where `/logout` was asked to send it.
pub(crate) async fn saml_logout(State(state): State<Arc<AppState>>, domain: DomainRef, headers: HeaderMap, body: Bytes) -> Response {
    blocking(move || {
        let params = decode_form(&body);
        let found = match resolved(&state, &domain, "SAML logout") {
            Ok(d) => d,
            Err(resp) => return *resp,
        };
        let lang = page_lang(&found, "", &headers);
        let (Some(response), Some(relay_state)) = (params.get("SAMLResponse"), params.get("RelayState")) else {
            return error_page(lang, StatusCode::BAD_REQUEST, "invalid_request", Msg::SamlLogoutNotAnswer.text(lang));
        };
        match state.api.pools.saml_logout_finish(&found, response, relay_state) {
            Ok(then) => redirect(&then),
            Err(e) if e.is_internal() => {
                tracing::error!("SAML logout: {e:#}");
                internal_error(lang)
            }
            Err(e) => error_page(lang, StatusCode::BAD_REQUEST, "invalid_request", &e.client_message()),
        }
    })
    .await
}

/// The domain a page was asked at: a 404 when there is none, the error page when it cannot be
/// read (`what` names the page in the log).
fn resolved(state: &AppState, domain: &DomainRef, what: &str) -> Result<Domain, Box<Response>> {
    match domain.resolve(state) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(Box::new(crate::ApiError::not_found("No such domain.").into_response())),
        Err(e) => {
            tracing::error!("{what}: {e:#}");
            Err(Box::new(internal_error(Lang::En)))
        }
    }
}

/// An identity provider's answer, taken: the authorization request it finishes, for the user
/// it signed in (with the SAML session, for single logout), or the page saying why not.
fn provider_answered(
    state: &AppState,
    domain: &DomainRef,
    headers: &HeaderMap,
    peer: &SocketAddr,
    lang: Lang,
    finished: pooldesk_core::Result<(String, String, Option<SamlSession>)>,
) -> Response {
    match finished {
        Ok((authorize_query, sub, saml)) => match flow(state, domain, Some(authorize_query), headers) {
            Ok(f) => signed_in(state, &f, &sub, peer, Sso::Start(saml.as_ref())),
            Err(resp) => *resp,
        },
        Err(e) if e.is_internal() => {
            tracing::error!("identity provider response: {e:#}");
            internal_error(lang)
        }
        Err(e) => {
            tracing::info!("federated sign-in refused: {}", e.client_message());
            error_page(lang, StatusCode::BAD_REQUEST, "access_denied", &e.client_message())
        }
    }
}

/// What a sign-in does to the single sign-on session.
enum Sso<'a> {
    /// A session already covered it.
    Covered,
    /// A sign-in at the form or a provider starts one (remembering the SAML provider's
    /// session, for single logout).
    Start(Option<&'a SamlSession>),
}

/// The user is known: start (or keep) the SSO session and send the browser back to the
/// client with its code or tokens.
fn signed_in(state: &AppState, f: &Flow, sub: &str, peer: &SocketAddr, sso: Sso) -> Response {
    let source = peer.ip().to_string();
    let outcome = state.api.complete_sign_in(&f.auth, sub, &source);
    let to = match outcome {
        Ok(to) => to,
        Err(e) => {
            tracing::error!("completing a sign-in: {e:#}");
            return internal_error(f.lang);
        }
    };
    let mut resp = redirect(&to);
    if let Sso::Start(saml) = sso {
        match state.api.pools.start_sso(&f.domain.pool_id, sub, saml) {
            Ok(cookie) => set_cookie(state, &mut resp, SSO_COOKIE, &cookie, &f.base, "Lax", Some(3600)),
            Err(e) => tracing::error!("starting a single sign-on session: {e:#}"),
        }
    }
    resp
}

/// What the sign-in form asks for, by how the pool names its users.
fn username_label(state: &AppState, pool_id: &str, lang: Lang) -> &'static str {
    let attrs = state.api.store.get_pool(pool_id).ok().flatten().and_then(|p| p.config.username_attributes.clone()).unwrap_or_default();
    let email = attrs.iter().any(|a| a.as_str() == "email");
    let phone = attrs.iter().any(|a| a.as_str() == "phone_number");
    let label = match (email, phone) {
        (true, true) => Msg::EmailOrPhone,
        (true, false) => Msg::Email,
        (false, true) => Msg::PhoneNumber,
        (false, false) => Msg::Username,
    };
    label.text(lang)
}

fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="_csrf" value=(token); }
}

/// A page of `f` with a fresh CSRF token, or the one the browser already holds.
fn with_csrf(headers: &HeaderMap, state: &AppState, f: &Flow, render: impl FnOnce(&str) -> Response) -> Response {
    let existing = cookie(headers, CSRF_COOKIE).filter(|t| t.len() >= 32).map(str::to_owned);
    let token = match existing.clone() {
        Some(t) => t,
        None => match state.api.pools.new_csrf_token() {
            Ok(t) => t,
            Err(e) => {
                tracing::error!("drawing a CSRF token: {e:#}");
                return internal_error(f.lang);
            }
        },
    };
    let mut resp = render(&token);
    if existing.is_none() {
        set_cookie(state, &mut resp, CSRF_COOKIE, &token, &f.base, "Strict", None);
    }
    resp
}

/// The form's CSRF token must be the cookie's (double submit), compared in constant time.
fn csrf_ok(headers: &HeaderMap, form: &BTreeMap<String, String>) -> bool {
    match (cookie(headers, CSRF_COOKIE), form.get("_csrf")) {
        (Some(c), Some(f)) => c.len() >= 32 && aws_lc_rs::constant_time::verify_slices_are_equal(c.as_bytes(), f.as_bytes()).is_ok(),
        _ => false,
    }
}

/// What the sign-in page shows besides its form.
#[derive(Default)]
struct SignInView<'a> {
    error: Option<&'a str>,
    notice: Option<&'a str>,
    username: &'a str,
    /// Passwordless first factors offered beside the password (`EMAIL_OTP`, `SMS_OTP`).
    code_factors: Vec<&'static str>,
    /// Whether the pool's own users sign in here (the client supports `COGNITO`).
    with_password: bool,
    /// The client's external identity providers, a button each.
    providers: Vec<String>,
    /// A work e-mail address routes to a provider by its identifiers.
    email_routing: bool,
}

fn login_form(lang: Lang, brand: &Brand, label: &str, query: &str, csrf: &str, view: &SignInView<'_>, self_sign_up: bool) -> Markup {
    let t = |msg: Msg| msg.text(lang);
    page(
        lang,
        brand,
        t(Msg::SignIn),
        html! {
            h1 { (t(Msg::SignIn)) }
            @if let Some(e) = view.error { p.error.errorMessage-customizable role="alert" { (e) } }
            @if let Some(n) = view.notice { p.notice role="status" { (n) } }
            @if !view.providers.is_empty() {
                div.idp-buttons {
                    @for name in &view.providers {
                        a.idpButton-customizable href={ "oauth2/authorize?" (query) "&identity_provider=" (form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()) } {
                            (fill(t(Msg::SignInWith), name))
                        }
                    }
                }
                @if view.email_routing {
                    form method="post" action={ "login?" (query) } {
                        (csrf_field(csrf))
                        input type="hidden" name="method" value="IDP";
                        label.label-customizable for="work_email" { (t(Msg::WorkEmailAddress)) }
                        input.inputField-customizable #work_email type="email" name="work_email" autocomplete="email" required;
                        button.submitButton-customizable type="submit" { (t(Msg::ContinueWithWorkEmail)) }
                    }
                }
                @if view.with_password { p.idpDescription-customizable.or { (t(Msg::Or)) } }
            }
            @if view.with_password {
            form method="post" action={ "login?" (query) } {
                (csrf_field(csrf))
                label.label-customizable for="username" { (label) }
                input.inputField-customizable #username type="text" name="username" value=(view.username) autocomplete="username" autocapitalize="none" required autofocus;
                label.label-customizable for="password" { (t(Msg::Password)) }
                input.inputField-customizable #password type="password" name="password" autocomplete="current-password" required;
                button.submitButton-customizable type="submit" { (t(Msg::SignIn)) }
                @for factor in &view.code_factors {
                    // No password needed for these: the form's checks are skipped.
                    button.secondary.submitButton-customizable type="submit" name="method" value=(factor) formnovalidate {
                        @if *factor == "EMAIL_OTP" { (t(Msg::EmailMeCode)) } @else { (t(Msg::TextMeCode)) }
                    }
                }
            }
            p.links.redirect-customizable {
                a href={ "forgotPassword?" (query) } { (t(Msg::ForgotYourPassword)) }
                @if self_sign_up { " · " a href={ "signup?" (query) } { (t(Msg::SignUp)) } }
            }
            }
        },
    )
}

/// Whether the pool lets people sign themselves up (AllowAdminCreateUserOnly off).
fn self_sign_up(state: &AppState, pool_id: &str) -> bool {
    state
        .api
        .store
        .get_pool(pool_id)
        .ok()
        .flatten()
        .is_some_and(|p| !p.config.admin_create_user_config.as_ref().and_then(|c| c.allow_admin_create_user_only).unwrap_or(false))
}

/// The sign-in page of `f`'s pool.
fn sign_in_page(state: &AppState, f: &Flow, csrf: &str, mut view: SignInView<'_>) -> Response {
    let label = username_label(state, &f.domain.pool_id, f.lang);
    view.code_factors = state.api.pools.login_code_factors(&f.auth.client).unwrap_or_default();
    (view.with_password, view.providers) = user_pools::login_providers(&f.auth.client);
    view.email_routing = state.api.pools.routes_by_email(&f.auth.client).unwrap_or(false);
    html_response(StatusCode::OK, login_form(f.lang, &f.brand, label, &f.query, csrf, &view, self_sign_up(state, &f.domain.pool_id)))
}

/// `GET /login`: the sign-in form.
pub(crate) async fn login_page(
    State(state): State<Arc<AppState>>,
    domain: DomainRef,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    visit(state, domain, query, headers, move |state, f, headers| {
        with_csrf(headers, state, &f, |csrf| sign_in_page(state, &f, csrf, SignInView::default()))
    })
    .await
}

fn decode_form(body: &[u8]) -> BTreeMap<String, String> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A form posted to one of a domain's pages, as it arrived.
pub(crate) struct Submission {
    state: Arc<AppState>,
    peer: SocketAddr,
    domain: DomainRef,
    query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
}

impl axum::extract::FromRequest<Arc<AppState>> for Submission {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &Arc<AppState>) -> Result<Self, Response> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>().copied() else {
            return Err(internal_error(Lang::En));
        };
        let Ok(domain) = DomainRef::from_request_parts(&mut parts, state).await;
        let (query, headers) = (parts.uri.query().map(str::to_owned), parts.headers.clone());
        let body =
            Bytes::from_request(axum::extract::Request::from_parts(parts, body), state).await.map_err(IntoResponse::into_response)?;
        Ok(Submission { state: state.clone(), peer, domain, query, headers, body })
    }
}

/// What a page's POST handler works with once the authorization request, the form's CSRF
/// token and the rate limit were checked.
struct Posted<'a> {
    state: &'a AppState,
    f: Flow,
    form: BTreeMap<String, String>,
    ctx: Context,
    peer: SocketAddr,
    csrf: String,
}

impl Submission {
    /// Checks what every form needs (the flow, the CSRF token, `operation`'s rate limit), then
    /// runs `handler` off the async runtime.
    async fn handle(self, operation: &'static str, handler: impl FnOnce(Posted<'_>) -> Response + Send + 'static) -> Response {
        blocking(move || {
            let f = match flow(&self.state, &self.domain, self.query, &self.headers) {
                Ok(f) => f,
                Err(resp) => return *resp,
            };
            let form = decode_form(&self.body);
            if !csrf_ok(&self.headers, &form) {
                return forbidden_csrf(f.lang);
            }
            if !self.state.limiter.admit(operation, self.peer.ip(), Some(&f.auth.client.client_id)) {
                return error_page(f.lang, StatusCode::TOO_MANY_REQUESTS, "slow_down", f.t(Msg::TooManyAttempts));
            }
            let csrf = form.get("_csrf").cloned().unwrap_or_default();
            let ctx = Context { caller: None, source_ip: Some(self.peer.ip().to_string()) };
            handler(Posted { state: &self.state, f, form, ctx, peer: self.peer, csrf })
        })
        .await
    }
}

fn forbidden_csrf(lang: Lang) -> Response {
    error_page(lang, StatusCode::FORBIDDEN, "invalid_request", Msg::FormExpired.text(lang))
}

/// `POST /login`: the username and password.
pub(crate) async fn login_submit(submission: Submission) -> Response {
    submission
        .handle("InitiateAuth", |Posted { state, f, form, ctx, peer, csrf }| {
            let username = form.get("username").map(String::as_str).unwrap_or("").trim();
            let password = form.get("password").map(String::as_str).unwrap_or("");
            let pools = &state.api.pools;
            let attempt = match form.get("method").map(String::as_str) {
                Some("IDP") => return route_by_email(state, &f, &csrf, form.get("work_email").map_or("", String::as_str)),
                None | Some("PASSWORD") => pools.login_with_password(&ctx, &f.auth.client, username, password),
                Some(factor) if pools.login_code_factors(&f.auth.client).unwrap_or_default().contains(&factor) => {
                    pools.login_with_code(&ctx, &f.auth.client, username, factor)
                }
                Some(_) => return error_page(f.lang, StatusCode::BAD_REQUEST, "invalid_request", f.t(Msg::SignInMethodNotOffered)),
            };
            match attempt {
                Ok(step) => next_step(state, &f, &peer, &csrf, step),
                Err(e) if e.is_internal() => {
                    tracing::error!("sign-in at a login page: {e:#}");
                    internal_error(f.lang)
                }
                Err(e) => {
                    state.api.record_sign_in_failure(&f.auth, e.wire_code(), &peer.ip().to_string());
                    if matches!(e, pooldesk_core::Error::UserNotConfirmed(_)) {
                        // As Cognito's pages do: a new code, and the page to enter it.
                        return account::confirm_unconfirmed(state, &f, &ctx, &csrf, username);
                    }
                    sign_in_page(state, &f, &csrf, SignInView { error: Some(&e.client_message()), username, ..Default::default() })
                }
            }
        })
        .await
}

/// The "work e-mail" form: on to the provider whose identifiers name the address's domain.
fn route_by_email(state: &AppState, f: &Flow, csrf: &str, email: &str) -> Response {
    let pools = &state.api.pools;
    let found = match pools.provider_for_email(&f.auth.client, email) {
        Ok(found) => found,
        Err(e) => {
            tracing::error!("routing a work e-mail address: {e:#}");
            return internal_error(f.lang);
        }
    };
    let Some(provider) = found else {
        let view = SignInView { error: Some(f.t(Msg::NoProviderForEmailDomain)), ..Default::default() };
        return sign_in_page(state, f, csrf, view);
    };
    let auth = pooldesk_core::user_pools::Authorization { provider: Some(provider), ..f.auth.clone() };
    match pools.federation_start(&f.domain, &auth, &f.query) {
        Ok(to) => redirect(&to),
        Err(e) if e.is_internal() => {
            tracing::error!("starting a federated sign-in: {e:#}");
            internal_error(f.lang)
        }
        Err(e) => error_page(f.lang, StatusCode::BAD_REQUEST, "invalid_request", &e.client_message()),
    }
}

fn next_step(state: &AppState, f: &Flow, peer: &SocketAddr, csrf: &str, step: LoginStep) -> Response {
    match step {
        LoginStep::SignedIn { sub } => signed_in(state, f, &sub, peer, Sso::Start(None)),
        LoginStep::Challenge { name, session, parameters } => {
            if name == Ch::MfaSetup {
                // Set up an authenticator app right away: its secret is shown with the form.
                return match state.api.pools.login_setup_totp(&session) {
                    Ok((secret, session)) => {
                        html_response(StatusCode::OK, challenge_form(f, csrf, name, &session, &parameters, Some(&secret), None))
                    }
                    Err(e) => html_response(StatusCode::OK, restart(f, &e.client_message())),
                };
            }
            html_response(StatusCode::OK, challenge_form(f, csrf, name, &session, &parameters, None, None))
        }
    }
}

fn restart(f: &Flow, message: &str) -> Markup {
    page(
        f.lang,
        &f.brand,
        f.t(Msg::SignIn),
        html! {
            h1 { (f.t(Msg::SignIn)) }
            p.error.errorMessage-customizable role="alert" { (message) }
            p { a href={ "login?" (f.query) } { (f.t(Msg::SignInAgain)) } }
        },
    )
}

/// The page for a challenge: its title, what it explains, and the one field it asks for.
fn challenge_form(
    f: &Flow,
    csrf: &str,
    name: Ch,
    session: &str,
    parameters: &BTreeMap<String, String>,
    totp_secret: Option<&str>,
    error: Option<&str>,
) -> Markup {
    let t = |msg: Msg| f.t(msg);
    let sent = match parameters.get("CODE_DELIVERY_DESTINATION") {
        Some(destination) => fill(t(Msg::CodeSentToContinue), destination),
        None => t(Msg::CodeSentToYouContinue).to_owned(),
    };
    let (title, hint, field, label, kind, autocomplete): (&str, String, &str, &str, &str, &str) = match name {
        Ch::NewPasswordRequired => (
            t(Msg::ChangeYourPassword),
            t(Msg::TemporaryPasswordHint).into(),
            "new_password",
            t(Msg::NewPassword),
            "password",
            "new-password",
        ),
        Ch::SoftwareTokenMfa => {
            (t(Msg::EnterYourCode), t(Msg::AuthenticatorCodeHint).into(), "code", t(Msg::Code), "text", "one-time-code")
        }
        Ch::MfaSetup => (t(Msg::SetUpAuthenticator), t(Msg::SetUpAuthenticatorHint).into(), "code", t(Msg::Code), "text", "one-time-code"),
        Ch::SelectMfaType => (t(Msg::ChooseHowToVerify), t(Msg::HowToReceiveCode).into(), "answer", t(Msg::Method), "text", "off"),
        _ => (t(Msg::EnterYourCode), sent, "code", t(Msg::Code), "text", "one-time-code"),
    };
    let options: Vec<String> =
        parameters.get("MFAS_CAN_CHOOSE").and_then(|v| serde_json::from_str::<Vec<String>>(v).ok()).unwrap_or_default();
    page(
        f.lang,
        &f.brand,
        title,
        html! {
            h1 { (title) }
            @if let Some(e) = error { p.error.errorMessage-customizable role="alert" { (e) } }
            p.hint.textDescription-customizable { (hint) }
            @if let Some(secret) = totp_secret { p.secret { (t(Msg::Key)) " " code #totp-secret { (secret) } } }
            form method="post" action={ "challenge?" (f.query) } {
                (csrf_field(csrf))
                input type="hidden" name="session" value=(session);
                input type="hidden" name="challenge" value=(name.as_str());
                @if name == Ch::SelectMfaType && !options.is_empty() {
                    fieldset {
                        legend { (label) }
                        @for (i, option) in options.iter().enumerate() {
                            div {
                                input type="radio" id={ "answer-" (i) } name="answer" value=(option) required checked[i == 0];
                                label.label-customizable for={ "answer-" (i) } { (mfa_label(f.lang, option)) }
                            }
                        }
                    }
                } @else {
                    label.label-customizable for=(field) { (label) }
                    input.inputField-customizable id=(field) type=(kind) name=(field) autocomplete=(autocomplete) inputmode=[(kind == "text").then_some("numeric")] required autofocus;
                }
                button.submitButton-customizable type="submit" { @if name == Ch::NewPasswordRequired { (t(Msg::Continue)) } @else if name == Ch::SelectMfaType { (t(Msg::SendCode)) } @else { (t(Msg::Verify)) } }
            }
        },
    )
}

fn mfa_label(lang: Lang, option: &str) -> &str {
    match option {
        "SOFTWARE_TOKEN_MFA" => Msg::AuthenticatorApp.text(lang),
        "SMS_MFA" => Msg::TextMessageSms.text(lang),
        "EMAIL_OTP" => Msg::Email.text(lang),
        other => other,
    }
}

/// `POST /challenge`: the answer to the challenge the previous page showed.
pub(crate) async fn challenge_submit(submission: Submission) -> Response {
    submission
        .handle("RespondToAuthChallenge", |Posted { state, f, form, ctx, peer, csrf }| {
            let session = form.get("session").cloned().unwrap_or_default();
            let Some(name) = form.get("challenge").and_then(|c| Ch::parse(c)) else {
                return error_page(f.lang, StatusCode::BAD_REQUEST, "invalid_request", f.t(Msg::NoChallengeNamed));
            };
            let field = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
            let pools = &state.api.pools;
            let answered = match name {
                Ch::MfaSetup => pools
                    .login_verify_totp(&session, &field("code"))
                    .and_then(|session| pools.login_respond(&ctx, &f.auth.client, name, &session, BTreeMap::new())),
                _ => {
                    let responses = match name {
                        Ch::NewPasswordRequired => {
                            BTreeMap::from([("NEW_PASSWORD".to_owned(), form.get("new_password").cloned().unwrap_or_default())])
                        }
                        Ch::SoftwareTokenMfa => BTreeMap::from([("SOFTWARE_TOKEN_MFA_CODE".to_owned(), field("code"))]),
                        Ch::SmsMfa => BTreeMap::from([("SMS_MFA_CODE".to_owned(), field("code"))]),
                        Ch::EmailOtp => BTreeMap::from([("EMAIL_OTP_CODE".to_owned(), field("code"))]),
                        Ch::SmsOtp => BTreeMap::from([("SMS_OTP_CODE".to_owned(), field("code"))]),
                        Ch::SelectMfaType => BTreeMap::from([("ANSWER".to_owned(), field("answer"))]),
                        _ => {
                            return error_page(f.lang, StatusCode::BAD_REQUEST, "invalid_request", f.t(Msg::ChallengeNotAnswered));
                        }
                    };
                    pools.login_respond(&ctx, &f.auth.client, name, &session, responses)
                }
            };
            match answered {
                Ok(step) => next_step(state, &f, &peer, &csrf, step),
                Err(e) if e.is_internal() => {
                    tracing::error!("a login page's challenge: {e:#}");
                    internal_error(f.lang)
                }
                Err(e) => {
                    state.api.record_sign_in_failure(&f.auth, e.wire_code(), &peer.ip().to_string());
                    // A wrong code leaves the step waiting for another try; anything else used it up:
                    // the sign-in page again, with why.
                    let retry = matches!(e, pooldesk_core::Error::CodeMismatch(_) | pooldesk_core::Error::EnableSoftwareTokenMfa(_))
                        || (name == Ch::NewPasswordRequired
                            && matches!(e, pooldesk_core::Error::InvalidPassword(_) | pooldesk_core::Error::InvalidParameter(_)));
                    if !retry {
                        return html_response(StatusCode::OK, restart(&f, &e.client_message()));
                    }
                    // Setting up an authenticator, the key is shown again with the form.
                    let secret = (name == Ch::MfaSetup).then(|| pools.login_setup_secret(&session)).flatten();
                    html_response(
                        StatusCode::OK,
                        challenge_form(&f, &csrf, name, &session, &BTreeMap::new(), secret.as_deref(), Some(&e.client_message())),
                    )
                }
            }
        })
        .await
}

/// `GET /logout`: ends the single sign-on session, then to a registered sign-out URL
/// (`logout_uri`) or, with `redirect_uri` and `response_type`, to the sign-in form again.
pub(crate) async fn logout(
    State(state): State<Arc<AppState>>,
    domain: DomainRef,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    blocking(move || {
        let found = match resolved(&state, &domain, "logout") {
            Ok(d) => d,
            Err(resp) => return *resp,
        };
        let query = query.unwrap_or_default();
        let lang = page_lang(&found, &query, &headers);
        let logout_uri = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "logout_uri").map(|(_, v)| v.into_owned());
        let to = match state.api.pools.logout(&found, &decode_query(Some(&query)), logout_uri.as_deref()) {
            Ok(to) => to,
            Err(e) => return refused(lang, e),
        };
        let saml = match cookie(&headers, SSO_COOKIE).map(|c| state.api.pools.end_sso(c)) {
            Some(Ok(saml)) => saml,
            Some(Err(e)) => {
                tracing::error!("ending a single sign-on session: {e:#}");
                None
            }
            None => None,
        };
        let base = domain.base_path();
        let then = match to {
            Logout::To(uri) => uri,
            Logout::SignInAgain => {
                let kept: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                    .filter(|(k, _)| k != "logout_uri")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let again = form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
                format!("{base}/login?{again}")
            }
        };
        // A session a SAML provider with IDPSignout began is ended there too, then `then`.
        let at_provider = saml.and_then(|session| match state.api.pools.saml_logout_start(&found, &session, &then) {
            Ok(to) => to,
            Err(e) => {
                tracing::error!("starting a SAML sign-out: {e:#}");
                None
            }
        });
        let mut resp = redirect(at_provider.as_deref().unwrap_or(&then));
        set_cookie(&state, &mut resp, SSO_COOKIE, "", &base, "Lax", Some(0));
        resp
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_what_they_show() {
        let view = SignInView {
            error: Some("<script>alert(1)</script>"),
            username: "\"><img src=x>",
            with_password: true,
            providers: vec!["Ok\"ta<b>".into()],
            ..Default::default()
        };
        let html = login_form(Lang::En, &Brand::default(), "Username", "client_id=a&x=%22", "t0k3n", &view, true).into_string();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("\"><img"), "{html}");
        assert!(html.contains(r#"action="login?client_id=a&amp;x=%22""#), "{html}");
        assert!(html.contains("Sign in with Ok&quot;ta&lt;b&gt;") && html.contains("identity_provider=Ok%22ta%3Cb%3E"), "{html}");
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; XSRF-TOKEN=abc; b=2"));
        h.append(header::COOKIE, HeaderValue::from_static("pooldesk-session=s"));
        assert_eq!(cookie(&h, CSRF_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, SSO_COOKIE), Some("s"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn csrf_needs_the_cookie_and_the_field_to_agree() {
        let token = "x".repeat(43);
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&format!("{CSRF_COOKIE}={token}")).expect("header"));
        let form = |v: &str| BTreeMap::from([("_csrf".to_owned(), v.to_owned())]);
        assert!(csrf_ok(&h, &form(&token)));
        assert!(!csrf_ok(&h, &form("y")));
        assert!(!csrf_ok(&HeaderMap::new(), &form(&token)));
        let mut short = HeaderMap::new();
        short.insert(header::COOKIE, HeaderValue::from_static("XSRF-TOKEN=abc"));
        assert!(!csrf_ok(&short, &form("abc")), "a token too short to be ours");
    }
}
