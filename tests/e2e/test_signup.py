"""Self-service sign-up: SignUp, confirmation codes (outbox and SMTP), ConfirmSignUp,
ResendConfirmationCode, password policy errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from conftest import (
    CODE_RE,
    PASSWORD,
    attrs,
    error_code,
    error_message,
    is_uuid,
    latest_code,
    message_text,
    wait_for_outbox,
    wait_for_smtp,
)


def sign_up(anon_idp, app, username: str, email: str, password: str = PASSWORD) -> dict:
    return anon_idp.sign_up(
        ClientId=app.client_id,
        Username=username,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
    )


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_sign_up_returns_unconfirmed_user_with_a_uuid_sub(anon_idp, app):
    resp = sign_up(anon_idp, app, "frank", "frank@example.com")
    assert resp["UserConfirmed"] is False
    assert is_uuid(resp["UserSub"]), resp["UserSub"]


def test_sign_up_reports_email_code_delivery(anon_idp, app):
    resp = sign_up(anon_idp, app, "frank", "frank@example.com")
    details = resp["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL"
    assert details["AttributeName"] == "email"
    assert details["Destination"]


def test_sign_up_creates_an_unconfirmed_user_with_unverified_email(idp, anon_idp, app):
    resp = sign_up(anon_idp, app, "frank", "frank@example.com")
    got = idp.admin_get_user(UserPoolId=app.pool_id, Username="frank")
    assert got["UserStatus"] == "UNCONFIRMED"
    assert got["Enabled"] is True
    a = attrs(got["UserAttributes"])
    assert a["sub"] == resp["UserSub"]
    assert a["email"] == "frank@example.com"
    assert a.get("email_verified", "false") == "false"


def test_sign_up_code_is_recorded_in_the_outbox(server, anon_idp, app):
    sign_up(anon_idp, app, "frank", "frank@example.com")
    msgs = wait_for_outbox(server, app.pool_id, "frank")
    assert len(msgs) == 1
    msg = msgs[0]
    assert msg["UserPoolId"] == app.pool_id
    assert msg["DeliveryMedium"] == "EMAIL"
    assert msg["Destination"] == "frank@example.com"
    assert CODE_RE.match(msg["Code"]), msg["Code"]
    assert msg["Code"] in msg["Body"]
    assert msg["MessageId"]


def test_sign_up_code_is_sent_by_smtp(server, anon_idp, app, names):
    address = f"{names('smtp').lower()}@example.com"
    sign_up(anon_idp, app, "frank", address)
    code = latest_code(server, app.pool_id, "frank")
    mails = wait_for_smtp(server, lambda m: address in str(m.get("To", "")))
    assert len(mails) == 1, f"expected one e-mail to {address}"
    assert code in message_text(mails[0])


def test_confirm_sign_up_with_a_wrong_code_is_code_mismatch(server, idp, anon_idp, app):
    sign_up(anon_idp, app, "frank", "frank@example.com")
    code = latest_code(server, app.pool_id, "frank")
    with pytest.raises(anon_idp.exceptions.CodeMismatchException):
        anon_idp.confirm_sign_up(ClientId=app.client_id, Username="frank", ConfirmationCode=wrong_code(code))
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username="frank")["UserStatus"] == "UNCONFIRMED"


def test_confirm_sign_up_with_the_right_code_confirms_and_verifies_email(server, idp, anon_idp, app):
    sign_up(anon_idp, app, "frank", "frank@example.com")
    code = latest_code(server, app.pool_id, "frank")
    anon_idp.confirm_sign_up(ClientId=app.client_id, Username="frank", ConfirmationCode=code)
    got = idp.admin_get_user(UserPoolId=app.pool_id, Username="frank")
    assert got["UserStatus"] == "CONFIRMED"
    assert attrs(got["UserAttributes"])["email_verified"] == "true"


def test_confirmed_user_can_sign_in(server, anon_idp, app):
    sign_up(anon_idp, app, "frank", "frank@example.com")
    anon_idp.confirm_sign_up(
        ClientId=app.client_id, Username="frank", ConfirmationCode=latest_code(server, app.pool_id, "frank")
    )
    resp = anon_idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "frank", "PASSWORD": PASSWORD},
    )
    assert resp["AuthenticationResult"]["AccessToken"]


def test_confirm_sign_up_for_an_unknown_user_is_user_not_found(anon_idp, app):
    with pytest.raises(anon_idp.exceptions.UserNotFoundException):
        anon_idp.confirm_sign_up(ClientId=app.client_id, Username="nobody", ConfirmationCode="123456")


def test_resend_confirmation_code_sends_a_new_code_that_confirms(server, idp, anon_idp, app):
    sign_up(anon_idp, app, "frank", "frank@example.com")
    latest_code(server, app.pool_id, "frank")
    resp = anon_idp.resend_confirmation_code(ClientId=app.client_id, Username="frank")
    assert resp["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert resp["CodeDeliveryDetails"]["AttributeName"] == "email"
    msgs = wait_for_outbox(server, app.pool_id, "frank", count=2)
    assert len(msgs) == 2
    new_code = msgs[0]["Code"]
    assert CODE_RE.match(new_code)
    anon_idp.confirm_sign_up(ClientId=app.client_id, Username="frank", ConfirmationCode=new_code)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username="frank")["UserStatus"] == "CONFIRMED"


def test_sign_up_with_an_existing_username_is_username_exists(anon_idp, app):
    sign_up(anon_idp, app, "frank", "frank@example.com")
    with pytest.raises(anon_idp.exceptions.UsernameExistsException):
        sign_up(anon_idp, app, "frank", "other@example.com")


@pytest.mark.parametrize(
    ("password", "rule_words"),
    [
        ("Sh0rt!a", ("long", "length")),
        ("nouppercase1!", ("uppercase",)),
        ("NOLOWERCASE1!", ("lowercase",)),
        ("NoNumbers!!x", ("numeric", "number")),
        ("NoSymbols123x", ("symbol",)),
    ],
    ids=["too-short", "no-uppercase", "no-lowercase", "no-number", "no-symbol"],
)
def test_weak_password_is_invalid_password_naming_the_rule(idp, anon_idp, app, password, rule_words):
    with pytest.raises(anon_idp.exceptions.InvalidPasswordException) as e:
        sign_up(anon_idp, app, "frank", "frank@example.com", password=password)
    message = error_message(e.value).lower()
    assert any(w in message for w in rule_words), message
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=app.pool_id, Username="frank")


def test_sign_up_on_an_admin_only_pool_is_not_authorized(anon_idp, make_pool, make_client):
    pool = make_pool(AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client = make_client(pool["Id"])
    with pytest.raises(anon_idp.exceptions.NotAuthorizedException):
        anon_idp.sign_up(
            ClientId=client["ClientId"], Username="frank", Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "frank@example.com"}],
        )


def test_sign_up_with_an_unknown_client_is_resource_not_found(anon_idp):
    with pytest.raises(anon_idp.exceptions.ResourceNotFoundException):
        anon_idp.sign_up(ClientId="abcdefghijklmnopqrstuvwxyz", Username="frank", Password=PASSWORD)


def test_many_wrong_codes_are_never_accepted(server, idp, anon_idp, app):
    sign_up(anon_idp, app, "frank", "frank@example.com")
    code = latest_code(server, app.pool_id, "frank")
    seen = []
    for i in range(1, 9):
        bad = f"{(int(code) + i) % 1_000_000:06d}"
        with pytest.raises(ClientError) as e:
            anon_idp.confirm_sign_up(ClientId=app.client_id, Username="frank", ConfirmationCode=bad)
        seen.append(error_code(e.value))
    assert set(seen) <= {"CodeMismatchException", "LimitExceededException", "TooManyFailedAttemptsException"}, seen
    assert seen[0] == "CodeMismatchException"
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username="frank")["UserStatus"] == "UNCONFIRMED"
