"""Drives the real desktop app in a real window: tauri-driver + WebKitWebDriver under Xvfb.

Run it inside `xvfb-run -a scripts/with-keyring.sh` (scripts/test.sh does): a private D-Bus
session with a real Secret Service for remote connections' secrets. The app is
$POOLDESK_DESKTOP_BIN (the installed .deb's /usr/bin/pooldesk-desktop in CI), on a fresh HOME
and database per test, and each test saves screenshots to $POOLDESK_SCREENSHOTS.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("POOLDESK_SCREENSHOTS", ROOT / "target" / "desktop-screenshots"))


def app_binary() -> str:
    path = os.environ.get("POOLDESK_DESKTOP_BIN") or str(ROOT / "target" / "debug" / "pooldesk-desktop")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"no desktop app at {path}: build it with `ui/node_modules/.bin/tauri build --debug`")
    return path


def tauri_driver() -> str:
    found = shutil.which("tauri-driver") or str(Path.home() / ".cargo" / "bin" / "tauri-driver")
    if not os.access(found, os.X_OK):
        raise RuntimeError("tauri-driver is not installed: cargo install tauri-driver --locked")
    return found


def wait_for_port(port: int, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


class App:
    """A running app and the WebDriver session on its window."""

    def __init__(self, driver: webdriver.Remote, home: Path, launch_to_first_paint: float, test_name: str):
        self.driver = driver
        self.test_name = test_name
        self.home = home
        self.launch_to_first_paint = launch_to_first_paint
        self.shots = 0

    def by(self, testid: str):
        return self.wait().until(EC.element_to_be_clickable((By.CSS_SELECTOR, f'[data-testid="{testid}"]')))

    def all(self, testid: str, within=None):
        return (within or self.driver).find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def wait(self, timeout: float = 15.0) -> WebDriverWait:
        # React may replace an element between WebDriver finding it and using it (seen once in
        # CI, inside find_elements while a save re-rendered the form): look again, as a person
        # would, until the condition holds or the timeout fails the test.
        return WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,))

    def click(self, testid: str):
        self.click_element(self.by(testid))

    def click_element(self, element):
        """Clicks as a user would after bringing the element to the middle of the window, clear of
        the toasts stacked in the bottom corner (WebDriver refuses a click they cover). At the
        foot of a page nothing scrolls further: then the toasts are dismissed first, as a person
        would close them."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", element)
        try:
            element.click()
        except ElementClickInterceptedException:
            for close in self.driver.find_elements(By.CSS_SELECTOR, '[aria-label="Dismiss notification"]'):
                close.click()
            self.wait().until(lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid^="toast-"]'))
            element.click()

    def type(self, testid: str, text: str, within=None):
        el = (within.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]') if within else self.by(testid))
        # As a person would, bring the field into view first: a field inside a scrolled panel
        # (the role simulator's) may be clipped, and WebDriver will not type into it then.
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", el)
        el.clear()
        el.send_keys(text)
        return el

    def texts(self, testid: str) -> list[str]:
        """The visible text of every element with this test id, read in one step (rows
        re-render while the UI loads, so element handles go stale)."""
        return self.driver.execute_script(
            "return [...document.querySelectorAll(`[data-testid='${arguments[0]}']`)].map(e => e.innerText)", testid)

    def text_of(self, testid: str) -> str:
        return self.by(testid).text

    def screenshot(self, name: str):
        folder = SCREENSHOTS / self.test_name
        folder.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        self.driver.save_screenshot(str(folder / f"{self.shots:02d}-{name}.png"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def app(request):
    home = Path(tempfile.mkdtemp(prefix="pooldesk-desktop-"))
    env = dict(
        os.environ,
        HOME=str(home),
        POOLDESK_DB=str(home / "pools.sqlite"),
        POOLDESK_CONNECTIONS=str(home / "connections.sqlite"),
        XDG_DATA_HOME=str(home / "data"),
        # Debug-level logs, kept in app.log: tests check that no secret ever reaches them.
        RUST_LOG="debug",
        NO_COLOR="1",
    )
    # A test may give the app more environment (e.g. where AWS Lambda is) by asking for an
    # `app_env` fixture (name: value, or None to unset).
    if "app_env" in request.fixturenames:
        for name, value in request.getfixturevalue("app_env").items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
    log = open(home / "app.log", "wb")  # noqa: SIM115 (the driver and the app write to it)
    driver_proc = subprocess.Popen([tauri_driver()], env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    driver = None
    try:
        # tauri-driver accepts on 4444 before its WebKitWebDriver child listens on 4445; a
        # session asked for too early fails with RemoteDisconnected.
        wait_for_port(4444)
        wait_for_port(4445)
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability("tauri:options", {"application": app_binary()})
        started = time.monotonic()
        driver = webdriver.Remote("http://127.0.0.1:4444", options=options)
        WebDriverWait(driver, 30).until(EC.visibility_of_element_located((By.CSS_SELECTOR, '[data-testid="nav-user-pools"]')))
        running = App(driver, home, time.monotonic() - started, request.node.name)
        yield running
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            running.screenshot("FAILED")
    finally:
        if driver is not None:
            driver.quit()
        driver_proc.terminate()
        driver_proc.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)
