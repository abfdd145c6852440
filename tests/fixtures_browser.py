"""Fixtures for browser tests: a live server and Debian's Chromium through Playwright.

One live server and one browser per session; every test gets a fresh browser context (no
cookies carried over), Japanese locale and the Tokyo time zone. Screenshots go to
``test-artifacts/screenshots/`` (git-ignored, kept by CI as an artifact); a failing browser test
leaves one there automatically.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path("/usr/bin/chromium")
# Flags that work as root on a closed network (see ../shared/COMPONENTS.md).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 360, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
# Long enough for a slow CI machine, short enough that a broken page fails fast.
DEFAULT_TIMEOUT_MS = 15_000


class _QuietHandler(WSGIRequestHandler):
    """Log nothing per request (readable test output); send small writes at once."""

    # Werkzeug writes headers and body separately; with Nagle's algorithm each response then
    # waits for a delayed ACK (~40 ms on loopback), which adds up over a few hundred requests.
    disable_nagle_algorithm = True

    def log_request(self, code="-", size="-"):
        pass


@dataclass(frozen=True)
class LiveServer:
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[LiveServer]:
    """Serve the session ``app`` on a free loopback port from a daemon thread."""
    # Port 0: the kernel picks a free port, so parallel runs never collide.
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _require_japanese_font() -> None:
    """Fail unless fontconfig knows a Japanese font: without one, Japanese renders as boxes."""
    try:
        found = subprocess.run(
            ["fc-list", ":lang=ja", "family"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except FileNotFoundError:
        found = ""
    if not found:
        pytest.fail(
            "no Japanese font is installed (fc-list :lang=ja is empty): install "
            "fonts-ipafont-gothic (`bash .ci/system-deps`), or Japanese renders as boxes.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session. A missing browser or Japanese font fails the tests."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium and "
            "fonts-ipafont-gothic (run `bash .ci/system-deps`, or `make test` which does it). "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    _require_japanese_font()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the item, so fixtures can tell when a test failed."""
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "-", text).strip("-")


def _screenshot_path(page, name: str) -> Path:
    lang = page.evaluate("document.documentElement.lang") or "none"
    width = (page.viewport_size or {}).get("width", 0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{_slug(name)}-{_slug(lang)}-{width}.png"


@pytest.fixture
def screenshot(request) -> Callable[..., Path]:
    """Return ``shot(page, label=None)``: save a full-page screenshot and return its path.

    The file is ``<test-name>[-<label>]-<lang>-<width>.png``; ``lang`` is the page's
    ``<html lang>``, ``width`` the viewport width.
    """

    def shot(page, label: str | None = None) -> Path:
        name = request.node.originalname if label else request.node.name
        if label:
            name = f"{name}-{label}"
        path = _screenshot_path(page, name)
        page.screenshot(path=str(path), full_page=True)
        return path

    return shot


@pytest.fixture
def new_page(browser, live_server, request):
    """Return ``open_page(width=1280, height=800, mobile=False)``: a page in a new context.

    Relative URLs (``page.goto("/login")``) go to the live server. Motion is reduced so that
    Bootstrap's transitions finish at once and screenshots are stable.
    """
    contexts = []

    def open_page(width: int = DESKTOP["width"], height: int = DESKTOP["height"],
                  mobile: bool = False):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            reduced_motion="reduce",
            is_mobile=mobile,
            has_touch=mobile,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page

    call_report = getattr(request.node, "_report_call", None)
    failed = call_report is not None and call_report.failed
    for context in contexts:
        if failed:
            for number, failed_page in enumerate(context.pages):
                try:
                    name = f"{_slug(request.node.name)}-failed-{number}"
                    path = _screenshot_path(failed_page, name)
                    failed_page.screenshot(path=str(path), full_page=True)
                except Exception:  # noqa: BLE001,S110 - a broken page must not hide the failure
                    pass
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280x800) in a fresh context: ja-JP, Asia/Tokyo."""
    return new_page()


@pytest.fixture
def mobile_page(new_page):
    """A phone-sized page (360x740, touch) in a fresh context: ja-JP, Asia/Tokyo."""
    return new_page(MOBILE["width"], MOBILE["height"], mobile=True)


def log_in(page, user, password: str | None = None) -> None:
    """Sign in through the real login form and wait for the home page.

    ``user`` is a ``UserInfo`` from ``make_user``. Fills the fields by their ids, so it works
    in every language.
    """
    page.goto("/login")
    page.locator("#login").fill(user.login)
    page.locator("#password").fill(password if password is not None else user.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    path = page.evaluate("location.pathname")
    assert path != "/login", "login failed: " + page.locator("main").inner_text()


def switch_language(page, language: str) -> None:
    """Press the visible language switch for ``language`` (``ja`` or ``en``)."""
    button = page.locator(f'.lang-switch button[name="language"][value="{language}"]')
    with page.expect_navigation():
        button.click()
    lang = page.evaluate("document.documentElement.lang")
    assert lang == language, f"after switching to {language}, <html lang> is {lang!r}"
