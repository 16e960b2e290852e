"""Secrets at rest: signing keys, app client secrets, admin key secrets, server secrets and TOTP
seeds are sealed (AES-256-GCM) under a master key kept outside the database, so a copied
database file gives none of them away. The key comes from POOLDESK_MASTER_KEY, else
POOLDESK_MASTER_KEY_FILE, else `<db>.key` beside the database; `pooldesk keys rotate-master`
re-seals everything under a new one.

Each test runs its own PoolDesk (the shared session server is not stopped or re-keyed)."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import stat
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import boto3
import jwt
import pyotp
import pytest
import requests

from conftest import (
    DEFAULT_AUTH_FLOWS,
    PASSWORD,
    POOLDESK_BIN,
    REGION,
    ROOT_SECRET_ACCESS_KEY,
    _config,
    idp_client,
    secret_hash,
    unique_name,
)

# Starts its own servers on SQLite files: run once, in the SQLite pass (the cluster pass,
# POOLDESK_E2E_CLUSTER, leaves it out).
pytestmark = pytest.mark.own_servers

KEY_RE = re.compile(r"AWS_ACCESS_KEY_ID=(AKIA[A-Z0-9]{16})")
SECRET_RE = re.compile(r"AWS_SECRET_ACCESS_KEY=(\S{40})")
RESEALED_RE = re.compile(r"re-sealed (\d+) secrets")
BLOB_MAGIC = b"\0PDS1"
TEXT_PREFIX = "sealed1:"
TOTP_STEP = 30
# The start of a private key in DER, whatever holds it: PKCS#8 RSA, PKCS#8 EC, PKCS#1 RSA.
PRIVATE_KEY_DER = [
    re.compile(re.escape(bytes.fromhex("020100300d06092a864886f70d0101010500")), re.S),
    re.compile(re.escape(bytes.fromhex("020100301306072a8648ce3d0201")), re.S),
    re.compile(b"\x02\x01\x00\x02\x82..\x00", re.S),
]
# The variables that pick the master key: removed unless a test sets them, whatever the
# environment running the suite says.
NO_MASTER_KEY_ENV = {"POOLDESK_MASTER_KEY": None, "POOLDESK_MASTER_KEY_FILE": None}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def pooldesk_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NO_MASTER_KEY_ENV}
    env["NO_COLOR"] = "1"
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def cli(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    """`pooldesk ARGS` with the master key variables given here (and no others)."""
    return subprocess.run(
        [POOLDESK_BIN, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env=pooldesk_env(**env),
    )


def serve_refused(db: Path, **env: str | None) -> str:
    """Runs `pooldesk serve` on `db`, expecting it to refuse to start; its output, on one line."""
    proc = subprocess.Popen(
        [POOLDESK_BIN, "serve", "--db", str(db), "--listen", "127.0.0.1:0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=pooldesk_env(**env),
    )
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=10)
        pytest.fail(f"pooldesk serve kept running on a database it should refuse:\n{out}\n{err}")
    assert proc.returncode != 0, f"pooldesk serve exited 0 on a database it should refuse:\n{out}\n{err}"
    return " ".join((out + err).split())


def file_bytes(db: Path) -> bytes:
    """The database file and its WAL, as a thief who copies the directory would get them."""
    data = b""
    for path in (db, Path(f"{db}-wal")):
        if path.exists():
            data += path.read_bytes()
    return data


def key_file(db: Path) -> Path:
    return Path(f"{db}.key")


def new_key_text() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def totp_step_now(margin: float = 3.0) -> int:
    """The current TOTP step, once at least `margin` seconds of it are left (so the server sees
    the same step); waits for the next step when it must."""
    while True:
        now = time.time()
        left = TOTP_STEP - (now % TOTP_STEP)
        if left > margin:
            return int(now) // TOTP_STEP
        time.sleep(left + 0.1)


def code_at(totp: pyotp.TOTP, step: int) -> str:
    return totp.at(step * TOTP_STEP)


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def sealed_values(db: Path) -> list[tuple]:
    """Every sealed value in the database, to see whether something re-sealed them."""
    return (
        rows(db, "SELECT kid, private_der FROM signing_keys ORDER BY kid")
        + rows(db, "SELECT name, value FROM server_secrets ORDER BY name")
        + rows(db, "SELECT client_id, secret FROM user_pool_clients ORDER BY client_id")
        + rows(db, "SELECT id, secret FROM access_keys ORDER BY id")
        + rows(db, "SELECT id, data FROM users ORDER BY id")
    )


def totp_values(data: object) -> dict[str, str]:
    """Every `totp_secret` / `pending_totp_secret` member anywhere in a user's stored JSON."""
    found: dict[str, str] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            if k in ("totp_secret", "pending_totp_secret") and isinstance(v, str):
                found[k] = v
            else:
                found.update(totp_values(v))
    elif isinstance(data, list):
        for item in data:
            found.update(totp_values(item))
    return found


def admin_client(endpoint: str, key_id: str, secret: str):
    return boto3.session.Session().client(
        "cognito-idp", region_name=REGION, endpoint_url=endpoint,
        aws_access_key_id=key_id, aws_secret_access_key=secret, config=_config(),
    )


def jwks_kids(endpoint: str, pool_id: str) -> list[str]:
    jwks = requests.get(f"{endpoint}/{pool_id}/.well-known/jwks.json", timeout=30).json()
    return sorted(k["kid"] for k in jwks["keys"])


def verify_id_token(endpoint: str, pool_id: str, client_id: str, token: str) -> dict:
    jwks = requests.get(f"{endpoint}/{pool_id}/.well-known/jwks.json", timeout=30).json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(token, key=key, algorithms=["RS256"], audience=client_id, issuer=f"{endpoint}/{pool_id}")


def start(private_servers, db: Path, listen: str | None = None, **env: str | None):
    return private_servers(db, listen, env={**NO_MASTER_KEY_ENV, **env})


def sign_in_with_totp(anon, d: SimpleNamespace) -> dict:
    """tina's sign-in on the secret client: password + SECRET_HASH, then her TOTP code."""
    sh = secret_hash("tina", d.client_id, d.client_secret)
    challenge = anon.initiate_auth(
        ClientId=d.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "tina", "PASSWORD": PASSWORD, "SECRET_HASH": sh},
    )
    assert challenge.get("ChallengeName") == "SOFTWARE_TOKEN_MFA", challenge
    answered = anon.respond_to_auth_challenge(
        ClientId=d.client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code_at(d.tina_totp, totp_step_now()),
                            "SECRET_HASH": sh},
    )
    return answered["AuthenticationResult"]


# ---------------------------------------------------------------------------------------------
# The deployment every test looks at
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def deployment(private_servers, tmp_path) -> SimpleNamespace:
    """A private server with every kind of secret stored: a pool (its signing key), an app
    client with a secret, `tina` with TOTP verified and preferred, `pat` with a TOTP seed
    associated but not yet verified, and an admin key from `pooldesk keys create`."""
    db = tmp_path / "db.sqlite"
    srv = start(private_servers, db)
    idp = idp_client(srv.endpoint)
    anon = idp_client(srv.endpoint, signed=False)
    pool_id = idp.create_user_pool(PoolName=unique_name("sealed"), AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique_name("sealed-client"), GenerateSecret=True,
        ExplicitAuthFlows=list(DEFAULT_AUTH_FLOWS),
    )["UserPoolClient"]
    client_id, client_secret = client["ClientId"], client["ClientSecret"]

    tokens = {}
    for name in ("tina", "pat"):
        idp.admin_create_user(
            UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}, {"Name": "email_verified", "Value": "true"}],
        )
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
        tokens[name] = anon.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD,
                            "SECRET_HASH": secret_hash(name, client_id, client_secret)},
        )["AuthenticationResult"]

    tina_seed = anon.associate_software_token(AccessToken=tokens["tina"]["AccessToken"])["SecretCode"]
    tina_totp = pyotp.TOTP(tina_seed)
    # The previous step's code (accepted: one step of drift), so a sign-in later in the test
    # can use the current step's code at once instead of waiting for a step never used.
    verified = anon.verify_software_token(
        AccessToken=tokens["tina"]["AccessToken"], UserCode=code_at(tina_totp, totp_step_now() - 1),
        FriendlyDeviceName="phone",
    )
    assert verified["Status"] == "SUCCESS", verified
    anon.set_user_mfa_preference(
        AccessToken=tokens["tina"]["AccessToken"], SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    pat_seed = anon.associate_software_token(AccessToken=tokens["pat"]["AccessToken"])["SecretCode"]

    created = cli("keys", "create", "--db", str(db), "--description", "sealed test")
    assert created.returncode == 0, created.stderr
    admin_key_id = KEY_RE.search(created.stdout).group(1)
    admin_secret = SECRET_RE.search(created.stdout).group(1)
    assert "UserPools" in admin_client(srv.endpoint, admin_key_id, admin_secret).list_user_pools(MaxResults=1)

    return SimpleNamespace(
        srv=srv, db=db, pool_id=pool_id, client_id=client_id, client_secret=client_secret,
        tina_seed=tina_seed, tina_totp=tina_totp, pat_seed=pat_seed, pat_access=tokens["pat"]["AccessToken"],
        tina_tokens=tokens["tina"], admin_key_id=admin_key_id, admin_secret=admin_secret,
        private_servers=private_servers,
    )


def secret_strings(d: SimpleNamespace) -> dict[str, bytes]:
    """Each secret as the bytes someone would search a copied file for."""
    found = {
        "client secret": d.client_secret.encode(),
        "admin key secret": d.admin_secret.encode(),
        "tina's TOTP seed": d.tina_seed.encode(),
        "pat's pending TOTP seed": d.pat_seed.encode(),
        "the root key's secret": ROOT_SECRET_ACCESS_KEY.encode(),
    }
    for who, seed in (("tina", d.tina_seed), ("pat", d.pat_seed)):
        raw = base64.b32decode(seed + "=" * (-len(seed) % 8))
        found[f"{who}'s TOTP seed (raw bytes)"] = raw
        found[f"{who}'s TOTP seed (hex)"] = raw.hex().encode()
    return found


def assert_no_secret_in(data: bytes, d: SimpleNamespace, where: str) -> None:
    assert d.pool_id.encode() in data and d.client_id.encode() in data, f"{where} do not hold the data at all"
    for what, needle in secret_strings(d).items():
        assert needle not in data, f"{what} is readable in {where}"
    for pattern in PRIVATE_KEY_DER:
        assert not pattern.search(data), f"a private key in DER ({pattern.pattern!r}) is readable in {where}"


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_no_secret_is_readable_in_the_database_files(deployment):
    """Someone who copies the database (and its WAL) gets no secret, while the server runs or
    after it stopped."""
    d = deployment
    assert_no_secret_in(file_bytes(d.db), d, "the database files of the running server")
    assert d.srv.stop() == 0
    assert_no_secret_in(file_bytes(d.db), d, "the database files after shutdown")


def test_every_stored_secret_is_sealed(deployment):
    """Every secret column holds sealed values: BLOBs start with \\0PDS1, TEXT with `sealed1:`."""
    d = deployment
    signing = rows(d.db, "SELECT kid, private_der FROM signing_keys")
    assert signing, "the pool's signing key is stored"
    for kid, der in signing:
        assert bytes(der).startswith(BLOB_MAGIC), f"signing key {kid} is not sealed: {bytes(der)[:8]!r}"
    server_secrets = rows(d.db, "SELECT name, value FROM server_secrets")
    assert server_secrets
    for name, value in server_secrets:
        assert bytes(value).startswith(BLOB_MAGIC), f"server secret {name} is not sealed: {bytes(value)[:8]!r}"
    clients = rows(d.db, f"SELECT client_id, secret FROM user_pool_clients WHERE client_id = '{d.client_id}'")
    assert clients and clients[0][1].startswith(TEXT_PREFIX), clients
    keys = dict(rows(d.db, "SELECT id, secret FROM access_keys"))
    assert d.admin_key_id in keys
    for key_id, secret in keys.items():
        assert secret.startswith(TEXT_PREFIX), f"access key {key_id}'s secret is not sealed"
    stored = {name: totp_values(json.loads(data)) for name, data in rows(d.db, "SELECT username, data FROM users")}
    assert stored["tina"].get("totp_secret", "").startswith(TEXT_PREFIX), stored["tina"]
    assert stored["pat"].get("pending_totp_secret", "").startswith(TEXT_PREFIX), stored["pat"]
    for name, values in stored.items():
        for field, value in values.items():
            assert value.startswith(TEXT_PREFIX), f"{name}'s {field} is not sealed"


def test_the_master_key_is_an_owner_only_file_beside_the_database_and_not_in_it(deployment):
    """The key is created on first start as `<db>.key`, readable by its owner only, and is
    nowhere in the database itself."""
    d = deployment
    path = key_file(d.db)
    assert path.is_file(), "the master key file is created beside the database"
    assert mode_of(path) == 0o600, oct(mode_of(path))
    text = path.read_text().strip()
    raw = base64.b64decode(text, validate=True)
    assert len(raw) == 32
    data = file_bytes(d.db)
    assert text.encode() not in data and raw not in data, "the master key is stored in the database"


def test_a_wrong_or_missing_master_key_is_refused(deployment, tmp_path):
    """A database opened with another key, or without its key file, is refused (never given a
    new key, which would lose its secrets), by the server and the CLI alike."""
    d = deployment
    assert d.srv.stop() == 0
    before = sealed_values(d.db)
    assert "does not hold" in serve_refused(d.db, POOLDESK_MASTER_KEY=new_key_text())
    wrong = tmp_path / "wrong.key"
    wrong.write_text(new_key_text() + "\n")
    assert "does not hold" in serve_refused(d.db, POOLDESK_MASTER_KEY_FILE=str(wrong))
    listed = cli("keys", "list", "--db", str(d.db), POOLDESK_MASTER_KEY=new_key_text())
    assert listed.returncode != 0 and "does not hold" in " ".join(listed.stderr.split()), listed.stderr

    moved = tmp_path / "moved.key"
    key_file(d.db).rename(moved)
    assert "does not hold" in serve_refused(d.db)
    assert not key_file(d.db).exists(), "a missing key must not be replaced by a new one"
    moved.rename(key_file(d.db))
    assert sealed_values(d.db) == before, "refusing to open must not change the stored secrets"
    again = start(d.private_servers, d.db)
    assert "UserPools" in idp_client(again.endpoint).list_user_pools(MaxResults=1)
    assert again.stop() == 0


def test_the_master_key_can_come_from_the_environment(deployment, tmp_path):
    """With POOLDESK_MASTER_KEY (or POOLDESK_MASTER_KEY_FILE) holding the key, the server opens
    the database without the file beside it, and every secret works: client secrets
    (SECRET_HASH), admin keys; nothing is written beside the database."""
    d = deployment
    listen = d.srv.listen_addr
    assert d.srv.stop() == 0
    text = key_file(d.db).read_text().strip()
    elsewhere = tmp_path / "vault" / "master.key"
    elsewhere.parent.mkdir()
    key_file(d.db).rename(elsewhere)

    srv = start(d.private_servers, d.db, listen, POOLDESK_MASTER_KEY=text)
    anon = idp_client(srv.endpoint, signed=False)
    tokens = anon.initiate_auth(
        ClientId=d.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "pat", "PASSWORD": PASSWORD,
                        "SECRET_HASH": secret_hash("pat", d.client_id, d.client_secret)},
    )["AuthenticationResult"]
    assert tokens["AccessToken"]
    assert "UserPools" in admin_client(srv.endpoint, d.admin_key_id, d.admin_secret).list_user_pools(MaxResults=1)
    assert srv.stop() == 0
    assert not key_file(d.db).exists(), "a key given in the environment is not written beside the database"

    srv = start(d.private_servers, d.db, listen, POOLDESK_MASTER_KEY_FILE=str(elsewhere))
    assert "UserPools" in admin_client(srv.endpoint, d.admin_key_id, d.admin_secret).list_user_pools(MaxResults=1)
    assert srv.stop() == 0


def test_rotating_the_master_key_keeps_every_secret_working(deployment):
    """`pooldesk keys rotate-master` re-seals everything under a new key in the key file; after
    a restart users sign in (SECRET_HASH, TOTP), a pending TOTP seed still verifies, admin keys
    still sign, the pool's signing key (kid) is the same and tokens issued before still verify.
    The old key no longer opens the database."""
    d = deployment
    listen = d.srv.listen_addr
    kids_before = jwks_kids(d.srv.endpoint, d.pool_id)
    assert d.srv.stop() == 0
    old_key = key_file(d.db).read_text().strip()
    sealed_before = rows(d.db, f"SELECT secret FROM user_pool_clients WHERE client_id = '{d.client_id}'")[0][0]

    rotated = cli("keys", "rotate-master", "--db", str(d.db))
    assert rotated.returncode == 0, rotated.stderr
    m = RESEALED_RE.search(rotated.stdout)
    assert m, rotated.stdout
    # At least: the signing key, 2 server secrets, the client secret, the admin key, 2 TOTP seeds.
    assert int(m.group(1)) >= 7, rotated.stdout
    new_key = key_file(d.db).read_text().strip()
    assert new_key != old_key and len(base64.b64decode(new_key)) == 32
    assert mode_of(key_file(d.db)) == 0o600, oct(mode_of(key_file(d.db)))
    assert not Path(f"{key_file(d.db)}.next").exists(), "no half-done rotation is left behind"
    sealed_after = rows(d.db, f"SELECT secret FROM user_pool_clients WHERE client_id = '{d.client_id}'")[0][0]
    assert sealed_after.startswith(TEXT_PREFIX) and sealed_after != sealed_before
    assert_no_secret_in(file_bytes(d.db), d, "the database files after rotation")
    assert "does not hold" in serve_refused(d.db, POOLDESK_MASTER_KEY=old_key)

    srv = start(d.private_servers, d.db, listen)
    anon = idp_client(srv.endpoint, signed=False)
    assert jwks_kids(srv.endpoint, d.pool_id) == kids_before, "the pool keeps its signing key"
    assert verify_id_token(srv.endpoint, d.pool_id, d.client_id, d.tina_tokens["IdToken"])["cognito:username"] == "tina"
    assert anon.get_user(AccessToken=d.tina_tokens["AccessToken"])["Username"] == "tina"
    fresh = sign_in_with_totp(anon, d)
    assert verify_id_token(srv.endpoint, d.pool_id, d.client_id, fresh["IdToken"])["cognito:username"] == "tina"
    pat_totp = pyotp.TOTP(d.pat_seed)
    verified = anon.verify_software_token(
        AccessToken=d.pat_access, UserCode=code_at(pat_totp, totp_step_now()), FriendlyDeviceName="tablet"
    )
    assert verified["Status"] == "SUCCESS", verified
    assert "UserPools" in admin_client(srv.endpoint, d.admin_key_id, d.admin_secret).list_user_pools(MaxResults=1)
    assert srv.stop() == 0


def test_rotating_a_key_given_in_the_environment_needs_a_new_key_file(deployment, tmp_path):
    """With the key in POOLDESK_MASTER_KEY, rotate-master cannot write the new key there: it
    refuses without --new-key-file (changing nothing), and with it writes the new key to that
    file, owner-only, which then opens the database."""
    d = deployment
    listen = d.srv.listen_addr
    assert d.srv.stop() == 0
    old_key = key_file(d.db).read_text().strip()

    refused = cli("keys", "rotate-master", "--db", str(d.db), POOLDESK_MASTER_KEY=old_key)
    assert refused.returncode != 0, refused.stdout
    assert "--new-key-file" in refused.stderr, refused.stderr
    still = cli("keys", "list", "--db", str(d.db), POOLDESK_MASTER_KEY=old_key)
    assert still.returncode == 0 and d.admin_key_id in still.stdout, "a refused rotation changes nothing"

    new_file = tmp_path / "keys" / "next-master.key"
    new_file.parent.mkdir()
    rotated = cli("keys", "rotate-master", "--db", str(d.db), "--new-key-file", str(new_file), POOLDESK_MASTER_KEY=old_key)
    assert rotated.returncode == 0, rotated.stderr
    assert RESEALED_RE.search(rotated.stdout), rotated.stdout
    assert new_file.is_file() and mode_of(new_file) == 0o600, oct(mode_of(new_file)) if new_file.exists() else "missing"
    assert new_file.read_text().strip() != old_key
    assert "does not hold" in serve_refused(d.db, POOLDESK_MASTER_KEY=old_key)

    srv = start(d.private_servers, d.db, listen, POOLDESK_MASTER_KEY_FILE=str(new_file))
    anon = idp_client(srv.endpoint, signed=False)
    tokens = anon.initiate_auth(
        ClientId=d.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "pat", "PASSWORD": PASSWORD,
                        "SECRET_HASH": secret_hash("pat", d.client_id, d.client_secret)},
    )["AuthenticationResult"]
    assert tokens["AccessToken"]
    assert srv.stop() == 0
