"""Shared fixtures: a real app on a real temporary archive, and plain-git helpers."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from intranet import create_app
from intranet.archive.objects import Identity
from intranet.archive.repository import Archive
from intranet.records.organisation import initialise, save_member

SYSTEM = Identity("客戶檔案系統", "archive@intranet.invalid")
STAFF = [
    {"username": "director", "name": "林美華", "role": "marketing_director",
     "department": "marketing"},
    {"username": "wang.li", "name": "王立", "role": "salesperson", "department": "sales"},
    {"username": "chen.yu", "name": "陳宇", "role": "salesperson", "department": "sales"},
    {"username": "lee.mgr", "name": "李經理", "role": "department_manager",
     "department": "sales"},
    {"username": "gm", "name": "趙總", "role": "general_manager", "department": "management"},
    {"username": "vp", "name": "錢副總", "role": "marketing_vp", "department": "marketing"},
    {"username": "other.mgr", "name": "孫經理", "role": "department_manager",
     "department": "sales2"},
    {"username": "lin.sales2", "name": "林二", "role": "salesperson", "department": "sales2"},
    {"username": "hr.chen", "name": "陳人資", "role": "hr", "department": "hr"},
    {"username": "info.wu", "name": "吳資訊", "role": "marketing_staff",
     "department": "marketing"},
]


def git(repo: Path | str, *args: str, cwd: Path | str | None = None) -> str:
    """Run plain git against a repository and return its output."""
    cmd = ["git"] + ([] if cwd else ["--git-dir", str(repo)]) + list(args)
    env = {**os.environ, "LC_ALL": "C"}
    return subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


def make_archive(path: Path) -> Archive:
    """Create an archive with its policy and the test staff committed."""
    archive = Archive(path, committer=SYSTEM)
    initialise(archive, SYSTEM)
    for member in STAFF:
        save_member(archive, {**member, "email": f"{member['username']}@example.com",
                              "active": True, "left_on": ""}, SYSTEM, new=True)
    return archive


@pytest.fixture
def archive(tmp_path):
    """A fresh archive with the test staff, closed afterwards."""
    archive = make_archive(tmp_path / "archive.git")
    yield archive
    archive.close()


def app_in(root: Path):
    """Return an app on a fresh archive with the test staff, everything under ``root``."""
    make_archive(root / "archive.git").close()
    return create_app({
        "TESTING": True,
        "ARCHIVE_REPO": str(root / "archive.git"),
        "INSTANCE_PATH": str(root / "instance"),
        "INDEX_PATH": str(root / "instance" / "index.sqlite3"),
        "CREDENTIALS_PATH": str(root / "instance" / "credentials.json"),
        "SECRET_KEY": "test",
    })


@pytest.fixture
def app(tmp_path):
    """An app on a fresh archive and instance folder."""
    app = app_in(tmp_path)
    yield app
    app.extensions["customer_archive"].close()


@pytest.fixture
def svc(app):
    """The app's services (archive, files, index, credentials)."""
    return app.extensions["customer_archive"]


@pytest.fixture
def runner(app):
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


PASSWORD = "correct horse 1"


@pytest.fixture
def web(app):
    """A test client; every test staff member's password is PASSWORD."""
    app.extensions["customer_archive"].credentials.set_many(
        [m["username"] for m in STAFF], PASSWORD)
    return app.test_client()


def csrf_token(client, url: str) -> str:
    """Return the CSRF token of the form on a page."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def sign_in(client, username: str = "wang.li", password: str = PASSWORD):
    """Sign in through the real form and return the response."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


@pytest.fixture
def signed_in(web):
    """A client signed in as the salesperson wang.li."""
    response = sign_in(web)
    assert response.status_code == 302, response.get_data(as_text=True)
    return web
