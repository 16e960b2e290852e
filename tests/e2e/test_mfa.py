"""Multi-factor sign-in: TOTP software tokens (pyotp as the authenticator app), SMS and e-mail
codes (read from the outbox, the SMTP sink and the SMS webhook), MFA_SETUP, SELECT_MFA_TYPE,
the pool's MFA configuration and the user's MFA preferences."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyotp
import pytest
from botocore.exceptions import ClientError

from conftest import (
    IDP_TARGET_PREFIX,
    PASSWORD,
    attrs,
    claims,
    error_code,
    idp_client,
    latest_code,
    message_text,
    sign_in,
    signed_post,
    unique_name,
    wait_for_outbox,
    wait_for_smtp,
)

SNS_ROLE = "arn:aws:iam::000000000000:role/sms"
PHONE = "+15555550123"
OTHER_PHONE = "+15555550188"
TOTP_STEP = 30
SMS_MFA_CONFIG = {
    "SmsAuthenticationMessage": "Your PoolDesk MFA code is {####}",
    "SmsConfiguration": {"SnsCallerArn": SNS_ROLE},
}
EMAIL_MFA_CONFIG = {"Message": "Your PoolDesk sign-in code is {####}", "Subject": "PoolDesk sign-in code"}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def idp_raw(server, op: str, payload: dict) -> tuple[int, dict]:
    """A SigV4-signed cognito-idp call by name, for operations this boto3 does not know yet."""
    resp = signed_post(server.endpoint, f"{IDP_TARGET_PREFIX}.{op}", json.dumps(payload).encode())
    try:
        body = resp.json() if resp.content else {}
    except ValueError:
        body = {"__raw": resp.text}
    return resp.status_code, body


def fresh_code(totp: pyotp.TOTP, after_step: int | None = None, margin: float = 3.0) -> tuple[str, int]:
    """A current TOTP code and its time step, from a step later than `after_step` (a code is
    accepted once, and a step already used may be refused), with at least `margin` seconds left
    in the step so the server sees the same one. Waits for the next step when it must."""
    while True:
        now = time.time()
        step = int(now) // TOTP_STEP
        left = TOTP_STEP - (now % TOTP_STEP)
        if (after_step is None or step > after_step) and left > margin:
            return totp.at(now), step
        time.sleep(left + 0.1)


def wrong_code(totp: pyotp.TOTP) -> str:
    """A six-digit code that is not the TOTP of any step near now."""
    now = time.time()
    near = {totp.at(now + k * TOTP_STEP) for k in range(-3, 4)}
    candidate = int(totp.at(now))
    while f"{candidate:06d}" in near:
        candidate = (candidate + 1) % 1_000_000
    return f"{candidate:06d}"


def wrong_digits(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def enable_totp(anon_idp, access_token: str, device: str = "pixel") -> tuple[pyotp.TOTP, int]:
    """AssociateSoftwareToken + VerifySoftwareToken with the access token; (authenticator, step used)."""
    secret = anon_idp.associate_software_token(AccessToken=access_token)["SecretCode"]
    totp = pyotp.TOTP(secret)
    code, step = fresh_code(totp)
    resp = anon_idp.verify_software_token(AccessToken=access_token, UserCode=code, FriendlyDeviceName=device)
    assert resp["Status"] == "SUCCESS", resp
    return totp, step


def start_sign_in(anon_idp, client_id: str, username: str, password: str = PASSWORD) -> dict:
    return anon_idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )


def answer(anon_idp, client_id: str, challenge: dict, name: str, **responses: str) -> dict:
    return anon_idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName=name, Session=challenge["Session"], ChallengeResponses=responses
    )


def is_masked(destination: str, real: str) -> bool:
    return destination != real and "*" in destination


class WebhookSink:
    """An HTTP server on 127.0.0.1 (OS-chosen port) that records every POST as JSON."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = None
                with sink._lock:
                    sink.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "raw": raw, "json": parsed}
                    )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sms-webhook", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/sms"

    def wait_for(self, predicate, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [r for r in self.requests if predicate(r)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(10)


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def mfa_pool(idp, make_pool, make_client):
    """mfa_pool(mode="OPTIONAL", sms=False, email=False) -> (pool_id, client_id): TOTP enabled."""

    def _make(mode: str = "OPTIONAL", *, totp: bool = True, sms: bool = False, email: bool = False):
        pool = make_pool()
        config = {"UserPoolId": pool["Id"], "MfaConfiguration": mode}
        if totp:
            config["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
        if sms:
            config["SmsMfaConfiguration"] = SMS_MFA_CONFIG
        if email:
            config["EmailMfaConfiguration"] = EMAIL_MFA_CONFIG
        idp.set_user_pool_mfa_config(**config)
        client = make_client(pool["Id"])
        return pool["Id"], client["ClientId"]

    return _make


@pytest.fixture
def totp_user(anon_idp, mfa_pool, make_user):
    """A user with TOTP MFA enabled and preferred, in a pool where MFA is OPTIONAL."""
    pool_id, client_id = mfa_pool("OPTIONAL")
    u = make_user(pool_id, "tina")
    tokens = sign_in(anon_idp, client_id, u.username, u.password)
    totp, step = enable_totp(anon_idp, tokens["AccessToken"])
    anon_idp.set_user_mfa_preference(
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}, AccessToken=tokens["AccessToken"]
    )
    u.pool_id, u.client_id, u.totp, u.verified_step, u.access_token = pool_id, client_id, totp, step, tokens["AccessToken"]
    return u


@pytest.fixture
def sms_user(idp, mfa_pool, make_user):
    """A user with a verified phone and SMS MFA enabled and preferred (pool MFA OPTIONAL)."""
    pool_id, client_id = mfa_pool("OPTIONAL", sms=True)
    u = make_user(pool_id, "simon", attributes={"phone_number": PHONE, "phone_number_verified": "true"})
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username=u.username, SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    u.pool_id, u.client_id = pool_id, client_id
    return u


# ---------------------------------------------------------------------------------------------
# TOTP enrolment with an access token
# ---------------------------------------------------------------------------------------------


def test_associate_software_token_returns_a_base32_secret_of_160_bits_or_more(anon_idp, mfa_pool, make_user):
    pool_id, client_id = mfa_pool()
    u = make_user(pool_id)
    access = sign_in(anon_idp, client_id, u.username, u.password)["AccessToken"]
    first = anon_idp.associate_software_token(AccessToken=access)["SecretCode"]
    second = anon_idp.associate_software_token(AccessToken=access)["SecretCode"]
    for secret in (first, second):
        assert re.fullmatch(r"[A-Z2-7]+=*", secret), secret
        assert len(secret.rstrip("=")) >= 32, secret
    assert first != second


def test_verify_software_token_with_the_current_code_succeeds(anon_idp, mfa_pool, make_user):
    pool_id, client_id = mfa_pool()
    u = make_user(pool_id)
    access = sign_in(anon_idp, client_id, u.username, u.password)["AccessToken"]
    totp = pyotp.TOTP(anon_idp.associate_software_token(AccessToken=access)["SecretCode"])
    code, _ = fresh_code(totp)
    resp = anon_idp.verify_software_token(AccessToken=access, UserCode=code, FriendlyDeviceName="pixel")
    assert resp["Status"] == "SUCCESS"


def test_verify_software_token_with_a_wrong_code_fails(anon_idp, mfa_pool, make_user):
    pool_id, client_id = mfa_pool()
    u = make_user(pool_id)
    access = sign_in(anon_idp, client_id, u.username, u.password)["AccessToken"]
    totp = pyotp.TOTP(anon_idp.associate_software_token(AccessToken=access)["SecretCode"])
    with pytest.raises(ClientError) as e:
        anon_idp.verify_software_token(AccessToken=access, UserCode=wrong_code(totp), FriendlyDeviceName="pixel")
    assert error_code(e.value) in ("EnableSoftwareTokenMFAException", "CodeMismatchException")


def test_user_mfa_settings_show_software_token_mfa(idp, anon_idp, totp_user):
    got = idp.admin_get_user(UserPoolId=totp_user.pool_id, Username=totp_user.username)
    assert got["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert got["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    own = anon_idp.get_user(AccessToken=totp_user.access_token)
    assert own["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert own["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"


# ---------------------------------------------------------------------------------------------
# SOFTWARE_TOKEN_MFA sign-in
# ---------------------------------------------------------------------------------------------


def test_totp_user_sign_in_is_a_software_token_mfa_challenge(anon_idp, totp_user):
    resp = start_sign_in(anon_idp, totp_user.client_id, totp_user.username)
    assert resp["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert resp["Session"]
    assert "AuthenticationResult" not in resp


def test_totp_code_signs_in_once_and_is_refused_the_second_time(anon_idp, totp_user):
    code, _ = fresh_code(totp_user.totp, after_step=totp_user.verified_step, margin=6.0)
    first = start_sign_in(anon_idp, totp_user.client_id, totp_user.username)
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = answer(
        anon_idp, totp_user.client_id, first, "SOFTWARE_TOKEN_MFA",
        USERNAME=totp_user.username, SOFTWARE_TOKEN_MFA_CODE=code,
    )
    result = done["AuthenticationResult"]
    assert claims(result["IdToken"])["cognito:username"] == totp_user.username
    assert anon_idp.get_user(AccessToken=result["AccessToken"])["Username"] == totp_user.username

    again = start_sign_in(anon_idp, totp_user.client_id, totp_user.username)
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(anon_idp.exceptions.CodeMismatchException):
        answer(
            anon_idp, totp_user.client_id, again, "SOFTWARE_TOKEN_MFA",
            USERNAME=totp_user.username, SOFTWARE_TOKEN_MFA_CODE=code,
        )


def test_wrong_totp_code_is_code_mismatch(anon_idp, totp_user):
    challenge = start_sign_in(anon_idp, totp_user.client_id, totp_user.username)
    with pytest.raises(anon_idp.exceptions.CodeMismatchException):
        answer(
            anon_idp, totp_user.client_id, challenge, "SOFTWARE_TOKEN_MFA",
            USERNAME=totp_user.username, SOFTWARE_TOKEN_MFA_CODE=wrong_code(totp_user.totp),
        )


def test_admin_initiate_auth_for_a_totp_user_is_a_software_token_mfa_challenge(idp, totp_user):
    resp = idp.admin_initiate_auth(
        UserPoolId=totp_user.pool_id, ClientId=totp_user.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": totp_user.username, "PASSWORD": totp_user.password},
    )
    assert resp["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert resp["Session"]


def test_admin_disabling_totp_lets_the_user_sign_in_with_the_password_alone(idp, anon_idp, totp_user):
    idp.admin_set_user_mfa_preference(
        UserPoolId=totp_user.pool_id, Username=totp_user.username,
        SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
    )
    got = idp.admin_get_user(UserPoolId=totp_user.pool_id, Username=totp_user.username)
    assert "SOFTWARE_TOKEN_MFA" not in got.get("UserMFASettingList", [])
    assert "PreferredMfaSetting" not in got
    assert sign_in(anon_idp, totp_user.client_id, totp_user.username, totp_user.password)["AccessToken"]


def test_admin_delete_software_token_removes_totp_mfa(server, idp, anon_idp, totp_user):
    status, body = idp_raw(
        server, "AdminDeleteSoftwareToken", {"UserPoolId": totp_user.pool_id, "Username": totp_user.username}
    )
    assert status == 200, body
    got = idp.admin_get_user(UserPoolId=totp_user.pool_id, Username=totp_user.username)
    assert "SOFTWARE_TOKEN_MFA" not in got.get("UserMFASettingList", [])
    assert sign_in(anon_idp, totp_user.client_id, totp_user.username, totp_user.password)["AccessToken"]


def test_admin_delete_software_token_for_an_unknown_user_is_user_not_found(server, mfa_pool):
    pool_id, _ = mfa_pool()
    status, body = idp_raw(server, "AdminDeleteSoftwareToken", {"UserPoolId": pool_id, "Username": "nobody"})
    assert status == 400, body
    assert body.get("__type", "").split("#")[-1] == "UserNotFoundException", body


# ---------------------------------------------------------------------------------------------
# Pool MFA configuration
# ---------------------------------------------------------------------------------------------


def test_get_user_pool_mfa_config_returns_what_was_set(idp, make_pool):
    pool_id = make_pool()["Id"]
    set_resp = idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True}, SmsMfaConfiguration=SMS_MFA_CONFIG,
    )
    got = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    for resp in (set_resp, got):
        assert resp["MfaConfiguration"] == "OPTIONAL"
        assert resp["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
        assert resp["SmsMfaConfiguration"]["SmsAuthenticationMessage"] == SMS_MFA_CONFIG["SmsAuthenticationMessage"]
        assert resp["SmsMfaConfiguration"]["SmsConfiguration"]["SnsCallerArn"] == SNS_ROLE
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OPTIONAL"


def test_get_user_pool_mfa_config_of_a_new_pool_is_off(idp, make_pool):
    got = idp.get_user_pool_mfa_config(UserPoolId=make_pool()["Id"])
    assert got["MfaConfiguration"] == "OFF"


def test_get_user_pool_mfa_config_returns_the_email_mfa_configuration(idp, make_pool):
    pool_id = make_pool()["Id"]
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", EmailMfaConfiguration=EMAIL_MFA_CONFIG)
    got = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert got["MfaConfiguration"] == "OPTIONAL"
    assert got["EmailMfaConfiguration"] == EMAIL_MFA_CONFIG


# ---------------------------------------------------------------------------------------------
# MFA_SETUP: MFA is ON and the user has none yet
# ---------------------------------------------------------------------------------------------


def test_mfa_setup_enrols_totp_during_sign_in(idp, anon_idp, mfa_pool, make_user):
    pool_id, client_id = mfa_pool("ON")
    u = make_user(pool_id, "mia")
    challenge = start_sign_in(anon_idp, client_id, u.username)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert challenge["Session"]
    assert "AuthenticationResult" not in challenge
    assert "SOFTWARE_TOKEN_MFA" in json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"])

    assoc = anon_idp.associate_software_token(Session=challenge["Session"])
    assert re.fullmatch(r"[A-Z2-7]+=*", assoc["SecretCode"]) and len(assoc["SecretCode"].rstrip("=")) >= 32
    assert assoc["Session"]
    totp = pyotp.TOTP(assoc["SecretCode"])
    code, step = fresh_code(totp)
    verified = anon_idp.verify_software_token(Session=assoc["Session"], UserCode=code, FriendlyDeviceName="pixel")
    assert verified["Status"] == "SUCCESS"
    assert verified["Session"]

    done = anon_idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="MFA_SETUP", Session=verified["Session"],
        ChallengeResponses={"USERNAME": u.username},
    )
    result = done["AuthenticationResult"]
    assert claims(result["IdToken"])["cognito:username"] == u.username

    got = idp.admin_get_user(UserPoolId=pool_id, Username=u.username)
    assert "SOFTWARE_TOKEN_MFA" in got["UserMFASettingList"]
    nxt = start_sign_in(anon_idp, client_id, u.username)
    assert nxt["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_mfa_setup_with_a_wrong_code_is_refused(anon_idp, mfa_pool, make_user):
    pool_id, client_id = mfa_pool("ON")
    u = make_user(pool_id, "moe")
    challenge = start_sign_in(anon_idp, client_id, u.username)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assoc = anon_idp.associate_software_token(Session=challenge["Session"])
    with pytest.raises(ClientError) as e:
        anon_idp.verify_software_token(
            Session=assoc["Session"], UserCode=wrong_code(pyotp.TOTP(assoc["SecretCode"])), FriendlyDeviceName="x"
        )
    assert error_code(e.value) in ("EnableSoftwareTokenMFAException", "CodeMismatchException")


# ---------------------------------------------------------------------------------------------
# SMS_MFA
# ---------------------------------------------------------------------------------------------


def test_sms_mfa_sign_in_with_the_texted_code(server, anon_idp, sms_user):
    challenge = start_sign_in(anon_idp, sms_user.client_id, sms_user.username)
    assert challenge["ChallengeName"] == "SMS_MFA"
    params = challenge["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert is_masked(params["CODE_DELIVERY_DESTINATION"], PHONE), params
    assert params["CODE_DELIVERY_DESTINATION"].endswith(PHONE[-4:]), params

    msgs = wait_for_outbox(server, sms_user.pool_id, sms_user.username)
    sms = [m for m in msgs if m.get("Code")][0]
    assert sms["DeliveryMedium"] == "SMS"
    assert sms["Destination"] == PHONE
    assert sms["Body"] == SMS_MFA_CONFIG["SmsAuthenticationMessage"].replace("{####}", sms["Code"])

    done = answer(
        anon_idp, sms_user.client_id, challenge, "SMS_MFA", USERNAME=sms_user.username, SMS_MFA_CODE=sms["Code"]
    )
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == sms_user.username


def test_sms_mfa_with_a_wrong_code_is_code_mismatch(server, anon_idp, sms_user):
    challenge = start_sign_in(anon_idp, sms_user.client_id, sms_user.username)
    assert challenge["ChallengeName"] == "SMS_MFA"
    code = latest_code(server, sms_user.pool_id, sms_user.username)
    with pytest.raises(anon_idp.exceptions.CodeMismatchException):
        answer(
            anon_idp, sms_user.client_id, challenge, "SMS_MFA",
            USERNAME=sms_user.username, SMS_MFA_CODE=wrong_digits(code),
        )


def test_admin_set_user_mfa_preference_shows_in_admin_get_user(idp, sms_user):
    got = idp.admin_get_user(UserPoolId=sms_user.pool_id, Username=sms_user.username)
    assert got["UserMFASettingList"] == ["SMS_MFA"]
    assert got["PreferredMfaSetting"] == "SMS_MFA"


# ---------------------------------------------------------------------------------------------
# SetUserSettings / AdminSetUserSettings: Cognito's older MFA settings, for SMS MFA only
# ---------------------------------------------------------------------------------------------

SMS_OPTION = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}


def test_admin_set_user_settings_turns_sms_mfa_on_and_off(idp, anon_idp, mfa_pool, make_user):
    pool_id, client_id = mfa_pool("OPTIONAL", sms=True)
    u = make_user(pool_id, "sally", attributes={"phone_number": PHONE, "phone_number_verified": "true"})
    assert "MFAOptions" not in idp.admin_get_user(UserPoolId=pool_id, Username=u.username)
    idp.admin_set_user_settings(UserPoolId=pool_id, Username=u.username, MFAOptions=[SMS_OPTION])
    got = idp.admin_get_user(UserPoolId=pool_id, Username=u.username)
    assert got["MFAOptions"] == [SMS_OPTION]
    assert got["UserMFASettingList"] == ["SMS_MFA"]
    assert start_sign_in(anon_idp, client_id, u.username)["ChallengeName"] == "SMS_MFA", "and it is asked for"
    idp.admin_set_user_settings(UserPoolId=pool_id, Username=u.username, MFAOptions=[])
    got = idp.admin_get_user(UserPoolId=pool_id, Username=u.username)
    assert "MFAOptions" not in got and "UserMFASettingList" not in got
    assert "AuthenticationResult" in start_sign_in(anon_idp, client_id, u.username)


def test_set_user_settings_with_the_users_own_token(anon_idp, mfa_pool, make_user):
    pool_id, client_id = mfa_pool("OPTIONAL", sms=True)
    u = make_user(pool_id, "sid", attributes={"phone_number": PHONE, "phone_number_verified": "true"})
    access = sign_in(anon_idp, client_id, u.username, u.password)["AccessToken"]
    anon_idp.set_user_settings(AccessToken=access, MFAOptions=[SMS_OPTION])
    assert anon_idp.get_user(AccessToken=access)["MFAOptions"] == [SMS_OPTION]
    anon_idp.set_user_settings(AccessToken=access, MFAOptions=[])
    assert "MFAOptions" not in anon_idp.get_user(AccessToken=access)


def test_user_settings_configure_sms_mfa_only_and_need_a_phone(idp, mfa_pool, make_user):
    pool_id, _ = mfa_pool("OPTIONAL", sms=True)
    u = make_user(pool_id, "sue")
    for options in ([{"DeliveryMedium": "EMAIL", "AttributeName": "email"}], [{"DeliveryMedium": "SMS", "AttributeName": "email"}], [SMS_OPTION]):
        with pytest.raises(ClientError) as e:
            idp.admin_set_user_settings(UserPoolId=pool_id, Username=u.username, MFAOptions=options)
        assert error_code(e.value) == "InvalidParameterException", options
    with pytest.raises(ClientError) as e:
        idp.admin_set_user_settings(UserPoolId=pool_id, Username="nobody", MFAOptions=[])
    assert error_code(e.value) == "UserNotFoundException"


@pytest.fixture
def sms_webhook():
    sink = WebhookSink()
    yield sink
    sink.close()


def test_sms_codes_are_posted_to_the_sms_webhook(monkeypatch, private_servers, sms_webhook):
    with monkeypatch.context() as m:
        m.setenv("POOLDESK_SMS_WEBHOOK_URL", sms_webhook.url)
        srv = private_servers()
    admin, anon = idp_client(srv.endpoint), idp_client(srv.endpoint, signed=False)
    pool_id = admin.create_user_pool(PoolName=unique_name("sms-webhook"))["UserPool"]["Id"]
    admin.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SmsMfaConfiguration=SMS_MFA_CONFIG)
    client_id = admin.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    admin.admin_create_user(
        UserPoolId=pool_id, Username="wendy", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "phone_number", "Value": OTHER_PHONE}, {"Name": "phone_number_verified", "Value": "true"}],
    )
    admin.admin_set_user_password(UserPoolId=pool_id, Username="wendy", Password=PASSWORD, Permanent=True)
    admin.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="wendy", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )

    challenge = start_sign_in(anon, client_id, "wendy")
    assert challenge["ChallengeName"] == "SMS_MFA"
    posts = sms_webhook.wait_for(lambda r: (r["json"] or {}).get("Username") == "wendy")
    assert len(posts) == 1, sms_webhook.requests
    body = posts[0]["json"]
    assert body["PhoneNumber"] == OTHER_PHONE
    assert body["UserPoolId"] == pool_id
    code = latest_code(srv, pool_id, "wendy")
    assert code in body["Message"]
    assert body["Message"] == SMS_MFA_CONFIG["SmsAuthenticationMessage"].replace("{####}", code)

    done = answer(anon, client_id, challenge, "SMS_MFA", USERNAME="wendy", SMS_MFA_CODE=code)
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == "wendy"


# ---------------------------------------------------------------------------------------------
# SELECT_MFA_TYPE: SMS and TOTP both enabled, neither preferred
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def two_factor_user(idp, anon_idp, mfa_pool, make_user):
    pool_id, client_id = mfa_pool("OPTIONAL", sms=True)
    u = make_user(pool_id, "nina", attributes={"phone_number": PHONE, "phone_number_verified": "true"})
    access = sign_in(anon_idp, client_id, u.username, u.password)["AccessToken"]
    enable_totp(anon_idp, access)
    anon_idp.set_user_mfa_preference(
        SMSMfaSettings={"Enabled": True, "PreferredMfa": False},
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False},
        AccessToken=access,
    )
    u.pool_id, u.client_id = pool_id, client_id
    return u


def test_two_mfa_methods_without_a_preference_is_select_mfa_type(idp, anon_idp, two_factor_user):
    got = idp.admin_get_user(UserPoolId=two_factor_user.pool_id, Username=two_factor_user.username)
    assert sorted(got["UserMFASettingList"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    assert "PreferredMfaSetting" not in got

    challenge = start_sign_in(anon_idp, two_factor_user.client_id, two_factor_user.username)
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert sorted(json.loads(challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"])) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    chosen = answer(
        anon_idp, two_factor_user.client_id, challenge, "SELECT_MFA_TYPE",
        USERNAME=two_factor_user.username, ANSWER="SOFTWARE_TOKEN_MFA",
    )
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert chosen["Session"]


def test_select_mfa_type_sms_then_the_texted_code_signs_in(server, anon_idp, two_factor_user):
    challenge = start_sign_in(anon_idp, two_factor_user.client_id, two_factor_user.username)
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    chosen = answer(
        anon_idp, two_factor_user.client_id, challenge, "SELECT_MFA_TYPE",
        USERNAME=two_factor_user.username, ANSWER="SMS_MFA",
    )
    assert chosen["ChallengeName"] == "SMS_MFA"
    code = latest_code(server, two_factor_user.pool_id, two_factor_user.username)
    done = answer(
        anon_idp, two_factor_user.client_id, chosen, "SMS_MFA", USERNAME=two_factor_user.username, SMS_MFA_CODE=code
    )
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == two_factor_user.username


# ---------------------------------------------------------------------------------------------
# EMAIL_OTP as the second factor
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def email_mfa_user(idp, mfa_pool, make_user):
    pool_id, client_id = mfa_pool("OPTIONAL", totp=False, email=True)
    u = make_user(pool_id, "emma")
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username=u.username, EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    u.pool_id, u.client_id = pool_id, client_id
    return u


def test_email_otp_mfa_sign_in_with_the_mailed_code(server, idp, anon_idp, email_mfa_user):
    u = email_mfa_user
    got = idp.admin_get_user(UserPoolId=u.pool_id, Username=u.username)
    assert got["UserMFASettingList"] == ["EMAIL_OTP"]
    assert got["PreferredMfaSetting"] == "EMAIL_OTP"

    challenge = start_sign_in(anon_idp, u.client_id, u.username)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    params = challenge["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert is_masked(params["CODE_DELIVERY_DESTINATION"], u.email), params

    msgs = [m for m in wait_for_outbox(server, u.pool_id, u.username) if m.get("Code")]
    assert msgs, "no e-mail code in the outbox"
    mail = msgs[0]
    assert mail["DeliveryMedium"] == "EMAIL"
    assert mail["Destination"] == u.email
    assert mail["Subject"] == EMAIL_MFA_CONFIG["Subject"]
    assert EMAIL_MFA_CONFIG["Message"].replace("{####}", mail["Code"]) in mail["Body"]

    smtp = wait_for_smtp(
        server, lambda m: u.email in str(m.get("To", "")) and m.get("Subject") == EMAIL_MFA_CONFIG["Subject"]
    )
    assert smtp, "the e-mail code never reached the SMTP sink"
    assert mail["Code"] in message_text(smtp[-1])

    done = answer(anon_idp, u.client_id, challenge, "EMAIL_OTP", USERNAME=u.username, EMAIL_OTP_CODE=mail["Code"])
    result = done["AuthenticationResult"]
    assert claims(result["IdToken"])["cognito:username"] == u.username
    assert attrs(anon_idp.get_user(AccessToken=result["AccessToken"])["UserAttributes"])["email"] == u.email


def test_email_otp_mfa_with_a_wrong_code_is_code_mismatch(server, anon_idp, email_mfa_user):
    u = email_mfa_user
    challenge = start_sign_in(anon_idp, u.client_id, u.username)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    code = latest_code(server, u.pool_id, u.username)
    with pytest.raises(anon_idp.exceptions.CodeMismatchException):
        answer(anon_idp, u.client_id, challenge, "EMAIL_OTP", USERNAME=u.username, EMAIL_OTP_CODE=wrong_digits(code))
