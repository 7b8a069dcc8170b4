"""Two or more staff in contact with each important or promising customer (R31). No Flask.

Policy 1, 第八條: 對一些較重要、未來將發展的新客戶,公司要有兩個以上的人員與之聯系,并建立聯系
報告制. A customer is *important* when it is a VIP (``two_contacts.vip``) or of one of the
grades ``two_contacts.grades``; *promising* when it is a prospect whose sales-power score
reaches ``two_contacts.prospect_score``. Its staff in contact are the custodian and the
file's named contacts (custody.contacts). It is listed for managers when it has fewer than
``two_contacts.minimum`` of them, or when any of them filed no contact report (an entry of
the contact log under their name) within the last ``two_contacts.report_days`` days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from intranet.records.conduct.discipline import Scope, as_date, importance
from intranet.records.files.marks import is_withdrawn
from intranet.records.rights.access import Actor
from intranet.records.rulebook.policy import Policy
from intranet.records.rulebook.staff import Directory

# R31's "important or promising" test is the one the card's warning uses.
reasons = importance


def staff_of(owner: str, contacts: Iterable[str]) -> tuple[str, ...]:
    """Return the staff in contact: the custodian and the named contacts, each once."""
    return tuple(dict.fromkeys(s for s in (owner, *contacts) if isinstance(s, str) and s.strip()))


def contact_log(record: dict[str, Any]) -> list[tuple[int, str, str]]:
    """Return (position, staff, date) of every dated contact report in the file.

    A withdrawn entry is no contact (records.corrections): it counts for nobody.
    """
    found = []
    for position, entry in enumerate(record.get("contacts") or []):
        if not isinstance(entry, dict) or is_withdrawn(entry):
            continue
        day = as_date(entry.get("date"))
        staff = entry.get("staff")
        if day is not None and isinstance(staff, str) and staff:
            found.append((position, staff, day.isoformat()))
    return found


def viewer_scope(actor: Actor, policy: Policy, directory: Directory) -> Scope:
    """Return whose important customers a person sees in the list.

    The roles in ``two_contacts.viewers`` (the marketing director, vice-president and general
    manager) see every department; a department manager sees the departments they manage;
    anyone else nobody's.
    """
    if not actor.username or not directory.is_active(actor.username):
        return Scope()
    viewers = policy.two_contacts.get("viewers") or []
    if actor.role in viewers:
        return Scope(everyone=True)
    return Scope(departments=frozenset(str(d.get("id")) for d in directory.departments
                                       if d.get("manager") == actor.username))


@dataclass(frozen=True)
class Shortfall:
    """An important or promising customer whose contacts fall short, as the list shows it."""

    customer: str
    name: str
    department: str
    reasons: tuple[str, ...]
    staff: tuple[str, ...]
    last_report: dict[str, str]  # staff -> the date of their latest report ("" if none)
    too_few: bool
    quiet: tuple[str, ...]  # staff with no report within report_days


def shortfall(row: dict[str, Any], last_reports: dict[str, str], policy: Policy,
              today: date) -> Shortfall | None:
    """Return how a listed customer falls short of R31, or None when it does not.

    ``row`` has customer, name, department, reasons (space-separated), owner and contacts
    (space-separated); ``last_reports`` maps staff to their latest report's date.
    """
    rule = policy.two_contacts
    staff = staff_of(str(row.get("owner") or ""), str(row.get("contacts") or "").split())
    since = (today - timedelta(days=int(rule.get("report_days") or 0))).isoformat()
    last = {s: last_reports.get(s, "") for s in staff}
    quiet = tuple(s for s in staff if not last[s] or last[s] < since)
    too_few = len(staff) < int(rule.get("minimum") or 0)
    if not too_few and not quiet:
        return None
    return Shortfall(str(row["customer"]), str(row.get("name") or ""),
                     str(row.get("department") or ""), tuple(str(row["reasons"]).split()),
                     staff, last, too_few, quiet)
