"""Who a late-update fine falls on (R20). No Flask imports.

The policy fines the salesperson (客戶檔案不及時更新，銷售人員違反每次罰款20元): a late contact
record is the fault of the contact who did not record it in time (the entry's ``staff``), a
neglected file that of the file's salesperson (its custodian in that version). Two pieces of
policy data decide:

- ``late_update_roles`` (default ``[salesperson]``): only people holding one of these roles
  are fined; a manager or the director who keeps files (say, after a hand-over) is listed
  with "no fine" and the reason, never hidden.
- ``handover_grace_days`` (default 30): a file received in a hand-over (a commit with
  ``Action: handover``) is not fined for neglect until that many days after it, whoever
  received it; after that the role decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from intranet.records.rulebook.policy import Policy
from intranet.records.rulebook.staff import Directory

DEFAULT_ROLES = ("salesperson",)
DEFAULT_GRACE_DAYS = 30


def fined_roles(policy: Policy) -> list[str]:
    """Return the roles late-update fines fall on."""
    roles = policy.data.get("late_update_roles")
    return [r for r in roles if isinstance(r, str)] if isinstance(roles, list) \
        else list(DEFAULT_ROLES)


def grace_days(policy: Policy) -> int:
    """Return the days after a hand-over in which a received file is not fined for neglect."""
    days = policy.data.get("handover_grace_days")
    return days if isinstance(days, int) and not isinstance(days, bool) and days >= 0 \
        else DEFAULT_GRACE_DAYS


def role_exemption(username: str, policy: Policy, directory: Directory) -> dict[str, Any] | None:
    """Return why a person is not fined for their role, or None when the role is fined."""
    role = directory.role(username)
    if role in fined_roles(policy):
        return None
    return {"reason": "role", "role": role}


def grace_until(handovers: Iterable[date], day: date, days: int) -> date | None:
    """Return the end of the hand-over grace that covers ``day``, or None if none does."""
    before = [h for h in handovers if h <= day]
    if not before:
        return None
    until = max(before) + timedelta(days=days)
    return until if day <= until else None


def judge_late(row: dict[str, Any], policy: Policy, directory: Directory) -> dict[str, Any]:
    """Return a late-record row with ``fined`` and, when not fined, ``no_fine`` (the reason)."""
    exempt = role_exemption(str(row.get("staff") or ""), policy, directory)
    return {**row, "fined": exempt is None, "no_fine": [exempt] if exempt else []}


def judge_neglect(owner: str, due: list[date], handovers: Iterable[date], policy: Policy,
                  directory: Directory) -> dict[str, Any]:
    """Return which due days of a neglected file are fined and why the others are not.

    ``fined`` lists the fined days; ``no_fine`` the distinct reasons of the others.
    """
    handovers, days = list(handovers), grace_days(policy)
    exempt = role_exemption(owner, policy, directory)
    fined: list[date] = []
    reasons: list[dict[str, Any]] = []
    for day in due:
        until = grace_until(handovers, day, days)
        reason = {"reason": "grace", "until": until, "role": directory.role(owner)} \
            if until else exempt
        if reason is None:
            fined.append(day)
        elif reason not in reasons:
            reasons.append(reason)
    return {"fined": fined, "no_fine": reasons}
