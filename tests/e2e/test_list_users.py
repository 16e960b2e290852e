"""ListUsers: paging with Limit / PaginationToken, the filter language, AttributesToGet."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from conftest import PASSWORD, attrs, idp_client, signed_post, unique_name

N_ADMIN_USERS = 70  # user00 .. user69
PREFIXED = 10  # user00..user09 have e-mails starting "pre"
DISABLED = ["user05", "user33", "user61"]
SIGNED_UP = ["signup-a", "signup-b"]  # UNCONFIRMED


@pytest.fixture(scope="module")
def population(server, idp):
    """One pool with 72 users of varied attributes and states, shared by this module's tests."""
    pool_id = idp.create_user_pool(PoolName=unique_name("list-users"), AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique_name("list-users-client"), ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    subs = {}
    for i in range(N_ADMIN_USERS):
        name = f"user{i:02d}"
        email = f"pre{i:02d}@example.com" if i < PREFIXED else f"member{i:02d}@example.org"
        given = "Zed" if i % 10 == 7 else f"Given{i:02d}"
        created = idp.admin_create_user(
            UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "given_name", "Value": given}],
        )["User"]
        subs[name] = attrs(created["Attributes"])["sub"]
    for name in DISABLED:
        idp.admin_disable_user(UserPoolId=pool_id, Username=name)
    anon = idp_client(server.endpoint, signed=False)
    for name in SIGNED_UP:
        resp = anon.sign_up(
            ClientId=client_id, Username=name, Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.net"}, {"Name": "given_name", "Value": "Signer"}],
        )
        subs[name] = resp["UserSub"]
    return SimpleNamespace(pool_id=pool_id, subs=subs, all=set(subs))


def list_all(idp, pool_id: str, **kwargs) -> list[dict]:
    users, token = [], None
    for _ in range(100):
        page = idp.list_users(UserPoolId=pool_id, **kwargs, **({"PaginationToken": token} if token else {}))
        users.extend(page["Users"])
        token = page.get("PaginationToken")
        if not token:
            return users
    pytest.fail("ListUsers never stopped returning a PaginationToken")


def usernames(users: list[dict]) -> set[str]:
    return {u["Username"] for u in users}


def test_first_page_of_60_has_a_pagination_token(idp, population):
    page = idp.list_users(UserPoolId=population.pool_id, Limit=60)
    assert len(page["Users"]) == 60
    assert page["PaginationToken"]


def test_second_page_has_the_rest_without_duplicates(idp, population):
    first = idp.list_users(UserPoolId=population.pool_id, Limit=60)
    second = idp.list_users(UserPoolId=population.pool_id, Limit=60, PaginationToken=first["PaginationToken"])
    assert len(second["Users"]) == len(population.all) - 60
    assert not second.get("PaginationToken")
    names = [u["Username"] for u in first["Users"] + second["Users"]]
    assert len(names) == len(set(names))
    assert set(names) == population.all


def test_small_pages_cover_everyone_exactly_once(idp, population):
    users = list_all(idp, population.pool_id, Limit=7)
    names = [u["Username"] for u in users]
    assert len(names) == len(set(names))
    assert set(names) == population.all


def test_listed_user_has_status_dates_and_attributes(idp, population):
    users = list_all(idp, population.pool_id, Limit=60)
    by_name = {u["Username"]: u for u in users}
    u = by_name["user12"]
    assert u["Enabled"] is True
    assert u["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert u["UserCreateDate"] and u["UserLastModifiedDate"]
    a = attrs(u["Attributes"])
    assert a["email"] == "member12@example.org"
    assert a["given_name"] == "Given12"
    assert a["sub"] == population.subs["user12"]
    assert by_name["user33"]["Enabled"] is False
    assert by_name["signup-a"]["UserStatus"] == "UNCONFIRMED"


def test_filter_email_exact(idp, population):
    users = list_all(idp, population.pool_id, Filter='email = "member42@example.org"')
    assert usernames(users) == {"user42"}


def test_filter_email_prefix(idp, population):
    users = list_all(idp, population.pool_id, Filter='email ^= "pre"')
    assert usernames(users) == {f"user{i:02d}" for i in range(PREFIXED)}


def test_filter_username_prefix(idp, population):
    users = list_all(idp, population.pool_id, Filter='username ^= "user1"')
    assert usernames(users) == {f"user1{i}" for i in range(10)}


def test_filter_username_exact(idp, population):
    assert usernames(list_all(idp, population.pool_id, Filter='username = "user07"')) == {"user07"}


def test_filter_given_name_exact(idp, population):
    users = list_all(idp, population.pool_id, Filter='given_name = "Zed"')
    assert usernames(users) == {f"user{i:02d}" for i in range(N_ADMIN_USERS) if i % 10 == 7}


def test_filter_status_disabled(idp, population):
    assert usernames(list_all(idp, population.pool_id, Filter='status = "Disabled"')) == set(DISABLED)


def test_filter_status_enabled(idp, population):
    assert usernames(list_all(idp, population.pool_id, Filter='status = "Enabled"')) == population.all - set(DISABLED)


def test_filter_user_status_unconfirmed(idp, population):
    users = list_all(idp, population.pool_id, Filter='cognito:user_status = "UNCONFIRMED"')
    assert usernames(users) == set(SIGNED_UP)


def test_filter_sub(idp, population):
    sub = population.subs["user55"]
    assert usernames(list_all(idp, population.pool_id, Filter=f'sub = "{sub}"')) == {"user55"}


def test_empty_filter_returns_everyone(idp, population):
    assert usernames(list_all(idp, population.pool_id, Filter="", Limit=60)) == population.all


def test_filter_with_no_match_returns_no_users(idp, population):
    assert list_all(idp, population.pool_id, Filter='email = "nobody@example.com"') == []


def test_filter_on_an_unsupported_attribute_is_invalid_parameter(idp, population):
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.list_users(UserPoolId=population.pool_id, Filter='custom:team = "blue"')


@pytest.mark.parametrize(
    "bad_filter",
    ['email = pre00@example.com', 'email == "x"', 'email', 'email ~ "x"', '= "x"'],
    ids=["unquoted", "double-equals", "no-operator", "unknown-operator", "no-attribute"],
)
def test_malformed_filter_is_invalid_parameter(idp, population, bad_filter):
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.list_users(UserPoolId=population.pool_id, Filter=bad_filter)


def test_limit_over_60_is_invalid_parameter(idp, population):
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.list_users(UserPoolId=population.pool_id, Limit=61)


def test_limit_over_60_sent_raw_is_a_400_invalid_parameter(server, population):
    resp = signed_post(
        server.endpoint, "AWSCognitoIdentityProviderService.ListUsers",
        json.dumps({"UserPoolId": population.pool_id, "Limit": 61}).encode(),
    )
    assert resp.status_code == 400
    assert resp.json()["__type"] == "InvalidParameterException"


def test_attributes_to_get_returns_only_those_attributes(idp, population):
    users = list_all(idp, population.pool_id, AttributesToGet=["email"], Limit=60)
    assert len(users) == len(population.all)
    for u in users:
        assert [a["Name"] for a in u["Attributes"]] == ["email"]
        assert u["UserStatus"]


def test_list_users_of_an_unknown_pool_is_resource_not_found(idp):
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.list_users(UserPoolId="us-east-1_NoSuchPool3")
