"""A file's credit against its credit grade (R28): open receivables and how overdue they are."""
from __future__ import annotations

from datetime import date
from typing import Any


def receivable(record: dict[str, Any]) -> float:
    """Return the open receivables amount of a file (0 when none is recorded)."""
    owed = record.get("receivables")
    amount = owed.get("amount") if isinstance(owed, dict) else None
    ok = isinstance(amount, (int, float)) and not isinstance(amount, bool)
    return float(amount) if ok else 0.0


def overdue_days(record: dict[str, Any], today: date) -> int:
    """Return how many days the oldest open receivable is past its due date (0 if none)."""
    owed = record.get("receivables")
    due = owed.get("oldest_due") if isinstance(owed, dict) else None
    if receivable(record) <= 0 or not isinstance(due, str) or not due:
        return 0
    try:
        day = date.fromisoformat(due)
    except ValueError:  # a damaged date is validation's business, not a figure
        return 0
    return max(0, (today - day).days)
