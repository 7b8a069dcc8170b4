"""Access requests (查閱檔案審批表, R34): ask, sign, approve, release, refuse, revoke, break glass.

A request is one YAML file ``access/<YYYY>/AR000123.yaml``. Every operation is one commit
authored by the person acting, with the trailers ``Access-Request`` and ``Action``, so
``git log access/`` is the paper trail. A request's steps come from the policy's approval chain
for the strictest level among its files; the last step approved makes it a grant until its
expiry (by time: nothing has to run). Break-glass requests are granted at once, read only, for
``policy.break_glass_hours`` hours, and are marked so the audit journal tells them apart.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from ..archive.errors import CorruptRecord
from ..archive.repository import Archive, Change, Snapshot
from . import yamlio
from .access import FALLBACK_LEVEL, FileMeta, Grant, is_administrator
from .customers import customer_path, is_customer_id
from .policy import LEVELS
from .rules import Rules, load_rules
from .schema import N_

ROOT = "access"
MODES = ("read", "edit")
KINDS = ("request", "break-glass")
WAITING, APPROVED, REFUSED, REVOKED = "waiting", "approved", "refused", "revoked"
SKIPPED = "skipped"  # a step only the requester could have signed
BREAK_GLASS_HOURS = 4  # when the policy does not say (policy key ``break_glass_hours``)
MAX_REASON = 2000
_ID = re.compile(r"^AR(\d{6})$")
_FILE = re.compile(r"^(AR\d{6})\.yaml$")
_STEP_ORDER = {k: None for k in ("by", "action", "signer", "decision", "comment", "at")}
ORDER: dict[str, Any] = {
    **{k: None for k in ("id", "kind", "requester", "customers", "custodian", "department",
                         "level", "reason", "mode", "days", "created")},
    "steps": _STEP_ORDER,
    **{k: None for k in ("status", "granted_at", "expires", "revoked_by", "revoked_at")},
}


class RequestError(ValueError):
    """A request that cannot be made or acted on; ``message`` is an English msgid."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class NotAllowed(RequestError):
    """Raised when someone acts on a request they may not act on (or that does not exist)."""


# -- times and ids ---------------------------------------------------------------------------

def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)


def stamp(when: datetime) -> str:
    """Return a UTC time as stored: ``2026-11-26T19:12:00Z``."""
    return _now(when).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> datetime | None:
    """Return a stored time as an aware datetime, or None when blank or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_request_id(value: str) -> bool:
    """Tell whether a string looks like a request id (AR000123)."""
    return bool(_ID.match(value or ""))


def request_path(request_id: str, created: datetime) -> str:
    """Return where a request lives: a folder per year of its creation."""
    return f"{ROOT}/{created.year:04d}/{request_id}.yaml"


# -- reading ---------------------------------------------------------------------------------

_cache: OrderedDict[str, dict[str, dict[str, Any]]] = OrderedDict()
_cache_lock = threading.Lock()


def load_all(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Return every readable request at a snapshot by id (cached by the ``access`` tree)."""
    tree = snapshot.archive.entry(snapshot.tree, ROOT, want_tree=True) if snapshot.tree else None
    if tree is None:
        return {}
    with _cache_lock:
        if tree in _cache:
            _cache.move_to_end(tree)
            return _cache[tree]
    found: dict[str, dict[str, Any]] = {}
    for year in snapshot.listdir(ROOT):
        for name in snapshot.listdir(f"{ROOT}/{year}"):
            match = _FILE.match(name)
            if not match:
                continue
            path = f"{ROOT}/{year}/{name}"
            try:
                data = yamlio.load(snapshot.read(path), path)
            except CorruptRecord:
                continue  # a hand-damaged request grants nothing
            if isinstance(data, dict) and data.get("id") == match.group(1):
                data["_path"] = path
                found[match.group(1)] = data
    with _cache_lock:
        _cache[tree] = found
        while len(_cache) > 32:
            _cache.popitem(last=False)
    return found


def get(snapshot: Snapshot, request_id: str) -> dict[str, Any] | None:
    """Return one request (a copy), or None."""
    found = load_all(snapshot).get(request_id)
    return _copy(found) if found else None


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    result = dict(data)
    result["customers"] = list(data.get("customers") or [])
    result["steps"] = [dict(s) for s in data.get("steps") or [] if isinstance(s, dict)]
    return result


def current_step(req: dict[str, Any]) -> int | None:
    """Return the index of the step that waits for a signature, or None."""
    if req.get("status") != WAITING:
        return None
    for index, step in enumerate(req.get("steps") or []):
        if not step.get("decision"):
            return index
    return None


def kind(req: dict[str, Any]) -> str:
    """Return ``request`` or ``break-glass``."""
    return "break-glass" if req.get("kind") == "break-glass" else "request"


def expires_at(req: dict[str, Any]) -> datetime | None:
    """Return when a granted request ends."""
    return parse_time(req.get("expires"))


def in_force(req: dict[str, Any], now: datetime | None = None) -> bool:
    """Tell whether a request grants access now."""
    expiry = expires_at(req)
    return req.get("status") == APPROVED and expiry is not None and _now(now) < expiry


def state(req: dict[str, Any], now: datetime | None = None) -> str:
    """Return what a person reads: waiting, active, expired, refused or revoked."""
    status = req.get("status")
    if status == APPROVED:
        return "active" if in_force(req, now) else "expired"
    return str(status or "")


# -- who may do what -------------------------------------------------------------------------

def administrator(rules: Rules, username: str) -> bool:
    """Tell whether someone holds the company level's custodian role (the administrator)."""
    return rules.directory.is_active(username) and \
        is_administrator(rules.directory.role(username), rules.policy)


def signers(req: dict[str, Any], step: dict[str, Any], rules: Rules) -> set[str]:
    """Return who may sign a step now (never the requester)."""
    return {n for n in _candidates(req, step, rules) if n != req.get("requester")}


def _candidates(req: dict[str, Any], step: dict[str, Any], rules: Rules) -> set[str]:
    """Return the active staff who hold the post that signs a step."""
    directory = rules.directory
    by = str(step.get("by") or "")
    if by == "requester_manager":
        names = {directory.manager_of_member(str(req.get("requester") or ""))}
    elif by == "custodian":
        names = {str(req.get("custodian") or "")}
    elif by == "department_manager":
        names = {directory.manager_of(str(req.get("department") or ""))}
    else:
        names = {str(m.get("username")) for m in directory.with_role(by)}
    return {n for n in names if n and directory.is_active(n)}


def _skip_own_steps(req: dict[str, Any], rules: Rules, now: datetime) -> None:
    """Mark skipped the steps only the requester would sign (a manager's own request).

    Nobody signs their own request, so a step whose one signer is the requester would wait
    forever; the next step (the general manager, the custodian) still decides. The same for the
    requester's department manager when their department has none (the general manager's own
    office). Any other step without a signer keeps waiting: the administrator fills the post.
    """
    requester = str(req.get("requester") or "")
    for step in req["steps"]:
        candidates = _candidates(req, step, rules)
        if candidates == {requester}:
            comment = "申請人即為本步驟的簽核人，依規定不得自簽"
        elif not candidates and step.get("by") == "requester_manager":
            comment = "申請人所屬部門未設部門經理"
        else:
            continue
        step.update(decision=SKIPPED, comment=comment, at=stamp(now))


def may_act(req: dict[str, Any], username: str, rules: Rules) -> bool:
    """Tell whether someone may sign (approve or refuse) the request's current step."""
    index = current_step(req)
    return index is not None and username in signers(req, req["steps"][index], rules)


def may_revoke(req: dict[str, Any], username: str, rules: Rules) -> bool:
    """Tell whether someone may revoke a waiting or granted request."""
    if req.get("status") not in (WAITING, APPROVED):
        return False
    return username in (req.get("requester"), req.get("custodian")) or \
        administrator(rules, username)


def may_see(req: dict[str, Any], username: str, rules: Rules) -> bool:
    """Tell whether someone may see a request: theirs, waiting for them, signed or held by them."""
    if not username:
        return False
    if username in (req.get("requester"), req.get("custodian")):
        return True
    if any(step.get("signer") == username for step in req.get("steps") or []):
        return True
    return may_act(req, username, rules) or administrator(rules, username)


def may_break_glass(rules: Rules, username: str) -> bool:
    """Tell whether someone's role may open any file at once in an emergency."""
    return rules.directory.is_active(username) and \
        rules.directory.role(username) in rules.policy.break_glass_roles


def break_glass_hours(rules: Rules) -> int:
    """Return how long a break-glass read lasts, in hours."""
    value = rules.policy.data.get("break_glass_hours")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 \
        else BREAK_GLASS_HOURS


# -- queries ---------------------------------------------------------------------------------

def _newest_first(found: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((_copy(r) for r in found), key=lambda r: str(r.get("id")), reverse=True)


def mine(snapshot: Snapshot, username: str) -> list[dict[str, Any]]:
    """Return the requests someone made, newest first."""
    return _newest_first(r for r in load_all(snapshot).values()
                         if r.get("requester") == username)


def waiting_for(snapshot: Snapshot, username: str) -> list[dict[str, Any]]:
    """Return the requests whose current step this person may sign (their queue)."""
    found = load_all(snapshot)
    if not found:
        return []
    rules = load_rules(snapshot)
    return _newest_first(r for r in found.values() if may_act(r, username, rules))


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


# -- writing ---------------------------------------------------------------------------------

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
        steps = [{"by": str(s.get("by") or ""), "action": str(s.get("action") or ""),
                  "signer": "", "decision": "", "comment": "", "at": ""}
                 for s in rules.policy.approval_chain(level)]
        request_id = _next_id(snapshot)
        req = {"id": request_id, "kind": "request", "requester": requester, "customers": ids,
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
        if not may_act(req, username, rules):
            raise NotAllowed(N_("This step is not yours to sign."))
        if not approve and not comment:
            raise RequestError(N_("Say why you refuse."))
        step = req["steps"][index]
        step.update(signer=username, decision="approved" if approve else "refused",
                    comment=comment, at=stamp(now))
        if not approve:
            req["status"] = REFUSED
            return "refuse", f"{username} 駁回"
        if current_step(req) is None:
            req["status"] = APPROVED
            req["granted_at"] = stamp(now)
            req["expires"] = stamp(now + timedelta(days=int(req.get("days") or 1)))
        action = step.get("action") if step.get("action") in ("sign", "approve", "release") \
            else "approve"
        verb = "簽核" if action == "sign" else "核准"
        return str(action), f"{username} {verb}（{step.get('by')}）"

    return _change(archive, request_id, username, now, apply)


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
        req = {"id": request_id, "kind": "break-glass", "requester": username,
               "customers": [meta.id], "custodian": meta.owner, "department": meta.department,
               "level": meta.level if meta.level in LEVELS else FALLBACK_LEVEL,
               "reason": reason, "mode": "read", "days": 0, "created": stamp(now), "steps": [],
               "status": APPROVED, "granted_at": stamp(now),
               "expires": stamp(now + timedelta(hours=hours)), "revoked_by": "",
               "revoked_at": ""}
        created["id"] = request_id
        return Change({request_path(request_id, now): _dump(req)},
                      _message(req, "break-glass", f"{username} 緊急調閱 {meta.id}"))

    archive.commit(build, rules.identity(username), when=now)
    return created["id"]
