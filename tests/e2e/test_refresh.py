"""GetTokensFromRefreshToken with and without refresh-token rotation, and the sign-in history
AdminListUserAuthEvents keeps."""

from __future__ import annotations

import datetime

import pytest
from botocore.exceptions import ClientError

from conftest import DEFAULT_AUTH_FLOWS, claims, error_code, secret_hash, sign_in

WRONG_PASSWORD = "Wr0ng-Password!"
ROTATION = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}


# ---------------------------------------------------------------------------------------------
# GetTokensFromRefreshToken
# ---------------------------------------------------------------------------------------------


def test_get_tokens_from_refresh_token_returns_new_id_and_access_tokens(anon_idp, app, user):
    first = sign_in(anon_idp, app.client_id, user.username, user.password)
    result = anon_idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=app.client_id)[
        "AuthenticationResult"
    ]
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    assert "RefreshToken" not in result, "without rotation the refresh token is not replaced"
    assert result["AccessToken"] != first["AccessToken"]
    assert result["IdToken"] != first["IdToken"]
    id_claims = claims(result["IdToken"])
    assert id_claims["sub"] == user.sub
    assert id_claims["cognito:username"] == user.username
    assert anon_idp.get_user(AccessToken=result["AccessToken"])["Username"] == user.username
    # Without rotation the same refresh token keeps working.
    again = anon_idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=app.client_id)
    assert again["AuthenticationResult"]["AccessToken"]


def test_get_tokens_from_a_garbage_refresh_token_is_not_authorized(anon_idp, app):
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_tokens_from_refresh_token(RefreshToken="not-a-refresh-token", ClientId=app.client_id)


def test_get_tokens_from_a_refresh_token_of_another_client_is_not_authorized(anon_idp, app, make_client, user):
    other = make_client(app.pool_id)
    tokens = sign_in(anon_idp, app.client_id, user.username, user.password)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_tokens_from_refresh_token(RefreshToken=tokens["RefreshToken"], ClientId=other["ClientId"])


def test_get_tokens_from_refresh_token_on_a_secret_client_needs_the_secret(anon_idp, app, make_client, user):
    client = make_client(app.pool_id, GenerateSecret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    tokens = sign_in(anon_idp, cid, user.username, user.password, SECRET_HASH=secret_hash(user.username, cid, secret))
    ok = anon_idp.get_tokens_from_refresh_token(RefreshToken=tokens["RefreshToken"], ClientId=cid, ClientSecret=secret)
    assert claims(ok["AuthenticationResult"]["IdToken"])["cognito:username"] == user.username
    with pytest.raises(ClientError) as e:
        anon_idp.get_tokens_from_refresh_token(RefreshToken=tokens["RefreshToken"], ClientId=cid)
    assert error_code(e.value) in ("NotAuthorizedException", "InvalidParameterException")


@pytest.fixture
def rotating_client(app, make_client):
    return make_client(app.pool_id, RefreshTokenRotation=ROTATION)


def test_refresh_token_rotation_is_stored_on_the_client(idp, app, rotating_client):
    assert rotating_client["RefreshTokenRotation"] == ROTATION
    described = idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=rotating_client["ClientId"])
    assert described["UserPoolClient"]["RefreshTokenRotation"] == ROTATION


def test_rotation_issues_a_new_refresh_token_and_retires_the_old_one(anon_idp, rotating_client, user):
    cid = rotating_client["ClientId"]
    first = sign_in(anon_idp, cid, user.username, user.password)
    rotated = anon_idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=cid)[
        "AuthenticationResult"
    ]
    assert rotated["RefreshToken"]
    assert rotated["RefreshToken"] != first["RefreshToken"]
    assert claims(rotated["IdToken"])["sub"] == user.sub

    # The new refresh token works, and rotates in turn.
    again = anon_idp.get_tokens_from_refresh_token(RefreshToken=rotated["RefreshToken"], ClientId=cid)[
        "AuthenticationResult"
    ]
    assert again["RefreshToken"] not in (first["RefreshToken"], rotated["RefreshToken"])
    assert anon_idp.get_user(AccessToken=again["AccessToken"])["Username"] == user.username

    # The rotated-out one is refused (no grace period).
    with pytest.raises(ClientError) as e:
        anon_idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=cid)
    assert error_code(e.value) in ("RefreshTokenReuseException", "NotAuthorizedException")


# ---------------------------------------------------------------------------------------------
# AdminListUserAuthEvents
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def audited(idp, make_pool, make_client, make_user):
    """A pool with threat protection in AUDIT mode (real Cognito keeps the event history only
    then), a client and a user."""
    pool = make_pool(UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    client = make_client(pool["Id"], ExplicitAuthFlows=list(DEFAULT_AUTH_FLOWS))
    u = make_user(pool["Id"], "owen")
    u.pool_id, u.client_id = pool["Id"], client["ClientId"]
    return u


def test_admin_list_user_auth_events_lists_sign_ins_newest_first(idp, anon_idp, audited):
    u = audited
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
    sign_in(anon_idp, u.client_id, u.username, u.password)
    sign_in(anon_idp, u.client_id, u.username, u.password)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        sign_in(anon_idp, u.client_id, u.username, WRONG_PASSWORD)
    after = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)

    events = idp.admin_list_user_auth_events(UserPoolId=u.pool_id, Username=u.username)["AuthEvents"]
    assert [e["EventType"] for e in events] == ["SignIn", "SignIn", "SignIn"]
    assert [e["EventResponse"] for e in events] == ["Fail", "Pass", "Pass"]
    assert len({e["EventId"] for e in events}) == 3
    dates = [e["CreationDate"] for e in events]
    assert all(before <= d <= after for d in dates), dates
    assert dates == sorted(dates, reverse=True)

    failed, passed = events[0], events[1]
    assert {"ChallengeName": "Password", "ChallengeResponse": "Failure"} in failed["ChallengeResponses"]
    assert {"ChallengeName": "Password", "ChallengeResponse": "Success"} in passed["ChallengeResponses"]
    # Where the attempt came from, and through which flow and app client.
    assert passed["EventContextData"]["IpAddress"] == "127.0.0.1"
    assert passed["EventContextData"]["DeviceName"] == f"USER_PASSWORD_AUTH via app client {u.client_id}"


def test_srp_sign_ins_are_recorded_with_their_flow(idp, anon_idp, audited, make_client):
    from test_srp import SRP_FLOWS, srp_sign_in

    u = audited
    srp_client_id = make_client(u.pool_id, ExplicitAuthFlows=SRP_FLOWS)["ClientId"]
    srp_sign_in(anon_idp, u.pool_id, srp_client_id, u.username, u.password)
    latest = idp.admin_list_user_auth_events(UserPoolId=u.pool_id, Username=u.username)["AuthEvents"][0]
    assert latest["EventResponse"] == "Pass"
    assert latest["EventContextData"]["DeviceName"] == f"USER_SRP_AUTH via app client {srp_client_id}"


def test_admin_list_user_auth_events_of_a_user_with_no_sign_ins_is_empty(idp, audited):
    events = idp.admin_list_user_auth_events(UserPoolId=audited.pool_id, Username=audited.username)["AuthEvents"]
    assert events == []


def test_admin_list_user_auth_events_pages_with_max_results(idp, anon_idp, audited):
    u = audited
    for _ in range(3):
        sign_in(anon_idp, u.client_id, u.username, u.password)
    page = idp.admin_list_user_auth_events(UserPoolId=u.pool_id, Username=u.username, MaxResults=2)
    assert len(page["AuthEvents"]) == 2
    assert page["NextToken"]
    rest = idp.admin_list_user_auth_events(
        UserPoolId=u.pool_id, Username=u.username, MaxResults=2, NextToken=page["NextToken"]
    )
    assert len(rest["AuthEvents"]) == 1
    assert "NextToken" not in rest
    ids = [e["EventId"] for e in page["AuthEvents"] + rest["AuthEvents"]]
    assert len(set(ids)) == 3


def test_admin_list_user_auth_events_for_an_unknown_user_is_user_not_found(idp, audited):
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_list_user_auth_events(UserPoolId=audited.pool_id, Username="nobody")
