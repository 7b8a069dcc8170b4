"""The grade a file should have by the policy's standard (R24), from its record or the index.

The standard looks at the last full year (the year before the as-of date's, company time):
the file's total ``yearly[].sales`` of that year, and how many days its open receivables are
overdue. The first grade in policy order whose ``min_sales`` the total reaches, and whose
``max_overdue_days`` (when set) the overdue days do not pass, is the standard grade. A file
with no sales figure for that year is ungraded (""), never a guess; so is every file when no
grade of the policy has a ``min_sales``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from intranet.records.files.messages import N_
from intranet.records.rulebook.policy import Policy
from intranet.records.sales import credit


@dataclass(frozen=True)
class Standard:
    """A file's standard grade and why, in words with parameters (an English msgid)."""

    grade: str
    reason: str
    params: dict[str, Any]

    def describe(self) -> str:
        """Return the reason in English with its parameters filled in."""
        return self.reason % self.params


def last_full_year(as_of: date) -> int:
    """Return the last full year before a date (the year whose sales the standard reads)."""
    return as_of.year - 1


def year_sales(record: dict[str, Any], year: int) -> float | None:
    """Return a record's total sales of a year, or None when it has no figure for that year.

    Like the index's ``sales`` table: every numeric amount of every entry of that year, so a
    year whose entries list no amount counts as no figure.
    """
    total: float | None = None
    for entry in record.get("yearly") or []:
        if not isinstance(entry, dict) or entry.get("year") != year:
            continue
        sales = entry.get("sales")
        for amount in (sales.values() if isinstance(sales, dict) else ()):
            if isinstance(amount, (int, float)) and not isinstance(amount, bool):
                total = (total or 0) + amount
    return total


def grade_code(total: float | None, overdue: int, standards: list[dict[str, Any]]) -> str:
    """Return the first standard grade a year's total and overdue days meet ("" if none)."""
    if total is None:
        return ""
    for g in standards:
        limit = g.get("max_overdue_days")
        if total >= g["min_sales"] and (limit is None or overdue <= limit):
            return str(g["code"])
    return ""


def grade_for(total: float | None, overdue: int, policy: Policy, year: int) -> Standard:
    """Return the standard grade for a year's total sales and the overdue days (R24)."""
    standards = policy.grade_standards()
    if not standards:
        return Standard("", N_("The policy sets no grade standard."), {})
    if total is None:
        return Standard("", N_("Ungraded: no sales figures for %(year)s."), {"year": year})
    for g in standards:
        limit = g.get("max_overdue_days")
        if total >= g["min_sales"] and (limit is None or overdue <= limit):
            params = {"grade": g["code"], "year": year, "total": f"{total:,.0f}",
                      "least": f"{g['min_sales']:,.0f}", "days": overdue, "limit": limit}
            if limit is None:
                return Standard(g["code"], N_(
                    "%(grade)s: sales of %(total)s in %(year)s reach %(least)s."), params)
            return Standard(g["code"], N_(
                "%(grade)s: sales of %(total)s in %(year)s reach %(least)s and receivables "
                "are %(days)s days overdue (at most %(limit)s)."), params)
    return Standard("", N_("Ungraded: sales of %(total)s in %(year)s meet no grade's "
                           "standard."), {"total": f"{total:,.0f}", "year": year})


def standard(record: dict[str, Any], policy: Policy, as_of: date) -> Standard:
    """Return the grade a file should have on a date, with the reason (R24)."""
    year = last_full_year(as_of)
    return grade_for(year_sales(record, year), credit.overdue_days(record, as_of), policy, year)


def standard_grade(record: dict[str, Any], policy: Policy, as_of: date) -> str:
    """Return the grade a file should have on a date ("" when ungraded)."""
    return standard(record, policy, as_of).grade


def overdue_from_row(receivable: float | None, oldest_due: str, as_of: date) -> int:
    """Return the overdue days from an index ``credit`` row, as ``credit.overdue_days`` does."""
    return credit.overdue_days({"receivables": {"amount": receivable,
                                                "oldest_due": oldest_due}}, as_of)
