"""The archive as it stood on a past date, for the analyses (R25-R27 "as of any date").

A date means the last commit on the branch before the end of that day in the company's time
zone. Its files are listed with one ``git ls-tree``; each version of a file (a blob, which
never changes) is read at most once ever and its figures kept in ``asof_blobs`` and
``asof_sales``. Versions the head still has are copied from the index's own rows (no YAML
read at all); the rest are read in bulk, in worker processes when there are many, with the
same row code as the index (``index/rows.py``), so "damaged" means the same everywhere.
Which blob each file had at a commit is kept in ``asof_trees``: a commit is listed once.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..archive.repository import Archive
from ..records.files.customers import PREFIX, customer_path, id_from_path
from ..records.rulebook.rules import UNITS, Rules
from . import parallel, rows
from .database import Database

# What a file's blob row keeps, from index/rows.py's ``values``: problem, grade, region,
# level, owner, department, name.
_VALUES = (2, 8, 13, 15, 16, 17, 19)


class BeforeArchive(ValueError):
    """Raised for a date before the archive's first commit: nothing was kept then."""

    def __init__(self, first: date) -> None:
        """Remember the first day the archive knows."""
        super().__init__(first.isoformat())
        self.first = first


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Return the first moment after ``day`` in the company's zone (aware)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def commit_on(archive: Archive, day: date, zone: ZoneInfo) -> str:
    """Return the last commit on the branch before the end of ``day`` (company zone)."""
    head = archive.head()
    if head is None:
        raise BeforeArchive(day)
    until = int(end_of_day(day, zone).timestamp()) - 1  # git dates are whole seconds
    found = archive._git("rev-list", "-1", "--first-parent", f"--before={until} +0000",
                         head).stdout.decode().strip()
    if not found:
        # Commits may be backdated (an import of old paper files): the earliest date counts.
        times = archive._git("log", "--first-parent", "--format=%ct", head).stdout.split()
        when = datetime.fromtimestamp(min(map(int, times)), zone).date() if times else day
        raise BeforeArchive(when)
    return found


def _rules_key(archive: Archive, commit: str) -> str:
    snapshot = archive.snapshot(commit)
    return ",".join(str(snapshot.blob_id(path)) for unit in UNITS for path in unit)


def prepare(db: Database, archive: Archive, commit: str, rules: Rules, head: str) -> int:
    """Make sure the figures of every file at ``commit`` are cached; return how many files.

    The index must be caught up with ``head`` (its rows are the head's versions).
    """
    conn = db.connect()
    done = conn.execute("SELECT files FROM asof_commits WHERE commit_id = ?",
                        (commit,)).fetchone()
    rules_key = conn.execute("SELECT value FROM meta WHERE key='asof_rules'").fetchone()
    if done is not None and rules_key is not None \
            and rules_key[0] == _rules_key(archive, head):
        return int(done[0])
    _forget_if_rules_changed(db, archive, head)
    files = {customer: blob for path, blob in archive.files(PREFIX, commit).items()
             if (customer := id_from_path(path)) is not None}
    missing = _copy_from_index(db, set(files.values()))
    todo = [(customer, customer_path(customer), blob) for customer, blob in files.items()
            if blob in missing]
    made = _read(archive, todo, rules)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for blob, values, sales in made:
            conn.execute("INSERT OR REPLACE INTO asof_blobs VALUES (?,?,?,?,?,?,?,?)",
                         (blob, *values))
            conn.executemany("INSERT OR REPLACE INTO asof_sales VALUES (?,?,?,?)", sales)
        conn.execute("DELETE FROM asof_trees WHERE commit_id = ?", (commit,))
        conn.executemany("INSERT INTO asof_trees VALUES (?,?,?)",
                         [(commit, c, b) for c, b in files.items()])
        conn.execute("INSERT OR REPLACE INTO asof_commits VALUES (?, ?)", (commit, len(files)))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(files)


def _forget_if_rules_changed(db: Database, archive: Archive, head: str) -> None:
    """Empty the cache when the policy or staff changed: "damaged" may mean something else."""
    key = _rules_key(archive, head)
    conn = db.connect()
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = conn.execute("SELECT value FROM meta WHERE key='asof_rules'").fetchone()
        if found is None or found[0] != key:
            for table in ("asof_blobs", "asof_sales", "asof_trees", "asof_commits"):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('asof_rules', ?)", (key,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _copy_from_index(db: Database, blobs: set[str]) -> set[str]:
    """Copy the figures of the versions the head still has from the index's rows; return
    the versions still missing (to be read)."""
    conn = db.connect()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS asof_wanted (blob TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM asof_wanted")
        conn.executemany("INSERT OR IGNORE INTO asof_wanted VALUES (?)", [(b,) for b in blobs])
        conn.execute("DELETE FROM asof_wanted WHERE blob IN (SELECT blob FROM asof_blobs)")
        conn.execute(
            "INSERT OR IGNORE INTO asof_blobs SELECT c.blob, c.damaged, c.grade, c.region, "
            "c.level, c.owner, c.department, c.name FROM customers c JOIN asof_wanted w "
            "ON w.blob = c.blob ORDER BY c.blob")
        conn.execute(
            "INSERT OR IGNORE INTO asof_sales SELECT c.blob, s.year, s.product, s.amount "
            # CROSS JOIN keeps this order: each file once, its sales by their primary key.
            "FROM customers c CROSS JOIN asof_wanted w ON w.blob = c.blob "
            "CROSS JOIN sales s ON s.customer = c.id ORDER BY c.blob, s.year, s.product")
        missing = {row[0] for row in conn.execute(
            "SELECT w.blob FROM asof_wanted w WHERE w.blob NOT IN (SELECT blob FROM asof_blobs)")}
        conn.execute("DELETE FROM asof_wanted")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return missing


Made = tuple[str, tuple, list[tuple]]  # blob, blob row values, sales rows (blob-keyed)


def _read(archive: Archive, todo: list[parallel.Item], rules: Rules) -> list[Made]:
    """Read and check the given versions; many of them in worker processes."""
    made: list[Made] = []
    seen: set[str] = set()
    todo = [item for item in todo if not (item[2] in seen or seen.add(item[2]))]
    if parallel.worth_it(len(todo)):
        try:
            for (customer, path, blob), raw, found in parallel.prepare(archive, todo, rules):
                made.append(_made(blob, found) if found is not None
                            else _here(customer, path, blob, raw, rules))
        except parallel.FAILURES:
            made = []  # slower, not wrong: read them all here
    if len(made) < len(todo):
        raws = archive.read_many([blob for _c, _p, blob in todo])
        made = [_here(customer, path, blob, raw or b"", rules)
                for (customer, path, blob), raw in zip(todo, raws, strict=True)]
    return made


def _here(customer: str, path: str, blob: str, raw: bytes, rules: Rules) -> Made:
    """Return a version's figures, made here: only what an analysis needs of the row code."""
    record, problem = rows.checked(raw, path, rules)
    custody = record.get("custody") if isinstance(record.get("custody"), dict) else {}

    def text(section: dict, key: str) -> str:
        value = section.get(key) if isinstance(section, dict) else None
        return value if isinstance(value, str) else ""

    values = (problem, text(record, "grade"),
              text(record.get("classification") or {}, "region"), text(custody, "level"),
              text(custody, "owner"), text(custody, "department"),
              text(record.get("basic") or {}, "name"))
    sales = rows.sales_rows(customer, record) if problem is None else []
    return blob, values, [(blob, year, product, amount) for _c, year, product, amount in sales]


def _made(blob: str, found: rows.FileRows) -> Made:
    values = tuple(found.values[i] for i in _VALUES)
    return blob, values, [(blob, year, product, amount)
                          for _c, year, product, amount in found.sales]
