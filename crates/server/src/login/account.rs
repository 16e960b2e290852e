//! The account pages beside sign-in: sign-up with its confirmation code, a new code, and the
//! forgotten-password pair. Each calls the Cognito operation an app would (SignUp,
//! ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword), so the pool's
//! policies, codes, messages and PreventUserExistenceErrors apply as they do over the API; for a
//! client with a secret the server computes the SECRET_HASH, which the browser never sees.

use std::sync::Arc;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use pooldesk_core::Context;
use pooldesk_core::user_pools::TermsLinks;
use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, Service};

use super::messages::{Lang, Msg, fill};
use super::{
    Flow, Posted, SignInView, Submission, csrf_field, error_page, html_response, internal_error, page, sign_in_page, username_label, visit,
    with_csrf,
};
use crate::AppState;
use crate::oauth::DomainRef;

/// A sign-up form field beyond username and password: an attribute the pool requires or
/// verifies.
struct Field {
    attribute: String,
    label: String,
    kind: &'static str,
    autocomplete: &'static str,
}

/// What the sign-up form asks for: the pool's required attributes, and e-mail or phone when the
/// pool verifies them (unless they are the username itself).
fn sign_up_fields(state: &AppState, pool_id: &str, lang: Lang) -> Vec<Field> {
    let Ok(Some(pool)) = state.api.store.get_pool(pool_id) else { return Vec::new() };
    let cfg = &pool.config;
    let as_username: Vec<&str> = cfg.username_attributes.iter().flatten().map(|a| a.as_str()).collect();
    let verified: Vec<&str> = cfg.auto_verified_attributes.iter().flatten().map(|a| a.as_str()).collect();
    let mut fields = Vec::new();
    for attr in cfg.schema_attributes.iter().flatten() {
        let Some(name) = attr.name.as_deref() else { continue };
        let wanted = attr.required == Some(true) || verified.contains(&name);
        if !wanted || name == "sub" || as_username.contains(&name) {
            continue;
        }
        // Other attributes, custom ones among them, are named after themselves.
        let (label, kind, autocomplete) = match name {
            "email" => (Msg::Email.text(lang).to_owned(), "email", "email"),
            "phone_number" => (Msg::PhoneNumber.text(lang).to_owned(), "tel", "tel"),
            "name" => (Msg::Name.text(lang).to_owned(), "text", "name"),
            "given_name" => (Msg::GivenName.text(lang).to_owned(), "text", "given-name"),
            "family_name" => (Msg::FamilyName.text(lang).to_owned(), "text", "family-name"),
            other => (humanize(other), "text", "off"),
        };
        fields.push(Field { attribute: name.to_owned(), label, kind, autocomplete });
    }
    fields
}

/// `preferred_username` → `Preferred username`; `custom:team` → `Team`.
fn humanize(name: &str) -> String {
    let bare = name.strip_prefix("custom:").unwrap_or(name).replace('_', " ");
    let mut chars = bare.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn sign_up_form(
    f: &Flow,
    label: &str,
    fields: &[Field],
    terms: Option<&TermsLinks>,
    csrf: &str,
    error: Option<&str>,
    form: &std::collections::BTreeMap<String, String>,
) -> Markup {
    let value = |k: &str| form.get(k).cloned().unwrap_or_default();
    page(
        f.lang,
        &f.brand,
        f.t(Msg::SignUp),
        html! {
            h1 { (f.t(Msg::SignUp)) }
            @if let Some(e) = error { p.error.errorMessage-customizable role="alert" { (e) } }
            form method="post" action={ "signup?" (f.query) } {
                (csrf_field(csrf))
                label.label-customizable for="username" { (label) }
                input.inputField-customizable #username type="text" name="username" value=(value("username")) autocomplete="username" autocapitalize="none" required autofocus;
                @for field in fields {
                    label.label-customizable for={ "attr-" (field.attribute) } { (field.label) }
                    input.inputField-customizable id={ "attr-" (field.attribute) } type=(field.kind) name={ "attr:" (field.attribute) } value=(value(&format!("attr:{}", field.attribute))) autocomplete=(field.autocomplete) required;
                }
                label.label-customizable for="password" { (f.t(Msg::Password)) }
                input.inputField-customizable #password type="password" name="password" autocomplete="new-password" required;
                @if let Some(terms) = terms {
                    p.terms-customizable #terms-links {
                        a href=(terms.terms_of_use) target="_blank" rel="noopener noreferrer" { (f.t(Msg::TermsOfUse)) }
                        " · "
                        a href=(terms.privacy_policy) target="_blank" rel="noopener noreferrer" { (f.t(Msg::PrivacyPolicy)) }
                    }
                }
                button.submitButton-customizable type="submit" { (f.t(Msg::SignUp)) }
            }
            p.links.redirect-customizable { a href={ "login?" (f.query) } { (f.t(Msg::AlreadyHaveAccount)) } }
        },
    )
}

/// `GET /signup`.
pub(crate) async fn sign_up_page(
    State(state): State<Arc<AppState>>,
    domain: DomainRef,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    visit(state, domain, query, headers, move |state, f, headers| {
        if !super::self_sign_up(state, &f.domain.pool_id) {
            return error_page(f.lang, StatusCode::FORBIDDEN, "access_denied", f.t(Msg::SelfSignUpDisabled));
        }
        let label = username_label(state, &f.domain.pool_id, f.lang);
        let fields = sign_up_fields(state, &f.domain.pool_id, f.lang);
        with_csrf(headers, state, &f, |csrf| {
            let terms = sign_up_terms(state, &f);
            html_response(StatusCode::OK, sign_up_form(&f, label, &fields, terms.as_ref(), csrf, None, &Default::default()))
        })
    })
    .await
}

/// The client's terms documents in the page's language, when it has both. They only add links,
/// so a failure to read them leaves the form without them rather than refusing sign-up.
fn sign_up_terms(state: &AppState, f: &Flow) -> Option<TermsLinks> {
    state.api.pools.sign_up_terms(&f.auth.client.client_id, f.lang.cognito_name()).unwrap_or_else(|e| {
        tracing::error!("reading the terms of client {}: {e:#}", f.auth.client.client_id);
        None
    })
}

fn internal(f: &Flow, e: &pooldesk_core::Error) -> Option<Response> {
    e.is_internal().then(|| {
        tracing::error!("an account page: {e:#}");
        internal_error(f.lang)
    })
}

/// `POST /signup`: SignUp, then the confirmation page (or sign-in, if the account needs none).
pub(crate) async fn sign_up_submit(submission: Submission) -> Response {
    submission
        .handle("SignUp", |Posted { state, f, form, ctx, csrf, .. }| {
            if !super::self_sign_up(state, &f.domain.pool_id) {
                return error_page(f.lang, StatusCode::FORBIDDEN, "access_denied", f.t(Msg::SelfSignUpDisabled));
            }
            let username = form.get("username").map(|u| u.trim().to_owned()).unwrap_or_default();
            let attributes: Vec<w::AttributeType> = form
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("attr:").map(|name| w::AttributeType { name: name.to_owned(), value: Some(v.trim().to_owned()) })
                })
                .collect();
            let client = &f.auth.client;
            let request = w::SignUpRequest {
                client_id: client.client_id.clone(),
                secret_hash: state.api.pools.login_secret_hash(client, &username),
                username: username.clone(),
                password: form.get("password").cloned().map(Sensitive),
                user_attributes: Some(attributes),
                ..Default::default()
            };
            match state.api.pools.sign_up(&ctx, request) {
                Ok(r) if r.user_confirmed => sign_in_page(
                    state,
                    &f,
                    &csrf,
                    SignInView { notice: Some(f.t(Msg::AccountReady)), username: &username, ..Default::default() },
                ),
                Ok(r) => html_response(StatusCode::OK, confirm_form(state, &f, &csrf, &username, r.code_delivery_details.as_ref(), None)),
                Err(e) => internal(&f, &e).unwrap_or_else(|| {
                    let label = username_label(state, &f.domain.pool_id, f.lang);
                    let fields = sign_up_fields(state, &f.domain.pool_id, f.lang);
                    let terms = sign_up_terms(state, &f);
                    html_response(StatusCode::OK, sign_up_form(&f, label, &fields, terms.as_ref(), &csrf, Some(&e.client_message()), &form))
                }),
            }
        })
        .await
}

fn sent_to(lang: Lang, delivery: Option<&w::CodeDeliveryDetailsType>) -> String {
    match delivery.and_then(|d| d.destination.as_deref()) {
        Some(to) => fill(Msg::CodeSentTo.text(lang), to),
        None => Msg::CodeSentToYou.text(lang).to_owned(),
    }
}

/// The page after a sign-up: the code to enter, or, in a pool that confirms by a link in an
/// e-mail, where the link went; and a new one either way.
fn confirm_form(
    state: &AppState,
    f: &Flow,
    csrf: &str,
    username: &str,
    delivery: Option<&w::CodeDeliveryDetailsType>,
    error: Option<&str>,
) -> Markup {
    let by_link =
        confirms_by_link(state, &f.domain.pool_id) && delivery.is_some_and(|d| d.delivery_medium == Some(w::DeliveryMediumType::Email));
    page(
        f.lang,
        &f.brand,
        f.t(Msg::ConfirmYourAccount),
        html! {
            h1 { (f.t(Msg::ConfirmYourAccount)) }
            @if let Some(e) = error { p.error.errorMessage-customizable role="alert" { (e) } }
            @if by_link {
                p.hint.textDescription-customizable {
                    (fill(f.t(Msg::LinkSentTo), delivery.and_then(|d| d.destination.as_deref()).unwrap_or_default()))
                }
            } @else {
                p.hint.textDescription-customizable { (sent_to(f.lang, delivery)) " " (f.t(Msg::EnterToConfirm)) }
                form method="post" action={ "confirmUser?" (f.query) } {
                    (csrf_field(csrf))
                    input type="hidden" name="username" value=(username);
                    label.label-customizable for="code" { (f.t(Msg::Code)) }
                    input.inputField-customizable #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus;
                    button.submitButton-customizable type="submit" { (f.t(Msg::Verify)) }
                }
            }
            form method="post" action={ "resendCode?" (f.query) } {
                (csrf_field(csrf))
                input type="hidden" name="username" value=(username);
                button.secondary.submitButton-customizable type="submit" { (f.t(if by_link { Msg::SendNewLink } else { Msg::SendNewCode })) }
            }
        },
    )
}

/// Whether the pool confirms sign-ups by a link in an e-mail (CONFIRM_WITH_LINK).
fn confirms_by_link(state: &AppState, pool_id: &str) -> bool {
    let pool = state.api.store.get_pool(pool_id).ok().flatten();
    pool.and_then(|p| p.config.verification_message_template.as_ref().and_then(|t| t.default_email_option))
        == Some(w::DefaultEmailOptionType::ConfirmWithLink)
}

/// Sign-in met an unconfirmed account: a new code, and the page to enter it.
pub(super) fn confirm_unconfirmed(state: &AppState, f: &Flow, ctx: &Context, csrf: &str, username: &str) -> Response {
    let client = &f.auth.client;
    let request = w::ResendConfirmationCodeRequest {
        client_id: client.client_id.clone(),
        secret_hash: state.api.pools.login_secret_hash(client, username),
        username: username.to_owned(),
        ..Default::default()
    };
    match state.api.pools.resend_confirmation_code(ctx, request) {
        Ok(r) => html_response(StatusCode::OK, confirm_form(state, f, csrf, username, r.code_delivery_details.as_ref(), None)),
        Err(e) => internal(f, &e).unwrap_or_else(|| {
            sign_in_page(state, f, csrf, SignInView { error: Some(&e.client_message()), username, ..Default::default() })
        }),
    }
}

/// `POST /confirmUser`: ConfirmSignUp with the code, then sign-in.
pub(crate) async fn confirm_user(submission: Submission) -> Response {
    submission
        .handle("ConfirmSignUp", |Posted { state, f, form, ctx, csrf, .. }| {
            let username = form.get("username").cloned().unwrap_or_default();
            let client = &f.auth.client;
            let request = w::ConfirmSignUpRequest {
                client_id: client.client_id.clone(),
                secret_hash: state.api.pools.login_secret_hash(client, &username),
                username: username.clone(),
                confirmation_code: form.get("code").map(|c| c.trim().to_owned()).unwrap_or_default(),
                ..Default::default()
            };
            match state.api.pools.confirm_sign_up(&ctx, request) {
                Ok(_) => sign_in_page(
                    state,
                    &f,
                    &csrf,
                    SignInView { notice: Some(f.t(Msg::AccountConfirmed)), username: &username, ..Default::default() },
                ),
                Err(e) => internal(&f, &e).unwrap_or_else(|| {
                    html_response(StatusCode::OK, confirm_form(state, &f, &csrf, &username, None, Some(&e.client_message())))
                }),
            }
        })
        .await
}

/// `GET /confirmUser?client_id=…&user_name=…&confirmation_code=…`: the link a sign-up
/// confirmation e-mail carries when the pool confirms by link (CONFIRM_WITH_LINK). It confirms
/// with ConfirmSignUp, as the code form does, then says so.
pub(crate) async fn confirm_user_link(
    State(state): State<Arc<AppState>>,
    domain: DomainRef,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    super::blocking(move || {
        let found = match super::resolved(&state, &domain, "a confirmation link") {
            Ok(d) => d,
            Err(resp) => return *resp,
        };
        let query = query.unwrap_or_default();
        let lang = super::page_lang(&found, &query, &headers);
        let param = |name: &str| form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        let (Some(client_id), Some(username), Some(code)) = (param("client_id"), param("user_name"), param("confirmation_code")) else {
            return error_page(
                lang,
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The link lacks client_id, user_name or confirmation_code.",
            );
        };
        // The link is the domain's pool's, for one of its clients.
        let client = match state.api.store.get_client(&client_id) {
            Ok(Some(c)) if c.pool_id == found.pool_id => c,
            Ok(_) => return error_page(lang, StatusCode::BAD_REQUEST, "invalid_request", "The link names no app client of this pool."),
            Err(e) => {
                tracing::error!("a confirmation link: {e:#}");
                return internal_error(lang);
            }
        };
        let request = w::ConfirmSignUpRequest {
            client_id: client.client_id.clone(),
            secret_hash: state.api.pools.login_secret_hash(&client, &username),
            username,
            confirmation_code: code,
            ..Default::default()
        };
        let ctx = Context { caller: None, source_ip: Some(peer.ip().to_string()) };
        match state.api.pools.confirm_sign_up(&ctx, request) {
            Ok(_) => {
                let brand = super::Brand::of(&state, &found, &client.client_id).unwrap_or_default();
                let title = Msg::AccountConfirmed.text(lang);
                html_response(StatusCode::OK, page(lang, &brand, title, html! { h1 { (title) } }))
            }
            Err(e) if e.is_internal() => {
                tracing::error!("a confirmation link: {e:#}");
                internal_error(lang)
            }
            Err(e) => error_page(lang, StatusCode::BAD_REQUEST, e.wire_code(), &e.client_message()),
        }
    })
    .await
}

/// `POST /resendCode`: a new confirmation code.
pub(crate) async fn resend_code(submission: Submission) -> Response {
    submission
        .handle("ResendConfirmationCode", |Posted { state, f, form, ctx, csrf, .. }| {
            let username = form.get("username").cloned().unwrap_or_default();
            confirm_unconfirmed(state, &f, &ctx, &csrf, &username)
        })
        .await
}

/// What the forgotten-password form asks for, in a sentence: the label in lower case, as
/// a noun in the middle of a sentence is written (but in German, which capitalises nouns).
fn forgot_hint(lang: Lang, label: &str) -> String {
    let label = if lang == Lang::De { label.to_owned() } else { label.to_lowercase() };
    fill(Msg::ForgotHint.text(lang), &label)
}

fn forgot_form(f: &Flow, label: &str, csrf: &str, error: Option<&str>) -> Markup {
    page(
        f.lang,
        &f.brand,
        f.t(Msg::ForgotYourPassword),
        html! {
            h1 { (f.t(Msg::ForgotYourPassword)) }
            @if let Some(e) = error { p.error.errorMessage-customizable role="alert" { (e) } }
            p.hint.textDescription-customizable { (forgot_hint(f.lang, label)) }
            form method="post" action={ "forgotPassword?" (f.query) } {
                (csrf_field(csrf))
                label.label-customizable for="username" { (label) }
                input.inputField-customizable #username type="text" name="username" autocomplete="username" autocapitalize="none" required autofocus;
                button.submitButton-customizable type="submit" { (f.t(Msg::SendCode)) }
            }
            p.links.redirect-customizable { a href={ "login?" (f.query) } { (f.t(Msg::BackToSignIn)) } }
        },
    )
}

/// `GET /forgotPassword`.
pub(crate) async fn forgot_password_page(
    State(state): State<Arc<AppState>>,
    domain: DomainRef,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    visit(state, domain, query, headers, move |state, f, headers| {
        let label = username_label(state, &f.domain.pool_id, f.lang);
        with_csrf(headers, state, &f, |csrf| html_response(StatusCode::OK, forgot_form(&f, label, csrf, None)))
    })
    .await
}

fn reset_form(f: &Flow, csrf: &str, username: &str, delivery: Option<&w::CodeDeliveryDetailsType>, error: Option<&str>) -> Markup {
    page(
        f.lang,
        &f.brand,
        f.t(Msg::ResetYourPassword),
        html! {
            h1 { (f.t(Msg::ResetYourPassword)) }
            @if let Some(e) = error { p.error.errorMessage-customizable role="alert" { (e) } }
            p.hint.textDescription-customizable { (sent_to(f.lang, delivery)) " " (f.t(Msg::EnterWithNewPassword)) }
            form method="post" action={ "confirmForgotPassword?" (f.query) } {
                (csrf_field(csrf))
                input type="hidden" name="username" value=(username);
                label.label-customizable for="code" { (f.t(Msg::Code)) }
                input.inputField-customizable #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus;
                label.label-customizable for="new_password" { (f.t(Msg::NewPassword)) }
                input.inputField-customizable #new_password type="password" name="new_password" autocomplete="new-password" required;
                button.submitButton-customizable type="submit" { (f.t(Msg::ResetPassword)) }
            }
        },
    )
}

/// `POST /forgotPassword`: ForgotPassword (which, with PreventUserExistenceErrors, answers an
/// unknown user as it answers a known one), then the page for the code.
pub(crate) async fn forgot_password_submit(submission: Submission) -> Response {
    submission
        .handle("ForgotPassword", |Posted { state, f, form, ctx, csrf, .. }| {
            let username = form.get("username").map(|u| u.trim().to_owned()).unwrap_or_default();
            let client = &f.auth.client;
            let request = w::ForgotPasswordRequest {
                client_id: client.client_id.clone(),
                secret_hash: state.api.pools.login_secret_hash(client, &username),
                username: username.clone(),
                ..Default::default()
            };
            match state.api.pools.forgot_password(&ctx, request) {
                Ok(r) => html_response(StatusCode::OK, reset_form(&f, &csrf, &username, r.code_delivery_details.as_ref(), None)),
                Err(e) => internal(&f, &e).unwrap_or_else(|| {
                    let label = username_label(state, &f.domain.pool_id, f.lang);
                    html_response(StatusCode::OK, forgot_form(&f, label, &csrf, Some(&e.client_message())))
                }),
            }
        })
        .await
}

/// `POST /confirmForgotPassword`: the code and the new password, then sign-in.
pub(crate) async fn confirm_forgot_password(submission: Submission) -> Response {
    submission
        .handle("ConfirmForgotPassword", |Posted { state, f, form, ctx, csrf, .. }| {
            let username = form.get("username").cloned().unwrap_or_default();
            let client = &f.auth.client;
            let request = w::ConfirmForgotPasswordRequest {
                client_id: client.client_id.clone(),
                secret_hash: state.api.pools.login_secret_hash(client, &username),
                username: username.clone(),
                confirmation_code: form.get("code").map(|c| c.trim().to_owned()).unwrap_or_default(),
                password: Sensitive(form.get("new_password").cloned().unwrap_or_default()),
                ..Default::default()
            };
            match state.api.pools.confirm_forgot_password(&ctx, request) {
                Ok(_) => sign_in_page(
                    state,
                    &f,
                    &csrf,
                    SignInView { notice: Some(f.t(Msg::PasswordChanged)), username: &username, ..Default::default() },
                ),
                Err(e) => internal(&f, &e)
                    .unwrap_or_else(|| html_response(StatusCode::OK, reset_form(&f, &csrf, &username, None, Some(&e.client_message())))),
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_read_as_labels() {
        assert_eq!(humanize("preferred_username"), "Preferred username");
        assert_eq!(humanize("custom:team_name"), "Team name");
    }

    #[test]
    fn the_forgotten_password_hint_writes_the_label_as_its_language_does() {
        assert_eq!(forgot_hint(Lang::En, "Username"), "Enter your username and we will send you a code to reset your password.");
        assert!(forgot_hint(Lang::Fr, "Nom d'utilisateur").starts_with("Saisissez votre nom d'utilisateur "));
        assert!(forgot_hint(Lang::De, "Benutzername").contains("Benutzername"), "German nouns keep their capital");
        assert!(forgot_hint(Lang::Ja, "ユーザー名").starts_with("ユーザー名を"));
    }
}
