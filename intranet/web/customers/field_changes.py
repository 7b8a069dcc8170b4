"""The customer page's "who changed what": each field's last change, as names and dates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_date

from ...actions.field_history import field_changes
from ...records.files.customers import Loaded
from . import reading


@dataclass(frozen=True)
class FieldChange:
    """Who last changed a field, on which day, in which commit (its subject)."""

    name: str
    day: str
    subject: str


def _name(author_name: str, author_email: str) -> str:
    """Return the author's name as the directory knows them now, else as the commit has it."""
    for member in reading.rules().directory.staff:
        if isinstance(member, dict) and author_email and member.get("email") == author_email:
            return str(member.get("name") or author_name)
    return author_name


def for_card(customer_id: str, user: Any, loaded: Loaded) -> dict[str, FieldChange]:
    """Return the last change of every field of the shown version, by path (a history read)."""
    found = field_changes(reading.reader(), customer_id, reading.actor(user), loaded.commit,
                          loaded.raw)
    names: dict[tuple[str, str], str] = {}
    result = {}
    for path, origin in found.items():
        key = (origin.author_name, origin.author_email)
        if key not in names:
            names[key] = _name(*key)
        result[path] = FieldChange(names[key], format_date(origin.authored_at, "medium"),
                                   origin.summary)
    return result
