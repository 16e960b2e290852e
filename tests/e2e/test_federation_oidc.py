"""Federation with an OpenID Connect provider: CreateIdentityProvider and its siblings through
boto3 (with Cognito's checks, discovery and the keys Cognito fills in), and sign-in through a
real provider (panva's oidc-provider, js/oidc_idp.mjs) from the login pages to the app's
tokens: PoolDesk sends the browser there with state, nonce and PKCE, takes the code at
`/oauth2/idpresponse`, verifies the provider's ID token, and signs in the pool's user for it."""

from __future__ import annotations

import html as html_lib
import re
import time
import urllib.parse
import uuid

import boto3
import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from conftest import error_code
from login_pages import Browser, Page, query_of
from oidc_idp import id_token_from, oidc_idp  # noqa: F401 (a fixture)
from social_standins import social_standins  # noqa: F401 (a fixture)

CALLBACK = "https://app.example.com/callback"
ACCOUNT = {
    "sub": "idp-alice",
    "password": "Idp-Passw0rd!",
    "email": "alice@idp.example",
    "email_verified": True,
    "name": "Alice Liddell",
}


def apple_key_pem() -> str:
    """A P-256 private key in PKCS#8 PEM, like the .p8 file Apple hands a team."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


class Federation:
    """A pool with a domain, an OIDC provider `Okta` backed by a running oidc-provider, and an
    app client that offers it beside the pool's own users."""

    def __init__(self, idp_client, server, make_pool, make_client, start_idp, auth_method="client_secret_post"):
        self.idp, self.server = idp_client, server
        self.pool_id = make_pool()["Id"]
        self.domain = f"fed{uuid.uuid4().hex[:10]}"
        idp_client.create_user_pool_domain(Domain=self.domain, UserPoolId=self.pool_id)
        base = f"{server.endpoint}/domains/{self.domain}"
        self.provider = start_idp(
            [{"client_id": "pooldesk", "client_secret": "idp-secret-0001", "redirect_uris": [f"{base}/oauth2/idpresponse"], "token_endpoint_auth_method": auth_method}],
            [ACCOUNT],
        )
        self.details = {
            "client_id": "pooldesk",
            "client_secret": "idp-secret-0001",
            "attributes_request_method": "GET",
            "oidc_issuer": self.provider.issuer,
            "authorize_scopes": "openid email profile",
        }
        self.created = idp_client.create_identity_provider(
            UserPoolId=self.pool_id,
            ProviderName="Okta",
            ProviderType="OIDC",
            ProviderDetails=self.details,
            AttributeMapping={"email": "email", "email_verified": "email_verified", "name": "name"},
            IdpIdentifiers=["example.com"],
        )["IdentityProvider"]
        self.client = make_client(
            self.pool_id,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            CallbackURLs=[CALLBACK],
            SupportedIdentityProviders=["COGNITO", "Okta"],
        )
        self.discovery = requests.get(f"{server.endpoint}/{self.pool_id}/.well-known/openid-configuration", timeout=10).json()

    def authorize_url(self, **extra) -> str:
        query = {"client_id": self.client["ClientId"], "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid email profile", "state": "st4te", **extra}
        return f"{self.discovery['authorization_endpoint']}?{urllib.parse.urlencode(query)}"

    def sign_in_at_provider(self, start_url: str, password: str = ACCOUNT["password"]) -> str | requests.Response:
        """Follows the browser from `start_url` through PoolDesk and the provider's form; where it
        ends: the app's callback URL, or the page it stopped on."""
        browser = requests.Session()
        url = start_url
        submitted = False
        while True:
            if url.startswith(CALLBACK):
                return url
            resp = browser.get(url, allow_redirects=False, timeout=15)
            if resp.status_code in (301, 302, 303, 307, 308):
                url = urllib.parse.urljoin(url, resp.headers["Location"])
                continue
            posted_form = re.search(r'<form method="post" action="([^"]+)"', resp.text)
            if posted_form and "oauth2/idpresponse" in posted_form.group(1):
                # form_post: the provider's page posts its answer to PoolDesk (with a script the
                # browser would run; here the form is submitted as it stands).
                fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', resp.text))
                fields = {k: html_lib.unescape(v) for k, v in fields.items()}
                answer = browser.post(html_lib.unescape(posted_form.group(1)), data=fields, allow_redirects=False, timeout=15)
                if answer.status_code not in (301, 302, 303, 307, 308):
                    return answer
                url = urllib.parse.urljoin(url, answer.headers["Location"])
                continue
            if "<title>IdP sign in</title>" in resp.text and not submitted:
                action = re.search(r'<form method="post" action="([^"]+)"', resp.text).group(1)
                posted = browser.post(urllib.parse.urljoin(url, action), data={"username": ACCOUNT["sub"], "password": password}, allow_redirects=False, timeout=15)
                submitted = True
                if posted.status_code not in (301, 302, 303, 307, 308):
                    return posted
                url = urllib.parse.urljoin(url, posted.headers["Location"])
                continue
            return resp

    def tokens(self, callback_url: str) -> dict:
        form = {"grant_type": "authorization_code", "client_id": self.client["ClientId"], "code": query_of(callback_url)["code"], "redirect_uri": CALLBACK}
        resp = requests.post(self.discovery["token_endpoint"], data=form, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def verify(self, token: str) -> dict:
        key = jwt.PyJWKClient(self.discovery["jwks_uri"]).get_signing_key_from_jwt(token)
        return jwt.decode(token, key.key, algorithms=["RS256"], issuer=self.discovery["issuer"], options={"verify_aud": False})


@pytest.fixture
def fed(idp, server, make_pool, make_client, oidc_idp):  # noqa: F811 (the fixture)
    return Federation(idp, server, make_pool, make_client, oidc_idp)


def test_describe_shows_the_discovered_endpoints_and_the_username_mapping(idp, fed):
    details = fed.created["ProviderDetails"]
    issuer = fed.provider.issuer
    assert details["authorize_url"].startswith(issuer) and details["token_url"].startswith(issuer)
    assert details["jwks_uri"].startswith(issuer) and details["attributes_url"].startswith(issuer)
    assert details["attributes_url_add_attributes"] == "false" and details["client_secret"] == "idp-secret-0001"
    assert fed.created["AttributeMapping"]["username"] == "sub"
    described = idp.describe_identity_provider(UserPoolId=fed.pool_id, ProviderName="Okta")["IdentityProvider"]
    assert described["ProviderDetails"] == details and described["IdpIdentifiers"] == ["example.com"]
    by_identifier = idp.get_identity_provider_by_identifier(UserPoolId=fed.pool_id, IdpIdentifier="example.com")["IdentityProvider"]
    assert by_identifier["ProviderName"] == "Okta"
    listed = idp.list_identity_providers(UserPoolId=fed.pool_id)["Providers"]
    assert [(p["ProviderName"], p["ProviderType"]) for p in listed] == [("Okta", "OIDC")]
    # An update without the secret keeps it, as the console sends the details.
    kept = {k: v for k, v in fed.details.items() if k != "client_secret"}
    updated = idp.update_identity_provider(UserPoolId=fed.pool_id, ProviderName="Okta", ProviderDetails={**kept, "authorize_scopes": "openid email"})
    assert updated["IdentityProvider"]["ProviderDetails"]["client_secret"] == "idp-secret-0001"
    assert updated["IdentityProvider"]["ProviderDetails"]["authorize_scopes"] == "openid email"


def test_a_user_signs_in_through_the_provider_and_gets_the_pools_tokens(idp, fed):
    sign_in = Browser(fed.server.endpoint).get(fed.authorize_url())
    assert isinstance(sign_in, Page) and "Sign in with Okta" in sign_in.html

    back = fed.sign_in_at_provider(fed.authorize_url(identity_provider="Okta"))
    assert isinstance(back, str), f"{getattr(back, 'status_code', '')} {getattr(back, 'text', '')[:400]}\n{fed.provider.log()}"
    assert query_of(back)["state"] == "st4te"
    tokens = fed.tokens(back)
    claims = fed.verify(tokens["id_token"])
    assert claims["cognito:username"] == "Okta_idp-alice" and claims["email"] == ACCOUNT["email"]
    assert claims["email_verified"] is True and claims["name"] == ACCOUNT["name"]
    identity = claims["identities"][0]
    assert (identity["userId"], identity["providerName"], identity["providerType"], identity["primary"]) == ("idp-alice", "Okta", "OIDC", "true")
    assert f"{fed.pool_id}_Okta" in claims["cognito:groups"]
    user = idp.admin_get_user(UserPoolId=fed.pool_id, Username="Okta_idp-alice")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"

    # The same identity signs in to the same user again (and through its idp_identifier).
    again = fed.sign_in_at_provider(fed.authorize_url(idp_identifier="example.com"))
    assert isinstance(again, str)
    assert fed.verify(fed.tokens(again)["id_token"])["sub"] == claims["sub"]
    assert len(idp.list_users(UserPoolId=fed.pool_id)["Users"]) == 1


def test_a_provider_that_wants_client_secret_basic_gets_it(idp, server, make_pool, make_client, oidc_idp):  # noqa: F811
    fed = Federation(idp, server, make_pool, make_client, oidc_idp, auth_method="client_secret_basic")
    back = fed.sign_in_at_provider(fed.authorize_url(identity_provider="Okta"))
    assert isinstance(back, str), fed.provider.log()
    assert "POST /token 200 (client_secret_basic)" in fed.provider.wait_for_log("POST /token 200 (client_secret_basic)")


def test_a_wrong_state_or_a_refusal_ends_on_an_error_page(fed):
    base = f"{fed.server.endpoint}/domains/{fed.domain}/oauth2/idpresponse"
    forged = requests.get(f"{base}?code=abc&state=not-ours", allow_redirects=False, timeout=10)
    assert forged.status_code == 400 and "unknown" in forged.text and "Location" not in forged.headers
    start = requests.get(fed.authorize_url(identity_provider="Okta"), allow_redirects=False, timeout=10)
    sent_state = urllib.parse.parse_qs(urllib.parse.urlsplit(start.headers["Location"]).query)["state"][0]
    refused = requests.get(f"{base}?error=access_denied&state={sent_state}", allow_redirects=False, timeout=10)
    assert refused.status_code == 400 and "access_denied" in refused.text
    replay = requests.get(f"{base}?code=abc&state={sent_state}", allow_redirects=False, timeout=10)
    assert replay.status_code == 400, "a state is used once"


def test_providers_are_checked_as_cognito_checks_them(idp, fed, make_client):
    pool = fed.pool_id

    def refused(**request):
        with pytest.raises(ClientError) as e:
            idp.create_identity_provider(UserPoolId=pool, **request)
        return error_code(e.value)

    oidc = {"ProviderType": "OIDC", "ProviderDetails": dict(fed.details)}
    assert refused(ProviderName="Okta", **oidc) == "DuplicateProviderException"
    assert refused(ProviderName="Other", IdpIdentifiers=["example.com"], **oidc) == "DuplicateProviderException"
    for change in [{"oidc_issuer": "http://idp.example.com"}, {"authorize_scopes": "email"}, {"attributes_request_method": "PUT"}, {"client_id": ""}]:
        assert refused(ProviderName="Other", ProviderType="OIDC", ProviderDetails={**fed.details, **change}) == "InvalidParameterException", change
    assert refused(ProviderName="Other", AttributeMapping={"shoe_size": "size"}, **oidc) == "InvalidParameterException"
    assert refused(ProviderName="MyGoogle", ProviderType="Google", ProviderDetails={"client_id": "x", "client_secret": "y", "authorize_scopes": "email"}) == "InvalidParameterException"
    assert refused(ProviderName="Google", ProviderType="Google", ProviderDetails={"client_id": "x", "authorize_scopes": "email"}) == "InvalidParameterException"
    # SAML metadata that cannot be read is refused when the provider is made.
    assert refused(ProviderName="Corp", ProviderType="SAML", ProviderDetails={"MetadataURL": "https://idp.example.com/metadata"}) == "InvalidParameterException"

    google = idp.create_identity_provider(
        UserPoolId=pool, ProviderName="Google", ProviderType="Google", ProviderDetails={"client_id": "g.apps.googleusercontent.com", "client_secret": "gs", "authorize_scopes": "email profile openid"}
    )["IdentityProvider"]
    assert google["ProviderDetails"]["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert google["ProviderDetails"]["oidc_issuer"] == "https://accounts.google.com"
    apple = idp.create_identity_provider(
        UserPoolId=pool,
        ProviderName="SignInWithApple",
        ProviderType="SignInWithApple",
        ProviderDetails={"client_id": "com.example", "team_id": "T", "key_id": "K", "private_key": apple_key_pem(), "authorize_scopes": "email name"},
    )["IdentityProvider"]
    assert "private_key" not in apple["ProviderDetails"] and apple["ProviderDetails"]["token_url"] == "https://appleid.apple.com/auth/token"

    with pytest.raises(ClientError) as e:
        make_client(pool, SupportedIdentityProviders=["Nobody"], AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"], CallbackURLs=[CALLBACK])
    assert error_code(e.value) == "InvalidParameterException"

    idp.delete_identity_provider(UserPoolId=pool, ProviderName="Google")
    with pytest.raises(ClientError) as e:
        idp.describe_identity_provider(UserPoolId=pool, ProviderName="Google")
    assert error_code(e.value) == "ResourceNotFoundException"


def test_a_client_without_cognito_shows_only_its_providers(idp, fed, make_client):
    only_okta = make_client(
        fed.pool_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["Okta"],
    )
    url = fed.authorize_url(client_id=only_okta["ClientId"], scope="openid")
    page = Browser(fed.server.endpoint).get(url)
    assert isinstance(page, Page) and "Sign in with Okta" in page.html
    assert not any("password" in form.fields for form in page.forms), "no password form"
    # Nor any password sign-in behind it: a form posted with a good CSRF token is refused.
    browser = Browser(fed.server.endpoint)
    forgot = browser.get(page.url.replace("/login?", "/forgotPassword?"))
    assert isinstance(forgot, Page) and forgot.forms
    forgot.forms[0].action = page.url
    refused = browser.submit(forgot, username="someone", password="Whatever-1!")
    assert isinstance(refused, Page) and refused.errors == ["This app client signs users in through its identity providers, not with a password."]


@pytest.mark.single_server  # reads the SQLite file
def test_the_client_secret_is_not_stored_in_plain_text(fed):
    data = fed.server.db_path.read_bytes()
    wal = fed.server.db_path.with_name(fed.server.db_path.name + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    assert b"idp-secret-0001" not in data


def test_an_admin_links_the_identity_to_an_existing_user_and_can_undo_it(idp, fed, make_user):
    bob = make_user(fed.pool_id, "bob")
    link = {
        "UserPoolId": fed.pool_id,
        "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "bob"},
        "SourceUser": {"ProviderName": "Okta", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "idp-alice"},
    }
    idp.admin_link_provider_for_user(**link)
    with pytest.raises(ClientError) as e:
        idp.admin_link_provider_for_user(**link)
    assert error_code(e.value) == "AliasExistsException"
    for bad, code in [
        ({"DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "nobody"}}, "UserNotFoundException"),
        ({"SourceUser": {"ProviderName": "Okta", "ProviderAttributeName": "email", "ProviderAttributeValue": "x"}}, "InvalidParameterException"),
        ({"SourceUser": {"ProviderName": "Nowhere", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "x"}}, "ResourceNotFoundException"),
    ]:
        with pytest.raises(ClientError) as e:
            idp.admin_link_provider_for_user(**{**link, **bad})
        assert error_code(e.value) == code, bad

    back = fed.sign_in_at_provider(fed.authorize_url(identity_provider="Okta"))
    claims = fed.verify(fed.tokens(back)["id_token"])
    assert claims["cognito:username"] == "bob" and claims["sub"] == bob.sub, "the identity signs in as the linked user"
    assert claims["email_verified"] is True, "a linked user keeps what it verified"
    assert [(i["providerName"], i["userId"]) for i in claims["identities"]] == [("Okta", "idp-alice")]

    source = {"ProviderName": "Okta", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "idp-alice"}
    idp.admin_disable_provider_for_user(UserPoolId=fed.pool_id, User=source)
    attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=fed.pool_id, Username="bob")["UserAttributes"]}
    assert "identities" not in attrs
    again = fed.sign_in_at_provider(fed.authorize_url(identity_provider="Okta"))
    assert fed.verify(fed.tokens(again)["id_token"])["cognito:username"] == "Okta_idp-alice", "unlinked, the identity is a user of its own"

    # Disabling the identity's own user stops its sign-ins.
    idp.admin_disable_provider_for_user(UserPoolId=fed.pool_id, User=source)
    assert idp.admin_get_user(UserPoolId=fed.pool_id, Username="Okta_idp-alice")["Enabled"] is False
    stopped = fed.sign_in_at_provider(fed.authorize_url(identity_provider="Okta"))
    assert not isinstance(stopped, str) and stopped.status_code == 400 and "disabled" in stopped.text


def test_google_and_apple_sign_in_through_endpoints_given_explicitly(idp, server, make_pool, make_client, oidc_idp):  # noqa: F811
    """Google and Sign in with Apple are OIDC underneath: a real OpenID provider stands in for
    both at explicitly given endpoints. Apple's non-standard parts are real here too: PoolDesk
    signs its client secret as a JWT with the team's key (the provider checks it with the public
    key), and Apple's answer comes as a form posted to /oauth2/idpresponse (form_post)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    team_key = ec.generate_private_key(ec.SECP256R1())
    private_pem = team_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public_pem = team_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    pool_id = make_pool()["Id"]
    domain = f"soc{uuid.uuid4().hex[:10]}"
    idp.create_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    redirect = f"{server.endpoint}/domains/{domain}/oauth2/idpresponse"
    provider = oidc_idp(
        [
            {"client_id": "google-client", "client_secret": "google-secret", "redirect_uris": [redirect], "token_endpoint_auth_method": "client_secret_post"},
            {
                "client_id": "com.example.app",
                "client_secret": "apple-registered",
                "redirect_uris": [redirect],
                "token_endpoint_auth_method": "client_secret_post",
                "apple": {"team_id": "TEAM123456", "key_id": "KEY1234567", "public_key_pem": public_pem},
            },
        ],
        [ACCOUNT],
    )
    found = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=10).json()
    endpoints = {"authorize_url": found["authorization_endpoint"], "token_url": found["token_endpoint"], "oidc_issuer": provider.issuer, "jwks_uri": found["jwks_uri"]}
    idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails={"client_id": "google-client", "client_secret": "google-secret", "authorize_scopes": "openid email profile", **endpoints, "attributes_url": found["userinfo_endpoint"]},
        AttributeMapping={"email": "email", "name": "name"},
    )
    apple = idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="SignInWithApple",
        ProviderType="SignInWithApple",
        ProviderDetails={"client_id": "com.example.app", "team_id": "TEAM123456", "key_id": "KEY1234567", "private_key": private_pem, "authorize_scopes": "openid email name", **endpoints},
        AttributeMapping={"email": "email"},
    )["IdentityProvider"]
    assert "private_key" not in apple["ProviderDetails"] and apple["ProviderDetails"]["token_url"] == found["token_endpoint"]
    with pytest.raises(ClientError) as e:
        idp.update_identity_provider(UserPoolId=pool_id, ProviderName="SignInWithApple", ProviderDetails={**apple["ProviderDetails"], "private_key": "not a key"})
    assert error_code(e.value) == "InvalidParameterException"
    client = make_client(
        pool_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["Google", "SignInWithApple"],
    )

    class Site(Federation):
        def __init__(self):  # the pool above, without a second provider
            self.idp, self.server, self.pool_id, self.domain, self.client, self.provider = idp, server, pool_id, domain, client, provider
            self.discovery = requests.get(f"{server.endpoint}/{pool_id}/.well-known/openid-configuration", timeout=10).json()

    site = Site()
    google = site.sign_in_at_provider(site.authorize_url(identity_provider="Google"))
    assert isinstance(google, str), f"{getattr(google, 'text', '')[:300]}\n{provider.log()}"
    claims = site.verify(site.tokens(google)["id_token"])
    assert claims["cognito:username"] == "Google_idp-alice" and claims["email"] == ACCOUNT["email"]
    assert claims["identities"][0]["providerType"] == "Google"

    apple_back = site.sign_in_at_provider(site.authorize_url(identity_provider="SignInWithApple"))
    assert isinstance(apple_back, str), f"{getattr(apple_back, 'text', '')[:300]}\n{provider.log()}"
    claims = site.verify(site.tokens(apple_back)["id_token"])
    assert claims["cognito:username"] == "SignInWithApple_idp-alice" and claims["identities"][0]["providerType"] == "SignInWithApple"
    log = provider.wait_for_log("POST /token 200 (apple client secret JWT)")
    assert "POST /token 200 (apple client secret JWT)" in log, log


def test_facebook_and_login_with_amazon_through_stand_ins(idp, server, make_pool, make_client, social_standins):  # noqa: F811
    """Facebook's Graph API and Login with Amazon cannot run here: stand-ins that check their
    protocols strictly (social_standins.py) take their place at explicitly given endpoints."""
    pool_id = make_pool()["Id"]
    domain = f"fb{uuid.uuid4().hex[:10]}"
    idp.create_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    users = {
        "facebook": {"id": "10158000000000001", "email": "fiona@fb.example", "name": "Fiona", "birthday": "01/01/1990"},
        "amazon": {"user_id": "amzn1.account.ABCDEF", "email": "andy@amazon.example", "name": "Andy"},
    }
    stand_ins = social_standins("social-app", "social-secret", users)
    base = stand_ins.base
    facebook = idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Facebook",
        ProviderType="Facebook",
        ProviderDetails={
            "client_id": "social-app",
            "client_secret": "social-secret",
            "authorize_scopes": "public_profile,email",
            "authorize_url": f"{base}/facebook/dialog/oauth",
            "token_url": f"{base}/facebook/oauth/access_token",
            "attributes_url": f"{base}/facebook/me?fields=",
        },
        AttributeMapping={"email": "email", "name": "name"},
    )["IdentityProvider"]
    assert facebook["ProviderDetails"]["token_request_method"] == "GET" and facebook["AttributeMapping"]["username"] == "id"
    idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="LoginWithAmazon",
        ProviderType="LoginWithAmazon",
        ProviderDetails={
            "client_id": "social-app",
            "client_secret": "social-secret",
            "authorize_scopes": "profile",
            "authorize_url": f"{base}/amazon/ap/oa",
            "token_url": f"{base}/amazon/auth/o2/token",
            "attributes_url": f"{base}/amazon/user/profile",
        },
        AttributeMapping={"email": "email"},
    )
    client = make_client(
        pool_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["Facebook", "LoginWithAmazon"],
    )
    discovery = requests.get(f"{server.endpoint}/{pool_id}/.well-known/openid-configuration", timeout=10).json()

    def sign_in(provider: str) -> dict:
        query = {"client_id": client["ClientId"], "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid email", "identity_provider": provider}
        url = f"{discovery['authorization_endpoint']}?{urllib.parse.urlencode(query)}"
        session = requests.Session()
        while not url.startswith(CALLBACK):
            resp = session.get(url, allow_redirects=False, timeout=15)
            assert resp.status_code in (302, 303), f"{resp.status_code} {resp.text[:300]}"
            url = urllib.parse.urljoin(url, resp.headers["Location"])
        form = {"grant_type": "authorization_code", "client_id": client["ClientId"], "code": query_of(url)["code"], "redirect_uri": CALLBACK}
        token = requests.post(discovery["token_endpoint"], data=form, timeout=10).json()["id_token"]
        key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
        return jwt.decode(token, key.key, algorithms=["RS256"], issuer=discovery["issuer"], options={"verify_aud": False})

    fb = sign_in("Facebook")
    assert fb["cognito:username"] == "Facebook_10158000000000001" and fb["email"] == "fiona@fb.example" and fb["name"] == "Fiona"
    assert fb["identities"][0]["providerType"] == "Facebook"
    graph = [p for m, p in stand_ins.requests if p.startswith("/facebook/me")]
    assert graph == ["/facebook/me?fields=id,email,name"], "the Graph API is asked for the id and the mapped fields only"
    amazon = sign_in("LoginWithAmazon")
    assert amazon["cognito:username"] == "LoginWithAmazon_amzn1.account.ABCDEF" and amazon["email"] == "andy@amazon.example"


def test_a_provider_that_rotates_its_signing_key_still_signs_users_in(idp, fed, oidc_idp):  # noqa: F811
    """PoolDesk keeps a provider's key set; a token signed with a key it has not seen makes it
    read the set again (at most every two seconds)."""
    first = fed.sign_in_at_provider(fed.authorize_url(identity_provider="Okta"))
    assert isinstance(first, str)
    port = int(urllib.parse.urlsplit(fed.provider.issuer).port)
    clients = [{"client_id": "pooldesk", "client_secret": "idp-secret-0001", "redirect_uris": [f"{fed.server.endpoint}/domains/{fed.domain}/oauth2/idpresponse"], "token_endpoint_auth_method": "client_secret_post"}]
    fed.provider.stop()
    fed.provider = oidc_idp(clients, [ACCOUNT], port=port)  # same issuer, a new signing key
    time.sleep(2.1)
    again = fed.sign_in_at_provider(fed.authorize_url(identity_provider="Okta"))
    assert isinstance(again, str), f"{getattr(again, 'text', '')[:300]}"
    assert fed.verify(fed.tokens(again)["id_token"])["cognito:username"] == "Okta_idp-alice"


def test_a_federated_user_has_no_password_to_sign_in_with(idp, anon_idp, fed, make_client):
    back = fed.sign_in_at_provider(fed.authorize_url(identity_provider="Okta"))
    assert isinstance(back, str)
    api = make_client(fed.pool_id)
    with pytest.raises(ClientError) as e:
        anon_idp.initiate_auth(ClientId=api["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "Okta_idp-alice", "PASSWORD": "Anything-1!"})
    assert error_code(e.value) == "NotAuthorizedException"


def test_identity_pools_take_google_and_apple_id_tokens(private_servers, oidc_idp):  # noqa: F811
    """An identity pool accepts `accounts.google.com` and `appleid.apple.com` logins, checked
    against the providers' keys and the pool's SupportedLoginProviders app ids. A real OpenID
    provider stands in for each: the server is told their issuers (POOLDESK_GOOGLE_ISSUER,
    POOLDESK_APPLE_ISSUER), as a mirror would be."""
    from conftest import REGION, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, _config
    from oidc_idp import id_token_from

    clients = [
        {"client_id": "google-web", "client_secret": "g-secret", "redirect_uris": ["http://127.0.0.1:9/cb"], "token_endpoint_auth_method": "client_secret_post"},
        {"client_id": "other-app", "client_secret": "o-secret", "redirect_uris": ["http://127.0.0.1:9/cb"], "token_endpoint_auth_method": "client_secret_post"},
    ]
    google, apple = oidc_idp(clients, [ACCOUNT]), oidc_idp(clients, [ACCOUNT])
    srv = private_servers(env={"POOLDESK_GOOGLE_ISSUER": google.issuer, "POOLDESK_APPLE_ISSUER": apple.issuer})
    ci = boto3.session.Session().client(
        "cognito-identity", region_name=REGION, endpoint_url=srv.endpoint, aws_access_key_id=ROOT_ACCESS_KEY_ID, aws_secret_access_key=ROOT_SECRET_ACCESS_KEY, config=_config()
    )
    pool = ci.create_identity_pool(
        IdentityPoolName="social", AllowUnauthenticatedIdentities=False, SupportedLoginProviders={"accounts.google.com": "google-web", "appleid.apple.com": "google-web"}
    )
    pool_id = pool["IdentityPoolId"]
    for provider, issuer in [("accounts.google.com", google.issuer), ("appleid.apple.com", apple.issuer)]:
        token = id_token_from(issuer, clients[0], ACCOUNT)
        identity_id = ci.get_id(IdentityPoolId=pool_id, Logins={provider: token})["IdentityId"]
        assert ci.get_id(IdentityPoolId=pool_id, Logins={provider: token})["IdentityId"] == identity_id, "the same identity again"
        logins = ci.describe_identity(IdentityId=identity_id)["Logins"]
        assert logins == [provider]
        wrong_app = id_token_from(issuer, clients[1], ACCOUNT)
        with pytest.raises(ClientError) as e:
            ci.get_id(IdentityPoolId=pool_id, Logins={provider: wrong_app})
        assert error_code(e.value) == "NotAuthorizedException", "an ID token for another app is refused"
    # A token of one provider is not one of the other.
    with pytest.raises(ClientError) as e:
        ci.get_id(IdentityPoolId=pool_id, Logins={"accounts.google.com": id_token_from(apple.issuer, clients[0], ACCOUNT)})
    assert error_code(e.value) == "NotAuthorizedException"

    # Credentials for the Google identity, by the enhanced flow and by the classic one (STS).
    from identity_helpers import assumed_role_arn, caller_identity, sts_client

    role = "arn:aws:iam::000000000000:role/google-users"
    ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role})
    ci.update_identity_pool(
        IdentityPoolId=pool_id,
        IdentityPoolName="social",
        AllowUnauthenticatedIdentities=False,
        AllowClassicFlow=True,
        SupportedLoginProviders={"accounts.google.com": "google-web", "appleid.apple.com": "google-web"},
    )
    logins = {"accounts.google.com": id_token_from(google.issuer, clients[0], ACCOUNT)}
    identity_id = ci.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    creds = ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
    assert caller_identity(srv, {"AccessKeyId": creds["AccessKeyId"], "SecretAccessKey": creds["SecretKey"], "SessionToken": creds["SessionToken"]})["Arn"] == assumed_role_arn(role)
    token = ci.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
    classic = sts_client(srv.endpoint).assume_role_with_web_identity(RoleArn=role, RoleSessionName="classic", WebIdentityToken=token)
    assert classic["AssumedRoleUser"]["Arn"] == assumed_role_arn(role, "classic")


def test_pooldesk_discovers_a_provider_before_it_is_saved(server, fed):
    from conftest import pooldesk_call

    status, body = pooldesk_call(server, "DiscoverOpenIdProvider", {"Issuer": fed.provider.issuer})
    assert status == 200, body
    found = body["ProviderDetails"]
    assert found["oidc_issuer"] == fed.provider.issuer and found["jwks_uri"] == fed.created["ProviderDetails"]["jwks_uri"]
    assert set(found) == {"oidc_issuer", "authorize_url", "token_url", "attributes_url", "jwks_uri"}
    status, body = pooldesk_call(server, "DiscoverOpenIdProvider", {"Issuer": "http://idp.example.com"})
    assert status == 400 and body["__type"] == "InvalidParameterException" and "https" in body["message"]


def test_identity_pools_take_facebook_and_amazon_access_tokens(private_servers, social_standins):  # noqa: F811
    """`graph.facebook.com` and `www.amazon.com` logins are access tokens: the pool asks the
    provider (stand-ins here, social_standins.py) whose token it is and for which app."""
    from conftest import REGION, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, _config

    users = {"facebook": {"id": "10158000000000002", "name": "Fay"}, "amazon": {"user_id": "amzn1.account.XYZ", "name": "Al"}}
    stand_ins = social_standins("app-123", "unused-secret", users)
    srv = private_servers(env={"POOLDESK_FACEBOOK_GRAPH_URL": f"{stand_ins.base}/facebook", "POOLDESK_AMAZON_API_URL": f"{stand_ins.base}/amazon"})
    ci = boto3.session.Session().client(
        "cognito-identity", region_name=REGION, endpoint_url=srv.endpoint, aws_access_key_id=ROOT_ACCESS_KEY_ID, aws_secret_access_key=ROOT_SECRET_ACCESS_KEY, config=_config()
    )
    pool_id = ci.create_identity_pool(
        IdentityPoolName="social", AllowUnauthenticatedIdentities=False, SupportedLoginProviders={"graph.facebook.com": "app-123", "www.amazon.com": "app-123"}
    )["IdentityPoolId"]
    for provider, short in [("graph.facebook.com", "facebook"), ("www.amazon.com", "amazon")]:
        identity_id = ci.get_id(IdentityPoolId=pool_id, Logins={provider: stand_ins.mint(short)})["IdentityId"]
        again = ci.get_id(IdentityPoolId=pool_id, Logins={provider: stand_ins.mint(short)})["IdentityId"]
        assert again == identity_id, "another token of the same user is the same identity"
        assert ci.describe_identity(IdentityId=identity_id)["Logins"] == [provider]
        for bad in [stand_ins.mint(short, app="someone-elses-app"), "not-a-token"]:
            with pytest.raises(ClientError) as e:
                ci.get_id(IdentityPoolId=pool_id, Logins={provider: bad})
            assert error_code(e.value) == "NotAuthorizedException"


def test_a_work_email_address_routes_to_its_provider(fed):
    browser = Browser(fed.server.endpoint)
    page = browser.get(fed.authorize_url())
    assert isinstance(page, Page) and page.label_of("work_email") == "Work e-mail address"
    wrong = browser.submit(page, form_index=0, work_email="bob@elsewhere.example")
    assert isinstance(wrong, Page) and wrong.errors == ["No sign-in provider of this app serves that e-mail domain."]
    to_provider = browser.submit(wrong, form_index=0, work_email="Alice@Example.com")
    assert isinstance(to_provider, str) and to_provider.startswith(fed.provider.issuer), to_provider
    back = fed.sign_in_at_provider(to_provider)
    assert isinstance(back, str) and fed.verify(fed.tokens(back)["id_token"])["cognito:username"] == "Okta_idp-alice"


def test_a_providers_id_token_is_exchanged_for_the_pools_token(idp, anon_idp, fed, make_client):
    """GetDerivedToken with SubjectTokenProviderName: the provider's ID token checked as at a
    sign-in through it (key set, issuer, audience, expiry), its user made as there."""
    backend = make_client(fed.pool_id, GenerateSecret=True, ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_IMPERSONATION"], AllowedOAuthScopes=["openid", "email"])
    base = f"{fed.server.endpoint}/domains/{fed.domain}"
    client = {"client_id": "pooldesk", "client_secret": "idp-secret-0001", "redirect_uris": [f"{base}/oauth2/idpresponse"]}
    token = id_token_from(fed.provider.issuer, client, ACCOUNT)

    def exchange(subject: str, **extra) -> dict:
        return anon_idp.get_derived_token(ClientId=backend["ClientId"], ClientSecret=backend["ClientSecret"], SubjectToken=subject, SubjectTokenType="ID_TOKEN", **extra)

    derived = exchange(token, SubjectTokenProviderName="Okta", Audiences=["https://orders.example"])
    claims = jwt.decode(derived["IssuedToken"], options={"verify_signature": False})
    assert claims["username"] == "Okta_idp-alice" and claims["token_use"] == "access" and claims["aud"] == "https://orders.example"
    assert sorted(claims["scope"].split()) == ["email", "openid"]
    # The user can be signed out of what the exchange issued.
    user = idp.admin_get_user(UserPoolId=fed.pool_id, Username="Okta_idp-alice")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    with pytest.raises(ClientError) as e:
        exchange(token[:-4] + "AAAA", SubjectTokenProviderName="Okta")
    assert error_code(e.value) == "NotAuthorizedException"
    with pytest.raises(ClientError) as e:
        exchange(token)  # without the provider's name it is taken for this pool's own, and is not
    assert error_code(e.value) == "NotAuthorizedException"
