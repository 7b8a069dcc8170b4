"""The archive layer on real bare repositories: commits, reads, history, locks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from intranet.archive.errors import NotFound
from intranet.archive.objects import Identity
from intranet.archive.repository import Archive, Change

from .conftest import SYSTEM, git

ME = Identity("王立", "wang.li@example.com")


def put(archive: Archive, files: dict[str, bytes | None], message: str = "test") -> str:
    return archive.commit(lambda snap: Change(files, message), ME)


def test_commit_is_attributed_and_readable_with_plain_git(tmp_path):
    archive = Archive(tmp_path / "a.git", committer=SYSTEM)
    archive.create()
    when = datetime(2026, 3, 4, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    commit = archive.commit(
        lambda snap: Change({"customers/0000/C000001.yaml": "名稱: 東方\n".encode()},
                            "新增 C000001 東方\n\nCustomer: C000001\nAction: create\n"),
        ME, when=when)
    fmt = ("%an|%ae|%cn|%ce|%aI|%s|%(trailers:key=Customer,valueonly,separator=)"
           "|%(trailers:key=Action,valueonly,separator=)")
    out = git(archive.path, "log", "-1", f"--format={fmt}", commit).strip()
    assert out == ("王立|wang.li@example.com|客戶檔案系統|archive@intranet.invalid|"
                   "2026-03-04T09:30:00+08:00|新增 C000001 東方|C000001|create")
    assert git(archive.path, "show", "HEAD:customers/0000/C000001.yaml") == "名稱: 東方\n"
    assert git(archive.path, "rev-parse", "refs/heads/main").strip() == commit
    assert archive.fsck()[0]
    archive.close()


def test_one_commit_holds_every_file_of_a_change(archive):
    before = archive.head()
    commit = put(archive, {"a/x.yaml": b"1\n", "b/c/y.yaml": b"2\n"})
    changed = git(archive.path, "diff-tree", "-r", "--name-only", "--no-commit-id", commit)
    assert changed.split() == ["a/x.yaml", "b/c/y.yaml"]
    assert git(archive.path, "rev-parse", f"{commit}^").strip() == before


def test_read_at_any_commit_and_missing_files(archive):
    first = put(archive, {"f.txt": b"one\n"})
    put(archive, {"f.txt": b"two\n"})
    assert archive.read("f.txt") == b"two\n"
    assert archive.read("f.txt", first) == b"one\n"
    assert archive.read("f.txt", first[:8]) == b"one\n"
    with pytest.raises(NotFound):
        archive.read("nope.txt")
    for bad in ("--all", "HEAD~1", "zzzz", "0" * 40, "f.txt"):
        with pytest.raises(NotFound):
            archive.read("f.txt", bad)


def test_removing_the_last_file_removes_its_folders(archive):
    put(archive, {"deep/er/f.txt": b"x\n"})
    put(archive, {"deep/er/f.txt": None})
    assert archive.snapshot().listdir("deep") == []
    assert "deep" not in archive.snapshot().listdir()
    assert archive.fsck()[0]


def test_unsafe_paths_are_refused(archive):
    for path in ("../x", "a/../../x", ".git/config", "/abs"):
        with pytest.raises(ValueError):
            put(archive, {path: b"x"})


def test_log_lists_versions_of_one_path(archive):
    put(archive, {"f.txt": b"1\n"}, "first")
    put(archive, {"g.txt": b"1\n"}, "other file")
    put(archive, {"f.txt": b"2\n"}, "second\n\nAction: update")
    versions = archive.log("f.txt")
    assert [v.subject for v in versions] == ["second", "first"]
    assert versions[0].action == "update"
    assert versions[0].author_name == "王立"


def test_a_build_that_changes_nothing_makes_no_commit(archive):
    put(archive, {"f.txt": b"1\n"})
    head = archive.head()
    assert archive.commit(lambda snap: None, ME) == head
    assert put(archive, {"f.txt": b"1\n"}) == head
    assert archive.head() == head


def test_a_stale_ref_lock_is_recovered(archive):
    put(archive, {"f.txt": b"1\n"})
    lock = archive.path / "refs" / "heads" / "main.lock"
    lock.write_text("0" * 40 + "\n")
    old = time.time() - 60
    os.utime(lock, (old, old))
    commit = put(archive, {"f.txt": b"2\n"})
    assert archive.head() == commit
    assert not lock.exists()


def test_a_lock_held_by_a_live_process_is_left_alone(archive):
    lock = archive.path / "packed-refs.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import time; f = open({str(lock)!r}, 'w'); print('ready', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        old = time.time() - 60
        os.utime(lock, (old, old))
        assert archive.recover(grace=0) == []
        assert lock.exists()
    finally:
        holder.kill()
        holder.wait()
    assert archive.recover(grace=0) == [lock]
    assert not lock.exists()


def _cat_file_processes(repo) -> list[int]:
    """Return live ``git cat-file`` children of this process working in ``repo``."""
    found = []
    for proc in os.listdir("/proc"):
        if not proc.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{proc}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
            cwd = os.readlink(f"/proc/{proc}/cwd")
        except OSError:
            continue
        state, parent = stat[0], int(stat[1])
        if parent == os.getpid() and b"cat-file" in cmdline and state != "Z" \
                and cwd == str(repo):
            found.append(int(proc))
    return found


def test_close_ends_git_helper_processes(archive):
    put(archive, {"f.txt": b"1\n"})
    archive.read("f.txt")
    assert _cat_file_processes(archive.path)
    archive.close()
    for _ in range(100):
        if not _cat_file_processes(archive.path):
            break
        time.sleep(0.02)
    else:
        pytest.fail("git cat-file processes still running after close()")
