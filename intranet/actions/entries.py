"""Quick additions to a file: contact log (R14), events (R11), yearly figures (R12), imports;
and the correction or withdrawal of a contact or event entry (``records.files.corrections``).

Each is one commit at the head by ``records.files.entries``; here the actor's right to edit the
file is checked where it is saved, and custody cannot change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..archive.errors import Conflict
from ..archive.repository import Snapshot
from ..records.files import corrections, entries
from ..records.files.customers import CustomerFiles
from ..records.files.schema import N_
from . import ActionError, Forbidden
from .changes import Checked
from .custody import clean_reason
from .rights import require

# The Action: trailer of a correction and of a withdrawal, by the subject's verb.
ACTIONS = {"更正": "correct", "撤回": "withdraw"}


def add_contact(files: CustomerFiles, username: str, customer_id: str,
                entry: dict[str, Any]) -> str | None:
    """Append a contact entry by the actor (one commit)."""
    return entries.add_contact(Checked(files, username), customer_id, entry, username)


def add_event(files: CustomerFiles, username: str, customer_id: str,
              entry: dict[str, Any]) -> str | None:
    """Append an event (one commit)."""
    return entries.add_event(Checked(files, username), customer_id, entry, username)


def put_year(files: CustomerFiles, username: str, customer_id: str, entry: dict[str, Any],
             source: str = "visit") -> str | None:
    """Enter or replace one year's figures (one commit); None if nothing changed."""
    return entries.put_year(Checked(files, username), customer_id, entry, username,
                            source=source)


def import_years(files: CustomerFiles, username: str, customer_id: str,
                 imported: entries.Imported) -> str | None:
    """Merge a CSV import's figures into the file (one commit, source "import")."""
    return entries.import_years(Checked(files, username), customer_id, imported, username)


def correct(files: CustomerFiles, username: str, customer_id: str, list_name: str,
            position: int, seen: str, values: dict[str, Any], reason: str,
            today: date) -> str | None:
    """Correct a contact or event entry with a reason: one commit by the actor.

    Only the entry's author and the file's custodian (who may also edit the file) may;
    anyone else is Forbidden before anything is written. ``seen`` is the entry's fingerprint
    as the form showed it: a changed entry is an EntryError, not a silent overwrite.
    """
    why = clean_reason(reason)
    return _change(files, username, customer_id, list_name, position, seen, "更正", why,
                   lambda entry: corrections.corrected(list_name, entry, values, why,
                                                       username, today))


def withdraw(files: CustomerFiles, username: str, customer_id: str, list_name: str,
             position: int, seen: str, reason: str, today: date) -> str | None:
    """Withdraw a contact or event entry with a reason (it stays, marked): one commit."""
    why = clean_reason(reason)
    return _change(files, username, customer_id, list_name, position, seen, "撤回", why,
                   lambda entry: corrections.withdrawn(entry, why, username, today))


def _change(files: CustomerFiles, username: str, customer_id: str, list_name: str,
            position: int, seen: str, verb: str, why: str,
            change: Callable[[dict[str, Any]], dict[str, Any]]) -> str | None:
    """Replace one entry in place as one commit, checked at the head the commit follows."""
    if list_name not in corrections.LISTS:
        raise ActionError(N_("Only contact and event entries can be corrected."))

    def apply(record: dict[str, Any], snapshot: Snapshot) -> dict[str, Any]:
        require(snapshot, username, "edit", customer_id, record)
        entry = corrections.entry_at(record, list_name, position)
        if not corrections.may_correct(username, list_name, entry, record):
            raise Forbidden(N_("Only the entry's author and the file's custodian may correct "
                               "or withdraw it."))
        if corrections.fingerprint(entry) != seen:
            # Someone corrected it since the form was loaded: show it again, write nothing.
            raise Conflict([f"{list_name}[{position}]"])
        record[list_name][position] = change(entry)
        return record

    # Entries are never reordered, so the entry named here is the one the commit changes.
    head = files.load(customer_id, checked=False).record or {}
    items = head.get(list_name) if isinstance(head.get(list_name), list) else []
    entry = items[position] if 0 <= position < len(items) else {}
    named = corrections.describe(list_name, position, entry if isinstance(entry, dict) else {})
    return files.amend(customer_id, apply, username, action=ACTIONS[verb], verb=verb,
                       trailers={"Entry": f"{list_name}[{position}]", "Reason": why},
                       body=f"{named}\n理由：{why}")
