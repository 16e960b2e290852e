"""USER_SRP_AUTH: the Secure Remote Password sign-in the Amplify / amazon-cognito-identity-js
clients use by default. Driven with pycognito's AWSSRP (Python) and with the real npm package
amazon-cognito-identity-js in Node (tests/e2e/js, installed by `npm ci --prefix tests/e2e/js`).

The PASSWORD_VERIFIER answer is computed here with pycognito's helpers so that its parts
(TIMESTAMP, PASSWORD_CLAIM_SECRET_BLOCK) can be changed one at a time."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jwt
import pytest
import requests
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP, N_HEX, hex_to_long

from conftest import (
    DEFAULT_AUTH_FLOWS,
    OTHER_PASSWORD,
    PASSWORD,
    claims,
    error_code,
    error_message,
    latest_code,
    refresh,
    secret_hash,
    sign_in,
)

SRP_FLOWS = [*DEFAULT_AUTH_FLOWS, "ALLOW_USER_SRP_AUTH"]
WRONG_PASSWORD = "Wr0ng-Password!"
BIG_N = hex_to_long(N_HEX)

JS_DIR = Path(__file__).resolve().parent / "js"
JS_SCRIPT = JS_DIR / "srp_sign_in.mjs"
JS_LIBRARY = JS_DIR / "node_modules" / "amazon-cognito-identity-js" / "package.json"


# ---------------------------------------------------------------------------------------------
# SRP helpers (also used by test_user_auth.py)
# ---------------------------------------------------------------------------------------------


def srp_client(
    idp_client, pool_id: str, client_id: str, username: str, password: str, client_secret: str | None = None
) -> AWSSRP:
    """pycognito's SRP client bound to a boto3 cognito-idp client that points at PoolDesk."""
    return AWSSRP(
        username=username,
        password=password,
        pool_id=pool_id,
        client_id=client_id,
        client=idp_client,
        client_secret=client_secret,
    )


def srp_sign_in(
    anon_idp, pool_id: str, client_id: str, username: str, password: str, client_secret: str | None = None
) -> dict:
    """The whole USER_SRP_AUTH exchange by pycognito's authenticate_user(); the AuthenticationResult."""
    resp = srp_client(anon_idp, pool_id, client_id, username, password, client_secret).authenticate_user()
    assert "AuthenticationResult" in resp, f"expected tokens after PASSWORD_VERIFIER, got {resp.get('ChallengeName')}"
    return resp["AuthenticationResult"]


def cognito_timestamp(when: datetime.datetime) -> str:
    """Cognito's TIMESTAMP format, e.g. 'Tue Mar 5 09:04:05 UTC 2024' (day not zero-padded)."""
    return AWSSRP.get_cognito_formatted_timestamp(when.astimezone(datetime.timezone.utc))


def password_verifier_answer(
    aws: AWSSRP,
    challenge_parameters: dict,
    *,
    when: datetime.datetime | None = None,
    secret_block: str | None = None,
) -> dict:
    """ChallengeResponses for PASSWORD_VERIFIER, as pycognito's process_challenge computes them,
    but with a chosen TIMESTAMP instant and, optionally, another PASSWORD_CLAIM_SECRET_BLOCK
    (the signature is then computed over that block, so only the block itself is wrong)."""
    user_id_for_srp = challenge_parameters["USER_ID_FOR_SRP"]
    timestamp = cognito_timestamp(when or datetime.datetime.now(datetime.timezone.utc))
    hkdf = aws.get_password_authentication_key(
        user_id_for_srp, aws.password, hex_to_long(challenge_parameters["SRP_B"]), challenge_parameters["SALT"]
    )
    block = secret_block if secret_block is not None else challenge_parameters["SECRET_BLOCK"]
    message = (
        aws.pool_id.split("_")[1].encode()
        + user_id_for_srp.encode()
        + base64.standard_b64decode(block)
        + timestamp.encode()
    )
    signature = base64.standard_b64encode(hmac.new(hkdf, message, hashlib.sha256).digest()).decode()
    username = challenge_parameters.get("USERNAME", aws.username)
    answer = {
        "TIMESTAMP": timestamp,
        "USERNAME": username,
        "PASSWORD_CLAIM_SECRET_BLOCK": block,
        "PASSWORD_CLAIM_SIGNATURE": signature,
    }
    if aws.client_secret is not None:
        answer["SECRET_HASH"] = secret_hash(username, aws.client_id, aws.client_secret)
    return answer


def start_srp(anon_idp, aws: AWSSRP) -> dict:
    """InitiateAuth USER_SRP_AUTH; asserts the PASSWORD_VERIFIER challenge and returns the response."""
    resp = anon_idp.initiate_auth(ClientId=aws.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=aws.get_auth_params())
    assert resp.get("ChallengeName") == "PASSWORD_VERIFIER", resp
    return resp


def answer_verifier(anon_idp, client_id: str, challenge: dict, answer: dict) -> dict:
    """RespondToAuthChallenge PASSWORD_VERIFIER (with the challenge's Session when it had one)."""
    request = {"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": answer}
    if challenge.get("Session"):
        request["Session"] = challenge["Session"]
    return anon_idp.respond_to_auth_challenge(**request)


def jwks_verify(server, pool_id: str, token: str, audience: str | None = None) -> dict:
    """Verify an RS256 token against the pool's published JWKS (signature, issuer, audience)."""
    resp = requests.get(f"{server.endpoint}/{pool_id}/.well-known/jwks.json", timeout=30)
    assert resp.status_code == 200, resp.text
    keyset = jwt.PyJWKSet.from_dict(resp.json())
    key = keyset[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(
        token,
        key=key,
        algorithms=["RS256"],
        audience=audience,
        issuer=f"{server.endpoint}/{pool_id}",
        options={"require": ["exp", "iat", "iss", "sub", "token_use"]},
    )


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def srp_app(make_pool, make_client):
    """A fresh pool with a public client that allows USER_SRP_AUTH."""
    pool = make_pool()
    client = make_client(pool["Id"], ExplicitAuthFlows=SRP_FLOWS)
    return pool["Id"], client["ClientId"]


@pytest.fixture
def srp_user(srp_app, make_user):
    pool_id, _ = srp_app
    return make_user(pool_id, "sam")


# ---------------------------------------------------------------------------------------------
# pycognito
# ---------------------------------------------------------------------------------------------


def test_user_srp_auth_answers_with_a_password_verifier_challenge(anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    aws = srp_client(anon_idp, pool_id, client_id, srp_user.username, srp_user.password)
    resp = start_srp(anon_idp, aws)
    assert "AuthenticationResult" not in resp
    params = resp["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == srp_user.username
    assert params["USERNAME"] == srp_user.username
    assert re.fullmatch(r"[0-9a-fA-F]+", params["SALT"]), params["SALT"]
    assert re.fullmatch(r"[0-9a-fA-F]+", params["SRP_B"]), params["SRP_B"]
    big_b = hex_to_long(params["SRP_B"])
    assert big_b % BIG_N != 0, "SRP_B must not be 0 mod N"
    assert base64.standard_b64decode(params["SECRET_BLOCK"]), "SECRET_BLOCK must be non-empty base64"


def test_pycognito_srp_sign_in_returns_tokens(anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    result = srp_sign_in(anon_idp, pool_id, client_id, srp_user.username, srp_user.password)
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    assert result["RefreshToken"]
    id_claims = claims(result["IdToken"])
    assert id_claims["cognito:username"] == srp_user.username
    assert id_claims["sub"] == srp_user.sub
    assert id_claims["token_use"] == "id"
    assert id_claims["aud"] == client_id
    assert claims(result["AccessToken"])["username"] == srp_user.username


def test_srp_tokens_work_for_get_user_and_refresh(anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    result = srp_sign_in(anon_idp, pool_id, client_id, srp_user.username, srp_user.password)
    assert anon_idp.get_user(AccessToken=result["AccessToken"])["Username"] == srp_user.username
    refreshed = refresh(anon_idp, client_id, result["RefreshToken"])
    assert claims(refreshed["IdToken"])["cognito:username"] == srp_user.username


def test_pycognito_srp_with_a_wrong_password_is_not_authorized(anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    with pytest.raises(ClientError) as e:
        srp_sign_in(anon_idp, pool_id, client_id, srp_user.username, WRONG_PASSWORD)
    assert error_code(e.value) == "NotAuthorizedException"
    assert error_message(e.value) == "Incorrect username or password."


def test_srp_with_a_client_secret_returns_tokens(anon_idp, srp_app, make_client, srp_user):
    pool_id, _ = srp_app
    client = make_client(pool_id, GenerateSecret=True, ExplicitAuthFlows=SRP_FLOWS)
    result = srp_sign_in(
        anon_idp, pool_id, client["ClientId"], srp_user.username, srp_user.password, client["ClientSecret"]
    )
    assert claims(result["IdToken"])["cognito:username"] == srp_user.username
    assert claims(result["IdToken"])["aud"] == client["ClientId"]


def test_srp_on_a_secret_client_without_secret_hash_is_not_authorized(anon_idp, srp_app, make_client, srp_user):
    pool_id, _ = srp_app
    client = make_client(pool_id, GenerateSecret=True, ExplicitAuthFlows=SRP_FLOWS)
    aws = srp_client(anon_idp, pool_id, client["ClientId"], srp_user.username, srp_user.password)  # no secret
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=aws.get_auth_params())


def test_srp_needs_allow_user_srp_auth_on_the_client(anon_idp, srp_app, make_client, srp_user):
    pool_id, _ = srp_app
    client = make_client(pool_id, ExplicitAuthFlows=list(DEFAULT_AUTH_FLOWS))  # no ALLOW_USER_SRP_AUTH
    aws = srp_client(anon_idp, pool_id, client["ClientId"], srp_user.username, srp_user.password)
    with pytest.raises(anon_idp.exceptions.InvalidParameterException):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=aws.get_auth_params())


def test_srp_without_srp_a_is_invalid_parameter(anon_idp, srp_app, srp_user):
    _, client_id = srp_app
    with pytest.raises(anon_idp.exceptions.InvalidParameterException):
        anon_idp.initiate_auth(
            ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": srp_user.username}
        )


def test_admin_initiate_auth_user_srp_auth_returns_tokens(idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    aws = srp_client(idp, pool_id, client_id, srp_user.username, srp_user.password)
    challenge = idp.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=aws.get_auth_params()
    )
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    request = {
        "UserPoolId": pool_id,
        "ClientId": client_id,
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeResponses": password_verifier_answer(aws, challenge["ChallengeParameters"]),
    }
    if challenge.get("Session"):
        request["Session"] = challenge["Session"]
    result = idp.admin_respond_to_auth_challenge(**request)["AuthenticationResult"]
    assert claims(result["IdToken"])["cognito:username"] == srp_user.username


def test_admin_srp_with_a_wrong_password_is_not_authorized(idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    aws = srp_client(idp, pool_id, client_id, srp_user.username, WRONG_PASSWORD)
    challenge = idp.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=aws.get_auth_params()
    )
    request = {
        "UserPoolId": pool_id,
        "ClientId": client_id,
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeResponses": password_verifier_answer(aws, challenge["ChallengeParameters"]),
    }
    if challenge.get("Session"):
        request["Session"] = challenge["Session"]
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.admin_respond_to_auth_challenge(**request)


# ---------------------------------------------------------------------------------------------
# The PASSWORD_VERIFIER answer, part by part
# ---------------------------------------------------------------------------------------------


def test_a_password_verifier_answer_is_accepted_only_once(anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    aws = srp_client(anon_idp, pool_id, client_id, srp_user.username, srp_user.password)
    challenge = start_srp(anon_idp, aws)
    answer = password_verifier_answer(aws, challenge["ChallengeParameters"])
    first = answer_verifier(anon_idp, client_id, challenge, answer)
    assert claims(first["AuthenticationResult"]["IdToken"])["cognito:username"] == srp_user.username
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        answer_verifier(anon_idp, client_id, challenge, answer)


def test_a_password_verifier_timestamp_a_day_old_is_not_authorized(anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    aws = srp_client(anon_idp, pool_id, client_id, srp_user.username, srp_user.password)
    challenge = start_srp(anon_idp, aws)
    day_ago = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    answer = password_verifier_answer(aws, challenge["ChallengeParameters"], when=day_ago)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        answer_verifier(anon_idp, client_id, challenge, answer)
    # The same computation with the current time is accepted (so it is the timestamp that failed).
    fresh = start_srp(anon_idp, aws)
    ok = answer_verifier(anon_idp, client_id, fresh, password_verifier_answer(aws, fresh["ChallengeParameters"]))
    assert ok["AuthenticationResult"]["AccessToken"]


def test_a_tampered_password_claim_secret_block_is_not_authorized(anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    aws = srp_client(anon_idp, pool_id, client_id, srp_user.username, srp_user.password)
    challenge = start_srp(anon_idp, aws)
    block = bytearray(base64.standard_b64decode(challenge["ChallengeParameters"]["SECRET_BLOCK"]))
    block[len(block) // 2] ^= 0x01
    tampered = base64.standard_b64encode(bytes(block)).decode()
    answer = password_verifier_answer(aws, challenge["ChallengeParameters"], secret_block=tampered)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        answer_verifier(anon_idp, client_id, challenge, answer)


def test_a_wrong_password_claim_signature_is_not_authorized(anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    aws = srp_client(anon_idp, pool_id, client_id, srp_user.username, srp_user.password)
    challenge = start_srp(anon_idp, aws)
    answer = password_verifier_answer(aws, challenge["ChallengeParameters"])
    answer["PASSWORD_CLAIM_SIGNATURE"] = base64.standard_b64encode(b"\x00" * 32).decode()
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        answer_verifier(anon_idp, client_id, challenge, answer)


# ---------------------------------------------------------------------------------------------
# Unknown users
# ---------------------------------------------------------------------------------------------


def test_unknown_user_gets_a_dummy_challenge_when_existence_errors_are_prevented(anon_idp, srp_app, make_client):
    pool_id, _ = srp_app
    client = make_client(pool_id, ExplicitAuthFlows=SRP_FLOWS, PreventUserExistenceErrors="ENABLED")
    aws = srp_client(anon_idp, pool_id, client["ClientId"], "nobody", PASSWORD)
    challenge = start_srp(anon_idp, aws)
    params = challenge["ChallengeParameters"]
    for key in ("SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"):
        assert params.get(key), f"dummy challenge lacks {key}: {params}"
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException) as e:
        answer_verifier(anon_idp, client["ClientId"], challenge, password_verifier_answer(aws, params))
    assert error_message(e.value) == "Incorrect username or password."


def test_unknown_user_is_user_not_found_with_legacy_existence_errors(anon_idp, srp_app, make_client):
    pool_id, _ = srp_app
    client = make_client(pool_id, ExplicitAuthFlows=SRP_FLOWS, PreventUserExistenceErrors="LEGACY")
    aws = srp_client(anon_idp, pool_id, client["ClientId"], "nobody", PASSWORD)
    with pytest.raises(anon_idp.exceptions.UserNotFoundException):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=aws.get_auth_params())


# ---------------------------------------------------------------------------------------------
# Every way a password gets set leaves an SRP verifier behind
# ---------------------------------------------------------------------------------------------


def test_srp_after_admin_set_user_password(idp, anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    idp.admin_set_user_password(UserPoolId=pool_id, Username=srp_user.username, Password=OTHER_PASSWORD, Permanent=True)
    result = srp_sign_in(anon_idp, pool_id, client_id, srp_user.username, OTHER_PASSWORD)
    assert claims(result["IdToken"])["cognito:username"] == srp_user.username
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        srp_sign_in(anon_idp, pool_id, client_id, srp_user.username, srp_user.password)


def test_srp_after_sign_up(idp, anon_idp, srp_app):
    pool_id, client_id = srp_app
    anon_idp.sign_up(
        ClientId=client_id, Username="sue", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "sue@example.com"}],
    )
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="sue")
    result = srp_sign_in(anon_idp, pool_id, client_id, "sue", PASSWORD)
    assert claims(result["IdToken"])["cognito:username"] == "sue"


def test_srp_after_confirm_forgot_password(server, anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    anon_idp.forgot_password(ClientId=client_id, Username=srp_user.username)
    code = latest_code(server, pool_id, srp_user.username)
    anon_idp.confirm_forgot_password(
        ClientId=client_id, Username=srp_user.username, ConfirmationCode=code, Password=OTHER_PASSWORD
    )
    result = srp_sign_in(anon_idp, pool_id, client_id, srp_user.username, OTHER_PASSWORD)
    assert claims(result["IdToken"])["cognito:username"] == srp_user.username
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        srp_sign_in(anon_idp, pool_id, client_id, srp_user.username, srp_user.password)


def test_srp_after_change_password(anon_idp, srp_app, srp_user):
    pool_id, client_id = srp_app
    tokens = sign_in(anon_idp, client_id, srp_user.username, srp_user.password)
    anon_idp.change_password(
        PreviousPassword=srp_user.password, ProposedPassword=OTHER_PASSWORD, AccessToken=tokens["AccessToken"]
    )
    result = srp_sign_in(anon_idp, pool_id, client_id, srp_user.username, OTHER_PASSWORD)
    assert claims(result["IdToken"])["cognito:username"] == srp_user.username


@pytest.fixture
def invited_srp_user(idp, srp_app):
    pool_id, _ = srp_app
    idp.admin_create_user(
        UserPoolId=pool_id, Username="tess", TemporaryPassword="Temp0rary-Pass!", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "tess@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    return "tess"


def test_srp_after_the_new_password_required_challenge(anon_idp, srp_app, invited_srp_user):
    pool_id, client_id = srp_app
    challenge = anon_idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": invited_srp_user, "PASSWORD": "Temp0rary-Pass!"},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    anon_idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": invited_srp_user, "NEW_PASSWORD": OTHER_PASSWORD},
    )
    result = srp_sign_in(anon_idp, pool_id, client_id, invited_srp_user, OTHER_PASSWORD)
    assert claims(result["IdToken"])["cognito:username"] == invited_srp_user


def test_srp_with_a_temporary_password_leads_to_new_password_required(idp, anon_idp, srp_app, invited_srp_user):
    pool_id, client_id = srp_app
    aws = srp_client(anon_idp, pool_id, client_id, invited_srp_user, "Temp0rary-Pass!")
    challenge = start_srp(anon_idp, aws)
    verified = answer_verifier(anon_idp, client_id, challenge, password_verifier_answer(aws, challenge["ChallengeParameters"]))
    assert verified.get("ChallengeName") == "NEW_PASSWORD_REQUIRED", verified
    assert "AuthenticationResult" not in verified
    done = anon_idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=verified["Session"],
        ChallengeResponses={"USERNAME": invited_srp_user, "NEW_PASSWORD": OTHER_PASSWORD},
    )
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == invited_srp_user
    assert idp.admin_get_user(UserPoolId=pool_id, Username=invited_srp_user)["UserStatus"] == "CONFIRMED"
    assert srp_sign_in(anon_idp, pool_id, client_id, invited_srp_user, OTHER_PASSWORD)["AccessToken"]


def test_srp_by_email_in_an_email_username_pool_uses_the_internal_username(anon_idp, make_pool, make_client, make_user):
    pool = make_pool(UsernameAttributes=["email"])
    client = make_client(pool["Id"], ExplicitAuthFlows=SRP_FLOWS)
    u = make_user(pool["Id"], "uma@example.com", email="uma@example.com")
    aws = srp_client(anon_idp, pool["Id"], client["ClientId"], "uma@example.com", PASSWORD)
    challenge = start_srp(anon_idp, aws)
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == u.cognito_username
    result = answer_verifier(
        anon_idp, client["ClientId"], challenge, password_verifier_answer(aws, challenge["ChallengeParameters"])
    )["AuthenticationResult"]
    id_claims = claims(result["IdToken"])
    assert id_claims["cognito:username"] == u.cognito_username
    assert id_claims["email"] == "uma@example.com"


# ---------------------------------------------------------------------------------------------
# amazon-cognito-identity-js in Node
# ---------------------------------------------------------------------------------------------


def js_sign_in(server, pool_id: str, client_id: str, username: str, password: str) -> dict:
    """Run tests/e2e/js/srp_sign_in.mjs; its JSON verdict ({ok, idToken} or {ok: false, code})."""
    if not JS_LIBRARY.is_file():
        pytest.fail(
            f"{JS_LIBRARY.parent} is missing: install the Node clients first with `npm ci --prefix tests/e2e/js`"
        )
    node = shutil.which("node") or "/usr/bin/node"
    if not Path(node).is_file():
        pytest.fail("node is not installed (Node 20+ is needed for the amazon-cognito-identity-js tests)")
    env = dict(os.environ)
    env["POOLDESK_SRP_INPUT"] = json.dumps(
        {"endpoint": server.endpoint, "poolId": pool_id, "clientId": client_id, "username": username, "password": password}
    )
    proc = subprocess.run(
        [node, str(JS_SCRIPT)], cwd=JS_DIR, env=env, capture_output=True, text=True, timeout=90, check=False
    )
    assert proc.returncode == 0, f"srp_sign_in.mjs exited {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert lines, f"srp_sign_in.mjs printed nothing\nstderr: {proc.stderr}"
    return json.loads(lines[-1])


def test_amazon_cognito_identity_js_srp_sign_in_returns_verifiable_tokens(server, srp_app, srp_user):
    pool_id, client_id = srp_app
    verdict = js_sign_in(server, pool_id, client_id, srp_user.username, srp_user.password)
    assert verdict["ok"] is True, verdict
    id_claims = jwks_verify(server, pool_id, verdict["idToken"], audience=client_id)
    assert id_claims["cognito:username"] == srp_user.username
    assert id_claims["token_use"] == "id"
    assert id_claims["sub"] == srp_user.sub
    assert claims(verdict["accessToken"])["username"] == srp_user.username


def test_amazon_cognito_identity_js_srp_with_a_wrong_password_is_not_authorized(server, srp_app, srp_user):
    pool_id, client_id = srp_app
    verdict = js_sign_in(server, pool_id, client_id, srp_user.username, WRONG_PASSWORD)
    assert verdict["ok"] is False, verdict
    assert verdict["code"] == "NotAuthorizedException", verdict
    assert verdict["message"] == "Incorrect username or password.", verdict
