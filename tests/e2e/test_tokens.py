"""Tokens as a resource server checks them: JWKS and OpenID discovery per pool, RS256
signatures verified with PyJWT, Cognito's claims."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
import requests

from conftest import error_message, is_uuid, refresh, sign_in

ADMIN_ROLE = "arn:aws:iam::123456789012:role/PoolDeskAdmins"
READER_ROLE = "arn:aws:iam::123456789012:role/PoolDeskReaders"


def jwks_of(server, pool_id: str) -> dict:
    resp = requests.get(f"{server.endpoint}/{pool_id}/.well-known/jwks.json", timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def verify(token: str, server, pool_id: str, audience: str | None = None, algorithm: str = "RS256") -> dict:
    keyset = jwt.PyJWKSet.from_dict(jwks_of(server, pool_id))
    kid = jwt.get_unverified_header(token)["kid"]
    key = keyset[kid]
    return jwt.decode(
        token,
        key=key,
        algorithms=[algorithm],
        audience=audience,
        issuer=f"{server.endpoint}/{pool_id}",
        options={"require": ["exp", "iat", "iss", "sub", "token_use"]},
    )


@pytest.fixture
def token_app(idp, make_pool, make_client, make_user):
    """A pool with a custom attribute, a user with it set, and that user's tokens."""
    pool = make_pool(
        Schema=[{"Name": "department", "AttributeDataType": "String", "Mutable": True}],
    )
    client = make_client(pool["Id"])
    u = make_user(pool["Id"], "lena", attributes={"custom:department": "eng", "given_name": "Lena"})
    return pool["Id"], client["ClientId"], u


@pytest.fixture
def tokens(anon_idp, token_app):
    _, client_id, u = token_app
    before = int(time.time())
    result = sign_in(anon_idp, client_id, u.username, u.password)
    result["_before"] = before
    return result


# --- discovery ---------------------------------------------------------------------------------


def test_jwks_publishes_rsa_signing_keys(server, app):
    keys = jwks_of(server, app.pool_id)["keys"]
    assert keys
    for k in keys:
        assert k["kty"] == "RSA"
        assert k["alg"] == "RS256"
        assert k["use"] == "sig"
        assert k["kid"]
        modulus = base64.urlsafe_b64decode(k["n"] + "=" * (-len(k["n"]) % 4))
        assert len(modulus) * 8 >= 2048
        assert "d" not in k and "p" not in k, "private key material published"


def test_openid_configuration_names_issuer_and_jwks_uri(server, app):
    resp = requests.get(f"{server.endpoint}/{app.pool_id}/.well-known/openid-configuration", timeout=30)
    assert resp.status_code == 200
    config = resp.json()
    assert config["issuer"] == f"{server.endpoint}/{app.pool_id}"
    assert config["jwks_uri"] == f"{server.endpoint}/{app.pool_id}/.well-known/jwks.json"
    assert "RS256" in config["id_token_signing_alg_values_supported"]


def test_jwks_of_an_unknown_pool_is_a_client_error(server):
    resp = requests.get(f"{server.endpoint}/us-east-1_NoSuchPool9/.well-known/jwks.json", timeout=30)
    assert 400 <= resp.status_code < 500, resp.status_code


def test_pools_have_distinct_signing_keys(server, make_pool):
    a, b = make_pool(), make_pool()
    kids_a = {k["kid"] for k in jwks_of(server, a["Id"])["keys"]}
    kids_b = {k["kid"] for k in jwks_of(server, b["Id"])["keys"]}
    assert not kids_a & kids_b
    n_a = {k["n"] for k in jwks_of(server, a["Id"])["keys"]}
    n_b = {k["n"] for k in jwks_of(server, b["Id"])["keys"]}
    assert not n_a & n_b


# --- ID token ----------------------------------------------------------------------------------


def test_id_token_verifies_with_the_pool_jwks(server, token_app, tokens):
    pool_id, client_id, _ = token_app
    verify(tokens["IdToken"], server, pool_id, audience=client_id)


def test_id_token_verifies_with_py_jwk_client(server, token_app, tokens):
    pool_id, client_id, _ = token_app
    jwk_client = jwt.PyJWKClient(f"{server.endpoint}/{pool_id}/.well-known/jwks.json")
    key = jwk_client.get_signing_key_from_jwt(tokens["IdToken"])
    decoded = jwt.decode(tokens["IdToken"], key, algorithms=["RS256"], audience=client_id)
    assert decoded["token_use"] == "id"


def test_token_header_is_rs256_with_a_published_kid(server, token_app, tokens):
    pool_id, _, _ = token_app
    kids = {k["kid"] for k in jwks_of(server, pool_id)["keys"]}
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        header = jwt.get_unverified_header(token)
        assert header["alg"] == "RS256"
        assert header["kid"] in kids


def test_id_token_identity_claims(server, token_app, tokens):
    pool_id, client_id, u = token_app
    c = verify(tokens["IdToken"], server, pool_id, audience=client_id)
    assert c["token_use"] == "id"
    assert c["aud"] == client_id
    assert c["iss"] == f"{server.endpoint}/{pool_id}"
    assert c["sub"] == u.sub
    assert c["cognito:username"] == "lena"
    assert c["email"] == u.email
    assert c["email_verified"] is True
    assert c["given_name"] == "Lena"


def test_id_token_carries_custom_attributes(server, token_app, tokens):
    pool_id, client_id, _ = token_app
    c = verify(tokens["IdToken"], server, pool_id, audience=client_id)
    assert c["custom:department"] == "eng"


def test_id_token_times_and_ids(server, token_app, tokens):
    pool_id, client_id, _ = token_app
    c = verify(tokens["IdToken"], server, pool_id, audience=client_id)
    now = int(time.time())
    assert tokens["_before"] - 5 <= c["iat"] <= now + 5
    assert tokens["_before"] - 5 <= c["auth_time"] <= now + 5
    assert c["exp"] - c["iat"] == 3600
    assert is_uuid(c["jti"])
    assert is_uuid(c["origin_jti"])
    assert is_uuid(c["event_id"])


def test_id_token_email_verified_is_false_boolean_for_unverified_email(server, anon_idp, app, make_user):
    u = make_user(app.pool_id, "mona", email_verified=False)
    result = sign_in(anon_idp, app.client_id, u.username, u.password)
    c = verify(result["IdToken"], server, app.pool_id, audience=app.client_id)
    assert c["email_verified"] is False


def test_id_token_without_groups_has_no_group_claims(server, token_app, tokens):
    pool_id, client_id, _ = token_app
    c = verify(tokens["IdToken"], server, pool_id, audience=client_id)
    assert "cognito:groups" not in c
    assert "cognito:preferred_role" not in c


# --- access token ------------------------------------------------------------------------------


def test_access_token_claims(server, token_app, tokens):
    pool_id, client_id, u = token_app
    c = verify(tokens["AccessToken"], server, pool_id)
    assert c["token_use"] == "access"
    assert c["client_id"] == client_id
    assert c["username"] == "lena"
    assert c["sub"] == u.sub
    assert c["scope"] == "aws.cognito.signin.user.admin"
    assert "aud" not in c
    assert c["exp"] - c["iat"] == 3600
    assert is_uuid(c["jti"])


def test_id_and_access_tokens_of_one_sign_in_share_origin_jti(token_app, tokens):
    id_claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    access_claims = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    assert id_claims["origin_jti"] == access_claims["origin_jti"]
    assert id_claims["jti"] != access_claims["jti"]


def test_refreshed_tokens_verify_and_keep_identity(server, anon_idp, token_app, tokens):
    pool_id, client_id, u = token_app
    new = refresh(anon_idp, client_id, tokens["RefreshToken"])
    c = verify(new["IdToken"], server, pool_id, audience=client_id)
    assert c["sub"] == u.sub
    assert c["token_use"] == "id"
    original = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert c["origin_jti"] == original["origin_jti"]
    assert verify(new["AccessToken"], server, pool_id)["client_id"] == client_id


# --- groups and roles --------------------------------------------------------------------------


def test_groups_and_roles_in_tokens(server, idp, anon_idp, app, user):
    idp.create_group(GroupName="admins", UserPoolId=app.pool_id, Precedence=1, RoleArn=ADMIN_ROLE)
    idp.create_group(GroupName="plain", UserPoolId=app.pool_id, Precedence=3)
    idp.create_group(GroupName="readers", UserPoolId=app.pool_id, Precedence=5, RoleArn=READER_ROLE)
    for g in ("readers", "plain", "admins"):
        idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=user.username, GroupName=g)
    result = sign_in(anon_idp, app.client_id, user.username, user.password)
    id_claims = verify(result["IdToken"], server, app.pool_id, audience=app.client_id)
    assert sorted(id_claims["cognito:groups"]) == ["admins", "plain", "readers"]
    assert sorted(id_claims["cognito:roles"]) == sorted([ADMIN_ROLE, READER_ROLE])
    assert id_claims["cognito:preferred_role"] == ADMIN_ROLE
    access_claims = verify(result["AccessToken"], server, app.pool_id)
    assert sorted(access_claims["cognito:groups"]) == ["admins", "plain", "readers"]


def test_preferred_role_follows_the_lowest_precedence_value(server, idp, anon_idp, app, user):
    idp.create_group(GroupName="admins", UserPoolId=app.pool_id, Precedence=10, RoleArn=ADMIN_ROLE)
    idp.create_group(GroupName="readers", UserPoolId=app.pool_id, Precedence=2, RoleArn=READER_ROLE)
    for g in ("admins", "readers"):
        idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=user.username, GroupName=g)
    result = sign_in(anon_idp, app.client_id, user.username, user.password)
    id_claims = verify(result["IdToken"], server, app.pool_id, audience=app.client_id)
    assert id_claims["cognito:preferred_role"] == READER_ROLE


# --- negative verification ---------------------------------------------------------------------


def test_token_of_pool_a_does_not_verify_with_pool_b_keys(server, make_pool, token_app, tokens):
    other = make_pool()
    other_keys = jwks_of(server, other["Id"])["keys"]
    kid = jwt.get_unverified_header(tokens["IdToken"])["kid"]
    assert kid not in {k["kid"] for k in other_keys}
    for k in other_keys:
        key = jwt.PyJWK.from_dict(k)
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(tokens["IdToken"], key=key, algorithms=["RS256"], options={"verify_aud": False})


def test_tampered_token_does_not_verify(server, token_app, tokens):
    pool_id, client_id, _ = token_app
    header, payload, signature = tokens["IdToken"].split(".")
    body = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    body["cognito:username"] = "mallory"
    forged_payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        verify(f"{header}.{forged_payload}.{signature}", server, pool_id, audience=client_id)


# --- ES256 pools (PoolDesk's tag) --------------------------------------------------------------

ALGORITHM_TAG = "pooldesk:token-signing-algorithm"


@pytest.fixture
def es256_app(idp, make_pool, make_client, make_user):
    pool = make_pool(UserPoolTags={ALGORITHM_TAG: "ES256"})
    client = make_client(pool["Id"])
    u = make_user(pool["Id"], "erin")
    return pool, client["ClientId"], u


def verify_es256(token: str, server, pool_id: str, audience: str | None = None) -> dict:
    return verify(token, server, pool_id, audience, algorithm="ES256")


def test_an_es256_pool_publishes_a_p256_key_and_says_so_in_discovery(server, es256_app):
    pool, _, _ = es256_app
    assert pool["UserPoolTags"] == {ALGORITHM_TAG: "ES256"}
    (key,) = jwks_of(server, pool["Id"])["keys"]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("EC", "P-256", "ES256", "sig")
    for coordinate in (key["x"], key["y"]):
        assert len(base64.urlsafe_b64decode(coordinate + "=" * (-len(coordinate) % 4))) == 32
    assert "d" not in key, "private key material published"
    config = requests.get(f"{server.endpoint}/{pool['Id']}/.well-known/openid-configuration", timeout=30).json()
    assert config["id_token_signing_alg_values_supported"] == ["ES256"]


def test_an_es256_pool_signs_tokens_that_verify_and_work_like_rs256_ones(server, idp, anon_idp, es256_app):
    pool, client_id, u = es256_app
    tokens = sign_in(anon_idp, client_id, u.username, u.password)
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        assert jwt.get_unverified_header(token)["alg"] == "ES256"
    assert verify_es256(tokens["IdToken"], server, pool["Id"], audience=client_id)["cognito:username"] == u.username
    assert verify_es256(tokens["AccessToken"], server, pool["Id"])["token_use"] == "access"
    assert anon_idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == u.username

    refreshed = refresh(anon_idp, client_id, tokens["RefreshToken"])
    assert verify_es256(refreshed["IdToken"], server, pool["Id"], audience=client_id)["sub"] == verify_es256(
        tokens["IdToken"], server, pool["Id"], audience=client_id
    )["sub"]
    anon_idp.global_sign_out(AccessToken=refreshed["AccessToken"])
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_user(AccessToken=refreshed["AccessToken"])


def test_an_es256_token_does_not_pass_in_an_rs256_pool(anon_idp, es256_app, token_app):
    pool, client_id, u = es256_app
    tokens = sign_in(anon_idp, client_id, u.username, u.password)
    rs256_pool_id = token_app[0]
    header, payload, signature = tokens["AccessToken"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["iss"] = claims["iss"].replace(pool["Id"], rs256_pool_id)
    moved = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_user(AccessToken=f"{header}.{moved}.{signature}")


def test_the_signing_algorithm_tag_is_checked_and_fixed_at_creation(idp, make_pool, es256_app):
    with pytest.raises(idp.exceptions.InvalidParameterException) as bad:
        make_pool(UserPoolTags={ALGORITHM_TAG: "HS256"})
    assert "RS256 or ES256" in error_message(bad.value)

    pool, _, _ = es256_app
    with pytest.raises(idp.exceptions.InvalidParameterException) as changed:
        idp.update_user_pool(UserPoolId=pool["Id"], UserPoolTags={ALGORITHM_TAG: "RS256"})
    assert "cannot change" in error_message(changed.value)
    # Other tags may change as long as the algorithm's stays.
    idp.update_user_pool(UserPoolId=pool["Id"], UserPoolTags={ALGORITHM_TAG: "ES256", "team": "identity"})
    tags = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolTags"]
    assert tags == {ALGORITHM_TAG: "ES256", "team": "identity"}
    rs256 = make_pool(UserPoolTags={"team": "identity"})
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.update_user_pool(UserPoolId=rs256["Id"], UserPoolTags={ALGORITHM_TAG: "ES256"})
