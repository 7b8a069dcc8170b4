"""Mirror pushes: real bare repositories as mirrors, a fake clock for the back-off."""

from __future__ import annotations

import logging
import multiprocessing
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock, Timeout
from flask import render_template

from intranet import create_app
from intranet.mirror_push import mask, push
from intranet.mirrors import JOB, Mirrors, mirror_key, parse_urls
from intranet.records.files.customers import customer_path

from .conftest import git, make_archive
from .test_customers import sample

SPAWN = multiprocessing.get_context("spawn")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def bare(path: Path) -> Path:
    """Create an empty bare repository to serve as a mirror."""
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(path)],
                   check=True)
    return path


def mirror_app(root: Path, urls: list[str] | None, **config):
    """An app on a fresh archive with the test staff, pushing to ``urls`` (None: as set)."""
    make_archive(root / "archive.git").close()
    if urls is not None:
        config["MIRRORS"] = urls
    return create_app({"TESTING": True, "SECRET_KEY": "test",
                       "ARCHIVE_REPO": str(root / "archive.git"),
                       "INSTANCE_PATH": str(root / "instance"), **config})


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_commit_queues_a_push_and_the_job_pushes_it(tmp_path):
    mirror = bare(tmp_path / "mirror.git")
    app = mirror_app(tmp_path, [str(mirror)])
    svc = app.extensions["customer_archive"]
    try:
        assert JOB in svc.jobs.names()
        assert svc.jobs.run_due([JOB]) == [JOB]  # first run: the mirror has nothing yet
        assert git(mirror, "rev-parse", "main").strip() == svc.archive.head()
        assert svc.jobs.run_due([JOB]) == []  # not due again for a minute
        customer, commit = svc.files.create(sample(), "wang.li")
        # The save only queued the push: nothing reached the mirror during it.
        assert git(mirror, "rev-parse", "main").strip() != commit
        assert svc.mirrors.status()[0].state == "behind"
        assert svc.jobs.run_due([JOB]) == [JOB]
        assert git(mirror, "rev-parse", "main").strip() == commit == svc.archive.head()
        [state] = svc.mirrors.status()
        assert (state.state, state.pushed_head, state.failures) == ("up_to_date", commit, 0)
        with app.test_request_context("/", headers={"Accept-Language": "en"}):
            page = render_template("admin/_mirrors.html", mirrors=svc.mirrors.status())
        assert str(mirror) in page and "Up to date" in page and commit[:10] in page
        clone = tmp_path / "clone"
        subprocess.run(["git", "clone", "--quiet", str(mirror), str(clone)], check=True)
        assert (clone / customer_path(customer)).read_text(encoding="utf-8") == \
            git(svc.archive.path, "show", f"HEAD:{customer_path(customer)}")
    finally:
        svc.close()


def test_no_mirror_configured_means_no_job_and_an_empty_status(app):
    svc = app.extensions["customer_archive"]
    assert JOB not in svc.jobs.names()
    assert svc.mirrors.status() == []
    assert svc.archive.commit_hooks == []
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        page = render_template("admin/_mirrors.html", mirrors=svc.mirrors.status())
    assert "No mirror is configured" in page


def test_mirrors_come_from_the_environment_as_json_or_one_url(tmp_path, monkeypatch):
    for value, expected in (('["/a.git", "/b.git"]', ["/a.git", "/b.git"]),
                            ("/mnt/nas/c.git", ["/mnt/nas/c.git"])):
        monkeypatch.setenv("INTRANET_MIRRORS", value)
        app = mirror_app(tmp_path / str(len(expected)), None)
        svc = app.extensions["customer_archive"]
        try:
            assert svc.mirrors.urls == expected and JOB in svc.jobs.names()
        finally:
            svc.close()


def test_a_failing_mirror_backs_off_doubling_capped_then_recovers(archive, tmp_path, caplog):
    blocker = tmp_path / "usb"
    blocker.write_text("not a directory")
    target = blocker / "archive.git"  # its parent is a regular file: nobody can create it
    clock = Clock()
    mirrors = Mirrors(archive.path, archive.head, [str(target)], tmp_path / "m.sqlite3",
                      retry_seconds=30, retry_max=100, clock=clock, rand=lambda: 0.0)
    caplog.set_level(logging.INFO, logger="intranet.mirrors")
    start = clock.now
    assert mirrors.run() == [str(target)]
    [state] = mirrors.status()
    assert state.state == "failing" and state.failures == 1
    assert "does not appear to be a git repository" in state.last_error
    assert state.failing_since.timestamp() == start
    delays = []
    for _ in range(4):
        due = mirrors.status()[0].next_attempt.timestamp()
        delays.append(due - clock.now)
        clock.now = due - 1
        assert mirrors.run() == []  # not before its next attempt
        clock.now = due
        assert mirrors.run() == [str(target)]
    assert delays == [30, 60, 100, 100]
    assert mirrors.status()[0].failures == 5
    assert mirrors.status()[0].failing_since.timestamp() == start
    assert "push failed (5 in a row)" in caplog.text

    blocker.unlink()
    blocker.mkdir()
    bare(target)
    clock.now = mirrors.status()[0].next_attempt.timestamp()
    assert mirrors.run() == [str(target)]
    [state] = mirrors.status()
    assert (state.state, state.failures, state.last_error) == ("up_to_date", 0, "")
    assert state.failing_since is None and state.next_attempt is None
    assert git(target, "rev-parse", "main").strip() == archive.head()
    assert "after 5 failures" in caplog.text
    assert mirrors.run() == []  # up to date: nothing to do


def test_the_jitter_only_shortens_the_delay_so_the_cap_holds(archive, tmp_path):
    mirrors = Mirrors(archive.path, archive.head, [], tmp_path / "m.sqlite3",
                      retry_seconds=30, retry_max=3600, rand=lambda: 1.0)
    assert mirrors.delay(1) == pytest.approx(27)
    assert mirrors.delay(20) == pytest.approx(3240)
    assert all(27 <= Mirrors(archive.path, archive.head, [], tmp_path / "m.sqlite3").delay(1)
               <= 30 for _ in range(20))


def test_credentials_never_appear_in_status_page_state_or_log(tmp_path, caplog):
    url = f"http://alice:s3cr3t-t0ken@127.0.0.1:{closed_port()}/office/archive.git"
    app = mirror_app(tmp_path, [url])
    svc = app.extensions["customer_archive"]
    caplog.set_level(logging.DEBUG)
    try:
        assert svc.jobs.run_due([JOB]) == [JOB]
        [state] = svc.mirrors.status()
        assert state.state == "failing"
        assert state.url == f"http://***@127.0.0.1:{url.rsplit(':', 1)[1]}"
        assert state.last_error  # git's reason, e.g. "Failed to connect"
        with app.test_request_context("/", headers={"Accept-Language": "en"}):
            page = render_template("admin/_mirrors.html", mirrors=svc.mirrors.status())
        assert "http://***@127.0.0.1" in page and "Failing" in page
        stored = Path(app.config["MIRRORS_DB"]).read_bytes()
        for text in (page, caplog.text, repr(state), stored.decode(errors="replace")):
            assert "s3cr3t" not in text and "alice" not in text
        assert "style=" not in page and "<script" not in page  # CSP: nothing inline
    finally:
        svc.close()


def test_mask_hides_user_info_in_urls_and_messages():
    url = "https://bob:p%40ss@git.example/r.git"
    assert mask(url) == "https://***@git.example/r.git"
    assert mask("fatal: unable to access 'https://bob:p%40ss@git.example/r.git/': 403",
                [url]) == "fatal: unable to access 'https://***@git.example/r.git/': 403"
    assert mask("password p@ss rejected", [url]) == "password *** rejected"
    assert mask("ssh://git@host:2222/r.git") == "ssh://***@host:2222/r.git"
    assert mask("fatal: 'r.git' not found", ["ssh://git@host/r.git"]) == "fatal: 'r.git' not found"
    token = "https://ghp_0123456789abcdef@git.example/r.git"
    assert mask("token ghp_0123456789abcdef refused", [token]) == "token *** refused"
    assert mask("/mnt/nas/archive.git") == "/mnt/nas/archive.git"
    assert parse_urls('["/a.git", " https://h/b.git "]') == ["/a.git", "https://h/b.git"]
    assert parse_urls("/a.git") == ["/a.git"] and parse_urls(None) == []
    assert mirror_key(url) != mirror_key(url + "x") and "bob" not in mirror_key(url)


def test_a_hanging_mirror_never_holds_up_a_save(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    url = f"git://127.0.0.1:{server.getsockname()[1]}/archive.git"
    app = mirror_app(tmp_path, [url], MIRROR_TIMEOUT=600)
    svc = app.extensions["customer_archive"]
    events: list[str] = []

    def job_thread() -> None:
        svc.jobs.run_due([JOB])
        events.append("push ended")

    worker = threading.Thread(target=job_thread)
    try:
        worker.start()
        server.settimeout(30)
        conn, _ = server.accept()  # git is connected and waits for an answer that never comes
        _customer, commit = svc.files.create(sample(), "wang.li")
        events.append("saved")
        assert svc.archive.head() == commit
        assert worker.is_alive() and events == ["saved"]
        lock = FileLock(str(Path(app.config["MIRRORS_DB"]).parent
                            / f"mirror-{mirror_key(url)}.lock"), thread_local=False)
        with pytest.raises(Timeout):
            lock.acquire(timeout=0)  # the jobs thread still holds the mirror
        assert svc.mirrors.status()[0].last_attempt is None
        assert svc.jobs._jobs[JOB].due == 0  # the save queued another push
        conn.close()  # the server gives up: git fails and the job records it
        worker.join(30)
        assert events == ["saved", "push ended"]
        assert svc.mirrors.status()[0].state == "failing"
    finally:
        server.close()
        worker.join(30)
        svc.close()


def test_a_push_that_hangs_is_killed_by_the_timeout(archive, tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        url = f"git://127.0.0.1:{server.getsockname()[1]}/archive.git"
        clock = Clock()
        mirrors = Mirrors(archive.path, archive.head, [url], tmp_path / "m.sqlite3",
                          timeout=1, clock=clock, rand=lambda: 0.0)
        assert mirrors.run() == [url]
    [state] = mirrors.status()
    assert (state.state, state.last_error) == ("failing", "timed out after 1 s")
    assert push(archive.path, str(tmp_path / "missing.git"), 30).ok is False


def _run_mirrors(git_dir: str, urls: list[str], db: str, queue) -> None:
    from intranet.archive.repository import Archive

    archive = Archive(git_dir)
    queue.put(Mirrors(git_dir, archive.head, urls, db).run())


def test_two_processes_running_the_job_push_once(archive, tmp_path):
    mirror = bare(tmp_path / "mirror.git")
    started, release, count = tmp_path / "started", tmp_path / "release", tmp_path / "count"
    hook = mirror / "hooks" / "pre-receive"
    # The mirror holds the first push until the test releases it.
    hook.write_text(f"#!/bin/sh\necho push >> '{count}'\ntouch '{started}'\n"
                    f"i=0; while [ ! -e '{release}' ] && [ $i -lt 600 ]; do sleep 0.05; "
                    "i=$((i+1)); done\ncat >/dev/null\n")
    hook.chmod(0o755)
    args = (str(archive.path), [str(mirror)], str(tmp_path / "m.sqlite3"))
    queue = SPAWN.Queue()
    first = SPAWN.Process(target=_run_mirrors, args=(*args, queue))
    first.start()
    try:
        for _ in range(600):
            if started.exists() or not first.is_alive():
                break
            time.sleep(0.05)
        assert started.exists()
        second = SPAWN.Process(target=_run_mirrors, args=(*args, queue))
        second.start()
        second.join(60)
        assert queue.get(timeout=5) == []  # the first process holds the mirror's lock
    finally:
        release.touch()
        first.join(60)
    assert queue.get(timeout=5) == [str(mirror)]
    assert count.read_text().splitlines() == ["push"]
    assert git(mirror, "rev-parse", "main").strip() == archive.head()
    third = SPAWN.Process(target=_run_mirrors, args=(*args, queue))
    third.start()
    third.join(60)
    assert queue.get(timeout=5) == []  # up to date
