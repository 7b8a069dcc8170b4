"""A hand-over's steps per customer (R32): the customer told, the successor's first contact.

Policy 1, 第八條: 負責與客戶聯系的員工調離公司時,應由公司及時通知有關客戶,并指派其員工頂替
調離員工迅速與客戶建立聯系. ``records.conduct.handover`` gives every file a leaver held a task
of kind
``introduce_successor`` (assignee: the successor, from_staff: the leaver, created_on: the
day of the hand-over). This module reads the steps off that task and the contact log:

- **told**: ``told_on`` and ``told_by`` on the task, entered afterwards by the successor or a
  manager (``actions.handover_steps``); due ``departures.notify_days`` after the hand-over;
- **first contact**: the successor's first contact report dated on or after the hand-over;
  due ``departures.first_contact_days`` after it.

A step not done by its day is overdue until it is done. No Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from intranet.records.conduct.discipline import as_date
from intranet.records.files.marks import is_withdrawn
from intranet.records.files.tasks import INTRODUCE_SUCCESSOR
from intranet.records.rulebook.policy import Policy
from intranet.records.rulebook.staff import Directory

NOTIFY, FIRST_CONTACT = "notify", "first_contact"


@dataclass(frozen=True)
class Step:
    """One customer's hand-over from a leaver to a successor, and how far it got."""

    position: int  # the task's index in the file's task list
    successor: str
    leaver: str
    handed_on: str
    told_on: str
    told_by: str
    first_contact: str  # the successor's first report on or after handed_on, or ""

    def as_row(self, customer: str) -> tuple[Any, ...]:
        """Return the index row (see index.database)."""
        return (customer, self.position, self.successor, self.leaver, self.handed_on,
                self.told_on, self.told_by, self.first_contact)


def steps(record: dict[str, Any]) -> list[Step]:
    """Return the hand-over steps recorded in a file, oldest first."""
    found = []
    for position, task in enumerate(record.get("tasks") or []):
        if not isinstance(task, dict) or task.get("kind") != INTRODUCE_SUCCESSOR:
            continue
        handed = as_date(task.get("created_on"))
        if handed is None:
            continue
        successor = str(task.get("assignee") or "")
        found.append(Step(position, successor, str(task.get("from_staff") or ""),
                          handed.isoformat(), _day(task.get("told_on")),
                          str(task.get("told_by") or ""),
                          first_contact(record, successor, handed)))
    return found


def first_contact(record: dict[str, Any], staff: str, since: date) -> str:
    """Return the date of someone's first contact report on or after a day, or ""."""
    days = [d for entry in record.get("contacts") or [] if isinstance(entry, dict)
            and not is_withdrawn(entry) and entry.get("staff") == staff
            and (d := as_date(entry.get("date"))) is not None and d >= since]
    return min(days).isoformat() if days else ""


def due(handed_on: str, policy: Policy) -> dict[str, str]:
    """Return the day each step is due, by step."""
    start = date.fromisoformat(handed_on)
    rule = policy.data["departures"]
    return {NOTIFY: (start + timedelta(days=int(rule["notify_days"]))).isoformat(),
            FIRST_CONTACT: (start + timedelta(days=int(rule["first_contact_days"]))).isoformat()}


def overdue(row: dict[str, Any], policy: Policy, today: date) -> list[str]:
    """Return the steps of a hand-over row (told_on, first_contact, handed_on) that are late."""
    deadlines = due(str(row["handed_on"]), policy)
    late = []
    if not row.get("told_on") and deadlines[NOTIFY] < today.isoformat():
        late.append(NOTIFY)
    if not row.get("first_contact") and deadlines[FIRST_CONTACT] < today.isoformat():
        late.append(FIRST_CONTACT)
    return late


def mark_told(record: dict[str, Any], position: int, told_on: date,
              told_by: str) -> dict[str, Any]:
    """Return the record with a hand-over task noting that the customer was told."""
    tasks = [dict(t) if isinstance(t, dict) else t for t in record.get("tasks") or []]
    task = tasks[position]
    task["told_on"], task["told_by"] = told_on.isoformat(), told_by
    return {**record, "tasks": tasks}


def _day(value: Any) -> str:
    found = as_date(value)
    return found.isoformat() if found else ""


def may_record_told(username: str, role: str, record: dict[str, Any], position: int,
                    directory: Directory, policy: Policy) -> bool:
    """Tell whether someone may note that the customer of a hand-over was told.

    The successor, the manager of the file's department, the leaver's former manager, the
    roles in ``departures.escalate_roles`` and the administrator may; nobody who has left,
    and no role that reads no contents (HR).
    """
    tasks = record.get("tasks") or []
    if not (0 <= position < len(tasks)) or not isinstance(tasks[position], dict) \
            or tasks[position].get("kind") != INTRODUCE_SUCCESSOR:
        return False
    if not directory.is_active(username) or role in (policy.data.get("no_contents_roles") or []):
        return False
    task = tasks[position]
    custody = record.get("custody") if isinstance(record.get("custody"), dict) else {}
    managers = {directory.manager_of(str(custody.get("department") or "")),
                directory.manager_of_member(str(task.get("from_staff") or ""))}
    return (username == task.get("assignee") or username in managers - {""}
            or role in (policy.data["departures"].get("escalate_roles") or [])
            or role == policy.custodian_role("company"))
