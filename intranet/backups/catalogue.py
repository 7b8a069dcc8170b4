"""The catalogue of every backup attempt, scheduled or made by hand, in a small SQLite file.

``instance/backups.sqlite3`` (small_db: shared by every worker and by the CLI) keeps one row per
attempt: kind, when it started and finished (UTC), how long it took, the file, its size, the
head commit it holds, whether it was verified and, if not, why. A pruned bundle keeps its row,
marked removed. No Flask imports here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import small_db

KINDS = ("monthly", "weekly", "manual")
SCHEDULED = ("monthly", "weekly")

SCHEMA = """
CREATE TABLE IF NOT EXISTS backups (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT NOT NULL DEFAULT '',
    seconds REAL,
    path TEXT NOT NULL DEFAULT '',
    size INTEGER,
    head TEXT NOT NULL DEFAULT '',
    files INTEGER,
    verified INTEGER NOT NULL DEFAULT 0,
    problem TEXT NOT NULL DEFAULT '',
    problem_params TEXT NOT NULL DEFAULT '{}',
    removed TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS backups_by_time ON backups (verified, started);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def stamp(when: datetime) -> str:
    """Return an aware time as sortable UTC text, e.g. 2026-12-01T00:10:00Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text: str) -> datetime | None:
    """Return the aware time of a stamp ("" gives None)."""
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Problem:
    """Why an attempt failed: an English message (a msgid) and its ``{name}`` parameters."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """Return the message with its parameters filled in (English)."""
        return self.message.format(**self.params)


@dataclass(frozen=True)
class Entry:
    """One attempt as the catalogue holds it."""

    id: int
    kind: str
    started: datetime
    finished: datetime | None
    seconds: float | None
    path: str
    size: int | None
    head: str
    files: int | None
    verified: bool
    problem: Problem | None
    removed: datetime | None

    @property
    def name(self) -> str:
        """Return the bundle's file name."""
        return Path(self.path).name if self.path else ""

    @property
    def running(self) -> bool:
        """Tell whether the attempt has not finished (or its process died)."""
        return self.finished is None


def _entry(row: sqlite3.Row) -> Entry:
    problem = Problem(row["problem"], json.loads(row["problem_params"] or "{}")) \
        if row["problem"] else None
    return Entry(row["id"], row["kind"], parse(row["started"]) or datetime.min.replace(tzinfo=UTC),
                 parse(row["finished"]), row["seconds"], row["path"], row["size"], row["head"],
                 row["files"], bool(row["verified"]), problem, parse(row["removed"]))


class Catalogue:
    """Every backup attempt, in ``path`` (created on first use)."""

    def __init__(self, path: str | Path, busy_timeout: float = 10.0):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._ready = False
        self._since: datetime | None = None  # never changes once written: asked once

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            small_db.prepare(self.path, SCHEMA, self.busy_timeout)
            self._ready = True
        with closing(small_db.connect(self.path, self.busy_timeout)) as db:
            yield db

    def since(self, now: datetime) -> datetime:
        """Return when the catalogue began (``now`` on its first use): no banner before."""
        if self._since is not None:
            return self._since
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('since', ?)",
                       (stamp(now),))
            row = db.execute("SELECT value FROM meta WHERE key = 'since'").fetchone()
        self._since = parse(row["value"]) or now
        return self._since

    def start(self, kind: str, started: datetime, path: str = "") -> int:
        """Record an attempt as begun; return its id."""
        if kind not in KINDS:
            raise ValueError(f"unknown backup kind {kind!r}")
        with self._db() as db:
            cursor = db.execute("INSERT INTO backups (kind, started, path) VALUES (?, ?, ?)",
                                (kind, stamp(started), path))
            return int(cursor.lastrowid or 0)

    def finish(self, entry_id: int, finished: datetime, seconds: float, *, path: str = "",
               size: int | None = None, head: str = "", files: int | None = None,
               verified: bool = False, problem: Problem | None = None) -> None:
        """Record how an attempt ended."""
        with self._db() as db:
            db.execute(
                "UPDATE backups SET finished = ?, seconds = ?, path = ?, size = ?, head = ?,"
                " files = ?, verified = ?, problem = ?, problem_params = ? WHERE id = ?",
                (stamp(finished), round(seconds, 3), path, size, head, files, int(verified),
                 problem.message if problem else "",
                 json.dumps(problem.params if problem else {}, ensure_ascii=False), entry_id))

    def close_interrupted(self, before: datetime, now: datetime, problem: Problem) -> int:
        """Record attempts begun before ``before`` and never finished as failed; return how many."""
        with self._db() as db:
            cursor = db.execute(
                "UPDATE backups SET finished = ?, problem = ?, problem_params = ?"
                " WHERE finished = '' AND started < ?",
                (stamp(now), problem.message, json.dumps(problem.params), stamp(before)))
            return cursor.rowcount

    def mark_removed(self, entry_id: int, when: datetime) -> None:
        """Record that an attempt's bundle was pruned (the row stays)."""
        with self._db() as db:
            db.execute("UPDATE backups SET removed = ? WHERE id = ?", (stamp(when), entry_id))

    def get(self, entry_id: int) -> Entry | None:
        """Return one attempt."""
        with self._db() as db:
            row = db.execute("SELECT * FROM backups WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row) if row else None

    def all(self, limit: int | None = None) -> list[Entry]:
        """Return every attempt, newest first."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM backups ORDER BY started DESC, id DESC"
                              + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        return [_entry(row) for row in rows]

    def newest_verified(self) -> Entry | None:
        """Return the newest verified backup still on disk (one indexed query)."""
        with self._db() as db:
            row = db.execute("SELECT * FROM backups WHERE verified = 1 AND removed = ''"
                             " ORDER BY started DESC, id DESC LIMIT 1").fetchone()
        return _entry(row) if row else None

    def scheduled_since(self, since: datetime) -> list[Entry]:
        """Return the scheduled attempts started at or after ``since``, newest first."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM backups WHERE kind IN ('monthly', 'weekly')"
                              " AND started >= ? ORDER BY started DESC, id DESC",
                              (stamp(since),)).fetchall()
        return [_entry(row) for row in rows]

    def kept(self) -> list[Entry]:
        """Return the verified scheduled backups not yet pruned, newest first."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM backups WHERE kind IN ('monthly', 'weekly')"
                              " AND verified = 1 AND removed = ''"
                              " ORDER BY started DESC, id DESC").fetchall()
        return [_entry(row) for row in rows]
