"""Remote connections from the CLI: `pooldesk remote add/list/test/remove` and
`pooldesk call --remote`, against a real `pooldesk serve` over HTTP, with secrets in a real
Secret Service (GNOME Keyring in a private D-Bus session: scripts/test.sh runs the suite under
scripts/with-keyring.sh). boto3, signing with the server's key, checks what landed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import POOLDESK_BIN, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, idp_client, start_pooldesk


class Cli:
    """`pooldesk` with its own connections file; every output is kept to search for secrets."""

    def __init__(self, tmp_path: Path):
        self.connections = tmp_path / "connections.sqlite"
        # Trace-level logs: not even the most verbose logging may carry a secret.
        self.env = dict(os.environ, POOLDESK_CONNECTIONS=str(self.connections), RUST_LOG="trace", NO_COLOR="1")
        self.outputs: list[str] = []

    def run(self, *args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [POOLDESK_BIN, *args], input=stdin, capture_output=True, text=True, env=env or self.env, timeout=60
        )
        self.outputs.append(proc.stdout + proc.stderr)
        return proc

    def ok(self, *args: str, stdin: str | None = None) -> str:
        proc = self.run(*args, stdin=stdin)
        assert proc.returncode == 0, f"pooldesk {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}"
        return proc.stdout

    def fails(self, *args: str, stdin: str | None = None, env: dict | None = None) -> str:
        proc = self.run(*args, stdin=stdin, env=env)
        assert proc.returncode != 0, f"pooldesk {' '.join(args)} should have failed:\n{proc.stdout}"
        return " ".join(proc.stderr.split())  # messages are read as one line, whatever the wrapping

    def add(self, name: str, endpoint: str, key_id: str = ROOT_ACCESS_KEY_ID, *extra: str) -> list[str]:
        return ["remote", "add", name, "--endpoint", endpoint, "--access-key-id", key_id, *extra]


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def keychain_lookup(name: str) -> str | None:
    """The secret the Secret Service holds for a connection, read with libsecret's own tool."""
    proc = subprocess.run(
        ["secret-tool", "lookup", "service", "pooldesk", "username", name], capture_output=True, text=True, timeout=20
    )
    return proc.stdout if proc.returncode == 0 else None


def test_a_remote_server_administered_from_the_cli(server, cli, tmp_path):
    name = unique("lab")
    added = cli.ok(*cli.add(name, server.endpoint), stdin=ROOT_SECRET_ACCESS_KEY + "\n")
    assert f"Added {name} ({server.endpoint})" in added
    assert keychain_lookup(name) == ROOT_SECRET_ACCESS_KEY, "the secret is in the OS keychain"
    listed = cli.ok("remote", "list")
    assert f"{name}\t{server.endpoint}\tus-east-1\t{ROOT_ACCESS_KEY_ID}" in listed

    # Admin operations run remotely, by Cognito's name or the AWS CLI's spelling.
    pool_name = unique("remote-pool")
    pool = json.loads(cli.ok("call", "create-user-pool", json.dumps({"PoolName": pool_name}), "--remote", name))
    pool_id = pool["UserPool"]["Id"]
    user = {"UserPoolId": pool_id, "Username": "rosa", "UserAttributes": [{"Name": "email", "Value": "rosa@example.com"}]}
    cli.ok("call", "AdminCreateUser", "-", "--remote", name, stdin=json.dumps(user))
    taken = cli.fails("call", "AdminCreateUser", json.dumps(user), "--remote", name)
    assert "UsernameExistsException" in taken
    # The outbox, too: the invitation AdminCreateUser sent, read from the remote server.
    outbox = cli.ok("outbox", "--remote", name, "--pool", pool_id)
    assert f"pool={pool_id} user=rosa to=rosa@example.com" in outbox

    # boto3, on the server itself, sees them.
    idp = idp_client(server.endpoint)
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == pool_name
    assert idp.admin_get_user(UserPoolId=pool_id, Username="rosa")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert "the server answered" in cli.ok("remote", "test", name)

    # The secret is nowhere but the keychain: not in the connections file, not in any output.
    for path in tmp_path.iterdir():
        if path.name.startswith("connections.sqlite"):
            assert ROOT_SECRET_ACCESS_KEY.encode() not in path.read_bytes(), f"{path.name} holds the secret"
    assert cli.connections.exists()
    for output in cli.outputs:
        assert ROOT_SECRET_ACCESS_KEY not in output

    removed = cli.ok("remote", "remove", name)
    assert "secret removed from the keychain" in removed
    assert keychain_lookup(name) is None
    assert name not in cli.ok("remote", "list")
    gone = cli.fails("call", "ListUserPools", '{"MaxResults": 1}', "--remote", name)
    assert f'There is no connection named "{name}"' in gone


def test_replacing_a_connection_replaces_its_secret(server, cli):
    name = unique("rotate")
    cli.ok(*cli.add(name, server.endpoint), stdin=ROOT_SECRET_ACCESS_KEY)
    again = cli.fails(*cli.add(name, server.endpoint), stdin=ROOT_SECRET_ACCESS_KEY)
    assert "already exists" in again
    # A second key, made on the server's database while it serves.
    created = cli.ok("keys", "create", "--db", str(server.db_path), "--description", "rotation")
    key = dict(line.split("=", 1) for line in created.split())
    cli.ok(*cli.add(name, server.endpoint, key["AWS_ACCESS_KEY_ID"], "--replace"), stdin=key["AWS_SECRET_ACCESS_KEY"])
    assert keychain_lookup(name) == key["AWS_SECRET_ACCESS_KEY"]
    assert f"\t{key['AWS_ACCESS_KEY_ID']}" in cli.ok("remote", "list")
    assert "UserPools" in cli.ok("call", "ListUserPools", '{"MaxResults": 5}', "--remote", name)
    cli.ok("remote", "remove", name)


def test_each_failure_says_what_is_wrong_and_saves_nothing(server, cli, private_servers, tmp_path):
    wrong = cli.fails(*cli.add(unique("wrong"), server.endpoint), stdin="not-the-secret")
    assert "the secret access key is wrong" in wrong

    unknown = cli.fails(*cli.add(unique("unknown"), server.endpoint, "AKIANOSUCHKEY0000001"), stdin="x")
    assert "does not know the access key id AKIANOSUCHKEY0000001" in unknown

    down = private_servers()
    endpoint = down.endpoint
    down.stop()
    unreachable = cli.fails(*cli.add(unique("down"), endpoint), stdin=ROOT_SECRET_ACCESS_KEY)
    assert f"{endpoint} is unreachable" in unreachable and "refused" in unreachable

    tls = cli.fails(*cli.add(unique("tls"), server.endpoint.replace("http://", "https://")), stdin=ROOT_SECRET_ACCESS_KEY)
    assert "TLS with https://" in tls and "did not answer with TLS" in tls

    invalid = cli.fails(*cli.add("local", server.endpoint), stdin=ROOT_SECRET_ACCESS_KEY)
    assert "reserved for this computer" in invalid

    assert "no remote connections" in cli.ok("remote", "list")


def test_clock_skew_is_named_with_how_far_apart_the_clocks_are(cli, smtp_sink, tmp_path):
    # A real server whose clock runs two hours ahead (libfaketime; monotonic time left alone).
    skewed = start_pooldesk(
        tmp_path / "skewed.sqlite",
        smtp_sink,
        tmp_path / "skewed-logs",
        wrapper=["env", "FAKETIME_DONT_FAKE_MONOTONIC=1", "faketime", "-f", "+2h"],
    )
    try:
        message = cli.fails(*cli.add(unique("skewed"), skewed.endpoint), stdin=ROOT_SECRET_ACCESS_KEY)
    finally:
        skewed.kill()
    assert "Error: Clock skew: the clock of" in message, message
    assert re.search(r"is (1 h 59 min|2 h 0 min) ahead of this computer's", message), message
    assert "no remote connections" in cli.ok("remote", "list")


def test_without_a_keychain_the_cli_says_so_and_saves_nothing(server, cli):
    no_keychain = dict(cli.env, DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    message = cli.fails(*cli.add(unique("nokeychain"), server.endpoint), stdin=ROOT_SECRET_ACCESS_KEY, env=no_keychain)
    assert "The OS keychain is not available" in message
    assert "start a Secret Service" in message
    assert "no remote connections" in cli.ok("remote", "list")


def test_call_runs_on_a_database_file_too(server, cli):
    # Without --remote, the same command works on a database (here the live server's).
    name = unique("local-pool")
    pool = json.loads(cli.ok("call", "CreateUserPool", json.dumps({"PoolName": name}), "--db", str(server.db_path)))
    assert idp_client(server.endpoint).describe_user_pool(UserPoolId=pool["UserPool"]["Id"])["UserPool"]["Name"] == name
    invalid = cli.fails("call", "DescribeUserPool", "{}", "--db", str(server.db_path))
    assert "InvalidParameterException" in invalid
    assert "not a Cognito operation" in cli.fails("call", "drop-everything", "--db", str(server.db_path))
