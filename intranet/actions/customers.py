"""Open, edit and restore a customer file: the only ways its fields change (R33, R36).

None of them changes custody (level, custodian, department, contacts): a new file is kept at
personal level by its creator in the creator's department, an edit keeps the head's custody
and refuses a posted one that differs, and a restore keeps the current custody. Custody has
its own action (``actions.custody``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..archive.errors import CorruptRecord, NotFound
from ..archive.repository import Snapshot
from ..records.files import corrections, restore_plan, retired
from ..records.files.customers import CustomerFiles
from ..records.files.messages import N_
from ..records.rights import access
from ..records.rulebook.policy import LEVELS
from ..records.rulebook.rules import load_rules
from ..records.rulebook.zone import company_zone, today
from ..records.sales import grading
from . import Forbidden
from .credit import settler
from .rights import actor_at, custody_of, guard, refuse_custody_change

PERSONAL = LEVELS[-1]


def new_custody(username: str, department: str) -> dict[str, Any]:
    """Return the custody of a new file: personal level, kept by its creator."""
    return {"level": PERSONAL, "owner": username, "department": department, "contacts": []}


def create(files: CustomerFiles, username: str, record: dict[str, Any],
           source: str | None = None, when: Any = None) -> tuple[str, str]:
    """Open a new customer file kept by its creator at personal level; return (id, commit).

    Its grade is the policy's standard grade for its figures, or ungraded: never a guess (R24).
    """

    def check(snapshot: Snapshot, _head: dict[str, Any] | None) -> None:
        rules = load_rules(snapshot)
        actor = actor_at(rules, username)
        if not access.may_create(actor, rules.policy, rules.directory):
            raise Forbidden(N_("You may not open customer files."))
        if custody_of(record) != custody_of({"custody": new_custody(username,
                                                                    actor.department)}):
            raise Forbidden(N_("Custody changes only on the custody page."))
        on = today(company_zone(rules.policy), now=when if isinstance(when, datetime) else None)
        record["grade"] = grading.standard_grade(record, rules.policy, on)

    return files.create(record, username, when=when, source=source, guard=check,
                        settle=settler(username, when))


def save(files: CustomerFiles, username: str, customer_id: str, record: dict[str, Any],
         base: str, base_record: dict[str, Any] | None = None, source: str | None = None,
         when: Any = None) -> str | None:
    """Save an edit loaded at ``base``, merged with what changed since; custody stays the head's.

    ``base_record`` is the record at ``base`` when the caller has parsed it (parsed once).
    Forbidden when the actor may not edit the file at the head, or the record's custody
    differs from the base's; Conflict and InvalidRecord as ``CustomerFiles.save``.
    """
    if base_record is None:
        loaded = files.load(customer_id, base, checked=False)
        base_record = loaded.record
    if base_record is not None:
        refuse_custody_change(base_record, record)
        # Entries are append-only: an edit never rewrites one (R11, R14); a correction does.
        if corrections.entries_changed(base_record, record):
            raise Forbidden(N_("Contact and event entries change only by a correction."))
    return files.save(customer_id, record, base, username, when=when, source=source,
                      base_record=base_record, guard=guard(username, "edit", customer_id),
                      keep=("custody",), settle=settler(username, when))


def restore(files: CustomerFiles, username: str, customer_id: str, version: str,
            base: str, remove_later: bool = False) -> str | None:
    """Restore a version's card fields, keeping the file's current custody; None if no change.

    The contacts, events, yearly figures and documents of the file at ``base`` are kept
    unless ``remove_later``; the commit lists the later entries kept or removed
    (``records.files.restore_plan``). The restore is refused if the file changed since ``base``.
    """
    allowed = guard(username, "restore", customer_id)
    later = restore_plan.later_entries(_record_at(files, customer_id, version),
                                       _record_at(files, customer_id, base))
    body, trailers = restore_plan.message(later, remove_later)
    kept = ("custody",) if remove_later else ("custody", *restore_plan.LATER)

    def check(snapshot: Snapshot, head: dict[str, Any] | None) -> None:
        # A merged file's id lives on in the kept file: restoring it would make two again.
        if retired.kept_for(snapshot, customer_id):
            raise Forbidden(N_("%(id)s was merged into another file; it cannot be restored."),
                            id=customer_id)
        allowed(snapshot, head)

    return files.restore(customer_id, version, base, username, guard=check, keep=kept,
                         settle=settler(username), body=body, trailers=trailers)


def _record_at(files: CustomerFiles, customer_id: str, rev: str) -> dict[str, Any] | None:
    """Return the file's record at a revision, or None where it is absent or unreadable."""
    try:
        return files.load(customer_id, rev, checked=False).record
    except (NotFound, CorruptRecord):
        return None  # the restore itself says why it cannot be done
