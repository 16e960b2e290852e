"""The audit log: every signed admin operation that changes something is recorded (who: the
signing access key, from where, which operation, on what, how it ended), never its secrets;
reads are not. CLI actions are recorded as `cli` from `local`. Read it with the signed
`PoolDesk.ListAuditEvents` operation or `pooldesk audit`.

Tests that need a log of their own run a private PoolDesk; the session server is shared."""

from __future__ import annotations

import email.utils
import json
import os
import re
import subprocess
import time

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import (
    DEFAULT_AUTH_FLOWS,
    OTHER_PASSWORD,
    PASSWORD,
    POOLDESK_BIN,
    REGION,
    ROOT_ACCESS_KEY_ID,
    ROOT_SECRET_ACCESS_KEY,
    _config,
    error_code,
    idp_client,
    pooldesk_call,
    secret_hash,
    signed_post,
    unique_name,
    unsigned_post,
)
from identity_helpers import ci_client

KEY_RE = re.compile(r"AWS_ACCESS_KEY_ID=(AKIA[A-Z0-9]{16})")
SECRET_RE = re.compile(r"AWS_SECRET_ACCESS_KEY=(\S{40})")
IDP = "AWSCognitoIdentityProviderService."
TEMP_PASSWORD = "Tempor4ry-Pass!"
NO_MASTER_KEY_ENV = {"POOLDESK_MASTER_KEY": None, "POOLDESK_MASTER_KEY_FILE": None}


def cli(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in NO_MASTER_KEY_ENV}
    base["NO_COLOR"] = "1"
    return subprocess.run(
        [POOLDESK_BIN, *args], capture_output=True, text=True, timeout=60, input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL, env={**base, **(env or {})},
    )


def events(server, **request) -> list[dict]:
    status, body = pooldesk_call(server, "ListAuditEvents", request)
    assert status == 200, body
    return body["Events"]


def all_events(server, **request) -> list[dict]:
    return events(server, MaxResults=1000, **request)


def newest_id(server) -> int:
    got = events(server, MaxResults=1)
    return got[0]["Id"] if got else 0


def since(server, last_id: int) -> list[dict]:
    """Events recorded after the one with id `last_id`, oldest first."""
    return list(reversed([e for e in all_events(server) if e["Id"] > last_id]))


def client_with(endpoint: str, key_id: str, secret: str):
    return boto3.session.Session().client(
        "cognito-idp", region_name=REGION, endpoint_url=endpoint,
        aws_access_key_id=key_id, aws_secret_access_key=secret, config=_config(),
    )


@pytest.fixture
def audited(private_servers):
    """A private server (a log of its own) and a root-signed boto3 client for it."""
    srv = private_servers(env=dict(NO_MASTER_KEY_ENV))
    return srv, idp_client(srv.endpoint)


# ---------------------------------------------------------------------------------------------
# What is recorded
# ---------------------------------------------------------------------------------------------


def test_admin_changes_are_recorded_with_who_what_where_and_outcome(audited):
    """Creating a pool, a client and a user, and a failed create, each leave one event: the
    signing key as actor, 127.0.0.1 as source, the full X-Amz-Target, the ids concerned
    (including the ids a create returned) and OK or the error's name; newest first."""
    srv, idp = audited
    before_ms = int(time.time() * 1000) - 1000
    pool_name = unique_name("audited")
    pool_id = idp.create_user_pool(PoolName=pool_name)["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as e:
        idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    assert error_code(e.value) == "UsernameExistsException"
    idp.admin_delete_user(UserPoolId=pool_id, Username="alice")
    after_ms = int(time.time() * 1000) + 1000

    got = all_events(srv)
    assert [e["Operation"] for e in got] == [
        IDP + "AdminDeleteUser",
        IDP + "AdminCreateUser",
        IDP + "AdminCreateUser",
        IDP + "CreateUserPoolClient",
        IDP + "CreateUserPool",
    ], got
    ids = [e["Id"] for e in got]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    for event in got:
        assert event["Actor"] == ROOT_ACCESS_KEY_ID, event
        assert event["Source"] == "127.0.0.1", event
        assert before_ms <= event["Time"] <= after_ms, event
    deleted, failed, created_user, created_client, created_pool = got
    assert f"UserPoolId={pool_id}" in created_pool["Resource"] and f"PoolName={pool_name}" in created_pool["Resource"]
    assert f"UserPoolId={pool_id}" in created_client["Resource"] and f"ClientId={client_id}" in created_client["Resource"]
    assert created_user["Resource"] == f"UserPoolId={pool_id}, Username=alice"
    assert deleted["Resource"] == f"UserPoolId={pool_id}, Username=alice"
    assert [created_pool["Outcome"], created_client["Outcome"], created_user["Outcome"], deleted["Outcome"]] == ["OK"] * 4
    assert failed["Outcome"] == "UsernameExistsException", failed


def test_identity_pool_changes_are_recorded_too(audited):
    """cognito-identity admin operations are recorded like cognito-idp's, with the new id."""
    srv, _ = audited
    ci = ci_client(srv.endpoint)
    name = unique_name("audited_ids").replace("-", "_")
    created = ci.create_identity_pool(IdentityPoolName=name, AllowUnauthenticatedIdentities=True)
    newest = events(srv, MaxResults=1)[0]
    assert newest["Operation"] == "AWSCognitoIdentityService.CreateIdentityPool", newest
    assert f"IdentityPoolId={created['IdentityPoolId']}" in newest["Resource"], newest
    assert newest["Actor"] == ROOT_ACCESS_KEY_ID and newest["Outcome"] == "OK", newest


def test_reads_and_public_operations_are_not_recorded(audited):
    """Describe/Get/List calls (a dashboard polling) and app users' own public operations add
    nothing to the admin log."""
    srv, idp = audited
    pool_id = idp.create_user_pool(PoolName=unique_name("quiet"), AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=list(DEFAULT_AUTH_FLOWS)
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="reader", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="reader", Password=PASSWORD, Permanent=True)
    idp.create_group(UserPoolId=pool_id, GroupName="staff")
    last = newest_id(srv)

    idp.describe_user_pool(UserPoolId=pool_id)
    idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    idp.list_user_pools(MaxResults=10)
    idp.list_user_pool_clients(UserPoolId=pool_id)
    idp.list_users(UserPoolId=pool_id)
    idp.admin_get_user(UserPoolId=pool_id, Username="reader")
    idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="reader")
    idp.get_group(UserPoolId=pool_id, GroupName="staff")
    idp.list_groups(UserPoolId=pool_id)
    idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert pooldesk_call(srv, "ListMessages", {"UserPoolId": pool_id})[0] == 200
    events(srv, MaxResults=5)
    anon = idp_client(srv.endpoint, signed=False)
    tokens = anon.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "reader", "PASSWORD": PASSWORD}
    )["AuthenticationResult"]
    anon.get_user(AccessToken=tokens["AccessToken"])
    anon.sign_up(ClientId=client_id, Username="newcomer", Password=PASSWORD,
                 UserAttributes=[{"Name": "email", "Value": "newcomer@example.com"}])

    assert since(srv, last) == []


def test_no_secret_ever_reaches_the_log(audited, tmp_path):
    """Passwords (temporary or not), client secrets and tokens passed to or returned by admin
    operations appear in no event, over the API or in `pooldesk audit`."""
    srv, idp = audited
    pool_id = idp.create_user_pool(PoolName=unique_name("secretive"))["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="backend", GenerateSecret=True, ExplicitAuthFlows=list(DEFAULT_AUTH_FLOWS)
    )["UserPoolClient"]
    idp.admin_create_user(UserPoolId=pool_id, Username="carol", TemporaryPassword=TEMP_PASSWORD, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="carol", Password=OTHER_PASSWORD, Permanent=True)
    tokens = idp.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "carol", "PASSWORD": OTHER_PASSWORD,
                        "SECRET_HASH": secret_hash("carol", client["ClientId"], client["ClientSecret"])},
    )["AuthenticationResult"]

    recorded = json.dumps(all_events(srv))
    assert IDP + "AdminSetUserPassword" in recorded and IDP + "AdminInitiateAuth" in recorded
    shown = cli("audit", "--db", str(srv.db_path), "--limit", "1000")
    assert shown.returncode == 0, shown.stderr
    for text, where in ((recorded, "ListAuditEvents"), (shown.stdout, "pooldesk audit")):
        for secret in (TEMP_PASSWORD, OTHER_PASSWORD, client["ClientSecret"], ROOT_SECRET_ACCESS_KEY,
                       tokens["AccessToken"], tokens["RefreshToken"], tokens["IdToken"]):
            assert secret not in text, f"a secret ({secret[:6]}...) is in {where}"


# ---------------------------------------------------------------------------------------------
# Reading the log
# ---------------------------------------------------------------------------------------------


def test_events_can_be_filtered_by_actor(audited):
    """Each access key's actions can be listed alone: a second key's, the root key's, the CLI's."""
    srv, idp = audited
    created = cli("keys", "create", "--db", str(srv.db_path), "--description", "deploy bot")
    assert created.returncode == 0, created.stderr
    key_id, secret = KEY_RE.search(created.stdout).group(1), SECRET_RE.search(created.stdout).group(1)
    bot = client_with(srv.endpoint, key_id, secret)
    bot_pool = bot.create_user_pool(PoolName=unique_name("bot"))["UserPool"]["Id"]
    bot.create_group(UserPoolId=bot_pool, GroupName="robots")
    root_pool = idp.create_user_pool(PoolName=unique_name("root"))["UserPool"]["Id"]

    by_bot = events(srv, Actor=key_id)
    assert [e["Operation"] for e in by_bot] == [IDP + "CreateGroup", IDP + "CreateUserPool"], by_bot
    assert all(e["Actor"] == key_id for e in by_bot)
    assert f"UserPoolId={bot_pool}" in by_bot[1]["Resource"]
    by_root = events(srv, Actor=ROOT_ACCESS_KEY_ID)
    assert by_root and all(e["Actor"] == ROOT_ACCESS_KEY_ID for e in by_root)
    assert any(f"UserPoolId={root_pool}" in e["Resource"] for e in by_root)
    by_cli = events(srv, Actor="cli")
    assert [(e["Operation"], e["Source"], e["Outcome"]) for e in by_cli] == [("PoolDesk.CreateAccessKey", "local", "OK")]
    assert key_id in by_cli[0]["Resource"] and secret not in json.dumps(by_cli)
    assert events(srv, Actor="AKIANOBODY0000000000") == []


def test_paging_with_next_token_walks_the_whole_log_once(audited):
    """MaxResults pages through the log newest first; following NextToken gives every event
    exactly once, the same as one big page."""
    srv, idp = audited
    pool_id = idp.create_user_pool(PoolName=unique_name("paged"))["UserPool"]["Id"]
    for n in range(9):
        idp.create_group(UserPoolId=pool_id, GroupName=f"g{n}")
    everything = [e["Id"] for e in all_events(srv)]
    assert len(everything) == 10

    walked: list[int] = []
    token = None
    for _ in range(20):
        request = {"MaxResults": 3, **({"NextToken": token} if token else {})}
        status, body = pooldesk_call(srv, "ListAuditEvents", request)
        assert status == 200, body
        assert len(body["Events"]) <= 3
        walked += [e["Id"] for e in body["Events"]]
        token = body.get("NextToken")
        if not token:
            break
    assert walked == everything

    # The actor filter pages the same way.
    status, first = pooldesk_call(srv, "ListAuditEvents", {"Actor": ROOT_ACCESS_KEY_ID, "MaxResults": 4})
    assert status == 200 and first["NextToken"], first
    status, second = pooldesk_call(
        srv, "ListAuditEvents", {"Actor": ROOT_ACCESS_KEY_ID, "MaxResults": 4, "NextToken": first["NextToken"]}
    )
    assert status == 200, second
    assert [e["Id"] for e in first["Events"] + second["Events"]] == everything[:8]


@pytest.mark.parametrize("bad", [{"MaxResults": 0}, {"MaxResults": 1001}, {"NextToken": "not-a-token"}])
def test_bad_list_requests_are_invalid_parameter(server, bad):
    status, body = pooldesk_call(server, "ListAuditEvents", bad)
    assert status == 400 and body.get("__type") == "InvalidParameterException", (status, body)


def test_the_log_is_for_admins_only(server):
    """Unsigned, or signed with a key the server does not know, the log is not shown."""
    unsigned = unsigned_post(server.endpoint, "PoolDesk.ListAuditEvents", b"{}")
    assert unsigned.status_code == 400, unsigned.text
    assert unsigned.json()["__type"] == "MissingAuthenticationTokenException", unsigned.text
    assert "Events" not in unsigned.json()
    forged = signed_post(server.endpoint, "PoolDesk.ListAuditEvents", b"{}", access_key="AKIANOSUCHKEY0000000",
                         secret_key=ROOT_SECRET_ACCESS_KEY)
    assert forged.status_code in (400, 403), forged.text
    assert "Events" not in forged.json()


# ---------------------------------------------------------------------------------------------
# The CLI
# ---------------------------------------------------------------------------------------------


def test_pooldesk_audit_shows_cli_calls_as_the_cli_actor(audited):
    """`pooldesk call --db` (here while the server runs) is recorded as `cli` from `local`;
    `pooldesk audit --db` prints one tab-separated line per event (time, actor, source,
    operation, outcome, resource), newest first, filtered by --actor and cut by --limit."""
    srv, idp = audited
    idp.create_user_pool(PoolName=unique_name("by-key"))
    name = unique_name("by-cli")
    made = cli("call", "--db", str(srv.db_path), "create-user-pool", json.dumps({"PoolName": name}))
    assert made.returncode == 0, made.stderr
    pool_id = json.loads(made.stdout)["UserPool"]["Id"]

    shown = cli("audit", "--db", str(srv.db_path))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.strip().splitlines()
    assert len(lines) == 2, shown.stdout
    when, actor, source, operation, outcome, resource = lines[0].split("\t")
    assert (actor, source, operation, outcome) == ("cli", "local", IDP + "CreateUserPool", "OK"), lines[0]
    assert f"UserPoolId={pool_id}" in resource and f"PoolName={name}" in resource, resource
    stamp = email.utils.parsedate_to_datetime(when).timestamp()
    assert abs(stamp - time.time()) < 120, when
    assert lines[1].split("\t")[1:3] == [ROOT_ACCESS_KEY_ID, "127.0.0.1"], lines[1]

    only_root = cli("audit", "--db", str(srv.db_path), "--actor", ROOT_ACCESS_KEY_ID)
    assert only_root.returncode == 0, only_root.stderr
    assert [line.split("\t")[1] for line in only_root.stdout.strip().splitlines()] == [ROOT_ACCESS_KEY_ID]
    limited = cli("audit", "--db", str(srv.db_path), "--limit", "1")
    assert limited.stdout.strip().splitlines() == lines[:1]
    # The server sees what the CLI did.
    assert events(srv, MaxResults=1)[0]["Actor"] == "cli"


def test_cli_key_management_is_recorded(audited):
    """`pooldesk keys create` and `keys delete` are recorded as `cli` with the key's id, never
    its secret."""
    srv, _ = audited
    created = cli("keys", "create", "--db", str(srv.db_path), "--description", "temp")
    key_id, secret = KEY_RE.search(created.stdout).group(1), SECRET_RE.search(created.stdout).group(1)
    deleted = cli("keys", "delete", key_id, "--db", str(srv.db_path))
    assert deleted.returncode == 0, deleted.stderr
    got = events(srv, Actor="cli")
    assert [(e["Operation"], e["Outcome"]) for e in got] == [
        ("PoolDesk.DeleteAccessKey", "OK"), ("PoolDesk.CreateAccessKey", "OK")
    ], got
    assert all(key_id in e["Resource"] and e["Source"] == "local" for e in got)
    assert secret not in json.dumps(got)


def test_pooldesk_audit_reads_a_remote_servers_log(audited, tmp_path):
    """`pooldesk audit --remote NAME` shows the log of a server reached over HTTP."""
    srv, idp = audited
    pool_id = idp.create_user_pool(PoolName=unique_name("remote-audit"))["UserPool"]["Id"]
    env = {"POOLDESK_CONNECTIONS": str(tmp_path / "connections.sqlite")}
    name = f"audit-{os.getpid()}-{time.monotonic_ns() % 100000}"
    added = cli("remote", "add", name, "--endpoint", srv.endpoint, "--access-key-id", ROOT_ACCESS_KEY_ID,
                env=env, stdin=ROOT_SECRET_ACCESS_KEY + "\n")
    assert added.returncode == 0, added.stderr
    try:
        shown = cli("audit", "--remote", name, "--limit", "5", env=env)
        assert shown.returncode == 0, shown.stderr
        first = shown.stdout.strip().splitlines()[0].split("\t")
        assert first[1:5] == [ROOT_ACCESS_KEY_ID, "127.0.0.1", IDP + "CreateUserPool", "OK"], first
        assert f"UserPoolId={pool_id}" in first[5]
    finally:
        cli("remote", "remove", name, env=env)
