"""Change a file's custody: level, custodian, department and contacts (R33), one commit each.

Only here does custody change. ``records.rights.access.custody_change`` decides, inside the commit's
build against the head it follows: the administrator anything, the file's department manager
within the department and the policy's ``custody_changes.manager_levels``. The commit is
authored by the actor, gives the reason in its body and carries ``Action: custody`` and
``Reason:`` trailers, so the file's history shows who moved it and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..archive.repository import Snapshot
from ..records.files.customers import CustomerFiles
from ..records.files.messages import N_
from ..records.rights import access
from ..records.rulebook.rules import load_rules
from . import ActionError, Forbidden
from .rights import actor_at

ACTION = "custody"
MAX_REASON = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Custody:
    """A file's custody as the custody page sets it."""

    level: str
    owner: str
    department: str
    contacts: tuple[str, ...] = ()

    @classmethod
    def of(cls, record: dict[str, Any] | None) -> Custody:
        """Return a record's custody (blank parts for a damaged one)."""
        meta = access.FileMeta.from_record("", record)
        raw = (record or {}).get("custody") if isinstance(record, dict) else None
        listed = raw.get("contacts") if isinstance(raw, dict) else None
        order = [c for c in listed if isinstance(c, str) and c] if isinstance(listed, list) \
            else []
        return cls(meta.level, meta.owner, meta.department, tuple(order))

    def meta(self, customer_id: str) -> access.FileMeta:
        """Return the custody as the access rules see it."""
        return access.FileMeta(customer_id, self.level, self.owner, self.department,
                               frozenset(self.contacts))

    def section(self) -> dict[str, Any]:
        """Return the record's ``custody`` section (contacts once each, in the given order)."""
        contacts = list(dict.fromkeys(c for c in self.contacts if c and c != self.owner))
        return {"level": self.level, "owner": self.owner, "department": self.department,
                "contacts": contacts}


def clean_reason(reason: str) -> str:
    """Return the reason as one line for the trailer; ActionError when it is blank or long."""
    text = _CONTROL.sub(" ", reason or "").strip()
    if not text:
        raise ActionError(N_("Give a reason for the change."))
    if len(text) > MAX_REASON:
        raise ActionError(N_("Keep the reason under %(n)s characters."), n=MAX_REASON)
    return text


def change(files: CustomerFiles, username: str, customer_id: str, level: str, owner: str,
           department: str, contacts: Iterable[str], reason: str,
           when: Any = None) -> str | None:
    """Set a file's custody with a reason as one commit; None if it is already so.

    Forbidden when the actor may not make this change at the head the commit follows.
    """
    why = clean_reason(reason)
    wanted = Custody(level, owner, department, tuple(contacts))

    def apply(record: dict[str, Any], snapshot: Snapshot) -> dict[str, Any] | None:
        rules = load_rules(snapshot)
        before = Custody.of(record)
        answer = access.custody_change(actor_at(rules, username), before.meta(customer_id),
                                       wanted.meta(customer_id), rules.policy, rules.directory)
        if not answer.allowed:
            raise Forbidden(N_("You may not change the custody of %(id)s this way: %(why)s."),
                            id=customer_id, why=answer.reason)
        section = wanted.section()
        if section == before.section():
            return None
        record["custody"] = {**(record.get("custody") or {}), **section}
        return record

    return files.amend(customer_id, apply, username, action=ACTION, verb="保管變更",
                       trailers={"Reason": why}, body=why, when=when)
