"""The operation sweep: every `cognito-idp` operation of the model PoolDesk is built from (the
`Operations` of ui/src/generated/cognito-idp.ts, generated from it) is called, signed, with the
smallest request botocore's model of it allows, and only those PoolDesk does not offer yet
answer UnsupportedOperationException. That list is exact: it shrinks as each is built, and an
operation that stopped answering shows up. Nothing may answer with an internal error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore.session
import pytest

from conftest import IDP_TARGET_PREFIX, signed_post

GENERATED = Path(__file__).resolve().parents[2] / "ui" / "src" / "generated" / "cognito-idp.ts"

# What is left of the Cognito API (issue 27): passkeys, import jobs, sessions, threat
# protection's risk settings and feedback, log delivery, provisioned limits.
NOT_YET = {
    "AdminListUserSessions",
    "AdminRevokeUserSession",
    "AdminUpdateAuthEventFeedback",
    "CompleteWebAuthnRegistration",
    "CreateUserImportJob",
    "DeleteWebAuthnCredential",
    "DescribeRiskConfiguration",
    "DescribeUserImportJob",
    "GetLogDeliveryConfiguration",
    "GetProvisionedLimit",
    "GetUserPoolClientSessionConfiguration",
    "GetUserPoolSessionConfiguration",
    "ListUserImportJobs",
    "ListUserSessions",
    "ListWebAuthnCredentials",
    "RevokeUserSession",
    "SetLogDeliveryConfiguration",
    "SetRiskConfiguration",
    "SetUserPoolClientSessionConfiguration",
    "SetUserPoolSessionConfiguration",
    "StartUserImportJob",
    "StartWebAuthnRegistration",
    "StopUserImportJob",
    "UpdateAuthEventFeedback",
    "UpdateProvisionedLimit",
}


def model_operations() -> list[str]:
    """The operations PoolDesk's wire types were generated for."""
    text = GENERATED.read_text()
    block = text[text.index("export interface Operations {") :]
    block = block[: block.index("\n}\n")]
    return re.findall(r"^  (\w+): \{ input:", block, re.MULTILINE)


def smallest(shape):
    """The smallest value botocore's model of `shape` allows: required members only, the first
    enum value, minimum lengths."""
    kind = shape.type_name
    if kind == "structure":
        return {name: smallest(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        low = shape.metadata.get("min", 0)
        return [smallest(shape.member) for _ in range(low)]
    if kind == "map":
        return {}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        return "x" * max(shape.metadata.get("min", 1), 1)
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return 0
    if kind == "blob":
        return ""
    raise AssertionError(f"no smallest value for a {kind}")


@pytest.mark.own_servers
def test_every_operation_of_the_model_is_offered_but_the_listed_few(private_servers):
    server = private_servers()
    model = botocore.session.get_session().get_service_model("cognito-idp")
    operations = model_operations()
    assert len(operations) == 141, "the operations of the model PoolDesk is built from"
    unsupported, failures = set(), []
    for name in operations:
        request = smallest(model.operation_model(name).input_shape)
        resp = signed_post(server.endpoint, f"{IDP_TARGET_PREFIX}.{name}", json.dumps(request).encode())
        code = resp.json().get("__type", "") if resp.status_code >= 400 else ""
        if code == "UnsupportedOperationException":
            unsupported.add(name)
        if resp.status_code >= 500 or code in ("InternalErrorException", "UnknownOperationException"):
            failures.append(f"{name}: {resp.status_code} {resp.text[:200]}")
    assert failures == []
    assert sorted(unsupported) == sorted(NOT_YET)
