"""Fixtures and helpers for the PoolDesk end-to-end suite.

The suite drives a real `pooldesk serve` process with the clients people actually use against
Amazon Cognito (boto3, the AWS CLI, PyJWT), and asserts what real Cognito does.

# Layout
- `SmtpSink`: an aiosmtpd server on loopback, port chosen by the OS, that keeps every message.
- `start_pooldesk()`: launches the binary on `127.0.0.1:0`, waits for its "listening" line.
- `server` (session): one shared server; tests use fresh, uniquely named pools so they stay
  independent of each other on it.
- `idp` / `anon_idp`: boto3 clients, SigV4-signed with the root key / unsigned.
- `pooldesk_call()`, `outbox()`, `latest_code()`: the `PoolDesk.*` extension operations.
- `make_pool`, `make_client`, `make_user`, `app`, `user`: factories for the usual setup.

Environment: `POOLDESK_BIN` names the binary (default `<repo>/target/debug/pooldesk`).
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import email
import email.policy
import hashlib
import hmac
import itertools
import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import boto3
import botocore
import jwt
import pytest
import requests
from aiosmtpd.smtp import SMTP
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
POOLDESK_BIN = os.environ.get("POOLDESK_BIN", str(REPO_ROOT / "target" / "debug" / "pooldesk"))

ROOT_ACCESS_KEY_ID = "AKIAPOOLDESKTEST0001"
ROOT_SECRET_ACCESS_KEY = "pooldesk-test-secret-0001"
REGION = "us-east-1"

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
IDP_TARGET_PREFIX = "AWSCognitoIdentityProviderService"

# Satisfies Cognito's default password policy (8+ chars, upper, lower, number, symbol).
PASSWORD = "Corr3ct-Horse!"
OTHER_PASSWORD = "Batt3ry-Staple?"

DEFAULT_AUTH_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]

LISTEN_RE = re.compile(r"PoolDesk listening on (https?://127\.0\.0\.1:\d+)")
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
POOL_ID_RE = re.compile(r"^us-east-1_[A-Za-z0-9]+$")
CODE_RE = re.compile(r"^\d{6}$")
STARTUP_TIMEOUT_S = 20.0
SHUTDOWN_TIMEOUT_S = 15.0


# ---------------------------------------------------------------------------------------------
# SMTP sink
# ---------------------------------------------------------------------------------------------


class SmtpSink:
    """An SMTP server on 127.0.0.1 (OS-chosen port) that records every message it receives.

    It runs its own asyncio loop in a daemon thread. `messages` is appended to under a lock
    from that thread; readers take `snapshot()` (a copy) or poll with `wait_for()`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[email.message.Message] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="smtp-sink", daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self.port: int = 0

    def start(self) -> None:
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)

    async def _serve(self) -> int:
        self._server = await self._loop.create_server(
            lambda: SMTP(self, hostname="pooldesk-test-sink"), "127.0.0.1", 0
        )
        return self._server.sockets[0].getsockname()[1]

    # aiosmtpd handler hook
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            self.messages.append(msg)
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[email.message.Message]:
        with self._lock:
            return list(self.messages)

    def stop(self) -> None:
        def _close() -> None:
            if self._server is not None:
                self._server.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(_close)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def message_text(msg: email.message.Message) -> str:
    """All text parts of an e-mail, decoded, joined."""
    parts = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            try:
                parts.append(part.get_content())
            except (KeyError, LookupError, AttributeError):
                payload = part.get_payload(decode=True) or b""
                parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts)


def wait_for_smtp(
    server: "PoolDeskServer", predicate: Callable[[email.message.Message], bool], timeout: float = 10.0
) -> list[email.message.Message]:
    """Messages in the SMTP sink matching `predicate`, waiting up to `timeout` for one."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in server.smtp.snapshot() if predicate(m)]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# The server process
# ---------------------------------------------------------------------------------------------


@dataclass
class PoolDeskServer:
    endpoint: str
    db_path: Path
    proc: subprocess.Popen
    smtp: SmtpSink | None
    log_dir: Path
    stdout_lines: list[str] = field(default_factory=list)

    @property
    def smtp_messages(self) -> list[email.message.Message]:
        """Every message the SMTP sink received (shared by all servers using that sink)."""
        return self.smtp.messages if self.smtp is not None else []

    def stderr_text(self) -> str:
        try:
            return (self.log_dir / "stderr.log").read_text("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        out = "\n".join(self.stdout_lines[-lines:])
        err = "\n".join(self.stderr_text().splitlines()[-lines:])
        return f"--- stdout (tail) ---\n{out}\n--- stderr (tail) ---\n{err}"

    @property
    def listen_addr(self) -> str:
        """host:port the server listens on (to restart a server at the same address)."""
        return self.endpoint.removeprefix("http://")

    def _forget(self) -> None:
        _LIVE_SERVERS[:] = [s for s in _LIVE_SERVERS if s is not self]

    def stop(self) -> int:
        """SIGTERM, wait for exit, return the exit code (killing it if it hangs)."""
        self._forget()
        if self.proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(SHUTDOWN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait(5)
                pytest.fail(f"pooldesk did not exit within {SHUTDOWN_TIMEOUT_S}s of SIGTERM\n{self.log_tail()}")
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: no chance to flush anything."""
        self._forget()
        if self.proc.poll() is None:
            self._signal(signal.SIGKILL)
        self.proc.wait(10)

    def _signal(self, sig: int) -> None:
        """To the server's whole process group: a wrapper (`faketime`) and the server in it."""
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass


_LIVE_SERVERS: list[PoolDeskServer] = []


def start_pooldesk(
    db_path: Path,
    smtp: SmtpSink | None,
    log_dir: Path,
    listen: str = "127.0.0.1:0",
    wrapper: list[str] | None = None,
    *,
    args: list[str] | None = None,
    env: dict[str, str | None] | None = None,
) -> PoolDeskServer:
    """Start `pooldesk serve` (port chosen by the OS unless `listen` names one) with the root
    test key; wait until it prints its listening line. `wrapper` prefixes the command (e.g.
    `faketime` for a server whose clock is wrong); `args` are appended to `serve`'s arguments;
    `env` sets (or, with None, removes) environment variables of the process."""
    if not Path(POOLDESK_BIN).is_file():
        pytest.fail(f"POOLDESK_BIN {POOLDESK_BIN!r} does not exist: build the `pooldesk` binary first")
    log_dir.mkdir(parents=True, exist_ok=True)
    proc_env = dict(os.environ)
    proc_env.update(
        {
            "POOLDESK_ROOT_ACCESS_KEY_ID": ROOT_ACCESS_KEY_ID,
            "POOLDESK_ROOT_SECRET_ACCESS_KEY": ROOT_SECRET_ACCESS_KEY,
            "RUST_LOG": "info",
            "NO_COLOR": "1",
        }
    )
    if smtp is not None:
        proc_env["POOLDESK_SMTP_URL"] = smtp.url
    for name, value in (env or {}).items():
        if value is None:
            proc_env.pop(name, None)
        else:
            proc_env[name] = value
    stderr_file = open(log_dir / "stderr.log", "ab")  # noqa: SIM115 (owned by the process)
    proc = subprocess.Popen(
        [*(wrapper or []), POOLDESK_BIN, "serve", "--db", str(db_path), "--listen", listen, *(args or [])],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr_file,
        env=proc_env,
        start_new_session=True,
    )
    stderr_file.close()
    srv = PoolDeskServer(endpoint="", db_path=db_path, proc=proc, smtp=smtp, log_dir=log_dir)
    ready = threading.Event()

    def pump() -> None:
        # Keep draining stdout for the whole life of the process so it never blocks on a pipe.
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            line = ANSI_RE.sub("", raw.decode("utf-8", "replace").rstrip("\r\n"))
            srv.stdout_lines.append(line)
            if not srv.endpoint:
                m = LISTEN_RE.search(line)
                if m:
                    srv.endpoint = m.group(1)
                    ready.set()
        ready.set()  # EOF: the process has gone

    threading.Thread(target=pump, name=f"pooldesk-stdout-{proc.pid}", daemon=True).start()
    ready.wait(STARTUP_TIMEOUT_S)
    if not srv.endpoint:
        exited = proc.poll()
        if exited is None:
            proc.kill()
            proc.wait(5)
        why = f"exited with code {exited}" if exited is not None else f"was killed after {STARTUP_TIMEOUT_S}s"
        pytest.fail(
            f"pooldesk never printed 'PoolDesk listening on http://127.0.0.1:PORT': it {why}\n{srv.log_tail()}"
        )
    _LIVE_SERVERS.append(srv)
    return srv


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failing test, attach the tail of every live server's log to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for srv in _LIVE_SERVERS:
            if srv.proc.poll() is None:
                report.sections.append((f"pooldesk log {srv.endpoint}", srv.log_tail(40)))


@pytest.fixture
def private_servers(smtp_sink, tmp_path):
    """start(db_path=None, listen=None, *, args=None, env=None) -> a private PoolDesk on its own database.

    The database is tmp_path/db.sqlite unless given; `listen` ("127.0.0.1:PORT") restarts a
    server at the address it had, so its issuer URL stays the same; `args` and `env` go to
    `start_pooldesk`. Each call starts a new process; any still running at teardown is killed.
    """
    started: list[PoolDeskServer] = []

    def _start(
        db_path: Path | None = None,
        listen: str | None = None,
        *,
        args: list[str] | None = None,
        env: dict[str, str | None] | None = None,
    ) -> PoolDeskServer:
        srv = start_pooldesk(
            db_path or tmp_path / "db.sqlite", smtp_sink, tmp_path / f"logs-{len(started)}", listen or "127.0.0.1:0",
            args=args, env=env,
        )
        started.append(srv)
        return srv

    yield _start
    for srv in started:
        if srv.proc.poll() is None:
            srv.kill()


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


# `POOLDESK_E2E_CLUSTER=N`: the shared server is N servers on one PostgreSQL database behind
# HAProxy alternating requests (tests/e2e/cluster.py), so every multi-step flow crosses servers.
CLUSTER_SIZE = int(os.environ.get("POOLDESK_E2E_CLUSTER", "0") or "0")


@pytest.fixture(scope="session")
def server(smtp_sink, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("pooldesk")
    if CLUSTER_SIZE:
        from cluster import start_cluster

        srv = start_cluster(start_pooldesk, smtp_sink, workdir, count=CLUSTER_SIZE)
        # The CLI commands tests run with `--db` open the same database with the same key.
        os.environ["POOLDESK_MASTER_KEY"] = srv.master_key
    else:
        srv = start_pooldesk(workdir / "db.sqlite", smtp_sink, workdir / "logs")
    yield srv
    code = srv.stop()
    assert code == 0, f"pooldesk exited with {code} after SIGTERM (expected a clean shutdown)\n{srv.log_tail()}"


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------


def _config(**extra: Any) -> Config:
    # One attempt: botocore would otherwise retry LimitExceededException / 5xx with back-off,
    # hiding what the server answered and slowing the suite.
    return Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60, **extra)


def idp_client(endpoint: str, *, signed: bool = True):
    session = boto3.session.Session()
    if signed:
        return session.client(
            "cognito-idp",
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id=ROOT_ACCESS_KEY_ID,
            aws_secret_access_key=ROOT_SECRET_ACCESS_KEY,
            config=_config(),
        )
    return session.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=endpoint,
        config=_config(signature_version=botocore.UNSIGNED),
    )


@pytest.fixture(scope="session")
def idp(server):
    """boto3 cognito-idp client, SigV4-signed with the root key."""
    return idp_client(server.endpoint)


@pytest.fixture(scope="session")
def anon_idp(server):
    """boto3 cognito-idp client that signs nothing: what browser/mobile apps use for public ops."""
    return idp_client(server.endpoint, signed=False)


def error_code(exc: ClientError) -> str:
    return exc.response["Error"]["Code"]


def error_message(exc: ClientError) -> str:
    return exc.response["Error"].get("Message", "")


def refused(call) -> tuple[str, str]:
    """The error code and message a call fails with (it must fail with a service error)."""
    with pytest.raises(ClientError) as e:
        call()
    return error_code(e.value), error_message(e.value)


# ---------------------------------------------------------------------------------------------
# Raw HTTP and PoolDesk.* extension operations
# ---------------------------------------------------------------------------------------------


class FixedTimeSigV4Auth(SigV4Auth):
    """botocore's SigV4 signer at a chosen UTC instant (to exercise clock-skew checks)."""

    def __init__(self, credentials: Credentials, service: str, region: str, when: datetime.datetime) -> None:
        super().__init__(credentials, service, region)
        self._when = when

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self._when.strftime("%Y%m%dT%H%M%SZ")
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        self._inject_signature_to_request(request, self.signature(self.string_to_sign(request, canonical), request))


def signed_post(
    endpoint: str,
    target: str,
    body: bytes,
    *,
    access_key: str = ROOT_ACCESS_KEY_ID,
    secret_key: str = ROOT_SECRET_ACCESS_KEY,
    service: str = "cognito-idp",
    content_type: str = JSON_CONTENT_TYPE,
    signed_at: datetime.datetime | None = None,
) -> requests.Response:
    """POST / with `X-Amz-Target: target`, SigV4-signed (botocore's signer), now or `signed_at` (UTC)."""
    url = endpoint + "/"
    req = AWSRequest(
        method="POST", url=url, data=body, headers={"Content-Type": content_type, "X-Amz-Target": target}
    )
    credentials = Credentials(access_key, secret_key)
    if signed_at is None:
        SigV4Auth(credentials, service, REGION).add_auth(req)
    else:
        FixedTimeSigV4Auth(credentials, service, REGION, signed_at).add_auth(req)
    return requests.post(url, data=body, headers=dict(req.headers.items()), timeout=60)


def unsigned_post(endpoint: str, target: str, body: bytes, content_type: str = JSON_CONTENT_TYPE) -> requests.Response:
    return requests.post(
        endpoint + "/", data=body, headers={"Content-Type": content_type, "X-Amz-Target": target}, timeout=60
    )


def pooldesk_call(server: PoolDeskServer, op: str, payload: dict) -> tuple[int, dict]:
    """Call the `PoolDesk.<op>` extension operation, signed like any admin call."""
    resp = signed_post(server.endpoint, f"PoolDesk.{op}", json.dumps(payload).encode())
    try:
        body = resp.json() if resp.content else {}
    except ValueError:
        body = {"__raw": resp.text}
    return resp.status_code, body


def outbox(server: PoolDeskServer, pool_id: str, username: str | None = None) -> list[dict]:
    """Messages PoolDesk recorded for a pool (newest first), optionally for one username."""
    status, body = pooldesk_call(server, "ListMessages", {"UserPoolId": pool_id})
    assert status == 200, f"PoolDesk.ListMessages failed: {status} {body}"
    messages = body["Messages"]
    if username is not None:
        messages = [m for m in messages if m.get("Username") == username]
    return messages


def wait_for_outbox(
    server: PoolDeskServer, pool_id: str, username: str | None = None, count: int = 1, timeout: float = 5.0
) -> list[dict]:
    """The outbox for (pool, username) once it holds at least `count` messages (or on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        msgs = outbox(server, pool_id, username)
        if len(msgs) >= count or time.monotonic() > deadline:
            return msgs
        time.sleep(0.05)


def latest_code(server: PoolDeskServer, pool_id: str, username: str, min_messages: int = 1) -> str:
    """The code of the newest outbox message for `username` that carries one."""
    msgs = wait_for_outbox(server, pool_id, username, count=min_messages)
    with_code = [m for m in msgs if m.get("Code")]
    assert with_code, f"no message with a code for {username!r} in pool {pool_id}: {msgs}"
    return with_code[0]["Code"]


# ---------------------------------------------------------------------------------------------
# Cognito helpers
# ---------------------------------------------------------------------------------------------


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Cognito's SECRET_HASH: base64(HMAC_SHA256(key=secret, msg=username + clientId))."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_in(anon_idp, client_id: str, username: str, password: str, **auth_params: str) -> dict:
    """InitiateAuth USER_PASSWORD_AUTH; returns the AuthenticationResult (asserting there is one)."""
    resp = anon_idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password, **auth_params},
    )
    assert "AuthenticationResult" in resp, f"expected tokens, got a challenge: {resp.get('ChallengeName')}"
    return resp["AuthenticationResult"]


def refresh(anon_idp, client_id: str, refresh_token: str) -> dict:
    resp = anon_idp.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
    )
    return resp["AuthenticationResult"]


def claims(token: str) -> dict:
    """A JWT's payload without verifying it (verification is test_tokens.py's business)."""
    return jwt.decode(token, options={"verify_signature": False})


def attrs(attribute_list: list[dict]) -> dict[str, str]:
    """[{'Name': n, 'Value': v}, ...] -> {n: v}."""
    return {a["Name"]: a.get("Value") for a in attribute_list}


def is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError, TypeError):
        return False


_name_counter = itertools.count()


def unique_name(prefix: str = "t") -> str:
    """A name no other test uses; fits Cognito's pool/client/group name patterns."""
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", prefix)[:60].strip("-") or "t"
    return f"{clean}-{next(_name_counter)}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def names(request) -> Callable[[str], str]:
    """unique_name with the test's own name as prefix (helps reading the server's logs)."""
    base = request.node.name

    def _names(suffix: str = "") -> str:
        return unique_name(f"{base}-{suffix}" if suffix else base)

    return _names


def _drop_none(params: dict) -> dict:
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture
def make_pool(idp, names):
    """make_pool(**CreateUserPool params) -> the created UserPool dict.

    Defaults: a unique PoolName and AutoVerifiedAttributes ["email"]; pass a key with None to
    leave it out of the request.
    """

    def _make(**params: Any) -> dict:
        request = {"PoolName": names("pool"), "AutoVerifiedAttributes": ["email"]}
        request.update(params)
        return idp.create_user_pool(**_drop_none(request))["UserPool"]

    return _make


@pytest.fixture
def make_client(idp, names):
    """make_client(pool_id, **CreateUserPoolClient params) -> the UserPoolClient dict.

    Defaults: a unique ClientName, no secret, ExplicitAuthFlows = user password, admin user
    password and refresh token.
    """

    def _make(pool_id: str, **params: Any) -> dict:
        request = {"UserPoolId": pool_id, "ClientName": names("client"), "ExplicitAuthFlows": list(DEFAULT_AUTH_FLOWS)}
        request.update(params)
        return idp.create_user_pool_client(**_drop_none(request))["UserPoolClient"]

    return _make


@pytest.fixture
def make_user(idp):
    """make_user(pool_id, username, ...) -> a CONFIRMED user with a permanent password.

    AdminCreateUser (MessageAction SUPPRESS) with email (verified unless told otherwise) and any
    extra attributes, then AdminSetUserPassword Permanent=True.
    """

    def _make(
        pool_id: str,
        username: str | None = None,
        *,
        password: str = PASSWORD,
        email: str | None = None,
        email_verified: bool | None = True,
        attributes: dict[str, str] | None = None,
    ) -> SimpleNamespace:
        username = username or f"user-{uuid.uuid4().hex[:10]}"
        email = email or f"{re.sub(r'[^A-Za-z0-9._-]', '', username).lower() or 'u'}-{uuid.uuid4().hex[:6]}@example.com"
        user_attrs = {"email": email}
        if email_verified is not None:
            user_attrs["email_verified"] = "true" if email_verified else "false"
        user_attrs.update(attributes or {})
        created = idp.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in user_attrs.items()],
        )["User"]
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
        return SimpleNamespace(
            username=username,
            password=password,
            email=email,
            sub=attrs(created["Attributes"])["sub"],
            cognito_username=created["Username"],
        )

    return _make


@pytest.fixture
def app(make_pool, make_client) -> SimpleNamespace:
    """A fresh pool (Cognito defaults, email auto-verified) with a public app client."""
    pool = make_pool()
    client = make_client(pool["Id"])
    return SimpleNamespace(pool=pool, pool_id=pool["Id"], client=client, client_id=client["ClientId"])


@pytest.fixture
def user(app, make_user) -> SimpleNamespace:
    """A confirmed user with a verified email in `app`'s pool."""
    return make_user(app.pool_id, "alice")
