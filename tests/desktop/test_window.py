"""The journeys a user takes in the real window, each ending in what the pools now hold."""
import base64
import json
import socket
import sqlite3
import subprocess

import pytest

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select


def test_first_start_shows_this_computers_empty_pools(app):
    print(f"\nlaunch to first paint: {app.launch_to_first_paint * 1000:.0f} ms")
    assert "No user pools yet" in app.driver.find_element(By.TAG_NAME, "main").text
    assert (app.home / "pools.sqlite").exists(), "the local database is created on first start"
    app.screenshot("first-start")


def test_pool_user_filter_disable_then_identity_pool_rules_and_simulator(app):
    # A user pool and a user.
    app.click("create-pool")
    app.type("pool-name", "shop")
    app.screenshot("create-pool-form")
    app.click("pool-submit")
    # The new pool opens by itself.
    app.wait().until(lambda d: app.by("pool-title").text == "shop")
    app.click("tab-users")
    for name, email in (("alice", "alice@example.com"), ("bob", "bob@example.com")):
        app.click("create-user")
        app.type("user-username", name)
        app.type("user-email", email)
        app.click("user-submit")
        app.wait().until(lambda d, name=name: any(name in t for t in app.texts("user-row")))

    # Found through the filter builder, which writes Cognito's syntax.
    Select(app.by("filter-attribute")).select_by_value("email")
    Select(app.by("filter-operator")).select_by_value("^=")
    app.type("filter-value", "ali")
    app.click("filter-apply")
    app.wait().until(lambda d: app.text_of("filter-preview") == 'email ^= "ali"')
    app.wait().until(lambda d: [t.split()[0] for t in app.texts("user-row")] == ["alice"])
    app.screenshot("filtered-users")

    # Disabled after confirming.
    open_row(app.all("user-row")[0])
    app.click("user-action-disable")
    app.click("confirm-ok")
    app.wait().until(lambda d: "Disabled" in app.texts("user-row")[0])
    app.screenshot("user-disabled")
    pool_id, enabled = sqlite_row(app, "SELECT u.pool_id, u.enabled FROM users u WHERE u.username = 'alice'")
    assert enabled == 0

    # An identity pool on that user pool, with rules, reordered, saved and simulated.
    app.click("nav-identity-pools")
    app.click("create-identity-pool")
    app.type("identity-pool-name", "shop_ids")
    Select(app.by("identity-pool-provider-pool")).select_by_value(pool_id)
    app.click("identity-pool-submit")
    app.wait().until(lambda d: any("shop_ids" in t for t in app.texts("identity-pool-row")))
    open_row(app.all("identity-pool-row")[0])
    app.type("role-authenticated", "arn:aws:iam::123456789012:role/authenticated")
    Select(app.by("mapping-type")).select_by_value("Rules")
    rules = [("email", "Contains", "@example.com", "arn:aws:iam::123456789012:role/example"),
             ("email", "StartsWith", "alice", "arn:aws:iam::123456789012:role/alice")]
    for claim, match, value, role in rules:
        app.click("add-rule")
        row = app.all("rule-row")[-1]
        app.type("rule-claim", claim, within=row)
        Select(row.find_element(By.CSS_SELECTOR, '[data-testid="rule-match"]')).select_by_value(match)
        app.type("rule-value", value, within=row)
        app.type("rule-role", role, within=row)
    # The more specific rule goes first: moved up with the keyboard-reachable button.
    app.click_element(app.all("rule-row")[1].find_element(By.CSS_SELECTOR, '[data-testid="rule-up"]'))
    assert [r.find_element(By.CSS_SELECTOR, '[data-testid="rule-value"]').get_attribute("value") for r in app.all("rule-row")] == [
        "alice", "@example.com"]
    app.screenshot("rules-edited")
    app.click("mapping-save")
    app.wait().until(lambda d: not app.all("mapping-unsaved"))

    # The simulator asks the server which role these claims get.
    Select(app.by("sim-mode")).select_by_value("claims")
    app.type("sim-claims", json.dumps({"email": "alice@example.com", "sub": "s-1"}))
    app.click("sim-run")
    app.wait().until(lambda d: any("role/alice" in t for t in app.texts("sim-role")))
    assert app.text_of("sim-rule") == "Rule 1"
    assert app.all("rule-row")[0].get_attribute("data-matched") == "true"
    app.screenshot("simulator-rule-1")

    app.type("sim-claims", json.dumps({"email": "bob@example.com", "sub": "s-2"}))
    app.click("sim-run")
    app.wait().until(lambda d: any("role/example" in t for t in app.texts("sim-role")))
    assert app.text_of("sim-rule") == "Rule 2"
    app.screenshot("simulator-rule-2")

    # What was saved is the wire RoleMapping, in the new order.
    (roles,) = sqlite_row(app, "SELECT roles FROM identity_pools")
    assert [r["Value"] for r in find_rules(json.loads(roles))] == ["alice", "@example.com"]

    # Every change made in the window is in the audit log, by the desktop app.
    app.click("nav-audit")
    app.wait().until(lambda d: len(app.texts("audit-row")) >= 5)
    rows = app.texts("audit-row")
    for operation in ("CreateUserPool", "AdminCreateUser", "AdminDisableUser", "CreateIdentityPool", "SetIdentityPoolRoles"):
        assert any(operation in r and "desktop" in r for r in rows), (operation, rows)
    assert "AdminDisableUser" in rows[0] or "SetIdentityPoolRoles" in rows[0], "newest first"
    app.screenshot("audit-log")

    # The pool's signing key is sealed in the database, under a master key in the OS keychain
    # (not in a file beside the database).
    (der,) = sqlite_row(app, "SELECT private_der FROM signing_keys")
    assert der.startswith(b"\0PDS1")
    assert not (app.home / "pools.sqlite.key").exists()
    account = f"master-key:{app.home / 'pools.sqlite'}"
    found = subprocess.run(["secret-tool", "lookup", "service", "pooldesk", "username", account], capture_output=True, text=True)
    assert found.returncode == 0 and len(base64.b64decode(found.stdout.strip())) == 32, found


def test_serve_this_computers_pools_to_an_sdk(app):
    import boto3

    app.click("create-pool")
    app.type("pool-name", "served")
    app.click("pool-submit")
    app.wait().until(lambda d: app.by("pool-title").text == "served")
    app.click("nav-serve")
    port = free_port()
    app.type("serve-port", str(port))
    app.click("serve-start")
    endpoint = app.text_of("serve-endpoint")
    assert endpoint == f"http://127.0.0.1:{port}"
    app.screenshot("serving")
    client = boto3.client(
        "cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=app.text_of("serve-access-key"), aws_secret_access_key=app.text_of("serve-secret-key"))
    assert [p["Name"] for p in client.list_user_pools(MaxResults=10)["UserPools"]] == ["served"]
    app.click("serve-stop")
    app.wait().until(lambda d: not app.all("serve-endpoint"))
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_rules(doc):
    """The Rules list inside the stored roles document, wherever it sits."""
    if isinstance(doc, dict):
        if "Rules" in doc and isinstance(doc["Rules"], list):
            return doc["Rules"]
        for v in doc.values():
            found = find_rules(v)
            if found is not None:
                return found
    return None


def open_row(row):
    """Opens a table row the way a user does: its name link, else a click on its cells."""
    links = row.find_elements(By.CSS_SELECTOR, "button.link-button")
    (links[0] if links else row.find_elements(By.TAG_NAME, "td")[1]).click()


def sqlite_row(app, sql):
    with sqlite3.connect(app.home / "pools.sqlite") as db:
        row = db.execute(sql).fetchone()
    assert row is not None, sql
    return row
