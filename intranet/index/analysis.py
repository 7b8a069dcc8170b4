"""The analyses' sums (R25-R27) straight from the index: no file is read per request.

Every query sums one ``Source``: the head (tables ``sales`` + ``customers``) or a past commit
(``asof_trees`` + ``asof_blobs`` + ``asof_sales``, filled by ``index/asof.py``), restricted by
a scope: an SQL condition on ``customers c`` (``access.figures_sql``). Only valid files count
(``damaged IS NULL``), as everywhere else in the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..records.sales.analysis import GRADE, PRODUCT, REGION
from .database import Database

Scope = tuple[str, list[Any]]  # an SQL condition on ``customers c`` and its parameters
EVERY_FILE: Scope = ("1", [])


@dataclass(frozen=True)
class Source:
    """Where the figures come from: the index's head (commit None) or a cached past commit."""

    commit: str | None = None

    def tables(self, scope: Scope) -> tuple[str, str, list[Any]]:
        """Return (FROM clause, WHERE clause, parameters) over files ``c`` and sales ``s``."""
        sql, params = scope
        if self.commit is None:
            return ("sales s JOIN customers c ON c.id = s.customer",
                    f"c.damaged IS NULL AND ({sql})", list(params))
        where = "t.commit_id = ? AND c.damaged IS NULL"
        if sql != "1":
            # Who may see figures is decided now, on today's index (the as-of files' ids).
            where += f" AND t.customer IN (SELECT c.id FROM customers c WHERE {sql})"
        return ("asof_trees t JOIN asof_blobs c ON c.blob = t.blob "
                "JOIN asof_sales s ON s.blob = t.blob", where, [self.commit, *params])

    @property
    def id(self) -> str:
        """Return the column naming a file's customer id."""
        return "c.id" if self.commit is None else "t.customer"


_COLUMN = {GRADE: "coalesce(c.grade, '')", REGION: "coalesce(c.region, '')"}


def sums(db: Database, source: Source, scope: Scope, by: str, year: int
         ) -> dict[str, tuple[int, float]]:
    """Return {key: (files with a non-zero sale, their sales)} of one year."""
    if source.commit is None:
        return _head_sums(db, scope, by, year)
    tables, where, params = source.tables(scope)
    if by == PRODUCT:
        sql = (f"SELECT s.product, count(*), sum(s.amount) FROM {tables} WHERE {where} "
               "AND s.year = ? AND s.amount != 0 GROUP BY s.product")
    else:
        sql = (f"SELECT key, count(*), sum(total) FROM (SELECT {source.id} AS customer, "
               f"{_COLUMN[by]} AS key, sum(s.amount) AS total FROM {tables} WHERE {where} "
               f"AND s.year = ? GROUP BY {source.id}) WHERE total != 0 GROUP BY key")
    rows = db.connect().execute(sql, [*params, year]).fetchall()
    return {str(key): (int(count), float(amount)) for key, count, amount in rows}


def _head_sums(db: Database, scope: Scope, by: str, year: int
               ) -> dict[str, tuple[int, float]]:
    """Sum the head's year: only valid files have sales rows, so the whole company needs
    no file looked up for products; grades and regions look each file in scope up once."""
    sql, params = scope
    if by == PRODUCT:
        query = ("SELECT s.product, count(*), sum(s.amount) FROM sales s WHERE s.year = ? "
                 f"AND s.amount != 0{_within(sql)} GROUP BY s.product")
        rows = db.connect().execute(query, [year, *params]).fetchall()
    else:
        query = (f"SELECT {_COLUMN[by]}, count(*), sum(x.total) FROM (SELECT s.customer, "
                 f"sum(s.amount) AS total FROM sales s WHERE s.year = ?{_within(sql)} "
                 "GROUP BY s.customer) x JOIN customers c ON c.id = x.customer "
                 f"WHERE x.total != 0 AND c.damaged IS NULL AND ({sql}) GROUP BY 1")
        twice = [] if sql == "1" else params
        rows = db.connect().execute(query, [year, *twice, *params]).fetchall()
    return {str(key): (int(count), float(amount)) for key, count, amount in rows}


def _within(sql: str) -> str:
    """Return the condition keeping sales rows of files in scope ("" for every file)."""
    if sql == "1":
        return ""  # index/rows.py gives sales rows to valid files only
    return f" AND s.customer IN (SELECT c.id FROM customers c WHERE c.damaged IS NULL AND ({sql}))"


def behind(db: Database, source: Source, scope: Scope, by: str, year: int, key: str
           ) -> list[tuple[str, str, float]]:
    """Return the files behind one key's figure: (id, name, amount), largest first."""
    tables, where, params = source.tables(scope)
    if by == PRODUCT:
        sql = (f"SELECT {source.id}, coalesce(c.name, ''), s.amount AS total FROM {tables} "
               f"WHERE {where} AND s.year = ? AND s.product = ? AND s.amount != 0")
    else:
        sql = (f"SELECT {source.id}, coalesce(c.name, ''), sum(s.amount) AS total "
               f"FROM {tables} WHERE {where} AND s.year = ? AND {_COLUMN[by]} = ? "
               f"GROUP BY {source.id} HAVING total != 0")
    rows = db.connect().execute(f"{sql} ORDER BY total DESC, 1", [*params, year, key])
    return [(str(i), str(n), float(a)) for i, n, a in rows.fetchall()]


def trend(db: Database, source: Source, scope: Scope, first: int, last: int
          ) -> dict[int, float]:
    """Return {year: total sales} for the years first..last."""
    if source.commit is None:
        sql, params = scope
        query = ("SELECT s.year, sum(s.amount) FROM sales s WHERE s.year BETWEEN ? AND ?"
                 f"{_within(sql)} GROUP BY s.year")
        params = [first, last, *params]
    else:
        tables, where, params = source.tables(scope)
        query = (f"SELECT s.year, sum(s.amount) FROM {tables} WHERE {where} "
                 "AND s.year BETWEEN ? AND ? GROUP BY s.year")
        params = [*params, first, last]
    return {int(y): float(a) for y, a in db.connect().execute(query, params).fetchall()}


def grade_counts(db: Database, scope: Scope) -> dict[str, int]:
    """Return how many valid files of the scope have each grade ("" for ungraded)."""
    sql, params = scope
    rows = db.connect().execute(
        f"SELECT coalesce(c.grade, ''), count(*) FROM customers c WHERE c.damaged IS NULL "
        f"AND ({sql}) GROUP BY 1", params).fetchall()
    return {str(g): int(n) for g, n in rows}


def years(db: Database, source: Source, scope: Scope) -> list[int]:
    """Return the years that have any sale in the scope, newest first."""
    tables, where, params = source.tables(scope)
    rows = db.connect().execute(f"SELECT DISTINCT s.year FROM {tables} WHERE {where} "
                                "ORDER BY s.year DESC", params).fetchall()
    return [int(r[0]) for r in rows]


def file_sales(db: Database, customer: str) -> list[tuple[int, str, float]]:
    """Return one file's sales rows at the head: (year, product, amount)."""
    rows = db.connect().execute("SELECT year, product, amount FROM sales WHERE customer = ? "
                                "ORDER BY year, product", (customer,)).fetchall()
    return [(int(y), str(p), float(a)) for y, p, a in rows]
