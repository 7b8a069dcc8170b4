"""Turn a record into what the card and diff pages show: labelled rows, tables, words."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _

from ...records.files import cards, schema
from ...records.files.diff import Change
from . import reading
from .labels import ENUMS, enum_label, field_label

# The policy's four sections first (R5–R8), then classification (R23), credit (R28), custody.
SECTIONS = ("basic", "characteristics", "business", "transactions", "classification",
            "credit", "custody")
# Top-level values shown in the classification section with the classes proper.
_CLASS_EXTRA = ("card", "kind", "stage", "market", "channel", "grade", "vip")
TABLES = ("contacts", "events", "yearly", "documents", "tasks", "proposals")


@dataclass
class Row:
    """One labelled value of the card."""

    path: str
    label: str
    value: str
    other_card: bool = False  # R9: a field only the other card asks for, kept in the file


@dataclass
class Section:
    """A titled group of rows; ``people`` only in basic data."""

    key: str
    title: str
    rows: list[Row]
    people: list[list[Row]] = field(default_factory=list)


@dataclass
class Table:
    """A read-only table of one of the record's logs."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]


def show(path: str, value: Any) -> str:
    """Return a value as words: enumerations named, staff by name, amounts grouped."""
    if value is None or value in ("", [], {}):
        return ""
    key = schema.schema_path(path)
    declared = schema.field_at(key)
    kind = declared.kind if declared else None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in ENUMS and isinstance(value, str):
        return enum_label(key, value)
    if kind == schema.USERNAME and isinstance(value, str):
        return reading.staff_name(value)
    if kind == schema.USERNAMES and isinstance(value, list):
        return "、".join(reading.staff_name(str(v)) for v in value)
    if key == "custody.department" and isinstance(value, str):
        return reading.department_name(value)
    if isinstance(value, (int, float)) and kind in (schema.AMOUNT, schema.SIGNED_AMOUNT):
        return format_decimal(value)
    if kind == schema.AMOUNT_MAP and isinstance(value, dict):
        return "; ".join(f"{k}: {format_decimal(v) if isinstance(v, (int, float)) else v}"
                         for k, v in value.items())
    if isinstance(value, (dict, list)):
        # Only hand edits put structures where the schema has none: show them as written.
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def when(iso: str | None, style: str = "medium") -> str:
    """Return an ISO time from the index in the office's time zone and the user's language."""
    if not iso:
        return ""
    try:
        return format_datetime(datetime.fromisoformat(iso), style)
    except ValueError:
        return iso


def _rows(group: dict[str, Any], prefix: str, keys: tuple[str, ...] = ()) -> list[Row]:
    """Return rows for the declared keys of a group, then keys only a hand edit added."""
    declared = schema.field_at(prefix.rstrip(".")) if prefix else None
    names = list(keys or (declared.children if declared else group))
    names += [k for k in group if k not in names and not keys]
    return [Row(prefix + k, field_label(prefix + k), show(prefix + k, group.get(k)))
            for k in names]


def _group(record: dict[str, Any], key: str) -> dict[str, Any]:
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def _on_card(card: str, rows: list[Row]) -> list[Row]:
    """Return the rows the card asks for; another card's field only if it holds a value (R9)."""
    kept = []
    for row in rows:
        if cards.on_card(card, row.path):
            kept.append(row)
        elif row.value:
            row.other_card = True
            kept.append(row)
    return kept


def sections(record: dict[str, Any]) -> list[Section]:
    """Return the card's sections in the policy's order, other fields last."""
    result = []
    card = cards.card_of(record)
    for key in SECTIONS:
        rows = _on_card(card, _rows(_group(record, key), key + "."))
        if key == "classification":
            rows = _rows(record, "", _CLASS_EXTRA) + rows
        result.append(Section(key, _(schema.LABELS[key]), rows))
    people = [p for p in record.get("people") or [] if isinstance(p, dict)]
    result[0].people = [_rows(p, "people.") for p in people]
    other = _rows(record, "", ("source", "notes"))
    known = set(schema.SCHEMA)
    # Keys a hand edit added at the top are kept in the file, so they are shown too.
    other += [Row(k, k, show(k, record[k])) for k in record if k not in known]
    result.append(Section("other", _("Source and notes"), other))
    return result


def _flat(item: dict[str, Any], prefix: str) -> list[tuple[str, Any]]:
    """Flatten one log entry (yearly.financials is a nested group) to (path, value)."""
    pairs: list[tuple[str, Any]] = []
    for key, value in item.items():
        if isinstance(value, dict) and schema.field_at(prefix + key) and \
                schema.field_at(prefix + key).kind == schema.GROUP:
            pairs += _flat(value, f"{prefix}{key}.")
        else:
            pairs.append((prefix + key, value))
    return pairs


def tables(record: dict[str, Any], skip: frozenset[str] = frozenset()) -> list[Table]:
    """Return the record's lists (contact log, events, …) that have entries, but ``skip``."""
    result = []
    for key in TABLES:
        if key in skip:
            continue
        items = [i for i in record.get(key) or [] if isinstance(i, dict)]
        if not items:
            continue
        paths = list(dict.fromkeys(p for item in items for p, _v in _flat(item, key + ".")))
        rows = [[show(p, dict(_flat(item, key + ".")).get(p)) for p in paths] for item in items]
        result.append(Table(key, _(schema.LABELS[key]), [field_label(p) for p in paths], rows))
    return result


@dataclass
class DiffRow:
    """One changed field: its label and both values as words."""

    path: str
    label: str
    old: str
    new: str


def diff_rows(changes: list[Change]) -> list[DiffRow]:
    """Return changes with labels and shown values."""
    return [DiffRow(c.path, field_label(c.path), show(c.path, c.old), show(c.path, c.new))
            for c in changes]
