"""A file's credit position (R28): exception, exposure, overdue days, warnings, review reasons.

Computed the same way from a record (the card) and from the index's ``credit`` row (the credit
page, the home panels), so a list and a card never disagree. Thresholds are policy data
(``credit_review``: overdue_days, exposure_percent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from intranet.records.files.messages import N_
from intranet.records.sales.credit import Standing, overdue_days, receivable, standing

# Why a file is on the credit review list, in the order a page lists them.
OVER_LIMIT, OVERDUE, EXPOSURE = "over_limit", "overdue", "exposure"
REASONS = {OVER_LIMIT: N_("Receivables above the limit"),
           OVERDUE: N_("Overdue beyond the review threshold"),
           EXPOSURE: N_("High exposure")}


@dataclass(frozen=True)
class Position:
    """Where a file stands: its standing, receivables, exposure and overdue days."""

    standing: Standing
    owed: float
    oldest_due: str
    as_of: str
    limit: float  # the limit the receivables count against: the file's, else its grade's
    exposure: float | None  # percent of the limit; None when the limit is 0
    overdue: int
    days: int | None  # the grade's payment term in days
    handling: str  # the grade's 交易業務信用處理辦法
    review: tuple[str, ...]  # the review reasons (OVER_LIMIT, OVERDUE, EXPOSURE)

    @property
    def warning(self) -> bool:
        """Tell whether the card and the custodian's home page warn about this file."""
        return bool(self.review) or self.overdue > 0


def position(record: dict[str, Any], policy: Any, today: date) -> Position:
    """Return a file's credit position under the policy, as of ``today`` (company time)."""
    held = standing(record, policy)
    owed = receivable(record)
    late = overdue_days(record, today)
    limit = held.limit if held.limit is not None else held.grade_limit
    exposure = owed * 100 / limit if limit > 0 else None
    review_days, percent = policy.credit_review
    reasons = []
    if owed > limit:
        reasons.append(OVER_LIMIT)
    if late > review_days:
        reasons.append(OVERDUE)
    if exposure is not None and exposure >= percent and owed > 0 and owed <= limit:
        reasons.append(EXPOSURE)
    entry = policy.credit_grade(held.grade) or {}
    days = entry.get("days")
    owed_section = record.get("receivables") if isinstance(record.get("receivables"),
                                                           dict) else {}
    return Position(held, owed, str(owed_section.get("oldest_due") or ""),
                    str(owed_section.get("as_of") or ""), limit, exposure, late,
                    days if isinstance(days, int) and not isinstance(days, bool) else None,
                    str(entry.get("handling") or ""), tuple(reasons))


def record_of_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return the credit and receivables sections of an index ``credit`` row as a record."""
    return {"credit": {"grade": row.get("grade") or "", "limit": row.get("credit_limit"),
                       "terms": row.get("terms") or "",
                       "approved_by": row.get("approved_by") or "",
                       "approved_on": row.get("approved_on") or ""},
            "receivables": {"amount": row.get("receivable"),
                            "oldest_due": row.get("oldest_due") or "",
                            "as_of": row.get("receivable_as_of") or ""}}
