"""The archive remembers its own commits exactly as `git log` would report them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from intranet.archive.objects import Identity
from intranet.archive.recent import subject_and_trailers
from intranet.archive.repository import Archive, Change
from intranet.index import Index

from .conftest import git

TZ = timezone(timedelta(hours=8))
ODD = Identity("  王 <立>\n", "wang<li>@example.com")

MESSAGES = [
    "新增 C000001 東方\n\nCustomer: C000001\nAction: create\n",
    "更新 C000001 東方：備註\n\nCustomer: C000001\nAction: update\nSource: visit\n",
    "交接 C000001\n\n原因很長的說明\n第二行\n\nCustomer: C000001\nAction: custody\n"
    "Reason: 離職交接，客戶同意\n",
    "only a subject",
    "subject over\ntwo lines\n\nAction: create\n",
    "subject\n\nAction: a\naction: b\n",  # a key twice: git joins them; we ask git
    "subject\n\nnot a trailer line\nAction: x\n",  # a mixed last paragraph: ask git
    "subject\n\n---\nAction: x\n",
    "subject with trailing space   \n\nSource: import 客戶.xlsx\nRows: 12\n",
    "subject\n\nReason: 全形空白結尾\u3000\n",
    "Action: create\n",  # the title is never a trailer
]


def _version_fields(version):
    return (version.commit, version.author_name, version.author_email,
            version.authored_at.isoformat(), version.subject, version.action, version.paths,
            version.source, version.reason)


@pytest.mark.parametrize("message", MESSAGES)
def test_remembered_commits_match_git_log(tmp_path, message):
    archive = Archive(tmp_path / "a.git")
    archive.create()
    first = archive.commit(lambda s: Change({"a/x.yaml": b"1\n", "keep.txt": b"k\n"}, "init"),
                           ODD, when=datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=TZ))
    commits = [first]
    changes = [
        {"a/x.yaml": b"2\n", "b/c/y.yaml": b"new\n", "b.txt": b"x\n"},  # M, A, A (order)
        {"a/x.yaml": None, "b/c/y.yaml": b"new\n", "b/c/z.yaml": b"z\n"},  # D, same, A
        {"a/gone.yaml": None, "keep.txt": b"k2\n"},  # deleting a missing file shows nothing
    ]
    whens = [datetime(2026, 6, 1, 12, 0, 0, 999999, tzinfo=timezone(timedelta(hours=-5))),
             datetime(2026, 6, 2, 12, 0, 0), None]
    for files, when in zip(changes, whens, strict=True):
        commits.append(archive.commit(lambda s, f=files: Change(f, message), ODD, when=when))
    remembered = archive._recent.chain(first, commits[-1])
    from_git = archive.log(since=first, until=commits[-1], with_paths=True)
    simple = subject_and_trailers(message) is not None
    if simple:
        assert remembered is not None
        assert [_version_fields(v) for v in remembered] == [_version_fields(v)
                                                            for v in from_git]
    else:
        assert remembered is None
    # Whatever was remembered, walking and ancestry answer as git does.
    assert [_version_fields(v) for v in archive.walk(first, commits[-1])] == [
        _version_fields(v) for v in reversed(from_git)]
    assert archive.is_ancestor(first, commits[-1])
    assert not archive.is_ancestor(commits[-1], first)
    archive.close()


def test_commits_of_another_process_are_read_from_git(tmp_path):
    archive = Archive(tmp_path / "a.git")
    archive.create()
    other = Archive(tmp_path / "a.git")
    first = archive.commit(lambda s: Change({"f.txt": b"1\n"}, "one\n\nAction: create\n"), ODD)
    second = other.commit(lambda s: Change({"f.txt": b"2\n"}, "two\n\nAction: update\n"), ODD)
    third = archive.commit(lambda s: Change({"f.txt": b"3\n"}, "three\n\nAction: update\n"),
                           ODD)
    assert archive._recent.chain(first, third) is None  # the middle one is not ours
    assert [v.subject for v in archive.walk(first, third)] == ["two", "three"]
    assert archive.is_ancestor(first, third) and archive.is_ancestor(second, third)
    archive.close()
    other.close()


def test_the_index_follows_its_own_saves_without_git_log(tmp_path, monkeypatch):
    archive = Archive(tmp_path / "a.git")
    archive.create()
    index = Index(tmp_path / "index.sqlite3", archive)
    archive.commit(lambda s: Change({"notes.txt": b"1\n"}, "start\n\nAction: init\n"), ODD)
    index.catch_up()
    asked: list[tuple] = []
    real_git = archive._git
    monkeypatch.setattr(archive, "_git", lambda *a, **k: asked.append(a) or real_git(*a, **k))
    head = archive.commit(lambda s: Change({"notes.txt": b"2\n"}, "next\n\nAction: x\n"), ODD)
    assert index.catch_up() == head
    assert [a[0] for a in asked] == ["update-ref"]  # no merge-base, no log
    assert git(archive.path, "rev-parse", "main").strip() == head
    index.close()
    archive.close()
