"""`PoolDesk.SimulateRoleMapping`: which role an identity pool would give a login, and why.

Called with claims written by hand (`Provider` + `Claims`) for each branch of Cognito's role
resolution (default role, rules in order, Token mappings, AmbiguousRoleResolution), and with a
real ID token, where it must agree with GetCredentialsForIdentity."""

from __future__ import annotations

import json

from conftest import claims, unsigned_post
from identity_helpers import (  # noqa: F401 (ci, anon_ci, make_identity_pool, federation are fixtures)
    AUTH_ROLE,
    UNKNOWN_IDENTITY_POOL_ID,
    anon_ci,
    assumed_role_arn,
    aws_error_type,
    caller_identity,
    ci,
    credentials_for,
    federation,
    id_token_of,
    make_identity_pool,
    role,
    rules_mapping,
    set_roles,
    simulate,
    simulate_ok,
    token_mapping,
)

SALES = role("Sales")
ENGINEERS = role("Engineers")
MACHINISTS = role("Machinists")
DENIED_CODES = {"InvalidIdentityPoolConfigurationException", "NotAuthorizedException"}

DEPARTMENT_RULES = [
    ("dept", "Equals", "sales", SALES),
    ("dept", "StartsWith", "eng", ENGINEERS),
    ("dept", "Contains", "ine", MACHINISTS),
]


def by_hand(server, fed, token_claims: dict) -> dict:
    """Simulate a login through the federation's user pool with these claims."""
    return simulate_ok(server, {"IdentityPoolId": fed.identity_pool_id, "Provider": fed.provider, "Claims": token_claims})


def map_with(ci, fed, mapping: dict) -> None:
    set_roles(ci, fed.identity_pool_id, {"authenticated": AUTH_ROLE}, {fed.provider: mapping})


def assert_role(body: dict, role_arn: str, reason: str, rule_index: int | None = None) -> None:
    assert body["RoleArn"] == role_arn, body
    assert body["Reason"] == reason, body
    if rule_index is None:
        assert body.get("RuleIndex") is None, body
    else:
        assert body["RuleIndex"] == rule_index, body
    assert not body.get("Error"), body


def assert_no_role(body: dict, codes: set[str]) -> None:
    assert body["RoleArn"] is None, body
    assert body["Error"]["Code"] in codes, body
    assert body["Error"]["Message"], body


# --- rules -------------------------------------------------------------------------------------


def test_first_matching_rule_wins_and_its_index_is_reported(server, ci, federation):
    fed = federation()
    map_with(ci, fed, rules_mapping(DEPARTMENT_RULES))
    # "engineering" matches rule 1 (StartsWith eng) and rule 2 (Contains ine): the first wins.
    assert_role(by_hand(server, fed, {"dept": "engineering"}), ENGINEERS, "RuleMatched", 1)
    assert_role(by_hand(server, fed, {"dept": "sales"}), SALES, "RuleMatched", 0)
    assert_role(by_hand(server, fed, {"dept": "machine-shop"}), MACHINISTS, "RuleMatched", 2)


def test_reordering_rules_changes_the_winner(server, ci, federation):
    fed = federation()
    map_with(ci, fed, rules_mapping(DEPARTMENT_RULES))
    assert_role(by_hand(server, fed, {"dept": "engineering"}), ENGINEERS, "RuleMatched", 1)
    map_with(ci, fed, rules_mapping([DEPARTMENT_RULES[2], DEPARTMENT_RULES[0], DEPARTMENT_RULES[1]]))
    assert_role(by_hand(server, fed, {"dept": "engineering"}), MACHINISTS, "RuleMatched", 0)


def test_equals_is_an_exact_match(server, ci, federation):
    fed = federation()
    map_with(ci, fed, rules_mapping([("custom:team", "Equals", "blue", role("Blue"))], "AuthenticatedRole"))
    assert_role(by_hand(server, fed, {"custom:team": "blue"}), role("Blue"), "RuleMatched", 0)
    assert_role(by_hand(server, fed, {"custom:team": "blue-green"}), AUTH_ROLE, "AmbiguousFellBackToAuthenticatedRole")


def test_not_equal_matches_every_other_value(server, ci, federation):
    fed = federation()
    map_with(ci, fed, rules_mapping([("tier", "NotEqual", "free", role("Paid"))], "AuthenticatedRole"))
    assert_role(by_hand(server, fed, {"tier": "gold"}), role("Paid"), "RuleMatched", 0)
    assert_role(by_hand(server, fed, {"tier": "free"}), AUTH_ROLE, "AmbiguousFellBackToAuthenticatedRole")


def test_starts_with_matches_a_prefix_only(server, ci, federation):
    fed = federation()
    map_with(ci, fed, rules_mapping([("email", "StartsWith", "ops@", role("Ops"))], "AuthenticatedRole"))
    assert_role(by_hand(server, fed, {"email": "ops@example.com"}), role("Ops"), "RuleMatched", 0)
    assert_role(by_hand(server, fed, {"email": "dev-ops@example.com"}), AUTH_ROLE, "AmbiguousFellBackToAuthenticatedRole")


def test_contains_on_the_groups_claim(server, ci, federation):
    fed = federation()
    map_with(ci, fed, rules_mapping([("cognito:groups", "Contains", "admins", role("Admins"))], "AuthenticatedRole"))
    assert_role(by_hand(server, fed, {"cognito:groups": ["users", "admins"]}), role("Admins"), "RuleMatched", 0)
    assert_role(by_hand(server, fed, {"cognito:groups": ["users"]}), AUTH_ROLE, "AmbiguousFellBackToAuthenticatedRole")


def test_no_matching_rule_with_deny_gives_an_error(server, ci, federation):
    fed = federation()
    map_with(ci, fed, rules_mapping(DEPARTMENT_RULES, "Deny"))
    assert_no_role(by_hand(server, fed, {"dept": "legal"}), DENIED_CODES)


def test_missing_claim_matches_no_rule(server, ci, federation):
    fed = federation()
    map_with(ci, fed, rules_mapping(DEPARTMENT_RULES, "AuthenticatedRole"))
    assert_role(by_hand(server, fed, {"sub": "someone"}), AUTH_ROLE, "AmbiguousFellBackToAuthenticatedRole")


# --- Token mappings ----------------------------------------------------------------------------


def test_token_mapping_takes_the_preferred_role(server, ci, federation):
    fed = federation()
    map_with(ci, fed, token_mapping("Deny"))
    body = by_hand(
        server, fed, {"cognito:preferred_role": role("Admins"), "cognito:roles": [role("Admins"), role("Readers")]}
    )
    assert_role(body, role("Admins"), "PreferredRole")


def test_token_mapping_without_roles_falls_back_to_the_authenticated_role(server, ci, federation):
    fed = federation()
    map_with(ci, fed, token_mapping("AuthenticatedRole"))
    assert_role(by_hand(server, fed, {"sub": "someone"}), AUTH_ROLE, "AmbiguousFellBackToAuthenticatedRole")


def test_token_mapping_without_roles_and_deny_gives_an_error(server, ci, federation):
    fed = federation()
    map_with(ci, fed, token_mapping("Deny"))
    assert_no_role(by_hand(server, fed, {"sub": "someone"}), DENIED_CODES)


# --- default roles -----------------------------------------------------------------------------


def test_provider_without_a_mapping_gets_the_authenticated_role(server, federation):
    fed = federation(allow_guests=True)
    assert_role(by_hand(server, fed, {"dept": "sales"}), AUTH_ROLE, "DefaultRole")


def test_pool_without_guest_access_still_maps_logins(server, ci, federation):
    fed = federation(allow_guests=False)
    assert ci.get_identity_pool_roles(IdentityPoolId=fed.identity_pool_id)["Roles"] == {"authenticated": AUTH_ROLE}
    assert_role(by_hand(server, fed, {"dept": "sales"}), AUTH_ROLE, "DefaultRole")


def test_pool_without_an_authenticated_role_gives_an_error(server, federation):
    fed = federation(roles=None)
    assert_no_role(by_hand(server, fed, {"dept": "sales"}), {"InvalidIdentityPoolConfigurationException"})


# --- principal tags ----------------------------------------------------------------------------


def test_principal_tags_come_from_the_claims(server, ci, federation):
    fed = federation()
    ci.set_principal_tag_attribute_map(
        IdentityPoolId=fed.identity_pool_id,
        IdentityProviderName=fed.provider,
        UseDefaults=False,
        PrincipalTags={"team": "custom:team", "department": "dept"},
    )
    body = by_hand(server, fed, {"custom:team": "blue", "dept": "sales"})
    assert_role(body, AUTH_ROLE, "DefaultRole")
    assert body["PrincipalTags"] == {"team": "blue", "department": "sales"}


# --- with a real ID token ----------------------------------------------------------------------


def test_simulation_of_a_real_id_token_agrees_with_get_credentials(server, idp, ci, anon_ci, anon_idp, federation, make_user):
    fed = federation()
    map_with(
        ci,
        fed,
        rules_mapping(
            [("cognito:groups", "Equals", "auditors", role("Auditors")), ("cognito:groups", "Equals", "admins", role("Admins"))]
        ),
    )
    user = make_user(fed.pool_id)
    idp.create_group(GroupName="admins", UserPoolId=fed.pool_id)
    idp.admin_add_user_to_group(UserPoolId=fed.pool_id, Username=user.username, GroupName="admins")
    token = id_token_of(anon_idp, fed, user)
    body = simulate_ok(server, {"IdentityPoolId": fed.identity_pool_id, "IdToken": token})
    assert_role(body, role("Admins"), "RuleMatched", 1)
    _, creds = credentials_for(anon_ci, fed.identity_pool_id, {fed.provider: token})
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(body["RoleArn"])


def test_simulation_of_a_real_id_token_with_a_group_role(server, idp, ci, anon_idp, federation, make_user):
    fed = federation()
    map_with(ci, fed, token_mapping("Deny"))
    user = make_user(fed.pool_id)
    idp.create_group(GroupName="editors", UserPoolId=fed.pool_id, Precedence=1, RoleArn=role("Editors"))
    idp.admin_add_user_to_group(UserPoolId=fed.pool_id, Username=user.username, GroupName="editors")
    token = id_token_of(anon_idp, fed, user)
    assert claims(token)["cognito:preferred_role"] == role("Editors")
    body = simulate_ok(server, {"IdentityPoolId": fed.identity_pool_id, "IdToken": token})
    assert_role(body, role("Editors"), "PreferredRole")


def test_simulation_of_a_real_id_token_without_a_mapping(server, anon_idp, federation, make_user):
    fed = federation()
    user = make_user(fed.pool_id)
    body = simulate_ok(server, {"IdentityPoolId": fed.identity_pool_id, "IdToken": id_token_of(anon_idp, fed, user)})
    assert_role(body, AUTH_ROLE, "DefaultRole")


# --- errors ------------------------------------------------------------------------------------


def test_unknown_identity_pool_is_resource_not_found(server, federation):
    fed = federation()
    status, body = simulate(
        server, {"IdentityPoolId": UNKNOWN_IDENTITY_POOL_ID, "Provider": fed.provider, "Claims": {"dept": "sales"}}
    )
    assert status == 400, body
    assert aws_error_type(body) == "ResourceNotFoundException", body


def test_unsigned_simulation_is_missing_authentication_token(server, federation):
    fed = federation()
    payload = {"IdentityPoolId": fed.identity_pool_id, "Provider": fed.provider, "Claims": {"dept": "sales"}}
    resp = unsigned_post(server.endpoint, "PoolDesk.SimulateRoleMapping", json.dumps(payload).encode())
    assert resp.status_code == 400, resp.text
    assert aws_error_type(resp.json()) == "MissingAuthenticationTokenException"
