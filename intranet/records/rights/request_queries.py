"""Access requests looked up (R34, R35): queues, grants in force, unapproved break-glass reads."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from intranet.archive.repository import Snapshot
from intranet.records.rights.access import Grant
from intranet.records.rights.request_state import (
    MODES,
    REFUSED,
    _copy,
    _now,
    company_zone,
    expires_at,
    in_force,
    kind,
    load_all,
    may_act,
    parse_time,
    review_state,
)
from intranet.records.rulebook.rules import Rules, load_rules


def unapproved_reads(snapshot: Snapshot, rules: Rules, now: datetime | None = None,
                     ) -> list[dict[str, Any]]:
    """Return the break-glass reads refused or not approved by their deadline (R35), oldest first.

    Each: user, customers, request, read_at, deadline (UTC), month (the deadline's month in the
    company's time zone: when the fine falls), reason (``refused`` or ``not_approved_in_time``),
    fine (policy ``fines.unapproved_view``).
    """
    local = company_zone(rules)
    found = []
    for req in load_all(snapshot).values():
        if review_state(req, now) != "unapproved":
            continue
        deadline = parse_time(req.get("deadline"))
        refused = req.get("review") == REFUSED
        # The fine falls in the month of the deadline's last working day, not of its midnight.
        last_day = (deadline - timedelta(microseconds=1)).astimezone(local) if deadline else None
        found.append({
            "user": str(req.get("requester") or ""),
            "customers": [str(c) for c in req.get("customers") or []],
            "customer": " ".join(str(c) for c in req.get("customers") or []),
            "request": str(req.get("id")),
            "read_at": parse_time(req.get("granted_at") or req.get("created")),
            "deadline": deadline,
            "month": last_day.strftime("%Y-%m") if last_day else "",
            "reason": "refused" if refused else "not_approved_in_time",
            "fine": rules.policy.fine("unapproved_view"),
        })
    return sorted(found, key=lambda r: (r["read_at"] or _now(now), r["request"]))


# -- queries ---------------------------------------------------------------------------------

def _newest_first(found: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((_copy(r) for r in found), key=lambda r: str(r.get("id")), reverse=True)


def mine(snapshot: Snapshot, username: str) -> list[dict[str, Any]]:
    """Return the requests someone made, newest first."""
    return _newest_first(r for r in load_all(snapshot).values()
                         if r.get("requester") == username)


def waiting_for(snapshot: Snapshot, username: str, now: datetime | None = None,
                ) -> list[dict[str, Any]]:
    """Return the requests whose current step this person may sign (their queue)."""
    found = load_all(snapshot)
    if not found:
        return []
    rules = load_rules(snapshot)
    return _newest_first(r for r in found.values() if may_act(r, username, rules, now))


def held_by(snapshot: Snapshot, username: str, now: datetime | None = None,
            ) -> list[dict[str, Any]]:
    """Return the grants in force on files someone keeps (they may revoke them)."""
    return _newest_first(r for r in load_all(snapshot).values()
                         if r.get("custodian") == username and r.get("requester") != username
                         and in_force(r, now))


def grants_for(snapshot: Snapshot, username: str, now: datetime | None = None) -> list[Grant]:
    """Return someone's grants in force: approved or break-glass, unexpired, unrevoked."""
    result = []
    for req in load_all(snapshot).values():
        if req.get("requester") != username or not in_force(req, now):
            continue
        mode = req.get("mode") if req.get("mode") in MODES else "read"
        result.append(Grant(str(req["id"]), username,
                            frozenset(str(c) for c in req.get("customers") or []),
                            str(mode), expires_at(req) or _now(now),
                            kind="break-glass" if kind(req) == "break-glass" else "grant"))
    return result
