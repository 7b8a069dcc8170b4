"""E-mail about inbox items (issue 14), as an option: SMTP settings are configuration, never policy.

The background job (web/inbox/mail.py) hands ``Outbox.deliver`` each person's current inbox
items; the outbox sends one digest of the items not mailed before and remembers them, so an
item is mailed once. The memory is a small SQLite file in the instance folder that every
worker process shares, and a pass runs under a cross-process file lock (a second process
skips its pass). A failed send leaves its items unremembered, so the next pass retries them,
and is recorded for the administrator's inbox; it never reaches a request. The password is
only ever given to smtplib: never logged, stored or shown. No Flask.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from . import small_db

log = logging.getLogger(__name__)
BUSY_TIMEOUT = 10.0
# The SMTP conversation of one pass may take this long before it counts as failed.
SMTP_TIMEOUT = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS sent (
    person TEXT NOT NULL,
    key TEXT NOT NULL,                 -- actions.inbox.Item.key
    sent_at REAL NOT NULL,
    PRIMARY KEY (person, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    person TEXT NOT NULL,
    at REAL NOT NULL,
    error TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value REAL NOT NULL);
"""


@dataclass(frozen=True)
class Settings:
    """Where and how to send: the MAIL_* configuration."""

    server: str
    port: int = 25
    sender: str = ""
    use_tls: bool = False
    username: str = ""
    password: str = ""

    @classmethod
    def from_config(cls, config: Any) -> Settings | None:
        """Return the settings, or None when MAIL_SERVER is not set (no e-mail)."""
        server = str(config.get("MAIL_SERVER") or "").strip()
        if not server:
            return None
        return cls(server, int(config.get("MAIL_PORT") or 25),
                   str(config.get("MAIL_FROM") or config.get("SYSTEM_EMAIL") or ""),
                   bool(config.get("MAIL_USE_TLS")), str(config.get("MAIL_USERNAME") or ""),
                   str(config.get("MAIL_PASSWORD") or ""))

    def __repr__(self) -> str:
        # Never show the password, even in a traceback's locals or a debug print.
        return (f"Settings(server={self.server!r}, port={self.port}, sender={self.sender!r}, "
                f"use_tls={self.use_tls}, username={self.username!r})")


@dataclass(frozen=True)
class Note:
    """One inbox item as a line of the mail: its key (sent once) and its text."""

    key: str
    text: str


@dataclass(frozen=True)
class Failure:
    """The last failed send, for the administrator."""

    person: str
    at: float
    error: str


class Outbox:
    """Which inbox items were mailed to whom, and the sending itself."""

    def __init__(self, settings: Settings, db_path: str | Path, system_name: str = "",
                 clock: Callable[[], float] = time.time):
        self.settings = settings
        self.system_name = system_name
        self.path = Path(db_path)
        self.clock = clock
        small_db.prepare(self.path, SCHEMA, BUSY_TIMEOUT)

    def _db(self) -> Any:
        return closing(small_db.connect(self.path, BUSY_TIMEOUT))

    def lock(self) -> FileLock:
        """Return the cross-process lock one pass holds (a fresh object per use)."""
        return FileLock(str(self.path) + ".lock", thread_local=False)

    def unsent(self, person: str, notes: Iterable[Note]) -> list[Note]:
        """Return the notes not yet mailed to a person."""
        notes = list(notes)
        with self._db() as db:
            done = {r[0] for r in db.execute("SELECT key FROM sent WHERE person=?", (person,))}
        return [n for n in notes if n.key not in done]

    def deliver(self, person: str, address: str, notes: list[Note],
                subject: Callable[[list[Note]], str],
                compose: Callable[[list[Note]], str]) -> bool:
        """Mail a person one message of their new notes; return whether one was sent.

        On a failure nothing is remembered (the next pass tries again) and the failure is
        recorded; the exception does not escape.
        """
        new = self.unsent(person, notes)
        if not new or not address:
            return False
        message = EmailMessage()
        message["From"] = formataddr((self.system_name, self.settings.sender)) \
            if self.system_name else self.settings.sender
        message["To"] = address
        message["Subject"] = subject(new)
        message["Message-ID"] = make_msgid(domain=self.settings.sender.rpartition("@")[2]
                                           or None)
        message.set_content(compose(new), charset="utf-8")
        try:
            self.send(message)
        except (OSError, smtplib.SMTPException) as error:
            self.record_failure(person, f"{type(error).__name__}: {error}")
            return False
        now = self.clock()
        with self._db() as db:
            db.executemany("INSERT OR IGNORE INTO sent VALUES (?, ?, ?)",
                           [(person, n.key, now) for n in new])
            db.execute("INSERT OR REPLACE INTO state VALUES ('last_success', ?)", (now,))
        return True

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the SMTP server (STARTTLS and login when configured)."""
        s = self.settings
        with smtplib.SMTP(s.server, s.port, timeout=SMTP_TIMEOUT) as smtp:
            if s.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password)
            smtp.send_message(message)

    def record_failure(self, person: str, error: str) -> None:
        """Remember a failed send (the newest 100 are kept) and log it without secrets."""
        if self.settings.password:
            error = error.replace(self.settings.password, "***")
        log.warning("could not mail %s: %s", person, error)
        with self._db() as db:
            db.execute("INSERT INTO failures (person, at, error) VALUES (?, ?, ?)",
                       (person, self.clock(), error[:500]))
            db.execute("DELETE FROM failures WHERE id <= (SELECT max(id) - 100 FROM failures)")

    def last_failure(self) -> Failure | None:
        """Return the newest failure if no message went out after it, else None."""
        with self._db() as db:
            row = db.execute("SELECT person, at, error FROM failures ORDER BY id DESC LIMIT 1"
                             ).fetchone()
            ok = db.execute("SELECT value FROM state WHERE key='last_success'").fetchone()
        if row is None or (ok is not None and ok[0] > row["at"]):
            return None
        return Failure(row["person"], row["at"], row["error"])

    def try_pass(self, work: Callable[[], object]) -> bool:
        """Run one pass under the cross-process lock; False if another process runs one."""
        try:
            with self.lock().acquire(timeout=0):
                work()
        except Timeout:
            return False
        return True

