"""Several processes (not threads) writing at once, and writers killed mid-commit."""

from __future__ import annotations

import multiprocessing
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from intranet.archive.repository import Change

from . import workers
from .conftest import SYSTEM, git

pytestmark = pytest.mark.slow
SPAWN = multiprocessing.get_context("spawn")


def run_workers(target, args_list):
    queue = SPAWN.Queue()
    procs = [SPAWN.Process(target=target, args=(*args, queue)) for args in args_list]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0, f"worker failed with {proc.exitcode}"
    results = []
    while not queue.empty():
        results.append(queue.get())
    return results


def test_processes_appending_to_one_file_lose_nothing(archive):
    results = run_workers(workers.append_lines,
                          [(str(archive.path), n, 25, True) for n in range(4)])
    assert len(results) == 100
    lines = archive.read("shared.txt").decode().split()
    assert sorted(lines) == sorted(f"{w}-{i}" for w, i, _ in results)
    history = set(git(archive.path, "rev-list", "HEAD").split())
    assert {commit for _, _, commit in results} <= history
    assert archive.fsck()[0]


def test_processes_writing_different_files_lose_nothing(archive):
    results = run_workers(workers.append_lines,
                          [(str(archive.path), n, 25, False) for n in range(4)])
    assert len(results) == 100
    for worker in range(4):
        assert archive.read(f"own-{worker}.txt").decode().split() == \
            [f"{worker}-{i}" for i in range(25)]
    assert archive.fsck()[0]


def test_killed_writers_leave_the_branch_at_a_whole_commit(archive):
    root = Path(workers.__file__).parent.parent
    archive.commit(lambda snap: Change({"counter.txt": b"0\n"}, "n 0"), SYSTEM)
    accepted: list[str] = []
    rng = random.Random(4)
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "-m", "tests.workers", str(archive.path)],
                                stdout=subprocess.PIPE, text=True, cwd=root)
        # Kill it while it is committing, not while Python is still importing (which takes
        # over a second on a loaded machine): wait for its first accepted commit.
        first = proc.stdout.readline().strip()
        assert first, "the worker ended before its first commit"
        accepted.append(first)
        time.sleep(0.1 + rng.random() * 0.4)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        accepted += out.split()
        head = archive.head()
        # The branch is at a complete commit: its files agree with each other.
        counter = int(archive.read("counter.txt", head))
        assert git(archive.path, "log", "-1", "--format=%s", head).strip() == f"n {counter}"
        archive.recover(grace=0)
        assert not list(archive.path.glob("refs/heads/*.lock"))
    assert len(accepted) > 12
    history = set(git(archive.path, "rev-list", "HEAD").split())
    assert set(accepted) <= history, "a commit reported as saved is missing"
    assert archive.fsck()[0]


def _customer(archive) -> str:
    from intranet.records.files.customers import CustomerFiles

    from .test_customers import sample

    customer, _ = CustomerFiles(archive).create(sample(), "wang.li")
    return customer


def test_processes_creating_customers_get_distinct_ids(archive):
    results = run_workers(workers.create_customers,
                          [(str(archive.path), who, 15)
                           for who in ("wang.li", "chen.yu", "lee.mgr")])
    ids = [customer for customer, _ in results]
    assert len(ids) == 45 and len(set(ids)) == 45
    assert sorted(ids) == [f"C{n:06d}" for n in range(1, 46)]
    assert archive.fsck()[0]


def test_processes_editing_different_fields_of_one_file_merge(archive):
    from intranet.records.files.customers import CustomerFiles, customer_path

    customer = _customer(archive)
    plan = [("wang.li", "basic.fax", [f"02-1000-{i:04d}" for i in range(12)]),
            ("chen.yu", "basic.email", [f"c{i}@example.com" for i in range(12)]),
            ("lee.mgr", "transactions.future_plans", [f"計畫 {i}" for i in range(12)])]
    results = run_workers(workers.edit_field,
                          [(str(archive.path), customer, who, field, values)
                           for who, field, values in plan])
    assert all(outcome == "saved" for outcome, _, _ in results), results
    record = CustomerFiles(archive).load(customer).record
    assert record["basic"]["fax"] == "02-1000-0011"
    assert record["basic"]["email"] == "c11@example.com"
    assert record["transactions"]["future_plans"] == "計畫 11"
    touching = git(archive.path, "rev-list", "HEAD", "--", customer_path(customer)).split()
    assert len(touching) == 1 + 36


def test_processes_editing_the_same_field_never_lose_a_save(archive):
    from intranet.records.files.customers import CustomerFiles, customer_path

    customer = _customer(archive)
    results = run_workers(workers.edit_field,
                          [(str(archive.path), customer, who, "basic.fax",
                            [f"0{n}-2000-{i:04d}" for i in range(15)])
                           for n, who in ((2, "wang.li"), (3, "chen.yu"), (4, "lee.mgr"))])
    saved = [(value, commit) for outcome, value, commit in results if outcome == "saved"]
    refused = [(value, fields) for outcome, value, fields in results if outcome == "conflict"]
    assert len(saved) + len(refused) == 45
    assert all(fields == "basic.fax" for _, fields in refused)
    files = CustomerFiles(archive)
    # Every save reported as made is in the history with exactly the value it saved...
    for value, commit in saved:
        assert files.load(customer, commit).record["basic"]["fax"] == value
    # ...and nothing else touched the file: a refused save wrote nothing.
    touching = git(archive.path, "rev-list", "HEAD", "--", customer_path(customer)).split()
    assert len(touching) == 1 + len(saved)
    assert archive.fsck()[0]
