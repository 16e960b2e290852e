"""The role-mapping editor, its live simulator, an identity pool's identities and app clients,
in the real window at the size it opens (1280×800) and at 1024×700."""
import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from test_app_integration import call
from test_window import open_row

ARN = "arn:aws:iam::123456789012:role/"
SIZES = [(1280, 800), (1024, 700)]

# Each control of a rule row: is the element at its centre the control itself (or inside it),
# and does it lie inside the window horizontally? Returns the ones that fail, with why.
COVERED_CONTROLS = """
const problems = [];
for (const row of document.querySelectorAll('[data-testid="rule-row"]')) {
  for (const el of row.querySelectorAll('input, select, button')) {
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    const name = el.getAttribute('aria-label') || el.dataset.testid || el.tagName;
    if (r.width === 0 || r.height === 0) problems.push(name + ': not rendered');
    else if (!hit || !(hit === el || el.contains(hit))) problems.push(name + ': covered by ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing'));
    if (r.left < 0 || r.right > window.innerWidth) problems.push(name + ': outside the window (' + r.left + '..' + r.right + ')');
  }
}
return problems;
"""

SIDEWAYS_SCROLL = """
const out = [];
for (const el of [document.scrollingElement, document.querySelector('main')]) {
  if (el && el.scrollWidth > el.clientWidth + 1) out.push((el.tagName || 'document') + ' ' + el.scrollWidth + '>' + el.clientWidth);
}
return out;
"""


def create_user_pool(app, name="shop"):
    app.click("create-pool")
    app.type("pool-name", name)
    app.click("pool-submit")
    app.wait().until(lambda d: app.by("pool-title").text == name)  # a new pool opens


def create_identity_pool(app, name="shop_ids", allow_guests=False):
    """An identity pool on the only user pool; leaves its page open."""
    app.click("nav-identity-pools")
    app.click("create-identity-pool")
    app.type("identity-pool-name", name)
    select = Select(app.by("identity-pool-provider-pool"))
    app.wait().until(lambda d: len(select.options) > 1)
    select.select_by_index(len(select.options) - 1)
    if allow_guests:
        app.click("identity-pool-allow-unauth")
    app.click("identity-pool-submit")
    app.wait().until(lambda d: any(name in t for t in app.texts("identity-pool-row")))
    open_row(app.all("identity-pool-row")[0])
    app.by("role-authenticated")


def add_rules(app, rules):
    Select(app.by("mapping-type")).select_by_value("Rules")
    for n, (claim, match, value, role) in enumerate(rules, start=1):
        app.click("add-rule")
        app.wait().until(lambda d, n=n: len(app.all("rule-row")) == n)
        row = app.all("rule-row")[-1]
        app.type("rule-claim", claim, within=row)
        Select(row.find_element(By.CSS_SELECTOR, '[data-testid="rule-match"]')).select_by_value(match)
        app.type("rule-value", value, within=row)
        app.type("rule-role", role, within=row)


RULES = [
    ("email", "StartsWith", "alice", ARN + "alice"),
    ("email", "Contains", "@example.com", ARN + "example"),
    ("cognito:groups", "Contains", "admins", ARN + "admins"),
]


@pytest.fixture
def unsaved_rules(app):
    """A user pool, an identity pool on it and three rules typed in but not saved."""
    create_user_pool(app)
    create_identity_pool(app)
    app.type("role-authenticated", ARN + "authenticated")
    add_rules(app, RULES)
    app.by("mapping-unsaved")
    return app


def test_no_rule_control_is_covered_and_role_names_show_at_1280_and_1024(unsaved_rules):
    app = unsaved_rules
    for width, height in SIZES:
        app.driver.set_window_size(width, height)
        app.wait().until(lambda d, w=width: d.execute_script("return window.outerWidth") <= w + 2)
        assert app.driver.execute_script(COVERED_CONTROLS) == [], (width, height)
        assert app.driver.execute_script(SIDEWAYS_SCROLL) == [], (width, height)
        # The role is readable: its name beside the box, and the whole ARN fits in the box.
        assert app.texts("rule-role-name") == ["alice", "example", "admins"]
        fits = app.driver.execute_script(
            "return [...document.querySelectorAll('[data-testid=\"rule-role\"]')].map(e => e.scrollWidth <= e.clientWidth)")
        assert fits == [True, True, True], (width, fits)
        app.driver.execute_script("document.querySelector('[data-testid=\"rule-row\"]').scrollIntoView({block: 'start'})")
        app.screenshot(f"rules-{width}x{height}")


def test_leaving_with_unsaved_rules_asks_first(unsaved_rules):
    app = unsaved_rules
    app.click("nav-user-pools")
    app.by("confirm-dialog")
    app.screenshot("asked-before-leaving")
    app.click("confirm-cancel")
    # Stayed, with the rules as they were.
    assert len(app.all("rule-row")) == 3
    assert app.all("mapping-unsaved")
    app.click("nav-user-pools")
    app.click("confirm-ok")
    app.wait().until(lambda d: app.all("pool-row"))
    assert not app.all("rule-row")


def test_simulator_answers_for_unsaved_rules_with_each_rules_outcome(unsaved_rules):
    app = unsaved_rules
    Select(app.by("sim-mode")).select_by_value("claims")
    app.type("sim-claims", json.dumps({"email": "alice@example.com", "sub": "s-1"}))
    # No save and no button: the simulator follows what is on screen.
    app.wait().until(lambda d: any("role/alice" in t for t in app.texts("sim-role")))
    app.wait().until(lambda d: outcomes(app) == ["Matched", "NotReached", "NotReached"])
    assert "Not reached: rule 1 matched first." in app.texts("rule-outcome")[1]
    assert app.all("mapping-unsaved"), "the rules are still unsaved"
    app.screenshot("simulated-unsaved-alice")

    app.type("sim-claims", json.dumps({"email": "bob@example.com", "sub": "s-2"}))
    app.wait().until(lambda d: any("role/example" in t for t in app.texts("sim-role")))
    app.wait().until(lambda d: outcomes(app) == ["NotMatched", "Matched", "NotReached"])
    assert 'email is "bob@example.com"' in app.texts("rule-outcome")[0]

    # Editing a rule re-runs: rule 1 now matches bob.
    row = app.all("rule-row")[0]
    app.type("rule-value", "bob", within=row)
    app.wait().until(lambda d: outcomes(app) == ["Matched", "NotReached", "NotReached"])
    assert any("role/alice" in t for t in app.texts("sim-role"))
    app.screenshot("simulated-unsaved-edit")


def outcomes(app):
    return app.driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=\"rule-row\"]')].map(r => r.dataset.outcome || null)")


def test_app_client_edited_and_its_secret_shown_on_demand(app):
    create_user_pool(app, "clients")
    app.click("tab-clients")
    app.click("create-client")
    app.type("client-name", "backend")
    app.click("client-generate-secret")
    app.click("client-submit")
    secret = app.text_of("client-secret")
    assert len(secret) > 20
    assert "not show it again" not in app.text_of("client-secret-once")
    app.screenshot("client-created")

    app.wait().until(lambda d: any("backend" in t for t in app.texts("client-row")))
    open_client_details(app, "backend")
    # Hidden until asked for, then the same secret the pool keeps.
    assert secret not in app.text_of("client-secret-value")
    app.click("client-secret-toggle")
    app.wait().until(lambda d: app.text_of("client-secret-value") == secret)
    app.screenshot("client-secret-shown")

    for width, height in SIZES:
        app.driver.set_window_size(width, height)
        app.screenshot(f"client-details-{width}x{height}")
    app.click("client-edit")
    access = app.type("client-access-validity", "2")
    Select(app.by("client-access-unit")).select_by_value("hours")
    app.type("client-read-attributes", "email, name")
    app.screenshot("client-edit-form")
    assert access.get_attribute("value") == "2"
    app.click("client-edit-submit")
    app.wait().until(lambda d: app.all("client-detail-access-validity"))

    # Read back from the server: close the details and open them again.
    app.driver.find_element(By.CSS_SELECTOR, '[data-testid="client-details"] .dialog-actions button').click()
    app.wait().until(lambda d: not app.all("client-details"))
    open_client_details(app, "backend")
    app.wait().until(lambda d: app.text_of("client-detail-access-validity") == "2 hours")
    details = app.text_of("client-details")
    assert "email, name" in details
    # What the edit did not touch is kept: the flows chosen at creation, the secret.
    assert "ALLOW_USER_SRP_AUTH" in details and "ALLOW_REFRESH_TOKEN_AUTH" in details
    app.click("client-secret-toggle")
    app.wait().until(lambda d: app.text_of("client-secret-value") == secret)
    app.screenshot("client-edited")

    # Rotation: a second secret, shown once, then the old one deleted; the pool agrees.
    app.wait().until(lambda d: len(app.all("client-secret-row")) == 1)
    app.click("client-secret-add")
    app.wait().until(lambda d: app.all("client-secret-added-value"))
    new_secret = app.text_of("client-secret-added-value")
    assert len(new_secret) > 20 and new_secret != secret
    app.wait().until(lambda d: len(app.all("client-secret-row")) == 2)
    assert not app.all("client-secret-add")[0].is_enabled(), "two secrets at most"
    app.screenshot("client-secret-rotating")
    app.click_element(app.all("client-secret-delete")[0])
    app.by("confirm-dialog")
    app.click("confirm-ok")
    app.wait().until(lambda d: len(app.all("client-secret-row")) == 1)
    app.wait().until(lambda d: app.text_of("client-secret-value") == new_secret)
    client_id = app.driver.execute_script(
        "return document.querySelector('[data-testid=\"client-secret-row\"] .mono').textContent.split('--')[0]")
    pool_id = next(p["Id"] for p in call(app, "ListUserPools", {"MaxResults": 60})["UserPools"] if p["Name"] == "clients")
    described = call(app, "DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id})["UserPoolClient"]
    assert described["ClientSecret"] == new_secret

    # Terms documents: a terms of use in two languages and a privacy policy, as the pool keeps them.
    for kind, text in [("terms-of-use", "default https://example.com/terms\nspanish https://example.com/es"),
                       ("privacy-policy", "default https://example.com/privacy")]:
        app.click(f"terms-{kind}-edit")
        app.type(f"terms-{kind}-text", text.replace("\n", Keys.ENTER))
        app.click(f"terms-{kind}-save")
        app.wait().until(lambda d, kind=kind: app.all(f"terms-{kind}-link"))
    assert app.texts("terms-terms-of-use-link") == ["default https://example.com/terms", "spanish https://example.com/es"]
    app.screenshot("client-terms")
    by_client = lambda name: call(app, "DescribeTermsByClient", {"UserPoolId": pool_id, "ClientId": client_id, "TermsName": name})["Terms"]  # noqa: E731
    assert by_client("terms-of-use")["Links"] == {"cognito:default": "https://example.com/terms", "cognito:spanish": "https://example.com/es"}
    assert by_client("privacy-policy")["Links"] == {"cognito:default": "https://example.com/privacy"}


def open_client_details(app, name):
    index = next(i for i, t in enumerate(app.texts("client-row")) if t.split()[0] == name)
    app.click_element(app.all("client-details-open")[index])
    app.by("client-secret-value")


def test_identities_listed_after_one_is_created(app):
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    from test_window import free_port

    create_user_pool(app, "guests")
    create_identity_pool(app, "guest_ids", allow_guests=True)
    identity_pool_id = app.driver.find_element(By.CSS_SELECTOR, "#main header .mono").text
    assert ":" in identity_pool_id

    app.click("nav-serve")
    app.type("serve-port", str(free_port()))
    app.click("serve-start")
    endpoint = app.text_of("serve-endpoint")
    identity = boto3.client("cognito-identity", endpoint_url=endpoint, region_name="us-east-1", config=Config(signature_version=UNSIGNED))
    made = {identity.get_id(IdentityPoolId=identity_pool_id)["IdentityId"] for _ in range(2)}
    # A guest's GetId without a stored id makes a new identity each time.
    assert len(made) == 2

    app.click("nav-identity-pools")
    app.wait().until(lambda d: app.all("identity-pool-row"))
    open_row(app.all("identity-pool-row")[0])
    app.click("identities-open")
    app.wait().until(lambda d: len(app.texts("identity-row")) == 2)
    rows = app.texts("identity-row")
    assert {r.split()[0] for r in rows} == made, rows
    assert all("Guest" in r for r in rows)
    app.click_element(app.all("identity-details-toggle")[0])
    app.wait().until(lambda d: "Last modified" in app.text_of("identity-details"))
    for width, height in SIZES:
        app.driver.set_window_size(width, height)
        app.driver.execute_script("document.querySelector('[data-testid=\"identities\"]').scrollIntoView({block: 'center'})")
        assert app.driver.execute_script(SIDEWAYS_SCROLL) == [], (width, height)
        app.screenshot(f"identities-{width}x{height}")


def test_simulator_finds_users_by_email_and_warns_when_disabled(app):
    import boto3

    from test_window import free_port

    # A pool whose users sign in with their e-mail: their usernames are internal ids.
    app.click("create-pool")
    app.type("pool-name", "by_email")
    Select(app.driver.find_element(By.CSS_SELECTOR, 'select[name="signIn"]')).select_by_value("email")
    app.click("pool-submit")
    app.wait().until(lambda d: app.by("pool-title").text == "by_email")  # a new pool opens
    pool_id = app.driver.execute_script("return document.querySelector('main').innerText.match(/us-east-1_\\w+/)?.[0]")

    app.click("nav-serve")
    app.type("serve-port", str(free_port()))
    app.click("serve-start")
    idp = boto3.client(
        "cognito-idp", endpoint_url=app.text_of("serve-endpoint"), region_name="us-east-1",
        aws_access_key_id=app.text_of("serve-access-key"), aws_secret_access_key=app.text_of("serve-secret-key"))
    created = idp.admin_create_user(
        UserPoolId=pool_id, Username="alice@example.com", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])["User"]
    assert created["Username"] != "alice@example.com", "the username is an internal id"
    idp.admin_disable_user(UserPoolId=pool_id, Username=created["Username"])

    create_identity_pool(app, "by_email_ids")
    app.type("role-authenticated", ARN + "authenticated")
    app.type("sim-user", "ali")
    # Suggested by e-mail, the address people know them by.
    app.wait().until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('#sim-user-list option')].map(o => o.value)") == ["alice@example.com"])
    app.type("sim-user", "alice@example.com")
    app.click("sim-user-load")
    warning = app.text_of("sim-user-warning")
    assert "disabled" in warning
    claims = app.by("sim-user-claims")
    assert "alice@example.com" in claims.text
    assert claims.size["height"] > 60, "the claims are readable, not squeezed"
    # The unsaved default role answers for them.
    app.wait().until(lambda d: any("role/authenticated" in t for t in app.texts("sim-role")))
    app.screenshot("simulated-disabled-email-user")


def test_an_identitys_datasets_and_records_are_shown_and_deleted(app):
    """Cognito Sync data as a developer sees it: an identity's datasets (written here through the
    CLI's developer door on the app's own database), their records with sync counts and removed
    ones marked, the pool's usage and its bar among the pools, Cognito Streams set up from the
    window; a dataset, then the identity, deleted after a confirmation."""
    import os
    import subprocess

    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    from test_window import free_port

    create_user_pool(app, "players")
    create_identity_pool(app, "player_ids", allow_guests=True)
    identity_pool_id = app.driver.find_element(By.CSS_SELECTOR, "#main header .mono").text
    app.click("nav-serve")
    app.type("serve-port", str(free_port()))
    app.click("serve-start")
    identity = boto3.client("cognito-identity", endpoint_url=app.text_of("serve-endpoint"), region_name="us-east-1", config=Config(signature_version=UNSIGNED))
    identity_id = identity.get_id(IdentityPoolId=identity_pool_id)["IdentityId"]

    def cli(operation: str, payload: dict) -> dict:
        done = subprocess.run(
            [os.environ["POOLDESK_BIN"], "call", operation, json.dumps(payload), "--db", str(app.home / "pools.sqlite")],
            capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    ids = {"IdentityPoolId": identity_pool_id, "IdentityId": identity_id, "DatasetName": "game"}
    for patches in (
        [{"Op": "replace", "Key": "level", "Value": "7", "SyncCount": 0}, {"Op": "replace", "Key": "score", "Value": "100", "SyncCount": 0}],
        [{"Op": "remove", "Key": "score", "SyncCount": 1}],
    ):
        token = cli("list-records", ids)["SyncSessionToken"]
        cli("update-records", {**ids, "SyncSessionToken": token, "RecordPatches": patches})

    app.click("nav-identity-pools")
    app.wait().until(lambda d: app.all("identity-pool-row"))
    open_row(next(r for r in app.all("identity-pool-row") if "player_ids" in r.text))
    app.wait().until(lambda d: app.text_of("sync-usage-writes") == "2")
    app.wait().until(lambda d: any(identity_pool_id in t for t in app.texts("usage-bar")))
    app.type("streams-name", "player-changes")
    app.type("streams-role", "arn:aws:iam::123456789012:role/cognito-streams")
    app.click("streams-save")
    app.wait().until(lambda d: app.all("streams-remove"))
    configured = cli("get-identity-pool-configuration", {"IdentityPoolId": identity_pool_id})
    assert configured["CognitoStreams"] == {
        "StreamName": "player-changes",
        "RoleArn": "arn:aws:iam::123456789012:role/cognito-streams",
        "StreamingStatus": "ENABLED",
    }
    app.driver.execute_script("document.querySelector('[data-testid=\"sync-streams\"]').scrollIntoView({block: 'start'})")
    app.screenshot("identity-pool-sync-settings")
    app.click("identities-open")
    app.wait().until(lambda d: len(app.texts("identity-row")) == 1)
    app.click_element(app.all("identity-details-toggle")[0])
    app.wait().until(lambda d: app.texts("dataset-row"))
    assert app.texts("dataset-row")[0].split()[:2] == ["game", "1"], app.texts("dataset-row")
    app.click("dataset-records-toggle")
    app.wait().until(lambda d: len(app.texts("record-row")) == 2)
    level, score = app.texts("record-row")
    assert level.split()[:3] == ["level", "7", "1"], level
    assert score.split()[:3] == ["score", "removed", "2"], score
    assert app.text_of("dataset-sync-count") == "2"
    app.driver.execute_script("document.querySelector('[data-testid=\"dataset-records\"]').scrollIntoView({block: 'center'})")
    app.screenshot("identity-datasets")

    app.click("dataset-delete")
    app.by("confirm-dialog")
    app.click("confirm-ok")
    app.wait().until(lambda d: not app.all("dataset-row"))
    assert cli("list-datasets", {"IdentityPoolId": identity_pool_id, "IdentityId": identity_id})["Datasets"] == []

    app.click("identity-delete")
    app.by("confirm-dialog")
    app.click("confirm-ok")
    app.wait().until(lambda d: not app.all("identity-row"))
    done = subprocess.run(
        [os.environ["POOLDESK_BIN"], "call", "describe-identity", json.dumps({"IdentityId": identity_id}), "--db", str(app.home / "pools.sqlite")],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1 and "ResourceNotFoundException" in done.stderr, done.stderr
