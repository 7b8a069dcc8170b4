"""The index serves readers while a policy change or the old versions' R19 facts are redone."""

from __future__ import annotations

import copy
import sqlite3
import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from intranet.index import Index, Query, history
from intranet.index import discipline as listing
from intranet.records.files.customers import CustomerFiles
from intranet.records.files.schema import new_record
from intranet.records.rulebook.organisation import save_policy
from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy

from .conftest import SYSTEM

TAIPEI = ZoneInfo("Asia/Taipei")

TABLES = [("customers", "num"), ("versions", "customer, seq"),
          ("late_contacts", "customer, position"), ("important", "customer"),
          ("contact_log", "customer, position"), ("handover_steps", "customer, position"),
          ("keys", "kind, key, customer"), ("sales", "customer, year, product"),
          ("credit", "customer"), ("search", "rowid")]


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=TAIPEI)


def record(name: str, **overrides) -> dict:
    values = {"basic.name": name, "basic.phone": "02-2531-7099", "basic.address": "台北市",
              "classification.region": "北區", "custody.owner": "wang.li",
              "custody.department": "sales", **overrides}
    return new_record("distributor", **values)


@pytest.fixture
def files(archive):
    """Files with several versions each, some incomplete for months (R19 stretches)."""
    files = CustomerFiles(archive)
    for n, name in enumerate(["東方貿易", "西湖食品", "南方電子", "北極星物流"]):
        customer, _ = files.create(record(name), "wang.li", when=at(f"2026-01-0{n + 1}"))
        files.amend(customer, lambda r, _s: {**r, "notes": "一"}, "wang.li",
                    when=at("2026-02-10"))
        if n % 2:
            files.amend(customer, lambda r, _s: {
                **r, "basic": {**r["basic"], "legal_representative": "王大明"}},
                "wang.li", when=at("2026-04-01"))
    return files


def tables(index: Index) -> dict[str, list[tuple]]:
    """Return every derived table, row by row, in a stable order."""
    conn = index.db.connect()
    found = {table: [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY {key}")]
             for table, key in TABLES}
    found["search"] = [(*tuple(r), rowid) for r, (rowid,) in zip(
        found["search"], conn.execute("SELECT rowid FROM search ORDER BY rowid"), strict=True)]
    return found


def full_build(archive, path) -> dict[str, list[tuple]]:
    index = Index(path, archive)
    try:
        index.rebuild()
        assert history.pending(index.db) is None
        return tables(index)
    finally:
        index.close()


def new_policy(archive) -> None:
    data = copy.deepcopy(DEFAULT_POLICY)
    data["completeness"]["distributor"] = ["basic.name", "basic.fax", "basic.address",
                                           "basic.legal_representative"]
    data["deadlines"]["contact_record_days"] = 5
    save_policy(archive, Policy(data).dump().decode(), SYSTEM)


def test_the_head_first_then_the_old_versions_give_the_full_build(files, archive, tmp_path):
    index = Index(tmp_path / "later.sqlite3", archive)
    try:
        head = index.rebuild(history=False)
        assert history.pending(index.db) == head
        conn = index.db.connect()
        # The head rows answer at once; the old versions are still to be judged.
        assert index.find(Query()).total == 4
        assert conn.execute("SELECT count(*) FROM versions WHERE completeness IS NULL"
                            ).fetchone()[0] == 6
        assert history.complete(index.db, archive)
        assert history.pending(index.db) is None
        assert tables(index) == full_build(archive, tmp_path / "full.sqlite3")
        assert not history.complete(index.db, archive)  # nothing left: nothing done
    finally:
        index.close()


def test_a_neglect_page_waits_for_the_old_versions_after_a_cold_build(files, archive, tmp_path):
    index = Index(tmp_path / "later.sqlite3", archive)
    full = Index(tmp_path / "full.sqlite3", archive)
    try:
        index.rebuild(history=False)
        runs = listing.neglect_runs(index, date(2026, 6, 1), 30)
        assert runs and runs == listing.neglect_runs(full, date(2026, 6, 1), 30)
        assert history.pending(index.db) is None
    finally:
        index.close()
        full.close()


def test_saves_while_the_old_versions_wait_still_give_the_full_build(files, archive, tmp_path):
    index = Index(tmp_path / "later.sqlite3", archive)
    try:
        index.rebuild(history=False)
        files.amend("C000001", lambda r, _s: {**r, "notes": "二"}, "wang.li",
                    when=at("2026-05-01"))
        index.defer = lambda: None
        index.catch_up()
        assert history.pending(index.db) is not None
        index.background_pass()
        assert history.pending(index.db) is None
        assert tables(index) == full_build(archive, tmp_path / "full.sqlite3")
    finally:
        index.close()


def test_a_reader_is_answered_from_the_old_rows_during_a_policy_change(files, archive,
                                                                       tmp_path):
    index = Index(tmp_path / "index.sqlite3", archive)
    try:
        index.rebuild()
        before = index.get("C000001")
        old_commit = index.db.meta("commit")
        asked = []
        index.defer = lambda: asked.append(True)
        new_policy(archive)
        # The re-read is handed to the background job; the reader gets the old rows.
        assert index.get("C000001") == before and asked
        assert index.catch_up() == old_commit != archive.head()

        # The job's pass holds the write lock (here: held for it until the reader is done).
        blocker = sqlite3.connect(index.db.path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        answers: list = []
        writer = threading.Thread(target=index.background_pass)
        writer.start()

        def reader() -> None:
            reading = Index(index.db.path, archive)
            reading.defer = lambda: None
            try:
                answers.append((reading.find(Query()).total, reading.get("C000001")))
            finally:
                reading.close()

        thread = threading.Thread(target=reader)
        thread.start()
        thread.join()
        blocker.execute("ROLLBACK")
        blocker.close()
        writer.join()
        assert answers == [(4, before)]
        after = index.get("C000001")
        assert after["completeness"] != before["completeness"]
        assert history.pending(index.db) is None
        assert tables(index) == full_build(archive, tmp_path / "full.sqlite3")
    finally:
        index.close()


def test_after_a_policy_change_neglect_pages_use_the_old_facts_until_the_pass(
        files, archive, tmp_path):
    index = Index(tmp_path / "index.sqlite3", archive)
    try:
        index.rebuild()
        index.defer = lambda: None
        before = listing.neglect_runs(index, date(2026, 6, 1), 30)
        new_policy(archive)
        assert listing.neglect_runs(index, date(2026, 6, 1), 30) == before
        catch_up_done = index.background_pass  # what the job does
        catch_up_done()
        expected = Index(tmp_path / "full.sqlite3", archive)
        try:
            assert listing.neglect_runs(index, date(2026, 6, 1), 30) == \
                listing.neglect_runs(expected, date(2026, 6, 1), 30)
        finally:
            expected.close()
    finally:
        index.close()


def test_the_app_runs_the_index_pass_as_a_job(svc):
    assert "index" in svc.jobs.names()
    customer, _ = CustomerFiles(svc.archive).create(record("東方貿易"), "wang.li")
    CustomerFiles(svc.archive).amend(customer, lambda r, _s: {**r, "notes": "一"}, "wang.li")
    svc.index.rebuild(history=False)
    assert history.pending(svc.index.db) is not None
    svc.jobs.run_soon("index")
    assert svc.jobs.run_due(["index"]) == ["index"]
    assert history.pending(svc.index.db) is None


def test_the_job_leaves_the_pass_to_another_process_that_is_doing_it(files, archive, tmp_path):
    import subprocess
    import sys

    index = Index(tmp_path / "index.sqlite3", archive)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from filelock import FileLock;"
         " lock = FileLock(sys.argv[1]); lock.acquire(); print('held', flush=True);"
         " sys.stdin.readline()", str(tmp_path / "index.sqlite3.history.lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        index.rebuild(history=False)
        index.background_pass()  # does not wait for the other process
        assert history.pending(index.db) is not None
    finally:
        holder.communicate("\n")
    index.background_pass()
    try:
        assert history.pending(index.db) is None
    finally:
        index.close()


def test_a_serving_index_follows_rewritten_history(files, archive, tmp_path):
    from .conftest import git

    index = Index(tmp_path / "index.sqlite3", archive)
    try:
        index.defer = lambda: None
        assert index.find(Query()).total == 4
        git(archive.path, "update-ref", "refs/heads/main", f"{archive.head()}~3")
        index.close()
        index = Index(tmp_path / "index.sqlite3", archive)
        index.defer = lambda: None
        assert index.find(Query()).total == 3
        # An indexed commit that no longer exists at all is read as rewritten history too.
        conn = index.db.connect()
        conn.execute("UPDATE meta SET value=? WHERE key='commit'", ("1" * 40,))
        assert index.find(Query()).total == 3 and index.db.meta("commit") == archive.head()
    finally:
        index.close()


def test_the_background_pass_runs_at_a_lower_priority_in_its_own_thread():
    import os
    import subprocess
    import sys

    seen = {}

    def job() -> None:
        tid = threading.get_native_id()
        with history.lower_priority(7):
            seen["thread"] = os.getpriority(os.PRIO_PROCESS, tid)
            seen["child"] = int(subprocess.run(
                [sys.executable, "-c", "import os; print(os.getpriority(os.PRIO_PROCESS, 0))"],
                capture_output=True, text=True, check=True).stdout)

    before = os.getpriority(os.PRIO_PROCESS, 0)
    thread = threading.Thread(target=job)
    thread.start()
    thread.join()
    assert seen == {"thread": max(before, 7), "child": max(before, 7)}
    assert os.getpriority(os.PRIO_PROCESS, 0) == before  # the serving threads keep theirs
