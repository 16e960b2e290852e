"""Managed login branding styles (CreateManagedLoginBranding and siblings) through boto3, and
the login pages of a managed login (version 2) domain that honour them: colours as the
stylesheet's custom properties, the colour scheme, the form logo and the favicon."""

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
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'
SETTINGS = {
    "categories": {"global": {"colorSchemeMode": "DARK"}},
    "components": {
        "pageBackground": {"darkMode": {"color": "101820ff"}},
        "primaryButton": {"darkMode": {"defaults": {"backgroundColor": "fee715ff", "textColor": "101820ff"}}},
        "favicon": {"enabledTypes": ["SVG"]},
    },
}


def asset(category: str, data: bytes, extension: str, mode: str = "DYNAMIC") -> dict:
    return {"Category": category, "ColorMode": mode, "Extension": extension, "Bytes": data}


@pytest.fixture
def site(idp, server, make_pool, make_client):
    s = Site(idp, server, make_pool, make_client)
    idp.update_user_pool_domain(Domain=s.domain, UserPoolId=s.pool_id, ManagedLoginVersion=2)
    return s


def login_page(site, server) -> Page | str:
    return Browser(server.endpoint).get(site.authorize_url(site.oauth())[0])


def test_a_style_is_created_described_updated_and_deleted(idp, site):
    pool, client = site.pool_id, site.client["ClientId"]
    created = idp.create_managed_login_branding(UserPoolId=pool, ClientId=client, UseCognitoProvidedValues=True)["ManagedLoginBranding"]
    style_id = created["ManagedLoginBrandingId"]
    assert created["UseCognitoProvidedValues"] is True and created["Assets"] == [] and "Settings" not in created
    assert created["UserPoolId"] == pool and created["CreationDate"] == created["LastModifiedDate"]

    merged = idp.describe_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style_id, ReturnMergedResources=True)
    defaults = merged["ManagedLoginBranding"]["Settings"]
    assert defaults["components"]["primaryButton"]["lightMode"]["defaults"]["backgroundColor"] == "0972d3ff"
    by_client = idp.describe_managed_login_branding_by_client(UserPoolId=pool, ClientId=client)["ManagedLoginBranding"]
    assert by_client["ManagedLoginBrandingId"] == style_id and "Settings" not in by_client

    with pytest.raises(ClientError) as e:
        idp.create_managed_login_branding(UserPoolId=pool, ClientId=client, UseCognitoProvidedValues=True)
    assert error_code(e.value) == "ManagedLoginBrandingExistsException"

    updated = idp.update_managed_login_branding(
        UserPoolId=pool, ManagedLoginBrandingId=style_id, Settings=SETTINGS, Assets=[asset("FORM_LOGO", PNG, "PNG")]
    )["ManagedLoginBranding"]
    assert updated["UseCognitoProvidedValues"] is False and updated["Settings"] == SETTINGS
    assert [a["Category"] for a in updated["Assets"]] == ["FORM_LOGO"]
    # A partial update keeps what it leaves out: the other settings and the assets.
    patch = {"components": {"pageBackground": {"darkMode": {"color": "000000ff"}}}}
    again = idp.update_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style_id, Settings=patch)["ManagedLoginBranding"]
    assert again["Settings"]["components"]["pageBackground"]["darkMode"]["color"] == "000000ff"
    assert again["Settings"]["components"]["primaryButton"] == SETTINGS["components"]["primaryButton"]
    assert again["Assets"][0]["Bytes"] == PNG

    idp.delete_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style_id)
    for call in [
        lambda: idp.describe_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style_id),
        lambda: idp.describe_managed_login_branding_by_client(UserPoolId=pool, ClientId=client),
        lambda: idp.delete_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style_id),
    ]:
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == "ResourceNotFoundException"


def test_bad_styles_get_cognitos_errors(idp, site):
    pool, client = site.pool_id, site.client["ClientId"]
    both_or_neither = [{}, {"UseCognitoProvidedValues": False}, {"UseCognitoProvidedValues": True, "Settings": SETTINGS}]
    for params in both_or_neither:
        with pytest.raises(ClientError) as e:
            idp.create_managed_login_branding(UserPoolId=pool, ClientId=client, **params)
        assert error_code(e.value) == "InvalidParameterException"
        assert error_message(e.value) == "useCognitoProvidedValues or settings should be specified (but not both)"
    bad = [
        {"Settings": {"components": {"form": {"lightMode": {"backgroundColor": "white; background: url(x)"}}}}},
        {"Settings": {"categories": {"global": {"colorSchemeMode": "SEPIA"}}}},
        {"UseCognitoProvidedValues": True, "Assets": [asset("FORM_LOGO", PNG, "JPEG")]},
        {"UseCognitoProvidedValues": True, "Assets": [asset("FORM_LOGO", PNG, "PNG"), asset("FORM_LOGO", PNG, "PNG")]},
    ]
    for params in bad:
        with pytest.raises(ClientError) as e:
            idp.create_managed_login_branding(UserPoolId=pool, ClientId=client, **params)
        assert error_code(e.value) == "InvalidParameterException", params
    with pytest.raises(ClientError) as e:
        idp.create_managed_login_branding(UserPoolId=pool, ClientId="1" * 26, UseCognitoProvidedValues=True)
    assert error_code(e.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        idp.describe_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId="not-a-uuid")
    assert error_code(e.value) == "InvalidParameterException"


def test_a_version_2_domain_needs_a_style_and_shows_it(idp, site, server):
    unavailable = login_page(site, server)
    assert isinstance(unavailable, Page) and unavailable.status == 404 and "Login pages unavailable" in unavailable.html

    idp.create_managed_login_branding(
        UserPoolId=site.pool_id,
        ClientId=site.client["ClientId"],
        Settings=SETTINGS,
        Assets=[asset("FORM_LOGO", PNG, "PNG"), asset("FAVICON_SVG", SVG, "SVG")],
    )
    page = login_page(site, server)
    assert isinstance(page, Page) and page.title == "Sign in", page
    client = site.client["ClientId"]
    assert f'href="managed-login.css?client_id={client}"' in page.html
    assert f'src="managed-login/logo?client_id={client}"' in page.html and f'href="managed-login/favicon?client_id={client}"' in page.html
    base = page.url.split("/login?")[0]
    css = requests.get(f"{base}/managed-login.css?client_id={client}", timeout=10)
    assert css.headers["Content-Type"].startswith("text/css")
    assert "color-scheme: dark" in css.text and "--page-bg: #101820ff;" in css.text and "--button-bg: #fee715ff;" in css.text
    assert "--link: #539fe5ff;" in css.text, "what the style leaves out comes from Cognito's defaults"
    logo = requests.get(f"{base}/managed-login/logo?client_id={client}", timeout=10)
    assert (logo.headers["Content-Type"], logo.content) == ("image/png", PNG)
    favicon = requests.get(f"{base}/managed-login/favicon?client_id={client}", timeout=10)
    assert favicon.headers["Content-Type"] == "image/svg+xml" and "sandbox" in favicon.headers["Content-Security-Policy"]

    # Classic branding is for version 1 domains; a style is for version 2 ones.
    idp.update_user_pool_domain(Domain=site.domain, UserPoolId=site.pool_id, ManagedLoginVersion=1)
    classic = login_page(site, server)
    assert isinstance(classic, Page) and "managed-login.css" not in classic.html


def test_a_clients_style_goes_with_it(idp, site):
    other = site.add_client()
    style = idp.create_managed_login_branding(UserPoolId=site.pool_id, ClientId=other["ClientId"], UseCognitoProvidedValues=True)
    idp.delete_user_pool_client(UserPoolId=site.pool_id, ClientId=other["ClientId"])
    with pytest.raises(ClientError) as e:
        idp.describe_managed_login_branding(UserPoolId=site.pool_id, ManagedLoginBrandingId=style["ManagedLoginBranding"]["ManagedLoginBrandingId"])
    assert error_code(e.value) == "ResourceNotFoundException"
