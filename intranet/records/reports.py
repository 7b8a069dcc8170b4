"""HR's monthly reports over the read-audit journal (R20, R35). No Flask imports here.

Everything works on journal entries (the dicts of ``records.audit``) and only ever looks at
their audit fields: who, when, which file id, what action, on what basis, from where. No
customer file is opened, so the reports hold no file contents (R36).

Months are calendar months in UTC, matching the ``at`` stamps and the sealed ``YYYY-MM`` files.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .audit import parse_stamp, read_lines
from .policy import Policy

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DEFAULT_WINDOW_MINUTES = 30


def is_month(value: str) -> bool:
    """Tell whether ``value`` is a ``YYYY-MM`` month."""
    return bool(MONTH.match(value or ""))


def month_of(entry: dict[str, Any]) -> str:
    """Return the UTC month (``YYYY-MM``) of an entry."""
    return str(entry.get("at", ""))[:7]


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


def in_month(entries: Iterable[dict[str, Any]], month: str) -> list[dict[str, Any]]:
    """Return the entries of one UTC month."""
    return [e for e in entries if month_of(e) == month]


def is_refusal(entry: dict[str, Any]) -> bool:
    """Tell whether an entry is a refused read."""
    return entry.get("allowed") is False


def is_break_glass(entry: dict[str, Any]) -> bool:
    """Tell whether an entry is an emergency (break-glass) read."""
    return str(entry.get("basis", "")).startswith("break-glass")


@dataclass(frozen=True)
class Window:
    """A stretch of one user's activity from one address."""

    address: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Incident:
    """Overlapping activity of one user from two or more addresses: a sign of a shared account."""

    user: str
    addresses: tuple[str, ...]
    start: datetime
    end: datetime


def windows(entries: Iterable[dict[str, Any]], minutes: float) -> list[Window]:
    """Group entries by address into windows whose entries are less than ``minutes`` apart."""
    gap = timedelta(minutes=minutes)
    by_address: dict[str, list[datetime]] = {}
    for entry in entries:
        by_address.setdefault(str(entry.get("address", "")),
                              []).append(parse_stamp(entry["at"]))
    found: list[Window] = []
    for address, times in by_address.items():
        times.sort()
        start = end = times[0]
        for moment in times[1:]:
            if moment - end < gap:
                end = moment
            else:
                found.append(Window(address, start, end))
                start = end = moment
        found.append(Window(address, start, end))
    return sorted(found, key=lambda w: (w.start, w.end, w.address))


def shared_account_incidents(entries: Iterable[dict[str, Any]], user: str,
                             minutes: float = DEFAULT_WINDOW_MINUTES) -> list[Incident]:
    """Return the times a user's windows from different addresses overlapped.

    Overlapping windows are chained into one cluster; a cluster with two or more addresses is
    one incident.
    """
    mine = [e for e in entries if e.get("user") == user]
    if not mine:
        return []
    incidents: list[Incident] = []
    cluster: list[Window] = []
    cluster_end: datetime | None = None

    def close() -> None:
        addresses = tuple(sorted({w.address for w in cluster}))
        if len(addresses) > 1:
            incidents.append(Incident(user, addresses, cluster[0].start,
                                      max(w.end for w in cluster)))

    for window in windows(mine, minutes):
        if cluster_end is not None and window.start <= cluster_end:
            cluster.append(window)
            cluster_end = max(cluster_end, window.end)
        else:
            if cluster:
                close()
            cluster, cluster_end = [window], window.end
    close()
    return incidents


def window_minutes(policy: Policy) -> float:
    """Return the policy's gap that splits an address's activity into windows."""
    value = policy.data.get("shared_account_window_minutes", DEFAULT_WINDOW_MINUTES)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return DEFAULT_WINDOW_MINUTES
    return float(value)


@dataclass
class PersonMonth:
    """One person's month: refusals, emergency reads, shared-account signs and their fines."""

    username: str
    month: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[dict[str, Any]] = field(default_factory=list)
    break_glass: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    fines: float = 0
    currency: str = ""


def person_month(entries: Iterable[dict[str, Any]], username: str, month: str,
                 policy: Policy) -> PersonMonth:
    """Return one person's report for one UTC month."""
    mine = [e for e in in_month(entries, month) if e.get("user") == username]
    report = PersonMonth(username, month, mine, [e for e in mine if is_refusal(e)],
                         [e for e in mine if is_break_glass(e)],
                         shared_account_incidents(mine, username, window_minutes(policy)),
                         currency=policy.currency)
    # Each refusal is an attempt to read without approval (R20); each incident a shared
    # account (R35).
    report.fines = (len(report.refusals) * policy.fine("unapproved_view")
                    + len(report.incidents) * policy.fine("shared_account"))
    return report


def month_report(entries: Iterable[dict[str, Any]], month: str,
                 policy: Policy) -> list[PersonMonth]:
    """Return the report of every person with journal entries in a month, by username."""
    entries = in_month(entries, month)
    users = sorted({str(e.get("user", "")) for e in entries})
    return [person_month(entries, user, month, policy) for user in users]


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
