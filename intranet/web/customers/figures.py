"""What the entry panels show: contact rows in words, the yearly table and its chart (R12).

The chart is an SVG drawn here, on the server: no JavaScript, and only SVG attributes and
classes, which the Content-Security-Policy allows (no inline style).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal

from ...records.files import corrections
from ...records.files.entries import FINANCIALS
from .labels import enum_label
from .reading import staff_name

CHART_WIDTH, CHART_HEIGHT = 640, 220
_TOP, _BOTTOM, _SIDE = 24, 28, 8  # room for the amounts above and the years below


def money(value: Any) -> str:
    """Return an amount grouped in the user's language, blank when unknown."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    return format_decimal(value)


def contact_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return contact entries with channel, source and staff as words, and their marks."""
    return [{**e, "channel_name": enum_label("contacts.channel", e.get("channel")),
             "source_name": enum_label("contacts.source", e.get("source"))
             if e.get("source") else "",
             "staff_name": staff_name(str(e.get("staff") or "")), "marks": marks(e)}
            for e in items]


def placed(record: dict[str, Any] | None, list_name: str, editor: str) -> list[dict[str, Any]]:
    """Return a list's entries with their place in the file and whether ``editor`` (someone
    who may edit the file, or "") may correct each (records.corrections)."""
    items = (record or {}).get(list_name)
    return [{**e, "position": i, "may_correct": bool(editor) and not corrections.is_withdrawn(e)
             and corrections.may_correct(editor, list_name, e, record or {})}
            for i, e in enumerate(items if isinstance(items, list) else [])
            if isinstance(e, dict)]


def marks(entry: dict[str, Any]) -> dict[str, Any]:
    """Return an entry's correction and withdrawal marks with the person's name."""
    found: dict[str, Any] = {}
    for key in ("corrected", "withdrawn"):
        mark = entry.get(key)
        if isinstance(mark, dict) and (mark.get("by") or mark.get("reason")):
            found[key] = {**mark, "name": staff_name(str(mark.get("by") or ""))}
    return found


@dataclass
class SalesTable:
    """Sales per year and product, with the totals of both."""

    products: list[str]
    rows: list[dict[str, Any]]  # year, cells (text per product), total, total_text
    totals: list[str]
    grand: str


def _years(yearly: Any) -> list[dict[str, Any]]:
    """Return the yearly entries that have a year, oldest first."""
    items = [i for i in yearly or [] if isinstance(i, dict) and isinstance(i.get("year"), int)]
    return sorted(items, key=lambda i: i["year"])


def _amounts(item: dict[str, Any]) -> dict[str, float]:
    sales = item.get("sales")
    return {str(k): v for k, v in (sales.items() if isinstance(sales, dict) else ())
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


def sales_table(yearly: Any) -> SalesTable | None:
    """Return the years × products table, or None when no year has sales."""
    years = _years(yearly)
    products = sorted({p for item in years for p in _amounts(item)})
    if not products:
        return None
    rows = []
    for item in years:
        amounts = _amounts(item)
        total = sum(amounts.values())
        rows.append({"year": item["year"], "cells": [money(amounts.get(p)) for p in products],
                     "total": total, "total_text": money(total)})
    totals = [money(sum(_amounts(i).get(p, 0) for i in years)) for p in products]
    return SalesTable(products, rows, totals, money(sum(r["total"] for r in rows)))


def chart(table: SalesTable | None) -> dict[str, Any] | None:
    """Return the bars of total sales per year, in SVG user units."""
    if table is None:
        return None
    highest = max((r["total"] for r in table.rows), default=0) or 1
    slot = (CHART_WIDTH - 2 * _SIDE) / len(table.rows)
    plot = CHART_HEIGHT - _TOP - _BOTTOM
    bars = []
    for i, row in enumerate(table.rows):
        height = round(plot * max(row["total"], 0) / highest, 1)
        x = _SIDE + i * slot
        bars.append({"x": round(x + slot * 0.15, 1), "width": round(slot * 0.7, 1),
                     "y": round(_TOP + plot - height, 1), "height": height,
                     "middle": round(x + slot / 2, 1), "year": row["year"],
                     "value": row["total_text"]})
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars,
            "baseline": _TOP + plot, "label_y": CHART_HEIGHT - 8}


def financial_rows(yearly: Any) -> list[dict[str, Any]]:
    """Return each year's financial status as text, for the years that have any."""
    rows = []
    for item in _years(yearly):
        found = item.get("financials") if isinstance(item.get("financials"), dict) else {}
        values = {k: money(found.get(k)) for k in FINANCIALS}
        notes = str(found.get("notes") or "")
        if any(values.values()) or notes:
            rows.append({"year": item["year"], **values, "notes": notes})
    return rows


def year_data(record: dict[str, Any] | None, year: str) -> dict[str, Any]:
    """Return a year's figures as the year form's data (a blank form for a new year)."""
    found = next((i for i in _years((record or {}).get("yearly")) if str(i["year"]) == year),
                 None)
    if found is None:
        return {"year": year if year.isdigit() else ""}
    money_in = found.get("financials") if isinstance(found.get("financials"), dict) else {}
    plain = {k: "" if money_in.get(k) is None else str(money_in.get(k)) for k in FINANCIALS}
    rows = [{"product": p, "amount": str(a)} for p, a in _amounts(found).items()]
    # One empty row to add a product without pressing "add a row".
    return {"year": str(found["year"]), "sales": [*rows, {"product": "", "amount": ""}],
            **plain, "notes": str(money_in.get("notes") or "")}
