"""Remembered devices, with the clients that track them on their own: amazon-cognito-identity-js
(confirms the device a sign-in gets, signs in with device SRP the next time, lists and forgets
it), pycognito's device SRP (which answers the device challenges without the Session), and
boto3 and the AWS CLI for the device operations and their errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pyotp
import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device

from conftest import PASSWORD, attrs, claims, refused, sign_in
from test_cli import aws  # noqa: F401 (the AWS CLI fixture)
from test_mfa import enable_totp
from test_srp import SRP_FLOWS

JS_DIR = Path(__file__).resolve().parent / "js"
DEVICE_SCRIPT = JS_DIR / "device_sign_in.mjs"
REMEMBER_ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}


@pytest.fixture
def device_pool(idp, make_pool, make_client, make_user):
    """device_pool(config, mfa=False) -> (pool_id, client_id, user): a pool remembering devices
    as `config` says, an SRP client, and a user (with an authenticator app when `mfa`)."""

    def _make(config: dict, *, mfa: bool = False):
        pool = make_pool(DeviceConfiguration=config)
        client = make_client(pool["Id"], ExplicitAuthFlows=SRP_FLOWS)
        user = make_user(pool["Id"])
        if mfa:
            idp.set_user_pool_mfa_config(
                UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
            )
            tokens = sign_in(idp, client["ClientId"], user.username, user.password)
            user.totp, user.totp_step = enable_totp(idp, tokens["AccessToken"])
            idp.set_user_mfa_preference(
                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}, AccessToken=tokens["AccessToken"]
            )
        return pool["Id"], client["ClientId"], user

    return _make


def next_step_code(totp: pyotp.TOTP, used_step: int) -> str:
    """A code the server takes once `used_step` is spent: the next step's (it accepts one step ahead)."""
    return totp.at((used_step + 1) * 30)


def run_js(server, pool_id: str, client_id: str, user, totp_code: str | None = None) -> dict:
    node = shutil.which("node") or "/usr/bin/node"
    env = dict(os.environ)
    env["POOLDESK_DEVICE_INPUT"] = json.dumps(
        {
            "endpoint": server.endpoint,
            "poolId": pool_id,
            "clientId": client_id,
            "username": user.username,
            "password": user.password,
            **({"totpCode": totp_code} if totp_code else {}),
        }
    )
    proc = subprocess.run([node, str(DEVICE_SCRIPT)], cwd=JS_DIR, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"device_sign_in.mjs exited {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_amazon_cognito_identity_js_remembers_a_device_and_signs_in_with_it_instead_of_mfa(idp, server, device_pool):
    pool_id, client_id, user = device_pool(REMEMBER_ALWAYS, mfa=True)
    verdict = run_js(server, pool_id, client_id, user, next_step_code(user.totp, user.totp_step))
    assert verdict["ok"] is True, verdict
    key = verdict["first"]["deviceKey"]
    assert verdict["first"]["challenges"] == ["SOFTWARE_TOKEN_MFA"], "a new device passes MFA"
    assert verdict["first"]["userConfirmationNecessary"] is False, "remembered without asking the user"
    # The next sign-in proved the device (DEVICE_SRP_AUTH) instead of asking for a code.
    assert verdict["second"]["challenges"] == [], verdict
    assert claims(verdict["second"]["accessToken"])["device_key"] == key
    assert verdict["listed"] == [key]
    assert verdict["fetched"] == key
    # Forgotten: the device is gone and the next sign-in needs the code again.
    assert verdict["third"]["code"] == "Challenge:SOFTWARE_TOKEN_MFA", verdict
    assert idp.admin_list_devices(UserPoolId=pool_id, Username=user.username)["Devices"] == []


def test_without_mfa_the_js_sdk_still_proves_its_device_at_each_sign_in(idp, server, device_pool):
    pool_id, client_id, user = device_pool({"ChallengeRequiredOnNewDevice": False})
    verdict = run_js(server, pool_id, client_id, user)
    assert verdict["ok"] is True and verdict["second"]["challenges"] == [], verdict
    # The second sign-in's tokens name the device it proved (device SRP ran), not a new one.
    assert claims(verdict["second"]["accessToken"])["device_key"] == verdict["first"]["deviceKey"]
    assert verdict["listed"] == [verdict["first"]["deviceKey"]]
    assert verdict["third"]["code"] == "tokens", verdict


def pycognito_device_sign_in(idp, pool_id: str, client_id: str, user, device: tuple[str, str, str]) -> dict:
    key, group, secret = device
    srp = AWSSRP(
        username=user.username,
        password=user.password,
        pool_id=pool_id,
        client_id=client_id,
        client=idp,
        device_key=key,
        device_group_key=group,
        device_password=secret,
    )
    return srp.authenticate_user()["AuthenticationResult"]


def confirm_new_device(idp, pool_id: str, client_id: str, user) -> tuple[tuple[str, str, str], dict]:
    """Signs in from a new device and confirms it as pycognito makes its verifier: ((key, group, secret), tokens)."""
    srp = AWSSRP(username=user.username, password=user.password, pool_id=pool_id, client_id=client_id, client=idp)
    tokens = srp.authenticate_user()["AuthenticationResult"]
    meta = tokens["NewDeviceMetadata"]
    secret, verifier = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    confirmed = idp.confirm_device(
        AccessToken=tokens["AccessToken"], DeviceKey=meta["DeviceKey"], DeviceName="pixel", DeviceSecretVerifierConfig=verifier
    )
    assert confirmed["UserConfirmationNecessary"] is False
    return (meta["DeviceKey"], meta["DeviceGroupKey"], secret), tokens


def test_pycognito_signs_in_with_a_confirmed_device(idp, device_pool):
    pool_id, client_id, user = device_pool(REMEMBER_ALWAYS)
    device, _ = confirm_new_device(idp, pool_id, client_id, user)
    tokens = pycognito_device_sign_in(idp, pool_id, client_id, user, device)
    assert claims(tokens["AccessToken"])["device_key"] == device[0]
    assert "NewDeviceMetadata" not in tokens

    got = idp.admin_get_device(UserPoolId=pool_id, Username=user.username, DeviceKey=device[0])["Device"]
    assert attrs(got["DeviceAttributes"])["device_name"] == "pixel"
    assert attrs(got["DeviceAttributes"])["dev:device_remembered_status"] == "remembered"
    assert attrs(got["DeviceAttributes"])["last_ip_used"] == "127.0.0.1"
    assert abs(got["DeviceLastAuthenticatedDate"].timestamp() - time.time()) < 60


def test_a_wrong_device_secret_is_not_authorized(idp, device_pool):
    pool_id, client_id, user = device_pool(REMEMBER_ALWAYS)
    (key, group, _), _ = confirm_new_device(idp, pool_id, client_id, user)
    code, message = refused(lambda: pycognito_device_sign_in(idp, pool_id, client_id, user, (key, group, "guessed")))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_device_is_remembered_only_when_the_user_opts_in_if_the_pool_says_so(idp, device_pool):
    pool_id, client_id, user = device_pool({"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True})
    srp = AWSSRP(username=user.username, password=user.password, pool_id=pool_id, client_id=client_id, client=idp)
    tokens = srp.authenticate_user()["AuthenticationResult"]
    meta = tokens["NewDeviceMetadata"]
    _, verifier = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    confirmed = idp.confirm_device(AccessToken=tokens["AccessToken"], DeviceKey=meta["DeviceKey"], DeviceSecretVerifierConfig=verifier)
    assert confirmed["UserConfirmationNecessary"] is True
    listed = idp.list_devices(AccessToken=tokens["AccessToken"])["Devices"]
    assert attrs(listed[0]["DeviceAttributes"])["dev:device_remembered_status"] == "not_remembered"
    idp.update_device_status(AccessToken=tokens["AccessToken"], DeviceKey=meta["DeviceKey"], DeviceRememberedStatus="remembered")
    got = idp.get_device(AccessToken=tokens["AccessToken"], DeviceKey=meta["DeviceKey"])["Device"]
    assert attrs(got["DeviceAttributes"])["dev:device_remembered_status"] == "remembered"


def test_refresh_names_the_device_and_fails_once_it_is_forgotten(idp, device_pool):
    pool_id, client_id, user = device_pool(REMEMBER_ALWAYS)
    (key, _, _), tokens = confirm_new_device(idp, pool_id, client_id, user)

    def refresh():
        return idp.initiate_auth(
            ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "DEVICE_KEY": key}
        )

    assert claims(refresh()["AuthenticationResult"]["AccessToken"])["device_key"] == key
    idp.admin_forget_device(UserPoolId=pool_id, Username=user.username, DeviceKey=key)
    assert refused(refresh) == ("ResourceNotFoundException", "Device does not exist.")


def test_device_operations_refuse_bad_input_with_cognitos_errors(idp, device_pool):
    pool_id, client_id, user = device_pool(REMEMBER_ALWAYS)
    (key, group, _), tokens = confirm_new_device(idp, pool_id, client_id, user)
    _, verifier = generate_hash_device(group, key)
    assert refused(lambda: idp.confirm_device(AccessToken=tokens["AccessToken"], DeviceKey=key, DeviceSecretVerifierConfig=verifier))[0] == (
        "DeviceKeyExistsException"
    )
    assert refused(lambda: idp.get_device(AccessToken=tokens["AccessToken"], DeviceKey="us-east-1_0000"))[0] == "ResourceNotFoundException"
    assert refused(lambda: idp.get_device(AccessToken=tokens["AccessToken"], DeviceKey="no-underscore"))[0] == "InvalidParameterException"
    assert refused(lambda: idp.admin_get_device(UserPoolId=pool_id, Username="nobody", DeviceKey=key))[0] == "ResourceNotFoundException"
    assert refused(lambda: idp.admin_forget_device(UserPoolId=pool_id, Username="nobody", DeviceKey=key))[0] == "UserNotFoundException"
    assert refused(lambda: idp.list_devices(AccessToken="not-a-token"))[0] == "NotAuthorizedException"


def test_the_aws_cli_lists_and_forgets_a_users_devices(aws, idp, device_pool):
    pool_id, client_id, user = device_pool(REMEMBER_ALWAYS)
    (key, _, _), _ = confirm_new_device(idp, pool_id, client_id, user)
    listed = aws("admin-list-devices", "--user-pool-id", pool_id, "--username", user.username)
    assert [d["DeviceKey"] for d in listed["Devices"]] == [key]
    assert aws("admin-forget-device", "--user-pool-id", pool_id, "--username", user.username, "--device-key", key) is None
    assert idp.admin_list_devices(UserPoolId=pool_id, Username=user.username)["Devices"] == []


def test_amplify_remembers_a_device_and_signs_in_with_it_instead_of_mfa(idp, server, device_pool):
    pool_id, client_id, user = device_pool(REMEMBER_ALWAYS, mfa=True)
    node = shutil.which("node") or "/usr/bin/node"
    env = dict(os.environ)
    env["POOLDESK_DEVICE_INPUT"] = json.dumps({
        "endpoint": server.endpoint, "poolId": pool_id, "clientId": client_id, "username": user.username,
        "password": user.password, "totpCode": next_step_code(user.totp, user.totp_step),
    })
    proc = subprocess.run([node, str(JS_DIR / "amplify_devices.mjs")], cwd=JS_DIR, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"amplify_devices.mjs exited {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    verdict = json.loads(proc.stdout.strip().splitlines()[-1])
    assert verdict["ok"] is True, verdict
    assert verdict["first"] == ["CONFIRM_SIGN_IN_WITH_TOTP_CODE"], "a new device passes MFA"
    assert verdict["second"] == [], "the device Amplify confirmed signed in instead of a code"
    assert verdict["listed"] == [verdict["deviceKey"]]
    assert verdict["afterForget"] == ["CONFIRM_SIGN_IN_WITH_TOTP_CODE"], verdict
