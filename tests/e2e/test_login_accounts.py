"""The account pages of the managed login: sign-up with its e-mailed code, a new code for an
unconfirmed account, and a forgotten password, each through the same operations (and the same
outbox) an app uses, ending back at the sign-in form and then at the app with a code."""

from __future__ import annotations

import uuid

import pytest

from conftest import OTHER_PASSWORD, PASSWORD, latest_code, outbox
from login_pages import Browser, Page, query_of
from test_login_pages import Site


@pytest.fixture
def site(idp, server, make_pool, make_client):
    return Site(idp, server, make_pool, make_client)


def start(site, server) -> tuple[Browser, Page]:
    browser = Browser(server.endpoint)
    page = browser.get(site.authorize_url(site.oauth())[0])
    assert isinstance(page, Page) and page.title == "Sign in"
    return browser, page


def test_a_visitor_signs_up_confirms_with_the_emailed_code_and_signs_in(site, server):
    browser, sign_in = start(site, server)
    form = browser.follow_link(sign_in, "Sign up")
    assert isinstance(form, Page) and form.title == "Sign up"
    assert [form.label_of(i) for i in ("username", "attr-email", "password")] == ["Username", "Email", "Password"]
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    confirm = browser.submit(form, username="newbie", **{"attr:email": email}, password=PASSWORD)
    assert isinstance(confirm, Page) and confirm.title == "Confirm your account", confirm.errors
    wrong = browser.submit(confirm, code="000000")
    assert isinstance(wrong, Page) and wrong.errors and wrong.title == "Confirm your account"
    code = latest_code(server, site.pool_id, "newbie")
    signed_up = browser.submit(wrong, code=code)
    assert isinstance(signed_up, Page) and signed_up.notices == ["Your account is confirmed. Sign in."]
    assert signed_up.form.fields["username"] == "newbie"
    back = browser.submit(signed_up, username="newbie", password=PASSWORD)
    assert "code" in query_of(back), back


def test_sign_up_shows_the_pools_rules_and_keeps_what_was_typed(site, server):
    browser, sign_in = start(site, server)
    form = browser.follow_link(sign_in, "Sign up")
    again = browser.submit(form, username="weak", **{"attr:email": "weak@example.com"}, password="short")
    assert isinstance(again, Page) and again.title == "Sign up" and again.errors
    assert again.form.fields["username"] == "weak" and again.form.fields["attr:email"] == "weak@example.com"
    assert again.form.fields["password"] == "", "a password is never written back into the page"


def test_a_confidential_client_signs_up_without_the_browser_knowing_its_secret(site, server):
    site.client = site.add_client(GenerateSecret=True)
    browser, sign_in = start(site, server)
    form = browser.follow_link(sign_in, "Sign up")
    assert site.client["ClientSecret"] not in form.html
    confirm = browser.submit(form, username="conf", **{"attr:email": "conf@example.com"}, password=PASSWORD)
    assert isinstance(confirm, Page) and confirm.title == "Confirm your account", confirm.errors


def test_an_admin_only_pool_offers_no_sign_up(idp, server, make_pool, make_client):
    site = Site(idp, server, make_pool, make_client, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    _, sign_in = start(site, server)
    assert "Sign up" not in sign_in.links
    signup_url = sign_in.url.replace("/login?", "/signup?")
    page = Browser(server.endpoint).get(signup_url)
    assert isinstance(page, Page) and page.status == 403


def test_an_unconfirmed_account_gets_a_new_code_when_it_signs_in(idp, anon_idp, site, server):
    anon_idp.sign_up(
        ClientId=site.client["ClientId"], Username="late", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "late@example.com"}]
    )
    before = len(outbox(server, site.pool_id, "late"))
    browser, sign_in = start(site, server)
    confirm = browser.submit(sign_in, username="late", password=PASSWORD)
    assert isinstance(confirm, Page) and confirm.title == "Confirm your account"
    assert len(outbox(server, site.pool_id, "late")) == before + 1, "a new code was sent"
    resent = browser.submit(confirm, form_index=1)
    assert isinstance(resent, Page) and resent.title == "Confirm your account"
    code = latest_code(server, site.pool_id, "late", min_messages=before + 2)
    confirmed = browser.submit(resent, code=code)
    assert isinstance(confirmed, Page) and confirmed.notices
    assert idp.admin_get_user(UserPoolId=site.pool_id, Username="late")["UserStatus"] == "CONFIRMED"


def test_a_forgotten_password_is_reset_with_the_emailed_code(site, server, make_user):
    make_user(site.pool_id, "forgetful")
    browser, sign_in = start(site, server)
    ask = browser.follow_link(sign_in, "Forgot your password?")
    assert isinstance(ask, Page) and ask.title == "Forgot your password?" and ask.form.buttons == ["Send code"]
    reset = browser.submit(ask, username="forgetful")
    assert isinstance(reset, Page) and reset.title == "Reset your password"
    assert [reset.label_of("code"), reset.label_of("new_password")] == ["Code", "New password"]
    code = latest_code(server, site.pool_id, "forgetful")
    done = browser.submit(reset, code=code, new_password=OTHER_PASSWORD)
    assert isinstance(done, Page) and done.notices == ["Your password is changed. Sign in."]
    old = browser.submit(done, username="forgetful", password=PASSWORD)
    assert isinstance(old, Page) and old.errors, "the old password no longer works"
    back = browser.submit(old, username="forgetful", password=OTHER_PASSWORD)
    assert "code" in query_of(back)


def test_a_forgotten_password_page_does_not_reveal_who_has_an_account(idp, server, make_pool, make_client, make_user):
    site = Site(idp, server, make_pool, make_client)
    site.client = site.add_client(PreventUserExistenceErrors="ENABLED")
    make_user(site.pool_id, "known")
    answers = []
    for username in ("known", "unknown-person"):
        browser, sign_in = start(site, server)
        ask = browser.follow_link(sign_in, "Forgot your password?")
        reset = browser.submit(ask, username=username)
        assert isinstance(reset, Page)
        answers.append((reset.title, reset.errors))
    assert answers[0] == answers[1] == ("Reset your password", [])


def test_a_user_signs_in_with_an_emailed_code_instead_of_a_password(idp, server, make_pool, make_client, make_user):
    site = Site(
        idp, server, make_pool, make_client, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
    )
    without = sign_in_buttons(site, server)
    assert without == ["Sign in"], "the client does not allow choice-based sign-in (ALLOW_USER_AUTH)"
    site.client = site.add_client(ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert sign_in_buttons(site, server) == ["Sign in", "Email me a sign-in code"]
    make_user(site.pool_id, "otp-user")

    browser, sign_in = start(site, server)
    ask = browser.submit(sign_in, username="otp-user", method="EMAIL_OTP")
    assert isinstance(ask, Page) and ask.title == "Enter your code", ask.errors
    assert ask.label_of("code") == "Code"
    back = browser.submit(ask, code=latest_code(server, site.pool_id, "otp-user"))
    assert "code" in query_of(back), back


def test_a_way_of_signing_in_that_is_not_offered_is_refused(site, server, make_user):
    make_user(site.pool_id, "pw-only")
    browser, sign_in = start(site, server)
    refused = browser.submit(sign_in, username="pw-only", method="EMAIL_OTP")
    assert isinstance(refused, Page) and refused.status == 400


def sign_in_buttons(site, server) -> list[str]:
    _, page = start(site, server)
    return page.form.buttons
