"""Remembered devices in the real window: the pool set to remember devices in its settings, an
app confirming its device (through the app's own backend, the calls amazon-cognito-identity-js
makes, its verifier made by pycognito), then the device seen on the user's screen, no longer
remembered, and forgotten, each ending in what the pool now holds."""
from pycognito.aws_srp import generate_hash_device
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_user_forms import call, open_pool

PASSWORD = "Corr3ct-Horse!"


def test_a_users_device_is_shown_unremembered_and_forgotten_on_the_user_screen(app):
    pool_id = call(app, "CreateUserPool", {"PoolName": "kiosks"})["UserPool"]["Id"]
    client_id = call(app, "CreateUserPoolClient", {
        "UserPoolId": pool_id, "ClientName": "kiosk-app", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    })["UserPoolClient"]["ClientId"]
    call(app, "AdminCreateUser", {"UserPoolId": pool_id, "Username": "kim", "MessageAction": "SUPPRESS"})
    call(app, "AdminSetUserPassword", {"UserPoolId": pool_id, "Username": "kim", "Password": PASSWORD, "Permanent": True})
    open_pool(app, "kiosks")

    app.click("tab-settings")
    Select(app.by("devices-mode")).select_by_value("always")
    app.click_element(app.by("devices-replace-mfa"))
    app.click("settings-save")
    app.wait().until(lambda d: "Always remembered; a remembered device replaces MFA" in app.text_of("pool-devices"))
    described = call(app, "DescribeUserPool", {"UserPoolId": pool_id})["UserPool"]
    assert described["DeviceConfiguration"] == {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}

    # The kiosk's app signs in, gets a device key and confirms it.
    signed_in = call(app, "InitiateAuth", {
        "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "kim", "PASSWORD": PASSWORD},
    })["AuthenticationResult"]
    meta = signed_in["NewDeviceMetadata"]
    _, verifier = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    call(app, "ConfirmDevice", {
        "AccessToken": signed_in["AccessToken"], "DeviceKey": meta["DeviceKey"], "DeviceName": "Kiosk 7", "DeviceSecretVerifierConfig": verifier,
    })
    key = meta["DeviceKey"]

    app.click("tab-users")
    app.wait().until(lambda d: app.all("user-row"))
    row = app.driver.find_element(By.CSS_SELECTOR, '[data-testid="user-row"][data-username="kim"]')
    app.click_element(row.find_element(By.CSS_SELECTOR, "td.col-name"))
    app.wait().until(lambda d: app.all("user-device"))
    (device,) = app.all("user-device")
    assert "Kiosk 7" in device.text and key in device.text
    # Below the fold of the details panel: found, then scrolled to as a person would.
    (remembered,) = app.all(f"device-remembered-{key}")
    app.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", device)
    assert remembered.is_selected()
    app.screenshot("device-listed")

    app.click_element(remembered)
    app.wait().until(lambda d: not app.all(f"device-remembered-{key}")[0].is_selected())
    got = call(app, "AdminGetDevice", {"UserPoolId": pool_id, "Username": "kim", "DeviceKey": key})["Device"]
    assert {"Name": "dev:device_remembered_status", "Value": "not_remembered"} in got["DeviceAttributes"]

    app.click_element(app.all(f"device-forget-{key}")[0])
    assert "Forget Kiosk 7 of kim?" in app.text_of("confirm-dialog")
    app.click("confirm-ok")
    app.wait().until(lambda d: not app.all("user-device"))
    assert call(app, "AdminListDevices", {"UserPoolId": pool_id, "Username": "kim"})["Devices"] == []
    app.screenshot("device-forgotten")


def test_a_pools_users_are_exported_to_a_csv_file_that_imports_again(app):
    pool_id = call(app, "CreateUserPool", {"PoolName": "export-me"})["UserPool"]["Id"]
    for name, email in [("ana", "ana@example.com"), ("ben", "ben,jr@example.com")]:
        call(app, "AdminCreateUser", {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS",
                                      "UserAttributes": [{"Name": "email", "Value": email}]})
    open_pool(app, "export-me")
    app.click("export-users")
    app.click("export-submit")
    app.wait().until(lambda d: "Exported 2 users to" in app.text_of("export-progress"))
    app.screenshot("exported")
    saved = app.home / "Downloads" / f"{pool_id}-users.csv"
    app.wait(15).until(lambda d: saved.is_file() and saved.read_text().count("\n") == 3)
    lines = saved.read_text().splitlines()
    header = call(app, "GetCSVHeader", {"UserPoolId": pool_id})["CSVHeader"]
    assert lines[0] == ",".join(header)
    assert any('"ben,jr@example.com"' in line and line.endswith(",ben") for line in lines[1:]), lines
    app.click("export-cancel")

    # The file loads into another pool through the import dialog's importer.
    other = call(app, "CreateUserPool", {"PoolName": "imported-again"})["UserPool"]["Id"]
    report = call(app, "PoolDesk.ImportUsers", {"UserPoolId": other, "Csv": saved.read_text()})
    assert report == {"Imported": 2, "Failed": []}
