"""The Sign-in providers tab and a user's linked identities in the real window: a Google
provider added through its form (its secret never shown back), an identity linked to a user
from the user's drawer, an identity pool's sign-in providers edited in its settings, and an IAM
SAML provider registered on the identity pools screen, each ending in what the server now holds."""
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


def idp_metadata(folder) -> str:
    """A SAML identity provider's metadata with an openssl-made signing certificate."""
    import subprocess

    key, cert = folder / "idp.key", folder / "idp.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=corp-idp",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    body = "".join(line for line in cert.read_text().splitlines() if not line.startswith("-----"))
    redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.corp.example/metadata">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
        f'<md:SingleLogoutService Binding="{redirect}" Location="https://idp.corp.example/slo"/>'
        f'<md:SingleSignOnService Binding="{redirect}" Location="https://idp.corp.example/sso"/>'
        '</md:IDPSSODescriptor></md:EntityDescriptor>'
    )


def test_add_a_saml_provider_from_its_metadata_and_download_its_certificates(app):
    pool_id = new_pool(app)
    call(app, "CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": "shop-saml"})
    metadata = idp_metadata(app.home)
    open_pool_tab(app, "tab-providers")
    app.click("provider-add")
    Select(app.by("provider-type")).select_by_value("SAML")
    form = app.by("provider-form")
    # What the identity provider needs first: the pool's entity ID and its signing certificate.
    assert app.text_of("saml-sp-entity-id") == f"urn:amazon:cognito:sp:{pool_id}"
    app.wait(30).until(lambda d: "BEGIN CERTIFICATE" in app.text_of("saml-sp-cert-pem"))
    app.type("provider-name", "Corp", within=form)
    app.click("provider-saml-source-file")
    app.driver.execute_script(
        "const el = document.querySelector('[data-testid=\"provider-saml-file\"]');"
        "const set = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;"
        "set.call(el, arguments[0]); el.dispatchEvent(new Event('input', { bubbles: true }));",
        metadata,
    )
    app.click("provider-saml-encrypted")
    app.click("provider-saml-signout")
    app.screenshot("add-saml")
    app.click("provider-save")
    app.wait(30).until(lambda d: any("Corp" in t for t in app.texts("provider-row")))

    saved = call(app, "DescribeIdentityProvider", {"UserPoolId": pool_id, "ProviderName": "Corp"})["IdentityProvider"]
    details = saved["ProviderDetails"]
    assert saved["ProviderType"] == "SAML" and details["MetadataFile"] == metadata
    assert details["SSORedirectBindingURI"] == "https://idp.corp.example/sso" and details["IDPSignout"] == "true"
    assert details["EncryptedResponses"] == "true" and details["ActiveEncryptionCertificate"]

    app.click("provider-details-Corp")
    app.wait().until(lambda d: "BEGIN CERTIFICATE" in app.text_of("provider-encryption-cert-pem"))
    app.screenshot("saml-details")
    # Downloads land in the user's Downloads folder, never over a file already there.
    downloads = app.home / "Downloads"
    for _ in range(2):
        app.click("provider-encryption-cert-download")
    saved_files = [downloads / "Corp-encryption.cer", downloads / "Corp-encryption (2).cer"]

    def written(path):
        # A download's file appears before its bytes are in it.
        return path.is_file() and path.read_text().endswith("-----END CERTIFICATE-----\n")

    app.wait(15).until(lambda d: all(written(p) for p in saved_files))
    pem = saved_files[0].read_text()
    assert "".join(pem.splitlines()[1:-1]) == details["ActiveEncryptionCertificate"]
    assert saved_files[1].read_text() == pem
    assert sorted(p.name for p in downloads.iterdir()) == sorted(p.name for p in saved_files)


IAM = "AWSIdentityManagementV20100508"


def test_register_an_iam_saml_provider_on_the_identity_pools_screen(app):
    metadata = idp_metadata(app.home)
    assert len(metadata) >= 1000, "IAM takes metadata documents of 1,000 characters or more"
    app.driver.refresh()
    app.click("nav-identity-pools")
    app.by("saml-providers")
    # A new home: the registry is empty once read.
    app.wait(30).until(lambda d: "No SAML providers yet" in "".join(app.texts("saml-providers")))

    app.click("saml-provider-add")
    app.type("saml-provider-name", "CorpIdP")
    # Pasted: typed key by key, a certificate's worth of base64 would take minutes.
    app.driver.execute_script(
        "const el = document.querySelector('[data-testid=\"saml-provider-metadata\"]');"
        "const set = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;"
        "set.call(el, arguments[0]); el.dispatchEvent(new Event('input', { bubbles: true }));",
        metadata,
    )
    app.wait().until(lambda d: d.execute_script(
        "return document.querySelector('[data-testid=\"saml-provider-metadata\"]').value.length") == len(metadata))
    app.screenshot("add-iam-saml-provider")
    app.click("saml-provider-save")
    app.wait(30).until(lambda d: any("CorpIdP" in t for t in app.texts("saml-provider-row")))
    app.wait().until(lambda d: not app.all("saml-provider-dialog"))
    assert not app.all("saml-provider-error"), app.texts("saml-provider-error")

    listed = call(app, f"{IAM}.ListSAMLProviders", {})["SAMLProviderList"]
    arns = [p["Arn"] for p in listed]
    assert len(arns) == 1 and arns[0].startswith("arn:aws:iam::") and arns[0].endswith(":saml-provider/CorpIdP"), arns
    assert arns[0] in next(t for t in app.texts("saml-provider-row") if "CorpIdP" in t)
    saved = call(app, f"{IAM}.GetSAMLProvider", {"SAMLProviderArn": arns[0]})
    assert saved["SAMLMetadataDocument"] == metadata
    app.by("saml-provider-delete-CorpIdP")
    app.by("saml-provider-replace-CorpIdP")
    app.screenshot("iam-saml-providers")
