"""A remote PoolDesk server administered from the window: added (and tested) through the form,
used like this computer's pools, removed; its secret only ever in the OS keychain."""
import os
import subprocess
import re
import uuid
from pathlib import Path

import boto3
import pytest

from test_window import open_row

ROOT = Path(__file__).resolve().parents[2]
KEY_ID = "AKIAPOOLDESKREMOTE01"
SECRET = f"remote-window-secret-{uuid.uuid4().hex}"


@pytest.fixture
def server(tmp_path):
    """`pooldesk serve` on loopback with a known root key, as on another machine."""
    binary = os.environ.get("POOLDESK_BIN") or str(ROOT / "target" / "debug" / "pooldesk")
    env = dict(os.environ, POOLDESK_ROOT_ACCESS_KEY_ID=KEY_ID, POOLDESK_ROOT_SECRET_ACCESS_KEY=SECRET, NO_COLOR="1")
    proc = subprocess.Popen(
        [binary, "serve", "--db", str(tmp_path / "server.sqlite"), "--listen", "127.0.0.1:0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            if found:
                break
        else:
            pytest.fail("pooldesk serve never said where it listens")
        yield found.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def keychain_lookup(name: str):
    proc = subprocess.run(["secret-tool", "lookup", "service", "pooldesk", "username", name], capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def fill_connection_form(app, endpoint: str, secret: str):
    app.type("connection-name", "lab")
    app.type("connection-endpoint", endpoint)
    app.type("connection-access-key-id", KEY_ID)
    app.type("connection-secret", secret)
    app.click("connection-submit")


def test_a_remote_server_from_the_window(app, server):
    app.click("add-connection")
    # A wrong secret is refused with the reason, and nothing is saved.
    fill_connection_form(app, server, "not-the-secret")
    app.wait().until(lambda d: app.all("connection-error"))
    assert "the secret access key is wrong" in app.text_of("connection-error")
    app.screenshot("wrong-secret")
    assert keychain_lookup("lab") is None
    app.type("connection-secret", SECRET)
    app.click("connection-submit")
    app.wait().until(lambda d: app.all("connection-lab"))
    assert keychain_lookup("lab") == SECRET
    # The header says which server the screens now belong to; the sidebar marks it remote.
    assert app.text_of("header-connection") == "lab"
    app.wait().until(lambda d: app.by("header-connection-status").get_attribute("data-state") == "ok")
    assert app.by("connection-lab").get_attribute("data-kind") == "remote"
    assert app.by("connection-local").get_attribute("data-kind") == "local"
    app.screenshot("remote-header")

    # The remote connection works like this computer: a pool and a user, made in the window.
    app.click("nav-user-pools")
    app.click("create-pool")
    app.type("pool-name", "remote-shop")
    app.click("pool-submit")
    # The new pool opens by itself.
    app.wait().until(lambda d: app.by("pool-title").text == "remote-shop")
    app.click("tab-users")
    app.click("create-user")
    app.type("user-username", "carla")
    app.type("user-email", "carla@example.com")
    app.click("user-submit")
    app.wait().until(lambda d: any("carla" in t for t in app.texts("user-row")))
    app.screenshot("remote-user")

    # boto3, on the server, sees them; this computer's database does not have them.
    idp = boto3.client("cognito-idp", endpoint_url=server, region_name="us-east-1",
                       aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
    (pool,) = idp.list_user_pools(MaxResults=10)["UserPools"]
    assert pool["Name"] == "remote-shop"
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username="carla")["Username"] == "carla"
    app.click("connection-local")
    app.wait().until(lambda d: "No user pools yet" in app.driver.find_element("tag name", "main").text)

    # Removed after confirming: the keychain entry goes with it.
    app.click("nav-connections")
    app.click("connection-remove-lab")
    app.click("confirm-ok")
    app.wait().until(lambda d: not app.all("connection-lab"))
    assert keychain_lookup("lab") is None

    # The secret never reached the app's files or its (debug-level) log.
    log = (app.home / "app.log").read_bytes()
    assert b"remote connection added" in log, "the app's log is captured"
    for path in [app.home / "app.log", *app.home.glob("*.sqlite*")]:
        assert SECRET.encode() not in path.read_bytes(), f"{path.name} holds the secret"
