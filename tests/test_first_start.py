"""Several processes starting together on an empty directory create the archive once."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from intranet import create_app
from intranet.config import write_new
from intranet.records.rulebook.rules import STAFF_PATH

from .conftest import git

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SPAWN = multiprocessing.get_context("spawn")
WORKERS = 7
ROUNDS = 3


def _config(root: Path) -> dict:
    return {"ARCHIVE_REPO": str(root / "archive.git"), "INSTANCE_PATH": str(root / "instance"),
            "ARCHIVE_DURABLE": False}


def start_in_rounds(roots: list[str], barrier, results) -> None:
    """Start the app on each root in turn, all processes released together by the barrier."""
    for root in roots:
        barrier.wait(120)
        try:
            app = create_app(_config(Path(root)))
            svc = app.extensions["customer_archive"]
            head = svc.index.catch_up()  # the index schema is made by every process at once
            results.put((root, "ok", app.config["SECRET_KEY"], head))
            svc.close()
        except Exception as exc:  # noqa: BLE001  (reported to the test, which fails on it)
            results.put((root, f"{type(exc).__name__}: {exc}", "", ""))


def test_seven_processes_starting_on_empty_directories_create_each_archive_once(tmp_path):
    roots = [str(tmp_path / f"round{n}") for n in range(ROUNDS)]
    barrier, results = SPAWN.Barrier(WORKERS), SPAWN.Queue()
    procs = [SPAWN.Process(target=start_in_rounds, args=(roots, barrier, results))
             for _ in range(WORKERS)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=300) for _ in range(WORKERS * ROUNDS)]
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    assert [o for o in outcomes if o[1] != "ok"] == []
    for root in roots:
        mine = [o for o in outcomes if o[0] == root]
        repo = Path(root) / "archive.git"
        # Exactly one initial commit, with the policy and an empty staff list.
        assert git(repo, "rev-list", "--count", "main").strip() == "1"
        assert "Action: init" in git(repo, "log", "-1", "--format=%B")
        assert git(repo, "show", f"main:{STAFF_PATH}").strip() == "staff: []"
        assert git(repo, "config", "core.logAllRefUpdates").strip() == "always"
        # Every process agrees on the one key and the one head; nothing half made is left.
        key = (Path(root) / "instance" / "secret_key").read_text().strip()
        assert {o[2] for o in mine} == {key}
        assert {o[3] for o in mine} == {git(repo, "rev-parse", "main").strip()}
        assert sorted(p.name for p in Path(root).iterdir()) == [
            "archive.git", "archive.git.init.lock", "instance"]
        assert not [p for p in (Path(root) / "instance").iterdir() if p.name.startswith(".")]
        # A sane index, and one set-up code (its hash) issued.
        app = create_app(_config(Path(root)))
        svc = app.extensions["customer_archive"]
        assert svc.index.catch_up() == git(repo, "rev-parse", "main").strip()
        assert svc.index.db.connect().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        svc.close()
        assert (Path(root) / "instance" / "setup-code").read_text().startswith("scrypt:")


def test_a_creator_that_died_half_way_leaves_nothing_that_stops_the_next_start(tmp_path):
    # What a process killed inside `git init` leaves: a temporary folder beside the archive.
    dead = tmp_path / ".archive.git.creating-999999-0badf00d"
    (dead / "objects").mkdir(parents=True)
    (dead / "HEAD").write_text("ref: refs/heads/main\n")
    app = create_app(_config(tmp_path))
    app.extensions["customer_archive"].close()
    assert not dead.exists()
    assert git(tmp_path / "archive.git", "rev-list", "--count", "main").strip() == "1"


def test_an_empty_folder_made_beforehand_becomes_the_archive(tmp_path):
    (tmp_path / "archive.git").mkdir()
    app = create_app(_config(tmp_path))
    app.extensions["customer_archive"].close()
    assert git(tmp_path / "archive.git", "rev-list", "--count", "main").strip() == "1"


def test_write_new_makes_a_file_once_and_never_shows_it_empty(tmp_path):
    target = tmp_path / "secret"
    assert write_new(target, "first\n") is True
    assert write_new(target, "second\n") is False
    assert target.read_text() == "first\n"
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_with_four_workers_on_an_empty_directory(tmp_path):
    port = _free_port()
    env = {**os.environ, "ARCHIVE_REPO": str(tmp_path / "archive.git"),
           "INTRANET_INSTANCE_PATH": str(tmp_path / "instance"),
           "INTRANET_ARCHIVE_DURABLE": "false"}
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}",
             "--timeout", "60", "intranet:create_app()"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        answered = None
        # Wait until every worker has finished create_app (each one says the archive has no
        # staff yet) and the server answers; gunicorn itself exits when a worker fails to boot.
        while proc.poll() is None:
            text = log.read_text(errors="replace")
            if text.count("The archive has no staff yet") == 4:
                try:
                    answered = urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/healthz", timeout=5).read()
                    break
                except OSError:
                    pass
            time.sleep(0.05)
        text = log.read_text(errors="replace")
        assert proc.poll() is None, text
        assert json.loads(answered) == {"status": "ok"}, text
        assert len(set(re.findall(r"Booting worker with pid: (\d+)", text))) == 4, text
        assert "Traceback" not in text and "Worker failed to boot" not in text, text
        # One of them issued the set-up code, the others pointed to it.
        assert text.count("enter the set-up code") == 1, text
        assert git(tmp_path / "archive.git", "rev-list", "--count", "main").strip() == "1"
    finally:
        proc.terminate()
        proc.wait(30)
