"""The customer list taken out (R17, R35): which files, which columns, which words (no Flask).

The web's ``/customers/export.xlsx`` and ``/customers/export.csv`` and ``flask export`` all
come here. The rows are the list's own answer to its search, filters and sort, every page of
it, readable files only: a file the asker may only know exists (a catalogue card) is left out.
Each exported file is one read, journalled as ``export`` through the ``Reader`` before any
byte of it is written out (fail closed, ``AuditDown``). ``sheets.writing`` makes the bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..index import Query
from ..records.files.messages import N_
from ..records.rights import access
from ..records.rulebook.rules import Rules
from ..records.rulebook.zone import company_zone, moment
from .reading import Reader

TEXT, NUMBER, TIME = "text", "number", "time"
_ALL = 10**12  # one page larger than any archive: the whole answer at once


@dataclass(frozen=True)
class Column:
    """One exported column: the index column, its heading's msgid, how it is shown."""

    key: str
    heading: str  # an English msgid (the schema's label of the field)
    kind: str = TEXT  # TEXT (words), NUMBER (a number cell) or TIME (a date and time)
    path: str = ""  # the schema path whose enumeration names the value, if any
    width: int = 0  # the XLSX column's width in characters; 0: from the contents


COLUMNS = (
    Column("id", N_("Customer number"), width=11),
    Column("name", N_("Name")), Column("short_name", N_("Short name")),
    Column("tax_id", N_("Tax ID"), width=10),
    Column("card", N_("Card"), path="card"), Column("kind", N_("Customer kind"), path="kind"),
    Column("stage", N_("Stage"), path="stage"), Column("market", N_("Market"), path="market"),
    Column("channel", N_("Channel"), path="channel"), Column("grade", N_("Grade")),
    Column("credit_grade", N_("Credit grade")), Column("vip", N_("VIP")),
    Column("industry", N_("Industry")), Column("nature", N_("Nature")),
    Column("region", N_("Region")), Column("customer_type", N_("Customer type")),
    Column("level", N_("Confidentiality level"), path="custody.level"),
    Column("owner", N_("Custodian")), Column("department", N_("Department")),
    Column("phone", N_("Phone")), Column("address", N_("Address")),
    Column("completeness", N_("Completeness"), NUMBER, width=12),
    Column("sales_power", N_("Sales-power score"), NUMBER, width=12),
    Column("updated_at", N_("Last change"), TIME, width=17),
    Column("updated_by", N_("Changed by")),
)

Value = str | int | float | datetime | None
# Text columns whose codes are shown as words (besides those naming an enumeration's path).
WORDED = ("vip", "owner", "updated_by", "department")
_WORDED = frozenset(WORDED) | {c.key for c in COLUMNS if c.path}


@dataclass
class Words:
    """How the asker reads codes: their language, the enumerations' words, staff by name."""

    rules: Rules
    translate: Callable[[str], str] = str  # an English msgid -> the asker's language
    enum: Callable[[str, str], str] = lambda _path, value: value  # (schema path, code) -> words

    _known: dict[tuple[str, str], str] = field(default_factory=dict)

    def of(self, column: Column, value: str) -> str:
        """Return a code's words for a column, looked up once per export (10,000 rows)."""
        key = (column.key, value)
        if key not in self._known:
            self._known[key] = self._lookup(column, value)
        return self._known[key]

    def _lookup(self, column: Column, value: str) -> str:
        if column.key == "vip":
            return self.translate(N_("VIP"))
        if column.key in ("owner", "updated_by"):
            member = self.rules.directory.member(value)
            return str(member.get("name") or value) if member else value
        if column.key == "department":
            found = self.rules.directory.department(value)
            return str(found.get("name") or value) if found else value
        return self.enum(column.path, value) if column.path else value


@dataclass
class Export:
    """What an export holds: the headings, one line of cells per file, and the files' ids."""

    headings: list[str]
    lines: list[list[Value]]
    ids: list[str]
    title: str  # the sheet's name (the list's title in the asker's language)


# The list's filters and sort, as its query string and the CLI name them.
QUERY_KEYS = ("q", "card", "kind", "stage", "grade", "region", "industry", "owner", "level",
              "department", "market", "channel", "vip", "damaged", "sort", "desc")


def query_from(args: Mapping[str, Any]) -> Query:
    """Return the list's query for an export: its search, filters and sort, not its page."""
    query = Query.from_args({k: v for k, v in args.items() if k in QUERY_KEYS and v})
    query.page, query.per_page = 1, 1
    return query


def matching(reader: Reader, actor: access.Actor, query: Query) -> list[dict[str, Any]]:
    """Return every readable file the query finds, in the list's order, each journalled.

    The list's own query answers (one page holding all of them, so the order and the count
    are those of one moment); ``allow_rows`` asks the access module again for each file and
    writes one ``export`` entry per file before anything is returned.
    """
    query.page, query.per_page = 1, _ALL
    rows = [row for row in reader.find(query, actor, only_readable=True).rows
            if row.get("readable")]
    allowed = reader.allow_rows(rows, actor, "export")
    # 統一編號 is kept by the index as records.keys made it (eight digits where it can be).
    tax = reader.stores.index.keys_of("tax") if allowed else {}
    return [{**row, "tax_id": tax.get(str(row["id"]), "")} for row in allowed]


def line(row: dict[str, Any], words: Words, zone: Any) -> list[Value]:
    """Return one file's cells: words as text, figures as numbers, times in the office zone."""
    cells: list[Value] = []
    for column in COLUMNS:
        value = row.get(column.key)
        if column.kind == TEXT:
            if not value:  # blank, or vip 0
                cells.append("")
            elif column.key in _WORDED:
                cells.append(words.of(column, str(value)))
            else:
                cells.append(value if type(value) is str else str(value))
        elif column.kind == NUMBER:
            cells.append(value if type(value) in (int, float) else None)
        else:
            cells.append(_local(value, zone))
    return cells


def _local(value: Any, zone: Any) -> datetime | None:
    """Return an index time as the office's wall-clock time (spreadsheets know no zones)."""
    if not value:
        return None
    try:
        return moment(str(value)).astimezone(zone).replace(tzinfo=None, microsecond=0)
    except ValueError:
        return None


def build(reader: Reader, actor: access.Actor, query: Query, words: Words) -> Export:
    """Return the export of the files an actor may read among those the query finds."""
    rows = matching(reader, actor, query)
    zone = company_zone(reader.rules().policy)
    return Export([words.translate(c.heading) for c in COLUMNS],
                  [line(row, words, zone) for row in rows], [str(r["id"]) for r in rows],
                  words.translate(N_("Customer list")))
