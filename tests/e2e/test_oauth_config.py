"""OAuth configuration of a user pool through boto3: domains, resource servers and app clients'
OAuth settings, validated as Cognito validates them."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import error_code, error_message

CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-000000000001"


def prefix() -> str:
    return f"d{uuid.uuid4().hex[:12]}"


def test_a_prefix_domain_is_created_described_and_named_by_the_pool(idp, app):
    name = prefix()
    created = idp.create_user_pool_domain(Domain=name, UserPoolId=app.pool_id)
    assert created["ManagedLoginVersion"] == 1
    assert "CloudFrontDomain" not in created, "only a custom domain is told where to point its DNS"
    desc = idp.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert desc["UserPoolId"] == app.pool_id
    assert desc["Domain"] == name
    assert desc["Status"] == "ACTIVE"
    assert desc["AWSAccountId"] and desc["Version"]
    pool = idp.describe_user_pool(UserPoolId=app.pool_id)["UserPool"]
    assert pool["Domain"] == name
    assert "CustomDomain" not in pool


def test_an_unknown_domain_is_described_as_empty(idp):
    assert idp.describe_user_pool_domain(Domain=prefix())["DomainDescription"] == {}


def test_a_custom_domain_needs_a_certificate_and_sits_beside_the_prefix(idp, app):
    custom = f"{prefix()}.example.com"
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_domain(Domain=custom, UserPoolId=app.pool_id)
    assert error_code(e.value) == "InvalidParameterException", "without a certificate a name with dots is a bad prefix"
    assert "failed to satisfy constraint" in error_message(e.value)
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_domain(Domain=custom, UserPoolId=app.pool_id, CustomDomainConfig={"CertificateArn": "arn:aws:iam::123456789012:role/not-a-certificate"})
    assert error_code(e.value) == "InvalidParameterException"

    created = idp.create_user_pool_domain(
        Domain=custom, UserPoolId=app.pool_id, CustomDomainConfig={"CertificateArn": CERT_ARN}, ManagedLoginVersion=2
    )
    assert created["ManagedLoginVersion"] == 2
    assert created["CloudFrontDomain"].startswith("127.0.0.1:"), "the host a custom domain's DNS points at"
    idp.create_user_pool_domain(Domain=prefix(), UserPoolId=app.pool_id)
    pool = idp.describe_user_pool(UserPoolId=app.pool_id)["UserPool"]
    assert pool["CustomDomain"] == custom and pool["Domain"]
    desc = idp.describe_user_pool_domain(Domain=custom)["DomainDescription"]
    assert desc["CustomDomainConfig"]["CertificateArn"] == CERT_ARN

    new_arn = CERT_ARN.replace("0001", "0002")
    updated = idp.update_user_pool_domain(Domain=custom, UserPoolId=app.pool_id, CustomDomainConfig={"CertificateArn": new_arn})
    assert updated["CloudFrontDomain"]
    assert idp.describe_user_pool_domain(Domain=custom)["DomainDescription"]["CustomDomainConfig"]["CertificateArn"] == new_arn
    assert idp.describe_user_pool_domain(Domain=custom)["DomainDescription"]["Version"] != desc["Version"]


@pytest.mark.parametrize(
    "domain, message",
    [
        ("My-App", "failed to satisfy constraint"),
        ("-app", "failed to satisfy constraint"),
        ("my_app", "failed to satisfy constraint"),
        ("my-cognito-app", "reserved word: cognito"),
        ("awsapp", "reserved word: aws"),
        ("amazon-login", "reserved word: amazon"),
    ],
)
def test_prefixes_follow_cognitos_pattern_and_reserved_words(idp, app, domain, message):
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_domain(Domain=domain, UserPoolId=app.pool_id)
    assert error_code(e.value) == "InvalidParameterException"
    assert message in error_message(e.value)


def test_a_domain_belongs_to_one_pool_and_a_pool_has_one_prefix(idp, make_pool):
    a, b = make_pool()["Id"], make_pool()["Id"]
    name = prefix()
    idp.create_user_pool_domain(Domain=name, UserPoolId=a)
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_domain(Domain=name, UserPoolId=b)
    assert (error_code(e.value), error_message(e.value)) == (
        "InvalidParameterException",
        "Domain already associated with another user pool.",
    )
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_domain(Domain=prefix(), UserPoolId=a)
    assert "already has a domain" in error_message(e.value)
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_domain(Domain=prefix(), UserPoolId="us-east-1_Nope12345")
    assert error_code(e.value) == "ResourceNotFoundException"
    for bad in [{"ManagedLoginVersion": 3}, {"Routing": {"Failover": {"SecondaryRegion": "us-west-2", "PrimaryRoute53HealthCheckId": "abcdef01-2345-6789-abcd-ef0123456789"}}}]:
        with pytest.raises(ClientError) as e:
            idp.create_user_pool_domain(Domain=prefix(), UserPoolId=b, **bad)
        assert error_code(e.value) == "InvalidParameterException", bad


def test_deleting_a_domain_frees_its_name(idp, make_pool):
    a, b = make_pool()["Id"], make_pool()["Id"]
    name = prefix()
    idp.create_user_pool_domain(Domain=name, UserPoolId=a)
    with pytest.raises(ClientError) as e:
        idp.delete_user_pool_domain(Domain=name, UserPoolId=b)
    assert (error_code(e.value), error_message(e.value)) == ("InvalidParameterException", "No such domain or user pool exists.")
    idp.delete_user_pool_domain(Domain=name, UserPoolId=a)
    assert "Domain" not in idp.describe_user_pool(UserPoolId=a)["UserPool"]
    idp.create_user_pool_domain(Domain=name, UserPoolId=b)
    assert idp.describe_user_pool_domain(Domain=name)["DomainDescription"]["UserPoolId"] == b


def test_update_changes_the_managed_login_version_of_the_pools_own_domain(idp, make_pool):
    a, b = make_pool()["Id"], make_pool()["Id"]
    name = prefix()
    idp.create_user_pool_domain(Domain=name, UserPoolId=a)
    assert idp.update_user_pool_domain(Domain=name, UserPoolId=a, ManagedLoginVersion=2)["ManagedLoginVersion"] == 2
    assert idp.describe_user_pool_domain(Domain=name)["DomainDescription"]["ManagedLoginVersion"] == 2
    with pytest.raises(ClientError) as e:
        idp.update_user_pool_domain(Domain=name, UserPoolId=b, ManagedLoginVersion=1)
    assert error_code(e.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        idp.update_user_pool_domain(Domain=name, UserPoolId=a, CustomDomainConfig={"CertificateArn": CERT_ARN})
    assert error_code(e.value) == "InvalidParameterException", "a prefix domain has no certificate"


def test_a_deleted_pool_takes_its_domain_and_resource_servers(idp, make_pool):
    pool_id = make_pool()["Id"]
    name = prefix()
    idp.create_user_pool_domain(Domain=name, UserPoolId=pool_id)
    idp.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="API")
    idp.delete_user_pool(UserPoolId=pool_id)
    assert idp.describe_user_pool_domain(Domain=name)["DomainDescription"] == {}


def scopes(*names: str) -> list[dict]:
    return [{"ScopeName": n, "ScopeDescription": f"{n} things"} for n in names]


def test_resource_servers_are_created_listed_updated_and_deleted(idp, app):
    created = idp.create_resource_server(
        UserPoolId=app.pool_id, Identifier="https://orders.example.com", Name="Orders", Scopes=scopes("read", "write")
    )["ResourceServer"]
    assert created == {
        "UserPoolId": app.pool_id,
        "Identifier": "https://orders.example.com",
        "Name": "Orders",
        "Scopes": scopes("read", "write"),
    }
    idp.create_resource_server(UserPoolId=app.pool_id, Identifier="billing", Name="Billing")
    assert idp.describe_resource_server(UserPoolId=app.pool_id, Identifier="billing")["ResourceServer"]["Scopes"] == []

    first = idp.list_resource_servers(UserPoolId=app.pool_id, MaxResults=1)
    second = idp.list_resource_servers(UserPoolId=app.pool_id, MaxResults=1, NextToken=first["NextToken"])
    assert [s["Identifier"] for s in first["ResourceServers"] + second["ResourceServers"]] == ["billing", "https://orders.example.com"]
    assert "NextToken" not in second

    updated = idp.update_resource_server(UserPoolId=app.pool_id, Identifier="billing", Name="Invoices", Scopes=scopes("pay"))
    assert updated["ResourceServer"]["Name"] == "Invoices"
    idp.update_resource_server(UserPoolId=app.pool_id, Identifier="billing", Name="Invoices")
    assert idp.describe_resource_server(UserPoolId=app.pool_id, Identifier="billing")["ResourceServer"]["Scopes"] == [], (
        "scopes left out of an update are removed"
    )
    idp.delete_resource_server(UserPoolId=app.pool_id, Identifier="billing")
    with pytest.raises(ClientError) as e:
        idp.describe_resource_server(UserPoolId=app.pool_id, Identifier="billing")
    assert error_code(e.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        idp.delete_resource_server(UserPoolId=app.pool_id, Identifier="billing")
    assert error_code(e.value) == "ResourceNotFoundException"


@pytest.mark.parametrize(
    "params, where",
    [
        ({"Identifier": "has space", "Name": "n"}, "identifier"),
        ({"Identifier": "api", "Name": "bad/name"}, "name"),
        ({"Identifier": "api", "Name": "n", "Scopes": scopes("a/b")}, "scopeName"),
        ({"Identifier": "api", "Name": "n", "Scopes": scopes("read", "read")}, "Duplicate"),
    ],
)
def test_resource_servers_are_validated(idp, app, params, where):
    with pytest.raises(ClientError) as e:
        idp.create_resource_server(UserPoolId=app.pool_id, **params)
    assert error_code(e.value) == "InvalidParameterException"
    assert where in error_message(e.value)


def test_a_resource_server_identifier_is_unique_in_its_pool(idp, app, make_pool):
    idp.create_resource_server(UserPoolId=app.pool_id, Identifier="api", Name="API")
    with pytest.raises(ClientError) as e:
        idp.create_resource_server(UserPoolId=app.pool_id, Identifier="api", Name="Again")
    assert error_code(e.value) == "InvalidParameterException"
    idp.create_resource_server(UserPoolId=make_pool()["Id"], Identifier="api", Name="API")


def oauth_client(**overrides) -> dict:
    params = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email"],
        "CallbackURLs": ["https://app.example.com/callback", "http://localhost:3000/cb"],
        "LogoutURLs": ["https://app.example.com/bye"],
        "DefaultRedirectURI": "https://app.example.com/callback",
        "SupportedIdentityProviders": ["COGNITO"],
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def test_a_client_keeps_valid_oauth_settings(idp, app, make_client):
    idp.create_resource_server(UserPoolId=app.pool_id, Identifier="api", Name="API", Scopes=scopes("read"))
    client = make_client(app.pool_id, **oauth_client(AllowedOAuthScopes=["openid", "email", "api/read"]))
    got = idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=client["ClientId"])["UserPoolClient"]
    assert got["AllowedOAuthFlows"] == ["code"]
    assert got["AllowedOAuthScopes"] == ["openid", "email", "api/read"]
    assert got["CallbackURLs"] == ["https://app.example.com/callback", "http://localhost:3000/cb"]
    assert got["AllowedOAuthFlowsUserPoolClient"] is True


@pytest.mark.parametrize(
    "overrides, code, message",
    [
        ({"AllowedOAuthFlows": ["code", "client_credentials"]}, "InvalidOAuthFlowException", "along with code flow"),
        ({"AllowedOAuthFlows": ["client_credentials"], "CallbackURLs": None, "DefaultRedirectURI": None}, "InvalidOAuthFlowException", "client secret"),
        ({"AllowedOAuthFlows": None}, "InvalidOAuthFlowException", "AllowedOAuthFlows"),
        ({"AllowedOAuthScopes": None}, "InvalidParameterException", "AllowedOAuthScopes"),
        ({"AllowedOAuthScopes": ["openid", "api/missing"]}, "ScopeDoesNotExistException", "api/missing"),
        ({"CallbackURLs": None, "DefaultRedirectURI": None}, "InvalidParameterException", "CallbackURLs"),
        ({"CallbackURLs": ["http://app.example.com/cb"], "DefaultRedirectURI": None}, "InvalidParameterException", "HTTPS"),
        ({"CallbackURLs": ["https://app.example.com/cb#x"], "DefaultRedirectURI": None}, "InvalidParameterException", "fragment"),
        ({"CallbackURLs": ["/relative"], "DefaultRedirectURI": None}, "InvalidParameterException", "absolute"),
        ({"LogoutURLs": ["javascript:alert(1)"]}, "InvalidParameterException", "LogoutURLs"),
        ({"DefaultRedirectURI": "https://elsewhere.example.com/"}, "InvalidParameterException", "DefaultRedirectURI"),
        ({"SupportedIdentityProviders": ["Google"]}, "InvalidParameterException", "provider Google does not exist"),
    ],
)
def test_invalid_oauth_settings_are_refused_with_cognitos_errors(idp, app, make_client, overrides, code, message):
    with pytest.raises(ClientError) as e:
        make_client(app.pool_id, **oauth_client(**overrides))
    assert error_code(e.value) == code
    assert message in error_message(e.value)


def test_updating_a_client_checks_its_oauth_settings_too(idp, app):
    with pytest.raises(ClientError) as e:
        idp.update_user_pool_client(UserPoolId=app.pool_id, ClientId=app.client_id, **oauth_client(AllowedOAuthFlows=["client_credentials"]))
    assert error_code(e.value) == "InvalidOAuthFlowException", "a public client cannot use client_credentials"
    idp.update_user_pool_client(UserPoolId=app.pool_id, ClientId=app.client_id, **oauth_client())
    got = idp.describe_user_pool_client(UserPoolId=app.pool_id, ClientId=app.client_id)["UserPoolClient"]
    assert got["DefaultRedirectURI"] == "https://app.example.com/callback"
