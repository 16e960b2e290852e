"""Bad input, derived from the AWS models, sent to every operation of both Cognito services.

What a client relies on: whatever it sends (a missing or wrongly typed member, a value outside
the model's limits, an unknown enum value, a body that is not JSON at all, a hostile one), the
server answers quickly with a 4xx and a JSON error whose `__type` is one the model lists for
that operation (or SerializationException, which Cognito answers for a body it cannot read), so
SDKs can turn it into the exception they document. Never a 5xx, never a hang,
never an error the SDK does not know.

The models are botocore's (`crates/wire/models/<service>.service-2.json`, as tools/gen_wire.py
reads them). For each operation a "valid-looking" baseline body is built (required members
only, each the smallest value its shape allows) and then broken one way at a time; every
request is SigV4-signed with the root key so that authentication is never why it is refused.
Each operation is one test that reports all of its failing cases together.
"""

from __future__ import annotations

import json

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import (
    JSON_CONTENT_TYPE,
    REGION,
    ROOT_ACCESS_KEY_ID,
    ROOT_SECRET_ACCESS_KEY,
)
from models import IDENTITY, IDP, Service, cases

TIMEOUT_S = 10.0
ONE_MIB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# Sending and judging
# ---------------------------------------------------------------------------------------------

CREDENTIALS = Credentials(ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY)

# Errors every JSON operation may answer though no operation lists them: a body that is not
# JSON, or has a member of the wrong JSON type, is a SerializationException at Cognito.
COMMON_ERRORS = {"SerializationException"}


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


def post(session: requests.Session, endpoint: str, svc: Service, op: str, body: bytes) -> requests.Response:
    url = endpoint + "/"
    req = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": f"{svc.target_prefix}.{op}"},
    )
    SigV4Auth(CREDENTIALS, svc.signing_name, REGION).add_auth(req)
    return session.post(url, data=body, headers=dict(req.headers.items()), timeout=TIMEOUT_S)


def error_type(resp: requests.Response) -> str | None:
    """The response's `__type` without any namespace prefix, or None if it has none."""
    try:
        body = resp.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("__type"), str):
        return None
    return body["__type"].rsplit("#", 1)[-1]


def problem(resp: requests.Response, listed: set[str]) -> str | None:
    """What is wrong with the answer to a bad request, or None if it is right."""
    if not 400 <= resp.status_code < 500:
        return f"HTTP {resp.status_code}, expected a 4xx"
    kind = error_type(resp)
    if kind is None:
        return "the body is not a JSON error with a __type"
    if kind not in listed | COMMON_ERRORS:
        return f"__type {kind!r} is not an error the model lists for the operation"
    return None


def check_operation(server, http, svc: Service, op: str) -> None:
    listed = svc.errors(op)
    failures = []
    for desc, body in cases(svc, op):
        try:
            resp = post(http, server.endpoint, svc, op, body)
        except requests.Timeout:
            failures.append(f"{op} [{desc}]: hang, no answer within {TIMEOUT_S:.0f} s")
            continue
        except requests.ConnectionError as exc:
            failures.append(f"{op} [{desc}]: connection error {exc}")
            if server.proc.poll() is not None:
                pytest.fail(f"pooldesk died (exit {server.proc.returncode}) on {op} [{desc}]\n" + "\n".join(failures))
            continue
        why = problem(resp, listed)
        if why:
            failures.append(f"{op} [{desc}]: {why}: HTTP {resp.status_code} {resp.text[:300]}")
    assert not failures, f"{len(failures)} bad requests to {op} were mishandled:\n" + "\n".join(failures)


@pytest.mark.parametrize("op", sorted(IDP.operations))
def test_user_pool_operation_refuses_bad_input_with_a_listed_error(server, http, op):
    """Every cognito-idp operation answers malformed input with a 4xx its SDK exception knows."""
    check_operation(server, http, IDP, op)


@pytest.mark.parametrize("op", sorted(IDENTITY.operations))
def test_identity_pool_operation_refuses_bad_input_with_a_listed_error(server, http, op):
    """Every cognito-identity operation answers malformed input with a 4xx its SDK exception knows."""
    check_operation(server, http, IDENTITY, op)


def test_body_over_one_mib_is_413_and_the_server_carries_on(server):
    """An oversized body is refused with a JSON error, and the server keeps serving."""
    body = json.dumps({"MaxResults": 10, "Junk": "A" * ONE_MIB}).encode()
    with requests.Session() as session:
        resp = post(session, server.endpoint, IDP, "ListUserPools", body)
    assert resp.status_code == 413, f"{resp.status_code} {resp.text[:300]}"
    assert error_type(resp) is not None, resp.text[:300]
    with requests.Session() as session:
        after = post(session, server.endpoint, IDP, "ListUserPools", json.dumps({"MaxResults": 10}).encode())
    assert after.status_code == 200, f"{after.status_code} {after.text[:300]}"
    assert isinstance(after.json()["UserPools"], list)
