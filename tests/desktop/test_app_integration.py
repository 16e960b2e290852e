"""The App integration tab in the real window: a domain created through its form, a resource
server and an app client's OAuth settings edited through the dialogs, the login pages' branding
and a client's managed login style saved, each ending in what the server now holds; and the tab usable at 1024x700."""
import struct
import zlib

import pytest

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import Select

SIZES = {"1280x800": (1280, 800), "1024x700": (1024, 700)}

BRAND_CSS = ".submitButton-customizable { background-color: #0f766e; } .banner-customizable { background-color: #1f2937; }"


def call(app, target, payload):
    """The app's own backend call, as the UI makes it: sets up state a test starts from."""
    result = app.driver.execute_async_script(
        """
        const [target, input, done] = arguments;
        window.__TAURI_INTERNALS__.invoke("call", {connection: "local", target, input})
          .then((r) => done({ok: r}), (e) => done({error: e}));
        """,
        target if "." in target else f"AWSCognitoIdentityProviderService.{target}",
        payload,
    )
    assert "error" not in result, (target, result)
    return result["ok"]


def new_pool(app, name="shop") -> str:
    return call(app, "CreateUserPool", {"PoolName": name})["UserPool"]["Id"]


def open_integration(app, name="shop"):
    # The pool list was read before the pool existed: read it again as a person would.
    app.driver.refresh()
    app.wait(30).until(lambda d: any(name in t for t in app.texts("pool-row")))
    row = next(r for r in app.all("pool-row") if name in r.text)
    links = row.find_elements(By.CSS_SELECTOR, "button.link-button")
    app.click_element(links[0] if links else row.find_elements(By.TAG_NAME, "td")[1])
    app.click("tab-integration")
    app.by("integration-tab")


def sideways_overflow(app) -> dict:
    """How far the main column and the tab scroll sideways (0 when they fit)."""
    return app.driver.execute_script(
        """
        const m = document.querySelector('main') || document.scrollingElement;
        const t = document.querySelector('[data-testid="integration-tab"]');
        return {main: m.scrollWidth - m.clientWidth, tab: t ? t.scrollWidth - t.clientWidth : 0};
        """)


def no_sideways_scroll(app):
    overflow = sideways_overflow(app)
    assert max(overflow.values()) <= 1, f"the screen scrolls sideways: {overflow}"


def inside_window(app, element):
    return app.driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth;", element)


def tiny_png() -> bytes:
    """A 1x1 PNG, made here rather than kept as a binary file."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x0f\x76\x6e")) + chunk(b"IEND", b""))


@pytest.mark.parametrize("size", SIZES)
def test_create_a_prefix_domain_through_the_form(app, size):
    app.driver.set_window_size(*SIZES[size])
    pool_id = new_pool(app)
    open_integration(app)
    app.by("domain-none")
    app.click("domain-create")
    app.by("domain-dialog")
    # Refused before sending: a reserved word.
    app.type("domain-prefix", "my-cognito-app")
    app.click("domain-submit")
    app.wait().until(lambda d: any("reserved word: cognito" in t for t in app.texts("domain-dialog")))
    assert not call(app, "DescribeUserPool", {"UserPoolId": pool_id})["UserPool"].get("Domain")

    app.type("domain-prefix", "shop-login")
    app.screenshot(f"domain-form-{size}")
    app.click("domain-submit")
    app.wait().until(lambda d: app.texts("domain-prefix-name") == ["shop-login"])
    app.wait().until(lambda d: not app.all("domain-dialog"))
    assert call(app, "DescribeUserPool", {"UserPoolId": pool_id})["UserPool"]["Domain"] == "shop-login"
    described = call(app, "DescribeUserPoolDomain", {"Domain": "shop-login"})["DomainDescription"]
    assert described["UserPoolId"] == pool_id
    # The branding's preview is on now that the pool has login pages.
    app.by("branding-preview")
    no_sideways_scroll(app)
    app.screenshot(f"domain-listed-{size}")


def test_resource_server_and_a_clients_oauth_settings(app):
    pool_id = new_pool(app)
    client = call(app, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "web"})["UserPoolClient"]
    client_id = client["ClientId"]
    open_integration(app)

    app.click("resource-server-create")
    app.by("resource-server-dialog")
    app.type("resource-server-identifier", "https://api.example.com")
    app.type("resource-server-name", "Orders API")
    app.click("scope-add")
    app.type("scope-name-0", "orders.read")
    app.type("scope-description-0", "Read orders")
    app.screenshot("resource-server-form")
    app.click("resource-server-submit")
    app.wait().until(lambda d: not app.all("resource-server-dialog"))
    app.wait().until(lambda d: any("https://api.example.com" in t for t in app.texts("resource-server-row")))
    (server,) = call(app, "ListResourceServers", {"UserPoolId": pool_id, "MaxResults": 10})["ResourceServers"]
    assert server["Identifier"] == "https://api.example.com"
    assert server["Scopes"] == [{"ScopeName": "orders.read", "ScopeDescription": "Read orders"}]

    app.click(f"client-oauth-edit-{client_id}")
    dialog = app.by("oauth-dialog")
    # The new scope is offered: the dialog reads the pool's resource servers.
    app.wait().until(lambda d: app.all("oauth-scope-https://api.example.com/orders.read"))
    app.click("oauth-enabled")
    for testid in ("oauth-flow-code", "oauth-scope-openid", "oauth-scope-https://api.example.com/orders.read"):
        box = app.by(testid)
        if not box.is_selected():
            app.click_element(box)
    cognito = app.all("oauth-provider-COGNITO", within=dialog)
    if cognito and not cognito[0].is_selected():
        app.click_element(cognito[0])
    app.type("oauth-callbacks", "http://localhost:3000/cb")
    app.screenshot("oauth-dialog")
    app.click("oauth-submit")
    app.wait().until(lambda d: not app.all("oauth-dialog"))
    app.wait().until(lambda d: any("http://localhost:3000/cb" in t for t in app.texts(f"client-oauth-summary-{client_id}")))

    held = call(app, "DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id})["UserPoolClient"]
    assert held["AllowedOAuthFlowsUserPoolClient"] is True
    assert held["AllowedOAuthFlows"] == ["code"]
    assert sorted(held["AllowedOAuthScopes"]) == ["https://api.example.com/orders.read", "openid"]
    assert held["CallbackURLs"] == ["http://localhost:3000/cb"]
    assert held["ClientName"] == "web"
    app.screenshot("oauth-saved")


def test_brand_the_login_pages_for_all_clients(app, tmp_path):
    pool_id = new_pool(app)
    call(app, "CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": "shop-brand"})
    client_id = call(app, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "web"})["UserPoolClient"]["ClientId"]
    open_integration(app)
    app.wait().until(lambda d: any("Nothing saved for all clients" in t for t in app.texts("branding-saved")))

    # Refused before sending: a selector outside the customizable classes.
    app.type("branding-css", "body { color: red }")
    app.click("branding-save")
    app.wait().until(lambda d: any('"body" is not allowed' in t for t in app.texts("branding-css-error")))
    assert "CSS" not in call(app, "GetUICustomization", {"UserPoolId": pool_id, "ClientId": "ALL"})["UICustomization"]

    app.type("branding-css", BRAND_CSS)
    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png())
    app.driver.file_detector = UselessFileDetector()
    app.driver.find_element(By.CSS_SELECTOR, '[data-testid="branding-logo"]').send_keys(str(logo))
    app.wait().until(lambda d: any("logo.png" in t for t in app.texts("branding-logo-chosen")))

    # The preview draws what is typed and the logo (in its own shadow root, styled through the
    # CSSOM, which the app's Content-Security-Policy allows where inline <style> is refused).
    preview = app.by("branding-preview")
    button_colour = "return getComputedStyle(arguments[0].shadowRoot.querySelector('.submitButton-customizable')).backgroundColor"
    app.wait().until(lambda d: d.execute_script(button_colour, preview) == "rgb(15, 118, 110)")
    html = app.driver.execute_script("return arguments[0].shadowRoot.innerHTML", preview)
    assert 'class="logo-customizable" src="data:image/png;base64,' in html
    assert "<script" not in html
    assert app.driver.execute_script("return !!arguments[0].shadowRoot.querySelector('.banner-customizable img.logo-customizable')", preview)
    app.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", preview)
    app.screenshot("branding-preview")

    app.click("branding-save")
    app.wait().until(lambda d: any("Branding for all clients saved" in t for t in app.texts("toast-ok")))
    saved = call(app, "GetUICustomization", {"UserPoolId": pool_id, "ClientId": "ALL"})["UICustomization"]
    assert saved["ClientId"] == "ALL"
    assert saved["CSS"] == BRAND_CSS
    assert saved.get("ImageUrl"), saved
    app.wait().until(lambda d: any("Saved for all clients" in t for t in app.texts("branding-saved")))

    # A client without its own branding shows the pool's, and says so.
    app.wait().until(lambda d: d.find_elements(By.CSS_SELECTOR, f'[data-testid="branding-scope"] option[value="{client_id}"]'))
    Select(app.by("branding-scope")).select_by_value(client_id)
    app.wait().until(lambda d: any("uses the pool's (All clients)" in t for t in app.texts("branding-inherited")))
    assert app.by("branding-css").get_attribute("value") == BRAND_CSS
    inherited = call(app, "GetUICustomization", {"UserPoolId": pool_id, "ClientId": client_id})["UICustomization"]
    assert inherited["ClientId"] == "ALL"
    app.screenshot("branding-inherited")


def test_style_a_clients_managed_login_pages(app):
    pool_id = new_pool(app)
    call(app, "CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": "shop-managed", "ManagedLoginVersion": 2})
    client_id = call(app, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "web"})["UserPoolClient"]["ClientId"]
    open_integration(app)
    app.wait().until(lambda d: d.find_elements(By.CSS_SELECTOR, f'[data-testid="mlb-client"] option[value="{client_id}"]'))
    Select(app.by("mlb-client")).select_by_value(client_id)
    app.by("mlb-none")
    app.click("mlb-choice-custom")
    app.click("mlb-create")

    # A colour that is no colour is refused before anything is sent.
    app.type("mlb-light-pageBackground", "navy")
    app.click("mlb-save")
    app.wait().until(lambda d: app.texts("mlb-light-pageBackground-error"))
    app.type("mlb-light-pageBackground", "112233")
    app.type("mlb-light-buttonBackground", "#fee715")
    Select(app.by("mlb-scheme")).select_by_value("DYNAMIC")
    # The preview draws the typed colours (through the CSSOM, as the app's CSP requires).
    preview = app.by("mlb-preview")
    button_colour = "return getComputedStyle(arguments[0].shadowRoot.querySelector('button')).backgroundColor"
    app.wait().until(lambda d: d.execute_script(button_colour, preview) == "rgb(254, 231, 21)")
    app.click("mlb-preview-dark")
    app.wait().until(lambda d: d.execute_script(button_colour, preview) == "rgb(83, 159, 229)")
    app.click("mlb-preview-light")
    app.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", preview)
    app.screenshot("managed-login-preview")
    app.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", app.by("mlb-save"))
    app.screenshot("managed-login-style")
    app.click("mlb-save")
    app.wait().until(lambda d: app.all("mlb-summary"))

    saved = call(app, "DescribeManagedLoginBrandingByClient", {"UserPoolId": pool_id, "ClientId": client_id})["ManagedLoginBranding"]
    settings = saved["Settings"]
    assert saved["UseCognitoProvidedValues"] is False
    assert settings["components"]["pageBackground"]["lightMode"]["color"] == "112233ff"
    assert settings["components"]["primaryButton"]["lightMode"]["defaults"]["backgroundColor"] == "fee715ff"
    assert settings["categories"]["global"]["colorSchemeMode"] == "DYNAMIC"

    # Deleting asks first, then the client has no style again.
    app.click("mlb-delete")
    app.by("confirm-dialog")
    app.click("confirm-ok")
    app.by("mlb-none")
    error = app.driver.execute_async_script(
        """
        const [pool, client, done] = arguments;
        window.__TAURI_INTERNALS__.invoke("call", {connection: "local",
          target: "AWSCognitoIdentityProviderService.DescribeManagedLoginBrandingByClient",
          input: {UserPoolId: pool, ClientId: client}}).then(() => done("found"), (e) => done(JSON.stringify(e)));
        """,
        pool_id,
        client_id,
    )
    assert "ResourceNotFoundException" in error


def test_the_tab_is_usable_at_1024x700(app):
    app.driver.set_window_size(1024, 700)
    pool_id = new_pool(app)
    call(app, "CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": "shop-narrow"})
    client = call(app, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "a-client-with-a-rather-long-name-for-the-list"})
    client_id = client["UserPoolClient"]["ClientId"]
    call(app, "CreateResourceServer", {
        "UserPoolId": pool_id, "Identifier": "https://a-long-resource-server-identifier.example.com/api/v1", "Name": "API",
        "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}],
    })
    open_integration(app)
    app.wait().until(lambda d: app.texts("domain-prefix-name") == ["shop-narrow"])
    app.wait().until(lambda d: app.all("resource-server-row"))
    app.by(f"client-oauth-edit-{client_id}")
    app.by("branding-preview")
    app.type("branding-css", ".label-customizable, .inputField-customizable:focus, .submitButton-customizable:hover { color: #123456; }")
    no_sideways_scroll(app)

    # Every section's controls can be reached and are not cut off on the right.
    for testid in ("domain-edit-prefix", "resource-server-create", f"client-oauth-edit-{client_id}",
                   "branding-scope", "branding-css", "branding-logo", "branding-save", "branding-preview"):
        element = app.by(testid) if testid != "branding-logo" else app.driver.find_element(By.CSS_SELECTOR, '[data-testid="branding-logo"]')
        app.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        assert inside_window(app, element), testid
    app.screenshot("narrow-branding")
    no_sideways_scroll(app)
