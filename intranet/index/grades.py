"""Each file's grade next to its standard grade (R24), answered from the index (no YAML read).

One query: the ``customers`` row, the last full year's total from ``sales`` (a seek on its
primary key per file) and the overdue days from ``credit``; the standard is the policy's
grades written out as one SQL ``CASE`` in policy order, the same rule as
``records.sales.grading.grade_code`` (the tests compare both with the YAML files). Filtering and
paging happen in SQL, so a page costs the same at 10,000 files as at 100.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..records.rulebook.policy import Policy
from ..records.sales.grading import grade_for, last_full_year
from . import Index

# Days the oldest open receivable is past due, 0 when nothing is owed or the date is unreadable
# (as records.credit.overdue_days).
_OVERDUE = ("CASE WHEN coalesce(cr.receivable, 0) > 0 AND coalesce(cr.oldest_due, '') <> ''"
            " THEN coalesce(max(0, CAST(julianday(?) - julianday(cr.oldest_due) AS INTEGER)),"
            " 0) ELSE 0 END")
_BASE = """
SELECT c.num, c.id, c.name, coalesce(c.grade, '') AS grade, c.owner, c.department, c.level,
       c.contacts, c.region, c.industry, c.customer_type, c.stage,
       (SELECT SUM(s.amount) FROM sales s WHERE s.customer = c.id AND s.year = ?) AS total,
       {overdue} AS overdue
FROM customers c
LEFT JOIN credit cr ON cr.customer = c.id
WHERE coalesce(c.damaged, '') = '' AND ({condition})
"""
FILTERS = ("grade", "standard", "region", "department")


def _standard_sql(policy: Policy) -> tuple[str, list[Any]]:
    """Return the standard grade as an SQL CASE on ``total`` and ``overdue``."""
    terms, params = ["WHEN total IS NULL THEN ''"], []
    for g in policy.grade_standards():
        limit = g.get("max_overdue_days")
        if limit is None:
            terms.append("WHEN total >= ? THEN ?")
            params += [g["min_sales"], str(g["code"])]
        else:
            terms.append("WHEN total >= ? AND overdue <= ? THEN ?")
            params += [g["min_sales"], limit, str(g["code"])]
    return "CASE " + " ".join(terms) + " ELSE '' END", params


def _query(policy: Policy, as_of: date, condition: tuple[str, list[Any]]
           ) -> tuple[str, list[Any]]:
    """Return the SQL of every admitted file with ``total``, ``overdue`` and ``standard``."""
    sql, params = condition
    standard, standard_params = _standard_sql(policy)
    inner = _BASE.format(overdue=_OVERDUE, condition=sql)
    # MATERIALIZED: each file's total is looked up once, not once per grade the CASE tries.
    return (f"WITH t AS MATERIALIZED ({inner}) SELECT *, {standard} AS standard FROM t",
            [last_full_year(as_of), as_of.isoformat(), *params, *standard_params])


def graded(index: Index, policy: Policy, as_of: date,
           condition: tuple[str, list[Any]] = ("1", [])) -> list[dict[str, Any]]:
    """Return every valid file the condition (on ``customers c``) admits, with its standard.

    Each row has the customers columns, ``total`` (the last full year's sales, None without
    figures), ``overdue`` (days) and ``standard`` (the grade it should have, "" ungraded).
    """
    index.catch_up()
    sql, params = _query(policy, as_of, condition)
    return [dict(r) for r in index.db.connect().execute(sql + " ORDER BY num", params)]


def differing(index: Index, policy: Policy, as_of: date,
              condition: tuple[str, list[Any]] = ("1", []), filters: dict[str, str] | None = None,
              limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Return (a page of, how many) files whose grade is not their non-empty standard grade."""
    index.catch_up()
    sql, params = _query(policy, as_of, condition)
    where = ["standard <> ''", "standard <> grade"]
    for key, value in (filters or {}).items():
        if key in FILTERS and value:
            where.append(f"coalesce({key}, '') = ?")
            params.append(value)
    # One pass: the window count says how many match while only a page is returned.
    body = f"SELECT *, count(*) OVER () AS matching FROM ({sql}) WHERE {' AND '.join(where)}"
    conn = index.db.connect()
    page = " ORDER BY num" + (" LIMIT ? OFFSET ?" if limit is not None else "")
    rows = [dict(r) for r in conn.execute(
        body + page, [*params, *([limit, offset] if limit is not None else [])])]
    if rows:
        return rows, int(rows[0]["matching"])
    if not offset:
        return [], 0
    # A page past the end: count alone.
    return [], int(conn.execute(f"SELECT count(*) FROM ({body})", params).fetchone()[0])


def explain(rows: list[dict[str, Any]], policy: Policy, as_of: date) -> list[dict[str, Any]]:
    """Add each row's standard with its reason in words (``reason``), for the rows shown."""
    year = last_full_year(as_of)
    for row in rows:
        row["reason"] = grade_for(row["total"], row["overdue"], policy, year)
    return rows
