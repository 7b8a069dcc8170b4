"""One-time links to the customer's own data form (R10), kept in the instance folder.

A link's token is a secret: only its SHA-256 is stored, here and never in the archive (secrets
never go into git). The database is SQLite in WAL mode, shared by every worker process; using
a link is one conditional UPDATE, so two submissions racing with the same token cannot both
be accepted, whichever processes they arrive in.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import small_db

SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    id          TEXT PRIMARY KEY,   -- public name of a link (revoke, proposal id); no secret
    token_hash  TEXT NOT NULL UNIQUE,
    customer    TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  REAL NOT NULL,      -- seconds since the epoch
    expires_at  REAL NOT NULL,
    used_at     REAL,
    revoked_at  REAL,
    revoked_by  TEXT
);
CREATE INDEX IF NOT EXISTS links_by_customer ON links (customer, created_at);
"""

OPEN, USED, EXPIRED, REVOKED = "open", "used", "expired", "revoked"


def token_hash(token: str) -> str:
    """Return the stored form of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _ts(when: datetime) -> float:
    return when.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


@dataclass(frozen=True)
class Link:
    """One link as stored (without its token)."""

    id: str
    customer: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str

    def state(self, now: datetime) -> str:
        """Return open, used, expired or revoked as of ``now``."""
        if self.used_at is not None:
            return USED
        if self.revoked_at is not None:
            return REVOKED
        return OPEN if now < self.expires_at else EXPIRED


def _link(row: sqlite3.Row) -> Link:
    return Link(row["id"], row["customer"], row["created_by"], _dt(row["created_at"]),
                _dt(row["expires_at"]), _dt(row["used_at"]), _dt(row["revoked_at"]),
                row["revoked_by"] or "")


class FormLinks:
    """The links of every customer file, in one SQLite database."""

    def __init__(self, path: str | Path, busy_timeout: float = 10) -> None:
        """Open (and on first use create) the database at ``path``."""
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        small_db.prepare(self.path, SCHEMA, self.busy_timeout)

    def _connect(self) -> sqlite3.Connection:
        return small_db.connect(self.path, self.busy_timeout)

    def create(self, customer: str, created_by: str, now: datetime,
               days: int) -> tuple[str, Link]:
        """Make a link to a customer's form valid for ``days``; return (token, link).

        The token is returned once, to be shown to the custodian; only its hash is kept.
        """
        token = secrets.token_urlsafe(32)
        link = Link(secrets.token_hex(6), customer, created_by, now,
                    now + timedelta(days=days), None, None, "")
        with closing(self._connect()) as db:
            db.execute("INSERT INTO links (id, token_hash, customer, created_by, created_at, "
                       "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                       (link.id, token_hash(token), customer, created_by, _ts(now),
                        _ts(link.expires_at)))
        return token, link

    def find(self, token: str, now: datetime) -> Link | None:
        """Return the open link a token names, or None (unknown, used, expired, revoked)."""
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT * FROM links WHERE token_hash = ? AND used_at IS NULL "
                "AND revoked_at IS NULL AND expires_at > ?",
                (token_hash(token), _ts(now))).fetchone()
        return _link(row) if row else None

    def use(self, token: str, now: datetime) -> Link | None:
        """Mark an open link used, atomically; return it, or None if it was not open.

        Of several requests with the same token, in any processes, exactly one gets the link.
        """
        digest = token_hash(token)
        with closing(self._connect()) as db:
            changed = db.execute(
                "UPDATE links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL "
                "AND revoked_at IS NULL AND expires_at > ?", (_ts(now), digest, _ts(now)))
            if changed.rowcount != 1:
                return None
            row = db.execute("SELECT * FROM links WHERE token_hash = ?", (digest,)).fetchone()
        return _link(row)

    def release(self, link_id: str) -> None:
        """Open a used link again: its submission could not be written, so it may be resent."""
        with closing(self._connect()) as db:
            db.execute("UPDATE links SET used_at = NULL WHERE id = ?", (link_id,))

    def revoke(self, customer: str, link_id: str, by: str, now: datetime) -> bool:
        """Revoke an open link of a customer; return whether one was revoked."""
        with closing(self._connect()) as db:
            changed = db.execute(
                "UPDATE links SET revoked_at = ?, revoked_by = ? WHERE id = ? AND customer = ? "
                "AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
                (_ts(now), by, link_id, customer, _ts(now)))
        return changed.rowcount == 1

    def of_customer(self, customer: str) -> list[Link]:
        """Return a customer's links, newest first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM links WHERE customer = ? "
                              "ORDER BY created_at DESC, rowid DESC", (customer,)).fetchall()
        return [_link(r) for r in rows]
