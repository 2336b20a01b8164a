"""Browser journeys: the app served on loopback (werkzeug, threaded) on the test database, driven by the
system's Chromium through Playwright. Each step's screenshot is kept under test-artifacts/e2e/<journey>/.

A page whose script the CSP blocks (an inline script without the nonce, an inline handler) logs a console
error; every journey fails on any such error.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from tests.helpers import PASSWORD
from tests.recordings.conftest import media_files  # noqa: F401 (session fixture)
from tests.review.conftest import *  # noqa: F401,F403 (case and review factories)

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"

if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser journeys need the system Chromium at {CHROMIUM} (scripts/system-deps.sh installs it)",
                allow_module_level=True)


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app served over HTTP on 127.0.0.1 (a random port); yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _jobs_off(app):
    """Derivative jobs (thumbnails, proxies) are not part of a journey; keep them out of the way."""
    saved = app.config.get("RECORDING_JOBS")
    app.config["RECORDING_JOBS"] = "off"
    yield
    app.config["RECORDING_JOBS"] = saved


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


class Journey:
    """One browser context per actor; `shot()` numbers each step's screenshot; CSP violations are kept."""

    def __init__(self, browser, base_url, name):
        self.browser, self.base_url, self.name = browser, base_url, name
        self.dir = ARTIFACTS / name
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()
        self.n = 0
        self.console_errors: list[str] = []
        self.contexts = []

    def page(self, user=None):
        """A fresh browser context (own cookies), logged in through the login form when `user` is given."""
        ctx = self.browser.new_context(base_url=self.base_url, viewport={"width": 1280, "height": 900},
                                       locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
        ctx.set_default_timeout(15000)
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda exc: self.console_errors.append(f"{page.url}: {exc}"))
        if user is not None:
            self.login(page, user)
        return page

    def _console(self, page, msg):
        text = msg.text
        if msg.type == "error" and ("Content Security Policy" in text or "Content-Security-Policy" in text
                                    or "Refused to" in text):
            self.console_errors.append(f"{page.url}: {text}")

    def login(self, page, user):
        username = user if isinstance(user, str) else user.username
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit], form input[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url, f"login as {username} failed: {page.inner_text('body')[:300]}"

    def shot(self, page, step):
        self.n += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.dir / f"{self.n:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def journey(browser, live_server, request):
    made = []

    def start(name):
        j = Journey(browser, live_server, name)
        made.append(j)
        return j

    yield start
    for j in made:
        j.close()
    for j in made:
        assert not j.console_errors, "blocked scripts or page errors (CSP?):\n" + "\n".join(j.console_errors)
