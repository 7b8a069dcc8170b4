"""Answer the customer list from the index: filters, search, sorting and paging."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field, fields
from typing import Any

from . import text
from .database import Database

# Filters are exact matches on these columns; anything else in a query string is ignored.
FILTERS = ("card", "kind", "stage", "grade", "region", "industry", "owner", "level",
           "department", "market", "channel")
SORTS = {
    "id": "num", "name": "name", "grade": "grade", "region": "region", "stage": "stage",
    "owner": "owner", "level": "level", "card": "card", "updated": "updated_at",
    "industry": "industry",
}
CATALOGUE = ("id", "name", "kind", "card", "region", "owner", "level", "department")


@dataclass
class Query:
    """What the customer list asks for; every field has a safe default."""

    q: str = ""
    card: str = ""
    kind: str = ""
    stage: str = ""
    grade: str = ""
    region: str = ""
    industry: str = ""
    owner: str = ""
    level: str = ""
    department: str = ""
    market: str = ""
    channel: str = ""
    vip: bool = False
    damaged: bool = False
    sort: str = "id"
    desc: bool = False
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_args(cls, args: Any) -> Query:
        """Build a query from a request's arguments, ignoring what does not make sense."""
        query = cls()
        for f in fields(cls):
            raw = args.get(f.name)
            if raw is None:
                continue
            if f.name in ("vip", "damaged", "desc"):
                setattr(query, f.name, str(raw).lower() in ("1", "true", "on", "yes"))
            elif f.name in ("page", "per_page"):
                with contextlib.suppress(ValueError):
                    setattr(query, f.name, int(raw))
            else:
                setattr(query, f.name, str(raw)[:200])
        query.page = max(1, query.page)
        query.per_page = min(200, max(1, query.per_page))
        if query.sort not in SORTS:
            query.sort = "id"
        return query


@dataclass
class Page:
    """One page of results and where it sits in the whole."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, math.ceil(self.total / self.per_page))


# Filters and sorts on these columns look at a file's contents: they see only readable files.
CONTENT_FILTERS = ("stage", "grade", "industry", "market", "channel")
CONTENT_SORTS = ("grade", "stage", "updated", "industry")


def find(db: Database, query: Query, readable: tuple[str, list[Any]] | None = None,
         only_readable: bool = False) -> Page:
    """Return the page of customers that match the query.

    ``readable`` is an SQL condition on ``customers c`` (with its parameters) true for the files
    the asker may read (access.readable_sql); without it every file is readable. Other files
    match only on their catalogue (id, name) and come back as catalogue cards.
    """
    can, can_params = readable or ("1", [])
    where: list[str] = []
    params: list[Any] = []
    if only_readable:
        where.append(can)
        params += can_params
    for name in FILTERS:
        value = getattr(query, name)
        if value:
            where.append(f"c.{name} = ?")
            params.append(value)
            if name in CONTENT_FILTERS:
                where.append(can)
                params += can_params
    if query.vip or query.damaged:
        where.append(can)
        params += can_params
    if query.vip:
        where.append("c.vip = 1")
    if query.damaged:
        where.append("c.damaged IS NOT NULL")
    expression = text.match_expression(query.q) if query.q.strip() else None
    if expression:
        where.append("(c.num IN (SELECT rowid FROM search WHERE search MATCH ?)"
                     f" OR ({can} AND c.num IN (SELECT rowid FROM search WHERE search MATCH ?)))")
        params += [f"catalogue : ({expression})", *can_params, expression]
    elif query.q.strip():
        where.append("0")  # only punctuation: nothing can match it
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    conn = db.connect()
    total = conn.execute(f"SELECT count(*) FROM customers c{clause}", params).fetchone()[0]
    column = "c." + SORTS[query.sort]
    order_params: list[Any] = []
    if query.sort in CONTENT_SORTS and readable is not None:
        column = f"CASE WHEN {can} THEN {column} END"  # hidden files sort as blanks
        order_params = list(can_params)
    order = column + (" DESC" if query.desc else "")
    rows = conn.execute(
        f"SELECT c.*, {can} AS readable FROM customers c{clause}"
        f" ORDER BY {order}, c.num LIMIT ? OFFSET ?",
        [*can_params, *params, *order_params, query.per_page,
         (query.page - 1) * query.per_page],
    ).fetchall()
    return Page([_card(dict(r)) for r in rows], total, query.page, query.per_page)


def _card(row: dict[str, Any]) -> dict[str, Any]:
    """Return a row whole if it is readable, else only its catalogue card."""
    if row.get("readable"):
        row["readable"] = True
        return row
    return {**{k: row.get(k) for k in CATALOGUE}, "readable": False}


def get(db: Database, customer_id: str) -> dict[str, Any] | None:
    """Return the index row of one customer, or None."""
    row = db.connect().execute("SELECT * FROM customers WHERE id=?", (customer_id,)).fetchone()
    return dict(row) if row else None


def versions(db: Database, customer_id: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Return a file's versions, newest first, without walking git's log."""
    sql = "SELECT * FROM versions WHERE customer=? ORDER BY seq DESC"
    params: list[Any] = [customer_id]
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return [dict(r) for r in db.connect().execute(sql, params).fetchall()]


def choices(db: Database, column: str) -> list[str]:
    """Return the distinct values of a filter column, for the list's drop-downs."""
    if column not in FILTERS:
        raise ValueError(column)
    rows = db.connect().execute(
        f"SELECT DISTINCT {column} FROM customers WHERE {column} != '' ORDER BY {column}"
    ).fetchall()
    return [r[0] for r in rows]


def matches(db: Database, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """Return the files holding each (kind, key) of ``records.files.keys``, by id; absent: none."""
    found: dict[tuple[str, str], list[str]] = {}
    conn = db.connect()
    wanted = sorted(set(pairs))
    for start in range(0, len(wanted), 300):  # SQLite's bound-parameter limit
        chunk = wanted[start:start + 300]
        terms = " OR ".join("(kind=? AND key=?)" for _ in chunk)
        params = [part for pair in chunk for part in pair]
        for row in conn.execute(f"SELECT kind, key, customer FROM keys WHERE {terms}"
                                " ORDER BY customer", params):
            found.setdefault((row[0], row[1]), []).append(row[2])
    return found


def keys_of(db: Database, kind: str) -> dict[str, str]:
    """Return each file's key of one kind (a file has at most one of each), by customer id."""
    rows = db.connect().execute("SELECT customer, key FROM keys WHERE kind=?", (kind,))
    return {row[0]: row[1] for row in rows}


def duplicate_groups(db: Database, limit: int = 500) -> list[tuple[str, list[str]]]:
    """Return (kind, ids) of every key two or more files share: tax first, then name, phone."""
    rows = db.connect().execute(
        "SELECT kind, group_concat(customer, ' ') FROM keys GROUP BY kind, key"
        " HAVING count(*) > 1 ORDER BY CASE kind WHEN 'tax' THEN 0 WHEN 'name' THEN 1"
        " ELSE 2 END, min(customer) LIMIT ?", (limit,)).fetchall()
    return [(kind, sorted(ids.split())) for kind, ids in rows]
