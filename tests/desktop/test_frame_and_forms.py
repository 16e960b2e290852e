"""The app's frame and shared parts in the real window: where am I, no sideways scrolling,
dialogs and confirmations from the keyboard, pool creation and pool settings."""
import struct
import zlib

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

SIZES = [(1280, 800), (1024, 700)]


def create_pool(app, name):
    app.click("create-pool")
    app.type("pool-name", name)
    app.click("pool-submit")
    app.wait().until(lambda d: app.by("pool-title").text == name)


def sideways_overflow(app):
    """How far the page or the screen's scroll area reaches past the window's width (0 is good)."""
    return app.driver.execute_script("""
        const doc = document.documentElement, main = document.getElementById('main');
        return Math.max(doc.scrollWidth - doc.clientWidth, main.scrollWidth - main.clientWidth);""")


def png_pixels(png: bytes):
    """Decodes an 8-bit RGB(A) PNG (what WebDriver screenshots are) into rows of pixel tuples."""
    width, height, depth, color = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and color in (2, 6), (depth, color)
    channels = 4 if color == 6 else 3
    data, pos = b"", 8
    while pos < len(png):
        (length,), kind = struct.unpack(">I", png[pos:pos + 4]), png[pos + 4:pos + 8]
        if kind == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(data), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        prev = line
    return rows


def fieldsets_missing_top_border(app):
    """Legends of the dialog's visible fieldsets whose top border is not painted right of the legend."""
    boxes = app.driver.execute_script("""
        const body = document.querySelector('.dialog-body').getBoundingClientRect(), dpr = devicePixelRatio;
        return [...document.querySelectorAll('.dialog-body fieldset')].map(f => {
          // The legend's text, not its box: a stretched legend box would hide the missing border.
          const legend = f.querySelector('legend'), text = document.createRange();
          text.selectNodeContents(legend);
          const r = f.getBoundingClientRect(), l = legend.getBoundingClientRect(), t = text.getBoundingClientRect();
          return {legend: legend.innerText, y: Math.round((l.top + l.height / 2) * dpr),
                  x0: Math.round((t.right + 16) * dpr), x1: Math.round((r.right - 12) * dpr),
                  visible: l.top > body.top && l.bottom < body.bottom};
        }).filter(b => b.visible);""")
    assert boxes, "no fieldset in sight"
    rows = png_pixels(app.driver.get_screenshot_as_png())
    background = rows[boxes[0]["y"] - 6][boxes[0]["x0"]]
    missing = []
    for b in boxes:
        painted = [any(rows[y][x] != background for y in range(b["y"] - 2, b["y"] + 3)) for x in range(b["x0"], b["x1"], 4)]
        if not painted or sum(painted) < 0.9 * len(painted):
            missing.append(b["legend"])
    return missing


def focused_testid(app):
    return app.driver.execute_script("return document.activeElement && document.activeElement.dataset.testid")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_screen_scrolls_sideways_and_the_header_names_the_connection(app, size):
    app.driver.set_window_size(*size)
    app.wait().until(lambda d: d.execute_script("return window.innerWidth") <= size[0])
    assert app.text_of("header-connection") == "This computer"
    assert app.by("header-connection-status").get_attribute("data-state") == "ok"
    create_pool(app, "shop")
    app.click("tab-users")
    app.click("create-user")
    app.type("user-username", "alice")
    app.type("user-email", "alice@example.com")
    app.click("user-submit")
    app.wait().until(lambda d: any("alice" in t for t in app.texts("user-row")))

    screens = [
        ("user-pool-users", None),
        ("user-pool-groups", "tab-groups"),
        ("user-pool-clients", "tab-clients"),
        ("user-pool-settings", "tab-settings"),
        ("user-pools", "nav-user-pools"),
        ("identity-pools", "nav-identity-pools"),
        ("messages", "nav-messages"),
        ("audit-log", "nav-audit"),
        ("serve", "nav-serve"),
        ("connections", "nav-connections"),
    ]
    too_wide = {}
    for name, testid in screens:
        if testid:
            app.click(testid)
        app.wait().until(lambda d: d.find_element(By.CSS_SELECTOR, "main h1"))
        assert app.text_of("header-connection") == "This computer", name
        app.screenshot(f"{name}-{size[0]}")
        if (px := sideways_overflow(app)) > 0:
            too_wide[name] = px
    # An identity pool's page (its role mapping still empty).
    app.click("nav-identity-pools")
    app.click("create-identity-pool")
    app.type("identity-pool-name", "shop_ids")
    app.click("identity-pool-submit")
    app.wait().until(lambda d: app.all("identity-pool-row"))
    app.all("identity-pool-row")[0].find_element(By.CSS_SELECTOR, "button.link-button").click()
    app.by("role-authenticated")
    app.screenshot(f"identity-pool-{size[0]}")
    if (px := sideways_overflow(app)) > 0:
        too_wide["identity-pool"] = px
    assert too_wide == {}, f"screens scrolling sideways at {size}: {too_wide}"


def test_the_sidebar_collapses_and_stays_collapsed(app):
    app.driver.set_window_size(1024, 700)
    toggle = app.by("sidebar-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    main_width = app.driver.execute_script("return document.getElementById('main').clientWidth")
    toggle.click()
    app.wait().until(lambda d: not app.all("nav-user-pools"))
    assert app.by("sidebar-toggle").get_attribute("aria-expanded") == "false"
    wider = app.driver.execute_script("return document.getElementById('main').clientWidth")
    assert wider > main_width + 150, (main_width, wider)
    assert app.text_of("header-connection") == "This computer", "the header still says where I am"
    app.screenshot("sidebar-collapsed")
    app.driver.refresh()
    app.wait().until(lambda d: app.all("sidebar-toggle"))
    assert not app.all("nav-user-pools"), "the choice is remembered"
    app.click("sidebar-toggle")
    app.by("nav-user-pools")


def test_this_computer_and_remote_servers_look_different(app):
    local = app.by("connection-local")
    assert local.get_attribute("data-kind") == "local"
    mark = local.find_element(By.CSS_SELECTOR, ".connection-mark")
    assert mark.text == "⌂"
    assert "This computer" in app.texts("connection-local")[0]
    assert "local pools" in app.texts("connection-local")[0]
    app.screenshot("sidebar-this-computer")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_creating_a_pool_confirms_and_opens_it(app, size):
    app.driver.set_window_size(*size)
    app.click("create-pool")
    dialog = app.driver.find_element(By.CSS_SELECTOR, "[role=dialog]")
    # An invalid field focused on submit is shown below the dialog's header, not under it.
    app.driver.execute_script("document.querySelector('.dialog-body').scrollTop = 1e6")
    app.click("pool-submit")
    app.wait().until(lambda d: focused_testid(app) == "pool-name")
    header_bottom = dialog.find_element(By.CSS_SELECTOR, ".dialog-header").rect
    # The whole field, its label included, is in sight below the header.
    field = app.by("pool-name").find_element(By.XPATH, "..").rect
    assert field["y"] >= header_bottom["y"] + header_bottom["height"], (field, header_bottom)
    app.screenshot("invalid-name-focused")
    # The MFA choice shows its whole text and the section boxes keep their top border.
    mfa = app.by("mfa-mode")
    Select(mfa).select_by_value("OPTIONAL")
    assert app.driver.execute_script(
        "const s = arguments[0]; const c = document.createElement('canvas').getContext('2d');"
        "c.font = getComputedStyle(s).font; return c.measureText(s.selectedOptions[0].text).width < s.clientWidth;", mfa)
    app.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", mfa)
    # A screenshot taken right after scrolling may show the frame before it: look until painted.
    app.wait(3).until(lambda d: fieldsets_missing_top_border(app) == [])
    app.screenshot("mfa-choice")

    app.type("pool-name", "orders")
    app.click("pool-submit")
    app.wait().until(lambda d: app.by("pool-title").text == "orders")
    assert "Created user pool orders" in app.texts("toast-ok")[0]
    assert app.by("tab-users").get_attribute("aria-selected") == "true"
    app.screenshot("pool-opened")


def test_pool_settings_offer_sms_and_email_mfa_and_show_the_policy(app):
    app.driver.set_window_size(1024, 700)
    create_pool(app, "secure")
    app.click("tab-settings")
    assert app.text_of("pool-password-policy").startswith("At least 8 characters with an uppercase letter")
    assert app.text_of("pool-mfa") == "Off"
    Select(app.by("mfa-mode")).select_by_value("OPTIONAL")
    app.click("mfa-sms")
    app.click("mfa-email")
    app.screenshot("mfa-sms-email")
    app.click("settings-save")
    app.wait().until(lambda d: app.all("settings-error") or app.text_of("pool-mfa") != "Off")
    assert not app.all("settings-error"), app.text_of("settings-error")
    app.wait().until(lambda d: app.text_of("pool-mfa") == "Optional: authenticator app, SMS, e-mail")
    app.screenshot("mfa-saved")


def test_a_custom_attribute_is_added_to_an_existing_pool(app):
    app.driver.set_window_size(1024, 700)
    create_pool(app, "people")
    app.click("tab-settings")
    app.type("custom-attr-name", "tier")
    Select(app.by("custom-attr-type")).select_by_value("Number")
    app.type("custom-attr-min", "1")
    app.type("custom-attr-max", "5")
    app.click("custom-attr-mutable")
    app.click("custom-attr-add")
    app.wait().until(lambda d: any(t.split()[0] == "custom:tier" for t in app.texts("schema-row")))
    row = next(t.split() for t in app.texts("schema-row") if t.startswith("custom:tier"))
    assert row == ["custom:tier", "Number", "no", "no"], row
    app.screenshot("custom-attribute-added")
    # The same name again: the server's refusal is shown in the form.
    app.type("custom-attr-name", "tier")
    app.click("custom-attr-add")
    app.wait().until(lambda d: app.all("custom-attr-error"))
    app.screenshot("custom-attribute-refused")


def test_a_confirmation_is_cancelled_and_confirmed_with_the_keyboard(app):
    app.driver.set_window_size(1024, 700)
    create_pool(app, "teams")
    app.click("tab-groups")
    app.click("create-group")
    assert focused_testid(app) == "group-name"
    app.driver.switch_to.active_element.send_keys("admins")
    app.click("group-submit")
    app.wait().until(lambda d: any("admins" in t for t in app.texts("group-row")))
    delete = app.driver.find_element(By.CSS_SELECTOR, 'button[aria-label="Delete group admins"]')

    delete.click()
    dialog = app.by("confirm-dialog")
    assert dialog.get_attribute("role") == "alertdialog"
    assert focused_testid(app) == "confirm-cancel", "a destructive action starts on Cancel"
    app.screenshot("confirm-open")
    app.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    app.wait().until(lambda d: not app.all("confirm-dialog"))
    app.wait().until(lambda d: d.switch_to.active_element.get_attribute("aria-label") == "Delete group admins")
    assert any("admins" in t for t in app.texts("group-row")), "Escape cancels"

    app.driver.switch_to.active_element.send_keys(Keys.ENTER)
    app.by("confirm-dialog")
    app.driver.switch_to.active_element.send_keys(Keys.TAB)
    assert focused_testid(app) == "confirm-ok"
    app.driver.switch_to.active_element.send_keys(Keys.ENTER)
    app.wait().until(lambda d: not app.texts("group-row"))
    app.screenshot("group-deleted")
