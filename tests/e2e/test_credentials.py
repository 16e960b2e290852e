"""AWS credentials from an identity pool, end to end: sign in to a PoolDesk user pool, trade the
ID token for an identity (GetId) and temporary credentials (GetCredentialsForIdentity), and
check with STS GetCallerIdentity which role they are for. Also guests, role mappings, developer
authenticated identities, the classic (basic) flow with AssumeRoleWithWebIdentity, token
checks and principal tags."""

from __future__ import annotations

import datetime

import jwt
import pytest
from botocore.exceptions import ClientError

from conftest import claims, error_code, sign_in
from identity_helpers import (  # noqa: F401 (ci, anon_ci, make_identity_pool, federation are fixtures)
    ACCOUNT_ID,
    AUTH_ROLE,
    COGNITO_IDENTITY_PROVIDER,
    ENHANCED_FLOW_SESSION,
    IDENTITY_ID_RE,
    anon_ci,
    assumed_role_arn,
    caller_identity,
    ci,
    credentials_for,
    federation,
    get_id,
    id_token_of,
    issuer_provider,
    make_identity_pool,
    role,
    rules_mapping,
    set_roles,
    simulate_ok,
    sts_client,
    tamper,
    tamper_jwt_signature,
    token_mapping,
    unique_developer_provider,
    user_pool_provider,
)

TEAM_SCHEMA = [{"Name": "team", "AttributeDataType": "String", "Mutable": True}]
# What GetCredentialsForIdentity may answer when the pool's role mapping gives no role (Deny):
# the model documents neither choice for this case.
DENIED_CODES = {"InvalidIdentityPoolConfigurationException", "NotAuthorizedException"}
# What it may answer for a CustomRoleArn the token does not grant: the model and the developer
# guide document no code for it; both are errors the operation declares.
REFUSED_CUSTOM_ROLE_CODES = {"InvalidParameterException", "NotAuthorizedException"}
# STS's answers for a web identity token it does not accept.
REFUSED_WEB_IDENTITY_CODES = {"AccessDenied", "InvalidIdentityToken"}


def assert_fresh_credentials(creds: dict) -> None:
    """Temporary credentials as Cognito issues them: ASIA key, secret, session token, ~1 hour."""
    assert creds["AccessKeyId"].startswith("ASIA"), creds["AccessKeyId"]
    assert creds["SecretKey"]
    assert creds["SessionToken"]
    remaining = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=50) <= remaining <= datetime.timedelta(minutes=70), remaining


@pytest.fixture
def fed(federation):
    """A user pool wired into an identity pool whose authenticated role is AUTH_ROLE."""
    return federation()


@pytest.fixture
def alice(fed, make_user):
    return make_user(fed.pool_id, "alice")


# --- identities --------------------------------------------------------------------------------


def test_get_id_with_a_user_pool_login_returns_an_identity_id(anon_ci, anon_idp, fed, alice):
    identity_id = get_id(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, alice)})
    assert IDENTITY_ID_RE.match(identity_id), identity_id


def test_the_same_user_gets_the_same_identity_every_time(anon_ci, anon_idp, fed, alice):
    first = get_id(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, alice)})
    second = get_id(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, alice)})
    assert first == second


def test_different_users_get_different_identities(anon_ci, anon_idp, fed, alice, make_user):
    bob = make_user(fed.pool_id, "bob")
    a = get_id(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, alice)})
    b = get_id(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, bob)})
    assert a != b


def test_both_provider_name_spellings_give_the_same_identity(server, anon_ci, anon_idp, fed, alice):
    token = id_token_of(anon_idp, fed, alice)
    by_issuer = get_id(anon_ci, fed.identity_pool_id, {issuer_provider(server, fed.pool_id): token})
    by_sdk_name = get_id(anon_ci, fed.identity_pool_id, {fed.provider: token})
    assert by_issuer == by_sdk_name


# --- credentials for the default roles ---------------------------------------------------------


def test_signed_in_user_gets_credentials_for_the_authenticated_role(server, anon_ci, anon_idp, fed, alice):
    identity_id, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, alice)})
    assert IDENTITY_ID_RE.match(identity_id)
    assert_fresh_credentials(creds)
    me = caller_identity(server, creds)
    assert me["Arn"] == assumed_role_arn(AUTH_ROLE)
    assert me["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/PoolDeskAuthenticated/{ENHANCED_FLOW_SESSION}"
    assert me["Account"] == ACCOUNT_ID
    assert me["UserId"].endswith(f":{ENHANCED_FLOW_SESSION}")
    assert len(me["UserId"]) > len(ENHANCED_FLOW_SESSION) + 1


def test_issuer_spelling_of_the_provider_also_gets_credentials(server, anon_ci, anon_idp, fed, alice):
    logins = {issuer_provider(server, fed.pool_id): id_token_of(anon_idp, fed, alice)}
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, logins)
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(AUTH_ROLE)


def test_an_es256_pools_id_token_gets_credentials_and_a_forged_one_does_not(
    server, anon_ci, anon_idp, federation, make_user
):
    fed = federation(server_side_token_check=True, pool_tags={"pooldesk:token-signing-algorithm": "ES256"})
    erin = make_user(fed.pool_id, "erin")
    token = id_token_of(anon_idp, fed, erin)
    assert jwt.get_unverified_header(token)["alg"] == "ES256" and claims(token)["token_use"] == "id"
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: token})
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(AUTH_ROLE)
    with pytest.raises(ClientError) as forged:
        get_id(anon_ci, fed.identity_pool_id, {fed.provider: tamper_jwt_signature(token)})
    assert error_code(forged.value) == "NotAuthorizedException"


def test_each_call_gives_new_credentials(anon_ci, anon_idp, fed, alice):
    logins = {fed.provider: id_token_of(anon_idp, fed, alice)}
    identity_id, first = credentials_for(anon_ci, fed.identity_pool_id, logins)
    second = anon_ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
    assert second["AccessKeyId"] != first["AccessKeyId"]
    assert second["SessionToken"] != first["SessionToken"]


def test_root_key_is_the_account_root(server):
    me = sts_client(server.endpoint, root=True).get_caller_identity()
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert me["Account"] == ACCOUNT_ID


def test_guest_gets_the_unauthenticated_role(server, anon_ci, federation):
    fed = federation(allow_guests=True)
    identity_id, creds = credentials_for(anon_ci, fed.identity_pool_id)
    assert IDENTITY_ID_RE.match(identity_id)
    assert_fresh_credentials(creds)
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(fed.guest_role)


def test_guest_on_a_pool_without_guest_access_is_not_authorized(anon_ci, fed):
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException):
        anon_ci.get_id(IdentityPoolId=fed.identity_pool_id)


def test_credentials_for_a_signed_in_identity_need_its_login(anon_ci, anon_idp, fed, alice):
    identity_id = get_id(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, alice)})
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException):
        anon_ci.get_credentials_for_identity(IdentityId=identity_id)


def test_another_users_login_does_not_unlock_an_identity(anon_ci, anon_idp, fed, alice, make_user):
    bob = make_user(fed.pool_id, "bob")
    alice_id = get_id(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, alice)})
    bob_logins = {fed.provider: id_token_of(anon_idp, fed, bob)}
    get_id(anon_ci, fed.identity_pool_id, bob_logins)
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException):
        anon_ci.get_credentials_for_identity(IdentityId=alice_id, Logins=bob_logins)


# --- role mappings -----------------------------------------------------------------------------



def test_token_mapping_gives_the_groups_role(server, idp, anon_ci, anon_idp, federation, make_user):
    editors = role("teams/Editors")
    fed = federation(mapping=token_mapping("Deny"))
    user = make_user(fed.pool_id)
    idp.create_group(GroupName="editors", UserPoolId=fed.pool_id, Precedence=1, RoleArn=editors)
    idp.admin_add_user_to_group(UserPoolId=fed.pool_id, Username=user.username, GroupName="editors")
    token = id_token_of(anon_idp, fed, user)
    assert claims(token)["cognito:preferred_role"] == editors
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: token})
    # A role's path is not part of the assumed-role ARN: role/teams/Editors -> assumed-role/Editors/...
    assert caller_identity(server, creds)["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/Editors/{ENHANCED_FLOW_SESSION}"


@pytest.fixture
def two_role_user(idp, anon_idp, federation, make_user):
    """A Token-mapped federation and a user in two groups with roles (Admins preferred), signed in."""
    fed = federation(mapping=token_mapping("Deny"))
    user = make_user(fed.pool_id)
    for name, precedence in (("Admins", 1), ("Readers", 5)):
        idp.create_group(GroupName=name.lower(), UserPoolId=fed.pool_id, Precedence=precedence, RoleArn=role(name))
        idp.admin_add_user_to_group(UserPoolId=fed.pool_id, Username=user.username, GroupName=name.lower())
    token = id_token_of(anon_idp, fed, user)
    assert sorted(claims(token)["cognito:roles"]) == sorted([role("Admins"), role("Readers")])
    assert claims(token)["cognito:preferred_role"] == role("Admins")
    return fed, {fed.provider: token}


def test_without_custom_role_arn_the_preferred_role_is_assumed(server, anon_ci, two_role_user):
    fed, logins = two_role_user
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, logins)
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(role("Admins"))


def test_custom_role_arn_among_the_tokens_roles_is_assumed(server, anon_ci, two_role_user):
    fed, logins = two_role_user
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, logins, custom_role_arn=role("Readers"))
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(role("Readers"))


def test_custom_role_arn_not_among_the_tokens_roles_is_refused(anon_ci, two_role_user):
    fed, logins = two_role_user
    identity_id = get_id(anon_ci, fed.identity_pool_id, logins)
    with pytest.raises(ClientError) as e:
        anon_ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins, CustomRoleArn=role("Owners"))
    assert error_code(e.value) in REFUSED_CUSTOM_ROLE_CODES


def test_rules_mapping_on_a_custom_attribute(server, anon_ci, anon_idp, federation, make_user):
    fed = federation(
        schema=TEAM_SCHEMA,
        mapping=rules_mapping(
            [("custom:team", "Equals", "red", role("Red")), ("custom:team", "Equals", "blue", role("Blue"))]
        ),
    )
    user = make_user(fed.pool_id, attributes={"custom:team": "blue"})
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, user)})
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(role("Blue"))


def test_rules_mapping_on_groups_contains(server, idp, anon_ci, anon_idp, federation, make_user):
    fed = federation(mapping=rules_mapping([("cognito:groups", "Contains", "admins", role("GroupAdmins"))]))
    user = make_user(fed.pool_id)
    idp.create_group(GroupName="admins", UserPoolId=fed.pool_id)
    idp.admin_add_user_to_group(UserPoolId=fed.pool_id, Username=user.username, GroupName="admins")
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, user)})
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(role("GroupAdmins"))


def test_no_matching_rule_falls_back_to_the_authenticated_role(server, anon_ci, anon_idp, federation, make_user):
    fed = federation(
        schema=TEAM_SCHEMA,
        mapping=rules_mapping([("custom:team", "Equals", "red", role("Red"))], ambiguous="AuthenticatedRole"),
    )
    user = make_user(fed.pool_id, attributes={"custom:team": "blue"})
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, user)})
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(AUTH_ROLE)


def test_no_matching_rule_with_deny_gives_no_credentials(server, anon_ci, anon_idp, federation, make_user):
    fed = federation(schema=TEAM_SCHEMA, mapping=rules_mapping([("custom:team", "Equals", "red", role("Red"))], "Deny"))
    user = make_user(fed.pool_id, attributes={"custom:team": "blue"})
    token = id_token_of(anon_idp, fed, user)
    identity_id = get_id(anon_ci, fed.identity_pool_id, {fed.provider: token})
    with pytest.raises(ClientError) as e:
        anon_ci.get_credentials_for_identity(IdentityId=identity_id, Logins={fed.provider: token})
    code = error_code(e.value)
    assert code in DENIED_CODES
    # The simulator tells the same story as the real call.
    simulated = simulate_ok(server, {"IdentityPoolId": fed.identity_pool_id, "IdToken": token})
    assert simulated["RoleArn"] is None
    assert simulated["Error"]["Code"] == code


def test_rules_mapping_keyed_by_provider_and_app_client(server, ci, anon_ci, anon_idp, federation, make_user):
    """Cognito's own spelling of a user pool's RoleMappings key: '<provider name>:<app client id>'."""
    fed = federation(schema=TEAM_SCHEMA)
    set_roles(
        ci,
        fed.identity_pool_id,
        {"authenticated": AUTH_ROLE},
        {f"{fed.provider}:{fed.client_id}": rules_mapping([("custom:team", "Equals", "blue", role("Blue"))])},
    )
    user = make_user(fed.pool_id, attributes={"custom:team": "blue"})
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, user)})
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(role("Blue"))


# --- developer authenticated identities --------------------------------------------------------


def test_developer_authenticated_identity_gets_the_authenticated_role(server, ci, anon_ci, federation):
    developer = unique_developer_provider()
    fed = federation(developer_provider_name=developer)
    resp = ci.get_open_id_token_for_developer_identity(IdentityPoolId=fed.identity_pool_id, Logins={developer: "user-123"})
    identity_id, token = resp["IdentityId"], resp["Token"]
    assert IDENTITY_ID_RE.match(identity_id), identity_id
    token_claims = claims(token)
    assert token_claims["aud"] == fed.identity_pool_id
    assert token_claims["sub"] == identity_id
    assert "authenticated" in token_claims["amr"]

    again = ci.get_open_id_token_for_developer_identity(IdentityPoolId=fed.identity_pool_id, Logins={developer: "user-123"})
    assert again["IdentityId"] == identity_id

    by_user = ci.lookup_developer_identity(IdentityPoolId=fed.identity_pool_id, DeveloperUserIdentifier="user-123")
    assert by_user["IdentityId"] == identity_id
    by_identity = ci.lookup_developer_identity(IdentityPoolId=fed.identity_pool_id, IdentityId=identity_id)
    assert by_identity["DeveloperUserIdentifierList"] == ["user-123"]

    creds = anon_ci.get_credentials_for_identity(IdentityId=identity_id, Logins={COGNITO_IDENTITY_PROVIDER: token})
    assert creds["IdentityId"] == identity_id
    assert_fresh_credentials(creds["Credentials"])
    assert caller_identity(server, creds["Credentials"])["Arn"] == assumed_role_arn(AUTH_ROLE)


def test_different_developer_users_get_different_identities(ci, federation):
    developer = unique_developer_provider()
    fed = federation(developer_provider_name=developer)
    a = ci.get_open_id_token_for_developer_identity(IdentityPoolId=fed.identity_pool_id, Logins={developer: "user-a"})
    b = ci.get_open_id_token_for_developer_identity(IdentityPoolId=fed.identity_pool_id, Logins={developer: "user-b"})
    assert a["IdentityId"] != b["IdentityId"]


# --- the classic (basic) flow ------------------------------------------------------------------


def open_id_token(anon_ci, anon_idp, fed, user) -> tuple[str, str]:
    """GetId then GetOpenIdToken with the user's login: (IdentityId, Token)."""
    logins = {fed.provider: id_token_of(anon_idp, fed, user)}
    identity_id = get_id(anon_ci, fed.identity_pool_id, logins)
    resp = anon_ci.get_open_id_token(IdentityId=identity_id, Logins=logins)
    assert resp["IdentityId"] == identity_id
    return identity_id, resp["Token"]


def test_classic_flow_with_assume_role_with_web_identity(server, anon_ci, anon_idp, federation, make_user):
    fed = federation(allow_classic_flow=True)
    user = make_user(fed.pool_id)
    identity_id, token = open_id_token(anon_ci, anon_idp, fed, user)
    token_claims = claims(token)
    assert token_claims["aud"] == fed.identity_pool_id
    assert token_claims["sub"] == identity_id
    resp = sts_client(server.endpoint).assume_role_with_web_identity(
        RoleArn=fed.auth_role, RoleSessionName="classic-session", WebIdentityToken=token
    )
    creds = resp["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert creds["SecretAccessKey"]
    assert creds["SessionToken"]
    expected = assumed_role_arn(fed.auth_role, "classic-session")
    assert resp["AssumedRoleUser"]["Arn"] == expected
    assert caller_identity(server, creds)["Arn"] == expected


def test_classic_flow_is_refused_when_the_pool_does_not_allow_it(server, anon_ci, anon_idp, federation, make_user):
    fed = federation(allow_classic_flow=False)
    user = make_user(fed.pool_id)
    _, token = open_id_token(anon_ci, anon_idp, fed, user)
    with pytest.raises(ClientError) as e:
        sts_client(server.endpoint).assume_role_with_web_identity(
            RoleArn=fed.auth_role, RoleSessionName="classic-session", WebIdentityToken=token
        )
    assert error_code(e.value) in REFUSED_WEB_IDENTITY_CODES


def test_tampered_open_id_token_is_refused_by_sts(server, anon_ci, anon_idp, federation, make_user):
    fed = federation(allow_classic_flow=True)
    user = make_user(fed.pool_id)
    _, token = open_id_token(anon_ci, anon_idp, fed, user)
    with pytest.raises(ClientError) as e:
        sts_client(server.endpoint).assume_role_with_web_identity(
            RoleArn=fed.auth_role, RoleSessionName="classic-session", WebIdentityToken=tamper_jwt_signature(token)
        )
    assert error_code(e.value) in REFUSED_WEB_IDENTITY_CODES


# --- checks on the login token -----------------------------------------------------------------


def test_tampered_id_token_is_not_authorized(anon_ci, anon_idp, fed, alice):
    token = tamper_jwt_signature(id_token_of(anon_idp, fed, alice))
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException):
        anon_ci.get_id(IdentityPoolId=fed.identity_pool_id, Logins={fed.provider: token})


def test_token_from_an_app_client_the_identity_pool_does_not_list_is_not_authorized(
    anon_ci, anon_idp, make_client, fed, alice
):
    other_client = make_client(fed.pool_id)
    token = sign_in(anon_idp, other_client["ClientId"], alice.username, alice.password)["IdToken"]
    assert claims(token)["aud"] == other_client["ClientId"]
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException):
        anon_ci.get_id(IdentityPoolId=fed.identity_pool_id, Logins={fed.provider: token})


def test_token_from_a_user_pool_the_identity_pool_does_not_list_is_not_authorized(
    anon_ci, anon_idp, make_pool, make_client, make_user, fed
):
    pool = make_pool()
    client = make_client(pool["Id"])
    stranger = make_user(pool["Id"])
    token = sign_in(anon_idp, client["ClientId"], stranger.username, stranger.password)["IdToken"]
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException):
        anon_ci.get_id(IdentityPoolId=fed.identity_pool_id, Logins={user_pool_provider(pool["Id"]): token})


def test_token_under_another_pools_provider_name_is_not_authorized(anon_ci, anon_idp, federation, make_user):
    """A token is only accepted under the provider name of the user pool that issued it."""
    fed = federation()
    other = federation()
    user = make_user(other.pool_id)
    token = id_token_of(anon_idp, other, user)
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException):
        anon_ci.get_id(IdentityPoolId=fed.identity_pool_id, Logins={fed.provider: token})


@pytest.mark.parametrize("revoke", ["disable", "delete", "global-sign-out"])
def test_server_side_token_check_refuses_a_revoked_user(idp, anon_ci, anon_idp, federation, make_user, revoke):
    """ServerSideTokenCheck: the identity pool asks the user pool whether the user is still
    enabled, not deleted and not globally signed out (the model's documentation of the flag)."""
    fed = federation(server_side_token_check=True)
    user = make_user(fed.pool_id)
    logins = {fed.provider: id_token_of(anon_idp, fed, user)}
    identity_id, _ = credentials_for(anon_ci, fed.identity_pool_id, logins)
    if revoke == "disable":
        idp.admin_disable_user(UserPoolId=fed.pool_id, Username=user.username)
    elif revoke == "delete":
        idp.admin_delete_user(UserPoolId=fed.pool_id, Username=user.username)
    else:
        idp.admin_user_global_sign_out(UserPoolId=fed.pool_id, Username=user.username)
    with pytest.raises(anon_ci.exceptions.NotAuthorizedException):
        anon_ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)


def test_without_server_side_token_check_a_disabled_users_token_still_works(
    server, idp, anon_ci, anon_idp, federation, make_user
):
    fed = federation(server_side_token_check=False)
    user = make_user(fed.pool_id)
    token = id_token_of(anon_idp, fed, user)
    idp.admin_disable_user(UserPoolId=fed.pool_id, Username=user.username)
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: token})
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(AUTH_ROLE)


# --- principal tags (attributes for access control) --------------------------------------------


def test_default_principal_tags_are_the_username_and_the_client(server, ci, anon_ci, anon_idp, fed, alice):
    ci.set_principal_tag_attribute_map(IdentityPoolId=fed.identity_pool_id, IdentityProviderName=fed.provider, UseDefaults=True)
    token = id_token_of(anon_idp, fed, alice)
    simulated = simulate_ok(server, {"IdentityPoolId": fed.identity_pool_id, "IdToken": token})
    assert simulated["PrincipalTags"] == {"username": alice.sub, "client": fed.client_id}
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: token})
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(AUTH_ROLE)


def test_custom_principal_tag_map_tags_the_session_with_the_claim(server, ci, anon_ci, anon_idp, federation, make_user):
    fed = federation(schema=TEAM_SCHEMA)
    ci.set_principal_tag_attribute_map(
        IdentityPoolId=fed.identity_pool_id,
        IdentityProviderName=fed.provider,
        UseDefaults=False,
        PrincipalTags={"team": "custom:team"},
    )
    user = make_user(fed.pool_id, attributes={"custom:team": "blue"})
    token = id_token_of(anon_idp, fed, user)
    simulated = simulate_ok(server, {"IdentityPoolId": fed.identity_pool_id, "IdToken": token})
    assert simulated["PrincipalTags"] == {"team": "blue"}
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: token})
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(AUTH_ROLE)


# --- the credentials themselves ----------------------------------------------------------------


def test_tampered_session_token_is_invalid_client_token_id(server, anon_ci, anon_idp, fed, alice):
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: id_token_of(anon_idp, fed, alice)})
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(AUTH_ROLE)
    with pytest.raises(ClientError) as e:
        caller_identity(server, dict(creds, SessionToken=tamper(creds["SessionToken"])))
    assert error_code(e.value) == "InvalidClientTokenId"
