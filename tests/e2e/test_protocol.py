"""The JSON 1.1 wire protocol and SigV4, seen through raw HTTP (requests), the way AWS answers."""

from __future__ import annotations

import datetime
import json
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import (
    JSON_CONTENT_TYPE,
    PASSWORD,
    ROOT_ACCESS_KEY_ID,
    ROOT_SECRET_ACCESS_KEY,
    signed_post,
    unsigned_post,
)

T = "AWSCognitoIdentityProviderService."
LIST_POOLS = json.dumps({"MaxResults": 10}).encode()


def assert_aws_error(resp: requests.Response, *types: str, status: int = 400) -> dict:
    assert resp.status_code == status, f"{resp.status_code} {resp.text[:500]}"
    assert resp.headers.get("x-amzn-RequestId"), "error response without x-amzn-RequestId"
    assert resp.headers.get("Content-Type", "").startswith(JSON_CONTENT_TYPE), resp.headers.get("Content-Type")
    body = resp.json()
    assert body["__type"] in types, body
    assert isinstance(body.get("message"), str), body
    return body


def sign_up_body(client_id: str, **overrides) -> bytes:
    payload = {"ClientId": client_id, "Username": "wire-user", "Password": PASSWORD}
    payload.update(overrides)
    return json.dumps({k: v for k, v in payload.items() if v is not None}).encode()


# --- success -----------------------------------------------------------------------------------


def test_signed_admin_call_succeeds_with_request_id_and_json_content_type(server):
    resp = signed_post(server.endpoint, T + "ListUserPools", LIST_POOLS)
    assert resp.status_code == 200, resp.text
    assert resp.headers.get("x-amzn-RequestId")
    assert resp.headers["Content-Type"].startswith(JSON_CONTENT_TYPE)
    assert isinstance(resp.json()["UserPools"], list)


def test_request_ids_differ_between_requests(server):
    a = signed_post(server.endpoint, T + "ListUserPools", LIST_POOLS)
    b = signed_post(server.endpoint, T + "ListUserPools", LIST_POOLS)
    assert a.headers["x-amzn-RequestId"] != b.headers["x-amzn-RequestId"]


def test_unsigned_public_operation_is_accepted(server, app):
    resp = unsigned_post(server.endpoint, T + "SignUp", sign_up_body(app.client_id,
                         UserAttributes=[{"Name": "email", "Value": "wire@example.com"}]))
    assert resp.status_code == 200, resp.text
    assert resp.json()["UserConfirmed"] is False


# --- authentication failures -------------------------------------------------------------------


def test_unsigned_admin_call_is_missing_authentication_token(server):
    resp = unsigned_post(server.endpoint, T + "ListUserPools", LIST_POOLS)
    assert_aws_error(resp, "MissingAuthenticationTokenException")


def test_unsigned_pooldesk_extension_call_is_missing_authentication_token(server, app):
    resp = unsigned_post(server.endpoint, "PoolDesk.ListMessages", json.dumps({"UserPoolId": app.pool_id}).encode())
    assert_aws_error(resp, "MissingAuthenticationTokenException")


def test_unknown_access_key_is_unrecognized_client(server):
    resp = signed_post(
        server.endpoint, T + "ListUserPools", LIST_POOLS, access_key="AKIAUNKNOWNKEY000000", secret_key="whatever"
    )
    assert_aws_error(resp, "UnrecognizedClientException")


def test_wrong_secret_is_invalid_signature(server):
    resp = signed_post(
        server.endpoint, T + "ListUserPools", LIST_POOLS,
        access_key=ROOT_ACCESS_KEY_ID, secret_key=ROOT_SECRET_ACCESS_KEY + "x",
    )
    assert_aws_error(resp, "InvalidSignatureException")


def test_body_changed_after_signing_is_invalid_signature(server):
    url = server.endpoint + "/"
    req = AWSRequest(method="POST", url=url, data=LIST_POOLS,
                     headers={"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": T + "ListUserPools"})
    SigV4Auth(Credentials(ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY), "cognito-idp", "us-east-1").add_auth(req)
    resp = requests.post(url, data=json.dumps({"MaxResults": 11}).encode(), headers=dict(req.headers.items()), timeout=30)
    assert_aws_error(resp, "InvalidSignatureException")


def test_signature_from_16_minutes_ago_is_rejected(server):
    stale = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=16)
    resp = signed_post(server.endpoint, T + "ListUserPools", LIST_POOLS, signed_at=stale)
    assert_aws_error(resp, "InvalidSignatureException")


def test_signature_from_16_minutes_ahead_is_rejected(server):
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=16)
    resp = signed_post(server.endpoint, T + "ListUserPools", LIST_POOLS, signed_at=future)
    assert_aws_error(resp, "InvalidSignatureException")


def test_signature_with_a_small_clock_skew_is_accepted(server):
    skewed = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=2)
    resp = signed_post(server.endpoint, T + "ListUserPools", LIST_POOLS, signed_at=skewed)
    assert resp.status_code == 200, resp.text[:500]


def test_garbled_authorization_header_is_rejected(server):
    resp = requests.post(
        server.endpoint + "/", data=LIST_POOLS, timeout=30,
        headers={"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": T + "ListUserPools",
                 "Authorization": "AWS4-HMAC-SHA256 garbage", "X-Amz-Date": "20240101T000000Z"},
    )
    assert_aws_error(resp, "IncompleteSignatureException", "InvalidSignatureException")


# --- request validation ------------------------------------------------------------------------


def test_malformed_json_on_a_public_operation_is_a_serialization_error(server):
    resp = unsigned_post(server.endpoint, T + "SignUp", b'{"ClientId": "abc", "Username": ')
    assert_aws_error(resp, "SerializationException")


def test_non_object_json_body_is_a_serialization_error(server):
    resp = unsigned_post(server.endpoint, T + "SignUp", b"[1, 2, 3]")
    assert_aws_error(resp, "SerializationException")


def test_unknown_operation_is_unknown_operation(server):
    resp = signed_post(server.endpoint, T + "NoSuchOp", b"{}")
    assert_aws_error(resp, "UnknownOperationException")


def test_unknown_target_prefix_is_unknown_operation(server):
    resp = signed_post(server.endpoint, "NoSuchService.ListUserPools", LIST_POOLS)
    assert_aws_error(resp, "UnknownOperationException")


def test_missing_required_member_is_invalid_parameter(server, app):
    resp = unsigned_post(server.endpoint, T + "SignUp", sign_up_body(app.client_id, Password=None))
    assert_aws_error(resp, "InvalidParameterException")


def test_wrong_member_type_is_a_serialization_error(server, app):
    """Cognito: "class ...TruncatingBigNumber can not be converted to an String"."""
    resp = unsigned_post(server.endpoint, T + "SignUp", json.dumps(
        {"ClientId": 123, "Username": "wire-user", "Password": PASSWORD}).encode())
    assert_aws_error(resp, "SerializationException")


def test_over_length_username_is_invalid_parameter(server, app):
    resp = unsigned_post(server.endpoint, T + "SignUp", sign_up_body(app.client_id, Username="u" * 200))
    assert_aws_error(resp, "InvalidParameterException")


def test_out_of_range_integer_is_invalid_parameter(server):
    resp = signed_post(server.endpoint, T + "ListUserPools", json.dumps({"MaxResults": 0}).encode())
    assert_aws_error(resp, "InvalidParameterException")


def test_unknown_enum_value_is_invalid_parameter(server, app):
    resp = unsigned_post(server.endpoint, T + "InitiateAuth", json.dumps(
        {"ClientId": app.client_id, "AuthFlow": "NOT_A_FLOW", "AuthParameters": {}}).encode())
    assert_aws_error(resp, "InvalidParameterException")


def test_empty_body_on_an_admin_operation_is_a_missing_member(server):
    resp = signed_post(server.endpoint, T + "DescribeUserPool", b"")
    assert_aws_error(resp, "InvalidParameterException")


def test_modeled_error_has_request_id_and_json_content_type(server, app):
    resp = signed_post(server.endpoint, T + "AdminGetUser",
                       json.dumps({"UserPoolId": app.pool_id, "Username": "ghost"}).encode())
    assert_aws_error(resp, "UserNotFoundException")


@pytest.mark.parametrize("body", [b"\xff\xfe\x00", b"{" * 5000, b'{"ClientId": "\\ud800"}'],
                         ids=["not-utf8", "deep-nesting", "lone-surrogate"])
def test_hostile_bodies_never_cause_a_500(server, body):
    resp = unsigned_post(server.endpoint, T + "SignUp", body)
    assert 400 <= resp.status_code < 500, f"{resp.status_code} {resp.text[:500]}"
    assert resp.headers.get("x-amzn-RequestId")
    assert "__type" in resp.json()


def test_browsers_may_call_the_api_from_any_origin(server, anon_idp):
    """Browser apps (Amplify, amazon-cognito-identity-js) call Cognito across origins: the
    preflight allows the headers the SDKs send, and answers are readable (with their error
    type) by any origin. No cookie is ever involved, so no credentials are allowed."""
    asked = "content-type,x-amz-target,x-amz-user-agent"
    pre = requests.options(
        f"{server.endpoint}/",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": asked},
        timeout=10,
    )
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert pre.headers["Access-Control-Allow-Headers"] == asked
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in pre.headers
    resp = requests.post(
        f"{server.endpoint}/",
        data=b'{"ClientId": "nosuchclient"}',
        headers={"Origin": "https://app.example.com", "Content-Type": "application/x-amz-json-1.1",
                 "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"},
        timeout=10,
    )
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "x-amzn-errortype" in resp.headers["Access-Control-Expose-Headers"]
