"""Write a table as CSV or XLSX where no cell can run as a formula (no Flask, no git).

A spreadsheet runs a cell as a formula when its text starts with ``=``, ``+``, ``-`` or ``@``
(and some take a leading tab or carriage return the same way). In CSV every such text gets
an apostrophe in front, the usual defusing; real numbers are written as numbers and stay so.
In XLSX every text is a string cell, never a formula: openpyxl would make a text starting
with ``=`` a formula and ``#N/A`` an error, so those cells are forced back to strings, and
the tests read the saved sheet's XML to see that it holds no ``<f>`` element.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_WIDTH = (8, 50)  # narrowest and widest column, in characters
_SAMPLE = 2000  # lines looked at to size the columns


def defuse(text: str) -> str:
    """Return a CSV cell's text with an apostrophe in front if a spreadsheet would run it."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(value: Any) -> str:
    """Return one CSV cell: numbers as numbers, times as YYYY-MM-DD HH:MM, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return defuse(str(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return defuse(str(value))


def csv_bytes(headings: Sequence[str], lines: Sequence[Sequence[Any]]) -> bytes:
    """Return the table as CSV for Excel: UTF-8 with a byte-order mark, CRLF lines."""
    out = io.StringIO()
    out.write("\ufeff")  # without the mark Excel reads UTF-8 as the local code page
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([defuse(h) for h in headings])
    writer.writerows([_csv_cell(v) for v in row] for row in lines)
    return out.getvalue().encode("utf-8")


def clean(text: str) -> str:
    """Return text an XLSX cell can hold: no control characters XML refuses, ≤ 32,767 chars."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)[:32767]


def _string(sheet: Any, text: str) -> Any:
    """Return a text as the value to append: a forced string cell if openpyxl would retype it."""
    text = clean(text)
    if text.startswith("=") or text in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # a text, never a formula or an error value
        return cell
    return text


def _width(value: Any) -> int:
    """Return how many characters wide a value shows: East Asian characters count twice."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text[:80])


def sheet_name(title: str) -> str:
    """Return a title Excel accepts as a sheet name (≤ 31 characters, no []:*?/\\)."""
    return _SHEET_NAME.sub(" ", title).strip()[:31] or "Sheet1"


def xlsx_bytes(headings: Sequence[str], lines: Sequence[Sequence[Any]], title: str,
               widths: Sequence[int] = ()) -> bytes:
    """Return the table as an XLSX workbook of one sheet.

    The heading row is bold, frozen and carries an autofilter; numbers are number cells,
    times are date cells shown as YYYY-MM-DD HH:MM; every text is a string cell. ``widths``
    fixes a column's width (0: sized from its heading and the first lines).
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name(title))
    sheet.freeze_panes = "A2"
    count = len(headings)
    for position in range(count):
        fixed = widths[position] if position < len(widths) else 0
        seen = [_width(headings[position]) + 2] + \
               [_width(row[position]) for row in lines[:_SAMPLE]]
        size = fixed or min(_WIDTH[1], max(_WIDTH[0], max(seen) + 1))
        sheet.column_dimensions[get_column_letter(position + 1)].width = size
    bold = Font(bold=True)
    top = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=clean(str(heading)))
        cell.data_type = "s"
        cell.font = bold
        top.append(cell)
    sheet.append(top)
    for row in lines:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    if count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(count)}{len(lines) + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(sheet: Any, value: Any) -> Any:
    """Return one cell to append: text as a string cell, numbers as is, times formatted."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _string(sheet, str(value))
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (datetime, date)):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = TIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
        return cell
    return _string(sheet, str(value))
