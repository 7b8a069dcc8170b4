"""The old versions' R19 facts, judged after the head rows are served (a background pass).

A full build or a policy change must judge every old version of every file (about 40,000
blobs at 10,000 customers) before the neglect rule (R19, ``incomplete_file_days``) can draw
its stretches. Lists, search and a file's page need none of it, so a serving process indexes
the head first and leaves the meta key ``history`` set; this pass then judges the old versions
without holding the write lock (git and worker processes only) and writes them in one short
transaction. Pages that draw neglect stretches call ``settled`` first: after a cold build
they wait for the pass; after a policy change they are answered from the facts the previous
policy gave until the pass is written.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

from ..archive.repository import Archive
from . import neglect
from .database import Database
from .sync import HISTORY, rules_at

log = logging.getLogger(__name__)
_local = threading.Lock()  # one pass at a time in a process; FileLock across processes


# Niceness of a background pass: readers served meanwhile get most of the CPU (2 cores).
BACKGROUND_NICE = 10


@contextmanager
def lower_priority(nice: int = BACKGROUND_NICE) -> Iterator[None]:
    """Run the block at a lower CPU priority in this thread (Linux: a thread's own niceness,
    inherited by the processes it starts); restore it after if allowed."""
    tid = threading.get_native_id()
    try:
        before = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, max(before, nice))
    except (AttributeError, OSError):
        yield  # not on this platform: run as is
        return
    try:
        yield
    finally:
        # Raising a priority again needs privileges: without them the thread stays background.
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, tid, before)


def pending(db: Database) -> str | None:
    """Return the commit whose full pass left old versions to judge, None if none is due."""
    return db.meta(HISTORY)


def complete(db: Database, archive: Archive, wait: bool = True) -> bool:
    """Judge and store the old versions a full pass left; return whether this call did it.

    ``wait`` False (the background job) leaves it to a pass already running elsewhere.
    """
    if pending(db) is None:
        return False
    if not _local.acquire(blocking=wait):
        return False
    try:
        with FileLock(str(_lock_path(db.path)), timeout=-1 if wait else 0):
            return _complete(db, archive)
    except Timeout:
        return False  # another process is judging them
    finally:
        _local.release()


def settled(db: Database, archive: Archive) -> None:
    """Make the old versions' facts usable: wait for the pass if any is missing."""
    if pending(db) is None:
        return
    conn = db.connect()
    missing = conn.execute("SELECT 1 FROM versions WHERE completeness IS NULL"
                           " AND status != 'D' LIMIT 1").fetchone()
    # After a policy change the previous judgements stand until the pass is written.
    if missing is not None:
        complete(db, archive)


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".history.lock")


def _complete(db: Database, archive: Archive) -> bool:
    conn = db.connect()
    # One read transaction: the versions listed and the commit whose policy judges them agree.
    conn.execute("BEGIN")
    try:
        token = pending(db)
        commit = db.meta("commit")
        rows = conn.execute(
            "SELECT v.customer, v.seq, v.sha FROM versions v WHERE v.status != 'D' AND v.seq <"
            " (SELECT max(seq) FROM versions w WHERE w.customer = v.customer)").fetchall()
    finally:
        conn.execute("COMMIT")
    if token is None or commit is None:
        return False
    policy = rules_at(archive, commit).policy
    judged = neglect.judge_all(archive, rows, policy)
    conn.execute("BEGIN IMMEDIATE")
    try:
        if pending(db) != token:
            # A newer full pass (a rebuild, another policy change) owns the key now.
            conn.execute("ROLLBACK")
            return False
        # A row whose sha moved (history rewritten meanwhile) is left to the next pass.
        conn.executemany(
            "UPDATE versions SET completeness=?, owner=?, missing=? WHERE customer=? AND seq=?"
            " AND sha=?",
            [(*facts, row["customer"], row["seq"], row["sha"])
             for row, facts in zip(rows, judged, strict=True)])
        # Versions added since the read (saves) were filled by their own catch-up.
        neglect.fill(conn, archive, policy, None)
        conn.execute("DELETE FROM meta WHERE key=?", (HISTORY,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    log.info("index: judged %d old versions after a full pass", len(rows))
    return True
