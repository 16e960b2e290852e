"""Identity pools as an administrator sees them: Create/Describe/Update/List/DeleteIdentityPool,
Set/GetIdentityPoolRoles with role mappings, principal-tag attribute maps, tags, and the
identities in a pool (ListIdentities, DescribeIdentity, DeleteIdentities). All through boto3's
cognito-identity client on PoolDesk's endpoint."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from conftest import error_code, is_uuid
from identity_helpers import (  # noqa: F401 (ci, anon_ci, make_identity_pool, federation are fixtures)
    AUTH_ROLE,
    GUEST_ROLE,
    IDENTITY_ID_RE,
    UNKNOWN_IDENTITY_POOL_ID,
    anon_ci,
    ci,
    federation,
    get_id,
    id_token_of,
    identity_pool_arn,
    issuer_provider,
    make_identity_pool,
    role,
    rules_mapping,
    set_roles,
    token_mapping,
    unique_developer_provider,
    user_pool_provider,
)

FACEBOOK = "graph.facebook.com"
GOOGLE = "accounts.google.com"


def without_metadata(resp: dict) -> dict:
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def all_identity_pools(ci) -> list[dict]:
    pools: list[dict] = []
    for page in ci.get_paginator("list_identity_pools").paginate(MaxResults=60):
        pools.extend(page["IdentityPools"])
    return pools


def all_identities(ci, identity_pool_id: str) -> list[dict]:
    identities: list[dict] = []
    kwargs = {"IdentityPoolId": identity_pool_id, "MaxResults": 60}
    while True:
        page = ci.list_identities(**kwargs)
        assert page["IdentityPoolId"] == identity_pool_id
        identities.extend(page.get("Identities", []))
        if not page.get("NextToken"):
            return identities
        kwargs["NextToken"] = page["NextToken"]


@pytest.fixture
def user_pool_login(make_pool, make_client):
    """A user pool with an app client, as an identity pool's CognitoIdentityProviders entry."""
    pool = make_pool()
    client = make_client(pool["Id"])
    return {"ProviderName": user_pool_provider(pool["Id"]), "ClientId": client["ClientId"], "ServerSideTokenCheck": True}


# --- create / describe -------------------------------------------------------------------------


def test_create_identity_pool_returns_an_id_and_the_configuration(make_identity_pool, user_pool_login, names):
    name = names("full")
    developer = unique_developer_provider()
    created = make_identity_pool(
        IdentityPoolName=name,
        AllowUnauthenticatedIdentities=True,
        AllowClassicFlow=True,
        CognitoIdentityProviders=[user_pool_login],
        DeveloperProviderName=developer,
        SupportedLoginProviders={FACEBOOK: "1234567890", GOOGLE: "123-abc.apps.googleusercontent.com"},
        IdentityPoolTags={"env": "test", "team": "blue"},
    )
    pool_id = created["IdentityPoolId"]
    assert IDENTITY_ID_RE.match(pool_id), pool_id
    assert is_uuid(pool_id.split(":", 1)[1])
    assert created["IdentityPoolName"] == name
    assert created["AllowUnauthenticatedIdentities"] is True
    assert created["AllowClassicFlow"] is True
    assert created["CognitoIdentityProviders"] == [user_pool_login]
    assert created["DeveloperProviderName"] == developer
    assert created["SupportedLoginProviders"] == {FACEBOOK: "1234567890", GOOGLE: "123-abc.apps.googleusercontent.com"}
    assert created["IdentityPoolTags"] == {"env": "test", "team": "blue"}


def test_describe_identity_pool_returns_what_was_created(ci, make_identity_pool, user_pool_login):
    created = make_identity_pool(
        AllowUnauthenticatedIdentities=True,
        AllowClassicFlow=False,
        CognitoIdentityProviders=[user_pool_login],
        DeveloperProviderName=unique_developer_provider(),
        SupportedLoginProviders={FACEBOOK: "1234567890"},
        IdentityPoolTags={"env": "test"},
    )
    described = without_metadata(ci.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"]))
    for key in (
        "IdentityPoolId",
        "IdentityPoolName",
        "AllowUnauthenticatedIdentities",
        "AllowClassicFlow",
        "CognitoIdentityProviders",
        "DeveloperProviderName",
        "SupportedLoginProviders",
        "IdentityPoolTags",
    ):
        assert described[key] == created[key], key


def test_two_identity_pools_get_different_ids(make_identity_pool):
    assert make_identity_pool()["IdentityPoolId"] != make_identity_pool()["IdentityPoolId"]


def test_minimal_identity_pool_has_no_providers_and_no_classic_flow(ci, make_identity_pool):
    created = make_identity_pool(AllowUnauthenticatedIdentities=False)
    described = ci.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])
    assert described["AllowUnauthenticatedIdentities"] is False
    assert described.get("AllowClassicFlow", False) is False
    assert described.get("CognitoIdentityProviders", []) == []
    assert described.get("SupportedLoginProviders", {}) == {}
    assert "DeveloperProviderName" not in described


def test_describe_unknown_identity_pool_is_resource_not_found(ci):
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.describe_identity_pool(IdentityPoolId=UNKNOWN_IDENTITY_POOL_ID)


# --- update ------------------------------------------------------------------------------------


def test_update_identity_pool_changes_the_configuration(ci, make_identity_pool, user_pool_login, names):
    developer = unique_developer_provider()
    created = make_identity_pool(AllowUnauthenticatedIdentities=False, DeveloperProviderName=developer)
    new_name = names("renamed")
    updated = ci.update_identity_pool(
        IdentityPoolId=created["IdentityPoolId"],
        IdentityPoolName=new_name,
        AllowUnauthenticatedIdentities=True,
        AllowClassicFlow=True,
        CognitoIdentityProviders=[user_pool_login],
        DeveloperProviderName=developer,
        SupportedLoginProviders={GOOGLE: "456-def.apps.googleusercontent.com"},
    )
    assert updated["IdentityPoolId"] == created["IdentityPoolId"]
    assert updated["IdentityPoolName"] == new_name
    described = ci.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])
    assert described["IdentityPoolName"] == new_name
    assert described["AllowUnauthenticatedIdentities"] is True
    assert described["AllowClassicFlow"] is True
    assert described["CognitoIdentityProviders"] == [user_pool_login]
    assert described["DeveloperProviderName"] == developer
    assert described["SupportedLoginProviders"] == {GOOGLE: "456-def.apps.googleusercontent.com"}


def test_update_identity_pool_replaces_the_providers(ci, make_identity_pool, user_pool_login):
    """UpdateIdentityPool takes the whole pool: providers left out of the request are removed."""
    created = make_identity_pool(
        CognitoIdentityProviders=[user_pool_login], SupportedLoginProviders={FACEBOOK: "1234567890"}
    )
    ci.update_identity_pool(
        IdentityPoolId=created["IdentityPoolId"],
        IdentityPoolName=created["IdentityPoolName"],
        AllowUnauthenticatedIdentities=False,
    )
    described = ci.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])
    assert described.get("CognitoIdentityProviders", []) == []
    assert described.get("SupportedLoginProviders", {}) == {}


@pytest.mark.parametrize("name", ["not allowed!", "café", "semi;colon"])
def test_identity_pool_names_outside_the_models_pattern_are_refused(ci, make_identity_pool, name):
    """IdentityPoolName is `[\\w\\s+=,.@-]+` in the model; the desktop app's form applies the same rule."""
    with pytest.raises(ci.exceptions.InvalidParameterException, match="identityPoolName"):
        ci.create_identity_pool(IdentityPoolName=name, AllowUnauthenticatedIdentities=False)
    created = make_identity_pool()
    with pytest.raises(ci.exceptions.InvalidParameterException, match="identityPoolName"):
        ci.update_identity_pool(
            IdentityPoolId=created["IdentityPoolId"], IdentityPoolName=name, AllowUnauthenticatedIdentities=False
        )


def test_identity_pool_names_may_use_every_character_the_model_allows(make_identity_pool):
    assert make_identity_pool(IdentityPoolName="team a+b=c,d.e@f-g_h")["IdentityPoolName"] == "team a+b=c,d.e@f-g_h"


def test_update_unknown_identity_pool_is_resource_not_found(ci, names):
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.update_identity_pool(
            IdentityPoolId=UNKNOWN_IDENTITY_POOL_ID, IdentityPoolName=names("x"), AllowUnauthenticatedIdentities=False
        )


# --- list / delete -----------------------------------------------------------------------------


def test_list_identity_pools_includes_created_pools_with_their_names(ci, make_identity_pool):
    a = make_identity_pool()
    b = make_identity_pool()
    listed = {p["IdentityPoolId"]: p["IdentityPoolName"] for p in all_identity_pools(ci)}
    assert listed[a["IdentityPoolId"]] == a["IdentityPoolName"]
    assert listed[b["IdentityPoolId"]] == b["IdentityPoolName"]


def test_list_identity_pools_honours_max_results(ci, make_identity_pool):
    make_identity_pool()
    make_identity_pool()
    page = ci.list_identity_pools(MaxResults=1)
    assert len(page["IdentityPools"]) == 1
    assert page.get("NextToken")


def test_deleted_identity_pool_is_gone(ci, make_identity_pool):
    pool_id = make_identity_pool()["IdentityPoolId"]
    ci.delete_identity_pool(IdentityPoolId=pool_id)
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.describe_identity_pool(IdentityPoolId=pool_id)
    assert pool_id not in {p["IdentityPoolId"] for p in all_identity_pools(ci)}


def test_delete_unknown_identity_pool_is_resource_not_found(ci):
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.delete_identity_pool(IdentityPoolId=UNKNOWN_IDENTITY_POOL_ID)


# --- roles and role mappings -------------------------------------------------------------------


def test_new_identity_pool_has_no_roles(ci, make_identity_pool):
    pool_id = make_identity_pool()["IdentityPoolId"]
    got = ci.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["IdentityPoolId"] == pool_id
    assert got.get("Roles", {}) == {}
    assert got.get("RoleMappings", {}) == {}


def test_identity_pool_roles_round_trip_with_rules_and_token_mappings(ci, make_identity_pool, make_pool, make_client):
    pools = [make_pool() for _ in range(2)]
    logins = [
        {"ProviderName": user_pool_provider(p["Id"]), "ClientId": make_client(p["Id"])["ClientId"], "ServerSideTokenCheck": False}
        for p in pools
    ]
    pool_id = make_identity_pool(AllowUnauthenticatedIdentities=True, CognitoIdentityProviders=logins)["IdentityPoolId"]
    roles = {"authenticated": AUTH_ROLE, "unauthenticated": GUEST_ROLE}
    mappings = {
        logins[0]["ProviderName"]: rules_mapping(
            [
                ("custom:team", "Equals", "blue", role("Blue")),
                ("cognito:groups", "Contains", "admins", role("Admins")),
                ("email", "StartsWith", "ops@", role("Ops")),
                ("custom:tier", "NotEqual", "free", role("Paid")),
            ],
            ambiguous="AuthenticatedRole",
        ),
        logins[1]["ProviderName"]: token_mapping("Deny"),
    }
    ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles, RoleMappings=mappings)
    got = ci.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["IdentityPoolId"] == pool_id
    assert got["Roles"] == roles
    assert got["RoleMappings"] == mappings


def test_set_identity_pool_roles_replaces_the_previous_roles_and_mappings(ci, federation):
    fed = federation(allow_guests=True)
    set_roles(
        ci,
        fed.identity_pool_id,
        {"authenticated": AUTH_ROLE, "unauthenticated": GUEST_ROLE},
        {fed.provider: token_mapping()},
    )
    set_roles(ci, fed.identity_pool_id, {"authenticated": role("Other")})
    got = ci.get_identity_pool_roles(IdentityPoolId=fed.identity_pool_id)
    assert got["Roles"] == {"authenticated": role("Other")}
    assert got.get("RoleMappings", {}) == {}


def test_set_roles_of_unknown_identity_pool_is_resource_not_found(ci):
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.set_identity_pool_roles(IdentityPoolId=UNKNOWN_IDENTITY_POOL_ID, Roles={"authenticated": AUTH_ROLE})


def _rule(i: int, role_arn: str = AUTH_ROLE) -> dict:
    return {"Claim": "custom:team", "MatchType": "Equals", "Value": f"team-{i}", "RoleARN": role_arn}


INVALID_MAPPINGS = {
    "rules-without-rules-configuration": {"Type": "Rules", "AmbiguousRoleResolution": "Deny"},
    "26-rules": {
        "Type": "Rules",
        "AmbiguousRoleResolution": "Deny",
        "RulesConfiguration": {"Rules": [_rule(i) for i in range(26)]},
    },
    "rule-with-a-role-arn-that-is-not-a-role": {
        "Type": "Rules",
        "AmbiguousRoleResolution": "Deny",
        "RulesConfiguration": {"Rules": [_rule(0, "arn:aws:s3:::pooldesk-bucket-not-a-role")]},
    },
    "token-without-ambiguous-role-resolution": {"Type": "Token"},
}


@pytest.mark.parametrize("mapping", list(INVALID_MAPPINGS.values()), ids=list(INVALID_MAPPINGS))
def test_invalid_role_mapping_is_invalid_parameter_and_changes_nothing(ci, federation, mapping):
    fed = federation()
    with pytest.raises(ci.exceptions.InvalidParameterException):
        ci.set_identity_pool_roles(
            IdentityPoolId=fed.identity_pool_id,
            Roles={"authenticated": role("Changed")},
            RoleMappings={fed.provider: mapping},
        )
    got = ci.get_identity_pool_roles(IdentityPoolId=fed.identity_pool_id)
    assert got["Roles"] == {"authenticated": AUTH_ROLE}
    assert got.get("RoleMappings", {}) == {}


def test_25_rules_are_accepted(ci, federation):
    fed = federation()
    mapping = {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": [_rule(i) for i in range(25)]}}
    set_roles(ci, fed.identity_pool_id, {"authenticated": AUTH_ROLE}, {fed.provider: mapping})
    got = ci.get_identity_pool_roles(IdentityPoolId=fed.identity_pool_id)
    assert len(got["RoleMappings"][fed.provider]["RulesConfiguration"]["Rules"]) == 25


# --- principal tag attribute maps --------------------------------------------------------------


def test_principal_tag_attribute_map_round_trip(ci, federation):
    fed = federation()
    tags = {"team": "custom:team", "dept": "custom:department"}
    set_resp = ci.set_principal_tag_attribute_map(
        IdentityPoolId=fed.identity_pool_id, IdentityProviderName=fed.provider, UseDefaults=False, PrincipalTags=tags
    )
    assert set_resp["IdentityPoolId"] == fed.identity_pool_id
    assert set_resp["IdentityProviderName"] == fed.provider
    assert set_resp["UseDefaults"] is False
    assert set_resp["PrincipalTags"] == tags
    got = ci.get_principal_tag_attribute_map(IdentityPoolId=fed.identity_pool_id, IdentityProviderName=fed.provider)
    assert got["IdentityPoolId"] == fed.identity_pool_id
    assert got["IdentityProviderName"] == fed.provider
    assert got["UseDefaults"] is False
    assert got["PrincipalTags"] == tags


def test_principal_tag_attribute_map_with_defaults_round_trip(ci, federation):
    fed = federation()
    ci.set_principal_tag_attribute_map(IdentityPoolId=fed.identity_pool_id, IdentityProviderName=fed.provider, UseDefaults=True)
    got = ci.get_principal_tag_attribute_map(IdentityPoolId=fed.identity_pool_id, IdentityProviderName=fed.provider)
    assert got["UseDefaults"] is True


def test_principal_tag_attribute_map_can_be_replaced(ci, federation):
    fed = federation()
    ci.set_principal_tag_attribute_map(
        IdentityPoolId=fed.identity_pool_id, IdentityProviderName=fed.provider, UseDefaults=False,
        PrincipalTags={"team": "custom:team"},
    )
    ci.set_principal_tag_attribute_map(
        IdentityPoolId=fed.identity_pool_id, IdentityProviderName=fed.provider, UseDefaults=False,
        PrincipalTags={"mail": "email"},
    )
    got = ci.get_principal_tag_attribute_map(IdentityPoolId=fed.identity_pool_id, IdentityProviderName=fed.provider)
    assert got["PrincipalTags"] == {"mail": "email"}


def test_principal_tag_attribute_map_of_unknown_pool_is_resource_not_found(ci):
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.get_principal_tag_attribute_map(
            IdentityPoolId=UNKNOWN_IDENTITY_POOL_ID, IdentityProviderName=user_pool_provider("us-east-1_Nope0000")
        )


# --- tags --------------------------------------------------------------------------------------


def test_tag_untag_and_list_tags_on_the_identity_pool_arn(ci, make_identity_pool):
    created = make_identity_pool(IdentityPoolTags={"env": "test"})
    arn = identity_pool_arn(created["IdentityPoolId"])
    assert ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "test"}
    ci.tag_resource(ResourceArn=arn, Tags={"team": "blue", "env": "prod"})
    assert ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "prod", "team": "blue"}
    ci.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "blue"}
    described = ci.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])
    assert described.get("IdentityPoolTags") == {"team": "blue"}


def test_tags_of_an_unknown_identity_pool_are_resource_not_found(ci):
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.list_tags_for_resource(ResourceArn=identity_pool_arn(UNKNOWN_IDENTITY_POOL_ID))


# --- identities --------------------------------------------------------------------------------


def test_list_identities_shows_every_guest_identity(ci, anon_ci, make_identity_pool):
    pool_id = make_identity_pool(AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    set_roles(ci, pool_id, {"unauthenticated": GUEST_ROLE})
    first = get_id(anon_ci, pool_id)
    second = get_id(anon_ci, pool_id)
    assert first != second
    listed = all_identities(ci, pool_id)
    assert {i["IdentityId"] for i in listed} == {first, second}
    for identity in listed:
        assert IDENTITY_ID_RE.match(identity["IdentityId"])
        assert isinstance(identity["CreationDate"], datetime.datetime)


def test_describe_identity_names_its_logins_and_creation_date(ci, anon_ci, anon_idp, federation, make_user):
    fed = federation()
    user = make_user(fed.pool_id)
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    identity_id = get_id(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, user)})
    described = ci.describe_identity(IdentityId=identity_id)
    assert described["IdentityId"] == identity_id
    assert described["Logins"] == [fed.provider]
    created = described["CreationDate"]
    assert isinstance(created, datetime.datetime)
    assert before <= created <= datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
    listed = {i["IdentityId"]: i for i in all_identities(ci, fed.identity_pool_id)}
    assert listed[identity_id]["Logins"] == [fed.provider]


def test_describe_identity_names_logins_as_the_identity_pool_spells_its_provider(
    server, ci, anon_ci, anon_idp, make_pool, make_client, make_identity_pool, make_user
):
    """A pool that lists its user pool by this server's issuer (127.0.0.1:PORT/<id>) sees that
    name in DescribeIdentity, whichever spelling the sign-in used; the identity is the same."""
    pool = make_pool()
    client = make_client(pool["Id"])
    by_issuer = issuer_provider(server, pool["Id"])
    identity_pool_id = make_identity_pool(
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": by_issuer, "ClientId": client["ClientId"]}],
    )["IdentityPoolId"]
    fed = SimpleNamespace(client_id=client["ClientId"])
    user = make_user(pool["Id"])
    token = id_token_of(anon_idp, fed, user)
    identity_id = get_id(anon_ci, identity_pool_id, {by_issuer: token})
    assert get_id(anon_ci, identity_pool_id, {user_pool_provider(pool["Id"]): token}) == identity_id
    assert ci.describe_identity(IdentityId=identity_id)["Logins"] == [by_issuer]
    listed = {i["IdentityId"]: i for i in all_identities(ci, identity_pool_id)}
    assert listed[identity_id]["Logins"] == [by_issuer]


def test_describe_guest_identity_has_no_logins(ci, anon_ci, federation):
    fed = federation(allow_guests=True)
    identity_id = get_id(anon_ci, fed.identity_pool_id)
    described = ci.describe_identity(IdentityId=identity_id)
    assert described["IdentityId"] == identity_id
    assert described.get("Logins", []) == []


def test_describe_unknown_identity_is_resource_not_found(ci):
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.describe_identity(IdentityId="us-east-1:00000000-0000-4000-8000-000000000001")


def test_delete_identities_removes_them(ci, anon_ci, federation):
    fed = federation(allow_guests=True)
    doomed = get_id(anon_ci, fed.identity_pool_id)
    kept = get_id(anon_ci, fed.identity_pool_id)
    resp = ci.delete_identities(IdentityIdsToDelete=[doomed])
    assert resp.get("UnprocessedIdentityIds", []) == []
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.describe_identity(IdentityId=doomed)
    assert {i["IdentityId"] for i in all_identities(ci, fed.identity_pool_id)} == {kept}


# --- authentication ----------------------------------------------------------------------------


def test_unsigned_admin_call_is_missing_authentication_token(anon_ci, make_identity_pool):
    pool_id = make_identity_pool()["IdentityPoolId"]
    for call in (
        lambda: anon_ci.list_identity_pools(MaxResults=10),
        lambda: anon_ci.describe_identity_pool(IdentityPoolId=pool_id),
        lambda: anon_ci.get_identity_pool_roles(IdentityPoolId=pool_id),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == "MissingAuthenticationTokenException"
