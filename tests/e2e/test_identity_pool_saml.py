"""SAML 2.0 for identity pools and STS, as AWS does it: the identity provider is registered in IAM
(CreateSAMLProvider with its metadata, through boto3's IAM client), an identity pool lists its ARN
in SamlProviderARNs, and an app passes the base64 SAMLResponse the provider posted to AWS sign-in
(`https://signin.aws.amazon.com/saml`) as `Logins[<provider ARN>]`. The role comes from the
assertion's `https://aws.amazon.com/SAML/Attributes/Role` pairs (CustomRoleArn picks among
several) or from rules on its attributes. STS AssumeRoleWithSAML takes the same responses.

The identity provider is samlify's (js/saml_idp.mjs), registered there as AWS's service provider
(entity `urn:amazon:webservices`, ACS `https://signin.aws.amazon.com/saml`); its IdP-initiated
responses are what a company portal hands the app."""

from __future__ import annotations

import base64
import datetime
import hashlib

import boto3
import botocore
import pytest
import requests
from botocore.exceptions import ClientError

from conftest import REGION, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, _config, error_code, error_message, pooldesk_call, signed_post
from identity_helpers import (  # noqa: F401 (fixtures)
    ACCOUNT_ID,
    AUTH_ROLE,
    anon_ci,
    assumed_role_arn,
    caller_identity,
    ci,
    make_identity_pool,
    role,
    rules_mapping,
    set_roles,
    sts_client,
)
from saml_idp import saml_idp  # noqa: F401 (a fixture)

AWS_SP = "urn:amazon:webservices"
AWS_ACS = "https://signin.aws.amazon.com/saml"
ROLE_ATTR = "https://aws.amazon.com/SAML/Attributes/Role"
SESSION_ATTR = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
TAG_ATTR = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:department"
ADMIN = role("SamlAdmin")
DEV = role("SamlDev")


def iam_client(endpoint: str):
    return boto3.session.Session().client(
        "iam",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id=ROOT_ACCESS_KEY_ID,
        aws_secret_access_key=ROOT_SECRET_ACCESS_KEY,
        config=_config(),
    )


@pytest.fixture(scope="module")
def iam(server):
    return iam_client(server.endpoint)


def provider_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:saml-provider/{name}"


def account(username: str, roles: list[str] | None, **attributes) -> dict:
    attrs = {SESSION_ATTR: f"{username}@corp.example", "groups": ["admins", "staff"], **attributes}
    if roles is not None:
        attrs[ROLE_ATTR] = roles
    return {"username": username, "password": "Saml-Passw0rd!", "name_id": f"{username}@corp.example", "name_id_format": "email", "attributes": attrs}


class AwsSaml:
    """A samlify IdP registered in IAM under `name`, with accounts whose Role attribute pairs
    roles with it: carol (Admin), dave (Admin and Dev), erin (none), and an identity pool that
    lists the provider with AUTH_ROLE as its authenticated role."""

    def __init__(self, iam, ci, make_identity_pool, start_idp, names):
        self.name = names("corp")
        self.arn = provider_arn(self.name)
        self.idp = start_idp([
            account("carol", [f"{ADMIN},{self.arn}", f"{role('Elsewhere')},{provider_arn('Other')}"], **{TAG_ATTR: "finance"}),
            account("dave", [f"{self.arn},{ADMIN}", f"{DEV},{self.arn}"]),
            account("erin", None),
        ])
        self.idp.register_sp(entity_id=AWS_SP, acs_url=AWS_ACS, want_signed_requests=False, encrypt=False)
        self.iam = iam
        created = iam.create_saml_provider(Name=self.name, SAMLMetadataDocument=self.idp.metadata(), Tags=[{"Key": "team", "Value": "identity"}])
        assert created["SAMLProviderArn"] == self.arn
        self.ci = ci
        self.pool_id = make_identity_pool(SamlProviderARNs=[self.arn])["IdentityPoolId"]
        set_roles(ci, self.pool_id, {"authenticated": AUTH_ROLE})

    def response(self, username: str = "carol", tamper: str | None = None) -> str:
        return self.idp.idp_initiated(AWS_SP, username, tamper=tamper)["SAMLResponse"]

    def logins(self, username: str = "carol", tamper: str | None = None) -> dict:
        return {self.arn: self.response(username, tamper)}

    def credentials(self, anon_ci, username: str = "carol", **extra) -> tuple[str, dict]:
        identity_id = anon_ci.get_id(IdentityPoolId=self.pool_id, Logins=self.logins(username))["IdentityId"]
        resp = anon_ci.get_credentials_for_identity(IdentityId=identity_id, Logins=self.logins(username), **extra)
        return identity_id, resp["Credentials"]


@pytest.fixture
def aws_saml(iam, ci, make_identity_pool, saml_idp, names):  # noqa: F811
    made = AwsSaml(iam, ci, make_identity_pool, saml_idp, names)
    yield made
    try:
        iam.delete_saml_provider(SAMLProviderArn=made.arn)
    except ClientError:
        pass


# --- IAM: the provider registry -----------------------------------------------------------------


def test_saml_providers_are_kept_as_iam_keeps_them(iam, aws_saml):
    got = iam.get_saml_provider(SAMLProviderArn=aws_saml.arn)
    assert got["SAMLMetadataDocument"] == aws_saml.idp.metadata()
    assert got["Tags"] == [{"Key": "team", "Value": "identity"}]
    assert got["SAMLProviderUUID"].startswith("SAML") and got["CreateDate"].year >= 2026
    listed = {p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]}
    assert aws_saml.arn in listed
    iam.tag_saml_provider(SAMLProviderArn=aws_saml.arn, Tags=[{"Key": "env", "Value": "test"}, {"Key": "TEAM", "Value": "sso"}])
    assert iam.list_saml_provider_tags(SAMLProviderArn=aws_saml.arn)["Tags"] == [{"Key": "TEAM", "Value": "sso"}, {"Key": "env", "Value": "test"}]
    iam.untag_saml_provider(SAMLProviderArn=aws_saml.arn, TagKeys=["team"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=aws_saml.arn)["Tags"] == [{"Key": "env", "Value": "test"}]
    assert iam.update_saml_provider(SAMLProviderArn=aws_saml.arn, SAMLMetadataDocument=aws_saml.idp.metadata())["SAMLProviderArn"] == aws_saml.arn
    iam.delete_saml_provider(SAMLProviderArn=aws_saml.arn)
    with pytest.raises(ClientError) as e:
        iam.get_saml_provider(SAMLProviderArn=aws_saml.arn)
    assert error_code(e.value) == "NoSuchEntity"
    assert aws_saml.arn not in {p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]}


def test_bad_providers_are_refused_with_iams_errors(iam, aws_saml):
    def code(**params) -> str:
        with pytest.raises(ClientError) as e:
            iam.create_saml_provider(**params)
        return error_code(e.value)

    metadata = aws_saml.idp.metadata()
    assert code(Name=aws_saml.name, SAMLMetadataDocument=metadata) == "EntityAlreadyExists"
    assert code(Name="has space", SAMLMetadataDocument=metadata) == "InvalidInput"
    assert code(Name="NotMetadata", SAMLMetadataDocument="<html>" + "x" * 1200 + "</html>") == "InvalidInput"
    assert code(Name="Encrypted", SAMLMetadataDocument=metadata, AssertionEncryptionMode="Required") == "InvalidInput"
    with pytest.raises(ClientError) as e:
        iam.delete_saml_provider(SAMLProviderArn=provider_arn("NeverMade"))
    assert error_code(e.value) == "NoSuchEntity"
    # IAM takes admin keys only, signed for IAM.
    unsigned = boto3.session.Session().client(
        "iam", region_name=REGION, endpoint_url=iam.meta.endpoint_url, config=_config(signature_version=botocore.UNSIGNED)
    )
    with pytest.raises(ClientError) as e:
        unsigned.list_saml_providers()
    assert error_code(e.value) == "MissingAuthenticationToken"


def test_identity_pools_take_only_iam_saml_provider_arns(ci, make_identity_pool):  # noqa: F811
    with pytest.raises(ClientError) as e:
        make_identity_pool(SamlProviderARNs=["arn:aws:iam::000000000000:oidc-provider/example.com"])
    assert error_code(e.value) == "InvalidParameterException"


# --- Identity pools: the enhanced flow -----------------------------------------------------------


def test_a_saml_response_gets_the_role_its_assertion_names(aws_saml, anon_ci, ci, server):  # noqa: F811
    identity_id, creds = aws_saml.credentials(anon_ci)
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(ADMIN)
    # The same user (NameID) is the same identity, whatever response carries them.
    again = anon_ci.get_id(IdentityPoolId=aws_saml.pool_id, Logins=aws_saml.logins())["IdentityId"]
    assert again == identity_id
    assert ci.describe_identity(IdentityId=identity_id)["Logins"] == [aws_saml.arn]
    # The AWS SDKs present the same Logins on every refresh: a response holds until it expires.
    logins = aws_saml.logins()
    for _ in range(2):
        anon_ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)


def test_custom_role_arn_chooses_among_the_asserted_roles(aws_saml, anon_ci, server):  # noqa: F811
    identity_id = anon_ci.get_id(IdentityPoolId=aws_saml.pool_id, Logins=aws_saml.logins("dave"))["IdentityId"]

    def credentials(**extra) -> dict:
        return anon_ci.get_credentials_for_identity(IdentityId=identity_id, Logins=aws_saml.logins("dave"), **extra)["Credentials"]

    with pytest.raises(ClientError) as e:
        credentials()
    assert error_code(e.value) == "NotAuthorizedException"
    assert caller_identity(server, credentials(CustomRoleArn=DEV))["Arn"] == assumed_role_arn(DEV)
    assert caller_identity(server, credentials(CustomRoleArn=ADMIN))["Arn"] == assumed_role_arn(ADMIN)
    with pytest.raises(ClientError) as e:
        credentials(CustomRoleArn=role("Elsewhere"))
    assert error_code(e.value) == "NotAuthorizedException"


def test_an_assertion_without_roles_gets_the_pools_authenticated_role(aws_saml, anon_ci, server):  # noqa: F811
    _, creds = aws_saml.credentials(anon_ci, "erin")
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(AUTH_ROLE)


def test_rules_match_the_assertions_attributes(aws_saml, anon_ci, ci, server):  # noqa: F811
    finance = role("Finance")
    set_roles(ci, aws_saml.pool_id, {"authenticated": AUTH_ROLE}, {aws_saml.arn: rules_mapping([("groups", "Contains", "admins", finance)])})
    _, creds = aws_saml.credentials(anon_ci, "erin")
    assert caller_identity(server, creds)["Arn"] == assumed_role_arn(finance)


@pytest.mark.parametrize(
    "tamper, why",
    [
        ("expired", "expired"),
        ("audience=urn:amazon:cognito:sp:us-east-1_x", "audience"),
        ("unsigned", "signature"),
        ("other_key", "signature"),
        ("recipient=https://evil.example/saml", "is not https://signin.aws.amazon.com/saml"),
    ],
)
def test_a_response_that_does_not_hold_is_refused(aws_saml, anon_ci, tamper, why):  # noqa: F811
    with pytest.raises(ClientError) as e:
        anon_ci.get_id(IdentityPoolId=aws_saml.pool_id, Logins=aws_saml.logins(tamper=tamper))
    assert error_code(e.value) == "NotAuthorizedException"
    assert why in error_message(e.value), error_message(e.value)


def test_a_provider_the_pool_does_not_list_or_iam_no_longer_has_is_refused(aws_saml, anon_ci, iam, make_identity_pool):  # noqa: F811
    other_pool = make_identity_pool()["IdentityPoolId"]
    with pytest.raises(ClientError) as e:
        anon_ci.get_id(IdentityPoolId=other_pool, Logins=aws_saml.logins())
    assert error_code(e.value) == "NotAuthorizedException"
    iam.delete_saml_provider(SAMLProviderArn=aws_saml.arn)
    with pytest.raises(ClientError) as e:
        anon_ci.get_id(IdentityPoolId=aws_saml.pool_id, Logins=aws_saml.logins())
    assert error_code(e.value) == "NotAuthorizedException"
    assert "does not exist" in error_message(e.value)


def test_saml_logins_have_no_classic_flow(aws_saml, anon_ci):  # noqa: F811
    identity_id = anon_ci.get_id(IdentityPoolId=aws_saml.pool_id, Logins=aws_saml.logins())["IdentityId"]
    with pytest.raises(ClientError) as e:
        anon_ci.get_open_id_token(IdentityId=identity_id, Logins=aws_saml.logins())
    assert error_code(e.value) == "InvalidParameterException"
    assert "enhanced flow" in error_message(e.value)


# --- STS AssumeRoleWithSAML ----------------------------------------------------------------------


def test_assume_role_with_saml(aws_saml, server):
    sts = sts_client(server.endpoint)
    answer = sts.assume_role_with_saml(RoleArn=ADMIN, PrincipalArn=aws_saml.arn, SAMLAssertion=aws_saml.response(), DurationSeconds=900)
    assert answer["Subject"] == "carol@corp.example"
    assert answer["SubjectType"] == "emailAddress"
    assert answer["Issuer"] == aws_saml.idp.entity_id
    assert answer["Audience"] == AWS_ACS
    digest = hashlib.sha1(f"{aws_saml.idp.entity_id}{ACCOUNT_ID}/{aws_saml.name}".encode()).digest()
    assert answer["NameQualifier"] == base64.b64encode(digest).decode()
    session = "carol@corp.example"
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/SamlAdmin/{session}"
    creds = answer["Credentials"]
    lifetime = (creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 800 < lifetime <= 900, lifetime
    assert caller_identity(server, creds)["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/SamlAdmin/{session}"


def test_assume_role_with_saml_refusals(aws_saml, server):
    sts = sts_client(server.endpoint)

    def code(**params) -> str:
        request = {"RoleArn": ADMIN, "PrincipalArn": aws_saml.arn, **params}
        if "SAMLAssertion" not in request:
            request["SAMLAssertion"] = aws_saml.response()
        with pytest.raises(ClientError) as e:
            sts.assume_role_with_saml(**request)
        return error_code(e.value)

    # Used once: the same response a second time is a replay.
    response = aws_saml.response()
    sts.assume_role_with_saml(RoleArn=ADMIN, PrincipalArn=aws_saml.arn, SAMLAssertion=response)
    assert code(SAMLAssertion=response) == "InvalidIdentityToken"
    # A role the assertion does not pair with this provider.
    assert code(RoleArn=DEV) == "AccessDenied"
    assert code(RoleArn=role("Elsewhere")) == "AccessDenied"
    assert code(PrincipalArn=provider_arn("NeverMade")) == "InvalidIdentityToken"
    assert code(SAMLAssertion=aws_saml.response(tamper="other_key")) == "InvalidIdentityToken"
    assert code(SAMLAssertion=aws_saml.response(tamper="expired")) == "InvalidIdentityToken"
    # Below STS's range (boto3 checks that itself, so the form is posted by hand).
    form = {"Action": "AssumeRoleWithSAML", "Version": "2011-06-15", "RoleArn": ADMIN, "PrincipalArn": aws_saml.arn,
            "SAMLAssertion": aws_saml.response(), "DurationSeconds": "60"}
    resp = requests.post(server.endpoint + "/", data=form, timeout=10)
    assert resp.status_code == 400 and "<Code>ValidationError</Code>" in resp.text, resp.text
    assert code(Policy='{"Version":"2012-10-17","Statement":[]}') == "ValidationError"


def test_assume_role_with_saml_needs_a_role_session_name(iam, saml_idp, server, names):  # noqa: F811
    name = names("nosession")
    arn = provider_arn(name)
    idp = saml_idp([{"username": "frank", "password": "x", "name_id": "frank", "attributes": {ROLE_ATTR: f"{ADMIN},{arn}"}}])
    idp.register_sp(entity_id=AWS_SP, acs_url=AWS_ACS, want_signed_requests=False, encrypt=False)
    iam.create_saml_provider(Name=name, SAMLMetadataDocument=idp.metadata())
    try:
        response = idp.idp_initiated(AWS_SP, "frank")["SAMLResponse"]
        with pytest.raises(ClientError) as e:
            sts_client(server.endpoint).assume_role_with_saml(RoleArn=ADMIN, PrincipalArn=arn, SAMLAssertion=response)
        assert error_code(e.value) == "InvalidIdentityToken"
        assert "RoleSessionName" in error_message(e.value)
    finally:
        iam.delete_saml_provider(SAMLProviderArn=arn)


def test_iam_operations_are_one_api_for_every_door(aws_saml, server):
    """The desktop app and a remote PoolDesk call IAM's operations as JSON targets, signed for
    IAM; every change is in the audit log with the provider's ARN."""
    resp = signed_post(server.endpoint, "AWSIdentityManagementV20100508.ListSAMLProviders", b"{}", service="iam")
    assert resp.status_code == 200, resp.text
    assert aws_saml.arn in {p["Arn"] for p in resp.json()["SAMLProviderList"]}
    wrong_scope = signed_post(server.endpoint, "AWSIdentityManagementV20100508.ListSAMLProviders", b"{}", service="cognito-idp")
    assert wrong_scope.status_code in (400, 403), wrong_scope.text
    status, body = pooldesk_call(server, "ListAuditEvents", {"Operation": "CreateSAMLProvider"})
    assert status == 200, body
    assert any(e["Resource"] == f"SAMLProviderArn={aws_saml.arn}" and e["Outcome"] == "OK" for e in body["Events"]), body
