"""Shared fixtures: a real app on a real temporary archive, and plain-git helpers."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import jinja2
import pytest
from hypothesis import settings

from intranet import create_app
from intranet.archive.objects import Identity
from intranet.archive.repository import Archive
from intranet.config import Defaults
from intranet.records.rulebook.organisation import initialise, save_member

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


# A cheap hash for the test passwords in every app this test process makes: the product's
# (scrypt) costs 0.2 s a sign-in. tests/test_cli.py checks the product's own with scrypt.
TEST_PASSWORD_HASH = "pbkdf2:sha256:1000"
_prepared: list[Path] = []
_demos: dict[tuple[date, int], tuple[Path, dict[str, int]]] = {}


class _Templates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for every app this test process makes."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


def pytest_configure(config):
    Defaults.PASSWORD_HASH = TEST_PASSWORD_HASH
    # Properties are checked by their examples, not by how fast a busy machine runs them.
    settings.register_profile("suite", deadline=None)
    settings.load_profile("suite")
    Defaults.TEMPLATE_BYTECODE_CACHE = _Templates()


def build_archive(path: Path) -> Archive:
    """Create an archive with its policy and the test staff, commit by commit."""
    archive = Archive(path, committer=SYSTEM)
    initialise(archive, SYSTEM)
    for member in STAFF:
        save_member(archive, {**member, "email": f"{member['username']}@example.com",
                              "active": True, "left_on": ""}, SYSTEM, new=True)
    return archive


def _prepared_archive() -> Path:
    """Return this process's prepared archive, built on first use (one per test worker)."""
    if not _prepared:
        root = Path(tempfile.mkdtemp(prefix="prepared-archive-"))
        atexit.register(shutil.rmtree, root, True)
        build_archive(root / "archive.git").close()
        _prepared.append(root / "archive.git")
    return _prepared[0]


def demo_copy(root: Path, today: date, customers: int = 120) -> tuple[Path, Path]:
    """Copy this process's seeded demo company (seed 7, dated ``today``) under ``root``.

    Seeding 120 customers with months of history costs seconds; the first test in a worker
    pays it and later ones copy the bare repository and the instance folder (the demo's
    passwords, its audit journal and the built index). Return (archive, instance).
    """
    from intranet import demo
    from intranet.instance import MARKER

    key = (today, customers)
    if key not in _demos:
        made = Path(tempfile.mkdtemp(prefix="prepared-demo-"))
        atexit.register(shutil.rmtree, made, True)
        app = create_app({"TESTING": True, "ARCHIVE_REPO": str(made / "archive.git"),
                          "INSTANCE_PATH": str(made / "instance"), "SECRET_KEY": "demo"})
        svc = app.extensions["customer_archive"]
        with app.app_context():
            counts = demo.seed(svc, customers, 7, today=today)
        svc.index.catch_up()
        svc.close()
        _demos[key] = (made, counts)
    made = _demos[key][0]
    # The copy is served by another instance folder: leave the original's claim behind.
    shutil.copytree(made / "archive.git", root / "archive.git",
                    ignore=shutil.ignore_patterns(MARKER))
    shutil.copytree(made / "instance", root / "instance",
                    ignore=shutil.ignore_patterns("*.lock"))
    return root / "archive.git", root / "instance"


def demo_counts(today: date, customers: int = 120) -> dict[str, int]:
    """Return what seeding the prepared demo company reported."""
    return _demos[(today, customers)][1]


def make_archive(path: Path) -> Archive:
    """Return an archive with its policy and the test staff: a copy of the prepared one.

    Copying the bare repository (about 0.02 s) gives the same commits, ids and bytes as
    building it (about 0.35 s), so every test starts from an identical archive.
    """
    shutil.copytree(_prepared_archive(), path)
    return Archive(path, committer=SYSTEM)


@pytest.fixture
def archive(tmp_path):
    """A fresh archive with the test staff, closed afterwards."""
    archive = make_archive(tmp_path / "archive.git")
    yield archive
    archive.close()


def app_in(root: Path, **overrides):
    """Return an app on a fresh archive with the test staff, everything under ``root``."""
    make_archive(root / "archive.git").close()
    return create_app({
        "TESTING": True,
        "ARCHIVE_REPO": str(root / "archive.git"),
        "INSTANCE_PATH": str(root / "instance"),
        "INDEX_PATH": str(root / "instance" / "index.sqlite3"),
        "CREDENTIALS_PATH": str(root / "instance" / "credentials.json"),
        "SECRET_KEY": "test",
        **overrides,
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
