"""Whether a contact or event entry was withdrawn: a leaf the counting rules import.

A withdrawn entry stays in the file, struck through on the card (``records.files.corrections``);
it no longer counts as a contact or an event for any rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

WITHDRAWN = "withdrawn"


def is_withdrawn(entry: Any) -> bool:
    """Tell whether an entry was withdrawn (it stays in the file, marked)."""
    mark = entry.get(WITHDRAWN) if isinstance(entry, dict) else None
    return isinstance(mark, dict) and bool(mark.get("by") or mark.get("reason"))


def standing(items: Iterable[Any] | None) -> list[Any]:
    """Return the entries that count: every one but the withdrawn."""
    return [e for e in items or [] if not is_withdrawn(e)]
