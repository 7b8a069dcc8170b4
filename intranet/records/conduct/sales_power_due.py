"""When a file's first sales-power analysis is due (R16): policy ``sales_power.deadline_days``.

Policy 第二章: every customer gets a sales-power analysis (客戶綜合銷售力分析表). A file
opened (its first version, a day in the company's time zone) more than ``deadline_days``
ago without one is a task for its custodian and is listed for HR and the managers; the
policy names no fine for it, so none is counted. No Flask.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from intranet.records.rulebook.policy import Policy


def due_on(opened: date, policy: Policy) -> date:
    """Return the last day a file opened on ``opened`` may go without an analysis."""
    return opened + timedelta(days=policy.sales_power_deadline_days)


def days_overdue(opened: date, today: date, policy: Policy) -> int:
    """Return how many days past its deadline an unassessed file is (0 while it is not)."""
    return max(0, (today - due_on(opened, policy)).days)


def tasks(rows: list[dict[str, Any]], today: date, policy: Policy,
          overdue_only: bool = False) -> list[dict[str, Any]]:
    """Return the unassessed files with due_on and overdue, the most overdue first.

    Each row needs ``opened_on`` (a date); rows without one (never indexed) are left out.
    """
    found = []
    for row in rows:
        opened = row.get("opened_on")
        if not isinstance(opened, date):
            continue
        late = days_overdue(opened, today, policy)
        if overdue_only and late <= 0:
            continue
        found.append({**row, "due_on": due_on(opened, policy), "overdue": late})
    found.sort(key=lambda row: (-row["overdue"], row["due_on"], str(row.get("customer"))))
    return found
