"""Browser fixtures: one headless Chromium per test worker, a fresh context per test, the app
served over real HTTP on a free local port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from intranet import create_app
from intranet.demo import DEMO_PASSWORD  # noqa: F401 - for the tests

from ..conftest import PASSWORD, STAFF, demo_copy, make_archive

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
# Without these Chromium keeps trying to reach Google's servers, which this network refuses.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--disable-quic"]
DEMO_TODAY = date(2026, 11, 26)


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve an app over HTTP on a free local port and yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def site(tmp_path):
    """The real app served over HTTP on a fresh archive with the test staff."""
    make_archive(tmp_path / "archive.git").close()
    app = create_app({"ARCHIVE_REPO": str(tmp_path / "archive.git"),
                      "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "e2e"})
    services = app.extensions["customer_archive"]
    services.credentials.set_many([m["username"] for m in STAFF], PASSWORD)
    with serving(app) as base:
        yield base, services
    services.close()


@pytest.fixture
def demo_site(tmp_path):
    """The app on a small demo company (120 customers) served over HTTP.

    Every demo account's password is ``DEMO_PASSWORD``; the clock stands at ``DEMO_TODAY``.
    """
    archive, instance = demo_copy(tmp_path, DEMO_TODAY)
    app = create_app({"ARCHIVE_REPO": str(archive), "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": "e2e", "TODAY": DEMO_TODAY.isoformat()})
    services = app.extensions["customer_archive"]
    with serving(app) as base:
        yield base, services
    services.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, started once per test worker."""
    assert Path(CHROMIUM).exists(), "install Debian's chromium (see .ci/run)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page in Traditional Chinese at 1280×900, in its own context (no cookies)."""
    context = browser.new_context(locale="zh-TW", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(tab, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form."""
    tab.goto(base + "/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.click("form[action='/login'] [type=submit]")


def artifact(name: str) -> Path:
    """Return a path in test-artifacts/ for a screenshot or download."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
