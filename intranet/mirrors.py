"""Off-site copies: push the archive to configured git remotes after commits, with back-off.

A commit only wakes the background job (``Jobs.run_soon``); the push runs in the jobs thread,
never in the request that saved. Every worker process runs the job, so what each mirror has
received is kept in one SQLite file under ``instance/`` (shared by all of them) and each
mirror has its own cross-process lock: two workers never push the same mirror at once, and
a worker that finds the mirror up to date (or failing and not yet due) does nothing.

A failing mirror is retried after ``retry_seconds × 2^(failures−1)``, capped at
``retry_max``, less up to a tenth at random so that workers and mirrors do not move in step.
Mirror URLs may hold credentials: only masked URLs are stored, shown or logged.
No Flask imports here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from . import small_db
from .mirror_push import PushResult, mask, push

log = logging.getLogger(__name__)

JOB = "mirrors"
SCHEMA = """
CREATE TABLE IF NOT EXISTS mirrors (
    key           TEXT PRIMARY KEY,   -- a hash of the URL (the URL may hold credentials)
    url           TEXT NOT NULL,      -- masked, for people to recognise it
    last_attempt  REAL,               -- seconds since the epoch
    last_success  REAL,
    pushed_head   TEXT,               -- the archive's head at the last successful push
    failures      INTEGER NOT NULL DEFAULT 0,  -- consecutive
    failing_since REAL,
    last_error    TEXT NOT NULL DEFAULT '',    -- first line, masked
    next_attempt  REAL                -- while failing: not before this
);
"""
Pusher = Callable[[Path, str, float], PushResult]


def mirror_key(url: str) -> str:
    """Return the mirror's key: a hash of its URL, so no credential is stored."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def parse_urls(value: object) -> list[str]:
    """Return the configured mirrors as a list of URLs (a list, a JSON list or one URL)."""
    if not value:
        return []
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else [text]
    if not isinstance(value, list | tuple) or not all(isinstance(u, str) for u in value):
        raise ValueError("MIRRORS must be a list of git remote URLs or paths")
    return [u.strip() for u in value if u.strip()]


def _moment(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


@dataclass(frozen=True)
class MirrorStatus:
    """One mirror as a person sees it; ``url`` is masked."""

    key: str
    url: str
    state: str  # "up_to_date", "behind" (a push is due) or "failing"
    pushed_head: str | None
    failures: int
    last_error: str
    last_attempt: datetime | None
    last_success: datetime | None
    failing_since: datetime | None
    next_attempt: datetime | None


class Mirrors:
    """The configured mirrors of one archive and what each has received."""

    def __init__(self, git_dir: str | Path, head: Callable[[], str | None],
                 urls: Sequence[str], db_path: str | Path, retry_seconds: float = 30,
                 retry_max: float = 3600, timeout: float = 120,
                 clock: Callable[[], float] = time.time,
                 rand: Callable[[], float] = random.random,
                 pusher: Pusher = push, busy_timeout: float = 10) -> None:
        self.git_dir = Path(git_dir)
        self.head = head
        self.urls = list(urls)
        self.db_path = Path(db_path)
        self.retry_seconds = float(retry_seconds)
        self.retry_max = float(retry_max)
        self.timeout = float(timeout)
        self.clock = clock
        self.rand = rand
        self.pusher = pusher
        self.busy_timeout = busy_timeout
        self._prepared = False

    # -- state ------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if not self._prepared:
            small_db.prepare(self.db_path, SCHEMA, self.busy_timeout)
            self._prepared = True
        return small_db.connect(self.db_path, self.busy_timeout)

    def _row(self, db: sqlite3.Connection, key: str) -> sqlite3.Row | None:
        return db.execute("SELECT * FROM mirrors WHERE key = ?", (key,)).fetchone()

    def masked(self, url: str) -> str:
        """Return ``url`` as it may be shown."""
        return mask(url, self.urls)

    def delay(self, failures: int) -> float:
        """Return the wait after ``failures`` consecutive failures (doubling, capped, jittered)."""
        base = min(self.retry_max, self.retry_seconds * 2 ** max(0, failures - 1))
        # Only ever shorter, so the cap holds.
        return base * (1 - 0.1 * self.rand())

    def is_due(self, row: sqlite3.Row | None, head: str | None, now: float) -> bool:
        """Tell whether a mirror in state ``row`` needs a push of ``head`` now."""
        if head is None:
            return False  # an empty archive has nothing to send
        if row is None:
            return True
        if row["failures"]:
            return row["next_attempt"] is None or now >= row["next_attempt"]
        return row["pushed_head"] != head

    # -- pushing ----------------------------------------------------------------------------

    def run(self) -> list[str]:
        """Push every mirror that is behind or due for a retry; return the masked URLs pushed.

        This is the background job: it never raises for a mirror's failure (that is recorded
        in the mirror's state) and skips a mirror another process is pushing right now.
        """
        pushed = []
        for url in self.urls:
            try:
                if self.push_one(url):
                    pushed.append(self.masked(url))
            except (OSError, sqlite3.Error) as exc:  # one mirror's trouble must not stop the rest
                # The exception's text may name a path or URL: only its kind is logged.
                log.error("mirror %s: %s", self.masked(url), type(exc).__name__)
        return pushed

    def push_one(self, url: str) -> bool:
        """Push one mirror if it is due and nobody else is pushing it; tell whether it ran."""
        key = mirror_key(url)
        head = self.head()
        with closing(self._connect()) as db:
            if not self.is_due(self._row(db, key), head, self.clock()):
                return False
        lock = FileLock(str(self.db_path.parent / f"mirror-{key}.lock"), thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return False  # another worker is pushing this mirror
        try:
            # Another worker may have pushed it while we looked: decide again under the lock.
            head = self.head()
            with closing(self._connect()) as db:
                if not self.is_due(self._row(db, key), head, self.clock()):
                    return False
            started = self.clock()
            result = self.pusher(self.git_dir, url, self.timeout)
            self._record(key, url, head, started, result)
            return True
        finally:
            lock.release()

    def _record(self, key: str, url: str, head: str | None, started: float,
                result: PushResult) -> None:
        now = self.clock()
        shown = self.masked(url)
        with closing(self._connect()) as db:
            row = self._row(db, key)
            if result.ok:
                db.execute(
                    "INSERT OR REPLACE INTO mirrors (key, url, last_attempt, last_success,"
                    " pushed_head, failures, failing_since, last_error, next_attempt)"
                    " VALUES (?, ?, ?, ?, ?, 0, NULL, '', NULL)",
                    (key, shown, started, now, head))
                if row is not None and row["failures"]:
                    log.info("mirror %s: pushed %s after %d failures", shown, head,
                             row["failures"])
                return
            failures = (row["failures"] if row is not None else 0) + 1
            error = mask(result.error.splitlines()[0] if result.error else "failed", [url])
            db.execute(
                "INSERT OR REPLACE INTO mirrors (key, url, last_attempt, last_success,"
                " pushed_head, failures, failing_since, last_error, next_attempt)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, shown, started, row["last_success"] if row is not None else None,
                 row["pushed_head"] if row is not None else None, failures,
                 (row["failing_since"] if row is not None and row["failing_since"] else started),
                 error, now + self.delay(failures)))
        log.warning("mirror %s: push failed (%d in a row): %s", shown, failures, error)

    # -- status -----------------------------------------------------------------------------

    def status(self) -> list[MirrorStatus]:
        """Return each configured mirror's state, in configuration order, URLs masked."""
        head = self.head()
        with closing(self._connect()) as db:
            rows = {row["key"]: row for row in db.execute("SELECT * FROM mirrors")}
        result = []
        for url in self.urls:
            key = mirror_key(url)
            row = rows.get(key)
            if row is None:
                result.append(MirrorStatus(key, self.masked(url), "behind", None, 0, "",
                                           None, None, None, None))
                continue
            if row["failures"]:
                state = "failing"
            elif head is None or row["pushed_head"] == head:
                state = "up_to_date"
            else:
                state = "behind"
            result.append(MirrorStatus(
                key, self.masked(url), state, row["pushed_head"], row["failures"],
                row["last_error"], _moment(row["last_attempt"]), _moment(row["last_success"]),
                _moment(row["failing_since"]), _moment(row["next_attempt"])))
        return result


def from_config(config: dict, archive, jobs) -> Mirrors:
    """Build the mirrors from the app's configuration; queue a push after every commit."""
    mirrors = Mirrors(archive.path, archive.head, parse_urls(config.get("MIRRORS")),
                      config["MIRRORS_DB"], retry_seconds=config["MIRROR_RETRY_SECONDS"],
                      retry_max=config["MIRROR_RETRY_MAX"], timeout=config["MIRROR_TIMEOUT"])
    if mirrors.urls:
        jobs.add(JOB, mirrors.run, every=60)
        # Quick and never raising: the push itself happens in the jobs thread.
        archive.commit_hooks.append(lambda _commit: jobs.run_soon(JOB))
    return mirrors
