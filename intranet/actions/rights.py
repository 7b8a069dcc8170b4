"""Who the actor is at the head the commit follows, and whether they may do a change there.

Every action asks here inside the commit's build, against the archive head it will follow,
so a grant revoked or a role changed since the page was loaded is seen (R33, R36).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..archive.repository import Snapshot
from ..records.files.messages import N_
from ..records.rights import access, requests
from ..records.rulebook.rules import Rules, load_rules
from . import Forbidden, NeedsRequest, NotAllowed

CUSTODY = "custody"
# Who may read and change a customer file, for a refusal that no request can turn (R33, R34).
WHO_READS = N_("the file's custodian and the contacts they list, the roles its confidentiality "
               "level names, and staff holding an approved access request; roles that read no "
               "file contents (HR) never do.")
# A guard called inside a commit's build with the head snapshot and the head's record.
Guard = Callable[[Snapshot, "dict[str, Any] | None"], None]


def actor_at(rules: Rules, username: str) -> access.Actor:
    """Return the actor as the directory at a snapshot knows them (role, department)."""
    member = rules.directory.member(username) or {}
    return access.Actor(username, rules.directory.role(username),
                        str(member.get("department") or ""))


def is_administrator(rules: Rules, username: str) -> bool:
    """Tell whether an active member of staff is the administrator (records.access decides)."""
    return rules.directory.is_active(username) and \
        access.is_administrator(rules.directory.role(username), rules.policy)


def require(snapshot: Snapshot, username: str, action: str, customer_id: str,
            record: Mapping[str, Any] | None) -> access.Decision:
    """Return the decision for a change to a file at a snapshot; Forbidden when it is no."""
    rules = load_rules(snapshot)
    meta = access.FileMeta.from_record(customer_id, record)
    answer = access.decide(actor_at(rules, username), action, meta, rules.policy,
                           rules.directory, requests.grants_for(snapshot, username))
    if not answer.allowed:
        message = N_("You may not do this to customer file %(id)s.")
        if answer.remedy == access.REQUEST:
            raise NeedsRequest(message, customer_id, request_mode(action))
        raise NotAllowed(message, WHO_READS, id=customer_id)
    return answer


def request_mode(action: str) -> str:
    """Return the access request's mode that would allow an action: read or edit."""
    return "read" if action in access.READ_ACTIONS or action in (
        access.REPORTS, access.FIGURES) else "edit"


def guard(username: str, action: str, customer_id: str) -> Guard:
    """Return a build-time guard that refuses the change unless ``action`` is allowed."""

    def check(snapshot: Snapshot, record: dict[str, Any] | None) -> None:
        require(snapshot, username, action, customer_id, record)

    return check


def custody_of(record: Mapping[str, Any] | None) -> tuple[str, str, str, frozenset[str]]:
    """Return a record's custody as the access rules see it (level, owner, dept, contacts)."""
    return access.custody(access.FileMeta.from_record("", record))


def refuse_custody_change(base: Mapping[str, Any] | None, posted: Mapping[str, Any]) -> None:
    """Refuse a record whose custody differs from the one it was loaded from (any actor)."""
    if custody_of(base) != custody_of(posted):
        raise Forbidden(N_("Custody changes only on the custody page."))


def refuse_custody_fields(keys: Iterable[str]) -> None:
    """Refuse a posted form that carries custody fields where custody cannot change."""
    if any(key == CUSTODY or key.startswith(CUSTODY + ".") for key in keys):
        raise Forbidden(N_("Custody changes only on the custody page."))
