"""What operators and load balancers ask a server: `/health/live`, `/health/ready` (the
database answers), `/metrics` in Prometheus' text format (parsed with the Prometheus project's
own OpenMetrics parser), and `--trusted-proxy`, the only way X-Forwarded-For is believed."""

from __future__ import annotations

import uuid

import pytest
import requests
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from conftest import PASSWORD, sign_in

TARGET = "AWSCognitoIdentityProviderService."


def samples(endpoint: str) -> dict[tuple[str, tuple], float]:
    resp = requests.get(f"{endpoint}/metrics", timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/openmetrics-text")
    found = {}
    for family in text_string_to_metric_families(resp.text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_health_says_live_and_ready(server):
    live = requests.get(f"{server.endpoint}/health/live", timeout=10)
    assert live.status_code == 200 and live.json() == {"status": "live"}
    ready = requests.get(f"{server.endpoint}/health/ready", timeout=10)
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


@pytest.mark.single_server  # counts one process's requests
def test_metrics_count_requests_by_operation_and_outcome_and_sign_ins(server, idp, anon_idp):
    before = samples(server.endpoint)
    pool_id = idp.create_user_pool(PoolName=f"metrics-{uuid.uuid4().hex[:6]}")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="mia", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="mia", Password=PASSWORD, Permanent=True)
    tokens = sign_in(anon_idp, client_id, "mia", PASSWORD)
    anon_idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    with pytest.raises(Exception):
        sign_in(anon_idp, client_id, "mia", "Wrong-Passw0rd!")
    requests.post(server.endpoint + "/", data="{}", headers={"X-Amz-Target": "Made.Up", "Content-Type": "application/x-amz-json-1.1"}, timeout=10)
    after = samples(server.endpoint)

    grew = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert grew("pooldesk_requests_total", operation=TARGET + "CreateUserPool", outcome="200") == 1
    assert grew("pooldesk_requests_total", operation=TARGET + "InitiateAuth", outcome="200") == 2
    assert grew("pooldesk_requests_total", operation=TARGET + "InitiateAuth", outcome="NotAuthorizedException") == 1
    assert grew("pooldesk_requests_total", operation="unknown", outcome="UnknownOperationException") == 1, \
        "a made-up target is counted as unknown, never under its own name"
    assert not any(labels and ("operation", "Made.Up") in labels for _, labels in after)
    assert grew("pooldesk_sign_ins_total") == 1, "a refresh and a failure are not sign-ins"
    assert grew("pooldesk_request_duration_seconds_count", operation=TARGET + "InitiateAuth") == 3
    assert value(after, "pooldesk_request_duration_seconds_bucket", operation=TARGET + "InitiateAuth", le="+Inf") >= 3
    # Documents and login pages count under their route's pattern, not the path asked for.
    requests.get(f"{server.endpoint}/{pool_id}/.well-known/jwks.json", timeout=10)
    jwks = "/{pool_id}/.well-known/jwks.json"
    assert value(samples(server.endpoint), "pooldesk_requests_total", operation=jwks, outcome="200") >= 1


def initiate(endpoint: str, forwarded_for: str | None) -> str:
    """An InitiateAuth for an app client that does not exist: admitted, it fails as
    ResourceNotFoundException; refused by the rate limit, TooManyRequestsException."""
    headers = {"X-Amz-Target": TARGET + "InitiateAuth", "Content-Type": "application/x-amz-json-1.1"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    body = {"ClientId": "nosuchclient0000000000000", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"}}
    return requests.post(endpoint + "/", json=body, headers=headers, timeout=10).json()["__type"]


@pytest.mark.parametrize("trusted", [False, True])
def test_forwarded_for_counts_only_from_a_trusted_proxy(private_servers, tmp_path, trusted):
    args = ["--rate-limits", "source=0.5,client=1000"] + (["--trusted-proxy", "127.0.0.1"] if trusted else [])
    srv = private_servers(tmp_path / "proxy.sqlite", args=args)
    # A burst of one per source: the first call is admitted, the second refused.
    assert initiate(srv.endpoint, "203.0.113.1") == "ResourceNotFoundException"
    assert initiate(srv.endpoint, "203.0.113.1") == "TooManyRequestsException"
    # Another client behind the same proxy has its own limit only when the proxy is trusted.
    expected = "ResourceNotFoundException" if trusted else "TooManyRequestsException"
    assert initiate(srv.endpoint, "203.0.113.2") == expected
    # A client that names itself, left of the proxy's entry, gains nothing.
    assert initiate(srv.endpoint, "203.0.113.99, 203.0.113.2") == "TooManyRequestsException"


def test_probing_unknown_paths_cannot_grow_the_metrics(server):
    """Unknown routes share one label: anyone probing paths cannot grow /metrics without bound."""
    for n in range(5):
        requests.get(f"{server.endpoint}/probe-{n}-{uuid.uuid4().hex}", timeout=10)
    found = samples(server.endpoint)
    assert not any("probe-" in str(labels) for _, labels in found)
    assert value(found, "pooldesk_requests_total", operation="unmatched", outcome="ResourceNotFoundException") >= 5
