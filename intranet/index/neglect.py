"""Every version's completeness in the index, from which the neglect stretches are drawn (R19).

``records.conduct.neglect`` says which version improves a file: one that fills an item the version
before left missing. That needs every version's missing items, so each version row keeps its
completeness (-1: it does not load), custodian and missing items. A save reads the new
version only (its row is the file's customers row); a full build or a policy change reads
every old version, in batches through one ``git cat-file --batch`` each.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

from ..archive.errors import CorruptRecord
from ..archive.repository import Archive
from ..records.files import yamlio
from ..records.files.completeness import completeness, quick
from ..records.files.customers import customer_path
from ..records.rulebook.policy import Policy
from . import parallel

BATCH = 500  # old versions per git read and per worker message: bounds the memory held
UNREADABLE = -1
log = logging.getLogger(__name__)


def fill(conn: sqlite3.Connection, archive: Archive, policy: Policy,
         customers: set[str] | None, old: bool = True) -> None:
    """Record completeness, custodian and missing items on every version that lacks them.

    ``customers`` None means every file (a full build or a new policy). The latest version
    takes them from the file's customers row; older ones are read from git (``old`` False:
    not now, history.complete does it).
    """
    if customers is None:
        # Every latest version at once from its customers row (one statement, not 10,000).
        conn.execute(
            "UPDATE versions SET completeness = CASE WHEN c.completeness IS NULL THEN ?"
            " ELSE c.completeness END, owner = coalesce(c.owner, ''),"
            " missing = coalesce(c.missing, '') FROM customers c WHERE c.id = versions.customer"
            " AND versions.completeness IS NULL AND versions.status != 'D' AND versions.seq ="
            " (SELECT max(seq) FROM versions w WHERE w.customer = versions.customer)",
            (UNREADABLE,))
    sql = ("SELECT v.customer, v.seq, v.sha, v.status, (v.seq = (SELECT max(seq) FROM versions"
           " w WHERE w.customer = v.customer)) AS latest FROM versions v"
           " WHERE v.completeness IS NULL AND v.status != 'D'")
    if not old:
        sql += " AND v.seq = (SELECT max(seq) FROM versions w WHERE w.customer = v.customer)"
    if customers is None:
        rows = conn.execute(sql).fetchall()
    else:
        rows = [row for customer in sorted(customers) for row in conn.execute(
            sql + " AND v.customer = ?", (customer,)).fetchall()]
    updates: list[tuple[Any, ...]] = []
    earlier = []
    for row in rows:
        if row["latest"]:
            head = conn.execute("SELECT completeness, owner, missing FROM customers"
                                " WHERE id = ?", (row["customer"],)).fetchone()
            if head is not None:
                percent = UNREADABLE if head["completeness"] is None else head["completeness"]
                updates.append((percent, head["owner"] or "", head["missing"] or "",
                                row["customer"], row["seq"]))
                continue
        if old:
            earlier.append(row)
    for row, judged in zip(earlier, judge_all(archive, earlier, policy), strict=True):
        updates.append((*judged, row["customer"], row["seq"]))
    conn.executemany("UPDATE versions SET completeness=?, owner=?, missing=?"
                     " WHERE customer=? AND seq=?", updates)


def judge_all(archive: Archive, rows: list[sqlite3.Row], policy: Policy
               ) -> list[tuple[int, str, str]]:
    """Return each old version's judgement, in order; in worker processes when there are many."""
    items = [(str(r["customer"]), f"{r['sha']}:{customer_path(r['customer'])}") for r in rows]
    judged: list[tuple[int, str, str]] = []
    if parallel.worth_it(len(items)):
        try:
            judged.extend(_judge_in_workers(archive, items, policy))
        except parallel.FAILURES as exc:
            # Slower, not wrong: the rest are judged here.
            log.warning("index: worker processes failed (%s); %d of %d old versions left to"
                        " judge in this process", exc, len(items) - len(judged), len(items))
    for at in range(len(judged), len(items), BATCH):
        chunk = items[at:at + BATCH]
        blobs = archive.read_many([name for _, name in chunk])
        judged.extend(_judge(raw, customer, policy)
                      for (customer, _), raw in zip(chunk, blobs, strict=True))
    return judged


def _judge_in_workers(archive: Archive, items: list[tuple[str, str]],
                      policy: Policy) -> Iterator[tuple[int, str, str]]:
    """Judge old versions in worker processes, a chunk each, while this one reads the next."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # see parallel.prepare: never fork
    count = parallel.workers()
    pool = ProcessPoolExecutor(count, mp_context=context)
    try:
        pending: deque[Future] = deque()
        queue = (items[at:at + BATCH] for at in range(0, len(items), BATCH))

        def submit() -> None:
            chunk = next(queue, None)
            if chunk is not None:
                blobs = archive.read_many([name for _, name in chunk])
                work = [(customer, raw) for (customer, _), raw in zip(chunk, blobs, strict=True)]
                pending.append(pool.submit(_judge_chunk, work, policy.data))

        for _ in range(2 * count):
            submit()
        while pending:
            done = pending.popleft().result()
            submit()
            yield from done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _judge_chunk(work: list[tuple[str, bytes | None]], policy_data: dict[str, Any]
                 ) -> list[tuple[int, str, str]]:
    """Judge a chunk of old versions, in a worker."""
    policy = Policy(policy_data)
    return [_judge(raw, customer, policy) for customer, raw in work]


def _judge(raw: bytes | None, customer: str, policy: Policy) -> tuple[int, str, str]:
    """Return an old version's completeness (-1 if it does not load), custodian and missing."""
    if not raw:
        return UNREADABLE, "", ""
    # The canonical layout is read line by line, five times faster than a parse.
    seen = quick(raw, policy)
    if seen is not None:
        return seen[0].percent, seen[1], " ".join(seen[0].missing)
    try:
        record = yamlio.load(raw, customer)
    except CorruptRecord:
        return UNREADABLE, "", ""
    if not isinstance(record, dict):
        return UNREADABLE, "", ""
    custody = record.get("custody") if isinstance(record.get("custody"), dict) else {}
    owner = custody.get("owner") if isinstance(custody.get("owner"), str) else ""
    done = completeness(record, policy)
    return done.percent, owner, " ".join(done.missing)
