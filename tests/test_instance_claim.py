"""One archive, one instance folder: a second one is refused, or takes over when told to."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from intranet import create_app
from intranet.instance import ID_FILE, MARKER, InstanceConflict

from .conftest import git, make_archive

ROOT = Path(__file__).resolve().parent.parent


def start(repo: Path, instance: Path, **extra):
    """Start an app on ``repo`` with ``instance`` as its instance folder."""
    return create_app({"TESTING": True, "ARCHIVE_REPO": str(repo),
                       "INSTANCE_PATH": str(instance), "SECRET_KEY": "t", **extra})


def stop(app) -> None:
    app.extensions["customer_archive"].close()


def marker(repo: Path) -> dict:
    return json.loads((repo / MARKER).read_text())


def the_id(instance: Path) -> str:
    return (instance / ID_FILE).read_text().strip()


@pytest.fixture
def repo(tmp_path):
    make_archive(tmp_path / "archive.git").close()
    return tmp_path / "archive.git"


def test_the_first_start_claims_the_archive(repo, tmp_path):
    stop(start(repo, tmp_path / "one"))
    claim = marker(repo)
    assert claim["id"] == the_id(tmp_path / "one")
    assert claim["instance"] == str(tmp_path / "one")
    assert claim["host"] and claim["claimed_at"]
    # A plain file in the git directory, not a commit: the history is untouched by it.
    assert MARKER not in git(repo, "ls-tree", "-r", "--name-only", "main")


def test_the_same_instance_twice_is_fine(repo, tmp_path):
    first = start(repo, tmp_path / "one")
    second = start(repo, tmp_path / "one")  # another worker, or a CLI command of this server
    try:
        assert second.test_cli_runner().invoke(args=["audit-verify"]).exit_code == 0
    finally:
        stop(first)
        stop(second)
    assert marker(repo)["id"] == the_id(tmp_path / "one")


def test_a_second_instance_folder_is_refused_with_both_folders_named(repo, tmp_path):
    stop(start(repo, tmp_path / "one"))
    head = git(repo, "rev-parse", "main")
    with pytest.raises(InstanceConflict) as refused:
        start(repo, tmp_path / "two")
    message = str(refused.value)
    assert f"served by the instance folder {tmp_path / 'one'} on host" in message
    assert f"this process uses the instance folder {tmp_path / 'two'}" in message
    assert "INTRANET_INSTANCE_PATH=" in message and "INSTANCE_TAKEOVER = True" in message
    assert marker(repo)["id"] == the_id(tmp_path / "one")
    assert git(repo, "rev-parse", "main") == head


def test_a_cli_run_with_another_instance_folder_is_refused(repo, tmp_path):
    stop(start(repo, tmp_path / "one"))
    env = {**os.environ, "ARCHIVE_REPO": str(repo), "INTRANET_SECRET_KEY": "t"}
    same = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "audit-verify"],
                          cwd=ROOT, env={**env, "INTRANET_INSTANCE_PATH": str(tmp_path / "one")},
                          capture_output=True, text=True, check=False)
    assert same.returncode == 0, same.stderr
    other = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "audit-verify"],
                           cwd=ROOT, env={**env, "INTRANET_INSTANCE_PATH": str(tmp_path / "two")},
                           capture_output=True, text=True, check=False)
    assert other.returncode != 0
    assert "Traceback" not in other.stderr and str(tmp_path / "one") in other.stderr


def test_takeover_reclaims_and_warns(repo, tmp_path, caplog):
    stop(start(repo, tmp_path / "one"))
    with caplog.at_level(logging.WARNING, logger="intranet.instance"):
        stop(start(repo, tmp_path / "two", INSTANCE_TAKEOVER=True))
    assert marker(repo)["id"] == the_id(tmp_path / "two")
    assert "INSTANCE_TAKEOVER" in caplog.text and str(tmp_path / "one") in caplog.text
    # Now the old folder is the stranger.
    with pytest.raises(InstanceConflict):
        start(repo, tmp_path / "one")


def test_a_moved_instance_folder_keeps_its_claim(repo, tmp_path):
    stop(start(repo, tmp_path / "one"))
    shutil.move(tmp_path / "one", tmp_path / "moved")
    stop(start(repo, tmp_path / "moved"))
    assert marker(repo)["instance"] == str(tmp_path / "moved")
    assert marker(repo)["id"] == the_id(tmp_path / "moved")


def test_a_restored_archive_is_claimed_by_whoever_starts_on_it(repo, tmp_path):
    stop(start(repo, tmp_path / "one"))
    bundle = tmp_path / "backup.bundle"
    git(repo, "bundle", "create", str(bundle), "--all")
    restored = tmp_path / "restored.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(bundle), str(restored)], check=True)
    assert not (restored / MARKER).exists()  # the marker never travels in a bundle
    stop(start(restored, tmp_path / "two"))
    assert marker(restored)["id"] == the_id(tmp_path / "two")


def test_a_fresh_archive_is_claimed_at_first_start(tmp_path):
    stop(start(tmp_path / "new.git", tmp_path / "one"))
    assert marker(tmp_path / "new.git")["id"] == the_id(tmp_path / "one")


def test_a_damaged_marker_is_replaced_with_a_warning(repo, tmp_path, caplog):
    (repo / MARKER).write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="intranet.instance"):
        stop(start(repo, tmp_path / "one"))
    assert marker(repo)["id"] == the_id(tmp_path / "one")
    assert "unreadable" in caplog.text


def test_several_workers_of_one_instance_agree_on_its_id(tmp_path):
    instance = tmp_path / "one"
    apps = [start(tmp_path / "new.git", instance) for _ in range(3)]
    for app in apps:
        stop(app)
    assert marker(tmp_path / "new.git")["id"] == the_id(instance)
    assert [p.name for p in instance.iterdir() if p.name.startswith(".")] == []
