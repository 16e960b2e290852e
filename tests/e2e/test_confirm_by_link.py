"""Sign-ups confirmed by a link (DefaultEmailOption CONFIRM_WITH_LINK): the e-mail carries the
pool's EmailMessageByLink with a link to its domain's /confirmUser, which confirms with one
click; the managed login's sign-up says a link was sent; a pool without a domain, or a template
without the link, is refused before anything is stored."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from conftest import PASSWORD, outbox, refused
from login_pages import Browser, Page
from test_login_accounts import start
from test_login_pages import Site

LINK_TEMPLATE = {
    "DefaultEmailOption": "CONFIRM_WITH_LINK",
    "EmailSubjectByLink": "Confirm your shop account",
    "EmailMessageByLink": "Hello {username}, {##Confirm my account##} to start shopping.",
}


@pytest.fixture
def site(idp, server, make_pool, make_client):
    return Site(idp, server, make_pool, make_client, VerificationMessageTemplate=LINK_TEMPLATE)


def the_link(server, pool_id: str, username: str) -> tuple[dict, str]:
    (message,) = outbox(server, pool_id, username)
    found = re.search(r"Confirm my account: (\S+)", message["Body"])
    assert found, message["Body"]
    return message, found.group(1)


def test_a_sign_up_is_confirmed_by_the_emailed_link(anon_idp, idp, server, site):
    email = f"shopper-{uuid.uuid4().hex[:6]}@example.com"
    signed_up = anon_idp.sign_up(
        ClientId=site.client["ClientId"], Username="shopper", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": email}]
    )
    assert signed_up["UserConfirmed"] is False
    assert signed_up["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    message, link = the_link(server, site.pool_id, "shopper")
    assert message["Subject"] == "Confirm your shop account"
    assert message["Body"].startswith("Hello shopper, Confirm my account: ") and message["Body"].endswith(" to start shopping.")
    assert link.startswith(f"{server.endpoint}/domains/{site.domain}/confirmUser?client_id={site.client['ClientId']}&user_name=shopper&confirmation_code=")

    clicked = Browser(server.endpoint).get(link)
    assert isinstance(clicked, Page) and clicked.status == 200 and clicked.title == "Your account is confirmed. Sign in."
    user = idp.admin_get_user(UserPoolId=site.pool_id, Username="shopper")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]

    # A link works once; a tampered one never.
    again = Browser(server.endpoint).get(link)
    assert isinstance(again, Page) and again.status == 400 and "Current status is CONFIRMED" in again.html
    anon_idp.sign_up(ClientId=site.client["ClientId"], Username="other", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "o@example.com"}])
    _, other = the_link(server, site.pool_id, "other")
    tampered = Browser(server.endpoint).get(re.sub(r"confirmation_code=\d+", "confirmation_code=000000", other))
    assert isinstance(tampered, Page) and tampered.status == 400 and "CodeMismatchException" in tampered.html
    assert idp.admin_get_user(UserPoolId=site.pool_id, Username="other")["UserStatus"] == "UNCONFIRMED"


def test_a_link_names_a_client_of_the_domains_pool(anon_idp, server, site, idp, make_pool, make_client):
    anon_idp.sign_up(ClientId=site.client["ClientId"], Username="lin", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "l@example.com"}])
    _, link = the_link(server, site.pool_id, "lin")
    stranger = make_client(make_pool()["Id"])["ClientId"]
    page = Browser(server.endpoint).get(link.replace(site.client["ClientId"], stranger))
    assert isinstance(page, Page) and page.status == 400
    assert requests.get(link.split("&confirmation_code=")[0], timeout=10).status_code == 400, "a link without its code"


def test_the_managed_login_says_a_link_was_sent_and_sends_a_new_one(server, site):
    browser, sign_in = start(site, server)
    form = browser.follow_link(sign_in, "Sign up")
    sent = browser.submit(form, username="linda", **{"attr:email": "linda@example.com"}, password=PASSWORD)
    assert isinstance(sent, Page) and sent.title == "Confirm your account", sent.errors
    assert "We sent a link to l***@e***. Open it to confirm your account." in sent.html
    assert "code" not in sent.form.fields, "no code to type"
    again = browser.submit(sent)
    assert isinstance(again, Page) and "Open it to confirm your account." in again.html
    links = [m for m in outbox(server, site.pool_id, "linda")]
    assert len(links) == 2 and all("/confirmUser?" in m["Body"] for m in links)


def test_link_confirmation_needs_a_domain_and_a_link_in_the_template(idp, anon_idp, make_pool, make_client):
    pool = make_pool(VerificationMessageTemplate=LINK_TEMPLATE)
    client = make_client(pool["Id"])
    code, message = refused(lambda: anon_idp.sign_up(
        ClientId=client["ClientId"], Username="early", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "e@example.com"}]
    ))
    assert code == "InvalidParameterException" and "CreateUserPoolDomain" in message
    assert refused(lambda: idp.admin_get_user(UserPoolId=pool["Id"], Username="early"))[0] == "UserNotFoundException", "nothing stored"

    no_link = {**LINK_TEMPLATE, "EmailMessageByLink": "Please confirm your account."}
    code, message = refused(lambda: idp.create_user_pool(PoolName="no-link", VerificationMessageTemplate=no_link))
    assert code == "InvalidParameterException" and "{##link text##}" in message
