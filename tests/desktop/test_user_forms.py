"""Creating users as the pool's schema says, confirming them, and importing them from a CSV
file, in the real window at the size it opens and at 1024x700, each ending in what the pool
now holds."""
import sqlite3

import pytest

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector

SIZES = {"1280x800": (1280, 800), "1024x700": (1024, 700)}

POLICY = {"MinimumLength": 10, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True, "RequireSymbols": True}

# given_name is required; custom:employee_id can only be set while the user is created.
STAFF_SCHEMA = [
    {"Name": "given_name", "AttributeDataType": "String", "Required": True, "Mutable": True},
    {"Name": "employee_id", "AttributeDataType": "String", "Mutable": False, "StringAttributeConstraints": {"MinLength": "3", "MaxLength": "10"}},
    {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
]


def call(app, target, payload):
    """The app's own backend call, as the UI makes it: sets up state a test starts from."""
    result = app.driver.execute_async_script(
        """
        const [target, input, done] = arguments;
        window.__TAURI_INTERNALS__.invoke("call", {connection: "local", target, input})
          .then((r) => done({ok: r}), (e) => done({error: e}));
        """,
        target if "." in target else f"AWSCognitoIdentityProviderService.{target}",
        payload,
    )
    assert "error" not in result, (target, result)
    return result["ok"]


def staff_pool(app, **extra) -> str:
    """An e-mail-as-username pool with a required and an immutable custom attribute, shown in the window."""
    pool = call(app, "CreateUserPool", {
        "PoolName": "staff", "UsernameAttributes": ["email"], "Schema": STAFF_SCHEMA,
        "Policies": {"PasswordPolicy": POLICY}, **extra,
    })["UserPool"]
    open_pool(app, "staff")
    return pool["Id"]


def open_pool(app, name):
    # The pool list was read before the pool existed: read it again as a person would.
    app.driver.refresh()
    app.wait(30).until(lambda d: any(name in t for t in app.texts("pool-row")))
    row = next(r for r in app.all("pool-row") if name in r.text)
    links = row.find_elements(By.CSS_SELECTOR, "button.link-button")
    app.click_element(links[0] if links else row.find_elements(By.TAG_NAME, "td")[1])
    app.click("tab-users")


def attribute(user, name):
    return next((a["Value"] for a in user.get("UserAttributes") or user.get("Attributes") or [] if a["Name"] == name), None)


# A control's field: its wrapper with the label, the hint and the error.
FIELD = "./ancestor::*[contains(concat(' ', @class, ' '), ' field ')][1]"


def no_sideways_scroll(app):
    overflow = app.driver.execute_script(
        "const m = document.querySelector('main') || document.scrollingElement; return m.scrollWidth - m.clientWidth;")
    assert overflow <= 1, f"the screen scrolls sideways by {overflow}px"


def inside_window(app, element):
    """True when the element is fully within the window's width (not cut off on the right)."""
    return app.driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth;", element)


@pytest.mark.parametrize("size", SIZES)
def test_create_a_user_from_the_pools_schema(app, size):
    app.driver.set_window_size(*SIZES[size])
    pool_id = staff_pool(app)
    app.click("create-user")
    dialog = app.by("create-user-dialog")

    # The e-mail is the username: one field for it, none called Username.
    app.by("user-email")
    assert not app.all("user-username")
    labels = [el.text for el in dialog.find_elements(By.CSS_SELECTOR, ".field > label:first-child")]
    assert sum(1 for t in labels if t.startswith("E-mail")) == 1, labels
    given = app.by("user-attr-given_name").find_element(By.XPATH, FIELD)
    assert given.get_attribute("data-required") == "true" and "*" in given.text
    employee = app.by("user-attr-custom:employee_id").find_element(By.XPATH, FIELD)
    assert employee.get_attribute("data-immutable") == "true"
    assert "cannot be changed after the user is created" in employee.text
    assert [r.text for r in app.all("password-rule")][0].endswith("At least 10 characters")
    assert inside_window(app, app.by("user-submit"))

    # Nothing is sent while the form breaks the schema or the policy: every problem at once.
    app.type("user-email", "alice@example.com")
    app.type("user-temp-password", "abc")
    app.click("user-submit")
    error = app.text_of("temp-password-error")
    for rule in ("at least 10 characters", "an uppercase letter", "a number", "a symbol"):
        assert rule in error, error
    assert "Given name is required by this pool" in given.text
    # The first invalid field has the focus, its label in view below the dialog's header.
    app.wait().until(lambda d: d.switch_to.active_element == app.by("user-attr-given_name"))
    assert app.driver.execute_script(
        "const h = document.querySelector('.dialog-header').getBoundingClientRect();"
        "return arguments[0].getBoundingClientRect().top >= h.bottom;", given), "the label is under the dialog's header"
    assert [r.get_attribute("data-met") for r in app.all("password-rule")].count("false") == 4
    app.screenshot(f"create-user-problems-{size}")
    assert not call(app, "ListUsers", {"UserPoolId": pool_id})["Users"]

    app.type("user-attr-given_name", "Alice")
    app.type("user-attr-custom:employee_id", "E-1001")
    app.type("user-temp-password", "Temporary1!x")
    app.screenshot(f"create-user-filled-{size}")
    app.click("user-submit")
    app.wait().until(lambda d: any("Created alice@example.com" in t for t in app.texts("toast-ok")))

    # The details panel names her by her e-mail, the id below, the immutable attribute locked.
    app.wait().until(lambda d: app.texts("user-details-name") == ["alice@example.com"])
    (sub,) = app.texts("user-details-username")
    assert sub and sub != "alice@example.com"
    app.wait().until(lambda d: any(r.get_attribute("data-name") == "custom:employee_id" for r in app.all("user-attribute")))
    row = next(r for r in app.all("user-attribute") if r.get_attribute("data-name") == "custom:employee_id")
    assert row.get_attribute("data-locked") == "true"
    assert "E-1001" in row.text and "Immutable" in row.text
    assert not row.find_elements(By.TAG_NAME, "input")
    # A new attribute's name is offered from the schema: the mutable custom one first.
    offered = app.driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=\"user-new-attribute-names\"] option')].map(o => o.value)")
    assert offered[0] == "custom:tier" and "custom:employee_id" not in offered, offered
    no_sideways_scroll(app)
    app.screenshot(f"created-user-details-{size}")

    # What the pool holds: Cognito's username is the id, with the attributes as typed.
    user = call(app, "AdminGetUser", {"UserPoolId": pool_id, "Username": "alice@example.com"})
    assert user["Username"] == sub
    assert (attribute(user, "email"), attribute(user, "given_name"), attribute(user, "custom:employee_id")) == (
        "alice@example.com", "Alice", "E-1001")
    with sqlite3.connect(app.home / "pools.sqlite") as db:
        status, data = db.execute("SELECT status, data FROM users WHERE pool_id = ? AND username = ?", (pool_id, sub)).fetchone()
    assert "E-1001" in data and status in ("FORCE_CHANGE_PASSWORD", "ForceChangePassword"), (status, data)


def test_confirm_an_unconfirmed_user(app):
    app.driver.set_window_size(1024, 700)
    pool_id = staff_pool(app)
    client = call(app, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "web"})["UserPoolClient"]
    signed_up = call(app, "SignUp", {
        "ClientId": client["ClientId"], "Username": "dan@example.com", "Password": "Sign-up-pass1",
        "UserAttributes": [{"Name": "given_name", "Value": "Dan"}, {"Name": "email", "Value": "dan@example.com"}],
    })
    assert signed_up["UserConfirmed"] is False
    open_pool(app, "staff")
    app.wait().until(lambda d: app.all("user-row"))
    row = app.all("user-row")[0]
    app.click_element(row.find_elements(By.TAG_NAME, "td")[1])
    app.wait().until(lambda d: app.texts("user-details-name") == ["dan@example.com"])
    assert app.texts("user-status") == ["UNCONFIRMED"]
    app.screenshot("unconfirmed-user")

    app.click("user-confirm")
    assert "Confirm dan@example.com" in app.text_of("confirm-dialog")
    app.screenshot("confirm-user-asks")
    app.click("confirm-ok")
    app.wait().until(lambda d: app.texts("user-status") == ["CONFIRMED"])
    assert not app.all("user-confirm")
    no_sideways_scroll(app)
    app.screenshot("user-confirmed")
    user = call(app, "AdminGetUser", {"UserPoolId": pool_id, "Username": "dan@example.com"})
    assert user["UserStatus"] == "CONFIRMED"


def test_import_users_from_a_csv_file_with_a_bad_line(app):
    pool_id = staff_pool(app)
    app.click("import-users")
    app.by("import-users-dialog")
    app.wait().until(lambda d: app.texts("import-expected-header"))
    expected = app.texts("import-expected-header")[0].split(",")
    assert "custom:employee_id" in expected and "cognito:username" in expected
    assert "RESET_REQUIRED" in app.text_of("import-reset-required")
    submit = app.driver.find_element(By.CSS_SELECTOR, '[data-testid="import-submit"]')
    assert submit.get_attribute("disabled") is not None, "nothing to import before a file is picked"

    # The template is the header line, copied to paste into a new file.
    app.click("import-template")
    app.wait().until(lambda d: app.by("import-template").get_attribute("data-copied") == "true")
    assert app.text_of("import-template") == "Template copied"

    csv = (
        "cognito:username,email,given_name,custom:employee_id\n"
        "ann@example.com,ann@example.com,Ann,E-2001\n"
        "ben@example.com,ben@example.com,Ben,E-2002\n"
        "cat@example.com,cat@example.com,,E-2003\n"  # line 4: given_name is required
        "dee@example.com,dee@example.com,Dee,E-2004\n"
    )
    path = app.home / "staff.csv"
    path.write_text(csv)
    # The app runs on this machine: the driver is given the path itself, not an upload.
    app.driver.file_detector = UselessFileDetector()
    app.driver.find_element(By.CSS_SELECTOR, '[data-testid="import-file"]').send_keys(str(path))
    app.wait().until(lambda d: app.all("import-fit") and app.by("import-fit").get_attribute("data-ok") == "true")
    assert "4 lines" in app.text_of("import-submit")
    app.screenshot("import-file-fits")
    app.click("import-submit")
    app.wait(30).until(lambda d: app.texts("import-summary") or app.texts("import-error"))
    assert not app.texts("import-error"), app.texts("import-error")
    assert app.texts("import-summary") == ["Imported 3 users; 1 line failed."]
    failures = app.texts("import-failure")
    assert len(failures) == 1 and failures[0].startswith("Line 4:") and "given_name" in failures[0], failures
    app.screenshot("import-report")

    app.driver.set_window_size(1024, 700)
    assert inside_window(app, app.by("import-report"))
    app.screenshot("import-report-1024")
    listed = call(app, "ListUsers", {"UserPoolId": pool_id})["Users"]
    assert sorted(attribute(u, "email") for u in listed) == ["ann@example.com", "ben@example.com", "dee@example.com"]
    assert {u["UserStatus"] for u in listed} == {"RESET_REQUIRED"}
    with sqlite3.connect(app.home / "pools.sqlite") as db:
        (count,) = db.execute("SELECT count(*) FROM users WHERE pool_id = ?", (pool_id,)).fetchone()
    assert count == 3
