"""Small SQLite files under instance/ that every worker process shares (throttle, form links)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


def connect(path: str | Path, busy_timeout: float) -> sqlite3.Connection:
    """Open a short-lived autocommit connection: cheap, and safe across threads and forks."""
    db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    db.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    db.row_factory = sqlite3.Row
    return db


def prepare(path: str | Path, schema: str, busy_timeout: float) -> None:
    """Create the file's folder and tables; WAL lets workers read while another one writes."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with closing(connect(path, busy_timeout)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)
