"""STS beyond the identity pools' flows: GetSessionToken for admin keys (credentials that act
as the key), GetAccessKeyInfo, DecodeAuthorizationMessage (PoolDesk encodes no message), and
AWS's own AccessDenied for the actions that mint credentials from IAM policy PoolDesk does not
evaluate."""

from __future__ import annotations

import datetime

import boto3

from conftest import REGION, _config, refused
from identity_helpers import (  # noqa: F401 (anon_ci, ci, federation and make_identity_pool are fixtures)
    ACCOUNT_ID,
    anon_ci,
    ci,
    credentials_for,
    federation,
    make_identity_pool,
    sts_client,
)


def session_client(server, service: str, creds: dict):
    return boto3.session.Session().client(
        service,
        region_name=REGION,
        endpoint_url=server.endpoint,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=_config(),
    )


def test_get_session_token_gives_credentials_that_act_as_the_admin_key(server):
    root = sts_client(server.endpoint, root=True)
    before = datetime.datetime.now(datetime.timezone.utc)
    creds = root.get_session_token(DurationSeconds=900)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["SecretAccessKey"]) == 40
    lifetime = lambda c: c["Expiration"] - before  # noqa: E731
    assert datetime.timedelta(minutes=14) < lifetime(creds) <= datetime.timedelta(minutes=15, seconds=5), lifetime(creds)
    # Admin keys are the account's root, whose sessions last an hour at most, as on AWS.
    for asked in ({}, {"DurationSeconds": 7200}):
        hour = root.get_session_token(**asked)["Credentials"]
        assert datetime.timedelta(minutes=59) < lifetime(hour) <= datetime.timedelta(hours=1, seconds=5), (asked, lifetime(hour))

    idp = session_client(server, "cognito-idp", creds)
    assert "UserPools" in idp.list_user_pools(MaxResults=1)
    assert session_client(server, "sts", creds).get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    code, message = refused(lambda: session_client(server, "sts", creds).get_session_token())
    assert (code, message) == ("AccessDenied", "Cannot call GetSessionToken with session credentials")
    assert refused(lambda: session_client(server, "iam", creds).list_saml_providers())[0] == "AccessDenied", "nor IAM"

    assert refused(lambda: root.get_session_token(DurationSeconds=129_601))[0] == "ValidationError"
    code, message = refused(lambda: root.get_session_token(SerialNumber="arn:aws:iam::000000000000:mfa/me", TokenCode="123456"))
    assert code == "ValidationError" and "MFA" in message, "an MFA code is refused, never ignored"
    assert refused(lambda: sts_client(server.endpoint).get_session_token())[0] == "MissingAuthenticationToken"


def test_an_identitys_credentials_cannot_get_a_session_token(server, anon_ci, federation):
    fed = federation(allow_guests=True)
    _, creds = credentials_for(anon_ci, fed.identity_pool_id)
    sts = sts_client(server.endpoint, creds)
    assert refused(lambda: sts.get_session_token())[0] == "AccessDenied"
    code, message = refused(lambda: sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/Admin", RoleSessionName="escalate"))
    assert code == "AccessDenied" and "is not authorized to perform: sts:AssumeRole" in message, message


def test_the_rest_of_sts_answers_as_aws_does(server):
    root = sts_client(server.endpoint, root=True)
    assert root.get_access_key_info(AccessKeyId="AKIAPOOLDESKTEST0001")["Account"] == ACCOUNT_ID
    code, _ = refused(lambda: root.decode_authorization_message(EncodedMessage="not-a-message-pooldesk-made"))
    assert code == "InvalidAuthorizationMessageException"
    for call in [
        lambda: root.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/Admin", RoleSessionName="someone"),
        lambda: root.get_federation_token(Name="someone"),
    ]:
        code, message = refused(call)
        assert code == "AccessDenied" and f"User: arn:aws:iam::{ACCOUNT_ID}:root is not authorized" in message, message
    assert refused(lambda: sts_client(server.endpoint).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/A", RoleSessionName="someone"))[0] == "MissingAuthenticationToken"
