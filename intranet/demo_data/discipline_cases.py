"""The demo company's audit cases (R35): a refused attempt and a confirmed shared account.

Written into the real journal (hash-chained, through ``records.trail.journal``) a few hours before
"now", and HR's confirmation through the real action, so the HR report of the demo's month
shows an attempt that is not fined and a shared-account case that is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..actions import sharing as sharing_action
from ..records.rulebook.rules import load_rules
from ..records.trail import sharing
from ..records.trail.journal import Journal
from ..records.trail.reports import load_entries

# The machines of the story: a salesperson's desk, a colleague's laptop, a meeting room.
DESK, LAPTOP, ROOM = "10.20.1.31", "10.20.1.77", "10.20.2.14"


class _Clock:
    """The demo's journal clock: each entry at the moment set before it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _owned(company: Any, current: dict, gone: set[str] | frozenset) -> list[tuple[str, str]]:
    """Return (salesperson, a personal file they keep) for the demo's staying salespeople."""
    roles = {m["username"]: m["role"] for m in company.staff}
    found: dict[str, str] = {}
    for cid, record in sorted(current.items()):
        custody = record.get("custody") if isinstance(record.get("custody"), dict) else {}
        owner = custody.get("owner")
        if roles.get(owner) == "salesperson" and owner not in gone \
                and custody.get("level") == "personal":
            found.setdefault(owner, cid)
    return sorted(found.items())


def seed_cases(svc: Any, company: Any, current: dict, now: datetime,
               gone: set[str] | frozenset = frozenset()) -> int:
    """Journal a refused attempt and a shared account, and have HR confirm the latter."""
    owned = _owned(company, current, gone)
    hr = next((m["username"] for m in company.staff
               if m["role"] in load_rules(svc.archive.snapshot()).policy.data["hr_roles"]
               and m["username"] not in gone), "")
    if len(owned) < 2 or not hr:
        return 0
    (lender, file), (trier, _) = owned[0], owned[1]
    clock = _Clock(now)
    journal = Journal(svc.journal.path, clock)
    start = now - timedelta(hours=3)

    def read(minutes: int, user: str, customer: str, address: str, allowed: bool = True,
             basis: str = "own") -> None:
        clock.now = start + timedelta(minutes=minutes)
        journal.record(user=user, customer=customer, action="view", allowed=allowed,
                       basis=basis, route="customers.show", address=address)

    # The lender reads at their desk while their account is also used on a colleague's laptop.
    read(0, lender, file, DESK)
    read(6, lender, file, LAPTOP)
    read(9, lender, file, DESK)
    read(14, lender, file, LAPTOP)
    # Another salesperson clicks a file of the lender's they may not read: an attempt, no fine.
    read(40, trier, file, ROOM, allowed=False, basis="none")
    entries = load_entries(svc.journal.path)
    policy = load_rules(svc.archive.snapshot()).policy
    case = next(s for s in sharing.signals(entries, policy)
                if s.kind == "two_machines" and s.user == lender)
    sharing_action.decide(svc.archive, entries, hr, case.key, "confirmed",
                          "本人承認將賬號密碼告訴同事代查資料；已口頭警告並依規定罰款。",
                          start + timedelta(hours=2))
    return 2
