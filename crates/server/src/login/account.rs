//! The account pages beside sign-in: sign-up with its confirmation code, a new code, and the
//! forgotten-password pair. Each calls the Cognito operation an app would (SignUp,
//! ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword), so the pool's
//! policies, codes, messages and PreventUserExistenceErrors apply as they do over the API; for a
//! client with a secret the server computes the SECRET_HASH, which the browser never sees.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use pooldesk_core::Context;
use pooldesk_wire::Sensitive;
use pooldesk_wire::cognito_idp::{self as w, Service};

use super::{
    Flow, Posted, SignInView, Submission, csrf_field, error_page, html_response, page, sign_in_page, username_label, visit, with_csrf,
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
fn sign_up_fields(state: &AppState, pool_id: &str) -> Vec<Field> {
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
        let (label, kind, autocomplete) = match name {
            "email" => ("Email".to_owned(), "email", "email"),
            "phone_number" => ("Phone number".to_owned(), "tel", "tel"),
            "name" => ("Name".to_owned(), "text", "name"),
            "given_name" => ("Given name".to_owned(), "text", "given-name"),
            "family_name" => ("Family name".to_owned(), "text", "family-name"),
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
    csrf: &str,
    error: Option<&str>,
    form: &std::collections::BTreeMap<String, String>,
) -> Markup {
    let value = |k: &str| form.get(k).cloned().unwrap_or_default();
    page(
        &f.brand,
        "Sign up",
        html! {
            h1 { "Sign up" }
            @if let Some(e) = error { p.error.errorMessage-customizable role="alert" { (e) } }
            form method="post" action={ "signup?" (f.query) } {
                (csrf_field(csrf))
                label.label-customizable for="username" { (label) }
                input.inputField-customizable #username type="text" name="username" value=(value("username")) autocomplete="username" autocapitalize="none" required autofocus;
                @for field in fields {
                    label.label-customizable for={ "attr-" (field.attribute) } { (field.label) }
                    input.inputField-customizable id={ "attr-" (field.attribute) } type=(field.kind) name={ "attr:" (field.attribute) } value=(value(&format!("attr:{}", field.attribute))) autocomplete=(field.autocomplete) required;
                }
                label.label-customizable for="password" { "Password" }
                input.inputField-customizable #password type="password" name="password" autocomplete="new-password" required;
                button.submitButton-customizable type="submit" { "Sign up" }
            }
            p.links.redirect-customizable { a href={ "login?" (f.query) } { "Already have an account? Sign in" } }
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
    visit(state, domain, query, move |state, f| {
        if !super::self_sign_up(state, &f.domain.pool_id) {
            return error_page(StatusCode::FORBIDDEN, "access_denied", "This user pool does not let people sign themselves up.");
        }
        let label = username_label(state, &f.domain.pool_id);
        let fields = sign_up_fields(state, &f.domain.pool_id);
        with_csrf(&headers, state, &f.base, |csrf| {
            html_response(StatusCode::OK, sign_up_form(&f, label, &fields, csrf, None, &Default::default()))
        })
    })
    .await
}

fn internal(e: &pooldesk_core::Error) -> Option<Response> {
    e.is_internal().then(|| {
        tracing::error!("an account page: {e:#}");
        error_page(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "An internal error occurred.")
    })
}

/// `POST /signup`: SignUp, then the confirmation page (or sign-in, if the account needs none).
pub(crate) async fn sign_up_submit(submission: Submission) -> Response {
    submission
        .handle("SignUp", |Posted { state, f, form, ctx, csrf, .. }| {
            if !super::self_sign_up(state, &f.domain.pool_id) {
                return error_page(StatusCode::FORBIDDEN, "access_denied", "This user pool does not let people sign themselves up.");
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
                    SignInView { notice: Some("Your account is ready. Sign in."), username: &username, ..Default::default() },
                ),
                Ok(r) => html_response(StatusCode::OK, confirm_form(&f, &csrf, &username, r.code_delivery_details.as_ref(), None)),
                Err(e) => internal(&e).unwrap_or_else(|| {
                    let label = username_label(state, &f.domain.pool_id);
                    let fields = sign_up_fields(state, &f.domain.pool_id);
                    html_response(StatusCode::OK, sign_up_form(&f, label, &fields, &csrf, Some(&e.client_message()), &form))
                }),
            }
        })
        .await
}

fn sent_to(delivery: Option<&w::CodeDeliveryDetailsType>) -> String {
    match delivery.and_then(|d| d.destination.as_deref()) {
        Some(to) => format!("We sent a code to {to}."),
        None => "We sent you a code.".to_owned(),
    }
}

fn confirm_form(f: &Flow, csrf: &str, username: &str, delivery: Option<&w::CodeDeliveryDetailsType>, error: Option<&str>) -> Markup {
    page(
        &f.brand,
        "Confirm your account",
        html! {
            h1 { "Confirm your account" }
            @if let Some(e) = error { p.error.errorMessage-customizable role="alert" { (e) } }
            p.hint.textDescription-customizable { (sent_to(delivery)) " Enter it to confirm your account." }
            form method="post" action={ "confirmUser?" (f.query) } {
                (csrf_field(csrf))
                input type="hidden" name="username" value=(username);
                label.label-customizable for="code" { "Code" }
                input.inputField-customizable #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus;
                button.submitButton-customizable type="submit" { "Verify" }
            }
            form method="post" action={ "resendCode?" (f.query) } {
                (csrf_field(csrf))
                input type="hidden" name="username" value=(username);
                button.secondary.submitButton-customizable type="submit" { "Send a new code" }
            }
        },
    )
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
        Ok(r) => html_response(StatusCode::OK, confirm_form(f, csrf, username, r.code_delivery_details.as_ref(), None)),
        Err(e) => internal(&e).unwrap_or_else(|| {
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
                    SignInView { notice: Some("Your account is confirmed. Sign in."), username: &username, ..Default::default() },
                ),
                Err(e) => internal(&e)
                    .unwrap_or_else(|| html_response(StatusCode::OK, confirm_form(&f, &csrf, &username, None, Some(&e.client_message())))),
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

fn forgot_form(f: &Flow, label: &str, csrf: &str, error: Option<&str>) -> Markup {
    page(
        &f.brand,
        "Forgot your password?",
        html! {
            h1 { "Forgot your password?" }
            @if let Some(e) = error { p.error.errorMessage-customizable role="alert" { (e) } }
            p.hint.textDescription-customizable { "Enter your " (label.to_lowercase()) " and we will send you a code to reset your password." }
            form method="post" action={ "forgotPassword?" (f.query) } {
                (csrf_field(csrf))
                label.label-customizable for="username" { (label) }
                input.inputField-customizable #username type="text" name="username" autocomplete="username" autocapitalize="none" required autofocus;
                button.submitButton-customizable type="submit" { "Send code" }
            }
            p.links.redirect-customizable { a href={ "login?" (f.query) } { "Back to sign in" } }
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
    visit(state, domain, query, move |state, f| {
        let label = username_label(state, &f.domain.pool_id);
        with_csrf(&headers, state, &f.base, |csrf| html_response(StatusCode::OK, forgot_form(&f, label, csrf, None)))
    })
    .await
}

fn reset_form(f: &Flow, csrf: &str, username: &str, delivery: Option<&w::CodeDeliveryDetailsType>, error: Option<&str>) -> Markup {
    page(
        &f.brand,
        "Reset your password",
        html! {
            h1 { "Reset your password" }
            @if let Some(e) = error { p.error.errorMessage-customizable role="alert" { (e) } }
            p.hint.textDescription-customizable { (sent_to(delivery)) " Enter it with your new password." }
            form method="post" action={ "confirmForgotPassword?" (f.query) } {
                (csrf_field(csrf))
                input type="hidden" name="username" value=(username);
                label.label-customizable for="code" { "Code" }
                input.inputField-customizable #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus;
                label.label-customizable for="new_password" { "New password" }
                input.inputField-customizable #new_password type="password" name="new_password" autocomplete="new-password" required;
                button.submitButton-customizable type="submit" { "Reset password" }
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
                Err(e) => internal(&e).unwrap_or_else(|| {
                    let label = username_label(state, &f.domain.pool_id);
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
                    SignInView { notice: Some("Your password is changed. Sign in."), username: &username, ..Default::default() },
                ),
                Err(e) => internal(&e)
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
}
