"""What the import pages show: sample values per column, the staff to choose, the row report."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...records.files.messages import N_
from ...records.files.schema import CARDS, label
from ...records.imports.importing import (
    ERROR,
    FILLS,
    FLAGGED,
    FORBIDDEN,
    MERGED,
    NEW,
    STATUSES,
    UNCHANGED,
)
from ...records.rulebook.rules import Rules
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
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()  # a date cell: Excel keeps dates as midnight
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
    columns = str(form.get("columns", "0"))
    # Never more selects than a sheet may have columns: the count comes from the client.
    for i in range(min(int(columns), 10_000) if columns.isdigit() else 0):
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
    NEW: _l("New customer"), MERGED: _l("Duplicate of a row above"),
    FILLS: _l("Fills an existing file"), UNCHANGED: _l("Already in the archive"),
    FORBIDDEN: _l("A file you may not edit"), FLAGGED: _l("Possible duplicate"),
    ERROR: _l("Error"),
}
STATUS_CLASSES = {NEW: "success", MERGED: "secondary", FILLS: "info", UNCHANGED: "secondary",
                  FORBIDDEN: "warning", FLAGGED: "warning", ERROR: "danger"}
KINDS = {"tax": _l("tax ID"), "name": _l("name"), "phone": _l("phone")}


@dataclass
class RowView:
    """One row of the report in words."""

    number: int
    status: str
    label: str
    css: str
    name: str
    customer: str | None
    lines: list[str]


@dataclass
class ReportView:
    """The import's report in words."""

    rows: list[RowView]
    counts: list[tuple[str, str, int]]  # (status, words, rows)
    unknown: list[str]
    commit: str | None
    created: list[tuple[str, str]]  # (id, name) of the new files
    errors: int
    flagged: int
    aborted: bool
    journal_failed: bool = False


def _where(match: Any) -> str:
    """Return what a row duplicates: a row above, or an existing file's id and name."""
    if match is None:
        return ""
    kind = KINDS.get(match.kind, match.kind)
    if match.row is not None:
        return _("row %(row)s (same %(kind)s)", row=match.row, kind=kind)
    return _("%(id)s %(name)s (same %(kind)s)", id=match.customer, name=match.name, kind=kind)


def _shown(value: Any) -> str:
    """Return a value of a conflict, or says it is hidden."""
    return _("(not shown: you may not read this file)") if value is None else str(value)


def _lines(row: Any) -> list[str]:
    """Return what the report says about one row, beyond its status."""
    lines: list[str] = []
    where = _where(row.match)
    if row.status == ERROR:
        lines += [reason.text(_) for reason in row.reasons]
    if where:
        lines.append(_("Matches %(where)s", where=where))
    if row.accepted:
        lines.append(_("Imported as a new customer although flagged"))
    if row.fills:
        lines.append(_("Fills: %(fields)s", fields=", ".join(_(label(p)) for p in row.fills)))
    for conflict in row.conflicts:
        lines.append(_("Kept the file's value of %(field)s: the sheet says %(ours)s, the file "
                       "%(theirs)s", field=_(label(conflict.path)), ours=_shown(conflict.ours),
                       theirs=_shown(conflict.theirs)))
    lines += [note.text(_) for note in row.notes]
    return lines


def report(found: Any) -> ReportView:
    """Return the import's report as the templates show it."""
    counts = found.counts
    rows = [RowView(r.number, r.status, str(STATUS_LABELS[r.status]), STATUS_CLASSES[r.status],
                    r.name, r.customer, _lines(r)) for r in found.plan.rows]
    created = [(r.customer, r.name) for r in found.plan.new_rows
               if r.customer and found.commit]
    return ReportView(rows, [(s, str(STATUS_LABELS[s]), counts[s]) for s in STATUSES],
                      list(found.plan.unknown_custodians), found.commit, created,
                      counts[ERROR], counts[FLAGGED], found.aborted,
                      getattr(found, "journal_failed", False))
