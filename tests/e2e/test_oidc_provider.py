"""External OpenID Connect providers: an identity pool trusts an issuer listed in
OpenIdConnectProviderARNs and verifies its tokens against the keys the issuer publishes
(`/.well-known/openid-configuration` -> `jwks_uri`), fetched over HTTP.

The issuer here is a PoolDesk user pool reached as a plain OIDC issuer at its own URL: the
identity pool does not list it as a Cognito provider, so nothing but discovery and JWKS ties the
two together."""

from __future__ import annotations

import pytest

from conftest import error_code, sign_in
from identity_helpers import (  # noqa: F401 (ci, anon_ci, make_identity_pool are fixtures)
    AUTH_ROLE,
    anon_ci,
    assumed_role_arn,
    caller_identity,
    ci,
    credentials_for,
    make_identity_pool,
    set_roles,
    tamper_jwt_signature,
)


@pytest.fixture
def oidc(server, ci, make_pool, make_client, make_user, make_identity_pool):
    """An OIDC issuer (a user pool at its issuer URL), an app client, a user, and an identity pool
    that trusts the issuer with the client as the expected audience."""
    pool = make_pool()
    client = make_client(pool["Id"])
    other_client = make_client(pool["Id"])
    user = make_user(pool["Id"])
    provider = f"{server.endpoint.removeprefix('http://')}/{pool['Id']}"
    identity_pool = make_identity_pool(
        OpenIdConnectProviderARNs=[f"arn:aws:iam::000000000000:oidc-provider/{provider}"],
        SupportedLoginProviders={provider: client["ClientId"]},
    )
    set_roles(ci, identity_pool["IdentityPoolId"], {"authenticated": AUTH_ROLE})
    return pool, client, other_client, user, provider, identity_pool["IdentityPoolId"]


def test_an_oidc_providers_token_gets_credentials_for_the_authenticated_role(server, anon_ci, anon_idp, oidc):
    _, client, _, user, provider, identity_pool_id = oidc
    token = sign_in(anon_idp, client["ClientId"], user.username, user.password)["IdToken"]
    identity_id, creds = credentials_for(anon_ci, identity_pool_id, {provider: token})
    assert identity_id.startswith("us-east-1:")
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(AUTH_ROLE)
    # The same person signing in again is the same identity.
    again = sign_in(anon_idp, client["ClientId"], user.username, user.password)["IdToken"]
    assert anon_ci.get_id(IdentityPoolId=identity_pool_id, Logins={provider: again})["IdentityId"] == identity_id


def test_an_oidc_token_for_another_audience_is_refused(anon_ci, anon_idp, oidc):
    _, _, other_client, user, provider, identity_pool_id = oidc
    token = sign_in(anon_idp, other_client["ClientId"], user.username, user.password)["IdToken"]
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException):
        anon_ci.get_id(IdentityPoolId=identity_pool_id, Logins={provider: token})


def test_a_tampered_oidc_token_is_refused(anon_ci, anon_idp, oidc):
    _, client, _, user, provider, identity_pool_id = oidc
    token = sign_in(anon_idp, client["ClientId"], user.username, user.password)["IdToken"]
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException):
        anon_ci.get_id(IdentityPoolId=identity_pool_id, Logins={provider: tamper_jwt_signature(token)})


def test_a_token_of_an_unlisted_issuer_is_refused(server, anon_ci, anon_idp, make_pool, make_client, make_user, oidc):
    _, _, _, _, _, identity_pool_id = oidc
    stranger = make_pool()
    client = make_client(stranger["Id"])
    user = make_user(stranger["Id"])
    token = sign_in(anon_idp, client["ClientId"], user.username, user.password)["IdToken"]
    provider = f"{server.endpoint.removeprefix('http://')}/{stranger['Id']}"
    with pytest.raises(Exception) as e:
        anon_ci.get_id(IdentityPoolId=identity_pool_id, Logins={provider: token})
    assert error_code(e.value) == "NotAuthorizedException"


def test_an_oidc_provider_without_a_configured_audience_is_refused(server, ci, anon_ci, anon_idp, make_pool, make_client, make_user, make_identity_pool):
    pool = make_pool()
    client = make_client(pool["Id"])
    user = make_user(pool["Id"])
    provider = f"{server.endpoint.removeprefix('http://')}/{pool['Id']}"
    identity_pool = make_identity_pool(OpenIdConnectProviderARNs=[f"arn:aws:iam::000000000000:oidc-provider/{provider}"])
    token = sign_in(anon_idp, client["ClientId"], user.username, user.password)["IdToken"]
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException) as e:
        anon_ci.get_id(IdentityPoolId=identity_pool["IdentityPoolId"], Logins={provider: token})
    assert "SupportedLoginProviders" in e.value.response["Error"]["Message"]
