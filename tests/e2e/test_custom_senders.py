"""Custom e-mail and SMS senders: Cognito hands the message to a Lambda function instead of
sending it, with the code or temporary password sealed by the AWS Encryption SDK under the
pool's KMS key (encryption context `userpool-id`).

Neither Lambda nor KMS can run here: lambda_stub.py speaks Lambda's Invoke API and kms_stub.py
KMS's GenerateDataKey and Decrypt, both checking SigV4 signatures. The functions below decrypt
the codes as deployed ones do, with AWS's Encryption SDK for Python and a KMS client, so a
message PoolDesk sealed wrongly cannot be read and the flows that need the code fail."""

from __future__ import annotations

import base64
import uuid

import aws_encryption_sdk
import boto3
import pytest
from aws_encryption_sdk.identifiers import CommitmentPolicy
from aws_encryption_sdk.key_providers.kms import KMSMasterKey
from botocore.exceptions import ClientError

from conftest import PASSWORD, error_code, error_message, idp_client, outbox, pooldesk_call, sign_in, start_pooldesk
from kms_stub import KmsStub
from lambda_stub import ACCESS_KEY_ID, SECRET_ACCESS_KEY, LambdaStub, function_arn, server_env


@pytest.fixture(scope="module")
def stubs():
    lam, kms = LambdaStub().start(), KmsStub().start()
    yield lam, kms
    lam.stop()
    kms.stop()


@pytest.fixture(scope="module")
def srv(stubs, smtp_sink, tmp_path_factory):
    lam, kms = stubs
    workdir = tmp_path_factory.mktemp("senders")
    env = {**server_env(lam, workdir), "AWS_ENDPOINT_URL_KMS": kms.endpoint}
    server = start_pooldesk(workdir / "db.sqlite", smtp_sink, workdir / "logs", env=env)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin(srv):
    return idp_client(srv.endpoint)


@pytest.fixture(scope="module")
def public(srv):
    return idp_client(srv.endpoint, signed=False)


class Sender:
    """A custom sender function, as deployed: it decrypts each code with the Encryption SDK
    and KMS, and "delivers" it by keeping it (with the encryption context it was sealed in)."""

    def __init__(self, kms: KmsStub, key_arn: str) -> None:
        self.kms_client = boto3.client("kms", endpoint_url=kms.endpoint, region_name="us-east-1",
                                       aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY)
        self.key_arn = key_arn
        self.esdk = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
        self.delivered: list[dict] = []

    def __call__(self, event, context):
        key = KMSMasterKey(key_id=self.key_arn, client=self.kms_client)
        plaintext, header = self.esdk.decrypt(source=base64.b64decode(event["request"]["code"]), key_provider=key)
        self.delivered.append({"source": event["triggerSource"], "code": plaintext.decode(), "context": dict(header.encryption_context),
                               "event": event})
        return event

    def last(self, source: str) -> dict:
        found = [d for d in self.delivered if d["source"] == source]
        assert found, f"nothing delivered for {source}: {[d['source'] for d in self.delivered]}"
        return found[-1]


def sender_pool(admin, lam: LambdaStub, kms: KmsStub, *, sms: bool = False, **pool_args) -> tuple[str, str, Sender]:
    key = kms.create_key()
    sender = Sender(kms, key)
    name = f"sender-{uuid.uuid4().hex[:8]}"
    lam.functions[name] = sender
    which = "CustomSMSSender" if sms else "CustomEmailSender"
    pool = admin.create_user_pool(
        PoolName=f"senders-{uuid.uuid4().hex[:8]}",
        AutoVerifiedAttributes=["phone_number" if sms else "email"],
        LambdaConfig={which: {"LambdaVersion": "V1_0", "LambdaArn": function_arn(name)}, "KMSKeyID": key},
        **pool_args,
    )["UserPool"]
    client = admin.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app",
                                           ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    return pool["Id"], client["ClientId"], sender


def test_sign_up_codes_reach_the_custom_email_sender_sealed_for_the_pool(srv, stubs, smtp_sink, admin, public):
    lam, kms = stubs
    pool_id, client_id, sender = sender_pool(admin, lam, kms)
    address = f"ana-{uuid.uuid4().hex[:6]}@example.com"
    mails_before = len(smtp_sink.snapshot())
    public.sign_up(ClientId=client_id, Username="ana", Password=PASSWORD, ClientMetadata={"campaign": "spring"},
                   UserAttributes=[{"Name": "email", "Value": address}])

    delivered = sender.last("CustomEmailSender_SignUp")
    event = delivered["event"]
    assert event["version"] == "1" and event["userPoolId"] == pool_id and event["userName"] == "ana"
    assert event["request"]["type"] == "customEmailSenderRequestV1"
    assert event["request"]["clientMetadata"] == {"campaign": "spring"}
    assert event["request"]["userAttributes"]["email"] == address
    assert delivered["code"] not in event["request"]["code"]  # sealed, not in clear
    assert delivered["context"]["userpool-id"] == pool_id
    generate = [r for t, r in kms.calls if t == "TrentService.GenerateDataKey" and r.get("KeyId") == sender.key_arn]
    assert generate and generate[-1]["EncryptionContext"]["userpool-id"] == pool_id

    # Cognito sends nothing itself; the code the function decrypted confirms the account.
    assert len(smtp_sink.snapshot()) == mails_before
    assert outbox(srv, pool_id, "ana")[0]["Delivery"] == "SENT BY CustomEmailSender"
    public.confirm_sign_up(ClientId=client_id, Username="ana", ConfirmationCode=delivered["code"])
    sign_in(public, client_id, "ana", PASSWORD)

    public.forgot_password(ClientId=client_id, Username="ana")
    reset = sender.last("CustomEmailSender_ForgotPassword")["code"]
    public.confirm_forgot_password(ClientId=client_id, Username="ana", ConfirmationCode=reset, Password=PASSWORD + "x")
    sign_in(public, client_id, "ana", PASSWORD + "x")


def test_an_invitation_hands_the_temporary_password_to_the_sender(stubs, admin, public):
    lam, kms = stubs
    pool_id, client_id, sender = sender_pool(admin, lam, kms)
    admin.admin_create_user(UserPoolId=pool_id, Username="ben", UserAttributes=[{"Name": "email", "Value": "ben@example.com"}])
    temporary = sender.last("CustomEmailSender_AdminCreateUser")["code"]
    answer = public.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "ben", "PASSWORD": temporary})
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_sms_codes_reach_the_custom_sms_sender(srv, stubs, admin, public):
    lam, kms = stubs
    pool_id, client_id, sender = sender_pool(admin, lam, kms, sms=True)
    public.sign_up(ClientId=client_id, Username="cy", Password=PASSWORD, UserAttributes=[{"Name": "phone_number", "Value": "+14155550123"}])
    first = sender.last("CustomSMSSender_SignUp")
    assert first["event"]["request"]["type"] == "customSMSSenderRequestV1"
    assert first["event"]["request"]["userAttributes"]["phone_number"] == "+14155550123"
    public.resend_confirmation_code(ClientId=client_id, Username="cy")
    resent = sender.last("CustomSMSSender_ResendCode")["code"]
    public.confirm_sign_up(ClientId=client_id, Username="cy", ConfirmationCode=resent)
    sign_in(public, client_id, "cy", PASSWORD)
    assert outbox(srv, pool_id, "cy")[0]["Delivery"] == "SENT BY CustomSMSSender"


def test_custom_senders_need_a_kms_key(stubs, admin):
    lam, _ = stubs
    sender = {"LambdaVersion": "V1_0", "LambdaArn": function_arn("anything")}
    with pytest.raises(ClientError) as e:
        admin.create_user_pool(PoolName="no-key", LambdaConfig={"CustomEmailSender": sender})
    assert error_code(e.value) == "InvalidParameterException" and "KMSKeyID" in error_message(e.value)
    with pytest.raises(ClientError) as e:
        admin.create_user_pool(PoolName="bad-key", LambdaConfig={"CustomSMSSender": sender, "KMSKeyID": "arn:aws:s3:::not-a-key-at-all"})
    assert error_code(e.value) == "InvalidParameterException"


def test_a_key_kms_does_not_know_fails_the_request_clearly(stubs, admin, public):
    lam, kms = stubs
    name = f"sender-{uuid.uuid4().hex[:8]}"
    lam.functions[name] = lambda event, context: event
    missing = "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000"
    pool = admin.create_user_pool(PoolName="unknown-key", AutoVerifiedAttributes=["email"],
                                  LambdaConfig={"CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": function_arn(name)},
                                                "KMSKeyID": missing})["UserPool"]
    client_id = admin.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app")["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as e:
        public.sign_up(ClientId=client_id, Username="dee", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "dee@example.com"}])
    assert error_code(e.value) == "UnexpectedLambdaException"
    assert missing in error_message(e.value)
    assert lam.of(name) == []


def test_a_test_event_for_a_sender_carries_a_sealed_sample_code(srv, stubs, admin):
    lam, kms = stubs
    pool_id, _, sender = sender_pool(admin, lam, kms)
    status, body = pooldesk_call(srv, "TestTrigger", {"UserPoolId": pool_id, "Trigger": "CustomEmailSender"})
    assert status == 200, body
    delivered = sender.last("CustomEmailSender_SignUp")
    assert delivered["code"] == "123456" and delivered["context"]["userpool-id"] == pool_id
