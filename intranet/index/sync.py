"""Bring the derived index up to the archive's head."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from ..archive.errors import ArchiveError, CorruptRecord
from ..archive.repository import Archive, Snapshot, Version
from ..records.files import yamlio
from ..records.files.customers import PREFIX, id_from_path
from ..records.rulebook.policy import DEFAULT_POLICY, Policy
from ..records.rulebook.rules import Rules, load_rules
from ..records.rulebook.staff import Directory
from . import neglect, parallel, rows
from .database import TABLES, Database

log = logging.getLogger(__name__)

_ACTIONS = {"A": "create", "M": "update", "D": "delete"}
# A change to these re-reads every customer file: completeness, scores and lateness depend on it.
_POLICY_PATH = "policy.yaml"
# How long a reader waits for another writer's catch-up before it answers from the rows the
# index has (the budget is 1 s a request; a save's catch-up takes tens of ms).
BUSY_WAIT = 0.5
_TIMEOUT = 30.0  # Database.connect's own busy timeout, restored after a short wait
# meta key: set while old versions' R19 facts (history.py) are still to be judged.
HISTORY = "history"


def catch_up(db: Database, archive: Archive, defer: Callable[[], None] | None = None,
             history_later: bool = False) -> str | None:
    """Index every commit between the one the index reflects and the head; return the commit
    the index now reflects.

    Cheap when nothing moved (one ref read and one query). Writers in several processes take
    SQLite's write lock in turn, and the second finds the work already done. With ``defer``
    (a serving process whose background job can do it) a reader never waits long: a policy
    change, which re-reads every file, is handed to ``defer``, and a catch-up another writer
    is doing is not waited for beyond BUSY_WAIT; both answer from the rows already there.
    ``history_later`` leaves the old versions' R19 facts of a full pass to history.complete.
    """
    head = archive.head()
    done = db.meta("commit")
    if head is None or done == head:
        return head
    conn = db.connect()
    if defer is not None and done is not None:
        if _policy_moved(archive, done, head):
            defer()
            return done
        if not _begin_soon(conn):
            return done
        history_later = True
    else:
        conn.execute("BEGIN IMMEDIATE")
    try:
        done = db.meta("commit")
        if done != head:
            if done and not archive.is_ancestor(done, head):
                done = None  # history was rewritten: nothing indexed can be trusted
            if done is None:
                _clear(conn)
            _apply(conn, archive, done, head, history_later)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('commit', ?)", (head,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    if defer is not None and db.meta(HISTORY) is not None:
        defer()  # the old versions' facts of the full pass just made
    return head


def rebuild(db: Database, archive: Archive, history_later: bool = False) -> str | None:
    """Drop everything and index the archive from its first commit."""
    conn = db.connect()
    conn.execute("BEGIN IMMEDIATE")
    try:
        _clear(conn)
        conn.execute("DELETE FROM meta WHERE key IN ('commit', ?)", (HISTORY,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return catch_up(db, archive, history_later=history_later)


def _begin_soon(conn: sqlite3.Connection) -> bool:
    """Take the write lock within BUSY_WAIT; False if another writer still holds it."""
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_WAIT * 1000)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(_TIMEOUT * 1000)}")
    return True


def _policy_moved(archive: Archive, done: str, head: str) -> bool:
    """Tell whether the policy file differs between two commits (two tree lookups)."""
    try:
        return archive.snapshot(done).blob_id(_POLICY_PATH) != \
            archive.snapshot(head).blob_id(_POLICY_PATH)
    except ArchiveError:
        return False  # the indexed commit is gone (history rewritten): catch_up starts again


def _clear(conn: sqlite3.Connection) -> None:
    for table in TABLES:
        conn.execute(f"DELETE FROM {table}")


def _apply(conn: sqlite3.Connection, archive: Archive, since: str | None, head: str,
           history_later: bool = False) -> None:
    touched: set[str] = set()
    next_seq: dict[str, int] = {}
    rows = []
    policy_changed = False
    for version in archive.walk(since, head):
        for status, path in version.paths:
            policy_changed = policy_changed or path == _POLICY_PATH
            customer = id_from_path(path)
            if customer is None:
                continue
            touched.add(path)
            if customer not in next_seq:
                found = conn.execute("SELECT max(seq) FROM versions WHERE customer=?",
                                     (customer,)).fetchone()[0]
                next_seq[customer] = (found or 0) + 1
            rows.append(_version_row(customer, next_seq[customer], status, version))
            next_seq[customer] += 1
    conn.executemany("INSERT INTO versions (customer, seq, sha, status, action, author_name,"
                     " author_email, authored_at, subject) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    snapshot = archive.snapshot(head)
    rules = _rules_or_default(snapshot)
    # A full build reads every file once; an increment only those the commits touched.
    # A new policy changes what every file's completeness, score and lateness are.
    everything = since is None or policy_changed
    # Judging every old version (R19) is a third of a full pass: later, if asked. Until then
    # a policy change keeps the old versions' facts as the previous policy judged them.
    later = everything and history_later
    if policy_changed:
        conn.execute("UPDATE versions SET completeness=NULL, owner=NULL, missing=NULL"
                     + (_LATEST if later else ""))
    blobs = archive.files(PREFIX, head) if everything else {
        path: snapshot.blob_id(path) for path in touched
    }
    todo: list[parallel.Item] = []
    # From scratch every table is empty and every version row is in ``rows``: no lookups.
    fresh = _summaries(rows) if since is None else None
    for path, blob in blobs.items():
        customer = id_from_path(path)
        if customer is None:
            continue
        num = int(customer[1:])
        if fresh is not None:
            todo.append((customer, path, blob))
            continue
        if blob is None:
            conn.execute("DELETE FROM customers WHERE num=?", (num,))
            conn.execute("DELETE FROM search WHERE rowid=?", (num,))
            _forget(conn, customer)
            continue
        stored = conn.execute("SELECT blob FROM customers WHERE num=?", (num,)).fetchone()
        if stored and stored[0] == blob and not policy_changed:
            _touch(conn, customer)
            continue
        todo.append((customer, path, blob))
    _index_files(conn, archive, todo, rules, fresh)
    changed = None if everything else {c for c in map(id_from_path, touched) if c}
    neglect.fill(conn, archive, rules.policy, changed, old=not later)
    if later:
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (HISTORY, head))
    elif everything:
        conn.execute("DELETE FROM meta WHERE key=?", (HISTORY,))


_LATEST = " WHERE seq = (SELECT max(seq) FROM versions w WHERE w.customer = versions.customer)"


def _summaries(rows: list[tuple]) -> dict[str, tuple]:
    """Return each file's version summary (as _version_summary) from its version rows."""
    found: dict[str, tuple] = {}
    for row in rows:  # in seq order: (customer, seq, sha, status, action, name, email, at, …)
        at = (row[7], row[5])
        known = found.get(row[0])
        found[row[0]] = (at, at, 1) if known is None else (known[0], at, known[2] + 1)
    return found


def _index_files(conn: sqlite3.Connection, archive: Archive, todo: list[parallel.Item],
                 rules: Rules, fresh: dict[str, tuple] | None = None) -> None:
    """Read, check and store the given files; many of them in worker processes.

    ``fresh``: the version summaries of a build from scratch, whose tables start empty.
    """
    done = 0
    if parallel.worth_it(len(todo)):
        try:
            for (customer, path, blob), raw, made in parallel.prepare(archive, todo, rules):
                _store(conn, made if made is not None
                       else _made_here(conn, archive, customer, path, blob, raw, rules),
                       fresh)
                done += 1
        except parallel.FAILURES as exc:
            # Slower, not wrong: the rest are made here, and a file stored twice is replaced.
            log.warning("index: worker processes failed (%s); %d of %d files left to read in"
                        " this process", exc, len(todo) - done, len(todo))
    for customer, path, blob in todo[done:]:
        raw = archive.read_object(blob)[1]
        _store(conn, _made_here(conn, archive, customer, path, blob, raw, rules))


def _made_here(conn: sqlite3.Connection, archive: Archive, customer: str, path: str,
               blob: str, raw: bytes, rules: Rules) -> rows.FileRows:
    """Return a file's rows, made in this process: it can look up older versions' custody."""
    record, problem = rows.checked(raw, path, rules)
    if not rows.has_custody(record):
        record = {**record, "custody": _last_custody(conn, archive, customer, path)}
    return rows.file_rows(customer, path, blob, record, problem, rules.policy)


def rules_at(archive: Archive, commit: str) -> Rules:
    """Return the rules of a commit as the index applies them."""
    return _rules_or_default(archive.snapshot(commit))


def _rules_or_default(snapshot: Snapshot) -> Rules:
    try:
        return load_rules(snapshot)
    except CorruptRecord:
        # A broken staff file must not hide every customer; check against an empty directory.
        return Rules(Policy(DEFAULT_POLICY), Directory({"departments": []}, {"staff": []}))


def _version_row(customer: str, seq: int, status: str, version: Version) -> tuple:
    action = version.action or _ACTIONS.get(status, "update")
    return (customer, seq, version.commit, status, action, version.author_name,
            version.author_email, version.authored_at.isoformat(), version.subject)


def _touch(conn: sqlite3.Connection, customer: str) -> None:
    first, last, count = _version_summary(conn, customer)
    conn.execute(
        "UPDATE customers SET created_at=?, created_by=?, updated_at=?, updated_by=?,"
        " version_count=? WHERE id=?",
        (first[0], first[1], last[0], last[1], count, customer),
    )


def _version_summary(conn: sqlite3.Connection, customer: str) -> tuple:
    """Return ((first time, author), (last time, author), count) of a file's versions."""
    count, first, last = conn.execute(
        "SELECT count(*), min(seq), max(seq) FROM versions WHERE customer=?", (customer,),
    ).fetchone()
    if not count:
        return ("", ""), ("", ""), 0

    def at(seq: int) -> tuple:
        return tuple(conn.execute(
            "SELECT authored_at, author_name FROM versions WHERE customer=? AND seq=?",
            (customer, seq)).fetchone())

    return at(first), at(last), count


def _last_custody(conn: sqlite3.Connection, archive: Archive, customer: str,
                  path: str) -> dict[str, Any]:
    """Return the custody of a damaged file's latest version that has one, so it keeps its
    readers (R33); {} if no version ever had one."""
    shas = [r[0] for r in conn.execute(
        "SELECT sha FROM versions WHERE customer=? AND status != 'D' ORDER BY seq DESC",
        (customer,)).fetchall()]
    for sha in shas[1:]:
        try:
            raw = archive.snapshot(sha).get(path)
            record = yamlio.load(raw, path) if raw else None
        except CorruptRecord:
            continue
        custody = record.get("custody") if isinstance(record, dict) else None
        if isinstance(custody, dict):
            return custody
    return {}


def _store(conn: sqlite3.Connection, made: rows.FileRows,
           fresh: dict[str, tuple] | None = None) -> None:
    if fresh is not None:
        first, last, count = fresh.get(made.customer, (("", ""), ("", ""), 0))
    else:
        first, last, count = _version_summary(conn, made.customer)
    conn.execute(
        "INSERT OR REPLACE INTO customers VALUES"
        " (?,?,?,?,?, ?,?,?,?,?, ?,?,?, ?,?,?,?, ?,?,?,?, ?,?,?,?, ?,?,?,?, ?,?,?,?)",
        (made.num, made.customer, *made.values, first[0], first[1], last[0], last[1], count,
         made.completeness, made.missing, made.sales_power),
    )
    if fresh is None:
        conn.execute("DELETE FROM search WHERE rowid=?", (made.num,))
    conn.execute("INSERT INTO search (rowid, catalogue, content) VALUES (?, ?, ?)",
                 (made.num, made.catalogue, made.content))
    if fresh is None:
        _forget(conn, made.customer)
    conn.executemany("INSERT OR REPLACE INTO late_contacts VALUES (?,?,?,?,?,?)", made.late)
    if made.important:
        conn.execute("INSERT INTO important VALUES (?, ?)", (made.customer, made.important))
    conn.executemany("INSERT INTO contact_log VALUES (?,?,?,?)", made.contact_log)
    conn.executemany("INSERT INTO handover_steps VALUES (?,?,?,?,?,?,?,?)", made.handovers)
    conn.executemany("INSERT OR IGNORE INTO keys VALUES (?,?,?)", made.keys)
    conn.executemany("INSERT INTO sales VALUES (?,?,?,?)", made.sales)
    if made.credit:
        conn.execute("INSERT INTO credit VALUES (?,?,?,?,?,?,?,?,?)", made.credit)
    conn.executemany("INSERT OR REPLACE INTO followups VALUES (?,?,?,?,?)", made.followups)
    conn.executemany("INSERT OR REPLACE INTO form_reviews VALUES (?,?,?,?,?)", made.forms)


def _forget(conn: sqlite3.Connection, customer: str) -> None:
    """Delete a file's rows in the tables derived from its contents, one row per item."""
    for table in ("late_contacts", "important", "contact_log", "handover_steps", "keys",
                  "sales", "credit", "followups", "form_reviews"):
        conn.execute(f"DELETE FROM {table} WHERE customer=?", (customer,))
