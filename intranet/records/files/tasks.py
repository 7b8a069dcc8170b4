"""Tasks kept in a customer file (R32): who must do what about the customer, and by when."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

INTRODUCE_SUCCESSOR = "introduce_successor"
# R32 says only "promptly" (及時、迅速); policy.yaml may set handover_task_days.
HANDOVER_TASK_DAYS = 7


def handover_task_days(policy_data: dict[str, Any]) -> int:
    """Return the days a successor has to contact a customer after a hand-over."""
    value = policy_data.get("handover_task_days")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return HANDOVER_TASK_DAYS


def introduce_successor(successor: str, leaver: str, leaver_name: str, custodian: bool,
                        today: date, days: int) -> dict[str, Any]:
    """Return the task asking a successor to tell the customer and introduce themselves."""
    # The record keeps Chinese text: it is the company's file, not the interface.
    if custodian:
        summary = f"通知客戶並介紹新的負責人（原負責人：{leaver_name or leaver}）"
    else:
        summary = f"通知客戶並介紹新的聯絡人（原聯絡人：{leaver_name or leaver}）"
    return {"kind": INTRODUCE_SUCCESSOR, "assignee": successor, "summary": summary,
            "from_staff": leaver, "created_on": today.isoformat(),
            "due_on": (today + timedelta(days=days)).isoformat(), "done_on": ""}


def is_open(task: Any) -> bool:
    """Tell whether a task entry is still to be done."""
    return isinstance(task, dict) and not task.get("done_on")


def is_overdue(task: dict[str, Any], today: date) -> bool:
    """Tell whether an open task's due date has passed."""
    due = task.get("due_on")
    return is_open(task) and isinstance(due, str) and bool(due) and due < today.isoformat()


def open_tasks(record: dict[str, Any] | None, today: date,
               assignee: str | None = None) -> list[dict[str, Any]]:
    """Return a file's open tasks (optionally one person's), oldest due first, flagged overdue."""
    found = []
    for task in (record or {}).get("tasks") or []:
        if not is_open(task) or (assignee is not None and task.get("assignee") != assignee):
            continue
        found.append({**task, "overdue": is_overdue(task, today)})
    return sorted(found, key=_due_key)


def done_tasks(record: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Return a file's finished tasks, the latest first."""
    done = [t for t in (record or {}).get("tasks") or [] if isinstance(t, dict)
            and t.get("done_on")]
    return sorted(done, key=lambda t: str(t.get("done_on")), reverse=True)


def assigned_to(files: Iterable[tuple[str, str, dict[str, Any] | None]], username: str,
                today: date) -> list[dict[str, Any]]:
    """Return someone's open tasks across files given as (id, name, record), oldest due first."""
    found = [{**task, "customer": customer_id, "customer_name": name}
             for customer_id, name, record in files
             for task in open_tasks(record, today, assignee=username)]
    return sorted(found, key=_due_key)


def _due_key(task: dict[str, Any]) -> tuple[int, str, str]:
    """Sort tasks by due date, undated ones last."""
    due = str(task.get("due_on") or "")
    return (0 if due else 1, due, str(task.get("created_on") or ""))
