"""The operators' commands, run through Flask's CLI runner on a real archive."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from intranet import config, create_app
from intranet.archive.repository import Change
from intranet.records.files.customers import customer_path

from .conftest import SYSTEM, app_in, git, make_archive


def test_init_is_idempotent(runner, svc):
    head = svc.archive.head()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "Archive ready" in result.output
    assert svc.archive.head() == head
    assert set(svc.archive.snapshot().listdir()) >= {"org", "policy.yaml", "README.md"}


def test_create_user_commits_staff_and_keeps_the_hash_outside(tmp_path):
    # The product's own password hashing (scrypt), not the suite's cheap one.
    app = app_in(tmp_path, PASSWORD_HASH=config.PASSWORD_HASH)
    svc, runner = app.extensions["customer_archive"], app.test_cli_runner()
    result = runner.invoke(args=["create-user", "huang.hr", "--name", "黃人資", "--role", "hr",
                                 "--department", "hr", "--password-stdin"],
                           input="correct horse\n")
    assert result.exit_code == 0, result.output
    staff = svc.archive.read("org/staff.yaml").decode()
    assert "username: huang.hr\n" in staff and "name: 黃人資\n" in staff
    assert "role: hr\n" in staff
    assert git(svc.archive.path, "log", "-1", "--format=%s", "--", "org/staff.yaml").strip() \
        == "新增人員 huang.hr 黃人資"
    hashes = json.loads(Path(app.config["CREDENTIALS_PATH"]).read_text())
    assert config.PASSWORD_HASH == "scrypt" and hashes["huang.hr"].startswith("scrypt:")
    assert svc.credentials.check("huang.hr", "correct horse")
    # The hash is nowhere in the archive's history.
    everything = git(svc.archive.path, "log", "-p", "--all")
    assert hashes["huang.hr"] not in everything and "scrypt" not in everything
    svc.close()


def test_create_user_refuses_bad_input(runner, svc):
    head = svc.archive.head()
    cases = [
        (["create-user", "Bad Name", "--name", "x", "--role", "hr"], "pass word 1\n"),
        (["create-user", "wang.li", "--name", "x", "--role", "hr"], "pass word 1\n"),
        (["create-user", "new.one", "--name", "x", "--role", "hr"], "short\n"),
        (["create-user", "new.one", "--name", "x", "--role", "king"], "pass word 1\n"),
    ]
    for args, password in cases:
        result = runner.invoke(args=[*args, "--password-stdin"], input=password)
        assert result.exit_code != 0, args
    assert svc.archive.head() == head


def test_set_password(runner, svc):
    result = runner.invoke(args=["set-password", "wang.li", "--password-stdin"],
                           input="new secret 1\n")
    assert result.exit_code == 0, result.output
    assert svc.credentials.check("wang.li", "new secret 1")
    assert not svc.credentials.check("wang.li", "wrong")
    result = runner.invoke(args=["set-password", "ghost", "--password-stdin"], input="x" * 9)
    assert result.exit_code != 0 and "not a member of staff" in result.output


def test_verify_names_bad_files(runner, svc):
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 0 and result.output.startswith("OK")
    path = customer_path("C000007")
    svc.archive.commit(lambda snap: Change({path: b"id: C000007\ncard: [\n"}, "bad"), SYSTEM)
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 1
    assert f"BAD {path}:" in result.output


def test_reindex_and_seed_demo(runner, tmp_path):
    app = create_app({"TESTING": True, "ARCHIVE_REPO": str(tmp_path / "demo.git"),
                      "INSTANCE_PATH": str(tmp_path / "demo-instance"), "SECRET_KEY": "t"})
    svc = app.extensions["customer_archive"]
    try:
        cli = app.test_cli_runner()
        code_file = Path(app.config["SETUP_CODE_PATH"])
        assert code_file.exists()  # the empty archive got a set-up code at start
        result = cli.invoke(args=["seed-demo", "--customers", "40"])
        assert result.exit_code == 0, result.output
        assert not code_file.exists()  # the demo's staff exist: no live set-up code is left
        assert app.test_client().get("/setup").status_code != 200
        assert "40 customers" in result.output
        authors = set(git(svc.archive.path, "log", "--format=%an").split("\n")) - {""}
        assert len(authors) >= 4
        dates = set(git(svc.archive.path, "log", "--format=%ad", "--date=short").split())
        assert len(dates) > 10, "history should be spread over months"
        assert svc.credentials.check("director", "demo")
        result = cli.invoke(args=["reindex"])
        assert result.exit_code == 0 and "Indexed 40 customer files" in result.output
        assert cli.invoke(args=["verify"]).exit_code == 0
        again = cli.invoke(args=["seed-demo", "--customers", "5"])
        assert again.exit_code != 0 and "new archive" in again.output
    finally:
        svc.close()


def test_start_up_removes_locks_that_killed_writers_left(tmp_path):
    archive = make_archive(tmp_path / "archive.git")
    head = archive.head()
    archive.close()
    stale = [tmp_path / "archive.git" / "refs" / "heads" / "main.lock",
             tmp_path / "archive.git" / "packed-refs.lock"]
    for lock in stale:
        lock.write_text("0" * 40 + "\n")
        os.utime(lock, (time.time() - 60, time.time() - 60))
    app = create_app({"ARCHIVE_REPO": str(tmp_path / "archive.git"),
                      "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "t"})
    svc = app.extensions["customer_archive"]
    try:
        assert not any(lock.exists() for lock in stale)
        assert svc.archive.head() == head
    finally:
        svc.close()
