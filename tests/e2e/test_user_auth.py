"""Choice-based sign-in: AuthFlow USER_AUTH with SELECT_CHALLENGE / PREFERRED_CHALLENGE over
the pool's AllowedFirstAuthFactors (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP), and the
user's configured factors (GetUserAuthFactors / AdminGetUserAuthFactors)."""

from __future__ import annotations

import json

import pytest

from conftest import (
    DEFAULT_AUTH_FLOWS,
    IDP_TARGET_PREFIX,
    claims,
    latest_code,
    sign_in,
    signed_post,
    wait_for_outbox,
)
from test_srp import password_verifier_answer, srp_client

SNS_ROLE = "arn:aws:iam::000000000000:role/sms"
PHONE = "+15555550142"
WRONG_PASSWORD = "Wr0ng-Password!"
USER_AUTH_FLOWS = [*DEFAULT_AUTH_FLOWS, "ALLOW_USER_AUTH"]
ALL_FIRST_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]


def idp_raw(server, op: str, payload: dict) -> tuple[int, dict]:
    """A SigV4-signed cognito-idp call by name, for operations this boto3 does not know yet."""
    resp = signed_post(server.endpoint, f"{IDP_TARGET_PREFIX}.{op}", json.dumps(payload).encode())
    try:
        body = resp.json() if resp.content else {}
    except ValueError:
        body = {"__raw": resp.text}
    return resp.status_code, body


def wrong_digits(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def choice_pool(make_pool, make_client):
    """choice_pool(factors) -> (pool_id, client_id): a pool whose SignInPolicy allows `factors`
    first, with SMS configured, and a public client that allows USER_AUTH."""

    def _make(factors: list[str] = ALL_FIRST_FACTORS):
        pool = make_pool(
            Policies={"SignInPolicy": {"AllowedFirstAuthFactors": list(factors)}},
            SmsConfiguration={"SnsCallerArn": SNS_ROLE},
        )
        client = make_client(pool["Id"], ExplicitAuthFlows=USER_AUTH_FLOWS)
        return pool["Id"], client["ClientId"]

    return _make


@pytest.fixture
def choice_app(choice_pool, make_user):
    """A USER_AUTH pool allowing PASSWORD, EMAIL_OTP and SMS_OTP, and a user with a verified
    e-mail address and a verified phone number."""
    pool_id, client_id = choice_pool()
    u = make_user(pool_id, "cleo", attributes={"phone_number": PHONE, "phone_number_verified": "true"})
    u.pool_id, u.client_id = pool_id, client_id
    return u


def start_user_auth(anon_idp, u, **params: str) -> dict:
    return anon_idp.initiate_auth(
        ClientId=u.client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": u.username, **params}
    )


def respond(anon_idp, u, challenge: dict, name: str, **responses: str) -> dict:
    return anon_idp.respond_to_auth_challenge(
        ClientId=u.client_id, ChallengeName=name, Session=challenge["Session"],
        ChallengeResponses={"USERNAME": u.username, **responses},
    )


def assert_tokens_for(resp: dict, username: str) -> None:
    assert "AuthenticationResult" in resp, f"expected tokens, got {resp.get('ChallengeName')}: {resp}"
    result = resp["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert result["RefreshToken"]
    assert claims(result["IdToken"])["cognito:username"] == username
    assert claims(result["AccessToken"])["username"] == username


# ---------------------------------------------------------------------------------------------
# SELECT_CHALLENGE
# ---------------------------------------------------------------------------------------------


def test_user_auth_with_only_a_username_is_select_challenge(anon_idp, choice_app):
    resp = start_user_auth(anon_idp, choice_app)
    assert resp["ChallengeName"] == "SELECT_CHALLENGE"
    assert resp["Session"]
    assert "AuthenticationResult" not in resp
    assert set(resp["AvailableChallenges"]) == {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}


def test_available_challenges_follow_what_the_user_can_receive(anon_idp, choice_pool, make_user):
    pool_id, client_id = choice_pool()
    u = make_user(pool_id, "dora", email_verified=False)  # no verified e-mail, no phone
    u.client_id = client_id
    resp = start_user_auth(anon_idp, u)
    assert resp["ChallengeName"] == "SELECT_CHALLENGE"
    available = set(resp["AvailableChallenges"])
    assert {"PASSWORD", "PASSWORD_SRP"} <= available
    assert "EMAIL_OTP" not in available
    assert "SMS_OTP" not in available


def test_available_challenges_follow_the_pool_sign_in_policy(anon_idp, choice_pool, make_user):
    pool_id, client_id = choice_pool(["PASSWORD", "EMAIL_OTP"])
    u = make_user(pool_id, "ella", attributes={"phone_number": PHONE, "phone_number_verified": "true"})
    u.client_id = client_id
    resp = start_user_auth(anon_idp, u)
    assert resp["ChallengeName"] == "SELECT_CHALLENGE"
    assert set(resp["AvailableChallenges"]) == {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}


def test_select_challenge_email_otp_then_the_mailed_code_signs_in(server, anon_idp, choice_app):
    u = choice_app
    select = start_user_auth(anon_idp, u)
    otp = respond(anon_idp, u, select, "SELECT_CHALLENGE", ANSWER="EMAIL_OTP")
    assert otp["ChallengeName"] == "EMAIL_OTP"
    assert otp["Session"]
    assert otp["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert otp["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] != u.email
    msgs = [m for m in wait_for_outbox(server, u.pool_id, u.username) if m.get("Code")]
    assert msgs, "no e-mail code in the outbox"
    assert msgs[0]["DeliveryMedium"] == "EMAIL"
    assert msgs[0]["Destination"] == u.email
    assert_tokens_for(respond(anon_idp, u, otp, "EMAIL_OTP", EMAIL_OTP_CODE=msgs[0]["Code"]), u.username)


def test_select_challenge_email_otp_with_a_wrong_code_is_code_mismatch(server, anon_idp, choice_app):
    u = choice_app
    otp = respond(anon_idp, u, start_user_auth(anon_idp, u), "SELECT_CHALLENGE", ANSWER="EMAIL_OTP")
    assert otp["ChallengeName"] == "EMAIL_OTP"
    code = latest_code(server, u.pool_id, u.username)
    with pytest.raises(anon_idp.exceptions.CodeMismatchException):
        respond(anon_idp, u, otp, "EMAIL_OTP", EMAIL_OTP_CODE=wrong_digits(code))


def test_select_challenge_password_with_the_password_signs_in(anon_idp, choice_app):
    u = choice_app
    select = start_user_auth(anon_idp, u)
    assert_tokens_for(respond(anon_idp, u, select, "SELECT_CHALLENGE", ANSWER="PASSWORD", PASSWORD=u.password), u.username)


def test_select_challenge_password_with_a_wrong_password_is_not_authorized(anon_idp, choice_app):
    u = choice_app
    select = start_user_auth(anon_idp, u)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        respond(anon_idp, u, select, "SELECT_CHALLENGE", ANSWER="PASSWORD", PASSWORD=WRONG_PASSWORD)


def test_select_challenge_password_srp_leads_to_password_verifier(anon_idp, choice_app):
    u = choice_app
    aws = srp_client(anon_idp, u.pool_id, u.client_id, u.username, u.password)
    select = start_user_auth(anon_idp, u)
    verifier = respond(
        anon_idp, u, select, "SELECT_CHALLENGE", ANSWER="PASSWORD_SRP", SRP_A=aws.get_auth_params()["SRP_A"]
    )
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    done = anon_idp.respond_to_auth_challenge(
        ClientId=u.client_id, ChallengeName="PASSWORD_VERIFIER", Session=verifier["Session"],
        ChallengeResponses=password_verifier_answer(aws, verifier["ChallengeParameters"]),
    )
    assert_tokens_for(done, u.username)


def test_select_challenge_sms_otp_then_the_texted_code_signs_in(server, anon_idp, choice_app):
    u = choice_app
    otp = respond(anon_idp, u, start_user_auth(anon_idp, u), "SELECT_CHALLENGE", ANSWER="SMS_OTP")
    assert otp["ChallengeName"] == "SMS_OTP"
    assert otp["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    msgs = [m for m in wait_for_outbox(server, u.pool_id, u.username) if m.get("Code")]
    assert msgs and msgs[0]["DeliveryMedium"] == "SMS", msgs
    assert_tokens_for(respond(anon_idp, u, otp, "SMS_OTP", SMS_OTP_CODE=msgs[0]["Code"]), u.username)


# ---------------------------------------------------------------------------------------------
# PREFERRED_CHALLENGE
# ---------------------------------------------------------------------------------------------


def test_preferred_challenge_password_with_the_password_returns_tokens_directly(anon_idp, choice_app):
    u = choice_app
    resp = start_user_auth(anon_idp, choice_app, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=u.password)
    assert "ChallengeName" not in resp
    assert_tokens_for(resp, u.username)


def test_preferred_challenge_password_with_a_wrong_password_is_not_authorized(anon_idp, choice_app):
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        start_user_auth(anon_idp, choice_app, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=WRONG_PASSWORD)


def test_preferred_challenge_email_otp_goes_straight_to_the_code(server, anon_idp, choice_app):
    u = choice_app
    otp = start_user_auth(anon_idp, u, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert otp["ChallengeName"] == "EMAIL_OTP"
    assert otp["Session"]
    code = latest_code(server, u.pool_id, u.username)
    assert_tokens_for(respond(anon_idp, u, otp, "EMAIL_OTP", EMAIL_OTP_CODE=code), u.username)


def test_preferred_challenge_sms_otp_goes_straight_to_the_code(server, anon_idp, choice_app):
    u = choice_app
    otp = start_user_auth(anon_idp, u, PREFERRED_CHALLENGE="SMS_OTP")
    assert otp["ChallengeName"] == "SMS_OTP"
    params = otp["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert params["CODE_DELIVERY_DESTINATION"] != PHONE
    assert params["CODE_DELIVERY_DESTINATION"].endswith(PHONE[-4:])
    msgs = [m for m in wait_for_outbox(server, u.pool_id, u.username) if m.get("Code")]
    assert msgs and msgs[0]["DeliveryMedium"] == "SMS", msgs
    assert msgs[0]["Destination"] == PHONE
    assert_tokens_for(respond(anon_idp, u, otp, "SMS_OTP", SMS_OTP_CODE=msgs[0]["Code"]), u.username)


def test_preferred_challenge_password_srp_leads_to_password_verifier(anon_idp, choice_app):
    u = choice_app
    aws = srp_client(anon_idp, u.pool_id, u.client_id, u.username, u.password)
    verifier = start_user_auth(anon_idp, u, PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=aws.get_auth_params()["SRP_A"])
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    done = anon_idp.respond_to_auth_challenge(
        ClientId=u.client_id, ChallengeName="PASSWORD_VERIFIER", Session=verifier["Session"],
        ChallengeResponses=password_verifier_answer(aws, verifier["ChallengeParameters"]),
    )
    assert_tokens_for(done, u.username)


def test_user_auth_needs_allow_user_auth_on_the_client(anon_idp, choice_app, make_client):
    client = make_client(choice_app.pool_id, ExplicitAuthFlows=list(DEFAULT_AUTH_FLOWS))
    with pytest.raises(anon_idp.exceptions.InvalidParameterException):
        anon_idp.initiate_auth(
            ClientId=client["ClientId"], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": choice_app.username}
        )


def test_sign_in_policy_round_trips_through_describe_and_update(idp, choice_pool):
    pool_id, _ = choice_pool()
    policies = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]
    assert policies["SignInPolicy"]["AllowedFirstAuthFactors"] == ALL_FIRST_FACTORS
    idp.update_user_pool(
        UserPoolId=pool_id,
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        SmsConfiguration={"SnsCallerArn": SNS_ROLE},
    )
    policies = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]
    assert policies["SignInPolicy"]["AllowedFirstAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]


# ---------------------------------------------------------------------------------------------
# The user's configured factors
# ---------------------------------------------------------------------------------------------


def test_get_user_auth_factors_lists_password_and_the_verified_channels(anon_idp, choice_app):
    u = choice_app
    access = sign_in(anon_idp, u.client_id, u.username, u.password)["AccessToken"]
    got = anon_idp.get_user_auth_factors(AccessToken=access)
    assert got["Username"] == u.username
    assert set(got["ConfiguredUserAuthFactors"]) >= {"PASSWORD", "EMAIL_OTP", "SMS_OTP"}


def test_get_user_auth_factors_leaves_out_an_unverified_email(anon_idp, choice_pool, make_user):
    pool_id, client_id = choice_pool()
    u = make_user(pool_id, "fay", email_verified=False)
    access = sign_in(anon_idp, client_id, u.username, u.password)["AccessToken"]
    factors = anon_idp.get_user_auth_factors(AccessToken=access)["ConfiguredUserAuthFactors"]
    assert "PASSWORD" in factors
    assert "EMAIL_OTP" not in factors
    assert "SMS_OTP" not in factors


def test_admin_get_user_auth_factors_lists_the_same_factors(server, anon_idp, choice_app):
    u = choice_app
    status, body = idp_raw(server, "AdminGetUserAuthFactors", {"UserPoolId": u.pool_id, "Username": u.username})
    assert status == 200, body
    assert body["Username"] == u.username
    assert set(body["ConfiguredUserAuthFactors"]) >= {"PASSWORD", "EMAIL_OTP", "SMS_OTP"}
    access = sign_in(anon_idp, u.client_id, u.username, u.password)["AccessToken"]
    own = anon_idp.get_user_auth_factors(AccessToken=access)
    assert sorted(own["ConfiguredUserAuthFactors"]) == sorted(body["ConfiguredUserAuthFactors"])


def test_admin_get_user_auth_factors_for_an_unknown_user_is_user_not_found(server, choice_pool):
    pool_id, _ = choice_pool()
    status, body = idp_raw(server, "AdminGetUserAuthFactors", {"UserPoolId": pool_id, "Username": "nobody"})
    assert status == 400, body
    assert body.get("__type", "").split("#")[-1] == "UserNotFoundException", body
