"""Durability: what a successful response promised survives SIGKILL of the server right after.

Each test runs its own PoolDesk on its own database (not the shared session server), and
restarts it on the same database at the same address, so token issuers stay the same."""

from __future__ import annotations

import random

import jwt
import pytest
import requests

import crash_safety
from conftest import PASSWORD, attrs, idp_client, latest_code, outbox, sign_in, unique_name

# Starts its own servers on SQLite files: run once, in the SQLite pass (the cluster pass,
# POOLDESK_E2E_CLUSTER, leaves it out).
pytestmark = pytest.mark.own_servers


def make_pool_and_client(idp) -> tuple[str, str]:
    pool_id = idp.create_user_pool(PoolName=unique_name("durable"), AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique_name("durable-client"),
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def test_admin_created_user_survives_sigkill(private_servers):
    first = private_servers()
    idp = idp_client(first.endpoint)
    pool_id, _ = make_pool_and_client(idp)
    created = idp.admin_create_user(
        UserPoolId=pool_id, Username="survivor", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "survivor@example.com"}],
    )["User"]
    first.kill()

    second = private_servers(first.db_path, first.listen_addr)
    got = idp_client(second.endpoint).admin_get_user(UserPoolId=pool_id, Username="survivor")
    assert got["Username"] == "survivor"
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert attrs(got["UserAttributes"])["sub"] == attrs(created["Attributes"])["sub"]
    assert second.stop() == 0


def test_confirmed_sign_up_survives_sigkill(private_servers):
    first = private_servers()
    idp = idp_client(first.endpoint)
    anon = idp_client(first.endpoint, signed=False)
    pool_id, client_id = make_pool_and_client(idp)
    anon.sign_up(
        ClientId=client_id, Username="phoenix", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "phoenix@example.com"}],
    )
    code = latest_code(first, pool_id, "phoenix")
    anon.confirm_sign_up(ClientId=client_id, Username="phoenix", ConfirmationCode=code)
    first.kill()

    second = private_servers(first.db_path, first.listen_addr)
    idp2 = idp_client(second.endpoint)
    got = idp2.admin_get_user(UserPoolId=pool_id, Username="phoenix")
    assert got["UserStatus"] == "CONFIRMED"
    assert attrs(got["UserAttributes"])["email_verified"] == "true"
    assert sign_in(idp_client(second.endpoint, signed=False), client_id, "phoenix", PASSWORD)["AccessToken"]
    assert [m["Code"] for m in outbox(second, pool_id, "phoenix")] == [code]
    assert second.stop() == 0


def test_tokens_issued_before_sigkill_stay_valid_after_restart(private_servers):
    first = private_servers()
    idp = idp_client(first.endpoint)
    anon = idp_client(first.endpoint, signed=False)
    pool_id, client_id = make_pool_and_client(idp)
    idp.admin_create_user(UserPoolId=pool_id, Username="keeper", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="keeper", Password=PASSWORD, Permanent=True)
    tokens = sign_in(anon, client_id, "keeper", PASSWORD)
    first.kill()

    second = private_servers(first.db_path, first.listen_addr)
    anon2 = idp_client(second.endpoint, signed=False)
    jwks = requests.get(f"{second.endpoint}/{pool_id}/.well-known/jwks.json", timeout=30).json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(tokens["IdToken"])["kid"]]
    decoded = jwt.decode(
        tokens["IdToken"], key=key, algorithms=["RS256"], audience=client_id, issuer=f"{second.endpoint}/{pool_id}"
    )
    assert decoded["cognito:username"] == "keeper"
    assert anon2.get_user(AccessToken=tokens["AccessToken"])["Username"] == "keeper"
    refreshed = anon2.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
    )["AuthenticationResult"]
    assert refreshed["AccessToken"]
    assert second.stop() == 0


def test_revocation_survives_sigkill(private_servers):
    first = private_servers()
    idp = idp_client(first.endpoint)
    anon = idp_client(first.endpoint, signed=False)
    pool_id, client_id = make_pool_and_client(idp)
    idp.admin_create_user(UserPoolId=pool_id, Username="leaver", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="leaver", Password=PASSWORD, Permanent=True)
    tokens = sign_in(anon, client_id, "leaver", PASSWORD)
    anon.global_sign_out(AccessToken=tokens["AccessToken"])
    first.kill()

    second = private_servers(first.db_path, first.listen_addr)
    anon2 = idp_client(second.endpoint, signed=False)
    with pytest.raises(anon2.exceptions.NotAuthorizedException):
        anon2.get_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(anon2.exceptions.NotAuthorizedException):
        anon2.initiate_auth(
            ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
        )
    assert second.stop() == 0


def test_acknowledged_writes_survive_random_sigkills(tmp_path):
    """A short form of `crash_safety.py` (`make crash-safety` runs 20 trials): 4 workers write
    (SignUp, AdminCreateUser, AdminUpdateUserAttributes), the server is SIGKILLed at a random
    moment, restarted on the same file; nothing acknowledged is lost, integrity_check is ok."""
    seed = random.randrange(2**32)
    lines: list[str] = []
    results = crash_safety.run_trials(3, tmp_path, seed, log=lines.append)
    report = "\n".join(lines)
    problems = [f"trial {r.trial}: {p}" for r in results for p in r.problems]
    assert not problems, f"seed {seed}:\n" + "\n".join(problems) + f"\n{report}"
    assert len(results) == 3, report
    assert all(r.acknowledged > 0 for r in results), f"a trial acknowledged no write before the kill:\n{report}"
