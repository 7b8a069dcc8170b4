"""Planned next contacts (issue 14): a contact entry's ``next_contact`` is an obligation.

The obligation stands until someone records a contact dated after the entry that planned it:
the newer contact is the follow-up (and may plan the next one). Only full, valid dates count;
a damaged date is the validator's business, not a reminder. No Flask.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from intranet.records.files.formats import check_date


class Planned(NamedTuple):
    """One open obligation: the entry that planned it, who wrote it and the planned day."""

    position: int  # the entry's index in the file's contact log
    staff: str
    date: str  # the planning contact's own date
    next_contact: str


def open_plans(record: dict[str, Any]) -> list[Planned]:
    """Return the file's planned next contacts that no later contact has followed up."""
    entries = [(i, e) for i, e in enumerate(record.get("contacts") or [])
               if isinstance(e, dict)]
    days = [str(e.get("date")) for _, e in entries
            if isinstance(e.get("date"), str) and not check_date(e["date"])]
    newest = max(days, default="")
    found = []
    for position, entry in entries:
        planned, day = entry.get("next_contact"), entry.get("date")
        if not (isinstance(planned, str) and planned and not check_date(planned)):
            continue
        if not (isinstance(day, str) and not check_date(day)) or day < newest:
            continue  # a later contact followed it up
        found.append(Planned(position, str(entry.get("staff") or ""), day, planned))
    return found


def due_by(today: date, notice_days: int) -> str:
    """Return the last planned day that is due (shown) today, as an ISO date."""
    return (today + timedelta(days=max(0, notice_days))).isoformat()
