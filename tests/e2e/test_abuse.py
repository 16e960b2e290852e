"""Abuse resistance: rate limits on the public (unsigned) operations, per source address and
per app client, answered with TooManyRequestsException; admin operations are not limited; and
slow clients (slowloris) are cut off after 10 seconds while everyone else is served.

On Linux all of 127.0.0.0/8 is loopback, so binding 127.0.0.2 / 127.0.0.3 as the source
address makes a request come from "another address" for the server."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import threading
import time
from types import SimpleNamespace

import boto3
import botocore
import pytest
import requests
from botocore.exceptions import ClientError

from conftest import (
    DEFAULT_AUTH_FLOWS,
    IDP_TARGET_PREFIX,
    JSON_CONTENT_TYPE,
    PASSWORD,
    POOLDESK_BIN,
    REGION,
    _config,
    error_code,
    idp_client,
    start_pooldesk,
    unique_name,
)

# Starts its own servers on SQLite files: run once, in the SQLite pass (the cluster pass,
# POOLDESK_E2E_CLUSTER, leaves it out).
pytestmark = pytest.mark.own_servers

INITIATE_AUTH = f"{IDP_TARGET_PREFIX}.InitiateAuth"
GET_USER = f"{IDP_TARGET_PREFIX}.GetUser"
THROTTLED = "TooManyRequestsException"
# How long a slow client may hold a connection: the server's 10 s, plus scheduling slack.
CUT_OFF_AFTER_S = 10.0
CUT_OFF_SLACK_S = 3.0
WATCH_S = CUT_OFF_AFTER_S + CUT_OFF_SLACK_S + 1.0


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def host_port(endpoint: str) -> tuple[str, int]:
    host, port = endpoint.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def public_post(endpoint: str, target: str, payload: dict, source: str = "127.0.0.1",
                headers: dict | None = None) -> tuple[int, dict]:
    """An unsigned JSON 1.1 request from the source address `source`."""
    host, port = host_port(endpoint)
    conn = http.client.HTTPConnection(host, port, timeout=30, source_address=(source, 0))
    try:
        conn.request("POST", "/", body=json.dumps(payload).encode(),
                     headers={"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": target, **(headers or {})})
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    try:
        body = json.loads(data) if data else {}
    except ValueError:
        body = {"__raw": data.decode("utf-8", "replace")}
    return resp.status, body


def is_throttled(status: int, body: dict) -> bool:
    return status == 400 and body.get("__type") == THROTTLED


def cheap_sign_in(client_id: str) -> dict:
    """An InitiateAuth the server answers at once (no password to hash): the limiter counts
    it like any other sign-in attempt."""
    return {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "nobody"}}


def burst(endpoint: str, payloads: list[tuple[dict, str]]) -> tuple[int, int, float]:
    """Sends InitiateAuth requests (payload, source) back to back; (admitted, throttled, seconds)."""
    admitted = throttled = 0
    began = time.monotonic()
    for payload, source in payloads:
        status, body = public_post(endpoint, INITIATE_AUTH, payload, source)
        if is_throttled(status, body):
            throttled += 1
        else:
            admitted += 1
    return admitted, throttled, time.monotonic() - began


def app_in(srv) -> SimpleNamespace:
    """A pool with an app client and a confirmed user `victim`, on `srv`."""
    idp = idp_client(srv.endpoint)
    pool_id = idp.create_user_pool(PoolName=unique_name("abuse"))["UserPool"]["Id"]
    client_ids = [
        idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=unique_name("abuse-client"), ExplicitAuthFlows=list(DEFAULT_AUTH_FLOWS)
        )["UserPoolClient"]["ClientId"]
        for _ in range(2)
    ]
    idp.admin_create_user(UserPoolId=pool_id, Username="victim", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="victim", Password=PASSWORD, Permanent=True)
    return SimpleNamespace(idp=idp, pool_id=pool_id, client_id=client_ids[0], other_client_id=client_ids[1])


def limited(private_servers, value: str | None, **env: str | None):
    """A private server with `--rate-limits value` (or none given)."""
    return private_servers(args=["--rate-limits", value] if value else [], env={"POOLDESK_RATE_LIMITS": None, **env})


# ---------------------------------------------------------------------------------------------
# Rate limits
# ---------------------------------------------------------------------------------------------


def test_one_address_gets_a_burst_then_is_throttled_and_recovers(private_servers):
    """With source=2, an address gets a burst of 4 sign-in attempts, then
    TooManyRequestsException (also what boto3 reports, and whatever X-Forwarded-For claims);
    another address is still served, other public operations are not held up, and after a
    pause the address is served again."""
    srv = limited(private_servers, "source=2,client=0")
    app = app_in(srv)
    anon = idp_client(srv.endpoint, signed=False)
    admitted, throttled, seconds = burst(srv.endpoint, [(cheap_sign_in(app.client_id), "127.0.0.1")] * 20)
    assert admitted >= 4, f"only {admitted} of 20 admitted: the burst is twice the rate"
    assert admitted <= 4 + 2 * seconds + 1, f"{admitted} admitted in {seconds:.2f}s at 2/s with a burst of 4"
    assert throttled > 0

    # A password guess, as an SDK sends it, is refused without being tried.
    with pytest.raises(ClientError) as e:
        anon.initiate_auth(ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
                           AuthParameters={"USERNAME": "victim", "PASSWORD": "guess-1234!A"})
    assert error_code(e.value) == THROTTLED
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    status, body = public_post(srv.endpoint, INITIATE_AUTH, cheap_sign_in(app.client_id),
                               headers={"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"})
    assert is_throttled(status, body), "a forwarded-for header must not buy a fresh allowance"

    status, body = public_post(srv.endpoint, INITIATE_AUTH,
                               {"ClientId": app.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                "AuthParameters": {"USERNAME": "victim", "PASSWORD": PASSWORD}}, source="127.0.0.2")
    assert status == 200 and body["AuthenticationResult"]["AccessToken"], (status, body)
    status, body = public_post(srv.endpoint, GET_USER, {"AccessToken": "not-a-token"})
    assert not is_throttled(status, body), "other public operations have their own, larger allowance"

    time.sleep(1.0)  # 2/s: two attempts back
    status, body = public_post(srv.endpoint, INITIATE_AUTH,
                               {"ClientId": app.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                "AuthParameters": {"USERNAME": "victim", "PASSWORD": PASSWORD}})
    assert status == 200, (status, body)


def test_one_app_client_is_limited_across_addresses(private_servers):
    """With client=3, an app client gets a burst of 6 sign-in attempts per second in total,
    however many addresses they come from; another app client is not affected."""
    srv = limited(private_servers, "source=1000,client=3")
    app = app_in(srv)
    sources = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    admitted, throttled, seconds = burst(
        srv.endpoint, [(cheap_sign_in(app.client_id), sources[n % 3]) for n in range(30)]
    )
    assert admitted >= 6, f"only {admitted} of 30 admitted"
    assert admitted <= 6 + 3 * seconds + 1, f"{admitted} admitted in {seconds:.2f}s for one client at 3/s"
    assert throttled > 0
    status, body = public_post(srv.endpoint, INITIATE_AUTH, cheap_sign_in(app.client_id), source="127.0.0.4")
    assert is_throttled(status, body), "a new address does not get the client a new allowance"
    status, body = public_post(srv.endpoint, INITIATE_AUTH, cheap_sign_in(app.other_client_id))
    assert not is_throttled(status, body), (status, body)


def test_admin_operations_are_never_throttled(private_servers):
    """Signed admin calls, even sign-ins on a user's behalf, are not counted against the
    public limits (which are in force on this server)."""
    srv = limited(private_servers, "source=1,client=1")
    app = app_in(srv)
    for _ in range(15):
        app.idp.list_user_pools(MaxResults=5)
        app.idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=app.client_id)
        app.idp.admin_get_user(UserPoolId=app.pool_id, Username="victim")
    for _ in range(4):
        tokens = app.idp.admin_initiate_auth(
            UserPoolId=app.pool_id, ClientId=app.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "victim", "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        assert tokens["AccessToken"]
    admitted, throttled, _ = burst(srv.endpoint, [(cheap_sign_in(app.client_id), "127.0.0.1")] * 5)
    assert throttled > 0, "the public limit is in force on this server"


def test_rate_limits_off_never_throttle(private_servers):
    """`--rate-limits off`: 200 sign-in attempts from one address for one client, all served."""
    srv = limited(private_servers, "off")
    app = app_in(srv)
    session = requests.Session()
    throttled = 0
    for _ in range(200):
        resp = session.post(srv.endpoint + "/", data=json.dumps(cheap_sign_in(app.client_id)),
                            headers={"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": INITIATE_AUTH}, timeout=30)
        throttled += resp.status_code == 400 and resp.json().get("__type") == THROTTLED
    assert throttled == 0


def test_default_limits_stop_a_flood_from_one_address(private_servers):
    """Without any setting (source=50: a burst of 100), a flood of 300 attempts is cut down."""
    srv = limited(private_servers, None)
    app = app_in(srv)
    session = requests.Session()
    admitted = 0
    began = time.monotonic()
    for _ in range(300):
        resp = session.post(srv.endpoint + "/", data=json.dumps(cheap_sign_in(app.client_id)),
                            headers={"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": INITIATE_AUTH}, timeout=30)
        admitted += not (resp.status_code == 400 and resp.json().get("__type") == THROTTLED)
    seconds = time.monotonic() - began
    assert 100 <= admitted <= 100 + 50 * seconds + 1, f"{admitted} of 300 admitted in {seconds:.2f}s"


def test_rate_limits_can_be_set_in_the_environment(private_servers):
    """POOLDESK_RATE_LIMITS sets the limits like --rate-limits."""
    srv = private_servers(env={"POOLDESK_RATE_LIMITS": "source=3,client=0"})
    app = app_in(srv)
    admitted, throttled, seconds = burst(srv.endpoint, [(cheap_sign_in(app.client_id), "127.0.0.1")] * 20)
    assert 6 <= admitted <= 6 + 3 * seconds + 1, f"{admitted} admitted in {seconds:.2f}s at 3/s"
    assert throttled > 0


def test_public_sts_calls_are_limited_too(private_servers):
    """AssumeRoleWithWebIdentity is a public operation like the others: an address flooding
    it is throttled once past ten times the sign-in rate (source=1: 10/s, a burst of 20)."""
    srv = limited(private_servers, "source=1,client=0")
    sts = boto3.session.Session().client(
        "sts", region_name=REGION, endpoint_url=srv.endpoint, config=_config(signature_version=botocore.UNSIGNED)
    )
    codes = []
    began = time.monotonic()
    for _ in range(60):
        try:
            sts.assume_role_with_web_identity(
                RoleArn="arn:aws:iam::000000000000:role/x", RoleSessionName="flood", WebIdentityToken="not.a.token"
            )
            codes.append("OK")
        except ClientError as e:
            codes.append(error_code(e))
    seconds = time.monotonic() - began
    refused = [c for c in codes if c in ("Throttling", "ThrottlingException", THROTTLED)]
    assert len(codes) - len(refused) <= 20 + 10 * seconds + 1, f"never throttled in {seconds:.2f}s: {set(codes)}"


@pytest.mark.parametrize("bad", ["source=fast", "source=-1", "speed=3", "source"])
def test_a_bad_rate_limit_setting_stops_the_server(tmp_path, bad):
    """A mistyped --rate-limits (or POOLDESK_RATE_LIMITS) makes `serve` exit with a message,
    instead of running with limits nobody asked for."""
    env = {k: v for k, v in os.environ.items() if k != "POOLDESK_RATE_LIMITS"}
    for args, extra in (
        (["--rate-limits", bad], {}),
        ([], {"POOLDESK_RATE_LIMITS": bad}),
    ):
        try:
            proc = subprocess.run(
                [POOLDESK_BIN, "serve", "--db", str(tmp_path / "db.sqlite"), "--listen", "127.0.0.1:0", *args],
                capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL, env={**env, **extra},
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"pooldesk serve kept running with rate limits {bad!r}")
        assert proc.returncode != 0, proc.stdout
        assert "rate" in proc.stderr.lower(), proc.stderr
        assert "listening" not in proc.stdout


# ---------------------------------------------------------------------------------------------
# Slow clients
# ---------------------------------------------------------------------------------------------


def watch(sock: socket.socket, began: float, until: float) -> dict:
    """Reads until the server closes the connection (or `until`); what happened and when."""
    data = b""
    while time.monotonic() < until:
        sock.settimeout(max(0.05, until - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except OSError:
            return {"closed_after": time.monotonic() - began, "response": data}
        if not chunk:
            return {"closed_after": time.monotonic() - began, "response": data}
        data += chunk
    return {"closed_after": None, "response": data}


def trickle(sock: socket.socket, data: bytes, began: float, until: float) -> dict:
    """Sends `data` one byte a second, watching for the server to answer or hang up."""
    answer = b""
    for byte in data:
        if time.monotonic() >= until:
            break
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return {"closed_after": time.monotonic() - began, "response": answer}
        sock.settimeout(1.0)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return {"closed_after": time.monotonic() - began, "response": answer}
        if not chunk:
            return {"closed_after": time.monotonic() - began, "response": answer}
        answer += chunk
        rest = watch(sock, began, until)
        return {**rest, "response": answer + rest["response"]}
    return {"closed_after": None, "response": answer}


def request_head(content_length: int) -> bytes:
    return (
        f"POST / HTTP/1.1\r\nHost: pooldesk\r\nContent-Type: {JSON_CONTENT_TYPE}\r\n"
        f"X-Amz-Target: {INITIATE_AUTH}\r\nContent-Length: {content_length}\r\n\r\n"
    ).encode()


SLOW_CLIENTS = {
    # Connects and never sends a byte.
    "silent": lambda s, began, until: watch(s, began, until),
    # Sends its request line and headers one byte a second, never finishing them.
    "slow headers": lambda s, began, until: trickle(s, b"POST / HTTP/1.1\r\nHost: pooldesk\r\nX-Padding: " + b"x" * 64,
                                                    began, until),
    # Sends its headers, then 20 of the 200 body bytes it announced, then nothing.
    "stalled body": lambda s, began, until: (s.sendall(request_head(200) + b'{"ClientId": "abc", '),
                                             watch(s, began, until))[1],
    # Sends its headers, then the body one byte a second.
    "slow body": lambda s, began, until: (s.sendall(request_head(200)),
                                          trickle(s, b'{"ClientId": "abc"' + b" " * 182, began, until))[1],
}


@pytest.fixture(scope="module")
def slowloris(smtp_sink, tmp_path_factory):
    """A server under a slowloris attack: every kind of slow client (plus 20 more silent
    connections) at once, while a well-behaved client calls a public and an admin operation
    every half second. Tests read what happened to each (all run in the same ~14 s)."""
    workdir = tmp_path_factory.mktemp("slowloris")
    srv = start_pooldesk(workdir / "db.sqlite", smtp_sink, workdir / "logs", env={"POOLDESK_RATE_LIMITS": None})
    idp = idp_client(srv.endpoint)
    pool_id = idp.create_user_pool(PoolName=unique_name("slowloris"))["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=list(DEFAULT_AUTH_FLOWS)
    )["UserPoolClient"]["ClientId"]
    host, port = host_port(srv.endpoint)
    results: dict[str, dict] = {}
    probes: list[tuple[str, float, bool]] = []
    extra = [socket.create_connection((host, port), timeout=5) for _ in range(20)]

    def run(name: str, behave) -> None:
        sock = socket.create_connection((host, port), timeout=5)
        began = time.monotonic()
        try:
            results[name] = behave(sock, began, began + WATCH_S)
        except Exception as e:  # noqa: BLE001 (reported by the test that reads it)
            results[name] = {"error": repr(e)}
        finally:
            sock.close()

    def probe() -> None:
        until = time.monotonic() + WATCH_S
        while time.monotonic() < until:
            t = time.monotonic()
            status, body = public_post(srv.endpoint, INITIATE_AUTH, cheap_sign_in(client_id))
            probes.append(("public", time.monotonic() - t, status == 400 and body.get("__type") == "InvalidParameterException"))
            t = time.monotonic()
            try:
                ok = "UserPools" in idp.list_user_pools(MaxResults=1)
            except Exception:  # noqa: BLE001
                ok = False
            probes.append(("admin", time.monotonic() - t, ok))
            time.sleep(0.5)

    threads = [threading.Thread(target=run, args=(name, behave), daemon=True) for name, behave in SLOW_CLIENTS.items()]
    threads.append(threading.Thread(target=probe, daemon=True))
    for t in threads:
        t.start()

    def result(name: str) -> dict:
        for t in threads:
            t.join(WATCH_S + 10)
        return results[name]

    yield SimpleNamespace(srv=srv, result=result, probes=probes)
    for s in extra:
        s.close()
    srv.stop()


def assert_cut_off(outcome: dict, what: str) -> None:
    """Disconnected about 10 s in (not much sooner: a slow but honest client gets its 10 s),
    never answered with success; an error answer before closing is fine."""
    assert "error" not in outcome, outcome
    after = outcome["closed_after"]
    assert after is not None, f"a client with {what} still held its connection after {WATCH_S:.0f}s"
    assert after >= CUT_OFF_AFTER_S - 2, f"a client with {what} was cut off after only {after:.1f}s"
    assert after <= CUT_OFF_AFTER_S + CUT_OFF_SLACK_S, f"a client with {what} was cut off only after {after:.1f}s"
    if outcome["response"]:
        assert outcome["response"].startswith(b"HTTP/1.1 4"), outcome["response"][:200]


def test_a_connection_that_never_sends_a_request_is_closed(slowloris):
    """A client that connects and sends nothing does not hold the connection past ~10 s."""
    assert_cut_off(slowloris.result("silent"), "no request at all")


def test_headers_trickled_byte_by_byte_are_cut_off(slowloris):
    """A client still sending its headers after 10 s is disconnected."""
    assert_cut_off(slowloris.result("slow headers"), "unfinished headers")


def test_a_body_that_stops_coming_is_cut_off(slowloris):
    """A request whose body stops halfway gets an error and a closed connection after ~10 s."""
    assert_cut_off(slowloris.result("stalled body"), "a half-sent body")


def test_a_body_trickled_byte_by_byte_is_cut_off(slowloris):
    """A request whose body is not all there 10 s after it began is refused and disconnected,
    however regularly its bytes drip in."""
    assert_cut_off(slowloris.result("slow body"), "a body sent one byte a second")


def test_other_clients_are_served_while_slow_clients_hang_on(slowloris):
    """During the attack, public and admin calls of a well-behaved client answer promptly."""
    slowloris.result("silent")
    probes = slowloris.probes
    assert len(probes) >= 2 * 8, f"only {len(probes)} calls made during the attack"
    failed = [p for p in probes if not p[2]]
    assert not failed, failed[:5]
    slow = [p for p in probes if p[1] > 2.0]
    assert not slow, f"calls took over 2 s during the attack: {slow[:5]}"
