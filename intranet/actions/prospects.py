"""The prospect ranking (R29): prospects the asker may read, best sales-power score first,
filtered by market, channel, classification and grade, and its download (no Flask).

The page and the workbook are one answer: ``ranked`` gives the rows, ``export`` the same rows
as cells, each file journalled as an ``export`` (R35) before any byte is written.
"""

from __future__ import annotations

from typing import Any

from ..index import discipline as listing
from ..records.files.messages import N_
from ..records.rights import access
from .exporting import NUMBER, Column, Export, Value, Words
from .reading import Reader

COLUMNS = (
    Column("rank", N_("Rank"), NUMBER, width=6),
    Column("id", N_("Customer number"), width=11), Column("name", N_("Name")),
    Column("sales_power", N_("Sales-power score"), NUMBER, width=12),
    Column("market", N_("Market"), path="market"), Column("channel", N_("Channel"),
                                                          path="channel"),
    Column("region", N_("Region")), Column("industry", N_("Industry")),
    Column("nature", N_("Nature")), Column("customer_type", N_("Customer type")),
    Column("grade", N_("Grade")), Column("owner", N_("Custodian")),
    Column("completeness", N_("Completeness"), NUMBER, width=12),
)


def filters_from(args: Any) -> dict[str, str]:
    """Return the ranking's filters from a query string (unknown keys ignored)."""
    return {key: str(args.get(key, "") or "")[:200] for key in listing.PROSPECT_FILTERS}


def ranked(reader: Reader, actor: access.Actor, filters: dict[str, str]) -> list[dict[str, Any]]:
    """Return the readable prospects matching the filters, ranked, each with its ``rank``."""
    rows = listing.prospects(reader.stores.index, reader.readable(actor), filters)
    return [{**row, "rank": number} for number, row in enumerate(rows, 1)]


def export(reader: Reader, actor: access.Actor, filters: dict[str, str],
           words: Words) -> Export:
    """Return the ranking as cells, every listed file journalled as an export first."""
    rows = reader.allow_rows(ranked(reader, actor, filters), actor, "export")
    lines: list[list[Value]] = []
    for row in rows:
        cells: list[Value] = []
        for column in COLUMNS:
            value = row.get(column.key)
            if column.kind == NUMBER:
                cells.append(value if isinstance(value, (int, float)) else None)
            elif column.key == "owner" or column.path:
                cells.append(words.of(column, str(value or "")) if value else "")
            else:
                cells.append(str(value or ""))
        lines.append(cells)
    return Export([words.translate(c.heading) for c in COLUMNS], lines,
                  [str(r["id"]) for r in rows], words.translate(N_("Prospects by sales power")))
