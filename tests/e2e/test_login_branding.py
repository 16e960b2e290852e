"""Branding of the login pages with SetUICustomization / GetUICustomization: CSS written for
Cognito's `*-customizable` classes and a logo, for all of a pool's clients or one of them."""

from __future__ import annotations

import base64

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import error_code, error_message
from login_pages import Browser, Page
from test_login_pages import Site

# A 1x1 transparent PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
CSS = ".banner-customizable { background-color: #0b3d91; }\n.submitButton-customizable { background-color: #e4572e; }"


@pytest.fixture
def site(idp, server, make_pool, make_client):
    return Site(idp, server, make_pool, make_client)


def sign_in_page(site, server, client=None) -> Page:
    page = Browser(server.endpoint).get(site.authorize_url(site.oauth(client))[0])
    assert isinstance(page, Page) and page.title == "Sign in"
    return page


def test_the_pools_css_and_logo_brand_its_login_pages(idp, site, server):
    plain = sign_in_page(site, server)
    assert "branding.css" not in plain.html and "logo-customizable" not in plain.html
    for cls in ("submitButton-customizable", "inputField-customizable", "label-customizable", "background-customizable"):
        assert cls in plain.html, f"the pages carry Cognito's {cls}, so CSS written for Cognito applies"

    set_ = idp.set_ui_customization(UserPoolId=site.pool_id, CSS=CSS, ImageFile=PNG)["UICustomization"]
    assert set_["ClientId"] == "ALL" and set_["CSS"] == CSS and set_["CSSVersion"]
    assert set_["ImageUrl"].startswith(f"{server.endpoint}/domains/{site.domain}/logo")
    got = idp.get_ui_customization(UserPoolId=site.pool_id)["UICustomization"]
    assert (got["CSS"], got["ImageUrl"], got["ClientId"]) == (CSS, set_["ImageUrl"], "ALL")

    branded = sign_in_page(site, server)
    assert 'href="branding.css?client_id=' in branded.html and 'class="logo-customizable"' in branded.html
    base = branded.url.split("/login?")[0]
    css = requests.get(f"{base}/branding.css?client_id={site.client['ClientId']}", timeout=10)
    assert css.headers["Content-Type"].startswith("text/css") and css.text == CSS
    logo = requests.get(set_["ImageUrl"], timeout=10)
    assert logo.headers["Content-Type"] == "image/png" and logo.content == PNG


def test_a_clients_branding_replaces_the_pools(idp, site, server):
    other = site.add_client()
    idp.set_ui_customization(UserPoolId=site.pool_id, CSS=CSS)
    own = ".banner-customizable { background-color: black; }"
    idp.set_ui_customization(UserPoolId=site.pool_id, ClientId=site.client["ClientId"], CSS=own)
    mine = idp.get_ui_customization(UserPoolId=site.pool_id, ClientId=site.client["ClientId"])["UICustomization"]
    theirs = idp.get_ui_customization(UserPoolId=site.pool_id, ClientId=other["ClientId"])["UICustomization"]
    assert (mine["ClientId"], mine["CSS"]) == (site.client["ClientId"], own)
    assert (theirs["ClientId"], theirs["CSS"]) == ("ALL", CSS), "a client without its own gets the pool's"
    base = sign_in_page(site, server).url.split("/login?")[0]
    assert requests.get(f"{base}/branding.css?client_id={site.client['ClientId']}", timeout=10).text == own
    assert requests.get(f"{base}/branding.css?client_id={other['ClientId']}", timeout=10).text == CSS


@pytest.mark.parametrize(
    "params, message",
    [
        ({"CSS": "body { color: red; }"}, "customizable classes"),
        ({"CSS": ".banner-customizable { background: url(https://evil.example/x.png); }"}, "url("),
        ({"CSS": "@import 'https://evil.example/x.css';"}, "CSS"),
        ({"ImageFile": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}, "PNG or JPEG"),
        ({"ImageFile": b"\x89PNG\r\n\x1a\n" + b"\0" * (100 * 1024)}, "100 KB"),
        ({"ClientId": "nosuchclient00000000000000"}, "does not exist"),
    ],
)
def test_branding_is_checked_as_cognito_checks_it(idp, site, params, message):
    with pytest.raises(ClientError) as e:
        idp.set_ui_customization(UserPoolId=site.pool_id, **params)
    assert error_code(e.value) in ("InvalidParameterException", "ResourceNotFoundException")
    assert message in error_message(e.value)


def test_a_pool_needs_a_domain_to_be_branded(idp, make_pool):
    pool_id = make_pool()["Id"]
    with pytest.raises(ClientError) as e:
        idp.set_ui_customization(UserPoolId=pool_id, CSS=CSS)
    assert error_code(e.value) == "InvalidParameterException" and "domain" in error_message(e.value)
