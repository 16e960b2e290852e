"""Admin access keys: the root key generated on first start, and `pooldesk keys create|list|delete`
working on the live server's database."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import LISTEN_RE, POOLDESK_BIN, REGION, _config, error_code

KEY_RE = re.compile(r"AWS_ACCESS_KEY_ID=(AKIA[A-Z0-9]{16})")
SECRET_RE = re.compile(r"AWS_SECRET_ACCESS_KEY=(\S{40})")


def keys(db, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [POOLDESK_BIN, "keys", *args, "--db", str(db)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )


def client_with(endpoint: str, key_id: str, secret: str):
    return boto3.session.Session().client(
        "cognito-idp", region_name=REGION, endpoint_url=endpoint,
        aws_access_key_id=key_id, aws_secret_access_key=secret, config=_config(),
    )


def test_created_key_signs_admin_calls_until_deleted(server):
    created = keys(server.db_path, "create", "--description", "ci key")
    assert created.returncode == 0, created.stderr
    key_id = KEY_RE.search(created.stdout).group(1)
    secret = SECRET_RE.search(created.stdout).group(1)

    idp = client_with(server.endpoint, key_id, secret)
    assert "UserPools" in idp.list_user_pools(MaxResults=1)

    listed = keys(server.db_path, "list")
    assert listed.returncode == 0, listed.stderr
    assert key_id in listed.stdout and "ci key" in listed.stdout
    assert secret not in listed.stdout, "list must never print secrets"

    deleted = keys(server.db_path, "delete", key_id)
    assert deleted.returncode == 0, deleted.stderr
    with pytest.raises(ClientError) as e:
        idp.list_user_pools(MaxResults=1)
    assert error_code(e.value) == "UnrecognizedClientException"


def test_deleting_an_unknown_key_fails_clearly(server):
    proc = keys(server.db_path, "delete", "AKIANOSUCHKEY0000000")
    assert proc.returncode != 0
    assert "AKIANOSUCHKEY0000000" in proc.stderr


def start_without_root_key(db, tmp_path):
    """`pooldesk serve` with no POOLDESK_ROOT_* variables; returns (proc, stdout lines, endpoint)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLDESK_ROOT_")}
    env["RUST_LOG"] = "warn"
    proc = subprocess.Popen(
        [POOLDESK_BIN, "serve", "--db", str(db), "--listen", "127.0.0.1:0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
    )
    lines: list[str] = []
    ready = threading.Event()
    endpoint: list[str] = []

    def pump() -> None:
        for line in iter(proc.stdout.readline, ""):
            lines.append(line)
            m = LISTEN_RE.search(line)
            if m and not endpoint:
                endpoint.append(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    ready.wait(20)
    assert endpoint, f"server did not start: {lines}"
    return proc, lines, endpoint[0]


def stop(proc) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(20)


def test_first_start_generates_prints_and_keeps_a_root_key(tmp_path):
    db = tmp_path / "fresh.sqlite"
    proc, lines, endpoint = start_without_root_key(db, tmp_path)
    try:
        out = "".join(lines)
        key_id = KEY_RE.search(out).group(1)
        secret = SECRET_RE.search(out).group(1)
        assert "UserPools" in client_with(endpoint, key_id, secret).list_user_pools(MaxResults=1)
    finally:
        assert stop(proc) == 0

    proc, lines, endpoint = start_without_root_key(db, tmp_path)
    try:
        assert not KEY_RE.search("".join(lines)), "the root key is printed only on first start"
        assert "UserPools" in client_with(endpoint, key_id, secret).list_user_pools(MaxResults=1)
    finally:
        assert stop(proc) == 0


def test_session_credentials_of_a_key_stop_with_the_key(server):
    created = keys(server.db_path, "create", "--description", "session key")
    assert created.returncode == 0, created.stderr
    key_id, secret = KEY_RE.search(created.stdout).group(1), SECRET_RE.search(created.stdout).group(1)
    sts = boto3.session.Session().client(
        "sts", region_name=REGION, endpoint_url=server.endpoint, aws_access_key_id=key_id, aws_secret_access_key=secret, config=_config()
    )
    creds = sts.get_session_token(DurationSeconds=900)["Credentials"]
    session = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"]
    )
    idp = session.client("cognito-idp", region_name=REGION, endpoint_url=server.endpoint, config=_config())
    assert "UserPools" in idp.list_user_pools(MaxResults=1), "they act as the key"

    assert keys(server.db_path, "delete", key_id).returncode == 0
    with pytest.raises(ClientError) as e:
        idp.list_user_pools(MaxResults=1)
    assert error_code(e.value) == "UnrecognizedClientException", "and end when it is deleted"
