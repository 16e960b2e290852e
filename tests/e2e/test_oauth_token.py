"""The token endpoint of a pool's domain, driven by Authlib (a real OAuth 2.0 client library),
discovery first: client_credentials with resource-server scopes, refresh_token, the errors
Cognito documents, GetClientToken, and the access tokens verified against the served JWKS."""

from __future__ import annotations

import base64
import urllib.parse
import uuid

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from botocore.exceptions import ClientError

from conftest import PASSWORD, error_code, pooldesk_call, sign_in


def scopes(*names: str) -> list[dict]:
    return [{"ScopeName": n, "ScopeDescription": n} for n in names]


@pytest.fixture
def m2m(idp, server, make_pool, make_client):
    """A pool with a domain, a resource server `orders` (read, write) and `billing` (pay), and a
    confidential client allowed client_credentials for orders/read, orders/write, billing/pay."""
    pool_id = make_pool()["Id"]
    domain = f"m2m{uuid.uuid4().hex[:10]}"
    idp.create_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    idp.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders", Scopes=scopes("read", "write"))
    idp.create_resource_server(UserPoolId=pool_id, Identifier="billing", Name="Billing", Scopes=scopes("pay"))
    client = make_client(
        pool_id,
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read", "orders/write", "billing/pay"],
    )
    discovery = requests.get(f"{server.endpoint}/{pool_id}/.well-known/openid-configuration", timeout=10).json()
    return type(
        "M2M",
        (),
        {
            "pool_id": pool_id,
            "domain": domain,
            "client_id": client["ClientId"],
            "secret": client["ClientSecret"],
            "discovery": discovery,
            "token_url": discovery["token_endpoint"],
        },
    )


def verify(server, pool_id: str, token: str) -> dict:
    """Verifies a token's signature with the pool's JWKS (taken from discovery) and its issuer."""
    discovery = requests.get(f"{server.endpoint}/{pool_id}/.well-known/openid-configuration", timeout=10).json()
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["RS256"], issuer=discovery["issuer"], options={"verify_aud": False})


def test_discovery_names_the_token_endpoint_once_the_pool_has_a_domain(idp, server, make_pool, m2m):
    d = m2m.discovery
    assert d["token_endpoint"] == f"{server.endpoint}/domains/{m2m.domain}/oauth2/token"
    assert "client_credentials" in d["grant_types_supported"]
    assert d["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]
    assert {"orders/read", "orders/write", "billing/pay", "openid"} <= set(d["scopes_supported"])
    assert d["authorization_endpoint"] == f"{server.endpoint}/domains/{m2m.domain}/oauth2/authorize"
    bare = make_pool()["Id"]
    plain = requests.get(f"{server.endpoint}/{bare}/.well-known/openid-configuration", timeout=10).json()
    assert "token_endpoint" not in plain and plain["response_types_supported"] == [] and plain["jwks_uri"].endswith(f"/{bare}/.well-known/jwks.json")


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_authlib_gets_a_client_credentials_token_with_every_allowed_scope(server, m2m, auth_method):
    session = OAuth2Session(m2m.client_id, m2m.secret, token_endpoint_auth_method=auth_method)
    token = session.fetch_token(m2m.token_url, grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert "refresh_token" not in token and "id_token" not in token
    claims = verify(server, m2m.pool_id, token["access_token"])
    assert claims["token_use"] == "access"
    assert claims["sub"] == claims["client_id"] == m2m.client_id
    assert sorted(claims["scope"].split()) == ["billing/pay", "orders/read", "orders/write"]
    assert claims["version"] == 2 and claims["exp"] - claims["iat"] == 3600


def test_a_client_gets_only_the_scopes_it_asks_for(server, m2m):
    session = OAuth2Session(m2m.client_id, m2m.secret, scope="orders/read billing/pay")
    token = session.fetch_token(m2m.token_url, grant_type="client_credentials")
    assert verify(server, m2m.pool_id, token["access_token"])["scope"] == "orders/read billing/pay"


def post_token(url: str, form: dict, auth: tuple[str, str] | None = None, **headers) -> requests.Response:
    return requests.post(url, data=form, auth=auth, headers=headers, timeout=10)


def oauth_error(resp: requests.Response) -> tuple[int, str]:
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.headers["Cache-Control"] == "no-store"
    return resp.status_code, resp.json()["error"]


def test_the_token_endpoints_errors_are_cognitos(idp, m2m, make_client):
    url, creds = m2m.token_url, (m2m.client_id, m2m.secret)
    cc = {"grant_type": "client_credentials"}
    assert oauth_error(post_token(url, {"grant_type": "password"}, creds)) == (400, "unsupported_grant_type")
    assert oauth_error(post_token(url, {}, creds)) == (400, "invalid_request")
    assert oauth_error(post_token(url, cc, (m2m.client_id, "wrong-secret"))) == (400, "invalid_client")
    assert oauth_error(post_token(url, cc, ("nosuchclient0000000000000", "x"))) == (400, "invalid_client")
    assert oauth_error(post_token(url, {**cc, "client_id": m2m.client_id})) == (400, "invalid_client"), "a secret is required"
    assert oauth_error(post_token(url, {**cc, "scope": "orders/delete"}, creds)) == (400, "invalid_scope")
    assert oauth_error(post_token(url, {**cc, "scope": "openid"}, creds)) == (400, "invalid_scope"), "standard scopes are for users"
    both = {**cc, "client_id": m2m.client_id, "client_secret": m2m.secret}
    assert oauth_error(post_token(url, both, creds)) == (400, "invalid_request"), "one way to authenticate"
    json_body = requests.post(url, json=cc, auth=creds, timeout=10)
    assert oauth_error(json_body) == (400, "invalid_request")
    assert requests.get(url, timeout=10).status_code == 405

    # A client of another pool is unknown here, even with its right secret.
    other_pool = idp.create_user_pool(PoolName=f"other{uuid.uuid4().hex[:6]}")["UserPool"]["Id"]
    idp.create_resource_server(UserPoolId=other_pool, Identifier="orders", Name="O", Scopes=scopes("read"))
    stranger = make_client(
        other_pool, GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["orders/read"]
    )
    assert oauth_error(post_token(url, cc, (stranger["ClientId"], stranger["ClientSecret"]))) == (400, "invalid_client")

    # A confidential client without the client_credentials flow is not authorized for it.
    coder = make_client(
        m2m.pool_id,
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=["https://app.example.com/cb"],
    )
    assert oauth_error(post_token(url, cc, (coder["ClientId"], coder["ClientSecret"]))) == (400, "unauthorized_client")


def test_an_unknown_domain_is_not_found(server):
    resp = post_token(f"{server.endpoint}/domains/no-such-domain-here/oauth2/token", {"grant_type": "client_credentials"})
    assert resp.status_code == 404


def test_a_removed_scope_is_no_longer_granted(idp, server, m2m):
    idp.update_resource_server(UserPoolId=m2m.pool_id, Identifier="billing", Name="Billing")
    token = OAuth2Session(m2m.client_id, m2m.secret).fetch_token(m2m.token_url, grant_type="client_credentials")
    assert sorted(verify(server, m2m.pool_id, token["access_token"])["scope"].split()) == ["orders/read", "orders/write"]
    resp = post_token(m2m.token_url, {"grant_type": "client_credentials", "scope": "billing/pay"}, (m2m.client_id, m2m.secret))
    assert oauth_error(resp) == (400, "invalid_scope")


def test_the_domain_is_also_served_by_host_name(server, m2m):
    """A reverse proxy (or DNS) that sends `<prefix>.<anything>` here reaches the same endpoint."""
    host = f"{m2m.domain}.auth.us-east-1.localhost"
    resp = post_token(f"{server.endpoint}/oauth2/token", {"grant_type": "client_credentials"}, (m2m.client_id, m2m.secret), Host=host)
    assert resp.status_code == 200, resp.text
    assert resp.json()["access_token"]
    unknown = post_token(f"{server.endpoint}/oauth2/token", {"grant_type": "client_credentials"}, Host="nobody.auth.localhost")
    assert unknown.status_code == 404
    bare = post_token(f"{server.endpoint}/oauth2/token", {"grant_type": "client_credentials"})
    assert bare.status_code == 404, "the server's own address names no domain"


def test_a_client_secret_with_reserved_characters_works_with_basic_auth(idp, m2m, make_client):
    # '+' is the one character Cognito's secret pattern ([\w+]+) allows that form encoding changes.
    secret = "a+b+_c" + uuid.uuid4().hex
    client = make_client(
        m2m.pool_id,
        ClientSecret=secret,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read"],
    )
    # RFC 6749: form-encoded, then Base64 (what Authlib does) ...
    encoded = f"{urllib.parse.quote(client['ClientId'], safe='')}:{urllib.parse.quote(secret, safe='')}"
    auth = "Basic " + base64.b64encode(encoded.encode()).decode()
    ok = requests.post(m2m.token_url, data={"grant_type": "client_credentials"}, headers={"Authorization": auth}, timeout=10)
    assert ok.status_code == 200, ok.text
    # ... or raw, as Cognito's documentation shows it.
    raw = post_token(m2m.token_url, {"grant_type": "client_credentials"}, (client["ClientId"], secret))
    assert raw.status_code == 200, raw.text


def test_get_client_token_is_the_same_grant_as_an_operation(server, anon_idp, m2m):
    result = anon_idp.get_client_token(ClientId=m2m.client_id, Secret=m2m.secret, Scopes=["orders/write"])["ClientAuthenticationResult"]
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    assert verify(server, m2m.pool_id, result["AccessToken"])["scope"] == "orders/write"
    every = anon_idp.get_client_token(ClientId=m2m.client_id, Secret=m2m.secret)["ClientAuthenticationResult"]
    assert len(verify(server, m2m.pool_id, every["AccessToken"])["scope"].split()) == 3
    with pytest.raises(ClientError) as e:
        anon_idp.get_client_token(ClientId=m2m.client_id, Secret="wrong-secret-of-the-right-length")
    assert error_code(e.value) == "NotAuthorizedException"
    with pytest.raises(ClientError) as e:
        anon_idp.get_client_token(ClientId=m2m.client_id, Secret=m2m.secret, Scopes=["orders/delete"])
    assert error_code(e.value) == "InvalidParameterException"


def test_a_client_token_cannot_call_user_operations(anon_idp, m2m):
    token = OAuth2Session(m2m.client_id, m2m.secret).fetch_token(m2m.token_url, grant_type="client_credentials")["access_token"]
    with pytest.raises(ClientError) as e:
        anon_idp.get_user(AccessToken=token)
    assert error_code(e.value) == "NotAuthorizedException"
    assert "required scopes" in str(e.value)


def test_the_refresh_token_grant_renews_a_users_tokens(idp, anon_idp, server, make_pool, make_client, make_user):
    pool_id = make_pool()["Id"]
    domain = f"rt{uuid.uuid4().hex[:10]}"
    idp.create_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    client = make_client(
        pool_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "aws.cognito.signin.user.admin"],
        CallbackURLs=["http://localhost:3000/cb"],
    )
    user = make_user(pool_id, "rita")
    refresh_token = sign_in(anon_idp, client["ClientId"], "rita", PASSWORD)["RefreshToken"]
    url = f"{server.endpoint}/domains/{domain}/oauth2/token"
    resp = post_token(url, {"grant_type": "refresh_token", "client_id": client["ClientId"], "refresh_token": refresh_token})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"id_token", "access_token", "expires_in", "token_type"}, "no new refresh token without rotation"
    assert verify(server, pool_id, body["id_token"])["sub"] == user.sub
    bad = post_token(url, {"grant_type": "refresh_token", "client_id": client["ClientId"], "refresh_token": "not-a-token"})
    assert oauth_error(bad) == (400, "invalid_grant")
    missing = post_token(url, {"grant_type": "refresh_token", "client_id": client["ClientId"]})
    assert oauth_error(missing) == (400, "invalid_request")


def test_grants_are_audited(server, m2m):
    OAuth2Session(m2m.client_id, m2m.secret).fetch_token(m2m.token_url, grant_type="client_credentials")
    post_token(m2m.token_url, {"grant_type": "client_credentials"}, (m2m.client_id, "wrong"))
    status, body = pooldesk_call(server, "ListAuditEvents", {"PoolId": m2m.pool_id, "Operation": "OAuth2.client_credentials"})
    assert status == 200, body
    outcomes = [e["Outcome"] for e in body["Events"]]
    assert outcomes[:2] == ["invalid_client", "OK"], outcomes
    assert all(e["Actor"] == m2m.client_id and e["Source"] == "127.0.0.1" for e in body["Events"])


def test_while_a_secret_is_rotated_the_token_endpoint_takes_either_then_only_the_new_one(idp, anon_idp, m2m):
    new = idp.add_user_pool_client_secret(UserPoolId=m2m.pool_id, ClientId=m2m.client_id)["ClientSecretDescriptor"]
    cc = {"grant_type": "client_credentials"}
    for secret in (m2m.secret, new["ClientSecretValue"]):
        assert post_token(m2m.token_url, cc, auth=(m2m.client_id, secret)).status_code == 200
        assert post_token(m2m.token_url, {**cc, "client_id": m2m.client_id, "client_secret": secret}).status_code == 200
        assert anon_idp.get_client_token(ClientId=m2m.client_id, Secret=secret)["ClientAuthenticationResult"]["AccessToken"]

    old_id = next(s["ClientSecretId"] for s in idp.list_user_pool_client_secrets(UserPoolId=m2m.pool_id, ClientId=m2m.client_id)["ClientSecrets"] if s["ClientSecretId"] != new["ClientSecretId"])
    idp.delete_user_pool_client_secret(UserPoolId=m2m.pool_id, ClientId=m2m.client_id, ClientSecretId=old_id)
    assert oauth_error(post_token(m2m.token_url, cc, auth=(m2m.client_id, m2m.secret))) == (400, "invalid_client")
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_client_token(ClientId=m2m.client_id, Secret=m2m.secret)
    assert post_token(m2m.token_url, cc, auth=(m2m.client_id, new["ClientSecretValue"])).status_code == 200
