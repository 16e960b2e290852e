"""An external SAML 2.0 identity provider on loopback, for the SAML federation tests.

`js/saml_idp.mjs` runs samlify's IdP role (schema validation by @authenio/samlify-node-xmllint;
both installed by `npm ci --prefix tests/e2e/js`), so PoolDesk signs users in through a real SAML
implementation: IdP metadata, the Redirect-binding AuthnRequest (its query signature checked
when the SP asks for it), a POST-binding Response signed RSA-SHA256 (assertion, response or
both), optionally an EncryptedAssertion, IdP-initiated sign-in and single logout. Its sign-in
form needs no JavaScript (title "SAML IdP sign in", fields username and password, button
"Sign in"); the response comes back as a "SAML IdP continue" page whose form posts SAMLResponse
and RelayState to the SP's ACS URL. The whole interface is described at the top of the .mjs.

- `start_saml_idp(tmp_path, accounts)` -> `SamlIdp`: makes the IdP's signing key and certificate
  (and a second pair for the `other_key` tamper) with the openssl CLI, then starts node.
- `saml_idp` fixture: a function that starts one (same arguments but tmp_path); all are stopped
  at teardown. Test modules import it: `from saml_idp import saml_idp  # noqa: F401`.
- `make_key_cert(directory, name)` and `cert_der_b64(cert_pem)`: an openssl-made key pair for an
  SP, and a certificate in the form POST /sp takes (and Cognito's metadata carries).

An account is `{"username", "password", "name_id", "name_id_format"?, "attributes": {"<SAML
Attribute Name>": "value" | ["v1", "v2"]}}`; name_id_format is a URI or persistent (default),
transient, email, unspecified.

Tamper knobs (`tamper=` of `sign_in` / `idp_initiated`): "expired", "audience=X", "unsigned",
"other_key", "recipient=X", "in_response_to=X"; see js/saml_idp.mjs.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import re
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urljoin

import pytest
import requests

JS_DIR = Path(__file__).resolve().parent / "js"
JS_SCRIPT = JS_DIR / "saml_idp.mjs"
STARTUP_TIMEOUT_S = 40.0  # node, samlify and the xmllint WebAssembly load slowly on a busy 2-core machine
SHUTDOWN_TIMEOUT_S = 10.0
HTTP_TIMEOUT_S = 30.0  # schema validation runs libxml2 compiled to JavaScript: seconds on a busy machine

_counter = itertools.count()

_INPUT_RE = re.compile(r"<input\b[^>]*>", re.I)
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
_FORM_RE = re.compile(r'<form\b[^>]*\baction="([^"]*)"', re.I)
_TITLE_RE = re.compile(r"<title>([^<]*)</title>", re.I)


class SamlIdpError(AssertionError):
    """The IdP did not answer what a sign-in expected; `.status` and `.body` say what it did."""

    def __init__(self, message: str, status: int, body: str):
        super().__init__(message)
        self.status = status
        self.body = body


def make_key_cert(directory: Path, name: str, cn: str | None = None) -> tuple[str, str]:
    """An RSA 2048 key and a self-signed certificate (2 days) made by the openssl CLI: (key_pem, cert_pem)."""
    if shutil.which("openssl") is None:
        pytest.fail("the openssl CLI is not installed (it makes the SAML test keys): apt-get install openssl")
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={cn or name}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return key.read_text(), cert.read_text()


def cert_der_b64(cert_pem: str) -> str:
    """The certificate's DER in base64 on one line, without the PEM armour."""
    return "".join(line for line in cert_pem.strip().splitlines() if not line.startswith("-----"))


def parse_form(page: str) -> tuple[str, dict[str, str]]:
    """(action, {name: value}) of the first form of an HTML page from the IdP."""
    m = _FORM_RE.search(page)
    if not m:
        raise ValueError("no form in the page")
    fields = {}
    for tag in _INPUT_RE.findall(page):
        attrs = {k: html.unescape(v) for k, v in _ATTR_RE.findall(tag)}
        if "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return html.unescape(m.group(1)), fields


def _title(page: str) -> str:
    m = _TITLE_RE.search(page)
    return m.group(1) if m else ""


@dataclass
class SamlIdp:
    base: str
    proc: subprocess.Popen
    log_path: Path
    key_pem: str
    cert_pem: str
    other_key_pem: str
    other_cert_pem: str
    stdout_lines: list[str] = field(default_factory=list)

    @property
    def metadata_url(self) -> str:
        """Also the IdP's entity ID."""
        return f"{self.base}/metadata"

    entity_id = metadata_url

    def log(self, lines: int = 60) -> str:
        """The tail of the IdP's stderr: one line per request (method, path, status), what it carried, errors."""
        try:
            text = self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

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

    def metadata(self) -> str:
        resp = requests.get(self.metadata_url, timeout=HTTP_TIMEOUT_S)
        assert resp.status_code == 200, f"{resp.status_code} {resp.text}\n{self.log()}"
        return resp.text

    def register_sp(self, **fields: Any) -> None:
        """POST /sp: entity_id, acs_url, slo_url, signing_cert (base64 DER, see cert_der_b64),
        want_signed_requests, encryption_cert, encrypt, data_encryption, key_encryption, sign."""
        resp = requests.post(f"{self.base}/sp", json=fields, timeout=HTTP_TIMEOUT_S)
        assert resp.status_code == 204, f"registering the SP failed: {resp.status_code} {resp.text}\n{self.log()}"

    def last_request(self) -> dict[str, Any] | None:
        """{"id", "issuer", "acs_url", "signed", "relay_state"} of the last AuthnRequest, or None."""
        return requests.get(f"{self.base}/last-request", timeout=HTTP_TIMEOUT_S).json()

    def last_logout(self) -> dict[str, Any] | None:
        """{"id", "name_id", "session_index", "issuer", "relay_state"} of the last LogoutRequest, or None."""
        return requests.get(f"{self.base}/last-logout", timeout=HTTP_TIMEOUT_S).json()

    def _continue(self, resp: requests.Response, what: str) -> dict[str, str]:
        if resp.status_code != 200 or _title(resp.text) not in ("SAML IdP continue", "SAML IdP logout"):
            raise SamlIdpError(
                f"{what}: {resp.status_code} {_title(resp.text) or resp.text[:300]!r}\n{self.log()}",
                resp.status_code, resp.text,
            )
        action, fields = parse_form(resp.text)
        return {"action": action, "SAMLResponse": fields.get("SAMLResponse", ""), "RelayState": fields.get("RelayState", "")}

    def sign_in(self, url: str, username: str, password: str, tamper: str | None = None,
                session: requests.Session | None = None) -> dict[str, str]:
        """From the /sso URL PoolDesk redirects the browser to: the sign-in form, then the posted
        credentials; {"action": ACS URL, "SAMLResponse", "RelayState"} from the continue page.
        SamlIdpError (with .status, .body) when the IdP refuses or asks again."""
        browser = session or requests.Session()
        form = browser.get(url, timeout=HTTP_TIMEOUT_S)
        if form.status_code != 200 or _title(form.text) != "SAML IdP sign in":
            raise SamlIdpError(f"GET {url}: {form.status_code} {form.text[:500]!r}\n{self.log()}", form.status_code, form.text)
        action, fields = parse_form(form.text)
        fields.update(username=username, password=password)
        if tamper:
            fields["tamper"] = tamper
        resp = browser.post(urljoin(form.url, action), data=fields, timeout=HTTP_TIMEOUT_S)
        return self._continue(resp, "signing in")

    def idp_initiated(self, sp: str, username: str, relay_state: str = "", tamper: str | None = None) -> dict[str, str]:
        """GET /idp-init: an unsolicited response for `username` to the SP `sp` (entity ID)."""
        params = {"sp": sp, "username": username, "relay_state": relay_state}
        if tamper:
            params["tamper"] = tamper
        resp = requests.get(f"{self.base}/idp-init", params=params, timeout=HTTP_TIMEOUT_S)
        return self._continue(resp, "IdP-initiated sign-in")

    def logout(self, url: str) -> dict[str, str]:
        """From the /slo URL PoolDesk redirects to: {"action": slo_url, "SAMLResponse" (the
        LogoutResponse), "RelayState"} from the logout page."""
        resp = requests.get(url, timeout=HTTP_TIMEOUT_S)
        return self._continue(resp, f"GET {url}")


def response_xml(answer: dict[str, str]) -> str:
    """The XML of the SAMLResponse of a sign_in / idp_initiated / logout answer."""
    return base64.b64decode(answer["SAMLResponse"]).decode("utf-8")


def start_saml_idp(tmp_path: Path, accounts: list[dict[str, Any]], *, port: int = 0) -> SamlIdp:
    """Start js/saml_idp.mjs on 127.0.0.1 (`port` 0: one the OS picks) and wait for its base line.

    Missing node or node_modules fails the test with what to install: the SAML federation tests
    are not skipped for lack of the IdP."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed (Node 20+ runs the SAML identity provider the SAML federation tests sign in with)")
    for package in ("samlify", "@authenio/samlify-node-xmllint"):
        if not (JS_DIR / "node_modules" / package / "package.json").is_file():
            pytest.fail(f"{package} missing from {JS_DIR / 'node_modules'}: install the Node packages with `npm ci --prefix tests/e2e/js`")
    n = next(_counter)
    keys = tmp_path / f"saml-idp-{n}"
    keys.mkdir(parents=True, exist_ok=True)
    key_pem, cert_pem = make_key_cert(keys, "idp", "pooldesk-test-idp")
    other_key_pem, other_cert_pem = make_key_cert(keys, "other", "pooldesk-test-idp")
    config_path = keys / "config.json"
    config_path.write_text(json.dumps({
        "port": port, "key_pem": key_pem, "cert_pem": cert_pem,
        "other_key_pem": other_key_pem, "other_cert_pem": other_cert_pem, "accounts": accounts,
    }))
    log_path = tmp_path / f"saml-idp-{n}.log"
    with log_path.open("ab") as stderr:
        proc = subprocess.Popen(
            [node, str(JS_SCRIPT), str(config_path)],
            cwd=JS_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,
        )
    idp = SamlIdp(base="", proc=proc, log_path=log_path, key_pem=key_pem, cert_pem=cert_pem,
                  other_key_pem=other_key_pem, other_cert_pem=other_cert_pem)
    ready = threading.Event()

    def pump() -> None:
        # Drain stdout for the whole life of the process so it never blocks on a full pipe.
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").strip()
            idp.stdout_lines.append(line)
            if not idp.base and line.startswith("{"):
                try:
                    idp.base = json.loads(line).get("base", "")
                except ValueError:
                    pass
                if idp.base:
                    ready.set()
        ready.set()  # EOF: the process has gone

    threading.Thread(target=pump, name=f"saml-idp-stdout-{proc.pid}", daemon=True).start()
    ready.wait(STARTUP_TIMEOUT_S)
    if not idp.base:
        exited = proc.poll()
        if exited is None:
            proc.kill()
            proc.wait(5)
        why = f"exited with code {exited}" if exited is not None else f"was killed after {STARTUP_TIMEOUT_S}s"
        stdout = "\n".join(idp.stdout_lines[-20:])
        pytest.fail(
            f"saml_idp.mjs never printed its base line: it {why}\n"
            f"--- stdout ---\n{stdout}\n--- stderr (tail) ---\n{idp.log()}"
        )
    return idp


@pytest.fixture
def saml_idp(tmp_path) -> Callable[..., SamlIdp]:
    """start(accounts, *, port=0) -> a running SamlIdp; every one started is stopped at teardown."""
    started: list[SamlIdp] = []

    def _start(accounts: list[dict[str, Any]], *, port: int = 0) -> SamlIdp:
        idp = start_saml_idp(tmp_path, accounts, port=port)
        started.append(idp)
        return idp

    yield _start
    for idp in started:
        idp.stop()
