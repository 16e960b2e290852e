"""The managed login pages and the authorization code flow, end to end: Authlib (a real OAuth
2.0 / OpenID Connect client) builds the authorization request from discovery and exchanges
the code with PKCE; the pages are used as a browser without JavaScript uses them."""

from __future__ import annotations

import subprocess
import time
import uuid

import jwt
import pyotp
import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from botocore.exceptions import ClientError

from conftest import OTHER_PASSWORD, PASSWORD, POOLDESK_BIN, error_code, pooldesk_call
from login_pages import Browser, Page, fragment_of, query_of

CALLBACK = "http://localhost:3000/callback"
SIGNED_OUT = "http://localhost:3000/bye"


class Site:
    """A pool with a domain and an app client for the code flow (plus what a test adds)."""

    def __init__(self, idp, server, make_pool, make_client, **pool_params) -> None:
        self.idp, self.server = idp, server
        self.pool_id = make_pool(**pool_params)["Id"]
        self.domain = f"login{uuid.uuid4().hex[:10]}"
        idp.create_user_pool_domain(Domain=self.domain, UserPoolId=self.pool_id)
        self.make_client = make_client
        self.client = self.add_client()
        self.discovery = requests.get(f"{server.endpoint}/{self.pool_id}/.well-known/openid-configuration", timeout=10).json()

    def add_client(self, **overrides) -> dict:
        params = {
            "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
            "CallbackURLs": [CALLBACK],
            "LogoutURLs": [SIGNED_OUT],
        }
        params.update(overrides)
        return self.make_client(self.pool_id, **params)

    def oauth(self, client: dict | None = None, **kwargs) -> OAuth2Session:
        client = client or self.client
        return OAuth2Session(
            client["ClientId"], client.get("ClientSecret"), redirect_uri=CALLBACK, scope="openid email", code_challenge_method="S256", **kwargs
        )

    def authorize_url(self, session: OAuth2Session, **params) -> tuple[str, str, str]:
        """The authorization URL with PKCE (S256), a state and a nonce: (url, verifier, nonce)."""
        verifier = generate_token(48)
        nonce = generate_token(20)
        url, _state = session.create_authorization_url(self.discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **params)
        return url, verifier, nonce

    def verify(self, token: str, audience: str | None = None) -> dict:
        key = jwt.PyJWKClient(self.discovery["jwks_uri"]).get_signing_key_from_jwt(token)
        options = {} if audience else {"verify_aud": False}
        return jwt.decode(token, key.key, algorithms=["RS256"], issuer=self.discovery["issuer"], audience=audience, options=options)


@pytest.fixture
def site(idp, server, make_pool, make_client):
    return Site(idp, server, make_pool, make_client)


def test_authlib_signs_in_through_the_pages_with_pkce(site, server, make_user):
    user = make_user(site.pool_id, "carol")
    oauth = site.oauth()
    url, verifier, nonce = site.authorize_url(oauth)
    browser = Browser(server.endpoint)
    form = browser.get(url)
    assert isinstance(form, Page) and form.title == "Sign in"
    assert form.label_of("username") == "Username" and form.label_of("password") == "Password"
    assert form.form.buttons == ["Sign in"]
    back = browser.submit(form, username="carol", password=PASSWORD)
    assert isinstance(back, str) and back.startswith(CALLBACK + "?"), back
    assert query_of(back)["state"] == query_of(url)["state"]

    token = oauth.fetch_token(site.discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    assert {"id_token", "access_token", "refresh_token", "expires_in", "token_type"} <= set(token)
    id_claims = site.verify(token["id_token"], audience=site.client["ClientId"])
    assert id_claims["sub"] == user.sub and id_claims["nonce"] == nonce
    assert id_claims["email"] == user.email and id_claims["token_use"] == "id"
    access = site.verify(token["access_token"])
    assert access["scope"] == "openid email" and access["client_id"] == site.client["ClientId"]

    info = oauth.get(site.discovery["userinfo_endpoint"]).json()
    assert info == {"sub": user.sub, "email": user.email, "email_verified": "true", "username": "carol"}


def test_a_code_is_single_use_and_bound_to_its_verifier_and_redirect_uri(site, server, make_user):
    make_user(site.pool_id, "dave")
    token_url = site.discovery["token_endpoint"]

    def code_for() -> tuple[str, str]:
        url, verifier, _ = site.authorize_url(site.oauth())
        back = Browser(server.endpoint).sign_in(url, "dave", PASSWORD)
        return query_of(back)["code"], verifier

    def exchange(code: str, verifier: str | None, redirect_uri: str = CALLBACK) -> requests.Response:
        form = {"grant_type": "authorization_code", "client_id": site.client["ClientId"], "code": code, "redirect_uri": redirect_uri}
        if verifier:
            form["code_verifier"] = verifier
        return requests.post(token_url, data=form, timeout=10)

    code, verifier = code_for()
    first = exchange(code, verifier)
    assert first.status_code == 200
    again = exchange(code, verifier)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant"), "a code works once"
    # RFC 6749 §4.1.2: a code presented twice may be stolen; what it issued is revoked.
    refresh = {"grant_type": "refresh_token", "client_id": site.client["ClientId"], "refresh_token": first.json()["refresh_token"]}
    assert requests.post(token_url, data=refresh, timeout=10).json()["error"] == "invalid_grant"
    info = requests.get(site.discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {first.json()['access_token']}"}, timeout=10)
    assert info.status_code == 401

    code, verifier = code_for()
    wrong = exchange(code, verifier[::-1])
    assert wrong.json()["error"] == "invalid_grant"
    assert exchange(code, verifier).json()["error"] == "invalid_grant", "a failed exchange uses the code up"

    code, verifier = code_for()
    assert exchange(code, None).json()["error"] == "invalid_grant", "PKCE's verifier is required once a challenge was sent"
    code, verifier = code_for()
    assert exchange(code, verifier, "http://localhost:3000/other").json()["error"] == "invalid_grant"


def test_a_wrong_password_shows_the_form_again_without_saying_whether_the_user_exists(idp, server, make_pool, make_client, make_user):
    site = Site(idp, server, make_pool, make_client)
    site.client = site.add_client(PreventUserExistenceErrors="ENABLED")
    make_user(site.pool_id, "erin")
    url, _, _ = site.authorize_url(site.oauth())
    wrong = Browser(server.endpoint).sign_in(url, "erin", "Wrong-pass1!")
    unknown = Browser(server.endpoint).sign_in(url, "nobody", "Wrong-pass1!")
    assert isinstance(wrong, Page) and isinstance(unknown, Page)
    assert wrong.errors == unknown.errors == ["Incorrect username or password."]
    assert wrong.form.fields["username"] == "erin", "the username is kept"


def test_an_email_pool_asks_for_an_email(idp, server, make_pool, make_client, make_user):
    site = Site(idp, server, make_pool, make_client, UsernameAttributes=["email"])
    page = Browser(server.endpoint).get(site.authorize_url(site.oauth())[0])
    assert page.label_of("username") == "Email"


def test_single_sign_on_spans_the_pools_clients_until_logout(site, server, make_user):
    make_user(site.pool_id, "fay")
    browser = Browser(server.endpoint)
    first = browser.sign_in(site.authorize_url(site.oauth())[0], "fay", PASSWORD)
    assert "code" in query_of(first)

    other = site.add_client()
    again = browser.get(site.authorize_url(site.oauth(other))[0])
    assert isinstance(again, str) and "code" in query_of(again), "no form for the pool's second client"
    forced = browser.get(site.authorize_url(site.oauth(other), prompt="login")[0])
    assert isinstance(forced, Page) and forced.title == "Sign in", "prompt=login shows the form"

    logout = f"{site.discovery['end_session_endpoint']}?client_id={site.client['ClientId']}&logout_uri={SIGNED_OUT}"
    assert browser.get(logout) == SIGNED_OUT
    after = browser.get(site.authorize_url(site.oauth())[0])
    assert isinstance(after, Page) and after.title == "Sign in", "signed out: the form again"
    silent = browser.get(site.authorize_url(site.oauth(), prompt="none")[0])
    assert query_of(silent)["error"] == "login_required"


def test_logout_goes_only_to_registered_urls(site, server):
    bad = Browser(server.endpoint).get(
        f"{site.discovery['end_session_endpoint']}?client_id={site.client['ClientId']}&logout_uri=https://evil.example.com/"
    )
    assert isinstance(bad, Page) and bad.status == 400
    back_to_login = Browser(server.endpoint).get(
        f"{site.discovery['end_session_endpoint']}?client_id={site.client['ClientId']}&redirect_uri={CALLBACK}&response_type=code"
    )
    assert isinstance(back_to_login, Page) and back_to_login.title == "Sign in"


def test_errors_before_the_redirect_uri_is_trusted_stay_on_an_error_page(site, server):
    endpoint = site.discovery["authorization_endpoint"]
    client_id = site.client["ClientId"]
    for query in [
        f"response_type=code&client_id={client_id}&redirect_uri=https://evil.example.com/cb",
        f"response_type=code&client_id=nosuchclient&redirect_uri={CALLBACK}",
        f"response_type=code&redirect_uri={CALLBACK}",
    ]:
        page = Browser(server.endpoint).get(f"{endpoint}?{query}")
        assert isinstance(page, Page) and page.status == 400, f"{query} went to {page}"
        assert page.headers["X-Frame-Options"] == "DENY"


def test_errors_after_it_go_back_to_the_client_with_the_state(site, server):
    endpoint = site.discovery["authorization_endpoint"]
    base = f"{endpoint}?client_id={site.client['ClientId']}&redirect_uri={CALLBACK}&state=xyz"
    cases = {
        "response_type=id_token": "unsupported_response_type",
        "response_type=token": "unauthorized_client",
        "response_type=code&scope=openid%20phone": "invalid_scope",
        "response_type=code&code_challenge=short&code_challenge_method=S256": "invalid_request",
        "response_type=code&code_challenge_method=S256": "invalid_request",
        "response_type=code&prompt=sometimes": "invalid_request",
        "response_type=code&identity_provider=Google": "invalid_request",
    }
    for extra, error in cases.items():
        back = Browser(server.endpoint).get(f"{base}&{extra}")
        assert isinstance(back, str), f"{extra}: {back}"
        # The implicit flow's answers, errors too, travel in the fragment (RFC 6749 §4.2.2.1).
        got = fragment_of(back) if "response_type=token" in extra else query_of(back)
        assert (got["error"], got["state"]) == (error, "xyz"), extra


def test_the_implicit_flow_returns_tokens_in_the_fragment(site, server, make_user):
    user = make_user(site.pool_id, "gil")
    client = site.add_client(AllowedOAuthFlows=["implicit"])
    url = f"{site.discovery['authorization_endpoint']}?response_type=token&client_id={client['ClientId']}&redirect_uri={CALLBACK}&scope=openid&state=s1&nonce=n1"
    back = Browser(server.endpoint).sign_in(url, "gil", PASSWORD)
    got = fragment_of(back)
    assert got["state"] == "s1" and got["token_type"] == "Bearer" and "refresh_token" not in got
    assert site.verify(got["id_token"])["nonce"] == "n1"
    assert site.verify(got["access_token"])["sub"] == user.sub


def test_a_temporary_password_is_changed_on_the_way(idp, site, server):
    idp.admin_create_user(UserPoolId=site.pool_id, Username="hal", TemporaryPassword="Temp-Pass1!", MessageAction="SUPPRESS")
    browser = Browser(server.endpoint)
    change = browser.sign_in(site.authorize_url(site.oauth())[0], "hal", "Temp-Pass1!")
    assert isinstance(change, Page) and change.title == "Change your password"
    assert change.label_of("new_password") == "New password"
    weak = browser.submit(change, new_password="short")
    assert isinstance(weak, Page) and weak.errors, "the policy's refusal is shown"
    assert weak.title == "Change your password", "on the same page, for another try"
    back = browser.submit(weak, new_password=OTHER_PASSWORD)
    assert "code" in query_of(back)
    user = idp.admin_get_user(UserPoolId=site.pool_id, Username="hal")
    assert user["UserStatus"] == "CONFIRMED"


def test_an_authenticator_code_is_asked_for_and_checked(idp, anon_idp, site, server, make_user):
    make_user(site.pool_id, "ida")
    idp.set_user_pool_mfa_config(UserPoolId=site.pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL")
    tokens = anon_idp.initiate_auth(
        ClientId=site.add_client(ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ida", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    secret = anon_idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    anon_idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=pyotp.TOTP(secret).now())
    anon_idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"], SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    time.sleep(max(0.0, 30 - time.time() % 30 + 0.2))  # a fresh time step: each code works once

    browser = Browser(server.endpoint)
    ask = browser.sign_in(site.authorize_url(site.oauth())[0], "ida", PASSWORD)
    assert isinstance(ask, Page) and ask.title == "Enter your code" and ask.label_of("code") == "Code"
    wrong = browser.submit(ask, code="000000")
    assert isinstance(wrong, Page) and wrong.errors
    back = browser.submit(wrong, code=pyotp.TOTP(secret).now())
    assert "code" in query_of(back), back


def test_a_pool_that_requires_mfa_sets_up_an_authenticator_on_the_way(idp, site, server, make_user):
    make_user(site.pool_id, "jo")
    idp.set_user_pool_mfa_config(UserPoolId=site.pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON")
    browser = Browser(server.endpoint)
    setup = browser.sign_in(site.authorize_url(site.oauth())[0], "jo", PASSWORD)
    assert isinstance(setup, Page) and setup.title == "Set up an authenticator app"
    secret = setup.texts["totp-secret"]
    good = pyotp.TOTP(secret).now()
    wrong = browser.submit(setup, code="000000" if good != "000000" else "111111")
    assert isinstance(wrong, Page) and wrong.errors and wrong.title == "Set up an authenticator app"
    assert wrong.texts["totp-secret"] == secret, "the key is still on the page after a wrong code"
    back = browser.submit(wrong, code=pyotp.TOTP(secret).now())
    assert "code" in query_of(back), back


def test_forms_need_their_csrf_token_and_pages_forbid_framing(site, server, make_user):
    make_user(site.pool_id, "kim")
    browser = Browser(server.endpoint)
    form = browser.get(site.authorize_url(site.oauth())[0])
    csp = form.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert form.headers["Cache-Control"] == "no-store"
    assert "HttpOnly" in form.headers["Set-Cookie"] and "SameSite=Strict" in form.headers["Set-Cookie"]
    forged = browser.submit(form, username="kim", password=PASSWORD, _csrf="forged" * 8)
    assert isinstance(forged, Page) and forged.status == 403
    stranger = Browser(server.endpoint)
    action = form.url
    resp = stranger.session.post(action, data={**form.form.fields, "username": "kim", "password": PASSWORD}, allow_redirects=False, timeout=10)
    assert resp.status_code == 403, "a form posted from elsewhere has no cookie to match"


def test_scopes_decide_what_the_access_token_may_do(site, server, anon_idp, make_user):
    make_user(site.pool_id, "lee")
    for scope, allowed in [("openid email", False), ("openid aws.cognito.signin.user.admin", True)]:
        oauth = OAuth2Session(site.client["ClientId"], redirect_uri=CALLBACK, scope=scope, code_challenge_method="S256")
        verifier = generate_token(48)
        url, _ = oauth.create_authorization_url(site.discovery["authorization_endpoint"], code_verifier=verifier)
        back = Browser(server.endpoint).sign_in(url, "lee", PASSWORD)
        token = oauth.fetch_token(site.discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
        if allowed:
            assert anon_idp.get_user(AccessToken=token["access_token"])["Username"] == "lee"
        else:
            with pytest.raises(ClientError) as e:
                anon_idp.get_user(AccessToken=token["access_token"])
            assert error_code(e.value) == "NotAuthorizedException"


def test_refreshing_keeps_the_scopes_and_revoking_ends_the_session(site, server, make_user):
    make_user(site.pool_id, "max")
    oauth = site.oauth()
    url, verifier, _ = site.authorize_url(oauth)
    back = Browser(server.endpoint).sign_in(url, "max", PASSWORD)
    token = oauth.fetch_token(site.discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    refreshed = oauth.refresh_token(site.discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert site.verify(refreshed["access_token"])["scope"] == "openid email"
    assert site.verify(refreshed["id_token"])["aud"] == site.client["ClientId"]

    resp = requests.post(site.discovery["revocation_endpoint"], data={"token": token["refresh_token"], "client_id": site.client["ClientId"]}, timeout=10)
    assert resp.status_code == 200, resp.text
    after = requests.post(
        site.discovery["token_endpoint"],
        data={"grant_type": "refresh_token", "client_id": site.client["ClientId"], "refresh_token": token["refresh_token"]},
        timeout=10,
    )
    assert after.json()["error"] == "invalid_grant"
    userinfo = requests.get(site.discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {refreshed['access_token']}"}, timeout=10)
    assert userinfo.status_code == 401 and 'error="invalid_token"' in userinfo.headers["WWW-Authenticate"]


def test_userinfo_needs_an_openid_token(site, server, anon_idp, make_user):
    make_user(site.pool_id, "ned")
    client = site.add_client(ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    api_token = anon_idp.initiate_auth(
        ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "ned", "PASSWORD": PASSWORD}
    )["AuthenticationResult"]["AccessToken"]
    resp = requests.get(site.discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {api_token}"}, timeout=10)
    assert resp.status_code == 403 and 'error="insufficient_scope"' in resp.headers["WWW-Authenticate"]
    assert requests.get(site.discovery["userinfo_endpoint"], timeout=10).status_code == 401


def test_sign_ins_at_the_pages_are_audited(site, server, make_user):
    make_user(site.pool_id, "olu")
    Browser(server.endpoint).sign_in(site.authorize_url(site.oauth())[0], "olu", "Wrong-pass1!")
    Browser(server.endpoint).sign_in(site.authorize_url(site.oauth())[0], "olu", PASSWORD)
    status, body = pooldesk_call(server, "ListAuditEvents", {"PoolId": site.pool_id, "Operation": "OAuth2.SignIn"})
    assert status == 200
    assert [e["Outcome"] for e in body["Events"]][:2] == ["OK", "NotAuthorizedException"]


def test_the_login_url_of_a_client_opens_its_sign_in_form(site, server, make_pool, make_user):
    make_user(site.pool_id, "pat")
    status, body = pooldesk_call(server, "GetLoginUrl", {"UserPoolId": site.pool_id, "ClientId": site.client["ClientId"]})
    assert status == 200, body
    url = body["Url"]
    assert url.startswith(site.discovery["authorization_endpoint"] + "?")
    assert query_of(url) == {
        "client_id": site.client["ClientId"],
        "response_type": "code",
        "scope": "openid email profile aws.cognito.signin.user.admin",
        "redirect_uri": CALLBACK,
    }
    assert "code" in query_of(Browser(server.endpoint).sign_in(url, "pat", PASSWORD))

    cli = subprocess.run(
        [POOLDESK_BIN, "login-url", "--user-pool-id", site.pool_id, "--client-id", site.client["ClientId"]]
        + ["--db", str(server.db_path), "--public-url", server.endpoint],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.strip() == url, "the CLI prints the same URL"

    bare = make_pool()["Id"]
    status, body = pooldesk_call(server, "GetLoginUrl", {"UserPoolId": bare, "ClientId": site.client["ClientId"]})
    assert (status, body["__type"]) == (400, "ResourceNotFoundException"), "the client is not the bare pool's"
    status, body = pooldesk_call(server, "GetLoginUrl", {"UserPoolId": site.pool_id, "ClientId": site.client["ClientId"], "RedirectUri": "https://evil.example.com/"})
    assert (status, body["__type"]) == (400, "InvalidParameterException")
