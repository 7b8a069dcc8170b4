"""Several clients saving at once through gunicorn with several worker processes."""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from intranet.accounts import Credentials
from intranet.records.files.customers import CustomerFiles, customer_path

from .conftest import PASSWORD, STAFF, git, make_archive
from .http_client import Browser
from .test_customers import sample

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SPAWN = multiprocessing.get_context("spawn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """gunicorn with three worker processes on a fresh archive with one customer."""
    archive = make_archive(tmp_path / "archive.git")
    # wang.li keeps the file and lists the colleagues who edit it alongside (R33).
    customer, _ = CustomerFiles(archive).create(
        sample(**{"custody.contacts": ["chen.yu", "lee.mgr"]}), "wang.li")
    archive.close()
    instance = tmp_path / "instance"
    Credentials(instance / "credentials.json").set_many([m["username"] for m in STAFF],
                                                        PASSWORD)
    port = _free_port()
    env = {**os.environ, "ARCHIVE_REPO": str(tmp_path / "archive.git"),
           "INTRANET_INSTANCE_PATH": str(instance), "INTRANET_SECRET_KEY": "http-test"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "3", "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "intranet:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(proc.stderr.read().decode())
            time.sleep(0.05)
    else:
        pytest.fail("gunicorn did not start")
    yield base, tmp_path / "archive.git", customer
    proc.terminate()
    proc.wait(30)


def edit_repeatedly(base: str, username: str, customer: str, field: str, values: list[str],
                    queue) -> None:
    """Sign in and save one field several times through the edit form."""
    browser = Browser(base)
    browser.sign_in(username, PASSWORD)
    for value in values:
        fields = browser.form(f"/customers/{customer}/edit", f"/customers/{customer}/edit")
        fields[field] = value
        fields["save"] = "1"
        status, _page, _ = browser.request(f"/customers/{customer}/edit", fields)
        queue.put((username, value, status))


def test_clients_saving_different_fields_through_three_workers(server):
    base, repo, customer = server
    plan = [("wang.li", "basic.fax", [f"02-1000-{i:04d}" for i in range(8)]),
            ("chen.yu", "basic.email", [f"c{i}@example.com" for i in range(8)]),
            ("lee.mgr", "transactions.future_plans", [f"計畫 {i}" for i in range(8)])]
    queue = SPAWN.Queue()
    procs = [SPAWN.Process(target=edit_repeatedly,
                           args=(base, who, customer, field, values, queue))
             for who, field, values in plan]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(180)
        assert proc.exitcode == 0
    results = [queue.get() for _ in range(24)]
    assert all(status == 302 for _, _, status in results), results
    raw = git(repo, "show", f"HEAD:{customer_path(customer)}")
    assert "fax: 02-1000-0007\n" in raw
    assert "email: c7@example.com\n" in raw
    assert "future_plans: 計畫 7\n" in raw
    touching = git(repo, "rev-list", "HEAD", "--", customer_path(customer)).split()
    assert len(touching) == 1 + 24
    authors = git(repo, "log", "--format=%an", "-24", "--", customer_path(customer)).split()
    assert sorted(set(authors)) == sorted({"王立", "陳宇", "李經理"})


def test_the_same_field_from_two_clients_is_a_409_not_a_lost_update(server):
    base, repo, customer = server
    first, second = Browser(base), Browser(base)
    first.sign_in("wang.li", PASSWORD)
    second.sign_in("chen.yu", PASSWORD)
    mine = first.form(f"/customers/{customer}/edit", f"/customers/{customer}/edit")
    theirs = second.form(f"/customers/{customer}/edit", f"/customers/{customer}/edit")
    theirs.update({"basic.phone": "02-1111-2222", "save": "1"})
    assert second.request(f"/customers/{customer}/edit", theirs)[0] == 302
    mine.update({"basic.phone": "02-3333-4444", "basic.fax": "02-5555-6666", "save": "1"})
    status, page, _ = first.request(f"/customers/{customer}/edit", mine)
    assert status == 409
    assert "02-1111-2222" in page and "02-3333-4444" in page
    raw = git(repo, "show", f"HEAD:{customer_path(customer)}")
    assert "phone: 02-1111-2222\n" in raw and "02-5555-6666" not in raw
