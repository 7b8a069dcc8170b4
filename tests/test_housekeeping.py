"""Housekeeping: git gc plus a commit-graph with changed-path Bloom filters, once per interval
across every process."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess

from filelock import FileLock

from intranet import create_app
from intranet.archive import housekeeping
from intranet.archive.housekeeping import has_bloom_filters, housekeep_if_due, last_run
from intranet.archive.repository import Archive, Change

from .conftest import SYSTEM, git, make_archive

DAY = 86400.0


def _commits(archive: Archive, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        path = f"customers/0000/C{i % 7:06d}.yaml"
        archive.commit(lambda s, i=i, p=path: Change({p: f"v: {i}\n".encode()}, f"c {i}"),
                       SYSTEM)


def _bloom(git_dir, path: str, tmp_path) -> tuple[int, int]:
    """Return how many commits `git log -- path` looked up in the commit-graph's Bloom
    filters and how many of those had none (git's own trace2 statistics)."""
    trace = tmp_path / "trace.json"
    trace.unlink(missing_ok=True)
    env = {**os.environ, "GIT_TRACE2_EVENT": str(trace)}
    subprocess.run(["git", "--git-dir", str(git_dir), "log", "--format=%H", "main", "--",
                    path], env=env, check=True, capture_output=True)
    for line in trace.read_text().splitlines():
        event = json.loads(line)
        if event.get("category") == "bloom" and event.get("key") == "statistics":
            value = event["value"]
            value = value if isinstance(value, dict) else json.loads(value)
            return (value["maybe"] + value["definitely_not"] + value["filter_not_present"],
                    value["filter_not_present"])
    return (0, -1)


def test_housekeeping_packs_and_writes_bloom_filters_that_later_gc_keeps(archive, tmp_path):
    _commits(archive, 20)
    assert not has_bloom_filters(archive.path)
    steps = archive.housekeep()
    assert set(steps) == {"gc", "commit-graph"}
    assert has_bloom_filters(archive.path)
    git(archive.path, "commit-graph", "verify")
    assert not list((archive.path / "objects").glob("??/*"))  # everything packed
    # New commits, then git's own gc (what the app's `gc --auto` every 500 commits runs):
    # the rewritten graph still holds Bloom filters, now for the new commits too.
    path = "customers/0000/C000003.yaml"
    # Every commit but the root (compared with nothing, no filter needed).
    count = int(git(archive.path, "rev-list", "--count", "main")) - 1
    assert _bloom(archive.path, path, tmp_path) == (count, 0)
    _commits(archive, 10, start=20)
    assert _bloom(archive.path, path, tmp_path) == (count, 0)  # the new ones: not in the graph
    git(archive.path, "gc", "--quiet")
    assert has_bloom_filters(archive.path)
    git(archive.path, "commit-graph", "verify")
    # Every commit git log walked had a filter, the new ones too.
    assert _bloom(archive.path, path, tmp_path) == (count + 10, 0)
    # git log -- path gives the same answer with the filters as without them.
    with_bloom = git(archive.path, "log", "--format=%H", "--", path)
    without = git(archive.path, "-c", "core.commitGraph=false", "log", "--format=%H", "--",
                  path)
    assert with_bloom == without and len(with_bloom.split()) == 4


def test_it_runs_once_per_interval(archive):
    clock = [1_000_000.0]
    _commits(archive, 3)
    assert housekeep_if_due(archive.path, DAY, lambda: clock[0]) is not None
    assert last_run(archive.path)["at"] == clock[0]
    clock[0] += DAY - 1
    assert housekeep_if_due(archive.path, DAY, lambda: clock[0]) is None
    clock[0] += 1
    assert housekeep_if_due(archive.path, DAY, lambda: clock[0]) is not None
    assert last_run(archive.path)["at"] == clock[0]


def _race(path: str, start, results) -> None:
    start.wait(10)
    results.put(housekeep_if_due(housekeeping.Path(path), DAY) is not None)


def test_two_processes_racing_housekeep_once(archive):
    _commits(archive, 5)
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    procs = [context.Process(target=_race, args=(str(archive.path), start, results))
             for _ in range(2)]
    for proc in procs:
        proc.start()
    start.set()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    assert sorted(results.get(timeout=5) for _ in procs) == [False, True]
    assert has_bloom_filters(archive.path)


def _hold(path: str, holding, release) -> None:
    with FileLock(path, thread_local=False):
        holding.set()
        release.wait(30)


def test_a_run_in_another_process_is_not_waited_for(archive):
    context = multiprocessing.get_context("fork")
    holding, release = context.Event(), context.Event()
    proc = context.Process(target=_hold, args=(str(archive.path / housekeeping.LOCK),
                                               holding, release))
    proc.start()
    try:
        assert holding.wait(30)
        assert housekeep_if_due(archive.path, DAY) is None
        assert last_run(archive.path) is None
    finally:
        release.set()
        proc.join(30)
    assert housekeep_if_due(archive.path, DAY) is not None


def test_the_app_registers_a_daily_job_and_a_command(tmp_path):
    make_archive(tmp_path / "archive.git").close()
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "ARCHIVE_REPO": str(tmp_path / "archive.git"),
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    svc = app.extensions["customer_archive"]
    assert "housekeeping" in svc.jobs.names()
    clock = [2_000_000.0]
    assert svc.housekeep_if_due(lambda: clock[0]) is not None
    assert svc.housekeep_if_due(lambda: clock[0] + 3600) is None
    assert has_bloom_filters(svc.archive.path)
    result = app.test_cli_runner().invoke(args=["housekeep"])
    assert result.exit_code == 0 and "Housekeeping done" in result.output
    assert last_run(svc.archive.path)["at"] > clock[0]  # the command records its run too
    svc.close()
    off = create_app({"TESTING": True, "SECRET_KEY": "test", "HOUSEKEEPING_INTERVAL": 0,
                      "ARCHIVE_REPO": str(tmp_path / "archive.git"),
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    assert "housekeeping" not in off.extensions["customer_archive"].jobs.names()
    off.extensions["customer_archive"].close()


def test_every_few_hundred_commits_the_new_ones_join_the_graph_with_filters(archive, tmp_path):
    _commits(archive, 3)
    archive.housekeep()
    archive.pack_every = 4  # 500 in the app
    _commits(archive, 1, start=3)  # the fixture's commits passed 4 already: a round starts
    first = archive.packing
    assert first is not None
    first.join(120)
    _commits(archive, 3, start=4)
    assert archive.packing is first  # three more: not yet
    _commits(archive, 1, start=7)
    assert archive.packing is not first
    archive.packing.join(120)
    count = int(git(archive.path, "rev-list", "--count", "main")) - 1
    assert _bloom(archive.path, "customers/0000/C000003.yaml", tmp_path) == (count, 0)
    git(archive.path, "commit-graph", "verify")
