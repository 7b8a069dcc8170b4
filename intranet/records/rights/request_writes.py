"""Access requests written (R34, R35): ask, sign, approve, refuse, revoke, break glass.

Every operation is one commit authored by the person acting, rebuilt from the head on a race;
``records.rights.request_state`` holds what a request is and who may act on it;
``records.rights.requests`` re-exports both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from intranet.archive.errors import CorruptRecord
from intranet.archive.repository import Archive, Change, Snapshot
from intranet.records.files import yamlio
from intranet.records.files.customers import customer_path, is_customer_id
from intranet.records.files.messages import N_
from intranet.records.rights.access import FALLBACK_LEVEL, FileMeta
from intranet.records.rights.request_state import (
    _ID,
    APPROVED,
    MAX_REASON,
    MODES,
    ORDER,
    REFUSED,
    REVOKED,
    WAITING,
    NotAllowed,
    RequestError,
    _department,
    _now,
    _skip_own_steps,
    _steps,
    break_glass_hours,
    company_zone,
    current_step,
    get,
    is_request_id,
    kind,
    load_all,
    may_act,
    may_break_glass,
    may_revoke,
    may_see,
    overdue,
    request_path,
    signers,
    stamp,
    working_deadline,
)
from intranet.records.rulebook.policy import LEVELS
from intranet.records.rulebook.rules import Rules, load_rules


def _next_id(snapshot: Snapshot) -> str:
    numbers = [int(m.group(1)) for m in map(_ID.match, load_all(snapshot)) if m]
    return f"AR{max(numbers, default=0) + 1:06d}"


def _files(snapshot: Snapshot, customers: list[str]) -> list[FileMeta]:
    metas = []
    for customer_id in customers:
        raw = snapshot.get(customer_path(customer_id)) if is_customer_id(customer_id) else None
        if raw is None:
            raise RequestError(N_("%(id)s is not a customer file"), id=customer_id)
        try:
            record = yamlio.load(raw, customer_path(customer_id))
        except CorruptRecord:
            record = None
        metas.append(FileMeta.from_record(customer_id, record))
    return metas


def _dump(req: dict[str, Any]) -> bytes:
    return yamlio.dump({k: v for k, v in req.items() if not k.startswith("_")}, ORDER)


def _message(req: dict[str, Any], action: str, summary: str) -> str:
    return (f"查閱申請 {req['id']} {summary}\n\n"
            f"Access-Request: {req['id']}\nAction: {action}\n")


def _clean_ids(customers: Iterable[str]) -> list[str]:
    result: list[str] = []
    for given in customers:
        customer_id = str(given).strip().upper()
        if customer_id and customer_id not in result:
            result.append(customer_id)
    return result


def _strictest(levels: Iterable[str]) -> str:
    known = [lv for lv in levels if lv in LEVELS]
    if len(known) != len(list(levels)):
        return FALLBACK_LEVEL
    return min(known, key=LEVELS.index) if known else FALLBACK_LEVEL


def create(archive: Archive, requester: str, customers: Iterable[str], reason: str,
           mode: str = "read", days: int = 1, now: datetime | None = None) -> str:
    """Ask for access to one custodian's files; return the new request's id."""
    now = _now(now)
    ids = _clean_ids(customers)
    reason = (reason or "").strip()
    if not ids:
        raise RequestError(N_("Name at least one customer file."))
    if not reason:
        raise RequestError(N_("Give the reason for the request."))
    if len(reason) > MAX_REASON:
        raise RequestError(N_("Enter at most %(max)d characters."), max=MAX_REASON)
    if mode not in MODES:
        raise RequestError(N_("Choose read or edit."))
    rules = load_rules(archive.snapshot())
    if not rules.directory.is_active(requester):
        raise NotAllowed(N_("Only active staff may ask for access."))
    created: dict[str, str] = {}

    def build(snapshot: Snapshot) -> Change:
        rules = load_rules(snapshot)
        maximum = rules.policy.max_grant_days
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= maximum:
            raise RequestError(N_("Ask for 1 to %(max)d days."), max=maximum)
        metas = _files(snapshot, ids)
        custodians = {m.owner for m in metas}
        if len(custodians) != 1:
            raise RequestError(N_("These files have different custodians: ask each custodian "
                                  "separately."))
        custodian = custodians.pop()
        if not custodian:
            raise RequestError(N_("This file has no custodian to release it."))
        if custodian == requester:
            raise RequestError(N_("You keep this file already."))
        level = _strictest([m.level for m in metas])
        steps = _steps(rules, level, requester, metas[0].department)
        request_id = _next_id(snapshot)
        req = {"id": request_id, "kind": "request", "requester": requester,
               "requester_department": _department(rules, requester), "customers": ids,
               "custodian": custodian, "department": metas[0].department, "level": level,
               "reason": reason, "mode": mode, "days": days, "created": stamp(now),
               "steps": steps, "status": WAITING, "granted_at": "", "expires": "",
               "revoked_by": "", "revoked_at": ""}
        _skip_own_steps(req, rules, now)
        if current_step(req) is None:
            req.update(status=APPROVED, granted_at=stamp(now),
                       expires=stamp(now + timedelta(days=days)))
        created["id"] = request_id
        verb = "查閱" if mode == "read" else "編輯"
        summary = f"{requester} 申請{verb} {' '.join(ids)} {days} 天"
        return Change({request_path(request_id, now): _dump(req)},
                      _message(req, "request", summary))

    archive.commit(build, rules.identity(requester), when=now)
    return created["id"]


def _change(archive: Archive, request_id: str, username: str, now: datetime,
            apply: Any) -> dict[str, Any]:
    """Commit one change to a request, authored by ``username``; return the request after."""
    rules = load_rules(archive.snapshot())
    if not rules.directory.is_active(username):
        raise NotAllowed(N_("No such request."))
    result: dict[str, Any] = {}

    def build(snapshot: Snapshot) -> Change:
        req = get(snapshot, request_id) if is_request_id(request_id) else None
        if req is None:
            raise NotAllowed(N_("No such request."))
        action, summary = apply(req, load_rules(snapshot))
        result.clear()
        result.update(req)
        return Change({req["_path"]: _dump(req)}, _message(req, action, summary))

    archive.commit(build, rules.identity(username), when=now)
    return result


def act(archive: Archive, request_id: str, username: str, approve: bool, comment: str = "",
        now: datetime | None = None) -> dict[str, Any]:
    """Sign the current step: approve (the last approval grants access) or refuse (ends it)."""
    now = _now(now)
    comment = (comment or "").strip()
    if len(comment) > MAX_REASON:
        raise RequestError(N_("Enter at most %(max)d characters."), max=MAX_REASON)

    def apply(req: dict[str, Any], rules: Rules) -> tuple[str, str]:
        if req.get("requester") == username:
            raise NotAllowed(N_("Nobody signs their own request."))
        index = current_step(req)
        if index is None:
            raise RequestError(N_("This request waits for no signature."))
        if overdue(req, now):
            raise RequestError(N_("The deadline to approve this emergency read has passed."))
        if not may_act(req, username, rules, now):
            raise NotAllowed(N_("This step is not yours to sign."))
        if not approve and not comment:
            raise RequestError(N_("Say why you refuse."))
        step = req["steps"][index]
        step.update(signer=username, decision="approved" if approve else "refused",
                    comment=comment, at=stamp(now))
        glass = kind(req) == "break-glass"
        if not approve:
            # A refused break-glass read ends its access too; the read stays unapproved.
            req.update(status=REFUSED, **({"review": REFUSED} if glass else {}))
            return "refuse", f"{username} 駁回"
        _sign_once(req, index, username, rules, now)
        if current_step(req) is None:
            if glass:
                req["review"] = APPROVED
            else:
                req["status"] = APPROVED
                req["granted_at"] = stamp(now)
                req["expires"] = stamp(now + timedelta(days=int(req.get("days") or 1)))
        action = step.get("action") if step.get("action") in ("sign", "approve", "release") \
            else "approve"
        verb = "簽核" if action == "sign" else "核准"
        return str(action), f"{username} {verb}（{step.get('by')}）"

    return _change(archive, request_id, username, now, apply)


def _sign_once(req: dict[str, Any], index: int, username: str, rules: Rules,
               now: datetime) -> None:
    """Complete every later open step the signer also holds: one person signs once."""
    for step in req["steps"][index + 1:]:
        if not step.get("decision") and username in signers(req, step, rules):
            step.update(signer=username, decision="approved", with_step=index + 1,
                        comment=f"與第 {index + 1} 步為同一簽核人，一次簽核", at=stamp(now))


def revoke(archive: Archive, request_id: str, username: str,
           now: datetime | None = None) -> dict[str, Any]:
    """End a waiting or granted request: the requester, the custodian or the administrator."""
    now = _now(now)

    def apply(req: dict[str, Any], rules: Rules) -> tuple[str, str]:
        if not may_revoke(req, username, rules):
            if may_see(req, username, rules):
                raise RequestError(N_("This request cannot be revoked."))
            raise NotAllowed(N_("No such request."))
        req.update(status=REVOKED, revoked_by=username, revoked_at=stamp(now))
        return "revoke", f"{username} 撤銷"

    return _change(archive, request_id, username, now, apply)


def break_glass(archive: Archive, username: str, customer_id: str, reason: str,
                now: datetime | None = None) -> str:
    """Open a file at once in an emergency (read only, for a few hours); return the id."""
    now = _now(now)
    reason = (reason or "").strip()
    rules = load_rules(archive.snapshot())
    if not may_break_glass(rules, username):
        raise NotAllowed(N_("Your role may not open files in an emergency."))
    if not reason:
        raise RequestError(N_("Give the reason for the request."))
    if len(reason) > MAX_REASON:
        raise RequestError(N_("Enter at most %(max)d characters."), max=MAX_REASON)
    created: dict[str, str] = {}

    def build(snapshot: Snapshot) -> Change:
        rules = load_rules(snapshot)
        if not may_break_glass(rules, username):
            raise NotAllowed(N_("Your role may not open files in an emergency."))
        meta = _files(snapshot, _clean_ids([customer_id]))[0]
        request_id = _next_id(snapshot)
        hours = break_glass_hours(rules)
        level = meta.level if meta.level in LEVELS else FALLBACK_LEVEL
        deadline = working_deadline(now, rules.policy.break_glass_approval_days,
                                    company_zone(rules))
        req = {"id": request_id, "kind": "break-glass", "requester": username,
               "requester_department": _department(rules, username), "customers": [meta.id],
               "custodian": meta.owner, "department": meta.department, "level": level,
               "reason": reason, "mode": "read", "days": 0, "created": stamp(now),
               "steps": _steps(rules, level, username, meta.department),
               "status": APPROVED, "granted_at": stamp(now),
               "expires": stamp(now + timedelta(hours=hours)), "review": WAITING,
               "deadline": stamp(deadline), "revoked_by": "", "revoked_at": ""}
        # R35: the read is open at once, and approved after the fact through the same chain.
        _skip_own_steps(req, rules, now)
        if current_step(req) is None:
            req["review"] = APPROVED
        created["id"] = request_id
        return Change({request_path(request_id, now): _dump(req)},
                      _message(req, "break-glass", f"{username} 緊急調閱 {meta.id}"))

    archive.commit(build, rules.identity(username), when=now)
    return created["id"]
