"""Write a table as CSV or XLSX where no cell can run as a formula (no Flask, no git).

A spreadsheet runs a cell as a formula when its text starts with ``=``, ``+``, ``-`` or ``@``
(and some take a leading tab or carriage return the same way). In CSV every such text gets
an apostrophe in front, the usual defusing; real numbers are written as numbers and stay so.
In XLSX every text is a string cell, never a formula and never an error value (openpyxl's
writer would make a text starting with ``=`` a formula and ``#N/A`` an error unless told
otherwise): this module writes the sheet's XML itself, and no ``<f>`` element is ever in it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .model import column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot hold at all (the same set openpyxl refuses).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
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
    return _SHEET_NAME.sub(" ", title).strip().strip("'")[:31].strip() or "Sheet1"




# -- XLSX -------------------------------------------------------------------------------------
# The workbook is written here rather than by openpyxl's writer: on 10,000 rows of 24 columns
# openpyxl's write-only mode took 9.5 s on the benchmark machine, this 0.5 s (docs). A cell is
# only ever <c t="inlineStr"> (text), <c><v> (number) or a styled number (a time): no <f>.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
BOLD, TIME, DAY = 1, 2, 3  # style ids in _STYLES' cellXfs
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{TIME_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>')
_PARTS = {
    "[Content_Types].xml": (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{_TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/></Types>'),
    "_rels/.rels": (
        f'{_HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        f'{_HEAD}<Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": _STYLES,
}
_EPOCH = datetime(1899, 12, 30)
# One pass makes a text XML: markup escaped, a carriage return kept as a character reference
# (a parser reads a raw one as a line feed), characters XML cannot hold replaced.
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;",
                         **{chr(c): "\ufffd" for c in (*range(0, 9), 11, 12, *range(14, 32),
                                                        0xFFFE, 0xFFFF)}})
_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACE = re.compile(r"^\s|\s$|[\t\n\r]")
# Excel reads "_x0041_" in a cell as the character it codes ("A"); a literal one is written
# with its underscore coded as _x005F_, so the text reads back as typed.
_CODED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    """Return a string cell (at most the 32,767 characters a cell holds)."""
    text = text[:32767]
    space = ' xml:space="preserve"' if _SPACE.search(text) else ""
    if _SPECIAL.search(text):
        text = text.translate(_ESCAPE)
    if "_x" in text:
        text = _CODED.sub(r"_x005F_\1", text)
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _cell(ref: str, value: Any) -> str:
    """Return one cell's XML: text as a string, numbers as numbers, times as styled serials."""
    kind = type(value)
    if kind is str:
        return _text_cell(ref, value) if value else ""
    if value is None:
        return ""
    if kind is int or kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            return _text_cell(ref, str(value))  # no such number in a spreadsheet
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        serial = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{TIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DAY}"><v>{(value - _EPOCH.date()).days}</v></c>'
    return _text_cell(ref, str(value))  # anything else (a bool) as its text


def _sheet(headings: Sequence[str], lines: Sequence[Sequence[Any]],
           widths: Sequence[int]) -> str:
    """Return the worksheet: frozen bold heading row, widths, the rows, an autofilter."""
    wide = max([len(headings), *(len(line) for line in lines)]) or 1
    letters = [column_letter(p + 1) for p in range(wide)]
    last = f"{letters[-1]}{len(lines) + 1}"
    cols = "".join(f'<col min="{p + 1}" max="{p + 1}" width="{w}" customWidth="1"/>'
                   for p, w in enumerate(widths))
    parts = [f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>'
             '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
             'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
             'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
             '<sheetFormatPr defaultRowHeight="15"/>',
             f"<cols>{cols}</cols>" if cols else "", '<sheetData><row r="1">',
             "".join(_text_cell(f"{letters[p]}1", str(h), BOLD) for p, h in enumerate(headings)),
             "</row>"]
    for number, line in enumerate(lines, 2):
        cells = "".join([_text_cell(f"{letter}{number}", v) if type(v) is str and v
                         else _cell(f"{letter}{number}", v)
                         for letter, v in zip(letters, line, strict=False)])
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append(f'</sheetData><autoFilter ref="A1:{last}"/><pageMargins left="0.7" '
                 'right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
    return "".join(parts)


def column_widths(headings: Sequence[str], lines: Sequence[Sequence[Any]],
                  fixed: Sequence[int] = ()) -> list[int]:
    """Return each column's width: fixed, or from its heading and the first lines' values."""
    widths = []
    for position, heading in enumerate(headings):
        if position < len(fixed) and fixed[position]:
            widths.append(fixed[position])
            continue
        seen = [_width(heading) + 2] + [_width(row[position]) for row in lines[:_SAMPLE]]
        widths.append(min(_WIDTH[1], max(_WIDTH[0], max(seen) + 1)))
    return widths


def xlsx_bytes(headings: Sequence[str], lines: Sequence[Sequence[Any]], title: str,
               widths: Sequence[int] = ()) -> bytes:
    """Return the table as an XLSX workbook of one sheet named ``title``.

    The heading row is bold, frozen and carries an autofilter; numbers are number cells,
    times are date cells shown as YYYY-MM-DD HH:MM; every text is a string cell, never a
    formula. ``widths`` fixes a column's width (0: sized from its heading and first lines).
    """
    name = sheet_name(title)
    last = f"{column_letter(max(1, len(headings)))}{len(lines) + 1}"
    quoted = name.replace("'", "''").translate(_ESCAPE)
    attribute = name.translate(_ESCAPE).replace('"', "&quot;")
    workbook = (f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/>'
                f'</bookViews><sheets><sheet name="{attribute}" sheetId="1" '
                'r:id="rId1"/></sheets><definedNames><definedName '
                'name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
                f"'{quoted}'!$A$1:${last.rstrip('0123456789')}${len(lines) + 1}"
                "</definedName></definedNames></workbook>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        for path, text in _PARTS.items():
            package.writestr(path, text)
        package.writestr("xl/workbook.xml", workbook)
        package.writestr("xl/worksheets/sheet1.xml",
                         _sheet(headings, lines, column_widths(headings, lines, widths)))
    return out.getvalue()
