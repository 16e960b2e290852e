"""An external OpenID Connect identity provider on loopback, for the federation tests.

`js/oidc_idp.mjs` runs panva's oidc-provider (an OpenID Certified implementation, installed by
`npm ci --prefix tests/e2e/js`), so PoolDesk signs users in through a provider that speaks the
real protocol: discovery, the code flow with state, nonce and PKCE, client_secret_post and
client_secret_basic at the token endpoint, RS256 ID tokens checked against its JWKS, userinfo.
Its sign-in form needs no JavaScript (title "IdP sign in", fields Username and Password, button
"Sign in"), and consent is automatic.

- `start_oidc_idp(tmp_path, clients, accounts)` -> `OidcIdp` (`.issuer`, `.stop()`, `.log()`).
- `oidc_idp` fixture: a function that starts one (same arguments but tmp_path); all are stopped
  at teardown. Test modules import it: `from oidc_idp import oidc_idp  # noqa: F401`.

A client is `{"client_id", "client_secret", "redirect_uris": [...], "token_endpoint_auth_method":
"client_secret_post" | "client_secret_basic"}`; an account is `{"sub", "password", "email",
"email_verified", "name", ...}`, every key but `password` being a claim (extra ones such as
`"groups"` come with the `profile` scope, in the ID token and userinfo). An account signs in with
its sub, its email or its preferred_username as the username.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

JS_DIR = Path(__file__).resolve().parent / "js"
JS_SCRIPT = JS_DIR / "oidc_idp.mjs"
STARTUP_TIMEOUT_S = 40.0  # node and oidc-provider load slowly on a busy 2-core machine
SHUTDOWN_TIMEOUT_S = 10.0

_counter = itertools.count()


@dataclass
class OidcIdp:
    issuer: str
    proc: subprocess.Popen
    log_path: Path
    stdout_lines: list[str] = field(default_factory=list)

    def log(self, lines: int = 60) -> str:
        """The tail of the provider's stderr: one line per request (method, path, status) and its errors."""
        try:
            text = self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_for_log(self, text: str, timeout: float = 5.0) -> str:
        """The log once it holds `text`: the provider writes a request's line after sending its
        answer, so the line may land a moment after the caller got what it asked for."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.log(400)
            if text in log or time.monotonic() > deadline:
                return log
            time.sleep(0.05)

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL if it does not go; the exit code (0 on a clean shutdown)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(SHUTDOWN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def start_oidc_idp(
    tmp_path: Path, clients: list[dict[str, Any]], accounts: list[dict[str, Any]], *, port: int = 0
) -> OidcIdp:
    """Start js/oidc_idp.mjs on 127.0.0.1 (`port` 0: one the OS picks) and wait for its issuer line.

    Missing node or node_modules fails the test with what to install: the federation tests are
    not skipped for lack of the provider."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed (Node 20+ runs the OpenID provider the federation tests sign in with)")
    if not (JS_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        pytest.fail(f"oidc-provider missing from {JS_DIR / 'node_modules'}: install the Node packages with `npm ci --prefix tests/e2e/js`")
    log_path = tmp_path / f"oidc-idp-{next(_counter)}.log"
    config = {"port": port, "clients": clients, "accounts": accounts}
    env = dict(os.environ, POOLDESK_IDP_CONFIG=json.dumps(config))
    with log_path.open("ab") as stderr:
        proc = subprocess.Popen(
            [node, str(JS_SCRIPT)],
            cwd=JS_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,
        )
    idp = OidcIdp(issuer="", proc=proc, log_path=log_path)
    ready = threading.Event()

    def pump() -> None:
        # Drain stdout for the whole life of the process so it never blocks on a full pipe.
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").strip()
            idp.stdout_lines.append(line)
            if not idp.issuer and line.startswith("{"):
                try:
                    idp.issuer = json.loads(line).get("issuer", "")
                except ValueError:
                    pass
                if idp.issuer:
                    ready.set()
        ready.set()  # EOF: the process has gone

    threading.Thread(target=pump, name=f"oidc-idp-stdout-{proc.pid}", daemon=True).start()
    ready.wait(STARTUP_TIMEOUT_S)
    if not idp.issuer:
        exited = proc.poll()
        if exited is None:
            proc.kill()
            proc.wait(5)
        why = f"exited with code {exited}" if exited is not None else f"was killed after {STARTUP_TIMEOUT_S}s"
        stdout = "\n".join(idp.stdout_lines[-20:])
        pytest.fail(
            f"oidc_idp.mjs never printed its issuer line: it {why}\n"
            f"--- stdout ---\n{stdout}\n--- stderr (tail) ---\n{idp.log()}"
        )
    return idp


@pytest.fixture
def oidc_idp(tmp_path) -> Callable[..., OidcIdp]:
    """start(clients, accounts, *, port=0) -> a running OidcIdp; every one started is stopped at teardown."""
    started: list[OidcIdp] = []

    def _start(clients: list[dict[str, Any]], accounts: list[dict[str, Any]], *, port: int = 0) -> OidcIdp:
        idp = start_oidc_idp(tmp_path, clients, accounts, port=port)
        started.append(idp)
        return idp

    yield _start
    for idp in started:
        idp.stop()


def id_token_from(issuer: str, client: dict[str, Any], account: dict[str, Any], scope: str = "openid email") -> str:
    """An ID token the provider issues to `client` for `account`: the code flow run as a browser
    and an app would (the form posted, the code exchanged with client_secret_post)."""
    import re
    import secrets
    from urllib.parse import parse_qs, urlencode, urljoin, urlparse

    import requests

    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    redirect_uri = client["redirect_uris"][0]
    query = {"client_id": client["client_id"], "redirect_uri": redirect_uri, "response_type": "code", "scope": scope, "state": "s", "nonce": secrets.token_urlsafe(8)}
    browser = requests.Session()
    form = browser.get(f"{discovery['authorization_endpoint']}?{urlencode(query)}", timeout=10)
    action = re.search(r'<form method="post" action="([^"]+)"', form.text).group(1)
    resp = browser.post(urljoin(form.url, action), data={"username": account["sub"], "password": account["password"]}, allow_redirects=False, timeout=10)
    while True:
        location = urljoin(resp.url, resp.headers["Location"])
        if location.startswith(redirect_uri):
            break
        resp = browser.get(location, allow_redirects=False, timeout=10)
    code = parse_qs(urlparse(location).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "client_id": client["client_id"], "client_secret": client["client_secret"]}
    return requests.post(discovery["token_endpoint"], data=form, timeout=10).json()["id_token"]
