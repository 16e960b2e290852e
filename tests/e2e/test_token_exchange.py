"""Token exchange (RFC 8693): GetDerivedToken through boto3, signed and unsigned, and the token
endpoint's token-exchange grant through plain HTTP. A user signs in through the login pages
with custom scopes; a backend service trades the user's token for one narrowed in scope and
bound to a downstream audience (impersonation), or names itself in `act` (delegation). Every
issued token is verified against the pool's JWKS from discovery."""

from __future__ import annotations

import urllib.parse
import uuid

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from conftest import PASSWORD, claims, error_code, sign_in
from login_pages import Browser, query_of

CALLBACK = "https://app.example.com/callback"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS = "urn:ietf:params:oauth:token-type:access_token"
ID = "urn:ietf:params:oauth:token-type:id_token"


def scopes(*names: str) -> list[dict]:
    return [{"ScopeName": n, "ScopeDescription": n} for n in names]


class Setup:
    """A pool with a domain and a resource server `orders` (read, write); a web client whose
    users sign in through the pages with every scope; a backend client allowed to impersonate
    (orders/read only); an agent client allowed delegation and client_credentials."""

    def __init__(self, idp, server, make_pool, make_client):
        self.idp, self.server = idp, server
        self.pool_id = make_pool()["Id"]
        self.domain = f"tx{uuid.uuid4().hex[:10]}"
        idp.create_user_pool_domain(Domain=self.domain, UserPoolId=self.pool_id)
        idp.create_resource_server(UserPoolId=self.pool_id, Identifier="orders", Name="Orders", Scopes=scopes("read", "write"))
        self.web = make_client(
            self.pool_id,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "orders/read", "orders/write", "aws.cognito.signin.user.admin"],
            CallbackURLs=[CALLBACK],
            SupportedIdentityProviders=["COGNITO"],
        )
        self.backend = make_client(
            self.pool_id,
            GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_IMPERSONATION"],
            AllowedOAuthScopes=["orders/read"],
        )
        self.agent = make_client(
            self.pool_id,
            GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_DELEGATION"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["orders/read", "orders/write"],
        )
        self.discovery = requests.get(f"{server.endpoint}/{self.pool_id}/.well-known/openid-configuration", timeout=10).json()
        self.token_url = self.discovery["token_endpoint"]

    def user_tokens(self, make_user, scope: str = "openid email orders/read orders/write aws.cognito.signin.user.admin") -> dict:
        """A new user's tokens from the code flow through the login pages."""
        user = make_user(self.pool_id)
        query = urllib.parse.urlencode(
            {"client_id": self.web["ClientId"], "response_type": "code", "redirect_uri": CALLBACK, "scope": scope, "state": "s"}
        )
        back = Browser(self.server.endpoint).sign_in(f"{self.discovery['authorization_endpoint']}?{query}", user.username, PASSWORD)
        assert isinstance(back, str) and back.startswith(CALLBACK), back
        form = {"grant_type": "authorization_code", "client_id": self.web["ClientId"], "code": query_of(back)["code"], "redirect_uri": CALLBACK}
        tokens = requests.post(self.token_url, data=form, timeout=10).json()
        tokens["user"] = user
        return tokens

    def agent_token(self) -> str:
        form = {"grant_type": "client_credentials", "scope": "orders/read"}
        resp = requests.post(self.token_url, data=form, auth=(self.agent["ClientId"], self.agent["ClientSecret"]), timeout=10)
        return resp.json()["access_token"]

    def verify(self, token: str, audience: str | None = None) -> dict:
        key = jwt.PyJWKClient(self.discovery["jwks_uri"]).get_signing_key_from_jwt(token)
        options = {} if audience else {"verify_aud": False}
        return jwt.decode(token, key.key, algorithms=["RS256"], issuer=self.discovery["issuer"], audience=audience, options=options)


@pytest.fixture
def tx(idp, server, make_pool, make_client):
    return Setup(idp, server, make_pool, make_client)


def test_a_backend_narrows_a_users_token_to_one_scope_and_one_audience(tx, anon_idp, make_user):
    user = tx.user_tokens(make_user)
    derived = anon_idp.get_derived_token(
        ClientId=tx.backend["ClientId"],
        ClientSecret=tx.backend["ClientSecret"],
        SubjectToken=user["access_token"],
        SubjectTokenType="ACCESS_TOKEN",
        Scopes=["orders/read", "orders/write"],
        Audiences=["orders-service"],
    )
    assert derived["IssuedTokenType"] == "ACCESS_TOKEN" and derived["TokenType"] == "Bearer"
    assert derived["Scopes"] == ["orders/read"], "orders/write is not allowed to the backend client"
    issued = tx.verify(derived["IssuedToken"], audience="orders-service")
    original = claims(user["access_token"])
    assert issued["token_use"] == "access" and issued["sub"] == user["user"].sub == original["sub"]
    assert issued["client_id"] == tx.backend["ClientId"] and issued["scope"] == "orders/read"
    assert issued["username"] == original["username"] and "act" not in issued
    assert issued["exp"] <= original["exp"] and 0 < derived["ExpiresIn"] <= 3600
    assert "RefreshToken" not in derived
    # Without aws.cognito.signin.user.admin, the derived token cannot act on the user's account.
    with pytest.raises(ClientError) as e:
        anon_idp.get_user(AccessToken=derived["IssuedToken"])
    assert error_code(e.value) == "NotAuthorizedException"


def test_without_scopes_the_subjects_are_kept_and_an_id_token_can_be_issued(tx, anon_idp, make_user):
    user = tx.user_tokens(make_user)
    kept = anon_idp.get_derived_token(
        ClientId=tx.backend["ClientId"], ClientSecret=tx.backend["ClientSecret"], SubjectToken=user["access_token"], SubjectTokenType="ACCESS_TOKEN"
    )
    assert sorted(kept["Scopes"]) == sorted(claims(user["access_token"])["scope"].split())
    id_token = anon_idp.get_derived_token(
        ClientId=tx.backend["ClientId"],
        ClientSecret=tx.backend["ClientSecret"],
        SubjectToken=user["id_token"],
        SubjectTokenType="ID_TOKEN",
        RequestedTokenType="ID_TOKEN",
        Audiences=["profile-service"],
    )
    assert id_token["IssuedTokenType"] == "ID_TOKEN" and id_token["TokenType"] == "N_A"
    issued = tx.verify(id_token["IssuedToken"], audience="profile-service")
    assert issued["token_use"] == "id" and issued["email"] == user["user"].email and issued["sub"] == user["user"].sub


def test_delegation_names_the_acting_service_in_act(tx, anon_idp, make_user):
    user = tx.user_tokens(make_user)
    agent_token = tx.agent_token()
    derived = anon_idp.get_derived_token(
        ClientId=tx.agent["ClientId"],
        ClientSecret=tx.agent["ClientSecret"],
        SubjectToken=user["access_token"],
        SubjectTokenType="ACCESS_TOKEN",
        ActorToken=agent_token,
        ActorTokenType="ACCESS_TOKEN",
        Scopes=["orders/write"],
        Resources=["orders"],
    )
    issued = tx.verify(derived["IssuedToken"], audience="orders")
    assert issued["sub"] == user["user"].sub and issued["scope"] == "orders/write"
    assert issued["act"] == {"sub": tx.agent["ClientId"], "client_id": tx.agent["ClientId"]}
    # Each client may exchange only the way its ExplicitAuthFlows allow.
    for client, actor in [(tx.backend, {"ActorToken": agent_token, "ActorTokenType": "ACCESS_TOKEN"}), (tx.agent, {})]:
        with pytest.raises(ClientError) as e:
            anon_idp.get_derived_token(
                ClientId=client["ClientId"], ClientSecret=client["ClientSecret"], SubjectToken=user["access_token"], SubjectTokenType="ACCESS_TOKEN", **actor
            )
        assert error_code(e.value) == "InvalidParameterException"


def test_iam_credentials_stand_in_for_the_client_secret(tx, idp, anon_idp, make_user):
    user = tx.user_tokens(make_user)
    signed = idp.get_derived_token(ClientId=tx.backend["ClientId"], SubjectToken=user["access_token"], SubjectTokenType="ACCESS_TOKEN")
    assert tx.verify(signed["IssuedToken"])["client_id"] == tx.backend["ClientId"]
    for secret in [None, "wrong-secret-" + "x" * 20]:
        with pytest.raises(ClientError) as e:
            anon_idp.get_derived_token(
                ClientId=tx.backend["ClientId"],
                SubjectToken=user["access_token"],
                SubjectTokenType="ACCESS_TOKEN",
                **({"ClientSecret": secret} if secret else {}),
            )
        assert error_code(e.value) == "NotAuthorizedException"


def test_bad_exchanges_get_cognitos_errors(tx, anon_idp, make_user):
    user = tx.user_tokens(make_user)
    base = {"ClientId": tx.backend["ClientId"], "ClientSecret": tx.backend["ClientSecret"], "SubjectTokenType": "ACCESS_TOKEN"}
    cases = [
        ({"SubjectToken": user["access_token"], "Audiences": ["a"], "Resources": ["orders"]}, "InvalidParameterException"),
        ({"SubjectToken": user["access_token"], "Resources": ["payments"]}, "InvalidParameterException"),
        ({"SubjectToken": user["access_token"], "Scopes": ["orders/write"]}, "InvalidParameterException"),
        ({"SubjectToken": user["access_token"], "SubjectTokenType": "ID_TOKEN"}, "NotAuthorizedException"),
        ({"SubjectToken": user["id_token"] + "x"}, "NotAuthorizedException"),
        ({"SubjectToken": "PHNhbWw+", "SubjectTokenType": "SAML2"}, "InvalidParameterException"),
        ({"SubjectToken": "PHNhbWw+", "SubjectTokenType": "SAML2", "SubjectTokenProviderName": "Okta"}, "ResourceNotFoundException"),
        ({"SubjectToken": user["access_token"], "ActorToken": user["access_token"]}, "InvalidParameterException"),
    ]
    for extra, code in cases:
        with pytest.raises(ClientError) as e:
            anon_idp.get_derived_token(**{**base, **extra})
        assert error_code(e.value) == code, extra


def test_signing_the_user_out_ends_the_subject_and_what_was_derived(tx, anon_idp, make_user):
    user = tx.user_tokens(make_user)
    derived = anon_idp.get_derived_token(
        ClientId=tx.backend["ClientId"],
        ClientSecret=tx.backend["ClientSecret"],
        SubjectToken=user["access_token"],
        SubjectTokenType="ACCESS_TOKEN",
        Scopes=["aws.cognito.signin.user.admin"],
    )
    assert anon_idp.get_user(AccessToken=derived["IssuedToken"])["Username"] == user["user"].username
    anon_idp.global_sign_out(AccessToken=user["access_token"])
    for call in [
        lambda: anon_idp.get_user(AccessToken=derived["IssuedToken"]),
        lambda: anon_idp.get_derived_token(
            ClientId=tx.backend["ClientId"], ClientSecret=tx.backend["ClientSecret"], SubjectToken=user["access_token"], SubjectTokenType="ACCESS_TOKEN"
        ),
    ]:
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == "NotAuthorizedException"


def test_an_api_sign_in_can_be_exchanged_too(tx, idp, anon_idp, make_user, make_client):
    """Tokens from InitiateAuth carry aws.cognito.signin.user.admin, which any client may keep."""
    api_client = make_client(tx.pool_id)
    user = make_user(tx.pool_id)
    tokens = sign_in(anon_idp, api_client["ClientId"], user.username, PASSWORD)
    derived = anon_idp.get_derived_token(
        ClientId=tx.backend["ClientId"], ClientSecret=tx.backend["ClientSecret"], SubjectToken=tokens["IdToken"], SubjectTokenType="ID_TOKEN"
    )
    assert derived["Scopes"] == ["aws.cognito.signin.user.admin"]
    assert tx.verify(derived["IssuedToken"])["sub"] == user.sub


def token_exchange(tx, client: dict, **form: str) -> requests.Response:
    body = {"grant_type": EXCHANGE, **form}
    return requests.post(tx.token_url, data=body, auth=(client["ClientId"], client["ClientSecret"]), timeout=10)


def test_the_token_endpoint_exchanges_with_rfc_8693s_parameters(tx, make_user):
    assert EXCHANGE in tx.discovery["grant_types_supported"]
    user = tx.user_tokens(make_user)
    resp = token_exchange(tx, tx.backend, subject_token=user["access_token"], subject_token_type=ACCESS, scope="orders/read", audience="orders-service")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["issued_token_type"] == ACCESS and body["token_type"] == "Bearer" and body["scope"] == "orders/read"
    assert "refresh_token" not in body and body["expires_in"] > 0
    assert tx.verify(body["access_token"], audience="orders-service")["sub"] == user["user"].sub

    as_id = token_exchange(tx, tx.backend, subject_token=user["id_token"], subject_token_type=ID, requested_token_type=ID).json()
    assert as_id["issued_token_type"] == ID and as_id["token_type"] == "N_A"
    assert tx.verify(as_id["access_token"], audience=tx.backend["ClientId"])["token_use"] == "id"

    delegated = token_exchange(
        tx, tx.agent, subject_token=user["access_token"], subject_token_type=ACCESS, actor_token=tx.agent_token(), actor_token_type=ACCESS
    ).json()
    assert tx.verify(delegated["access_token"])["act"]["sub"] == tx.agent["ClientId"]


def test_the_token_endpoints_exchange_errors(tx, make_user):
    user = tx.user_tokens(make_user)
    subject = {"subject_token": user["access_token"], "subject_token_type": ACCESS}

    def error(client, **form):
        resp = token_exchange(tx, client, **form)
        return resp.status_code, resp.json()["error"]

    assert error(tx.agent, **subject) == (400, "unauthorized_client"), "the agent may only delegate"
    assert error(tx.backend, subject_token="not.a.token", subject_token_type=ACCESS) == (400, "invalid_grant")
    assert error(tx.backend, **subject, scope="orders/write") == (400, "invalid_scope")
    assert error(tx.backend, **subject, resource="payments") == (400, "invalid_target")
    assert error(tx.backend, subject_token=user["access_token"], subject_token_type="urn:ietf:params:oauth:token-type:jwt") == (400, "invalid_request")
    assert error(tx.backend, subject_token=user["access_token"]) == (400, "invalid_request")
    assert error(tx.backend, **subject, requested_token_type="urn:ietf:params:oauth:token-type:saml2") == (400, "invalid_request")
    wrong = requests.post(tx.token_url, data={"grant_type": EXCHANGE, **subject}, auth=(tx.backend["ClientId"], "nope"), timeout=10)
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_client")
