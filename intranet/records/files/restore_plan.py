"""What a restore would undo: the entries added or changed since the version restored.

A restore puts back the card's fields of an old version. The contact log, the events, the
yearly figures and the documents added or changed after it are kept unless the person asks
for them to go too; either way the restore page lists them and the commit names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The sections a restore keeps from the head unless asked to remove what came later.
LATER = ("contacts", "events", "yearly", "documents")
ADDED, CHANGED = "added", "changed"
_ZH = {"contacts": "聯絡記錄", "events": "重大事項", "yearly": "年度資料", "documents": "合約文件"}


@dataclass(frozen=True)
class Later:
    """One entry of the head that the restored version does not have as it is now."""

    section: str
    key: str  # "#3" for a log entry, the year, or the document's file
    entry: dict[str, Any]
    change: str  # ADDED or CHANGED

    def words(self) -> str:
        """Describe the entry for a commit message (Chinese, as the archive writes)."""
        e = self.entry
        if self.section == "yearly":
            detail = ""
        elif self.section == "documents":
            detail = str(e.get("title") or e.get("original_name") or "")
        else:
            detail = f"{e.get('date') or ''} {' '.join(str(e.get('summary') or '').split())}"
        what = "新增" if self.change == ADDED else "變更"
        return f"{_ZH[self.section]} {self.key} {detail[:40]}".rstrip() + f"（{what}）"


def _items(record: dict[str, Any] | None, section: str) -> list[Any]:
    items = (record or {}).get(section)
    return items if isinstance(items, list) else []


def _keyed(items: list[Any], field: str) -> dict[str, Any]:
    """Return the items of a list by one of their fields (yearly by year, documents by file)."""
    return {str(i.get(field)): i for i in items if isinstance(i, dict) and i.get(field)}


def later_entries(old: dict[str, Any] | None, head: dict[str, Any] | None) -> list[Later]:
    """Return the head's entries that restoring ``old`` wholesale would drop or change back.

    Contact and event entries keep their place (append-only, corrected in place), so they
    are compared by position; years by year; documents by their file in the archive.
    """
    found: list[Later] = []
    for section in ("contacts", "events"):
        before = _items(old, section)
        for position, entry in enumerate(_items(head, section)):
            if not isinstance(entry, dict):
                continue
            if position >= len(before):
                found.append(Later(section, f"#{position + 1}", entry, ADDED))
            elif before[position] != entry:
                found.append(Later(section, f"#{position + 1}", entry, CHANGED))
    for section, field in (("yearly", "year"), ("documents", "file")):
        before_items = _keyed(_items(old, section), field)
        for key, entry in _keyed(_items(head, section), field).items():
            if key not in before_items:
                found.append(Later(section, key, entry, ADDED))
            elif before_items[key] != entry:
                found.append(Later(section, key, entry, CHANGED))
    return found


def counts(items: list[Later]) -> str:
    """Return how many entries of each section, for a trailer: ``contacts 2, yearly 1``."""
    numbers = {s: sum(1 for i in items if i.section == s) for s in LATER}
    return ", ".join(f"{s} {n}" for s, n in numbers.items() if n)


def message(items: list[Later], remove: bool) -> tuple[str, dict[str, str]]:
    """Return the body and trailers a restore's commit gets for the later entries."""
    if not items:
        return "", {}
    head = "一併移除此版本之後的記錄：" if remove else "保留此版本之後的記錄（未還原）："
    body = head + "\n" + "\n".join(f"- {i.words()}" for i in items)
    return body, {("Removed" if remove else "Kept"): counts(items)}
