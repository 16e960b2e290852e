"""The Sign-in providers tab and a user's linked identities in the real window: a Google
provider added through its form (its secret never shown back), an identity linked to a user
from the user's drawer, and an identity pool's sign-in providers edited in its settings, each
ending in what the server now holds."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_app_integration import call, new_pool


def open_pool_tab(app, tab, name="shop"):
    app.driver.refresh()
    app.wait(30).until(lambda d: any(name in t for t in app.texts("pool-row")))
    row = next(r for r in app.all("pool-row") if name in r.text)
    links = row.find_elements(By.CSS_SELECTOR, "button.link-button")
    app.click_element(links[0] if links else row.find_elements(By.TAG_NAME, "td")[1])
    app.click(tab)


def test_add_a_google_provider_and_link_an_identity_to_a_user(app):
    pool_id = new_pool(app)
    call(app, "CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": "shop-providers"})
    call(app, "AdminCreateUser", {"UserPoolId": pool_id, "Username": "ada", "MessageAction": "SUPPRESS"})
    open_pool_tab(app, "tab-providers")
    app.by("providers-tab")
    # Not serving yet: the redirect URI is shown with its endpoint still to come.
    assert "/domains/shop-providers/oauth2/idpresponse" in app.text_of("provider-redirect-none")

    app.click("provider-add")
    Select(app.by("provider-type")).select_by_value("Google")
    form = app.by("provider-form")
    app.type("provider-client-id", "1234.apps.googleusercontent.com", within=form)
    app.type("provider-client-secret", "google-secret-value", within=form)
    app.type("provider-authorize-scopes", "openid email profile", within=form)
    app.screenshot("add-google")
    app.click("provider-save")
    app.wait().until(lambda d: any("Google" in t for t in app.texts("provider-row")))

    saved = call(app, "DescribeIdentityProvider", {"UserPoolId": pool_id, "ProviderName": "Google"})["IdentityProvider"]
    assert saved["ProviderType"] == "Google"
    assert saved["ProviderDetails"]["client_secret"] == "google-secret-value"
    assert saved["ProviderDetails"]["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"

    app.click("provider-details-Google")
    app.by("provider-details")
    assert "google-secret-value" not in app.driver.page_source, "the secret is never rendered"
    assert app.text_of("provider-detail-client_secret") == "••••"
    app.screenshot("google-details")

    # Link an identity to ada from her drawer.
    app.click("tab-users")
    app.wait().until(lambda d: any("ada" in t for t in app.texts("user-row")))
    app.click_element(next(r for r in app.all("user-row") if "ada" in r.text).find_element(By.CSS_SELECTOR, "td.col-name"))
    app.by("user-drawer")
    app.wait().until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="identity-link-provider"] option[value="Google"]'))
    Select(app.by("identity-link-provider")).select_by_value("Google")
    app.type("identity-link-subject", "108000000000000000001")
    app.click("identity-link")
    app.wait().until(lambda d: any("108000000000000000001" in t for t in app.texts("user-identity")))
    attrs = {a["Name"]: a["Value"] for a in call(app, "AdminGetUser", {"UserPoolId": pool_id, "Username": "ada"})["UserAttributes"]}
    assert '"userId":"108000000000000000001"' in attrs["identities"].replace(" ", "")
    app.screenshot("linked-identity")


def test_an_identity_pools_sign_in_providers_are_edited_in_its_settings(app):
    from test_window import open_row

    created = call(app, "AWSCognitoIdentityService.CreateIdentityPool", {"IdentityPoolName": "social_ids", "AllowUnauthenticatedIdentities": False})
    pool_id = created["IdentityPoolId"]
    app.driver.refresh()
    app.click("nav-identity-pools")
    app.wait().until(lambda d: any("social_ids" in t for t in app.texts("identity-pool-row")))
    open_row(next(r for r in app.all("identity-pool-row") if "social_ids" in r.text))
    fields = app.by("identity-pool-login-providers")
    app.click("identity-pool-login-add")
    app.type("identity-pool-login-provider-0", "accounts.google.com", within=fields)
    app.type("identity-pool-login-appids-0", "1234.apps.googleusercontent.com", within=fields)
    app.click("identity-pool-oidc-add")
    app.type("identity-pool-oidc-arn-0", "not an arn")
    app.click("identity-pool-submit")
    app.wait().until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="identity-pool-oidc"] [role="alert"], [data-testid="identity-pool-oidc"] .field-error'))
    assert "SupportedLoginProviders" not in call(app, "AWSCognitoIdentityService.DescribeIdentityPool", {"IdentityPoolId": pool_id}), "nothing sent"
    app.type("identity-pool-oidc-arn-0", "arn:aws:iam::123456789012:oidc-provider/idp.example.com")
    app.screenshot("identity-pool-providers")
    app.click("identity-pool-submit")
    app.wait().until(
        lambda d: call(app, "AWSCognitoIdentityService.DescribeIdentityPool", {"IdentityPoolId": pool_id}).get("SupportedLoginProviders")
    )
    saved = call(app, "AWSCognitoIdentityService.DescribeIdentityPool", {"IdentityPoolId": pool_id})
    assert saved["SupportedLoginProviders"] == {"accounts.google.com": "1234.apps.googleusercontent.com"}
    assert saved["OpenIdConnectProviderARNs"] == ["arn:aws:iam::123456789012:oidc-provider/idp.example.com"]
