"""Failed sign-in attempts, counted in SQLite so that every worker process sees the same count."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from . import small_db

SCHEMA = """
CREATE TABLE IF NOT EXISTS failures (
    kind TEXT NOT NULL,   -- what is counted: 'user', 'address', 'setup'
    key  TEXT NOT NULL,   -- the username, client address, ...
    at   REAL NOT NULL    -- seconds since the epoch
);
CREATE INDEX IF NOT EXISTS failures_by_key ON failures (kind, key, at);
"""


@dataclass(frozen=True)
class Attempt:
    """An attempt begun: refused until ``refused_until``, or counted under ``ids``."""

    refused_until: float | None
    ids: list[int]

    @property
    def refused(self) -> bool:
        """Tell whether the attempt must not go ahead."""
        return self.refused_until is not None


class Throttle:
    """Refuse attempts for a while once a key has failed too often within a window.

    ``limits`` maps a kind of key to the failures allowed within ``window`` seconds; after
    that, each attempt waits ``base_delay`` seconds after the latest failure, doubled for every
    further failure and capped at ``max_delay``.
    """

    def __init__(self, path: str | Path, limits: Mapping[str, int], window: float = 900,
                 base_delay: float = 30, max_delay: float = 900, busy_timeout: float = 10,
                 clock: Callable[[], float] | None = None) -> None:
        self.path = Path(path)
        self.limits = dict(limits)
        self.window = window
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.busy_timeout = busy_timeout
        self.clock = clock or time.time
        small_db.prepare(self.path, SCHEMA, self.busy_timeout)

    def _connect(self) -> sqlite3.Connection:
        return small_db.connect(self.path, self.busy_timeout)

    def _delay(self, kind: str, failures: int) -> float:
        limit = self.limits.get(kind)
        if limit is None or failures < limit:
            return 0.0
        return min(self.base_delay * 2 ** (failures - limit), self.max_delay)

    def _wait(self, db: sqlite3.Connection, keys: Mapping[str, str], now: float) -> float:
        wait = 0.0
        for kind, key in keys.items():
            count, latest = db.execute(
                "SELECT count(*), max(at) FROM failures WHERE kind = ? AND key = ? AND at > ?",
                (kind, key, now - self.window)).fetchone()
            delay = self._delay(kind, count) if count else 0.0
            # Under the limit nothing waits, even if a parallel attempt was stamped later.
            if delay:
                wait = max(wait, latest + delay - now)
        return max(wait, 0.0)

    def retry_after(self, keys: Mapping[str, str], now: float | None = None) -> float:
        """Return how many seconds an attempt must wait (0 when it may go ahead)."""
        now = self.clock() if now is None else now
        with closing(self._connect()) as db:
            return self._wait(db, keys, now)

    def begin(self, keys: Mapping[str, str], now: float | None = None) -> Attempt:
        """Start an attempt: refused while a key must wait, else counted as failed until
        ``succeeded`` says otherwise.

        Counting it before the password is checked means parallel requests cannot slip
        through together while the first of them is still being checked.
        """
        now = self.clock() if now is None else now
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                wait = self._wait(db, keys, now)
                if wait > 0:
                    return Attempt(now + wait, [])
                ids = [db.execute("INSERT INTO failures (kind, key, at) VALUES (?, ?, ?)",
                                  (kind, key, now)).lastrowid for kind, key in keys.items()]
                # Failures older than the window no longer count: keep the table small.
                db.execute("DELETE FROM failures WHERE at <= ?", (now - self.window,))
            finally:
                db.execute("COMMIT")
        return Attempt(None, [i for i in ids if i is not None])

    def succeeded(self, attempt: Attempt, clear: Mapping[str, str] | None = None) -> None:
        """Withdraw an attempt's failures and forget every failure of the keys in ``clear``."""
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("DELETE FROM failures WHERE rowid = ?", [(i,) for i in attempt.ids])
            db.executemany("DELETE FROM failures WHERE kind = ? AND key = ?",
                           list((clear or {}).items()))
            db.execute("COMMIT")

    def failures(self, kind: str, key: str, now: float | None = None) -> int:
        """Return how many failures of a key are within the window."""
        now = self.clock() if now is None else now
        with closing(self._connect()) as db:
            return db.execute("SELECT count(*) FROM failures WHERE kind = ? AND key = ? "
                              "AND at > ?", (kind, key, now - self.window)).fetchone()[0]
