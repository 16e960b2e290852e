"""App clients: CRUD, client secrets and SECRET_HASH, auth-flow switches, token validity."""

from __future__ import annotations

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from concurrent.futures import ThreadPoolExecutor

from conftest import PASSWORD, claims, error_code, refused, secret_hash, sign_in

CLIENT_ID_RE = re.compile(r"^[a-z0-9]{26}$")


def test_create_user_pool_client_returns_an_aws_shaped_client_id(app):
    client = app.client
    assert CLIENT_ID_RE.match(client["ClientId"]), client["ClientId"]
    assert client["UserPoolId"] == app.pool_id
    assert isinstance(client["CreationDate"], datetime.datetime)
    assert "ClientSecret" not in client


def test_describe_user_pool_client_returns_what_was_set(idp, app, make_client):
    client = make_client(
        app.pool_id,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )
    got = idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=client["ClientId"])["UserPoolClient"]
    assert got["ClientId"] == client["ClientId"]
    assert got["ClientName"] == client["ClientName"]
    assert got["UserPoolId"] == app.pool_id
    assert sorted(got["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
    assert got["PreventUserExistenceErrors"] == "ENABLED"


def test_generate_secret_gives_a_client_secret_that_describe_returns(idp, app, make_client):
    client = make_client(app.pool_id, GenerateSecret=True)
    assert isinstance(client["ClientSecret"], str) and len(client["ClientSecret"]) >= 32
    got = idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=client["ClientId"])["UserPoolClient"]
    assert got["ClientSecret"] == client["ClientSecret"]


def test_two_clients_get_different_ids_and_secrets(app, make_client):
    a = make_client(app.pool_id, GenerateSecret=True)
    b = make_client(app.pool_id, GenerateSecret=True)
    assert a["ClientId"] != b["ClientId"]
    assert a["ClientSecret"] != b["ClientSecret"]


def test_update_user_pool_client_changes_name_and_flows(idp, app, names):
    new_name = names("renamed")
    idp.update_user_pool_client(
        UserPoolId=app.pool_id,
        ClientId=app.client_id,
        ClientName=new_name,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    got = idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=app.client_id)["UserPoolClient"]
    assert got["ClientName"] == new_name
    assert sorted(got["ExplicitAuthFlows"]) == ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def test_update_user_pool_client_removing_user_password_auth_disables_that_flow(idp, anon_idp, app, user):
    sign_in(anon_idp, app.client_id, user.username, user.password)
    idp.update_user_pool_client(
        UserPoolId=app.pool_id, ClientId=app.client_id,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    with pytest.raises(anon_idp.exceptions.InvalidParameterException):
        sign_in(anon_idp, app.client_id, user.username, user.password)


def test_list_user_pool_clients_pages_through_all_clients(idp, app, make_client):
    ids = {app.client_id} | {make_client(app.pool_id)["ClientId"] for _ in range(2)}
    seen = []
    kwargs = {"UserPoolId": app.pool_id, "MaxResults": 2}
    for _ in range(100):
        page = idp.list_user_pool_clients(**kwargs)
        assert len(page["UserPoolClients"]) <= 2
        for c in page["UserPoolClients"]:
            assert c["UserPoolId"] == app.pool_id
            assert c["ClientName"]
        seen.extend(c["ClientId"] for c in page["UserPoolClients"])
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    assert sorted(seen) == sorted(ids)


def test_list_user_pool_clients_does_not_show_other_pools_clients(idp, make_pool, make_client):
    a = make_pool()
    b = make_pool()
    ca = make_client(a["Id"])
    make_client(b["Id"])
    listed = idp.list_user_pool_clients(UserPoolId=a["Id"], MaxResults=60)["UserPoolClients"]
    assert [c["ClientId"] for c in listed] == [ca["ClientId"]]


def test_delete_user_pool_client_then_describe_is_resource_not_found(idp, app):
    idp.delete_user_pool_client(UserPoolId=app.pool_id, ClientId=app.client_id)
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=app.client_id)


def test_sign_in_with_a_deleted_client_is_resource_not_found(idp, anon_idp, app, user):
    idp.delete_user_pool_client(UserPoolId=app.pool_id, ClientId=app.client_id)
    with pytest.raises(anon_idp.exceptions.ResourceNotFoundException):
        sign_in(anon_idp, app.client_id, user.username, user.password)


# --- client secrets ---------------------------------------------------------------------------


@pytest.fixture
def secret_client(app, make_client):
    return make_client(app.pool_id, GenerateSecret=True)


def test_initiate_auth_without_secret_hash_on_a_secret_client_is_not_authorized(anon_idp, secret_client, user):
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        sign_in(anon_idp, secret_client["ClientId"], user.username, user.password)


def test_initiate_auth_with_the_right_secret_hash_succeeds(anon_idp, secret_client, user):
    cid, secret = secret_client["ClientId"], secret_client["ClientSecret"]
    tokens = sign_in(anon_idp, cid, user.username, user.password, SECRET_HASH=secret_hash(user.username, cid, secret))
    assert claims(tokens["IdToken"])["aud"] == cid


def test_initiate_auth_with_a_wrong_secret_hash_is_not_authorized(anon_idp, secret_client, user):
    cid = secret_client["ClientId"]
    wrong = secret_hash(user.username, cid, "not-the-secret")
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        sign_in(anon_idp, cid, user.username, user.password, SECRET_HASH=wrong)


def test_secret_hash_for_another_username_is_not_authorized(anon_idp, secret_client, user):
    cid, secret = secret_client["ClientId"], secret_client["ClientSecret"]
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        sign_in(anon_idp, cid, user.username, user.password, SECRET_HASH=secret_hash("mallory", cid, secret))


def test_sign_up_without_secret_hash_on_a_secret_client_is_not_authorized(anon_idp, secret_client):
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.sign_up(
            ClientId=secret_client["ClientId"], Username="erin", Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "erin@example.com"}],
        )


def test_sign_up_with_the_right_secret_hash_succeeds(idp, anon_idp, app, secret_client):
    cid, secret = secret_client["ClientId"], secret_client["ClientSecret"]
    resp = anon_idp.sign_up(
        ClientId=cid, SecretHash=secret_hash("erin", cid, secret), Username="erin", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "erin@example.com"}],
    )
    assert resp["UserConfirmed"] is False
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username="erin")["UserStatus"] == "UNCONFIRMED"


def test_sign_up_with_a_wrong_secret_hash_is_not_authorized(idp, anon_idp, app, secret_client):
    cid = secret_client["ClientId"]
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.sign_up(
            ClientId=cid, SecretHash=secret_hash("erin", cid, "wrong-secret"), Username="erin", Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "erin@example.com"}],
        )
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=app.pool_id, Username="erin")


# --- auth flows and token validity -------------------------------------------------------------


def test_user_password_auth_not_in_explicit_auth_flows_is_invalid_parameter(anon_idp, app, make_client, user):
    client = make_client(app.pool_id, ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(anon_idp.exceptions.InvalidParameterException):
        sign_in(anon_idp, client["ClientId"], user.username, user.password)


def test_admin_user_password_auth_not_in_explicit_auth_flows_is_invalid_parameter(idp, app, make_client, user):
    client = make_client(app.pool_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.admin_initiate_auth(
            UserPoolId=app.pool_id, ClientId=client["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user.username, "PASSWORD": user.password},
        )


def test_token_validity_in_minutes_is_reflected_in_token_lifetimes(idp, anon_idp, app, make_client, user):
    client = make_client(
        app.pool_id,
        IdTokenValidity=30,
        AccessTokenValidity=45,
        TokenValidityUnits={"IdToken": "minutes", "AccessToken": "minutes"},
    )
    got = idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=client["ClientId"])["UserPoolClient"]
    assert got["IdTokenValidity"] == 30
    assert got["TokenValidityUnits"]["IdToken"] == "minutes"
    tokens = sign_in(anon_idp, client["ClientId"], user.username, user.password)
    id_claims = claims(tokens["IdToken"])
    access_claims = claims(tokens["AccessToken"])
    assert id_claims["exp"] - id_claims["iat"] == 1800
    assert access_claims["exp"] - access_claims["iat"] == 2700
    assert tokens["ExpiresIn"] == 2700


def test_default_token_validity_is_one_hour(anon_idp, app, user):
    tokens = sign_in(anon_idp, app.client_id, user.username, user.password)
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        c = claims(token)
        assert c["exp"] - c["iat"] == 3600


def test_a_client_of_another_pool_cannot_sign_in_this_pools_user(anon_idp, make_pool, make_client, user):
    other = make_pool()
    other_client = make_client(other["Id"])
    with pytest.raises(ClientError) as e:
        sign_in(anon_idp, other_client["ClientId"], user.username, user.password)
    assert error_code(e.value) in ("UserNotFoundException", "NotAuthorizedException")


def secrets_of(idp, pool_id: str, client_id: str) -> list[dict]:
    return idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"]


def test_a_secret_is_rotated_without_downtime(idp, anon_idp, app, secret_client, user):
    cid, old = secret_client["ClientId"], secret_client["ClientSecret"]
    [first] = secrets_of(idp, app.pool_id, cid)
    assert first["ClientSecretId"].startswith(f"{cid}--") and "ClientSecretValue" not in first
    assert first["ClientSecretCreateDate"] == secret_client["CreationDate"]

    added = idp.add_user_pool_client_secret(UserPoolId=app.pool_id, ClientId=cid)["ClientSecretDescriptor"]
    new = added["ClientSecretValue"]
    assert re.fullmatch(r"[\w+]{24,64}", new) and new != old, "a generated secret is shown once, when added"
    assert re.fullmatch(rf"{cid}--\d+", added["ClientSecretId"]) and added["ClientSecretId"] != first["ClientSecretId"]
    listed = secrets_of(idp, app.pool_id, cid)
    assert [s["ClientSecretId"] for s in listed] == [first["ClientSecretId"], added["ClientSecretId"]], "oldest first"
    assert all("ClientSecretValue" not in s for s in listed), "values are never listed"

    # Apps still holding the old secret and apps already given the new one both sign in.
    for secret in (old, new):
        tokens = sign_in(anon_idp, cid, user.username, user.password, SECRET_HASH=secret_hash(user.username, cid, secret))
        anon_idp.initiate_auth(
            ClientId=cid,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": secret_hash(user.username, cid, secret)},
        )
    assert idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=cid)["UserPoolClient"]["ClientSecret"] == old

    idp.delete_user_pool_client_secret(UserPoolId=app.pool_id, ClientId=cid, ClientSecretId=first["ClientSecretId"])
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        sign_in(anon_idp, cid, user.username, user.password, SECRET_HASH=secret_hash(user.username, cid, old))
    sign_in(anon_idp, cid, user.username, user.password, SECRET_HASH=secret_hash(user.username, cid, new))
    assert idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=cid)["UserPoolClient"]["ClientSecret"] == new
    assert [s["ClientSecretId"] for s in secrets_of(idp, app.pool_id, cid)] == [added["ClientSecretId"]]


def test_a_secret_of_ones_own_is_accepted_and_never_echoed(idp, anon_idp, app, secret_client, user):
    cid = secret_client["ClientId"]
    mine = "Rotated+Secret_0123456789abcdef"
    added = idp.add_user_pool_client_secret(UserPoolId=app.pool_id, ClientId=cid, ClientSecret=mine)["ClientSecretDescriptor"]
    assert "ClientSecretValue" not in added and added["ClientSecretId"].startswith(f"{cid}--")
    sign_in(anon_idp, cid, user.username, user.password, SECRET_HASH=secret_hash(user.username, cid, mine))
    # (botocore itself refuses one under 24 characters.)
    for bad in ("has spaces in it, which is not allowed", "x" * 65):
        assert refused(lambda: idp.add_user_pool_client_secret(UserPoolId=app.pool_id, ClientId=cid, ClientSecret=bad))[0] == "InvalidParameterException", bad
        assert refused(lambda: idp.create_user_pool_client(UserPoolId=app.pool_id, ClientName="bad", ClientSecret=bad))[0] == "InvalidParameterException", bad


def test_secret_rotation_refuses_what_cognito_refuses(idp, app, make_client, secret_client):
    cid = secret_client["ClientId"]
    add = lambda **kw: idp.add_user_pool_client_secret(UserPoolId=app.pool_id, **kw)  # noqa: E731
    add(ClientId=cid)
    assert refused(lambda: add(ClientId=cid))[0] == "LimitExceededException", "two secrets at most"
    assert refused(lambda: add(ClientId=cid, ClientSecret=secret_client["ClientSecret"]))[0] == "LimitExceededException"
    public = make_client(app.pool_id)["ClientId"]
    assert refused(lambda: add(ClientId=public))[0] == "InvalidParameterException", "a public client has no secret to rotate"
    assert refused(lambda: add(ClientId="nosuchclient0000000000000"))[0] == "ResourceNotFoundException"
    assert refused(lambda: secrets_of(idp, app.pool_id, "nosuchclient0000000000000"))[0] == "ResourceNotFoundException"
    assert secrets_of(idp, app.pool_id, public) == []

    delete = lambda secret_id: idp.delete_user_pool_client_secret(UserPoolId=app.pool_id, ClientId=cid, ClientSecretId=secret_id)  # noqa: E731
    assert refused(lambda: delete(f"{cid}--1"))[0] == "ResourceNotFoundException"
    first, second = (s["ClientSecretId"] for s in secrets_of(idp, app.pool_id, cid))
    delete(first)
    e = refused(lambda: delete(second))
    assert e[0] == "InvalidParameterException" and "last secret" in e[1], e
    assert [s["ClientSecretId"] for s in secrets_of(idp, app.pool_id, cid)] == [second], "the last secret is kept"
    assert refused(lambda: add(ClientId=cid, ClientSecret=idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=cid)["UserPoolClient"]["ClientSecret"]))[0] == "InvalidParameterException", "the same secret twice"


def test_a_secret_added_while_the_client_is_being_updated_is_kept(idp, app, secret_client):
    cid = secret_client["ClientId"]

    def update(i: int) -> None:
        idp.update_user_pool_client(UserPoolId=app.pool_id, ClientId=cid, ClientName=f"renamed-{i}", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        updates = [pool.submit(update, i) for i in range(20)]
        added = pool.submit(lambda: idp.add_user_pool_client_secret(UserPoolId=app.pool_id, ClientId=cid)["ClientSecretDescriptor"])
        updates += [pool.submit(update, i) for i in range(20, 40)]
        for f in updates:
            f.result()
        added = added.result()
    ids = [s["ClientSecretId"] for s in secrets_of(idp, app.pool_id, cid)]
    assert len(ids) == 2 and ids[1] == added["ClientSecretId"], "no update wrote back the client as it was before the secret"
    assert idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=cid)["UserPoolClient"]["ClientName"].startswith("renamed-")
