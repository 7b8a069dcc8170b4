"""What an access request (查閱檔案審批表, R34) is, its state, and who may act on it.

A request is one YAML file ``access/<YYYY>/AR000123.yaml``. Every operation is one commit
authored by the person acting, with the trailers ``Access-Request`` and ``Action``, so
``git log access/`` is the paper trail. A request's steps come from the policy's approval chain
for the strictest level among its files; the last step approved makes it a grant until its
expiry (by time: nothing has to run). Break-glass requests are granted at once, read only, for
``policy.break_glass_hours`` hours, and are marked so the audit journal tells them apart; they
carry the same chain, signed after the fact (``review``) before a ``deadline`` of
``break_glass_approval_days`` working days, or the read counts as unapproved (R35).

A step may hold ``when: other_department``: it is part of a request only when the requester's
department is not the file's. One person holding several steps signs once: their signature
completes every step they may sign, each recorded with ``with_step`` (the step they signed).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from intranet.archive.errors import CorruptRecord
from intranet.archive.repository import Snapshot
from intranet.records.files import yamlio
from intranet.records.rights.access import is_administrator
from intranet.records.rulebook import zone
from intranet.records.rulebook.rules import Rules

ROOT = "access"
MODES = ("read", "edit")
KINDS = ("request", "break-glass")
WAITING, APPROVED, REFUSED, REVOKED = "waiting", "approved", "refused", "revoked"
SKIPPED = "skipped"  # a step only the requester could have signed
BREAK_GLASS_HOURS = 4  # when the policy does not say (policy key ``break_glass_hours``)
MAX_REASON = 2000
_ID = re.compile(r"^AR(\d{6})$")
_FILE = re.compile(r"^(AR\d{6})\.yaml$")
_STEP_ORDER = {k: None for k in ("by", "action", "when", "signer", "decision", "with_step",
                                  "comment", "at")}
ORDER: dict[str, Any] = {
    **{k: None for k in ("id", "kind", "requester", "requester_department", "customers",
                         "custodian", "department", "level", "reason", "mode", "days",
                         "created")},
    "steps": _STEP_ORDER,
    **{k: None for k in ("status", "granted_at", "expires", "review", "deadline", "revoked_by",
                         "revoked_at")},
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


def _open(req: dict[str, Any]) -> bool:
    """Tell whether a request's chain still waits: a request's status, a break-glass review."""
    if req.get("kind") == "break-glass":
        return req.get("review") == WAITING
    return req.get("status") == WAITING


def current_step(req: dict[str, Any]) -> int | None:
    """Return the index of the step that waits for a signature, or None."""
    if not _open(req):
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


def _applies(step: dict[str, Any], requester_department: str, file_department: str) -> bool:
    """Tell whether a chain step is part of a request (its ``when`` condition holds)."""
    when = step.get("when") or "always"
    # An unknown department counts as another one: the stricter chain.
    across = not requester_department or requester_department != file_department
    return when == "always" or (when == "other_department") == across


def _steps(rules: Rules, level: str, requester: str, file_department: str,
           ) -> list[dict[str, str]]:
    """Return the blank steps of the level's chain that apply to this requester (R33, R34)."""
    mine = _department(rules, requester)
    return [{"by": str(s.get("by") or ""), "action": str(s.get("action") or ""),
             **({"when": str(s["when"])} if s.get("when") else {}),
             "signer": "", "decision": "", "comment": "", "at": ""}
            for s in rules.policy.approval_chain(level) if _applies(s, mine, file_department)]


def _department(rules: Rules, username: str) -> str:
    """Return the department a member of staff works in ("" if unknown)."""
    member = rules.directory.member(username) or {}
    return str(member.get("department") or "")


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


def may_act(req: dict[str, Any], username: str, rules: Rules,
            now: datetime | None = None) -> bool:
    """Tell whether someone may sign (approve or refuse) the request's current step."""
    index = current_step(req)
    return index is not None and not overdue(req, now) \
        and username in signers(req, req["steps"][index], rules)


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


# -- break-glass review (R35) ---------------------------------------------------------------

def company_zone(rules: Rules) -> ZoneInfo:
    """Return the company's time zone (policy key ``timezone``)."""
    return zone.company_zone(rules.policy)


def working_deadline(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """Return the end (local midnight, as UTC) of the ``days``-th working day after ``start``.

    Working days are Monday to Friday in the company's time zone; the day of the read itself
    does not count, so a read on Friday morning has until Wednesday night with 3 days.
    """
    day: date = _now(start).astimezone(zone).date()
    left = max(days, 0)
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return end.astimezone(UTC)


def overdue(req: dict[str, Any], now: datetime | None = None) -> bool:
    """Tell whether a break-glass review is past its deadline without approval."""
    deadline = parse_time(req.get("deadline"))
    return req.get("kind") == "break-glass" and req.get("review") == WAITING \
        and deadline is not None and _now(now) >= deadline


def review_state(req: dict[str, Any], now: datetime | None = None) -> str:
    """Return a break-glass read's standing: approved, waiting, unapproved (or "" for none)."""
    if req.get("kind") != "break-glass" or not req.get("review"):
        return ""  # a request, or a break-glass read from before reviews were kept
    if req["review"] == APPROVED:
        return "approved"
    if req["review"] == REFUSED or overdue(req, now):
        return "unapproved"
    return "waiting"
