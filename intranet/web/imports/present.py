"""What the import pages show: sample values per column, the staff to choose, the row report."""

from __future__ import annotations

import datetime
import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...records.rules import Rules
from ...records.schema import CARDS, N_
from ...sheets.headings import TARGETS
from ...sheets.model import Table
from ..customers.labels import enum_label

TOO_BIG = N_("The file is larger than %(limit)s MB, the most an import reads.")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


def safe_filename(name: str) -> str:
    """Return an upload's own name without folders or control characters (for messages)."""
    name = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:120] or "upload"


def megabytes(size: int) -> str:
    """Return a byte count in whole megabytes."""
    return str(round(size / (1024 * 1024)))


def _text(value: Any) -> str:
    """Return a cell's value as a person reads it in the preview."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def samples(table: Table, count: int = 3) -> list[list[str]]:
    """Return the first few non-blank values of each column."""
    found: list[list[str]] = [[] for _heading in table.headings]
    for row in table.rows:
        for i, cell in enumerate(row.cells[: len(found)]):
            text = _text(cell.value if cell.formula is None or cell.value is not None
                         else cell.formula)
            if text and len(found[i]) < count:
                found[i].append(text[:60])
        if all(len(values) >= count for values in found):
            break
    return found


def custodians(rules: Rules) -> list[tuple[str, str]]:
    """Return the active staff as (username, name and department) for the custodian choice."""
    members = [m for m in rules.directory.staff if m.get("active", True)]
    return [(str(m["username"]), f"{m.get('name') or m['username']} ({m['username']})")
            for m in sorted(members, key=lambda m: str(m.get("username")))]


def card_choices() -> list[tuple[str, str]]:
    """Return the two cards (R9) in words."""
    return [(card, enum_label("card", card)) for card in CARDS]


def read_settings(form: Any, rules: Rules) -> tuple[dict[str, Any], str | None]:
    """Return the preview's choices from a posted form, or a message saying what is wrong."""
    mapping: list[str] = []
    for i in range(int(form.get("columns", "0") or 0) if str(form.get("columns", "0")).isdigit()
                   else 0):
        target = form.get(f"map-{i}", "")
        if target and target not in TARGETS:
            return {}, _("Choose a field from the list for each column.")
        mapping.append(target)
    used = [t for t in mapping if t]
    if len(used) != len(set(used)):
        return {}, _("Each field can take only one column; two columns are mapped to the same "
                     "field.")
    custodian = form.get("custodian", "")
    if custodian and rules.directory.member(custodian) is None:
        return {}, _("Choose the custodian from the list of staff.")
    card = form.get("card", "")
    if card and card not in CARDS:
        return {}, _("Choose the card from the list.")
    return {"mapping": mapping, "sheet": form.get("sheet", "")[:100],
            "encoding": form.get("encoding", "")[:20], "custodian": custodian,
            "card": card}, None


STATUS_LABELS = {
    "new": _l("New customer"),
}


def report(found: Any) -> Any:
    """Return the import's report as the templates show it."""
    return found
