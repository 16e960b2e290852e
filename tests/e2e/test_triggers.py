"""Lambda triggers, called through the AWS Lambda Invoke API as Cognito calls them.

AWS Lambda cannot run here: a stand-in (lambda_stub.py) speaks the Invoke API on loopback,
checks each request's SigV4 signature, and runs the handlers below, written as they would be
deployed (`def handler(event, context)`). PoolDesk finds it as the AWS SDKs would
(`AWS_ENDPOINT_URL_LAMBDA`, credentials from the environment). Each test checks the event
Cognito documents for its trigger source, that the function's answer changes what Cognito says
it changes, and Cognito's errors when a function throws, times out or answers nonsense; the
inspector (`PoolDesk.ListTriggerInvocations`) shows every call."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP, generate_hash_device

from conftest import (
    PASSWORD,
    POOLDESK_BIN,
    attrs,
    claims,
    error_code,
    error_message,
    idp_client,
    latest_code,
    outbox,
    pooldesk_call,
    refresh,
    sign_in,
    start_pooldesk,
)
from lambda_stub import LambdaStub, Raw, function_arn, server_env

REGION = "us-east-1"


@pytest.fixture(scope="module")
def stub():
    s = LambdaStub().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def srv(stub, smtp_sink, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("triggers")
    server = start_pooldesk(workdir / "db.sqlite", smtp_sink, workdir / "logs", env=server_env(stub, workdir))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin(srv):
    return idp_client(srv.endpoint)


@pytest.fixture(scope="module")
def public(srv):
    return idp_client(srv.endpoint, signed=False)


def pool_with(admin, **lambda_config) -> tuple[str, str]:
    """A pool whose LambdaConfig names the given functions (by name: their ARNs are made here),
    with an app client for passwords and refresh."""
    config = {}
    for key, value in lambda_config.items():
        config[key] = {**value, "LambdaArn": function_arn(value["LambdaArn"])} if isinstance(value, dict) else function_arn(value)
    pool = admin.create_user_pool(PoolName=f"triggers-{uuid.uuid4().hex[:8]}", AutoVerifiedAttributes=["email"], LambdaConfig=config)["UserPool"]
    client = admin.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
    )["UserPoolClient"]
    return pool["Id"], client["ClientId"]


def fn(stub: LambdaStub, handler) -> str:
    """Registers `handler` under a fresh function name; returns the name."""
    name = f"fn-{uuid.uuid4().hex[:10]}"
    stub.functions[name] = handler
    return name


def invocations(srv, pool_id: str, **filters) -> list[dict]:
    status, body = pooldesk_call(srv, "ListTriggerInvocations", {"UserPoolId": pool_id, **filters})
    assert status == 200, body
    return body["Invocations"]


def make_confirmed(admin, pool_id: str, username: str, email: str | None = None) -> None:
    admin.admin_create_user(
        UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email or f"{username}@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    admin.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


# --- Pre sign-up and post confirmation ------------------------------------------------------------


def test_pre_sign_up_sees_the_request_and_can_confirm_and_verify(srv, stub, admin, public):
    def handler(event, context):
        event["response"]["autoConfirmUser"] = True
        event["response"]["autoVerifyEmail"] = event["request"]["userAttributes"]["email"].endswith("@corp.example")
        return event

    name = fn(stub, handler)
    pool_id, client_id = pool_with(admin, PreSignUp=name)
    answer = public.sign_up(
        ClientId=client_id, Username="ada", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "ada@corp.example"}],
        ValidationData=[{"Name": "invite", "Value": "X1"}], ClientMetadata={"source": "web"},
    )
    assert answer["UserConfirmed"] is True
    [event] = stub.of(name)
    assert event["version"] == "1" and event["triggerSource"] == "PreSignUp_SignUp"
    assert event["region"] == REGION and event["userPoolId"] == pool_id and event["userName"] == "ada"
    assert event["callerContext"]["clientId"] == client_id and "awsSdkVersion" in event["callerContext"]
    assert event["request"] == {"userAttributes": {"email": "ada@corp.example"}, "validationData": {"invite": "X1"}, "clientMetadata": {"source": "web"}}
    assert event["response"] == {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
    user = admin.admin_get_user(UserPoolId=pool_id, Username="ada")
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs(user["UserAttributes"])["email_verified"] == "true"
    assert outbox(srv, pool_id, "ada") == [], "an auto-confirmed user is sent no code"
    assert sign_in(public, client_id, "ada", PASSWORD)["AccessToken"]


def test_a_pre_sign_up_function_that_throws_refuses_the_user(stub, admin, public):
    def handler(event, context):
        raise ValueError("Sign-ups are by invitation only")

    pool_id, client_id = pool_with(admin, PreSignUp=fn(stub, handler))
    with pytest.raises(ClientError) as e:
        public.sign_up(ClientId=client_id, Username="eve", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "eve@example.com"}])
    assert error_code(e.value) == "UserLambdaValidationException"
    assert error_message(e.value) == "PreSignUp failed with error Sign-ups are by invitation only."
    with pytest.raises(ClientError) as e:
        admin.admin_get_user(UserPoolId=pool_id, Username="eve")
    assert error_code(e.value) == "UserNotFoundException"


def test_pre_sign_up_for_admin_created_users(stub, admin):
    def handler(event, context):
        event["response"]["autoVerifyEmail"] = True
        return event

    name = fn(stub, handler)
    pool_id, _ = pool_with(admin, PreSignUp=name)
    admin.admin_create_user(UserPoolId=pool_id, Username="bob", MessageAction="SUPPRESS", UserAttributes=[{"Name": "email", "Value": "bob@example.com"}],
                            ClientMetadata={"by": "ops"})
    [event] = stub.of(name)
    assert event["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert event["request"]["clientMetadata"] == {"by": "ops"}
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    user = admin.admin_get_user(UserPoolId=pool_id, Username="bob")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD", "an invited user is never auto-confirmed"
    assert attrs(user["UserAttributes"])["email_verified"] == "true"


def test_post_confirmation_after_each_kind_of_confirmation(srv, stub, admin, public):
    seen = []

    def handler(event, context):
        seen.append(event)
        return event

    name = fn(stub, handler)
    pool_id, client_id = pool_with(admin, PostConfirmation=name)
    public.sign_up(ClientId=client_id, Username="cy", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "cy@example.com"}])
    public.confirm_sign_up(ClientId=client_id, Username="cy", ConfirmationCode=latest_code(srv, pool_id, "cy"), ClientMetadata={"step": "1"})
    event = seen[-1]
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["userAttributes"]["email_verified"] == "true"
    assert event["request"]["userAttributes"]["sub"] == attrs(admin.admin_get_user(UserPoolId=pool_id, Username="cy")["UserAttributes"])["sub"]
    assert event["request"]["clientMetadata"] == {"step": "1"}

    public.sign_up(ClientId=client_id, Username="di", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "di@example.com"}])
    admin.admin_confirm_sign_up(UserPoolId=pool_id, Username="di")
    assert seen[-1]["triggerSource"] == "PostConfirmation_ConfirmSignUp" and seen[-1]["userName"] == "di"

    public.forgot_password(ClientId=client_id, Username="cy")
    code = latest_code(srv, pool_id, "cy", min_messages=2)
    public.confirm_forgot_password(ClientId=client_id, Username="cy", ConfirmationCode=code, Password=PASSWORD + "2")
    assert seen[-1]["triggerSource"] == "PostConfirmation_ConfirmForgotPassword"
    assert len(seen) == 3


def test_a_failing_post_confirmation_is_reported_but_the_user_stays_confirmed(srv, stub, admin, public):
    def handler(event, context):
        raise RuntimeError("welcome mail failed")

    pool_id, client_id = pool_with(admin, PostConfirmation=fn(stub, handler))
    public.sign_up(ClientId=client_id, Username="fay", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "fay@example.com"}])
    with pytest.raises(ClientError) as e:
        public.confirm_sign_up(ClientId=client_id, Username="fay", ConfirmationCode=latest_code(srv, pool_id, "fay"))
    assert error_code(e.value) == "UserLambdaValidationException"
    assert error_message(e.value) == "PostConfirmation failed with error welcome mail failed."
    assert admin.admin_get_user(UserPoolId=pool_id, Username="fay")["UserStatus"] == "CONFIRMED"


# --- Pre and post authentication -------------------------------------------------------------------


def test_pre_authentication_can_refuse_and_post_authentication_follows_a_sign_in(stub, admin, public):
    pre_seen, post_seen = [], []

    def pre(event, context):
        pre_seen.append(event)
        if event["request"]["validationData"].get("device") == "blocked":
            raise PermissionError("This device is blocked")
        return event

    def post(event, context):
        post_seen.append(event)
        return event

    pool_id, client_id = pool_with(admin, PreAuthentication=fn(stub, pre), PostAuthentication=fn(stub, post))
    make_confirmed(admin, pool_id, "gus")
    with pytest.raises(ClientError) as e:
        public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "gus", "PASSWORD": PASSWORD},
                             ClientMetadata={"device": "blocked"})
    assert error_code(e.value) == "UserLambdaValidationException"
    assert error_message(e.value) == "PreAuthentication failed with error This device is blocked."
    assert post_seen == [], "a refused sign-in is not authenticated"

    result = public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "gus", "PASSWORD": PASSWORD},
                                  ClientMetadata={"device": "laptop"})
    assert result["AuthenticationResult"]["AccessToken"]
    assert pre_seen[-1]["triggerSource"] == "PreAuthentication_Authentication"
    assert pre_seen[-1]["request"]["validationData"] == {"device": "laptop"}
    assert pre_seen[-1]["request"]["userAttributes"]["email"] == "gus@example.com"
    [event] = post_seen
    assert event["triggerSource"] == "PostAuthentication_Authentication"
    assert event["request"]["newDeviceUsed"] is False and event["request"]["clientMetadata"] == {"device": "laptop"}
    # A wrong password never reaches post authentication.
    with pytest.raises(ClientError):
        public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "gus", "PASSWORD": "wrong-Passw0rd!"})
    assert len(post_seen) == 1


# --- Pre token generation ---------------------------------------------------------------------------


def test_pre_token_generation_v1_changes_the_id_token(stub, admin, public):
    def handler(event, context):
        event["response"]["claimsOverrideDetails"] = {
            "claimsToAddOrOverride": {"tenant": "acme", "email": "hidden@acme.example"},
            "claimsToSuppress": ["email_verified"],
            "groupOverrideDetails": {"groupsToOverride": ["auditors"], "iamRolesToOverride": ["arn:aws:iam::000000000000:role/Audit"],
                                     "preferredRole": "arn:aws:iam::000000000000:role/Audit"},
        }
        return event

    name = fn(stub, handler)
    pool_id, client_id = pool_with(admin, PreTokenGeneration=name)
    make_confirmed(admin, pool_id, "hal")
    admin.create_group(UserPoolId=pool_id, GroupName="staff")
    admin.admin_add_user_to_group(UserPoolId=pool_id, Username="hal", GroupName="staff")
    tokens = sign_in(public, client_id, "hal", PASSWORD)
    event = stub.of(name)[-1]
    assert event["version"] == "1" and event["triggerSource"] == "TokenGeneration_Authentication"
    assert event["request"]["groupConfiguration"] == {"groupsToOverride": ["staff"], "iamRolesToOverride": [], "preferredRole": None}
    assert event["response"] == {"claimsOverrideDetails": None}
    id_claims, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert id_claims["tenant"] == "acme" and id_claims["email"] == "hidden@acme.example"
    assert "email_verified" not in id_claims
    assert id_claims["cognito:groups"] == ["auditors"] and id_claims["cognito:preferred_role"] == "arn:aws:iam::000000000000:role/Audit"
    assert "tenant" not in access, "V1 changes the ID token's claims only"
    assert access["cognito:groups"] == ["auditors"], "groups are overridden in both tokens"
    # A refresh is its own source.
    refresh(public, client_id, tokens["RefreshToken"])
    assert stub.of(name)[-1]["triggerSource"] == "TokenGeneration_RefreshTokens"


def test_pre_token_generation_v2_changes_the_access_token_and_scopes(stub, admin, public):
    def handler(event, context):
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {"claimsToAddOrOverride": {"plan": {"tier": "gold", "seats": 5}}},
            "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant_ids": ["t1", "t2"]}, "scopesToAdd": ["orders/read"],
                                      "scopesToSuppress": ["aws.cognito.signin.user.admin"]},
        }
        return event

    name = fn(stub, handler)
    pool_id, client_id = pool_with(admin, PreTokenGenerationConfig={"LambdaVersion": "V2_0", "LambdaArn": name})
    make_confirmed(admin, pool_id, "ivy")
    tokens = sign_in(public, client_id, "ivy", PASSWORD)
    event = stub.of(name)[-1]
    assert event["version"] == "2"
    assert event["request"]["scopes"] == ["aws.cognito.signin.user.admin"]
    assert event["response"] == {"claimsAndScopeOverrideDetails": None}
    assert claims(tokens["IdToken"])["plan"] == {"tier": "gold", "seats": 5}
    access = claims(tokens["AccessToken"])
    assert access["tenant_ids"] == ["t1", "t2"]
    assert access["scope"] == "orders/read"


def test_pre_token_generation_v3_changes_machine_tokens(srv, stub, admin):
    """V3_0 alone sees client_credentials grants (TokenGeneration_ClientCredentials), from the
    token endpoint (`aws_client_metadata`) and from GetClientToken (`ClientMetadata`)."""
    def handler(event, context):
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": event["request"]["clientMetadata"].get("tenant", "none")},
                                      "scopesToSuppress": ["orders/write"]},
        }
        return event

    name = fn(stub, handler)
    pool_id, _ = pool_with(admin, PreTokenGenerationConfig={"LambdaVersion": "V3_0", "LambdaArn": name})
    domain = f"m2m{uuid.uuid4().hex[:10]}"
    admin.create_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    admin.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders",
                                 Scopes=[{"ScopeName": s, "ScopeDescription": s} for s in ("read", "write")])
    client = admin.create_user_pool_client(
        UserPoolId=pool_id, ClientName="m2m", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["orders/read", "orders/write"],
    )["UserPoolClient"]
    token_url = requests.get(f"{srv.endpoint}/{pool_id}/.well-known/openid-configuration", timeout=10).json()["token_endpoint"]
    resp = requests.post(token_url, auth=(client["ClientId"], client["ClientSecret"]), timeout=10,
                         data={"grant_type": "client_credentials", "aws_client_metadata": json.dumps({"tenant": "acme"})})
    assert resp.status_code == 200, resp.text
    access = claims(resp.json()["access_token"])
    assert access["tenant"] == "acme" and access["scope"] == "orders/read" and access["sub"] == client["ClientId"]
    event = stub.of(name)[-1]
    assert event["version"] == "3" and event["triggerSource"] == "TokenGeneration_ClientCredentials"
    assert event["userName"] == client["ClientId"] and event["callerContext"]["clientId"] == client["ClientId"]
    assert event["request"]["scopes"] == ["orders/read", "orders/write"]
    assert event["request"]["clientMetadata"] == {"tenant": "acme"} and event["request"]["userAttributes"] == {}

    answer = idp_client(srv.endpoint, signed=False).get_client_token(
        ClientId=client["ClientId"], Secret=client["ClientSecret"], Scopes=["orders/write"], ClientMetadata={"tenant": "globex"})
    access = claims(answer["ClientAuthenticationResult"]["AccessToken"])
    assert access["tenant"] == "globex" and access["scope"] == ""

    bad = requests.post(token_url, auth=(client["ClientId"], client["ClientSecret"]), timeout=10,
                        data={"grant_type": "client_credentials", "aws_client_metadata": "[1]"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"

    # A V2_0 function never sees machine tokens.
    admin.update_user_pool(UserPoolId=pool_id, AutoVerifiedAttributes=["email"],
                           LambdaConfig={"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": function_arn(name)}})
    before = len(stub.of(name))
    resp = requests.post(token_url, auth=(client["ClientId"], client["ClientSecret"]), data={"grant_type": "client_credentials"}, timeout=10)
    assert resp.status_code == 200 and "tenant" not in claims(resp.json()["access_token"])
    assert len(stub.of(name)) == before


def test_pre_token_generation_may_not_touch_protected_claims(stub, admin, public):
    def handler(event, context):
        event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"sub": "someone-else"}}
        return event

    pool_id, client_id = pool_with(admin, PreTokenGeneration=fn(stub, handler))
    make_confirmed(admin, pool_id, "jo")
    with pytest.raises(ClientError) as e:
        sign_in(public, client_id, "jo", PASSWORD)
    assert error_code(e.value) == "InvalidLambdaResponseException"
    assert "sub" in error_message(e.value)


def test_new_password_challenge_is_its_own_token_source(stub, admin, public):
    seen = []

    def handler(event, context):
        seen.append(event["triggerSource"])
        return event

    pool_id, client_id = pool_with(admin, PreTokenGeneration=fn(stub, handler))
    admin.admin_create_user(UserPoolId=pool_id, Username="kim", TemporaryPassword="Tempor4ry-Pass!", MessageAction="SUPPRESS")
    challenge = public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "kim", "PASSWORD": "Tempor4ry-Pass!"})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    public.respond_to_auth_challenge(ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
                                     ChallengeResponses={"USERNAME": "kim", "NEW_PASSWORD": PASSWORD})
    assert seen == ["TokenGeneration_NewPasswordChallenge"]


# --- Failures: Cognito's errors ---------------------------------------------------------------------


def test_a_function_that_answers_nonsense(stub, admin, public):
    pool_id, client_id = pool_with(admin, PreSignUp=fn(stub, lambda event, context: Raw(b"<html>oops</html>")))
    with pytest.raises(ClientError) as e:
        public.sign_up(ClientId=client_id, Username="lu", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "lu@example.com"}])
    assert error_code(e.value) == "InvalidLambdaResponseException"
    assert error_message(e.value) == "Unrecognizable lambda output"
    pool_id, client_id = pool_with(admin, PreSignUp=fn(stub, lambda event, context: {**event, "response": {"autoConfirmUser": "yes"}}))
    with pytest.raises(ClientError) as e:
        public.sign_up(ClientId=client_id, Username="lu", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "lu@example.com"}])
    assert error_code(e.value) == "InvalidLambdaResponseException"


def test_a_function_that_takes_longer_than_five_seconds(stub, admin, public):
    def slow(event, context):
        time.sleep(6)
        return event

    pool_id, client_id = pool_with(admin, PreSignUp=fn(stub, slow))
    started = time.monotonic()
    with pytest.raises(ClientError) as e:
        public.sign_up(ClientId=client_id, Username="max", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "max@example.com"}])
    elapsed = time.monotonic() - started
    assert error_code(e.value) == "UnexpectedLambdaException"
    assert error_message(e.value) == "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
    assert 4.5 < elapsed < 8.0, elapsed  # five seconds, plus a loaded machine's scheduling


def test_a_function_that_does_not_exist(admin, public):
    pool_id, client_id = pool_with(admin, PreSignUp="no-such-function")
    with pytest.raises(ClientError) as e:
        public.sign_up(ClientId=client_id, Username="ned", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "ned@example.com"}])
    assert error_code(e.value) == "UnexpectedLambdaException"
    assert "Function not found" in error_message(e.value)


def test_calls_are_signed_with_the_credential_chains_keys(stub, smtp_sink, tmp_path):
    """A server whose environment holds another secret signs with it: Lambda refuses the
    signature, and the caller gets UnexpectedLambdaException, not a user created unchecked."""
    server = start_pooldesk(tmp_path / "db.sqlite", smtp_sink, tmp_path / "logs", env=server_env(stub, tmp_path, secret="not-the-secret-lambda-knows-0000000000000"))
    try:
        admin, public = idp_client(server.endpoint), idp_client(server.endpoint, signed=False)
        pool_id, client_id = pool_with(admin, PreSignUp=fn(stub, lambda event, context: event))
        with pytest.raises(ClientError) as e:
            public.sign_up(ClientId=client_id, Username="oz", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "oz@example.com"}])
        assert error_code(e.value) == "UnexpectedLambdaException"
        assert "HTTP 403" in error_message(e.value) and "signature" in error_message(e.value)
        assert any("signature" in r for r in stub.refused)
    finally:
        server.stop()


# --- The inspector ----------------------------------------------------------------------------------


def test_every_invocation_is_in_the_inspector(srv, stub, admin, public):
    def handler(event, context):
        if event["userName"] == "bad":
            raise ValueError("no")
        return event

    name = fn(stub, handler)
    pool_id, client_id = pool_with(admin, PreSignUp=name)
    public.sign_up(ClientId=client_id, Username="pia", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "pia@example.com"}])
    with pytest.raises(ClientError):
        public.sign_up(ClientId=client_id, Username="bad", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "bad@example.com"}])
    failed, ok = invocations(srv, pool_id)
    assert ok["Trigger"] == "PreSignUp" and ok["Source"] == "PreSignUp_SignUp" and ok["Function"] == function_arn(name)
    assert ok["Event"]["userName"] == "pia" and ok["Response"]["autoConfirmUser"] is False and "Error" not in ok
    assert ok["DurationMs"] >= 0 and ok["Time"] > 0
    assert failed["Error"] == "UserLambdaValidationException: PreSignUp failed with error no." and "Response" not in failed
    assert [i["Event"]["userName"] for i in invocations(srv, pool_id, Outcome="Failed")] == ["bad"]
    assert invocations(srv, pool_id, Trigger="PostConfirmation") == []
    status, body = pooldesk_call(srv, "ListTriggerInvocations", {"UserPoolId": pool_id, "Trigger": "NotATrigger"})
    assert status == 400 and body["__type"] == "InvalidParameterException"


def test_a_test_event_shows_what_the_function_answers(srv, stub, admin):
    def handler(event, context):
        if event["triggerSource"] == "PreSignUp_SignUp":
            raise ValueError("rejected in test")
        event["response"]["claimsAndScopeOverrideDetails"] = {"idTokenGeneration": {"claimsToAddOrOverride": {"tier": "gold"}}}
        return event

    name = fn(stub, handler)
    pool_id, _ = pool_with(admin, PreSignUp=name, PreTokenGenerationConfig={"LambdaVersion": "V2_0", "LambdaArn": name})
    status, body = pooldesk_call(srv, "TestTrigger", {"UserPoolId": pool_id, "Trigger": "PreTokenGeneration"})
    assert status == 200, body
    sent = body["Invocation"]
    assert sent["Event"]["version"] == "2" and sent["Event"]["triggerSource"] == "TokenGeneration_Authentication"
    assert sent["Event"]["request"]["scopes"] and sent["Event"]["userName"] == "test-user"
    assert sent["Response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]["claimsToAddOrOverride"] == {"tier": "gold"}
    status, body = pooldesk_call(srv, "TestTrigger", {"UserPoolId": pool_id, "Trigger": "PreSignUp"})
    assert status == 200, body
    assert body["Invocation"]["Error"] == "UserLambdaValidationException: PreSignUp failed with error rejected in test."
    assert invocations(srv, pool_id)[0]["Id"] == body["Invocation"]["Id"], "a test is in the inspector like any call"
    status, body = pooldesk_call(srv, "TestTrigger", {"UserPoolId": pool_id, "Trigger": "PostConfirmation"})
    assert status == 400 and body["__type"] == "InvalidParameterException" and "PostConfirmation" in body["message"]


# --- Custom message ---------------------------------------------------------------------------------


def test_custom_messages_for_each_source(srv, stub, admin, public):
    def handler(event, context):
        source, code = event["triggerSource"], event["request"]["codeParameter"]
        if source == "CustomMessage_AdminCreateUser":
            event["response"]["emailSubject"] = "Your Acme account"
            event["response"]["emailMessage"] = f"Hello {event['request']['usernameParameter']}, your temporary password is {code}"
        else:
            event["response"]["emailSubject"] = f"Acme: {source}"
            event["response"]["emailMessage"] = f"Hi {event['userName']}, your code is {code}"
        return event

    name = fn(stub, handler)
    pool_id, client_id = pool_with(admin, CustomMessage=name)
    public.sign_up(ClientId=client_id, Username="quinn", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "quinn@example.com"}],
                   ClientMetadata={"campaign": "winter"})
    [message] = outbox(srv, pool_id, "quinn")
    assert message["Subject"] == "Acme: CustomMessage_SignUp"
    assert message["Body"] == f"Hi quinn, your code is {message['Code']}"
    event = stub.of(name)[-1]
    assert event["request"]["codeParameter"] == "{####}" and event["request"]["usernameParameter"] is None
    assert event["request"]["clientMetadata"] == {"campaign": "winter"}
    assert event["request"]["userAttributes"]["email"] == "quinn@example.com"

    public.resend_confirmation_code(ClientId=client_id, Username="quinn")
    assert outbox(srv, pool_id, "quinn")[0]["Subject"] == "Acme: CustomMessage_ResendCode"
    public.confirm_sign_up(ClientId=client_id, Username="quinn", ConfirmationCode=latest_code(srv, pool_id, "quinn"))
    public.forgot_password(ClientId=client_id, Username="quinn")
    assert outbox(srv, pool_id, "quinn")[0]["Subject"] == "Acme: CustomMessage_ForgotPassword"

    admin.admin_create_user(UserPoolId=pool_id, Username="rae", TemporaryPassword="Tempor4ry-Pass!", DesiredDeliveryMediums=["EMAIL"],
                            UserAttributes=[{"Name": "email", "Value": "rae@example.com"}])
    [invite] = outbox(srv, pool_id, "rae")
    assert invite["Subject"] == "Your Acme account"
    assert invite["Body"] == "Hello rae, your temporary password is Tempor4ry-Pass!"
    assert stub.of(name)[-1]["request"]["usernameParameter"] == "{username}"


def test_a_custom_message_without_the_code_is_refused(stub, admin, public):
    def handler(event, context):
        event["response"]["emailMessage"] = "Welcome aboard!"
        return event

    pool_id, client_id = pool_with(admin, CustomMessage=fn(stub, handler))
    with pytest.raises(ClientError) as e:
        public.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "sam@example.com"}])
    assert error_code(e.value) == "InvalidLambdaResponseException"
    assert "{####}" in error_message(e.value)


def test_a_custom_message_may_carry_the_confirmation_link_instead_of_the_code(srv, stub, admin, public):
    def handler(event, context):
        event["response"]["emailMessage"] = f"Welcome {event['userName']}! {event['request']['linkParameter']}"
        return event

    pool_id, client_id = pool_with(admin, CustomMessage=fn(stub, handler))
    admin.update_user_pool(UserPoolId=pool_id, AutoVerifiedAttributes=["email"], LambdaConfig=admin.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"],
                           VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_LINK"})
    admin.create_user_pool_domain(UserPoolId=pool_id, Domain=f"link{uuid.uuid4().hex[:10]}")
    public.sign_up(ClientId=client_id, Username="lin", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "lin@example.com"}])
    [message] = outbox(srv, pool_id, "lin")
    assert message["Body"].startswith("Welcome lin! Click Here: ") and "/confirmUser?" in message["Body"], message["Body"]


# --- User migration ---------------------------------------------------------------------------------

OLD_DIRECTORY = {"legacy": ("Old-Passw0rd!", {"email": "legacy@example.com", "email_verified": "true", "name": "Lee Gacy"})}


def migrate(event, context):
    """A user migration function over an "old directory": the password must match there."""
    entry = OLD_DIRECTORY.get(event["userName"])
    if entry is None:
        raise LookupError("User does not exist")
    password, attributes = entry
    if event["triggerSource"] == "UserMigration_Authentication":
        if event["request"]["password"] != password:
            raise PermissionError("Bad password")
        event["response"].update(userAttributes=attributes, finalUserStatus="CONFIRMED", messageAction="SUPPRESS")
    else:
        event["response"].update(userAttributes=attributes, finalUserStatus="RESET_REQUIRED", messageAction="SUPPRESS")
    return event


def test_a_user_migrates_on_first_sign_in_with_the_old_password(srv, stub, admin, public):
    name = fn(stub, migrate)
    pool_id, client_id = pool_with(admin, UserMigration=name)
    with pytest.raises(ClientError) as e:
        sign_in(public, client_id, "legacy", "Wrong-Passw0rd!")
    assert error_code(e.value) == "UserNotFoundException"
    assert error_message(e.value) == f"Exception migrating user in app client {client_id}"

    tokens = sign_in(public, client_id, "legacy", "Old-Passw0rd!")
    assert claims(tokens["IdToken"])["name"] == "Lee Gacy"
    user = admin.admin_get_user(UserPoolId=pool_id, Username="legacy")
    assert user["UserStatus"] == "CONFIRMED" and attrs(user["UserAttributes"])["email"] == "legacy@example.com"
    event = stub.of(name)[-1]
    assert event["triggerSource"] == "UserMigration_Authentication" and event["userName"] == "legacy"
    assert event["request"]["password"] == "Old-Passw0rd!" and event["callerContext"]["clientId"] == client_id
    # From now on the user is this pool's: the function is not asked again.
    calls = len(stub.of(name))
    sign_in(public, client_id, "legacy", "Old-Passw0rd!")
    assert len(stub.of(name)) == calls
    # The inspector never shows the password.
    recorded = invocations(srv, pool_id, Trigger="UserMigration")[0]
    assert recorded["Event"]["request"]["password"] == "<redacted>"
    assert outbox(srv, pool_id, "legacy") == [], "SUPPRESS sends no welcome"


def test_a_forgotten_password_migrates_the_user_to_reset_it(srv, stub, admin, public):
    name = fn(stub, migrate)
    pool_id, client_id = pool_with(admin, UserMigration=name)
    answer = public.forgot_password(ClientId=client_id, Username="legacy")
    assert answer["CodeDeliveryDetails"]["AttributeName"] == "email"
    assert stub.of(name)[-1]["triggerSource"] == "UserMigration_ForgotPassword"
    assert "password" not in stub.of(name)[-1]["request"]
    assert admin.admin_get_user(UserPoolId=pool_id, Username="legacy")["UserStatus"] == "RESET_REQUIRED"
    public.confirm_forgot_password(ClientId=client_id, Username="legacy", ConfirmationCode=latest_code(srv, pool_id, "legacy"), Password=PASSWORD)
    assert sign_in(public, client_id, "legacy", PASSWORD)["AccessToken"]
    with pytest.raises(ClientError) as e:
        public.forgot_password(ClientId=client_id, Username="nobody")
    assert error_code(e.value) == "UserNotFoundException"


# --- CUSTOM_AUTH ------------------------------------------------------------------------------------


def define_challenge(event, context):
    """Three tries at the question; with SRP first, the password before it."""
    session = event["request"]["session"]
    custom = [s for s in session if s["challengeName"] == "CUSTOM_CHALLENGE"]
    if custom and custom[-1]["challengeResult"]:
        event["response"].update(issueTokens=True, failAuthentication=False)
    elif len(custom) >= 3:
        event["response"].update(issueTokens=False, failAuthentication=True)
    elif session and session[-1]["challengeName"] == "SRP_A":
        event["response"].update(challengeName="PASSWORD_VERIFIER", issueTokens=False, failAuthentication=False)
    else:
        event["response"].update(challengeName="CUSTOM_CHALLENGE", issueTokens=False, failAuthentication=False)
    return event


def create_challenge(event, context):
    tries = len([s for s in event["request"]["session"] if s["challengeName"] == "CUSTOM_CHALLENGE"])
    event["response"]["publicChallengeParameters"] = {"question": f"What is 2+{2 + tries}?"}
    event["response"]["privateChallengeParameters"] = {"answer": str(4 + tries)}
    event["response"]["challengeMetadata"] = f"MATH-{tries + 1}"
    return event


def verify_challenge(event, context):
    event["response"]["answerCorrect"] = event["request"]["challengeAnswer"] == event["request"]["privateChallengeParameters"]["answer"]
    return event


@pytest.fixture
def custom_pool(stub, admin):
    names = {"define": fn(stub, define_challenge), "create": fn(stub, create_challenge), "verify": fn(stub, verify_challenge)}
    pool_id, client_id = pool_with(admin, DefineAuthChallenge=names["define"], CreateAuthChallenge=names["create"],
                                   VerifyAuthChallengeResponse=names["verify"])
    admin.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_confirmed(admin, pool_id, "uma")
    return pool_id, client_id, names


def test_custom_auth_asks_until_the_functions_are_satisfied(stub, public, custom_pool):
    pool_id, client_id, names = custom_pool
    first = public.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "uma"}, ClientMetadata={"app": "kiosk"})
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"question": "What is 2+2?", "USERNAME": "uma"}
    define = stub.of(names["define"])[-1]
    assert define["triggerSource"] == "DefineAuthChallenge_Authentication" and define["request"]["session"] == []
    assert define["request"]["clientMetadata"] == {"app": "kiosk"} and define["request"]["userNotFound"] is False
    created = stub.of(names["create"])[-1]
    assert created["triggerSource"] == "CreateAuthChallenge_Authentication" and created["request"]["challengeName"] == "CUSTOM_CHALLENGE"

    wrong = public.respond_to_auth_challenge(ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=first["Session"],
                                             ChallengeResponses={"USERNAME": "uma", "ANSWER": "5"})
    assert wrong["ChallengeName"] == "CUSTOM_CHALLENGE" and wrong["ChallengeParameters"]["question"] == "What is 2+3?"
    verified = stub.of(names["verify"])[-1]
    assert verified["triggerSource"] == "VerifyAuthChallengeResponse_Authentication"
    assert verified["request"]["privateChallengeParameters"] == {"answer": "4"} and verified["request"]["challengeAnswer"] == "5"
    assert stub.of(names["define"])[-1]["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "MATH-1"}
    ]
    done = public.respond_to_auth_challenge(ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=wrong["Session"],
                                            ChallengeResponses={"USERNAME": "uma", "ANSWER": "5"})
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == "uma"
    # A spent session cannot be answered again.
    with pytest.raises(ClientError) as e:
        public.respond_to_auth_challenge(ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=wrong["Session"],
                                         ChallengeResponses={"USERNAME": "uma", "ANSWER": "5"})
    assert error_code(e.value) == "NotAuthorizedException"


def test_unknown_names_go_through_the_functions_when_user_existence_is_hidden(stub, admin, public, custom_pool):
    """PreventUserExistenceErrors: a name that matches no user meets the same challenge (the
    functions see userNotFound and no attributes), and even a function that issues tokens for
    it gets only Cognito's NotAuthorizedException."""
    pool_id, client_id, names = custom_pool
    admin.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"],
                                  PreventUserExistenceErrors="ENABLED")
    first = public.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "nobody"})
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"question": "What is 2+2?", "USERNAME": "nobody"}
    for name in ("define", "create"):
        event = stub.of(names[name])[-1]
        assert event["userName"] == "nobody" and event["request"]["userNotFound"] is True and event["request"]["userAttributes"] == {}
    with pytest.raises(ClientError) as e:
        public.respond_to_auth_challenge(ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=first["Session"],
                                         ChallengeResponses={"USERNAME": "nobody", "ANSWER": "4"})
    assert error_code(e.value) == "NotAuthorizedException" and error_message(e.value) == "Incorrect username or password."
    assert stub.of(names["verify"])[-1]["request"]["userNotFound"] is True
    assert stub.of(names["define"])[-1]["request"]["session"][-1]["challengeResult"] is True

    # A known user is unchanged: userNotFound is false and the right answer signs in.
    known = public.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "uma"})
    assert stub.of(names["define"])[-1]["request"]["userNotFound"] is False
    done = public.respond_to_auth_challenge(ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=known["Session"],
                                            ChallengeResponses={"USERNAME": "uma", "ANSWER": "4"})
    assert done["AuthenticationResult"]["AccessToken"]


def test_pre_authentication_hears_of_unknown_names_when_user_existence_is_hidden(stub, admin, public):
    seen = []

    def pre(event, context):
        seen.append(event)
        return event

    pool_id, client_id = pool_with(admin, PreAuthentication=fn(stub, pre))
    with pytest.raises(ClientError) as e:
        public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "ghost", "PASSWORD": PASSWORD})
    assert error_code(e.value) == "UserNotFoundException" and seen == []  # LEGACY: said plainly, no call

    admin.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, PreventUserExistenceErrors="ENABLED",
                                  ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(ClientError) as e:
        public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "ghost", "PASSWORD": PASSWORD},
                             ClientMetadata={"device": "laptop"})
    assert error_code(e.value) == "NotAuthorizedException"
    [event] = seen
    assert event["userName"] == "ghost" and event["request"]["userNotFound"] is True
    assert event["request"]["userAttributes"] == {} and event["request"]["validationData"] == {"device": "laptop"}
    # SRP: the decoy challenge follows the same call.
    answer = public.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "ghost", "SRP_A": "ab" * 192})
    assert answer["ChallengeName"] == "PASSWORD_VERIFIER" and len(seen) == 2 and seen[-1]["request"]["userNotFound"] is True


def test_custom_auth_fails_when_the_define_function_says_so(public, custom_pool):
    _, client_id, _ = custom_pool
    answer = public.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "uma"})
    for _ in range(2):
        answer = public.respond_to_auth_challenge(ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=answer["Session"],
                                                  ChallengeResponses={"USERNAME": "uma", "ANSWER": "wrong"})
    with pytest.raises(ClientError) as e:
        public.respond_to_auth_challenge(ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=answer["Session"],
                                         ChallengeResponses={"USERNAME": "uma", "ANSWER": "wrong"})
    assert error_code(e.value) == "NotAuthorizedException"
    assert error_message(e.value) == "Incorrect username or password."


def test_custom_auth_needs_the_client_and_the_functions(stub, admin, public, custom_pool):
    pool_id, _, _ = custom_pool
    other = admin.create_user_pool_client(UserPoolId=pool_id, ClientName="no-custom", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]
    with pytest.raises(ClientError) as e:
        public.initiate_auth(ClientId=other["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "uma"})
    assert error_code(e.value) == "InvalidParameterException"
    bare_pool, bare_client = pool_with(admin)
    admin.update_user_pool_client(UserPoolId=bare_pool, ClientId=bare_client, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"])
    with pytest.raises(ClientError) as e:
        public.initiate_auth(ClientId=bare_client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "uma"})
    assert error_code(e.value) == "InvalidUserPoolConfigurationException"


def run_js(script: str, payload: dict) -> dict:
    js_dir = Path(__file__).resolve().parent / "js"
    done = subprocess.run(["node", str(js_dir / script), json.dumps(payload)], cwd=js_dir, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_amazon_cognito_identity_js_drives_custom_auth(srv, stub, custom_pool):
    pool_id, client_id, names = custom_pool
    base = {"endpoint": srv.endpoint, "poolId": pool_id, "clientId": client_id, "username": "uma"}
    plain = run_js("custom_auth.mjs", {**base, "answers": ["4"]})
    assert plain["ok"], plain
    assert plain["challenges"] == [{"question": "What is 2+2?", "USERNAME": "uma"}]
    assert claims(plain["accessToken"])["username"] == "uma"

    # authenticateUser with the CUSTOM_AUTH flow type: the library's CUSTOM_WITH_SRP.
    with_srp = run_js("custom_auth.mjs", {**base, "password": PASSWORD, "answers": ["3", "5"]})
    assert with_srp["ok"], with_srp
    assert [c["question"] for c in with_srp["challenges"]] == ["What is 2+2?", "What is 2+3?"]
    assert [s["challengeName"] for s in stub.of(names["define"])[-1]["request"]["session"]] == [
        "SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE", "CUSTOM_CHALLENGE"
    ]
    wrong_password = run_js("custom_auth.mjs", {**base, "password": "Wrong-Passw0rd!", "answers": ["4"]})
    assert wrong_password == {"ok": False, "code": "NotAuthorizedException", "message": "Incorrect username or password.", "challenges": []}


def test_the_cli_reads_the_inspector(srv, stub, admin, public):
    def handler(event, context):
        if event["userName"] == "vic":
            raise ValueError("vic is not allowed")
        return event

    pool_id, client_id = pool_with(admin, PreSignUp=fn(stub, handler))
    public.sign_up(ClientId=client_id, Username="val", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "val@example.com"}])
    with pytest.raises(ClientError):
        public.sign_up(ClientId=client_id, Username="vic", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "vic@example.com"}])

    def cli(*args: str) -> str:
        done = subprocess.run([POOLDESK_BIN, "triggers", "--db", str(srv.db_path), "--user-pool-id", pool_id, *args],
                              capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
        assert done.returncode == 0, done.stderr
        return done.stdout

    lines = cli().strip().splitlines()
    assert len(lines) == 2 and "PreSignUp_SignUp" in lines[0] and "UserLambdaValidationException: PreSignUp failed with error vic is not allowed." in lines[0]
    assert lines[1].endswith("\tOK")
    failed = cli("--failed", "--verbose")
    assert "vic is not allowed" in failed and '"userName":"vic"' in failed and '"userName":"val"' not in failed


def test_pre_token_generation_sees_a_device_sign_in_as_authenticate_device(stub, admin, public):
    """A sign-in that proved a remembered device (device SRP) is TokenGeneration_AuthenticateDevice."""
    name = fn(stub, lambda event, context: event)
    pool_id, client_id = pool_with(admin, PreTokenGeneration=name)
    admin.update_user_pool(
        UserPoolId=pool_id, LambdaConfig={"PreTokenGeneration": function_arn(name)},
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False},
    )
    make_confirmed(admin, pool_id, "dev")
    first = AWSSRP(username="dev", password=PASSWORD, pool_id=pool_id, client_id=client_id, client=public).authenticate_user()
    meta = first["AuthenticationResult"]["NewDeviceMetadata"]
    assert stub.of(name)[-1]["triggerSource"] == "TokenGeneration_Authentication"
    secret, verifier = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    public.confirm_device(AccessToken=first["AuthenticationResult"]["AccessToken"], DeviceKey=meta["DeviceKey"], DeviceSecretVerifierConfig=verifier)
    AWSSRP(username="dev", password=PASSWORD, pool_id=pool_id, client_id=client_id, client=public,
           device_key=meta["DeviceKey"], device_group_key=meta["DeviceGroupKey"], device_password=secret).authenticate_user()
    assert stub.of(name)[-1]["triggerSource"] == "TokenGeneration_AuthenticateDevice"
