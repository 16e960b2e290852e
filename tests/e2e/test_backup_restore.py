"""`pooldesk backup` and `pooldesk restore`: a consistent copy of the database taken while the
server runs, and putting it back (server stopped) after checking it is a sound PoolDesk
database sealed under this database's master key.

Each test runs its own PoolDesk on its own database."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from conftest import (
    DEFAULT_AUTH_FLOWS,
    PASSWORD,
    POOLDESK_BIN,
    claims,
    error_code,
    idp_client,
    pooldesk_call,
    sign_in,
    unique_name,
)

# Starts its own servers on SQLite files: run once, in the SQLite pass (the cluster pass,
# POOLDESK_E2E_CLUSTER, leaves it out).
pytestmark = pytest.mark.own_servers

NO_MASTER_KEY_ENV = {"POOLDESK_MASTER_KEY": None, "POOLDESK_MASTER_KEY_FILE": None}


def cli(*args: str) -> subprocess.CompletedProcess:
    """`pooldesk ARGS`, the master key taken from beside the database."""
    env = {k: v for k, v in os.environ.items() if k not in NO_MASTER_KEY_ENV}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [POOLDESK_BIN, *args], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, env=env
    )


def one_line(text: str) -> str:
    return " ".join(text.split())


def start(private_servers, db: Path | None = None, listen: str | None = None):
    return private_servers(db, listen, env=dict(NO_MASTER_KEY_ENV))


def pool_with_client(idp) -> tuple[str, str]:
    pool_id = idp.create_user_pool(PoolName=unique_name("backup"), AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique_name("backup-client"), ExplicitAuthFlows=list(DEFAULT_AUTH_FLOWS)
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def add_user(idp, pool_id: str, username: str) -> None:
    idp.admin_create_user(
        UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def usernames_in(db: Path, pool_id: str) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT username FROM users WHERE pool_id = ?", (pool_id,))}
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def audit_events(server, **request) -> list[dict]:
    status, body = pooldesk_call(server, "ListAuditEvents", request)
    assert status == 200, body
    return body["Events"]


@pytest.fixture
def shop(private_servers, tmp_path):
    """A private server with a pool, an app client and a user `dora` who signed in once."""
    srv = start(private_servers, tmp_path / "db.sqlite")
    idp = idp_client(srv.endpoint)
    pool_id, client_id = pool_with_client(idp)
    add_user(idp, pool_id, "dora")
    tokens = sign_in(idp_client(srv.endpoint, signed=False), client_id, "dora", PASSWORD)
    return SimpleNamespace(
        srv=srv, db=srv.db_path, idp=idp, pool_id=pool_id, client_id=client_id, tokens=tokens,
        sub=claims(tokens["IdToken"])["sub"], private_servers=private_servers,
    )


def test_a_backup_taken_while_the_server_is_busy_is_complete_and_opens(shop, tmp_path):
    """`pooldesk backup` runs while users are created and sign in; those writes keep
    succeeding, and the backup holds every user acknowledged before it began. A server started
    on the backup (with the same master key) serves those users."""
    s = shop
    anon = idp_client(s.srv.endpoint, signed=False)
    stop = threading.Event()
    acknowledged: list[tuple[float, str]] = []
    errors: list[str] = []

    def create_users() -> None:
        n = 0
        while not stop.is_set():
            name = f"busy-{n}"
            try:
                add_user(s.idp, s.pool_id, name)
                acknowledged.append((time.monotonic(), name))
            except Exception as e:  # noqa: BLE001 (any failure is what the test reports)
                errors.append(f"create {name}: {e!r}")
            n += 1

    def sign_ins() -> None:
        while not stop.is_set():
            try:
                sign_in(anon, s.client_id, "dora", PASSWORD)
            except Exception as e:  # noqa: BLE001
                errors.append(f"sign-in: {e!r}")

    workers = [threading.Thread(target=create_users), threading.Thread(target=sign_ins)]
    for w in workers:
        w.start()
    try:
        deadline = time.monotonic() + 15
        while len(acknowledged) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        backup = tmp_path / "backups" / "busy.sqlite"
        backup.parent.mkdir()
        began = time.monotonic()
        made = cli("backup", "--db", str(s.db), str(backup))
        finished = time.monotonic()
        time.sleep(0.5)  # the server keeps working after the backup too
    finally:
        stop.set()
        for w in workers:
            w.join(60)
    assert made.returncode == 0, made.stderr
    assert not errors, errors[:5]
    before = {name for at, name in acknowledged if at < began}
    after = {name for at, name in acknowledged if at > finished}
    assert before, "no user was created before the backup began"
    assert after, "no user was created after the backup: the server stalled"
    assert integrity(backup) == "ok"
    in_backup = usernames_in(backup, s.pool_id)
    assert before | {"dora"} <= in_backup, f"missing from the backup: {sorted(before - in_backup)}"

    copy = tmp_path / "copy" / "db.sqlite"
    copy.parent.mkdir()
    shutil.copyfile(backup, copy)
    shutil.copyfile(f"{s.db}.key", f"{copy}.key")
    srv = start(s.private_servers, copy)
    anon2 = idp_client(srv.endpoint, signed=False)
    some = sorted(before)[0]
    assert sign_in(anon2, s.client_id, some, PASSWORD)["AccessToken"]
    assert claims(sign_in(anon2, s.client_id, "dora", PASSWORD)["IdToken"])["sub"] == s.sub
    assert srv.stop() == 0


def test_restore_brings_back_what_was_deleted_since_the_backup(shop, tmp_path):
    """Backup, delete a user, stop, restore, start: the user signs in again with the same sub,
    tokens from before verify with the same signing key, and what was created after the
    backup is gone (the database is as it was)."""
    s = shop
    backup = tmp_path / "before-delete.sqlite"
    made = cli("backup", "--db", str(s.db), str(backup))
    assert made.returncode == 0, made.stderr
    s.idp.admin_delete_user(UserPoolId=s.pool_id, Username="dora")
    add_user(s.idp, s.pool_id, "latecomer")
    listen = s.srv.listen_addr
    assert s.srv.stop() == 0

    restored = cli("restore", "--db", str(s.db), str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "restored" in restored.stdout

    srv = start(s.private_servers, s.db, listen)
    anon = idp_client(srv.endpoint, signed=False)
    tokens = sign_in(anon, s.client_id, "dora", PASSWORD)
    assert claims(tokens["IdToken"])["sub"] == s.sub
    jwks = requests.get(f"{srv.endpoint}/{s.pool_id}/.well-known/jwks.json", timeout=30).json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(s.tokens["IdToken"])["kid"]]
    old = jwt.decode(s.tokens["IdToken"], key=key, algorithms=["RS256"], audience=s.client_id,
                     issuer=f"{srv.endpoint}/{s.pool_id}")
    assert old["sub"] == s.sub
    with pytest.raises(ClientError) as e:
        idp_client(srv.endpoint).admin_get_user(UserPoolId=s.pool_id, Username="latecomer")
    assert error_code(e.value) == "UserNotFoundException"
    assert srv.stop() == 0


def test_restore_refuses_a_backup_of_another_database(shop, tmp_path):
    """A backup of another PoolDesk (sealed under its own master key) is refused, naming the
    master key, and the database is left as it was."""
    s = shop
    other = tmp_path / "other" / "db.sqlite"
    made_other = cli("call", "--db", str(other), "create-user-pool", json.dumps({"PoolName": "elsewhere"}))
    assert made_other.returncode == 0, made_other.stderr
    foreign = tmp_path / "other.bak"
    assert cli("backup", "--db", str(other), str(foreign)).returncode == 0
    listen = s.srv.listen_addr
    assert s.srv.stop() == 0

    refused = cli("restore", "--db", str(s.db), str(foreign))
    assert refused.returncode != 0, refused.stdout
    assert "master key" in one_line(refused.stderr), refused.stderr

    srv = start(s.private_servers, s.db, listen)
    assert claims(sign_in(idp_client(srv.endpoint, signed=False), s.client_id, "dora", PASSWORD)["IdToken"])["sub"] == s.sub
    pools = idp_client(srv.endpoint).list_user_pools(MaxResults=60)["UserPools"]
    assert [p["Id"] for p in pools] == [s.pool_id], "nothing of the foreign backup came in"
    assert srv.stop() == 0


def test_restore_refuses_files_that_are_not_pooldesk_backups(shop, tmp_path):
    """Random bytes, an SQLite file of another program and a missing file are all refused;
    the database still works afterwards."""
    s = shop
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(64 * 1024))
    plain = tmp_path / "notes.sqlite"
    conn = sqlite3.connect(plain)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('hello')")
    conn.commit()
    conn.close()
    listen = s.srv.listen_addr
    assert s.srv.stop() == 0

    for bad in (junk, plain, tmp_path / "no-such-backup.sqlite"):
        refused = cli("restore", "--db", str(s.db), str(bad))
        assert refused.returncode != 0, f"{bad.name} was restored: {refused.stdout}"
        assert "restored" not in refused.stdout

    srv = start(s.private_servers, s.db, listen)
    assert claims(sign_in(idp_client(srv.endpoint, signed=False), s.client_id, "dora", PASSWORD)["IdToken"])["sub"] == s.sub
    assert srv.stop() == 0


def test_refusing_a_junk_backup_says_the_backup_is_at_fault(shop, tmp_path):
    """The message for a junk file names the backup file, so an operator is not led to think
    their own database is damaged."""
    s = shop
    junk = tmp_path / "junk-backup.bin"
    junk.write_bytes(os.urandom(64 * 1024))
    assert s.srv.stop() == 0
    refused = cli("restore", "--db", str(s.db), str(junk))
    assert refused.returncode != 0
    assert "junk-backup.bin" in one_line(refused.stderr), refused.stderr.splitlines()[:3]


def test_backup_never_overwrites_an_existing_file(shop, tmp_path):
    """A backup to a path that exists fails and leaves that file alone."""
    s = shop
    target = tmp_path / "precious.sqlite"
    target.write_bytes(b"someone else's file")
    refused = cli("backup", "--db", str(s.db), str(target))
    assert refused.returncode != 0, refused.stdout
    assert "exists" in one_line(refused.stderr), refused.stderr
    assert target.read_bytes() == b"someone else's file"


def test_backup_and_restore_are_in_the_audit_log(shop, tmp_path):
    """Backups and restores are recorded as the `cli` actor from `local`, with the file."""
    s = shop
    backup = tmp_path / "audited.sqlite"
    assert cli("backup", "--db", str(s.db), str(backup)).returncode == 0
    newest = audit_events(s.srv, MaxResults=1)[0]
    assert (newest["Actor"], newest["Source"], newest["Operation"], newest["Outcome"]) == (
        "cli", "local", "PoolDesk.Backup", "OK"
    ), newest
    assert str(backup) in newest["Resource"], newest
    assert s.srv.stop() == 0

    assert cli("restore", "--db", str(s.db), str(backup)).returncode == 0
    shown = cli("audit", "--db", str(s.db), "--actor", "cli", "--limit", "1")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.strip().splitlines()
    assert len(lines) == 1, shown.stdout
    fields = lines[0].split("\t")
    assert fields[1:5] == ["cli", "local", "PoolDesk.Restore", "OK"], fields
    assert str(backup) in fields[5], fields
