"""User pools: CreateUserPool, DescribeUserPool, ListUserPools, UpdateUserPool,
AddCustomAttributes, DeleteUserPool, TagResource / UntagResource / ListTagsForResource, as boto3
sees them."""

from __future__ import annotations

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from conftest import PASSWORD, POOL_ID_RE, error_code

PASSWORD_POLICY = {
    "MinimumLength": 10,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": False,
    "RequireSymbols": False,
    "TemporaryPasswordValidityDays": 3,
}

CUSTOM_SCHEMA = [
    {
        "Name": "department",
        "AttributeDataType": "String",
        "Mutable": True,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
    },
    {
        "Name": "level",
        "AttributeDataType": "Number",
        "Mutable": True,
        "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "10"},
    },
]


def schema_by_name(pool: dict) -> dict[str, dict]:
    return {a["Name"]: a for a in pool["SchemaAttributes"]}


@pytest.fixture
def configured_pool(idp, make_pool):
    created = make_pool(
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        Schema=CUSTOM_SCHEMA,
        AutoVerifiedAttributes=["email"],
        AliasAttributes=["email", "preferred_username"],
    )
    described = idp.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    return created, described


def test_create_user_pool_returns_an_aws_shaped_id_and_arn(configured_pool):
    created, described = configured_pool
    assert POOL_ID_RE.match(created["Id"]), created["Id"]
    assert described["Id"] == created["Id"]
    assert re.fullmatch(rf"arn:aws:cognito-idp:us-east-1:\d{{12}}:userpool/{created['Id']}", described["Arn"])


def test_describe_user_pool_returns_name_and_dates(configured_pool):
    created, described = configured_pool
    assert described["Name"] == created["Name"]
    assert isinstance(described["CreationDate"], datetime.datetime)
    assert isinstance(described["LastModifiedDate"], datetime.datetime)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - described["CreationDate"]).total_seconds()) < 300


def test_describe_user_pool_returns_the_password_policy(configured_pool):
    _, described = configured_pool
    policy = described["Policies"]["PasswordPolicy"]
    for key, value in PASSWORD_POLICY.items():
        assert policy[key] == value, key


def test_describe_user_pool_returns_verification_and_alias_settings(configured_pool):
    _, described = configured_pool
    assert described["AutoVerifiedAttributes"] == ["email"]
    assert sorted(described["AliasAttributes"]) == ["email", "preferred_username"]
    assert not described.get("UsernameAttributes")


def test_schema_attributes_include_standard_attributes(configured_pool):
    _, described = configured_pool
    schema = schema_by_name(described)
    for name in ("sub", "email", "email_verified", "given_name", "family_name", "phone_number"):
        assert name in schema, name
    assert schema["email"]["AttributeDataType"] == "String"
    assert schema["email_verified"]["AttributeDataType"] == "Boolean"
    assert schema["sub"]["Mutable"] is False


def test_schema_attributes_include_custom_attributes_with_constraints(configured_pool):
    _, described = configured_pool
    schema = schema_by_name(described)
    dept = schema["custom:department"]
    assert dept["AttributeDataType"] == "String"
    assert dept["Mutable"] is True
    assert dept["StringAttributeConstraints"] == {"MinLength": "1", "MaxLength": "64"}
    level = schema["custom:level"]
    assert level["AttributeDataType"] == "Number"
    assert level["NumberAttributeConstraints"] == {"MinValue": "0", "MaxValue": "10"}
    assert "department" not in schema and "level" not in schema


def test_username_attributes_email_is_stored(idp, make_pool):
    pool = make_pool(UsernameAttributes=["email"])
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["UsernameAttributes"] == ["email"]
    assert not described.get("AliasAttributes")


def test_username_attributes_and_alias_attributes_together_are_rejected(idp, make_pool):
    with pytest.raises(idp.exceptions.InvalidParameterException):
        make_pool(UsernameAttributes=["email"], AliasAttributes=["email"])


def test_list_user_pools_pages_with_max_results_and_next_token(idp, make_pool):
    mine = {make_pool()["Id"] for _ in range(3)}
    seen: list[str] = []
    kwargs = {"MaxResults": 2}
    for _ in range(10_000):
        page = idp.list_user_pools(**kwargs)
        assert len(page["UserPools"]) <= 2
        for p in page["UserPools"]:
            assert POOL_ID_RE.match(p["Id"])
            assert p["Name"]
            assert isinstance(p["CreationDate"], datetime.datetime)
        seen.extend(p["Id"] for p in page["UserPools"])
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    else:
        pytest.fail("ListUserPools never stopped returning a NextToken")
    assert len(seen) == len(set(seen)), "a pool appeared on two pages"
    assert mine <= set(seen)


def test_list_user_pools_first_page_is_full_when_more_pools_exist(idp, make_pool):
    for _ in range(3):
        make_pool()
    page = idp.list_user_pools(MaxResults=2)
    assert len(page["UserPools"]) == 2
    assert page.get("NextToken")


def test_update_user_pool_changes_the_password_policy(idp, make_pool):
    pool = make_pool()
    new_policy = {
        "MinimumLength": 16,
        "RequireUppercase": False,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": False,
        "TemporaryPasswordValidityDays": 2,
    }
    idp.update_user_pool(UserPoolId=pool["Id"], Policies={"PasswordPolicy": new_policy}, AutoVerifiedAttributes=["email"])
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    for key, value in new_policy.items():
        assert described["Policies"]["PasswordPolicy"][key] == value, key
    assert described["LastModifiedDate"] >= described["CreationDate"]


def test_updated_password_policy_is_enforced(idp, make_pool):
    pool = make_pool()
    idp.admin_create_user(UserPoolId=pool["Id"], Username="bob", MessageAction="SUPPRESS")
    idp.update_user_pool(
        UserPoolId=pool["Id"],
        Policies={"PasswordPolicy": {"MinimumLength": 20, "RequireUppercase": True, "RequireLowercase": True,
                                     "RequireNumbers": True, "RequireSymbols": True}},
    )
    assert len(PASSWORD) < 20
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.admin_set_user_password(UserPoolId=pool["Id"], Username="bob", Password=PASSWORD, Permanent=True)
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="bob", Password=PASSWORD + "Abcdefgh1", Permanent=True)


def test_update_of_an_unknown_pool_is_resource_not_found(idp):
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.update_user_pool(UserPoolId="us-east-1_DoesNotExist0", AutoVerifiedAttributes=["email"])


def test_add_custom_attributes_appears_in_schema(idp, make_pool):
    pool = make_pool()
    idp.add_custom_attributes(
        UserPoolId=pool["Id"],
        CustomAttributes=[{"Name": "team", "AttributeDataType": "String", "Mutable": True}],
    )
    schema = schema_by_name(idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"])
    assert schema["custom:team"]["AttributeDataType"] == "String"


def test_added_custom_attribute_can_be_set_on_a_user(idp, make_pool):
    pool = make_pool()
    idp.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=[{"Name": "team", "AttributeDataType": "String"}])
    idp.admin_create_user(
        UserPoolId=pool["Id"], Username="carol", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "custom:team", "Value": "blue"}],
    )
    got = idp.admin_get_user(UserPoolId=pool["Id"], Username="carol")
    assert {"Name": "custom:team", "Value": "blue"} in got["UserAttributes"]


def test_add_custom_attributes_with_an_existing_name_fails(idp, make_pool):
    pool = make_pool(Schema=[{"Name": "team", "AttributeDataType": "String", "Mutable": True}])
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.add_custom_attributes(
            UserPoolId=pool["Id"], CustomAttributes=[{"Name": "team", "AttributeDataType": "String"}]
        )


def test_delete_user_pool_with_deletion_protection_active_fails(idp, make_pool):
    pool = make_pool(DeletionProtection="ACTIVE")
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["DeletionProtection"] == "ACTIVE"
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.delete_user_pool(UserPoolId=pool["Id"])
    # still there
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Id"] == pool["Id"]


def test_delete_user_pool_succeeds_after_deletion_protection_is_deactivated(idp, make_pool):
    pool = make_pool(DeletionProtection="ACTIVE")
    idp.update_user_pool(UserPoolId=pool["Id"], DeletionProtection="INACTIVE")
    idp.delete_user_pool(UserPoolId=pool["Id"])
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_user_pool(UserPoolId=pool["Id"])


def test_deleted_pool_is_gone_from_list_and_its_users_too(idp, make_pool):
    pool = make_pool()
    idp.admin_create_user(UserPoolId=pool["Id"], Username="dave", MessageAction="SUPPRESS")
    idp.delete_user_pool(UserPoolId=pool["Id"])
    with pytest.raises(ClientError) as e:
        idp.admin_get_user(UserPoolId=pool["Id"], Username="dave")
    assert error_code(e.value) in ("ResourceNotFoundException", "UserNotFoundException")
    listed = []
    kwargs = {"MaxResults": 60}
    while True:
        page = idp.list_user_pools(**kwargs)
        listed.extend(p["Id"] for p in page["UserPools"])
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pool["Id"] not in listed


def test_describe_unknown_pool_is_resource_not_found(idp):
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_user_pool(UserPoolId="us-east-1_NoSuchPool1")


# --- tags on the pool's ARN -------------------------------------------------------------------


def test_tags_are_set_removed_and_listed_on_the_pool_arn(idp, make_pool):
    pool = make_pool(UserPoolTags={"team": "blue"})
    arn = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Arn"]
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "blue"}
    idp.tag_resource(ResourceArn=arn, Tags={"env": "prod", "team": "green"})
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "prod", "team": "green"}
    idp.untag_resource(ResourceArn=arn, TagKeys=["team", "never-set"])
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "prod"}
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolTags"] == {"env": "prod"}, "the same tags"


def test_tags_of_an_unknown_pool_or_a_foreign_arn_are_refused(idp, make_pool):
    pool = make_pool()
    arn = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Arn"]
    gone = arn.rsplit("/", 1)[0] + "/us-east-1_Nope00000"
    for call, code in (
        (lambda: idp.list_tags_for_resource(ResourceArn=gone), "ResourceNotFoundException"),
        (lambda: idp.tag_resource(ResourceArn=gone, Tags={"a": "b"}), "ResourceNotFoundException"),
        (lambda: idp.tag_resource(ResourceArn="arn:aws:cognito-identity:us-east-1:000000000000:identitypool/x", Tags={"a": "b"}), "InvalidParameterException"),
        (lambda: idp.tag_resource(ResourceArn=arn, Tags={f"k{i}": "v" for i in range(51)}), "InvalidParameterException"),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == code
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {}


def test_the_signing_algorithm_tag_cannot_change_through_tags(idp, make_pool):
    tag = "pooldesk:token-signing-algorithm"
    pool = make_pool(UserPoolTags={tag: "ES256"})
    arn = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Arn"]
    for call in (lambda: idp.tag_resource(ResourceArn=arn, Tags={tag: "RS256"}), lambda: idp.untag_resource(ResourceArn=arn, TagKeys=[tag])):
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == "InvalidParameterException"
        assert "cannot change" in e.value.response["Error"]["Message"]
    idp.tag_resource(ResourceArn=arn, Tags={tag: "ES256", "team": "blue"})
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {tag: "ES256", "team": "blue"}


def test_a_pool_is_its_own_primary_replica_and_other_regions_are_refused_with_what_to_do(idp, make_pool):
    pool = make_pool()
    region = pool["Id"].split("_")[0]
    primary = {"RegionName": region, "Status": "ACTIVE", "Role": "PRIMARY", "UserPoolArn": pool["Arn"]}
    assert idp.list_user_pool_replicas(UserPoolId=pool["Id"])["UserPoolReplicas"] == [primary]
    assert idp.update_user_pool_replica(UserPoolId=pool["Id"], RegionName=region, Status="ACTIVE")["UserPoolReplica"] == primary

    other = "eu-west-1" if region != "eu-west-1" else "us-west-2"
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=other)
    assert error_code(e.value) == "OperationNotEnabledException"
    assert "pooldesk serve" in e.value.response["Error"]["Message"] and "pooldesk migrate" in e.value.response["Error"]["Message"]
    for call, expected in [
        (lambda: idp.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=region), "InvalidParameterException"),
        (lambda: idp.update_user_pool_replica(UserPoolId=pool["Id"], RegionName=region, Status="INACTIVE"), "InvalidParameterException"),
        (lambda: idp.update_user_pool_replica(UserPoolId=pool["Id"], RegionName=other, Status="ACTIVE"), "ResourceNotFoundException"),
        (lambda: idp.delete_user_pool_replica(UserPoolId=pool["Id"], RegionName=region), "InvalidParameterException"),
        (lambda: idp.delete_user_pool_replica(UserPoolId=pool["Id"], RegionName=other), "ResourceNotFoundException"),
        (lambda: idp.list_user_pool_replicas(UserPoolId=f"{region}_Nope0000"), "ResourceNotFoundException"),
    ]:
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == expected, e.value
    assert idp.list_user_pool_replicas(UserPoolId=pool["Id"])["UserPoolReplicas"] == [primary], "nothing changed"


@pytest.mark.parametrize(
    "setting, mentions",
    [
        ({"UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"}}, "AUDIT"),
        ({"UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT", "AdvancedSecurityAdditionalFlows": {"CustomAuthMode": "ENFORCED"}}}, "AUDIT"),
    ],
)
def test_settings_pooldesk_does_not_act_on_yet_are_refused_not_ignored(idp, make_pool, setting, mentions):
    with pytest.raises(ClientError) as e:
        idp.create_user_pool(PoolName="not-acted-on", **setting)
    assert error_code(e.value) == "InvalidParameterException" and mentions in e.value.response["Error"]["Message"]
    pool = make_pool()
    with pytest.raises(ClientError) as e:
        idp.update_user_pool(UserPoolId=pool["Id"], **setting)
    assert error_code(e.value) == "InvalidParameterException" and mentions in e.value.response["Error"]["Message"]
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert not set(setting) & {k for k, v in described.items() if k != "VerificationMessageTemplate" and v}, "nothing was stored"
    assert described["VerificationMessageTemplate"]["DefaultEmailOption"] == "CONFIRM_WITH_CODE"


def test_threat_protection_audit_mode_is_taken_and_passkey_settings_are_refused(idp, make_pool):
    pool = make_pool(UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolAddOns"] == {"AdvancedSecurityMode": "AUDIT"}
    with pytest.raises(ClientError) as e:
        idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], WebAuthnConfiguration={"RelyingPartyId": "example.com", "UserVerification": "required"})
    assert error_code(e.value) == "InvalidParameterException" and "passkeys" in e.value.response["Error"]["Message"]
    assert "WebAuthnConfiguration" not in idp.get_user_pool_mfa_config(UserPoolId=pool["Id"])
