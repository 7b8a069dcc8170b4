"""What HR watches when someone leaves (R32, R36): their reads and exports of the last weeks,
and hand-over steps left undone. No Flask; works on journal entries and index rows only, so
no customer file is opened.

Policy 1, 一.六: 員工調離公司時,不得將客戶資料帶走. The journal's allowed entries of a leaver
from ``departures.watch_days`` days before ``left_on`` onwards (in the office's time zone;
anything after that day too) are listed for HR: file id, action, basis, time, address.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta, tzinfo
from typing import Any

from intranet.records.conduct.discipline import as_date
from intranet.records.conduct.handover_steps import overdue
from intranet.records.rulebook.policy import Policy
from intranet.records.rulebook.staff import Directory
from intranet.records.trail.audit import parse_stamp


def leavers(directory: Directory) -> list[dict[str, Any]]:
    """Return the members who have left, the latest leaver first."""
    gone = [m for m in directory.staff if as_date(m.get("left_on")) is not None]
    return sorted(gone, key=lambda m: str(m.get("left_on")), reverse=True)


def watch_start(left_on: date, policy: Policy) -> date:
    """Return the first day of a leaver's watched weeks."""
    return left_on - timedelta(days=int(policy.data["departures"]["watch_days"]))


def last_weeks(entries: Iterable[dict[str, Any]], username: str, left_on: date,
               policy: Policy, zone: tzinfo) -> list[dict[str, Any]]:
    """Return a leaver's allowed journal entries from the watch's first day on, oldest first.

    Each has at (an aware datetime in ``zone``), customer, action, basis and address.
    """
    start = watch_start(left_on, policy)
    found = []
    for entry in entries:
        if entry.get("user") != username or entry.get("allowed") is not True:
            continue
        try:
            at = parse_stamp(str(entry["at"])).astimezone(zone)
        except (KeyError, ValueError):
            continue
        if at.date() >= start:
            found.append({"at": at, "customer": str(entry.get("customer", "")),
                          "action": str(entry.get("action", "")),
                          "basis": str(entry.get("basis", "")),
                          "address": str(entry.get("address", "")),
                          "after": at.date() > left_on, "seq": entry.get("seq", 0)})
    found.sort(key=lambda e: (e["at"], e["seq"]))
    return found


def overdue_steps(rows: Iterable[dict[str, Any]], policy: Policy,
                  today: date) -> list[dict[str, Any]]:
    """Return the hand-over rows (index.followups) with a late step, with ``late`` set."""
    return [{**row, "late": late} for row in rows if (late := overdue(row, policy, today))]
