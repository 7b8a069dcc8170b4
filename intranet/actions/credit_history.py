"""The history of a file's credit from git (R28): every version that changed its credit grade,
limit, terms, approval or receivables, with its date, author and old -> new values.

The versions come from the index (``versions``), the bytes from the archive (one batch read);
the read is checked and journalled as the "history" action, as the file's history page is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..archive.errors import CorruptRecord
from ..records.files import yamlio
from ..records.files.customers import customer_path
from ..records.rights import access

FIELDS = ("credit.grade", "credit.limit", "credit.terms", "credit.approved_by",
          "credit.approved_on", "receivables.amount", "receivables.oldest_due",
          "receivables.as_of", "receivables.notes")


@dataclass
class Entry:
    """One version that changed the credit: when, who, the commit, and each field's change."""

    sha: str
    authored_at: str
    author: str
    action: str
    subject: str
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)


def _values(raw: bytes | None, path: str) -> dict[str, Any] | None:
    """Return the credit fields of one version (None when it does not parse)."""
    if raw is None:
        return None
    try:
        record = yamlio.load(raw, path)
    except CorruptRecord:
        return None
    found: dict[str, Any] = {}
    for dotted in FIELDS:
        section, key = dotted.split(".")
        group = record.get(section) if isinstance(record.get(section), dict) else {}
        value = group.get(key)
        found[dotted] = None if value == "" else value
    return found


def history(reader: Any, actor: access.Actor, customer_id: str) -> list[Entry]:
    """Return the versions that changed the file's credit, newest first; Hidden if refused."""
    versions = [v for v in reader.versions(customer_id, actor, "history") if v["status"] != "D"]
    path = customer_path(customer_id)
    oldest_first = list(reversed(versions))
    raws = reader.stores.files.archive.read_many([f"{v['sha']}:{path}" for v in oldest_first])
    entries: list[Entry] = []
    before: dict[str, Any] = dict.fromkeys(FIELDS)
    for version, raw in zip(oldest_first, raws, strict=True):
        now = _values(raw, path)
        if now is None:
            continue  # a damaged version says nothing about the credit
        changes = [(k, before[k], now[k]) for k in FIELDS if before[k] != now[k]]
        if changes:
            entries.append(Entry(version["sha"], version["authored_at"],
                                 version["author_name"], version["action"],
                                 version["subject"], changes))
        before = now
    return list(reversed(entries))
