"""Each file's grade next to its standard grade (R24), answered from the index (no YAML read).

One query: the ``customers`` row, the last full year's total from ``sales`` and the open
receivables from ``credit``; the standard itself is ``records.grading.grade_for``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..records.grading import grade_for, last_full_year, overdue_from_row
from ..records.policy import Policy
from . import Index

_SQL = """
SELECT c.id, c.name, c.grade, c.owner, c.department, c.level, c.contacts, c.region,
       c.industry, c.customer_type, c.stage, s.total, cr.receivable, cr.oldest_due
FROM customers c
LEFT JOIN (SELECT customer, SUM(amount) AS total FROM sales WHERE year = ?
           GROUP BY customer) s ON s.customer = c.id
LEFT JOIN credit cr ON cr.customer = c.id
WHERE coalesce(c.damaged, '') = '' AND ({condition})
ORDER BY c.num
"""


def graded(index: Index, policy: Policy, as_of: date,
           condition: tuple[str, list[Any]] = ("1", [])) -> list[dict[str, Any]]:
    """Return every valid file the condition (on ``customers c``) admits, with its standard.

    Each row has the customers columns, ``total`` (the last full year's sales, None without
    figures), ``overdue`` (days), ``standard`` (the grade it should have) and ``reason``.
    """
    index.catch_up()
    year = last_full_year(as_of)
    sql, params = condition
    rows = index.db.connect().execute(_SQL.format(condition=sql), [year, *params]).fetchall()
    found: list[dict[str, Any]] = []
    for row in rows:
        item = dict(row)
        item["overdue"] = overdue_from_row(item["receivable"], item["oldest_due"] or "", as_of)
        standard = grade_for(item["total"], item["overdue"], policy, year)
        item["standard"], item["reason"] = standard.grade, standard
        item["grade"] = item["grade"] or ""
        found.append(item)
    return found


def differing(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the rows whose grade is not their standard grade (files with a standard only)."""
    return [r for r in rows if r["standard"] and r["standard"] != r["grade"]]
