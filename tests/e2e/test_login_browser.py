"""The managed login pages in a real browser: Debian's Chromium, driven by playwright-core,
with openid-client (Node's certified OpenID Connect relying party) doing discovery, PKCE, the
code exchange and userinfo, and AWS's aws-jwt-verify checking the tokens.

Each test sets a pool up with boto3 and runs tests/e2e/js/login_browser.mjs (installed by
`npm ci --prefix tests/e2e/js`; Chromium by `apt-get install chromium`) for one scenario, then
asserts on the JSON it prints: what the browser saw and what the client got."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pyotp
import pytest

from conftest import OTHER_PASSWORD, PASSWORD, latest_code
from saml_idp import saml_idp  # noqa: F401 (a fixture)

JS_DIR = Path(__file__).resolve().parent / "js"
JS_SCRIPT = JS_DIR / "login_browser.mjs"
JS_LIBRARIES = ["playwright-core", "openid-client", "aws-jwt-verify"]
CHROMIUM = os.environ.get("POOLDESK_CHROMIUM", "/usr/bin/chromium")

APP_TITLE_WITH_SCRIPTS = "App (scripts run)"  # the script's app page retitles itself when scripts run


def free_port() -> int:
    """A loopback port nobody listens on now: the script serves the app's redirect URIs there."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """A pool with a domain and a public app client for the code flow."""

    def __init__(self, idp, server, make_pool, make_client) -> None:
        self.idp, self.server = idp, server
        self.pool_id = make_pool()["Id"]
        idp.create_user_pool_domain(Domain=f"browser{uuid.uuid4().hex[:10]}", UserPoolId=self.pool_id)
        self.make_client = make_client
        app = f"http://localhost:{free_port()}"
        self.callback, self.signed_out = f"{app}/callback", f"{app}/bye"
        self.client_id = self.add_client()["ClientId"]
        self.issuer = f"{server.endpoint}/{self.pool_id}"

    def add_client(self) -> dict:
        return self.make_client(
            self.pool_id,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            CallbackURLs=[self.callback],
            LogoutURLs=[self.signed_out],
        )

    def sub_of(self, username: str) -> str:
        attrs = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=username)["UserAttributes"]
        return next(a["Value"] for a in attrs if a["Name"] == "sub")


@pytest.fixture
def site(idp, server, make_pool, make_client):
    return Site(idp, server, make_pool, make_client)


def run_browser(site: Site, scenario: str, username: str, password: str, tmp_path: Path, answer=None, **extra) -> dict:
    """Runs login_browser.mjs for one scenario; its JSON report (asserted to be ok). `answer`
    gives what the script asks for on the way (sign_up's e-mailed code)."""
    missing = [name for name in JS_LIBRARIES if not (JS_DIR / "node_modules" / name / "package.json").is_file()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing from {JS_DIR / 'node_modules'}: install the Node clients with `npm ci --prefix tests/e2e/js`")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is not there: install Debian's Chromium (`apt-get install --no-install-recommends chromium`) or set POOLDESK_CHROMIUM")
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed (Node 20+ is needed for the browser sign-in tests)")
    payload = {
        "scenario": scenario,
        "issuer": site.issuer,
        "clientId": site.client_id,
        "username": username,
        "password": password,
        "redirectUri": site.callback,
        "chromium": CHROMIUM,
        "artifactsDir": str(tmp_path / "browser"),
        **extra,
    }
    env = dict(os.environ, POOLDESK_BROWSER_INPUT=json.dumps(payload))
    lines: list[str] = []
    with (tmp_path / f"{scenario}.stderr").open("w+") as stderr:
        proc = subprocess.Popen([node, str(JS_SCRIPT)], cwd=JS_DIR, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            assert proc.stdin is not None and proc.stdout is not None
            for line in proc.stdout:  # the script gives up on its own after 90 s
                need = json.loads(line).get("need") if line.startswith('{"need"') else None
                if need is None:
                    lines.append(line)
                    continue
                assert answer is not None, f"the script asked for {need}, and the test has nothing to give"
                proc.stdin.write(answer(need) + "\n")
                proc.stdin.flush()
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        stderr.seek(0)
        errors = stderr.read()
    assert lines, f"login_browser.mjs printed nothing (exit {proc.returncode})\nstderr: {errors}"
    report = json.loads(lines[-1])
    assert proc.returncode == 0 and report["ok"], f"login_browser.mjs failed: {json.dumps(report, indent=1)}\nstderr: {errors[-3000:]}"
    return report


def assert_signed_in(site: Site, got: dict, username: str, email: str, client_id: str | None = None) -> None:
    """What a relying party relies on after the code exchange: verified tokens for this user."""
    client_id = client_id or site.client_id
    sub = site.sub_of(username)
    assert got["stateReturned"] == got["stateSent"], "the state comes back unchanged"
    # openid-client lower-cases token_type (it is case-insensitive, RFC 6749 §5.1).
    assert got["tokenType"] == "bearer" and got["expiresIn"] > 0 and got["hasRefreshToken"]
    # openid-client's own ID token checks passed, and it saw the same claims.
    assert got["openidClientClaims"] == {"sub": sub, "aud": client_id, "iss": site.issuer, "nonce": got["nonceSent"]}
    # aws-jwt-verify verified both tokens' signatures against the JWKS, issuer, audience, expiry.
    id_token, access = got["idToken"], got["accessToken"]
    assert id_token["sub"] == sub and id_token["nonce"] == got["nonceSent"]
    assert id_token["aud"] == client_id and id_token["iss"] == site.issuer and id_token["token_use"] == "id"
    assert id_token["cognito:username"] == username and id_token["email"] == email
    assert access["sub"] == sub and access["client_id"] == client_id and access["token_use"] == "access"
    assert access["scope"].split() == ["openid", "email"] and access["username"] == username
    info = got["userinfo"]
    assert info["sub"] == sub and info["email"] == email and info["username"] == username


def titles(report: dict) -> list[str]:
    return [step["title"] for step in report["steps"]]


def test_code_flow_with_pkce_in_chromium(site, make_user, tmp_path):
    user = make_user(site.pool_id, "ann")
    report = run_browser(site, "code_pkce", "ann", PASSWORD, tmp_path)
    assert report["browser"].startswith("chromium ")
    assert report["discovery"]["issuer"] == site.issuer
    assert "S256" in report["discovery"]["code_challenge_methods_supported"]
    assert titles(report) == ["Sign in", APP_TITLE_WITH_SCRIPTS], report["steps"]
    callback = report["callback"]
    assert callback["at"] == site.callback and set(callback["query"]) == {"code", "state"}
    assert report["jsRanAtApp"], "JavaScript runs in this context (the no-JS test relies on the difference)"
    assert_signed_in(site, report, "ann", user.email)


def test_the_pages_work_without_javascript(site, make_user, tmp_path):
    user = make_user(site.pool_id, "ben")
    report = run_browser(site, "no_js", "ben", PASSWORD, tmp_path)
    assert not report["jsRanAtApp"], "scripts were off in this browser context"
    assert titles(report) == ["Sign in", "App"], report["steps"]
    assert_signed_in(site, report, "ben", user.email)


def test_single_sign_on_skips_the_form_for_the_pools_other_client(site, make_user, tmp_path):
    user = make_user(site.pool_id, "cat")
    other = site.add_client()["ClientId"]
    report = run_browser(site, "sso", "cat", PASSWORD, tmp_path, otherClientId=other)
    assert_signed_in(site, report["first"], "cat", user.email)
    second = report["second"]
    assert not second["formShown"], f"client B should get a code without the form: {report['steps']}"
    assert second["callback"]["at"] == site.callback
    assert_signed_in(site, second, "cat", user.email, client_id=other)
    forced = report["promptLogin"]
    assert forced["formShown"], "prompt=login shows the form even with a session"
    assert_signed_in(site, forced, "cat", user.email, client_id=other)


def test_logout_ends_the_browser_session(site, make_user, tmp_path):
    user = make_user(site.pool_id, "dan")
    report = run_browser(site, "logout", "dan", PASSWORD, tmp_path, logoutUri=site.signed_out)
    assert_signed_in(site, report["first"], "dan", user.email)
    assert not report["beforeLogout"]["formShown"], "before logout the session answers"
    assert report["endSessionUrl"].startswith(report["discovery"]["end_session_endpoint"] + "?")
    assert report["logout"]["landedAt"] == site.signed_out, report["logout"]
    assert report["afterLogout"]["formShown"], f"after logout the form again: {report['afterLogout']}"
    assert report["promptNone"]["error"] == "login_required"


def test_a_temporary_password_is_changed_in_the_browser(idp, site, tmp_path):
    email = "eve@example.com"
    idp.admin_create_user(
        UserPoolId=site.pool_id,
        Username="eve",
        TemporaryPassword="Temp-Pass1!",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )
    report = run_browser(site, "new_password", "eve", "Temp-Pass1!", tmp_path, newPassword=OTHER_PASSWORD)
    assert report["challengePage"]["title"] == "Change your password" and report["newPasswordField"]
    assert_signed_in(site, report, "eve", email)
    assert_signed_in(site, report["later"], "eve", email)
    assert idp.admin_get_user(UserPoolId=site.pool_id, Username="eve")["UserStatus"] == "CONFIRMED"


def test_an_authenticator_code_in_the_browser(idp, anon_idp, site, make_user, make_client, tmp_path):
    user = make_user(site.pool_id, "fin")
    idp.set_user_pool_mfa_config(UserPoolId=site.pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL")
    api = make_client(site.pool_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    access = anon_idp.initiate_auth(ClientId=api, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "fin", "PASSWORD": PASSWORD})[
        "AuthenticationResult"
    ]["AccessToken"]
    secret = anon_idp.associate_software_token(AccessToken=access)["SecretCode"]
    anon_idp.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now())
    anon_idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    time.sleep(max(0.0, 30 - time.time() % 30 + 0.2))  # a fresh time step: each code works once

    report = run_browser(site, "totp", "fin", PASSWORD, tmp_path, totpSecret=secret)
    assert report["challengePage"]["title"] == "Enter your code" and report["codeField"]
    wrong = report["wrongCode"]
    assert wrong["title"] == "Enter your code" and wrong["errors"], "a wrong code is refused on the page"
    assert_signed_in(site, report, "fin", user.email)


def test_sign_up_with_the_emailed_code_in_the_browser(idp, site, server, tmp_path):
    email = "gil@example.com"
    report = run_browser(site, "sign_up", "gil", PASSWORD, tmp_path, answer=lambda _: latest_code(server, site.pool_id, "gil"), email=email)
    assert report["signUpPage"]["title"] == "Sign up" and report["confirmPage"]["title"] == "Confirm your account", report["steps"]
    assert report["notices"] == ["Your account is confirmed. Sign in."]
    assert_signed_in(site, report, "gil", email)
    assert idp.admin_get_user(UserPoolId=site.pool_id, Username="gil")["UserStatus"] == "CONFIRMED"


def test_a_managed_login_style_colours_the_page_in_light_and_dark_browsers(idp, site, make_user, tmp_path):
    """A version 2 domain with a style that follows the browser (DYNAMIC), and a form logo."""
    domain = idp.describe_user_pool(UserPoolId=site.pool_id)["UserPool"]["Domain"]
    idp.update_user_pool_domain(Domain=domain, UserPoolId=site.pool_id, ManagedLoginVersion=2)
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    settings = {
        "categories": {"global": {"colorSchemeMode": "DYNAMIC"}},
        "components": {
            "pageBackground": {"lightMode": {"color": "f0f4f8ff"}, "darkMode": {"color": "101820ff"}},
            "primaryButton": {"lightMode": {"defaults": {"backgroundColor": "e4572eff", "textColor": "ffffffff"}}},
        },
    }
    idp.create_managed_login_branding(
        UserPoolId=site.pool_id,
        ClientId=site.client_id,
        Settings=settings,
        Assets=[{"Category": "FORM_LOGO", "ColorMode": "DYNAMIC", "Extension": "PNG", "Bytes": png}],
    )
    user = make_user(site.pool_id, "hal")
    report = run_browser(site, "styled", "hal", PASSWORD, tmp_path)
    light, dark = report["looks"]["light"], report["looks"]["dark"]
    assert light["title"] == dark["title"] == "Sign in"
    assert light["page"] == "rgb(240, 244, 248)" and dark["page"] == "rgb(16, 24, 32)"
    assert light["button"] == "rgb(228, 87, 46)" and light["buttonText"] == "rgb(255, 255, 255)"
    assert dark["button"] == "rgb(83, 159, 229)", "the dark button keeps Cognito's default"
    assert light["logoWidth"] == 1, "the form logo loads under the page's Content-Security-Policy"
    assert_signed_in(site, report["signedIn"], "hal", user.email)


def test_sign_in_and_out_through_a_saml_provider_in_chromium(idp, site, saml_idp, tmp_path):  # noqa: F811
    """samlify's IdP (js/saml_idp.mjs) with PoolDesk as its service provider: the provider's
    button, its form, the response the browser posts back; the work e-mail field routing to it;
    and a sign-out that ends the provider's session too."""
    provider = saml_idp([{"username": "erin", "password": "Idp-Passw0rd!", "name_id": "erin@corp.example", "name_id_format": "email",
                          "attributes": {"email": "erin@corp.example"}}])
    idp.create_identity_provider(
        UserPoolId=site.pool_id, ProviderName="Corp", ProviderType="SAML",
        ProviderDetails={"MetadataURL": provider.metadata_url, "IDPSignout": "true", "RequestSigningAlgorithm": "rsa-sha256"},
        AttributeMapping={"email": "email"}, IdpIdentifiers=["corp.example"],
    )
    domain = idp.describe_user_pool(UserPoolId=site.pool_id)["UserPool"]["Domain"]
    base = f"{site.server.endpoint}/domains/{domain}"
    provider.register_sp(
        entity_id=f"urn:amazon:cognito:sp:{site.pool_id}", acs_url=f"{base}/saml2/idpresponse", slo_url=f"{base}/saml2/logout",
        signing_cert=idp.get_signing_certificate(UserPoolId=site.pool_id)["Certificate"], want_signed_requests=True, encrypt=False,
    )
    idp.update_user_pool_client(
        UserPoolId=site.pool_id, ClientId=site.client_id, AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"], CallbackURLs=[site.callback], LogoutURLs=[site.signed_out],
        SupportedIdentityProviders=["COGNITO", "Corp"],
    )
    report = run_browser(site, "saml", "erin", "Idp-Passw0rd!", tmp_path, provider="Corp", workEmail="someone@corp.example", logoutUri=site.signed_out)
    signed_in = report["byButton"]
    assert signed_in["providerForm"]["title"] == "SAML IdP sign in"
    assert signed_in["idToken"]["cognito:username"] == "Corp_erin@corp.example" and signed_in["idToken"]["email"] == "erin@corp.example"
    assert signed_in["stateReturned"] == signed_in["stateSent"]
    assert report["routedTo"]["title"] == "SAML IdP sign in", "the work e-mail address's domain names the provider"
    assert report["providerLogout"]["title"] == "SAML IdP logout"
    assert report["logout"]["landedAt"] == site.signed_out
    assert report["afterLogout"]["formShown"]
    assert provider.last_logout()["name_id"] == "erin@corp.example"
