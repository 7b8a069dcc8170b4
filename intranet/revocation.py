"""Sessions ended by signing out, kept in SQLite so that every worker process refuses them."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from . import small_db

SCHEMA = """
CREATE TABLE IF NOT EXISTS revoked_sessions (
    sid   TEXT PRIMARY KEY,  -- the random id a session got when its user signed in
    until REAL NOT NULL      -- seconds since the epoch after which its cookie expires anyway
);
"""


def new_session_id() -> str:
    """Return a fresh random session id."""
    return secrets.token_urlsafe(16)


class Revocations:
    """Remember ended sessions for as long as a copy of their cookie could still be valid.

    A session cookie is signed, not stored: a copy taken before sign-out stays valid until
    its signature expires (``lifetime`` seconds after it was last issued). Each signed-in
    session carries a random id; signing out records it here, and every request checks it.
    """

    def __init__(self, path: str | Path, lifetime: float, busy_timeout: float = 10,
                 clock: Callable[[], float] | None = None) -> None:
        self.path = Path(path)
        self.lifetime = lifetime
        self.busy_timeout = busy_timeout
        self.clock = clock or time.time
        small_db.prepare(self.path, SCHEMA, busy_timeout)

    def revoke(self, sid: str) -> None:
        """End a session for good, in every worker."""
        now = self.clock()
        with closing(small_db.connect(self.path, self.busy_timeout)) as db:
            db.execute("INSERT OR REPLACE INTO revoked_sessions (sid, until) VALUES (?, ?)",
                       (sid, now + self.lifetime))
            # Expired cookies are refused by their signature: their records can go.
            db.execute("DELETE FROM revoked_sessions WHERE until < ?", (now,))

    def is_revoked(self, sid: str) -> bool:
        """Tell whether a session was ended."""
        with closing(small_db.connect(self.path, self.busy_timeout)) as db:
            return db.execute("SELECT 1 FROM revoked_sessions WHERE sid = ?",
                              (sid,)).fetchone() is not None
