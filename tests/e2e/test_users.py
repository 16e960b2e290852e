"""Users: admin lifecycle (create, invite, get, update, disable, delete, passwords), self-service
with an access token (GetUser, attributes, ChangePassword, DeleteUser), forgot password,
attribute verification, attribute validation."""

from __future__ import annotations

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from conftest import (
    CODE_RE,
    OTHER_PASSWORD,
    PASSWORD,
    attrs,
    error_code,
    is_uuid,
    latest_code,
    sign_in,
    wait_for_outbox,
)

TEMP_PASSWORD = "Temp0rary-Pass!"


def satisfies_default_policy(s: str) -> bool:
    return (
        len(s) >= 8
        and re.search(r"[A-Z]", s) is not None
        and re.search(r"[a-z]", s) is not None
        and re.search(r"[0-9]", s) is not None
        and re.search(r"[^A-Za-z0-9]", s) is not None
    )


# --- AdminCreateUser and invitations ------------------------------------------------------------


def test_admin_create_user_returns_a_force_change_password_user(idp, app):
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
    user = idp.admin_create_user(
        UserPoolId=app.pool_id, Username="nina", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "nina@example.com"}],
    )["User"]
    assert user["Username"] == "nina"
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is True
    assert user["UserCreateDate"] >= before
    a = attrs(user["Attributes"])
    assert is_uuid(a["sub"])
    assert a["email"] == "nina@example.com"


def test_admin_get_user_returns_the_users_fields(idp, app):
    created = idp.admin_create_user(
        UserPoolId=app.pool_id, Username="nina", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "nina@example.com"}, {"Name": "given_name", "Value": "Nina"}],
    )["User"]
    got = idp.admin_get_user(UserPoolId=app.pool_id, Username="nina")
    assert got["Username"] == "nina"
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert got["Enabled"] is True
    assert isinstance(got["UserCreateDate"], datetime.datetime)
    assert isinstance(got["UserLastModifiedDate"], datetime.datetime)
    a = attrs(got["UserAttributes"])
    assert a["sub"] == attrs(created["Attributes"])["sub"]
    assert a["email"] == "nina@example.com"
    assert a["given_name"] == "Nina"


def test_admin_create_user_with_an_existing_username_is_username_exists(idp, app, user):
    with pytest.raises(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(UserPoolId=app.pool_id, Username=user.username, MessageAction="SUPPRESS")


def test_admin_create_user_sends_an_invitation_with_the_given_temporary_password(server, idp, app):
    idp.admin_create_user(
        UserPoolId=app.pool_id, Username="nina", TemporaryPassword=TEMP_PASSWORD, DesiredDeliveryMediums=["EMAIL"],
        UserAttributes=[{"Name": "email", "Value": "nina@example.com"}],
    )
    msgs = wait_for_outbox(server, app.pool_id, "nina")
    assert len(msgs) == 1
    assert msgs[0]["DeliveryMedium"] == "EMAIL"
    assert msgs[0]["Destination"] == "nina@example.com"
    assert TEMP_PASSWORD in msgs[0]["Body"]
    assert "nina" in msgs[0]["Body"]


def test_admin_create_user_invitation_carries_a_generated_temporary_password_that_works(server, idp, anon_idp, app):
    idp.admin_create_user(
        UserPoolId=app.pool_id, Username="nina", DesiredDeliveryMediums=["EMAIL"],
        UserAttributes=[{"Name": "email", "Value": "nina@example.com"}],
    )
    msgs = wait_for_outbox(server, app.pool_id, "nina")
    assert len(msgs) == 1
    body = msgs[0]["Body"]
    assert "nina" in body
    # The generated password satisfies the pool's policy; find it among the words of the body.
    candidates = []
    for word in ([msgs[0]["Code"]] if msgs[0].get("Code") else []) + body.split():
        for c in (word, word.rstrip(".,;")):
            if satisfies_default_policy(c) and c not in candidates:
                candidates.append(c)
    assert candidates, f"no policy-conforming temporary password in: {body!r}"
    for candidate in candidates[:3]:
        try:
            resp = anon_idp.initiate_auth(
                ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "nina", "PASSWORD": candidate},
            )
        except anon_idp.exceptions.NotAuthorizedException:
            continue
        assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
        return
    pytest.fail(f"none of {candidates[:3]} signs in as the invited user")


def test_admin_create_user_with_suppress_sends_nothing(server, idp, app):
    idp.admin_create_user(
        UserPoolId=app.pool_id, Username="nina", MessageAction="SUPPRESS", DesiredDeliveryMediums=["EMAIL"],
        UserAttributes=[{"Name": "email", "Value": "nina@example.com"}],
    )
    assert wait_for_outbox(server, app.pool_id, "nina", timeout=1.0) == []


def test_admin_create_user_resend_sends_the_invitation_again(server, idp, app):
    idp.admin_create_user(
        UserPoolId=app.pool_id, Username="nina", MessageAction="SUPPRESS", TemporaryPassword=TEMP_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "nina@example.com"}],
    )
    resp = idp.admin_create_user(
        UserPoolId=app.pool_id, Username="nina", MessageAction="RESEND", DesiredDeliveryMediums=["EMAIL"],
        TemporaryPassword=TEMP_PASSWORD,
    )
    assert resp["User"]["Username"] == "nina"
    msgs = wait_for_outbox(server, app.pool_id, "nina")
    assert len(msgs) == 1
    assert TEMP_PASSWORD in msgs[0]["Body"]


def test_admin_create_user_resend_for_an_unknown_user_is_user_not_found(idp, app):
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_create_user(UserPoolId=app.pool_id, Username="ghost", MessageAction="RESEND")


def test_admin_create_user_with_a_weak_temporary_password_is_invalid_password(idp, app):
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.admin_create_user(UserPoolId=app.pool_id, Username="nina", TemporaryPassword="weak", MessageAction="SUPPRESS")


def test_admin_create_user_in_an_unknown_pool_is_resource_not_found(idp):
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.admin_create_user(UserPoolId="us-east-1_NoSuchPool2", Username="nina", MessageAction="SUPPRESS")


def test_admin_get_user_for_an_unknown_user_is_user_not_found(idp, app):
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=app.pool_id, Username="ghost")


# --- admin attribute updates ----------------------------------------------------------------------


def test_admin_update_user_attributes_sets_values(idp, app, user):
    idp.admin_update_user_attributes(
        UserPoolId=app.pool_id, Username=user.username,
        UserAttributes=[{"Name": "given_name", "Value": "Alicia"}, {"Name": "family_name", "Value": "Smith"}],
    )
    a = attrs(idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)["UserAttributes"])
    assert a["given_name"] == "Alicia"
    assert a["family_name"] == "Smith"


def test_changing_email_clears_email_verified(idp, app, user):
    idp.admin_update_user_attributes(
        UserPoolId=app.pool_id, Username=user.username,
        UserAttributes=[{"Name": "email", "Value": "new-address@example.com"}],
    )
    a = attrs(idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)["UserAttributes"])
    assert a["email"] == "new-address@example.com"
    assert a["email_verified"] == "false"


def test_changing_email_with_email_verified_true_keeps_it_verified(idp, app, user):
    idp.admin_update_user_attributes(
        UserPoolId=app.pool_id, Username=user.username,
        UserAttributes=[{"Name": "email", "Value": "new-address@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    a = attrs(idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)["UserAttributes"])
    assert a["email"] == "new-address@example.com"
    assert a["email_verified"] == "true"


def test_admin_delete_user_attributes_removes_them(idp, app, make_user):
    u = make_user(app.pool_id, "olga", attributes={"given_name": "Olga", "family_name": "K"})
    idp.admin_delete_user_attributes(UserPoolId=app.pool_id, Username=u.username, UserAttributeNames=["given_name"])
    a = attrs(idp.admin_get_user(UserPoolId=app.pool_id, Username=u.username)["UserAttributes"])
    assert "given_name" not in a
    assert a["family_name"] == "K"


def test_unknown_attribute_is_invalid_parameter(idp, app, user):
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.admin_update_user_attributes(
            UserPoolId=app.pool_id, Username=user.username,
            UserAttributes=[{"Name": "custom:nope", "Value": "x"}],
        )


@pytest.fixture
def typed_pool(make_pool):
    pool = make_pool(
        Schema=[
            {"Name": "age", "AttributeDataType": "Number", "Mutable": True,
             "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"}},
            {"Name": "nickname", "AttributeDataType": "String", "Mutable": True,
             "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "10"}},
            {"Name": "tenant", "AttributeDataType": "String", "Mutable": False},
        ]
    )
    return pool["Id"]


def test_number_attribute_accepts_a_number(idp, typed_pool):
    idp.admin_create_user(
        UserPoolId=typed_pool, Username="pat", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "custom:age", "Value": "42"}],
    )
    a = attrs(idp.admin_get_user(UserPoolId=typed_pool, Username="pat")["UserAttributes"])
    assert a["custom:age"] == "42"


def test_number_attribute_rejects_a_non_numeric_value(idp, typed_pool):
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.admin_create_user(
            UserPoolId=typed_pool, Username="pat", MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "custom:age", "Value": "forty-two"}],
        )


def test_string_attribute_rejects_a_value_over_max_length(idp, typed_pool):
    idp.admin_create_user(UserPoolId=typed_pool, Username="pat", MessageAction="SUPPRESS")
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.admin_update_user_attributes(
            UserPoolId=typed_pool, Username="pat", UserAttributes=[{"Name": "custom:nickname", "Value": "x" * 11}]
        )


def test_immutable_attribute_is_set_at_creation_but_not_changed_after(idp, typed_pool):
    idp.admin_create_user(
        UserPoolId=typed_pool, Username="pat", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "custom:tenant", "Value": "acme"}],
    )
    with pytest.raises(ClientError) as e:
        idp.admin_update_user_attributes(
            UserPoolId=typed_pool, Username="pat", UserAttributes=[{"Name": "custom:tenant", "Value": "other"}]
        )
    assert error_code(e.value) in ("InvalidParameterException", "NotAuthorizedException")
    a = attrs(idp.admin_get_user(UserPoolId=typed_pool, Username="pat")["UserAttributes"])
    assert a["custom:tenant"] == "acme"


def test_sub_cannot_be_changed(idp, app, user):
    with pytest.raises(ClientError) as e:
        idp.admin_update_user_attributes(
            UserPoolId=app.pool_id, Username=user.username,
            UserAttributes=[{"Name": "sub", "Value": "00000000-0000-4000-8000-000000000000"}],
        )
    assert error_code(e.value) in ("InvalidParameterException", "NotAuthorizedException")
    a = attrs(idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)["UserAttributes"])
    assert a["sub"] == user.sub


# --- enable / disable / delete / confirm / set password ---------------------------------------


def test_admin_disable_and_enable_user_toggle_enabled(idp, app, user):
    idp.admin_disable_user(UserPoolId=app.pool_id, Username=user.username)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)["Enabled"] is False
    idp.admin_enable_user(UserPoolId=app.pool_id, Username=user.username)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)["Enabled"] is True


def test_admin_delete_user_removes_the_user(idp, app, user):
    idp.admin_delete_user(UserPoolId=app.pool_id, Username=user.username)
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)


def test_deleted_username_can_be_reused_with_a_new_sub(idp, app, user, make_user):
    idp.admin_delete_user(UserPoolId=app.pool_id, Username=user.username)
    again = make_user(app.pool_id, user.username)
    assert again.sub != user.sub


def test_admin_confirm_sign_up_confirms_an_unconfirmed_user(idp, anon_idp, app):
    anon_idp.sign_up(
        ClientId=app.client_id, Username="quinn", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "quinn@example.com"}],
    )
    idp.admin_confirm_sign_up(UserPoolId=app.pool_id, Username="quinn")
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username="quinn")["UserStatus"] == "CONFIRMED"
    assert sign_in(anon_idp, app.client_id, "quinn", PASSWORD)["AccessToken"]


def test_admin_set_user_password_permanent_confirms(idp, anon_idp, app):
    idp.admin_create_user(UserPoolId=app.pool_id, Username="rita", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=app.pool_id, Username="rita", Password=PASSWORD, Permanent=True)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username="rita")["UserStatus"] == "CONFIRMED"
    assert sign_in(anon_idp, app.client_id, "rita", PASSWORD)["AccessToken"]


def test_admin_set_user_password_not_permanent_forces_a_change(idp, anon_idp, app, user):
    idp.admin_set_user_password(UserPoolId=app.pool_id, Username=user.username, Password=OTHER_PASSWORD, Permanent=False)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    resp = anon_idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": OTHER_PASSWORD},
    )
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_admin_set_user_password_replaces_the_old_password(idp, anon_idp, app, user):
    idp.admin_set_user_password(UserPoolId=app.pool_id, Username=user.username, Password=OTHER_PASSWORD, Permanent=True)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        sign_in(anon_idp, app.client_id, user.username, user.password)
    assert sign_in(anon_idp, app.client_id, user.username, OTHER_PASSWORD)["AccessToken"]


# --- self-service with an access token ----------------------------------------------------------


@pytest.fixture
def access_token(anon_idp, app, user) -> str:
    return sign_in(anon_idp, app.client_id, user.username, user.password)["AccessToken"]


def test_get_user_with_an_access_token(anon_idp, user, access_token):
    got = anon_idp.get_user(AccessToken=access_token)
    assert got["Username"] == user.username
    a = attrs(got["UserAttributes"])
    assert a["sub"] == user.sub
    assert a["email"] == user.email


def test_get_user_with_a_garbage_token_is_not_authorized(anon_idp):
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_user(AccessToken="eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")


def test_get_user_with_an_id_token_is_not_authorized(anon_idp, app, user):
    id_token = sign_in(anon_idp, app.client_id, user.username, user.password)["IdToken"]
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.get_user(AccessToken=id_token)


def test_update_user_attributes_with_an_access_token(idp, anon_idp, app, user, access_token):
    anon_idp.update_user_attributes(AccessToken=access_token, UserAttributes=[{"Name": "given_name", "Value": "Al"}])
    a = attrs(idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)["UserAttributes"])
    assert a["given_name"] == "Al"


def test_update_user_attributes_email_change_sends_a_verification_code(server, anon_idp, app, user, access_token):
    resp = anon_idp.update_user_attributes(
        AccessToken=access_token, UserAttributes=[{"Name": "email", "Value": "moved@example.com"}]
    )
    details = resp["CodeDeliveryDetailsList"]
    assert [d["AttributeName"] for d in details] == ["email"]
    assert details[0]["DeliveryMedium"] == "EMAIL"
    assert CODE_RE.match(latest_code(server, app.pool_id, user.username))


def test_delete_user_attributes_with_an_access_token(idp, anon_idp, app, make_user):
    u = make_user(app.pool_id, "sara", attributes={"given_name": "Sara"})
    token = sign_in(anon_idp, app.client_id, u.username, u.password)["AccessToken"]
    anon_idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["given_name"])
    a = attrs(idp.admin_get_user(UserPoolId=app.pool_id, Username="sara")["UserAttributes"])
    assert "given_name" not in a


def test_delete_user_with_an_access_token(idp, anon_idp, app, user, access_token):
    anon_idp.delete_user(AccessToken=access_token)
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=app.pool_id, Username=user.username)


def test_change_password_with_the_right_previous_password(anon_idp, app, user, access_token):
    anon_idp.change_password(PreviousPassword=user.password, ProposedPassword=OTHER_PASSWORD, AccessToken=access_token)
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        sign_in(anon_idp, app.client_id, user.username, user.password)
    assert sign_in(anon_idp, app.client_id, user.username, OTHER_PASSWORD)["AccessToken"]


def test_change_password_with_a_wrong_previous_password_is_not_authorized(anon_idp, app, user, access_token):
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.change_password(
            PreviousPassword="Wr0ng-Password!", ProposedPassword=OTHER_PASSWORD, AccessToken=access_token
        )
    assert sign_in(anon_idp, app.client_id, user.username, user.password)["AccessToken"]


def test_change_password_to_a_weak_password_is_invalid_password(anon_idp, user, access_token):
    with pytest.raises(anon_idp.exceptions.InvalidPasswordException):
        anon_idp.change_password(PreviousPassword=user.password, ProposedPassword="weakweak", AccessToken=access_token)


# --- forgot password ----------------------------------------------------------------------------


def test_forgot_password_sends_a_code(server, anon_idp, app, user):
    resp = anon_idp.forgot_password(ClientId=app.client_id, Username=user.username)
    assert resp["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert resp["CodeDeliveryDetails"]["AttributeName"] == "email"
    msgs = wait_for_outbox(server, app.pool_id, user.username)
    assert msgs and CODE_RE.match(msgs[0]["Code"])
    assert msgs[0]["Destination"] == user.email


def test_confirm_forgot_password_with_a_wrong_code_is_code_mismatch(server, anon_idp, app, user):
    anon_idp.forgot_password(ClientId=app.client_id, Username=user.username)
    code = latest_code(server, app.pool_id, user.username)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(anon_idp.exceptions.CodeMismatchException):
        anon_idp.confirm_forgot_password(
            ClientId=app.client_id, Username=user.username, ConfirmationCode=wrong, Password=OTHER_PASSWORD
        )
    assert sign_in(anon_idp, app.client_id, user.username, user.password)["AccessToken"]


def test_confirm_forgot_password_with_the_right_code_sets_the_new_password(server, anon_idp, app, user):
    anon_idp.forgot_password(ClientId=app.client_id, Username=user.username)
    code = latest_code(server, app.pool_id, user.username)
    anon_idp.confirm_forgot_password(
        ClientId=app.client_id, Username=user.username, ConfirmationCode=code, Password=OTHER_PASSWORD
    )
    assert sign_in(anon_idp, app.client_id, user.username, OTHER_PASSWORD)["AccessToken"]
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        sign_in(anon_idp, app.client_id, user.username, user.password)


def test_forgot_password_for_an_unknown_user_is_user_not_found(anon_idp, app):
    with pytest.raises(anon_idp.exceptions.UserNotFoundException):
        anon_idp.forgot_password(ClientId=app.client_id, Username="ghost")


# --- attribute verification ---------------------------------------------------------------------


@pytest.fixture
def unverified(anon_idp, app, make_user):
    u = make_user(app.pool_id, "tess", email_verified=False)
    u.access_token = sign_in(anon_idp, app.client_id, u.username, u.password)["AccessToken"]
    return u


def test_get_user_attribute_verification_code_sends_a_code(server, anon_idp, app, unverified):
    resp = anon_idp.get_user_attribute_verification_code(AccessToken=unverified.access_token, AttributeName="email")
    assert resp["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert resp["CodeDeliveryDetails"]["AttributeName"] == "email"
    assert CODE_RE.match(latest_code(server, app.pool_id, "tess"))


def test_verify_user_attribute_with_the_right_code_verifies_email(server, idp, anon_idp, app, unverified):
    anon_idp.get_user_attribute_verification_code(AccessToken=unverified.access_token, AttributeName="email")
    code = latest_code(server, app.pool_id, "tess")
    anon_idp.verify_user_attribute(AccessToken=unverified.access_token, AttributeName="email", Code=code)
    a = attrs(idp.admin_get_user(UserPoolId=app.pool_id, Username="tess")["UserAttributes"])
    assert a["email_verified"] == "true"


def test_verify_user_attribute_with_a_wrong_code_is_code_mismatch(server, idp, anon_idp, app, unverified):
    anon_idp.get_user_attribute_verification_code(AccessToken=unverified.access_token, AttributeName="email")
    code = latest_code(server, app.pool_id, "tess")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(anon_idp.exceptions.CodeMismatchException):
        anon_idp.verify_user_attribute(AccessToken=unverified.access_token, AttributeName="email", Code=wrong)
    a = attrs(idp.admin_get_user(UserPoolId=app.pool_id, Username="tess")["UserAttributes"])
    assert a["email_verified"] == "false"
