"""The derived index: a SQLite database that mirrors the archive's head, never the truth.

It records the commit it reflects. When the branch moves (a save in any worker process, an
administrator's push) the next reader brings it up to date from the commits in between; if the
history was rewritten it starts again from scratch. Deleting the file loses nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

SCHEMA_VERSION = "8"
# The tables derived from the files, dropped when the schema changes.
TABLES = ("customers", "search", "versions", "late_contacts", "important", "contact_log",
          "handover_steps", "keys", "sales", "credit", "asof_blobs", "asof_sales", "asof_trees",
          "asof_commits", "followups", "form_reviews")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
    num INTEGER PRIMARY KEY,           -- the id's digits: C000042 -> 42, also the search rowid
    id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    blob TEXT NOT NULL,
    damaged TEXT,                      -- why the file does not load or validate, else NULL
    card TEXT, kind TEXT, stage TEXT, market TEXT, channel TEXT,
    grade TEXT, credit_grade TEXT, vip INTEGER NOT NULL DEFAULT 0,
    industry TEXT, nature TEXT, region TEXT, customer_type TEXT,
    level TEXT, owner TEXT, department TEXT,
    contacts TEXT NOT NULL DEFAULT '',  -- custody.contacts, space-separated usernames
    name TEXT, short_name TEXT, phone TEXT, address TEXT,
    created_at TEXT, created_by TEXT, updated_at TEXT, updated_by TEXT,
    version_count INTEGER NOT NULL DEFAULT 0,
    completeness INTEGER,              -- percent of the card's fields filled (R4), NULL if damaged
    missing TEXT NOT NULL DEFAULT '',  -- the empty fields' paths, space-separated
    sales_power REAL                   -- the sales-power total (R16), NULL if never assessed
);
CREATE INDEX IF NOT EXISTS customers_name ON customers (name);
CREATE INDEX IF NOT EXISTS customers_updated ON customers (updated_at);
CREATE INDEX IF NOT EXISTS customers_owner ON customers (owner);
CREATE INDEX IF NOT EXISTS customers_region ON customers (region);
CREATE INDEX IF NOT EXISTS customers_grade ON customers (grade);
CREATE INDEX IF NOT EXISTS customers_stage ON customers (stage);
CREATE INDEX IF NOT EXISTS customers_incomplete ON customers (completeness, updated_at);
-- R18: contact entries recorded after the policy's deadline, for the discipline reports.
CREATE TABLE IF NOT EXISTS late_contacts (
    customer TEXT NOT NULL,
    position INTEGER NOT NULL,         -- the entry's index in the file's contact log
    staff TEXT NOT NULL,
    date TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    days_late INTEGER NOT NULL,
    PRIMARY KEY (customer, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS late_contacts_recorded ON late_contacts (recorded_on);
-- R31: files that need two staff in contact (why: vip, grade, prospect), and every dated
-- contact report (who, when) for the "no report lately" test and R32's first contact.
CREATE TABLE IF NOT EXISTS important (
    customer TEXT PRIMARY KEY,
    reasons TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS contact_log (
    customer TEXT NOT NULL,
    position INTEGER NOT NULL,
    staff TEXT NOT NULL,
    date TEXT NOT NULL,
    PRIMARY KEY (customer, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS contact_log_staff ON contact_log (customer, staff, date);
-- R32: each hand-over task in a file: successor, leaver, day, customer told, first contact.
CREATE TABLE IF NOT EXISTS handover_steps (
    customer TEXT NOT NULL,
    position INTEGER NOT NULL,         -- the task's index in the file's task list
    successor TEXT NOT NULL,
    leaver TEXT NOT NULL,
    handed_on TEXT NOT NULL,
    told_on TEXT NOT NULL,
    told_by TEXT NOT NULL,
    first_contact TEXT NOT NULL,
    PRIMARY KEY (customer, position)
) WITHOUT ROWID;
-- Issue 14: planned next contacts no later contact has followed up (records/conduct/followups.py),
-- and customer forms (R10) waiting for review: the reminders and the inbox read these.
CREATE TABLE IF NOT EXISTS followups (
    customer TEXT NOT NULL,
    position INTEGER NOT NULL,         -- the planning entry's index in the contact log
    staff TEXT NOT NULL,
    date TEXT NOT NULL,
    next_contact TEXT NOT NULL,
    PRIMARY KEY (customer, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS followups_due ON followups (next_contact);
CREATE TABLE IF NOT EXISTS form_reviews (
    customer TEXT NOT NULL,
    proposal TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    link_by TEXT NOT NULL,
    PRIMARY KEY (customer, proposal)
) WITHOUT ROWID;
-- R4: what tells two files apart or the same (records/files/keys.py): tax (統一編號), name, phone.
CREATE TABLE IF NOT EXISTS keys (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    customer TEXT NOT NULL,
    PRIMARY KEY (kind, key, customer)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS keys_customer ON keys (customer);
-- R12, R25-R27: each file's yearly sales per product (yearly[].sales), for the analyses.
CREATE TABLE IF NOT EXISTS sales (
    customer TEXT NOT NULL,
    year INTEGER NOT NULL,
    product TEXT NOT NULL,
    amount REAL NOT NULL,
    PRIMARY KEY (customer, year, product)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sales_year ON sales (year, product);
-- R25-R27: a year's sums per file or per product read the year's rows alone, amounts
-- included (covering indexes: no table row is visited).
CREATE INDEX IF NOT EXISTS sales_year_amount ON sales (year, customer, product, amount);
CREATE INDEX IF NOT EXISTS sales_year_product ON sales (year, product, amount);
-- R25-R27 as of a past date (index/asof.py): each version of a file (a blob) is read once
-- ever, and each commit asked for keeps which blob each file had.
CREATE TABLE IF NOT EXISTS asof_blobs (
    blob TEXT PRIMARY KEY,
    damaged TEXT,
    grade TEXT, region TEXT, level TEXT, owner TEXT, department TEXT, name TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS asof_sales (
    blob TEXT NOT NULL,
    year INTEGER NOT NULL,
    product TEXT NOT NULL,
    amount REAL NOT NULL,
    PRIMARY KEY (blob, year, product)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS asof_trees (
    commit_id TEXT NOT NULL,
    customer TEXT NOT NULL,
    blob TEXT NOT NULL,
    PRIMARY KEY (commit_id, customer)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS asof_commits (commit_id TEXT PRIMARY KEY, files INTEGER NOT NULL);
-- R28: each file's credit section and open receivables (NULL where the file has none).
CREATE TABLE IF NOT EXISTS credit (
    customer TEXT PRIMARY KEY,
    grade TEXT NOT NULL,
    credit_limit REAL,
    terms TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_on TEXT NOT NULL,
    receivable REAL,
    oldest_due TEXT NOT NULL,
    receivable_as_of TEXT NOT NULL
) WITHOUT ROWID;
-- catalogue: what every member of staff may find (id, names), content: the rest (R36).
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (
    catalogue, content, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TABLE IF NOT EXISTS versions (
    customer TEXT NOT NULL,
    seq INTEGER NOT NULL,              -- 1 for the first version of the file
    sha TEXT NOT NULL,
    status TEXT NOT NULL,              -- A, M or D as git reports the file's change
    action TEXT NOT NULL,
    author_name TEXT NOT NULL,
    author_email TEXT NOT NULL,
    authored_at TEXT NOT NULL,         -- ISO 8601 with the author's offset
    subject TEXT NOT NULL,
    -- R19: the file's completeness (-1: does not load), custodian and missing items in this
    -- version (index/neglect.py): a version improves the file only if it fills a missing item.
    completeness INTEGER,
    owner TEXT,
    missing TEXT,
    PRIMARY KEY (customer, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS versions_incomplete ON versions (owner, authored_at)
    WHERE completeness < 100;
"""


class Database:
    """Thread-local SQLite connections to one index file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def connect(self) -> sqlite3.Connection:
        """Return this thread's connection, creating the schema on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._ensure_schema(conn)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        # A new thread's first connection must not wait for another writer's long catch-up
        # (a policy change): a current schema needs no write lock.
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.OperationalError:
            row = None  # no meta table yet
        if row is not None and row[0] == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, "
                         "value TEXT NOT NULL)")
            row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None or row[0] != SCHEMA_VERSION:
                # An index from another version is simply rebuilt: it holds nothing of its own.
                for table in TABLES:
                    conn.execute(f"DROP TABLE IF EXISTS {table}")
                conn.execute("DELETE FROM meta")
                conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def meta(self, key: str) -> str | None:
        """Return a value from the meta table."""
        row = self.connect().execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        """Close every connection opened through this object."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
        self._local = threading.local()
