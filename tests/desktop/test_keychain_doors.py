"""What the app keeps in the OS keychain, reached from the other doors: the CLI opens the app's
database with the master key the app keeps there, and Serve can sign with a key kept there, the
same every start."""
import os
import sqlite3
import subprocess

from selenium.webdriver.common.by import By

from test_window import free_port, open_row


def pooldesk_cli() -> str:
    path = os.environ.get("POOLDESK_BIN", "")
    assert os.access(path, os.X_OK), f"POOLDESK_BIN={path!r} is not the pooldesk CLI"
    return path


def test_the_cli_imports_users_into_the_apps_database_with_the_key_from_the_keychain(app):
    app.click("create-pool")
    app.type("pool-name", "imported")
    app.click("pool-submit")
    app.wait().until(lambda d: any("imported" in t for t in app.texts("pool-row")))
    db = app.home / "pools.sqlite"
    assert not (app.home / "pools.sqlite.key").exists(), "the app keeps its master key in the keychain, not beside the database"
    with sqlite3.connect(db) as conn:
        (pool_id,) = conn.execute("SELECT id FROM user_pools").fetchone()

    csv = app.home / "users.csv"
    csv.write_text("cognito:username,email\nada,ada@example.com\ngrace,grace@example.com\n,nobody@example.com\n")
    done = subprocess.run([pooldesk_cli(), "import-users", "--db", str(db), "--user-pool-id", pool_id, str(csv)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "imported 2 users" in done.stdout and "1 rows refused" in done.stdout, done.stdout
    assert "line 4" in done.stderr, done.stderr
    assert not (app.home / "pools.sqlite.key").exists(), "the CLI made no key file of its own"

    # The app shows what the CLI imported.
    open_row(app.all("pool-row")[0])
    app.click("tab-users")
    app.wait().until(lambda d: sorted(t.split()[0] for t in app.texts("user-row")) == ["ada", "grace"])
    app.screenshot("imported-by-the-cli")


def test_serve_signs_with_a_kept_key_every_start_until_it_is_replaced(app):
    import boto3

    app.click("nav-serve")
    keep = app.by("serve-keep-key")
    if not keep.is_selected():
        app.click_element(keep)
    port = free_port()
    app.type("serve-port", str(port))

    def start() -> tuple[str, str]:
        app.click("serve-start")
        app.wait().until(lambda d: app.all("serve-access-key"))
        key = (app.text_of("serve-access-key"), app.text_of("serve-secret-key"))
        app.click("serve-stop")
        app.wait().until(lambda d: not app.all("serve-access-key"))
        return key

    app.click("serve-start")
    assert "same key every start" in app.text_of("serve-key-kind")
    key_id, secret = app.text_of("serve-access-key"), app.text_of("serve-secret-key")
    client = boto3.client("cognito-idp", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                          aws_access_key_id=key_id, aws_secret_access_key=secret)
    assert client.list_user_pools(MaxResults=10)["UserPools"] == []
    app.screenshot("serving-with-a-kept-key")
    app.click("serve-stop")
    app.wait().until(lambda d: not app.all("serve-access-key"))

    assert start() == (key_id, secret), "the same key after stopping and starting again"
    kept = subprocess.run(["secret-tool", "lookup", "service", "pooldesk", "username", "serve:root-key"],
                          capture_output=True, text=True)
    assert kept.stdout.strip() == f"{key_id}:{secret}", "kept in the OS keychain"

    app.click("serve-forget-key")
    app.wait().until(lambda d: app.all("serve-key-forgotten"))
    assert start()[0] != key_id, "a new kept key after replacing it"
    # Without keeping, each start has its own key.
    app.click_element(app.by("serve-keep-key"))
    first, second = start(), start()
    assert first != second
    assert not app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="serve-forget-key"]')
