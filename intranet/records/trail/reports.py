"""HR's monthly reports over the read-audit journal (R20, R35). No Flask imports here.

Everything works on journal entries (the dicts of ``records.trail.audit``) and only ever looks at
their audit fields: who, when, which file id, what action, on what basis, from where. No
customer file is opened, so the reports hold no file contents (R36).

Months are calendar months in the company's time zone (policy key ``timezone``): an entry at
2026-11-30T17:00Z is on 1 December in Taipei and counts in December.

R35 fines a read that happened without approval, not a refusal: a refused attempt is listed
for HR (``attempts``) and costs nothing. The fined acts are the unapproved reads (break-glass
reads not approved in time, computed elsewhere and passed in) and HR's confirmed cases of a
shared account (``records.trail.sharing``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from intranet.records.rulebook.policy import Policy
from intranet.records.rulebook.zone import DEFAULT_ZONE, company_zone
from intranet.records.rulebook.zone import month_of as month_of_stamp
from intranet.records.trail import sharing
from intranet.records.trail.audit import parse_stamp, read_lines
from intranet.records.trail.sharing import DEFAULT_WINDOW_MINUTES, Signal

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_month(value: str) -> bool:
    """Tell whether ``value`` is a ``YYYY-MM`` month."""
    return bool(MONTH.match(value or ""))


def month_of(entry: dict[str, Any], zone: ZoneInfo | None = None) -> str:
    """Return the company-zone month (``YYYY-MM``) of an entry."""
    return month_of_stamp(str(entry.get("at", "")), zone or ZoneInfo(DEFAULT_ZONE))


def load_entries(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Return the journal file's entries in order; unreadable lines are skipped.

    The journal's integrity is checked elsewhere (``audit-verify``); a report lists what is
    there.
    """
    entries: list[dict[str, Any]] = []
    for line in read_lines(path):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("at"), str) \
                and isinstance(entry.get("user"), str):
            entries.append(entry)
    return entries


def in_month(entries: Iterable[dict[str, Any]], month: str,
             zone: ZoneInfo | None = None) -> list[dict[str, Any]]:
    """Return the entries of one company-zone month."""
    return [e for e in entries if month_of(e, zone) == month]


def is_refusal(entry: dict[str, Any]) -> bool:
    """Tell whether an entry is a refused read."""
    return entry.get("allowed") is False


def is_break_glass(entry: dict[str, Any]) -> bool:
    """Tell whether an entry is an emergency (break-glass) read."""
    return str(entry.get("basis", "")).startswith("break-glass")


def shared_account_incidents(entries: Iterable[dict[str, Any]], user: str,
                             minutes: float = DEFAULT_WINDOW_MINUTES) -> list[Signal]:
    """Return the times a user's windows from different addresses overlapped."""
    mine = [e for e in entries if e.get("user") == user]
    return sharing.two_machines(mine, minutes)


@dataclass
class PersonMonth:
    """One person's month: attempts, emergency reads, fined reads, shared-account cases."""

    username: str
    month: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)  # refusals: not fined
    break_glass: list[dict[str, Any]] = field(default_factory=list)
    unapproved: list[dict[str, Any]] = field(default_factory=list)  # fined reads
    signals: list[Signal] = field(default_factory=list)  # for HR to judge: not fined
    cases: list[dict[str, Any]] = field(default_factory=list)  # confirmed: fined
    fines: float = 0
    currency: str = ""

    @property
    def refusals(self) -> list[dict[str, Any]]:
        """Return the refused attempts (an older name)."""
        return self.attempts


def person_month(entries: Iterable[dict[str, Any]], username: str, month: str,
                 policy: Policy, unapproved: Iterable[dict[str, Any]] = (),
                 cases: Iterable[dict[str, Any]] = (),
                 signals: list[Signal] | None = None) -> PersonMonth:
    """Return one person's report for one company-zone month.

    ``unapproved`` are unapproved reads (dicts with user, customer, request, read time,
    deadline, month) and ``cases`` HR's decided shared-account cases; only this person's of
    this month count. ``signals`` are the month's signs of a shared account if already found.
    """
    zone = company_zone(policy)
    mine = [e for e in in_month(entries, month, zone) if e.get("user") == username]
    if signals is None:
        signals = sharing.signals(in_month(entries, month, zone), policy)
    signals = [s for s in signals if s.user == username]
    report = PersonMonth(username, month, mine, [e for e in mine if is_refusal(e)],
                         [e for e in mine if is_break_glass(e)],
                         [u for u in unapproved if u.get("user") == username
                          and u.get("month") == month],
                         signals, sharing.confirmed(
                             [c for c in cases if month_of_stamp(str(c.get("start", "")),
                                                                 zone) == month], username),
                         currency=policy.currency)
    # R35: each read without approval, and each confirmed case of a shared account.
    report.fines = (len(report.unapproved) * policy.fine("unapproved_view")
                    + len(report.cases) * policy.fine("shared_account"))
    return report


def month_report(entries: Iterable[dict[str, Any]], month: str, policy: Policy,
                 unapproved: Iterable[dict[str, Any]] = (),
                 cases: Iterable[dict[str, Any]] = ()) -> list[PersonMonth]:
    """Return the report of every person with entries, fined reads or cases in a month."""
    entries = in_month(entries, month, company_zone(policy))
    unapproved, cases = list(unapproved), list(cases)
    users = sorted({str(e.get("user", "")) for e in entries}
                   | {str(u.get("user", "")) for u in unapproved if u.get("month") == month}
                   | {str(c.get("user", "")) for c in sharing.confirmed_in(cases)})
    signals = sharing.signals(entries, policy)  # once for everyone
    return [person_month(entries, user, month, policy, unapproved, cases, signals)
            for user in users]


def total_fines(reports: Iterable[PersonMonth]) -> float:
    """Return the sum of the fines of several reports."""
    return sum(r.fines for r in reports)


@dataclass(frozen=True)
class Read:
    """One line of a person's own reading history."""

    at: datetime
    customer: str
    action: str
    basis: str
    allowed: bool


def person_history(entries: Iterable[dict[str, Any]], username: str) -> list[Read]:
    """Return a person's own reads and refusals, newest first."""
    mine = [e for e in entries if e.get("user") == username]
    # Entries of the same millisecond keep the journal's order (seq).
    mine.sort(key=lambda e: (parse_stamp(e["at"]), e.get("seq", 0)), reverse=True)
    return [Read(parse_stamp(e["at"]), str(e.get("customer", "")), str(e.get("action", "")),
                 str(e.get("basis", "")), e.get("allowed") is True) for e in mine]
