"""Signs of a shared account (R35) for HR to confirm, and HR's decisions. No Flask imports.

R35 fines giving one's account to someone else to read files (擅自將客戶檔案賬號提供給人查閱).
The journal cannot prove that; it shows signs, which HR judges:

- ``two_machines``: one account in use from two addresses at once (its activity windows
  from different addresses overlap);
- ``shared_machine``: an account in use at an address while another member of staff is
  active there in the same window of the machine's activity (someone reading on a
  colleague's signed-in machine). Offices behind one address (a proxy) show many of these:
  HR judges them.

A window is a run of one user's entries from one address less than
``shared_account_window_minutes`` apart. Each sign has a stable key (kind, user, start).
HR confirms or dismisses each with a note; the decisions live in the archive as
``discipline/sharing/YYYY-MM.yaml`` (the month of the sign's start in the company's zone),
one commit per decision authored by HR. Only a confirmed case is fined
(``fines.shared_account``), once per case, in that month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from intranet.records.files import yamlio
from intranet.records.rulebook.zone import month_of
from intranet.records.trail.audit import parse_stamp, utc_stamp

SHARING_DIR = "discipline/sharing"
KINDS = ("two_machines", "shared_machine")
DECISIONS = ("confirmed", "dismissed")
DEFAULT_WINDOW_MINUTES = 30


def sharing_path(month: str) -> str:
    """Return the archive path of a month's decisions."""
    return f"{SHARING_DIR}/{month}.yaml"


def window_minutes(policy: Any) -> float:
    """Return the policy's gap that splits an address's activity into windows."""
    value = policy.data.get("shared_account_window_minutes", DEFAULT_WINDOW_MINUTES)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return DEFAULT_WINDOW_MINUTES
    return float(value)


@dataclass(frozen=True)
class Window:
    """A stretch of one user's activity from one address."""

    user: str
    address: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Signal:
    """A sign that an account was shared, for HR to confirm or dismiss."""

    kind: str
    user: str
    start: datetime
    end: datetime
    addresses: tuple[str, ...]
    others: tuple[str, ...] = ()  # shared_machine: the others active at the address

    @property
    def key(self) -> str:
        """Return the sign's stable key: kind, user and start."""
        return f"{self.kind}:{self.user}:{utc_stamp(self.start)}"

    def month(self, zone: ZoneInfo) -> str:
        """Return the company-zone month the sign (and its fine) belongs to."""
        return month_of(self.start, zone)

    def as_case(self) -> dict[str, Any]:
        """Return the sign as HR's decision file keeps it."""
        return {"key": self.key, "kind": self.kind, "user": self.user,
                "start": utc_stamp(self.start), "end": utc_stamp(self.end),
                "addresses": list(self.addresses), "others": list(self.others)}


def windows(entries: Iterable[dict[str, Any]], minutes: float) -> list[Window]:
    """Group entries by user and address into windows of entries less than ``minutes`` apart."""
    gap = timedelta(minutes=minutes)
    times: dict[tuple[str, str], list[datetime]] = {}
    for entry in entries:
        key = (str(entry.get("user", "")), str(entry.get("address", "")))
        times.setdefault(key, []).append(parse_stamp(entry["at"]))
    found: list[Window] = []
    for (user, address), moments in times.items():
        moments.sort()
        start = end = moments[0]
        for moment in moments[1:]:
            if moment - end < gap:
                end = moment
            else:
                found.append(Window(user, address, start, end))
                start = end = moment
        found.append(Window(user, address, start, end))
    return sorted(found, key=lambda w: (w.start, w.end, w.user, w.address))


def _clusters(found: list[Window]) -> list[list[Window]]:
    """Chain windows that overlap in time into clusters, in order of start."""
    clusters: list[list[Window]] = []
    end: datetime | None = None
    for window in sorted(found, key=lambda w: (w.start, w.end, w.address)):
        if end is not None and window.start <= end:
            clusters[-1].append(window)
            end = max(end, window.end)
        else:
            clusters.append([window])
            end = window.end
    return clusters


def two_machines(entries: Iterable[dict[str, Any]], minutes: float) -> list[Signal]:
    """Return the times an account's windows from different addresses overlapped."""
    by_user: dict[str, list[Window]] = {}
    for window in windows(entries, minutes):
        by_user.setdefault(window.user, []).append(window)
    found = []
    for user, mine in by_user.items():
        for cluster in _clusters(mine):
            addresses = tuple(sorted({w.address for w in cluster}))
            if len(addresses) > 1:
                found.append(Signal("two_machines", user, cluster[0].start,
                                    max(w.end for w in cluster), addresses))
    return found


def shared_machine(entries: Iterable[dict[str, Any]], minutes: float) -> list[Signal]:
    """Return the times an account was used at an address where someone else was active.

    A machine's window is a run of anyone's entries from its address less than ``minutes``
    apart; each account in a window shared with another is one sign.
    """
    gap = timedelta(minutes=minutes)
    by_address: dict[str, list[tuple[datetime, str]]] = {}
    for entry in entries:
        if entry.get("address"):
            by_address.setdefault(str(entry["address"]), []).append(
                (parse_stamp(entry["at"]), str(entry.get("user", ""))))
    found = []
    for address, moments in by_address.items():
        moments.sort()
        runs: list[list[tuple[datetime, str]]] = [[moments[0]]]
        for moment in moments[1:]:
            if moment[0] - runs[-1][-1][0] < gap:
                runs[-1].append(moment)
            else:
                runs.append([moment])
        for run in runs:
            users = sorted({user for _, user in run})
            for user in users if len(users) > 1 else []:
                mine = [at for at, who in run if who == user]
                found.append(Signal("shared_machine", user, mine[0], mine[-1], (address,),
                                    tuple(u for u in users if u != user)))
    return found


def signals(entries: Iterable[dict[str, Any]], policy: Any) -> list[Signal]:
    """Return every sign of a shared account in the entries, by start, user and kind."""
    entries = list(entries)
    minutes = window_minutes(policy)
    found = two_machines(entries, minutes) + shared_machine(entries, minutes)
    return sorted(found, key=lambda s: (s.start, s.user, s.kind, s.addresses))


# -- HR's decisions ---------------------------------------------------------------------------


def load_cases(raw: bytes | None, path: str) -> list[dict[str, Any]]:
    """Return the decided cases of a month's decision file (none when there is no file)."""
    if not raw:
        return []
    cases = yamlio.load(raw, path).get("cases")
    return [c for c in cases if isinstance(c, dict) and c.get("key")] \
        if isinstance(cases, list) else []


def with_decision(cases: list[dict[str, Any]], signal: Signal, decision: str, note: str,
                  by: str, at: datetime) -> list[dict[str, Any]]:
    """Return the month's cases with HR's decision on one sign (a new decision replaces one)."""
    case = {**signal.as_case(), "decision": decision, "note": note, "by": by,
            "at": utc_stamp(at)}
    kept = [c for c in cases if c.get("key") != signal.key]
    return sorted([*kept, case], key=lambda c: (str(c.get("start")), str(c.get("key"))))


def dump_cases(cases: list[dict[str, Any]]) -> bytes:
    """Return the canonical bytes of a month's decision file."""
    return yamlio.dump({"cases": cases}, None)


def confirmed(cases: Iterable[dict[str, Any]], user: str) -> list[dict[str, Any]]:
    """Return a person's confirmed cases."""
    return [c for c in cases if c.get("user") == user and c.get("decision") == "confirmed"]


def confirmed_in(cases: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the confirmed cases of anyone."""
    return [c for c in cases if c.get("decision") == "confirmed"]
