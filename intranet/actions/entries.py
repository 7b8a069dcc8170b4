"""Quick additions to a file: contact log (R14), events (R11), yearly figures (R12), imports.

Each is one commit at the head by ``records.entries``; here the actor's right to edit the
file is checked where it is saved, and custody cannot change.
"""

from __future__ import annotations

from typing import Any

from ..records import entries
from ..records.customers import CustomerFiles
from .changes import Checked


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
