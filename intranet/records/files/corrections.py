"""Correcting and withdrawing a contact or event entry (R11, R14): the entry keeps its place.

Entries are otherwise append-only. A correction rewrites the entry's own fields and marks it
``corrected: {by, on, reason}``; a withdrawal leaves its text and marks it ``withdrawn: {by,
on, reason}``. Git keeps the text as it was before. Only the entry's author (the contact's
``staff``, the event's ``recorded_by``) and the file's custodian may do either; a withdrawn
entry no longer counts for the rules that count contacts (R31, R32, completeness of R19).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from intranet.records.files import entries
from intranet.records.files.marks import WITHDRAWN, is_withdrawn, standing
from intranet.records.files.schema import N_
from intranet.records.files.validate import FieldError

__all__ = ["is_withdrawn", "standing"]  # re-exported for the web and the actions
LISTS = ("contacts", "events")
CORRECTED = "corrected"
# The fields a correction may change, per list; author, recording day and source stay.
EDITABLE = {"contacts": ("date", "channel", "summary", "report", "confidential"),
            "events": ("date", "kind", "summary")}


def author_of(list_name: str, entry: Any) -> str:
    """Return the member of staff who recorded an entry, or "" when the file does not say."""
    if not isinstance(entry, dict):
        return ""
    return str(entry.get("staff" if list_name == "contacts" else "recorded_by") or "")


def may_correct(username: str, list_name: str, entry: Any, record: dict[str, Any]) -> bool:
    """Tell whether someone may correct or withdraw an entry: its author or the custodian."""
    custody = record.get("custody") if isinstance(record.get("custody"), dict) else {}
    return bool(username) and username in (author_of(list_name, entry), custody.get("owner"))


def fingerprint(entry: Any) -> str:
    """Return a short digest of an entry, so a form corrects the entry its author saw."""
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def entry_at(record: dict[str, Any], list_name: str, position: int) -> dict[str, Any]:
    """Return the entry at a position of a list; EntryError when there is none."""
    items = record.get(list_name) if list_name in LISTS else None
    if not isinstance(items, list) or not 0 <= position < len(items) or \
            not isinstance(items[position], dict):
        raise entries.EntryError([FieldError("", N_("There is no such entry."), {})])
    return items[position]


def corrected(list_name: str, entry: dict[str, Any], values: dict[str, Any], reason: str,
              username: str, today: date) -> dict[str, Any]:
    """Return the entry with the corrected fields checked and marked; EntryError if not.

    ``values`` holds the fields of ``EDITABLE``; the entry's other keys stay as they are.
    """
    if is_withdrawn(entry):
        raise entries.EntryError([FieldError("", N_("A withdrawn entry cannot be corrected."),
                                              {})])
    if list_name == "contacts":
        checked = entries.contact_entry(
            when=values.get("date"), channel=str(values.get("channel") or ""),
            staff=str(entry.get("staff") or username), summary=str(values.get("summary") or ""),
            report=str(values.get("report") or ""), source=str(entry.get("source") or "visit"),
            confidential=bool(values.get("confidential")), today=today)
    else:
        checked = entries.event_entry(
            when=values.get("date"), kind=str(values.get("kind") or ""),
            summary=str(values.get("summary") or ""),
            source=str(entry.get("source") or "visit"), today=today)
    changed = {k: checked[k] for k in EDITABLE[list_name] if checked[k] != entry.get(k)}
    if not changed:
        raise entries.EntryError([FieldError("", N_("Change the entry before saving a "
                                                    "correction."), {})])
    return {**entry, **changed, CORRECTED: _mark(username, today, reason)}


def withdrawn(entry: dict[str, Any], reason: str, username: str, today: date
              ) -> dict[str, Any]:
    """Return the entry marked withdrawn (its text kept); EntryError if it already is."""
    if is_withdrawn(entry):
        raise entries.EntryError([FieldError("", N_("This entry is already withdrawn."), {})])
    return {**entry, WITHDRAWN: _mark(username, today, reason)}


def _mark(username: str, today: date, reason: str) -> dict[str, str]:
    return {"by": username, "on": today.isoformat(), "reason": reason}


def describe(list_name: str, position: int, entry: dict[str, Any]) -> str:
    """Name an entry for a commit message: ``聯絡記錄 #3（2026-01-05 拜訪 摘要）``."""
    what = "聯絡記錄" if list_name == "contacts" else "重大事項"
    summary = " ".join(str(entry.get("summary") or "").split())
    if len(summary) > 30:
        summary = summary[:30] + "…"
    return f"{what} #{position + 1}（{entry.get('date') or ''} {summary}）"


def entries_changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Return the lists whose existing entries differ (an append alone changes none)."""
    found = []
    for name in LISTS:
        old = [e for e in before.get(name) or []]
        new = [e for e in after.get(name) or []]
        if new[: len(old)] != old:
            found.append(name)
    return found
