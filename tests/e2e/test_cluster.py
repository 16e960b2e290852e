"""Several `pooldesk serve` processes on one PostgreSQL database behave as one server.

Each test starts its own servers (tests/e2e/cluster.py: PostgreSQL from Debian's packages,
HAProxy in front) and talks to each server directly where it matters which one answers: a flow
begun on one is finished on the other, a setting changed through one is used by the other at
once, one server killed under load loses nothing it acknowledged, PostgreSQL restarted under
load gives clear errors and then service again, and a database of a newer schema is refused."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError
from prometheus_client.parser import text_string_to_metric_families
from pycognito.aws_srp import AWSSRP

from cluster import fresh_database, free_port, new_master_key, psql, start_cluster, start_postgres, stop_postgres
from conftest import (
    DEFAULT_AUTH_FLOWS,
    PASSWORD,
    POOLDESK_BIN,
    REPO_ROOT,
    claims,
    error_code,
    idp_client,
    latest_code,
    start_pooldesk,
)

# Starts its own servers and PostgreSQL databases: run once, in the first pass.
pytestmark = pytest.mark.own_servers


@pytest.fixture
def cluster(smtp_sink, tmp_path):
    c = start_cluster(start_pooldesk, smtp_sink, tmp_path)
    yield c
    c.kill()


def clients(c):
    """Admin clients of the first and second server, and an unsigned one of each."""
    a, b = c.servers
    return idp_client(a.endpoint), idp_client(b.endpoint), idp_client(a.endpoint, signed=False), idp_client(b.endpoint, signed=False)


def pool_with_client(idp, **client_params) -> tuple[str, str]:
    pool_id = idp.create_user_pool(PoolName=f"cluster{time.monotonic_ns()}", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    params = {"ExplicitAuthFlows": [*DEFAULT_AUTH_FLOWS, "ALLOW_USER_SRP_AUTH"], **client_params}
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **params)["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def confirmed_user(idp, pool_id: str, username: str) -> None:
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def password_sign_in(anon, client_id: str, username: str) -> dict:
    return anon.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})


def test_the_balancer_alternates_requests_between_the_servers(cluster):
    """HAProxy sends consecutive requests of one keep-alive connection to alternate servers, so
    the suite's flows (run against a cluster with POOLDESK_E2E_CLUSTER) cross servers."""
    session = requests.Session()
    for _ in range(6):
        assert session.get(f"{cluster.endpoint}/health/ready", timeout=5).status_code == 200

    def ready_checks(server) -> float:
        text = requests.get(f"{server.endpoint}/metrics", timeout=5).text
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                if s.name == "pooldesk_requests_total" and s.labels.get("operation") == "/health/ready":
                    return s.value
        return 0.0

    # HAProxy's own health checks hit /health/ready too; the six requests add three to each.
    counts = [ready_checks(s) for s in cluster.servers]
    assert all(n >= 3 for n in counts), counts


def test_a_setting_changed_through_one_server_is_used_by_the_other_at_once(cluster):
    idp_a, idp_b, _, anon_b = clients(cluster)
    pool_id, client_id = pool_with_client(idp_a)
    confirmed_user(idp_a, pool_id, "ana")
    assert "AuthenticationResult" in password_sign_in(anon_b, client_id, "ana")
    for flows, allowed in ((["ALLOW_REFRESH_TOKEN_AUTH"], False), ([*DEFAULT_AUTH_FLOWS], True), (["ALLOW_REFRESH_TOKEN_AUTH"], False)):
        idp_a.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=flows)
        if allowed:
            assert "AuthenticationResult" in password_sign_in(anon_b, client_id, "ana")
        else:
            with pytest.raises(ClientError) as refused:
                password_sign_in(anon_b, client_id, "ana")
            assert error_code(refused.value) == "InvalidParameterException", "the other server used the old setting"
    idp_b.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 20}})
    with pytest.raises(ClientError) as short:
        idp_a.admin_set_user_password(UserPoolId=pool_id, Username="ana", Password=PASSWORD, Permanent=True)
    assert error_code(short.value) == "InvalidPasswordException", "the first server applied the new password policy at once"


def test_flows_begun_on_one_server_finish_on_the_other(cluster, smtp_sink):
    idp_a, idp_b, anon_a, anon_b = clients(cluster)
    pool_id, client_id = pool_with_client(idp_a)
    confirmed_user(idp_b, pool_id, "sam")

    # SRP: the challenge from the first server, the proof to the second.
    srp = AWSSRP(username="sam", password=PASSWORD, pool_id=pool_id, client_id=client_id, client=anon_a)
    challenge = anon_a.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params())
    answer = srp.process_challenge(challenge["ChallengeParameters"], srp.get_auth_params())
    tokens = anon_b.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer)
    access = tokens["AuthenticationResult"]["AccessToken"]
    assert claims(access)["username"] == "sam"
    # Tokens one server signed are accepted by the other, and a refresh works on either.
    assert anon_a.get_user(AccessToken=access)["Username"] == "sam"
    refresh = tokens["AuthenticationResult"]["RefreshToken"]
    again = anon_a.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh})
    assert claims(again["AuthenticationResult"]["AccessToken"])["username"] == "sam"
    # Signing out through one server ends the session for the other.
    anon_b.global_sign_out(AccessToken=access)
    with pytest.raises(ClientError) as revoked:
        anon_a.get_user(AccessToken=access)
    assert error_code(revoked.value) == "NotAuthorizedException"

    # A code sent by one server is confirmed at the other.
    anon_a.sign_up(ClientId=client_id, Username="kim", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "kim@example.com"}])
    code = latest_code(cluster, pool_id, "kim")
    anon_b.confirm_sign_up(ClientId=client_id, Username="kim", ConfirmationCode=code)
    assert idp_a.admin_get_user(UserPoolId=pool_id, Username="kim")["UserStatus"] == "CONFIRMED"
    anon_b.forgot_password(ClientId=client_id, Username="kim")
    reset = latest_code(cluster, pool_id, "kim", min_messages=2)
    anon_a.confirm_forgot_password(ClientId=client_id, Username="kim", ConfirmationCode=reset, Password="N3w-Password!")
    with pytest.raises(ClientError) as used:
        anon_b.confirm_forgot_password(ClientId=client_id, Username="kim", ConfirmationCode=reset, Password="Oth3r-Password!")
    assert error_code(used.value) in ("CodeMismatchException", "ExpiredCodeException"), "a code is used once across servers"

    # Lockout counts failures made on both servers.
    for anon in [anon_a, anon_b] * 3:
        with pytest.raises(ClientError):
            anon.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "sam", "PASSWORD": "Wr0ng-Password!"})
    with pytest.raises(ClientError) as locked:
        password_sign_in(anon_a, client_id, "sam")
    assert "attempts exceeded" in str(locked.value), "five failures across two servers lock the user out"


def test_the_login_page_posted_to_another_server_signs_in(cluster):
    from login_pages import Browser, Page, query_of

    idp_a, idp_b, _, _ = clients(cluster)
    pool_id, client_id = pool_with_client(
        idp_a,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=["http://localhost:3000/callback"],
    )
    confirmed_user(idp_a, pool_id, "lee")
    domain = f"cluster{time.monotonic_ns()}"
    idp_b.create_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    a, b = cluster.servers
    query = f"client_id={client_id}&response_type=code&scope=openid&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&state=s1"
    browser = Browser(a.endpoint)
    page = browser.get(f"{a.endpoint}/domains/{domain}/oauth2/authorize?{query}")
    assert isinstance(page, Page) and page.forms, page
    # The same browser (cookies and CSRF token from the first server) posts to the second.
    browser.origin = b.endpoint
    page.url = page.url.replace(a.endpoint, b.endpoint)
    landed = browser.submit(page, username="lee", password=PASSWORD)
    assert isinstance(landed, str) and landed.startswith("http://localhost:3000/callback"), landed
    code = query_of(landed)["code"]
    token = requests.post(
        f"{a.endpoint}/domains/{domain}/oauth2/token",
        data={"grant_type": "authorization_code", "client_id": client_id, "code": code, "redirect_uri": "http://localhost:3000/callback"},
        timeout=10,
    )
    assert token.status_code == 200, token.text
    assert claims(token.json()["id_token"])["cognito:username"] == "lee"


def test_killing_a_server_under_write_load_loses_nothing_it_acknowledged(cluster):
    idp = idp_client(cluster.endpoint)
    pool_id = idp.create_user_pool(PoolName="load")["UserPool"]["Id"]
    acknowledged: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def writer(n: int) -> None:
        client = idp_client(cluster.endpoint)
        i = 0
        while not stop.is_set():
            name = f"w{n}-{i}"
            i += 1
            try:
                client.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
                acknowledged.append(name)
            except Exception as e:  # noqa: BLE001 (a dropped connection is not acknowledged)
                failures.append(f"{name}: {e}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    before_kill = len(acknowledged)
    cluster.servers[0].kill()
    time.sleep(3.0)
    stop.set()
    for t in threads:
        t.join(30)
    assert before_kill > 0
    assert len(acknowledged) > before_kill + 10, "the other server went on serving after the first was killed"
    survivor = idp_client(cluster.servers[1].endpoint)
    stored = set()
    token = None
    while True:
        page = survivor.list_users(UserPoolId=pool_id, **({"PaginationToken": token} if token else {}))
        stored.update(u["Username"] for u in page["Users"])
        token = page.get("PaginationToken")
        if not token:
            break
    lost = [n for n in acknowledged if n not in stored]
    assert not lost, f"acknowledged but lost: {lost[:10]}"
    assert survivor.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == len(stored)


def test_postgres_restarted_under_load_gives_clear_errors_then_service_again(smtp_sink, tmp_path):
    # Outside pytest's owner-only directory: as root the cluster runs as the `postgres` user.
    pg_dir = Path(tempfile.mkdtemp(prefix="pooldesk-e2e-restart-", dir="/tmp"))
    pg_dir.chmod(0o755)
    admin = start_postgres(pg_dir)
    port = admin.rsplit(":", 1)[1].split("/")[0]
    stop = threading.Event()
    outcomes: list[str] = []
    thread = None
    try:
        database = fresh_database("restart", admin)
        srv = start_pooldesk(database, smtp_sink, tmp_path / "logs", env={"POOLDESK_MASTER_KEY": new_master_key()})
        idp = idp_client(srv.endpoint)
        pool_id = idp.create_user_pool(PoolName="restart")["UserPool"]["Id"]
        idp.admin_create_user(UserPoolId=pool_id, Username="rita", MessageAction="SUPPRESS")

        def reader() -> None:
            # One attempt per call (the suite's clients never retry): every answer is recorded.
            client = idp_client(srv.endpoint)
            while not stop.is_set():
                try:
                    client.admin_get_user(UserPoolId=pool_id, Username="rita")
                    outcomes.append("ok")
                except ClientError as e:
                    outcomes.append(error_code(e))
                time.sleep(0.01)

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        time.sleep(0.5)
        stop_postgres(pg_dir)
        time.sleep(1.0)
        started = time.monotonic()
        ready = requests.get(f"{srv.endpoint}/health/ready", timeout=10)
        assert ready.status_code == 503, "not ready while the database is down"
        assert time.monotonic() - started < 3, "the readiness check answers promptly while the database is down"
        time.sleep(3.5)
        down = len(outcomes)
        restarted = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "postgres.sh"), "start", str(pg_dir), "", port],
                                   capture_output=True, text=True, timeout=60)
        assert restarted.returncode == 0, restarted.stderr
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and outcomes[-5:] != ["ok"] * 5:
            time.sleep(0.1)
        stop.set()
        thread.join(10)
        assert srv.proc.poll() is None, "the server stayed up"
        errors = set(outcomes[:down]) - {"ok"}
        assert errors and errors <= {"InternalErrorException"}, f"clear errors while the database was down: {errors}"
        assert outcomes[-5:] == ["ok"] * 5, f"service again without restarting PoolDesk: {outcomes[-20:]}"
        assert requests.get(f"{srv.endpoint}/health/ready", timeout=5).status_code == 200
        srv.stop()
    finally:
        stop.set()
        subprocess.run(["bash", str(REPO_ROOT / "scripts" / "postgres.sh"), "stop", str(pg_dir)], capture_output=True, timeout=60)
        shutil.rmtree(pg_dir, ignore_errors=True)


def test_a_server_refuses_a_database_of_a_newer_schema(smtp_sink, tmp_path):
    database = fresh_database("newer")
    key = new_master_key()
    start_pooldesk(database, smtp_sink, tmp_path / "first", env={"POOLDESK_MASTER_KEY": key}).stop()
    psql(database, "UPDATE pooldesk_schema SET version = version + 1")
    proc = subprocess.run(
        [POOLDESK_BIN, "serve", "--db", database, "--listen", f"127.0.0.1:{free_port()}"],
        env={"POOLDESK_MASTER_KEY": key, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode != 0
    assert "newer than this PoolDesk knows" in proc.stderr, proc.stderr


def test_a_shared_database_needs_a_given_master_key_and_metrics_show_the_connections(cluster, tmp_path):
    proc = subprocess.run([POOLDESK_BIN, "keys", "list", "--db", cluster.db_path], env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0 and "POOLDESK_MASTER_KEY" in proc.stderr, proc.stderr
    listed = subprocess.run([POOLDESK_BIN, "keys", "list", "--db", cluster.db_path], env={"PATH": "/usr/bin:/bin", **cluster.env},
                            capture_output=True, text=True, timeout=30)
    assert listed.returncode == 0, listed.stderr
    text = requests.get(f"{cluster.servers[0].endpoint}/metrics", timeout=5).text
    gauges = {s.labels["state"]: s.value for f in text_string_to_metric_families(text) for s in f.samples if s.name == "pooldesk_database_connections"}
    assert gauges["max"] == 32 and 1 <= gauges["open"] <= 32 and gauges["idle"] <= gauges["open"], gauges
    assert "postgres://pooldesk@127.0.0.1" in cluster.servers[0].stdout_lines[-1] or any("database postgres://" in l for l in cluster.servers[0].stdout_lines)
