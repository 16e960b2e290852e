"""`pooldesk migrate`: a whole installation moves from SQLite to PostgreSQL and back, and
afterwards its users sign in with the passwords they had, its sessions and pending codes go on
working, and tokens issued before the move are still accepted (the pools' keys moved with it)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from cluster import fresh_database, start_cluster
from conftest import PASSWORD, POOLDESK_BIN, error_code, idp_client, latest_code, pooldesk_call, start_pooldesk
from identity_helpers import ci_client

# Starts its own servers and databases: run once, in the first pass.
pytestmark = pytest.mark.own_servers

USERS = 12


def migrate(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLDESK_MASTER_KEY")}
    return subprocess.run([POOLDESK_BIN, "migrate", *args], capture_output=True, text=True, timeout=300, env=env)


def test_an_installation_moves_to_postgres_and_back(private_servers, smtp_sink, tmp_path: Path):
    source = private_servers()
    idp, anon = idp_client(source.endpoint), idp_client(source.endpoint, signed=False)
    pool_id = idp.create_user_pool(PoolName="moving", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.create_group(UserPoolId=pool_id, GroupName="staff")
    for i in range(USERS):
        idp.admin_create_user(UserPoolId=pool_id, Username=f"u{i}", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"u{i}@example.com"}, {"Name": "email_verified", "Value": "true"}])
        idp.admin_set_user_password(UserPoolId=pool_id, Username=f"u{i}", Password=f"{PASSWORD}{i}", Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="u0", GroupName="staff")
    before = anon.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "u1", "PASSWORD": f"{PASSWORD}1"})
    anon.sign_up(ClientId=client_id, Username="pending", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "p@example.com"}])
    code = latest_code(source, pool_id, "pending")
    ci = ci_client(source.endpoint)
    identity_pool = ci.create_identity_pool(IdentityPoolName="moving", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    identity = ci_client(source.endpoint, signed=False).get_id(IdentityPoolId=identity_pool)["IdentityId"]
    assert source.stop() == 0

    # SQLite -> PostgreSQL, its key in a new file the servers are then given.
    database = fresh_database("migrate")
    key_file = tmp_path / "postgres.key"
    moved = migrate("--from", str(source.db_path), "--to", database, "--to-key-file", str(key_file))
    assert moved.returncode == 0, moved.stderr
    assert f"{USERS + 1} users" in moved.stdout and "checked:" in moved.stdout, moved.stdout
    again = migrate("--from", str(source.db_path), "--to", database, "--to-key-file", str(key_file))
    assert again.returncode != 0 and "not empty" in again.stderr, "a second copy into the same database is refused"

    # The installation keeps its public URL (the issuer its tokens name).
    cluster = start_cluster(start_pooldesk, smtp_sink, tmp_path / "cluster", database=database,
                            master_key=key_file.read_text().strip(), public_url=source.endpoint)
    try:
        idp, anon = idp_client(cluster.endpoint), idp_client(cluster.endpoint, signed=False)
        for i in (0, 5, USERS - 1):
            signed_in = anon.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                           AuthParameters={"USERNAME": f"u{i}", "PASSWORD": f"{PASSWORD}{i}"})
            assert "AuthenticationResult" in signed_in, f"u{i} signs in with the password it had"
        with pytest.raises(ClientError) as wrong:
            anon.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "u2", "PASSWORD": PASSWORD})
        assert error_code(wrong.value) == "NotAuthorizedException"
        # Tokens and sessions from before the move.
        assert anon.get_user(AccessToken=before["AuthenticationResult"]["AccessToken"])["Username"] == "u1"
        refreshed = anon.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                       AuthParameters={"REFRESH_TOKEN": before["AuthenticationResult"]["RefreshToken"]})
        assert "AccessToken" in refreshed["AuthenticationResult"]
        anon.confirm_sign_up(ClientId=client_id, Username="pending", ConfirmationCode=code)
        assert [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="u0")["Groups"]] == ["staff"]
        assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == USERS + 1
        assert ci_client(cluster.endpoint).describe_identity(IdentityId=identity)["IdentityId"] == identity
        status, messages = pooldesk_call(cluster, "ListMessages", {"UserPoolId": pool_id})
        assert status == 200 and any(m["Username"] == "pending" for m in messages["Messages"])
        status, audit = pooldesk_call(cluster, "ListAuditEvents", {"MaxResults": 1000})
        operations = [e["Operation"] for e in audit["Events"]]
        assert "PoolDesk.Migrate" in operations and any(o.endswith("CreateUserPool") for o in operations), "the audit log moved too"
    finally:
        cluster.stop()

    # And back to a new SQLite file.
    back = tmp_path / "back.sqlite"
    returned = migrate("--from", database, "--from-key-file", str(key_file), "--to", str(back))
    assert returned.returncode == 0, returned.stderr
    assert migrate("--from", database, "--from-key-file", str(key_file), "--to", str(back)).returncode != 0, "an existing file is not overwritten"
    home = private_servers(db_path=back)
    anon = idp_client(home.endpoint, signed=False)
    signed_in = anon.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "pending", "PASSWORD": PASSWORD})
    assert "AuthenticationResult" in signed_in, "the user confirmed on PostgreSQL signs in on the SQLite copy"
