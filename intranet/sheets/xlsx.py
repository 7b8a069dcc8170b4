"""Read an XLSX workbook safely: check the zip first, then read cells without evaluating them.

openpyxl parses the XML through defusedxml (installed), so entity tricks are refused; the zip
is checked here before openpyxl opens it, because a zip bomb would otherwise be unpacked.
Formulas are never calculated: the formula's text is read, and the value Excel saved with it
from a second, values-only reading of the same sheet.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from ..records.schema import N_
from .model import NO_HEADER, Cell, Limits, SheetError, Table
from .reading import MACROS, Row, build_table, find_header, head_rows

CORRUPT = N_("The file cannot be read as an Excel workbook: it is damaged or not an .xlsx "
             "file. Open it in Excel and save it again as .xlsx.")
NOT_XLSX = N_("This zip file is not an Excel workbook; save the sheet as .xlsx or .csv.")
BOMB = N_("The workbook unpacks to more than %(limit)s MB; it was not read (it may be a zip "
          "bomb).")
SQUEEZED = N_("The workbook is compressed far more tightly than a real spreadsheet is; it was "
              "not read (it may be a zip bomb).")
UNKNOWN_SHEET = N_("The workbook has no sheet named %(sheet)s; its sheets are: %(sheets)s.")
FORMULAS = N_("%(count)s cells hold formulas, which are never calculated here: the value Excel "
              "saved with each is used where the file has one.")

# A real sheet's XML packs 5 to 30 times; deflate cannot pack more than about 1,000 times.
MAX_RATIO = 200
MAX_MEMBERS = 5000
_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, TypeError,
           IndexError, AttributeError, OSError, EOFError, NotImplementedError, RuntimeError)


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a zip that is corrupt, a bomb, macro-enabled or not a workbook, before opening it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise SheetError(CORRUPT) from exc
    megabytes = limits.max_unpacked // (1024 * 1024)
    if len(members) > MAX_MEMBERS:
        raise SheetError(SQUEEZED)
    if sum(m.file_size for m in members) > limits.max_unpacked:
        raise SheetError(BOMB, limit=megabytes)
    for member in members:
        if member.file_size > 1024 * 1024 and (
                member.file_size > MAX_RATIO * max(member.compress_size, 1)):
            raise SheetError(SQUEEZED)
        if member.flag_bits & 0x1:
            raise SheetError(CORRUPT)  # an encrypted member: openpyxl cannot read it
    names = {m.filename.lower() for m in members}
    if any(name.endswith("vbaproject.bin") for name in names):
        raise SheetError(MACROS)
    if "[content_types].xml" not in names:
        raise SheetError(NOT_XLSX)
    try:
        types = archive.read(_member(archive, "[content_types].xml")).decode("utf-8", "replace")
    except (*_ERRORS, zipfile.BadZipFile) as exc:
        raise SheetError(CORRUPT) from exc
    lowered = types.lower()
    if "macroenabled" in lowered:
        raise SheetError(MACROS)
    if "spreadsheetml.sheet.main" not in lowered and "spreadsheetml.template.main" not in lowered:
        raise SheetError(NOT_XLSX)


def _member(archive: zipfile.ZipFile, lowered: str) -> str:
    """Return a member's name as the zip spells it."""
    return next(m.filename for m in archive.infolist() if m.filename.lower() == lowered)


def _open(data: bytes, values: bool) -> Any:
    """Open the workbook read-only: formulas as text, or the values Excel saved."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=values,
                             keep_links=False)
    except (InvalidFileException, *_ERRORS, SyntaxError) as exc:
        # SyntaxError: ElementTree's ParseError; defusedxml's refusals are ValueErrors.
        raise SheetError(CORRUPT) from exc


def _rows(worksheet: Any) -> Iterator[Row]:
    """Yield (row number, cells) for every row from the first, blank rows included."""
    worksheet.reset_dimensions()  # the stored dimension may be wrong or absurdly wide
    for number, raw in enumerate(worksheet.iter_rows(), start=1):
        yield number, [_cell(c) for c in raw]


def _cell(raw: Any) -> Cell:
    """Return one openpyxl cell as a Cell: formula text apart, values as the file holds them."""
    value = raw.value
    if value is None:
        return Cell()
    number_format = raw.number_format or ""
    if raw.data_type == "f":
        formula = value if isinstance(value, str) else getattr(value, "text", None) or str(value)
        return Cell(None, formula, number_format)
    return Cell(value, None, number_format)


def _sheets(workbook: Any) -> list[str]:
    """Return the names of the workbook's sheets that hold cells (not chart sheets)."""
    return [ws.title for ws in workbook.worksheets if hasattr(ws, "iter_rows")]


def _header_strength(workbook: Any, name: str) -> int:
    """Return how surely a sheet has a header row: 2 recognised, 1 a row of words, 0 none."""
    rows = _rows(workbook[name])
    try:
        found = find_header(head_rows(rows))
    finally:
        rows.close()
    return found[1] if found else 0


def _choose(workbook: Any, names: list[str], sheet: str | None) -> str:
    """Return the sheet to read: the one chosen, else the first with a header row."""
    if sheet is not None:
        if sheet in names:
            return sheet
        trimmed = {n.strip(): n for n in names}
        if sheet.strip() in trimmed:
            return trimmed[sheet.strip()]
        raise SheetError(UNKNOWN_SHEET, sheet=sheet, sheets=", ".join(names))
    strengths = {name: _header_strength(workbook, name) for name in names}
    for wanted in (2, 1):
        for name in names:
            if strengths[name] == wanted:
                return name
    raise SheetError(NO_HEADER)


def read_workbook(data: bytes, filename: str, *, sheet: str | None, limits: Limits) -> Table:
    """Return the table of one sheet of an XLSX workbook."""
    check_zip(data, limits)
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation, slicers): nothing we read.
        warnings.simplefilter("ignore")
        workbook = _open(data, values=False)
        try:
            names = _sheets(workbook)
            chosen = _choose(workbook, names, sheet)
            try:
                table = build_table(_rows(workbook[chosen]), limits, filename=filename,
                                    kind="xlsx", sheet=chosen, sheets=names)
            except _ERRORS as exc:
                raise SheetError(CORRUPT) from exc
        finally:
            workbook.close()
        formulas = [(row.number, col, cell) for row in table.rows
                    for col, cell in zip(table.columns, row.cells, strict=True) if cell.formula]
        if formulas:
            _saved_values(data, chosen, formulas)
            table.notes.append((FORMULAS, {"count": len(formulas)}))
    return table


def _saved_values(data: bytes, sheet: str, formulas: list[tuple[int, int, Cell]]) -> None:
    """Fill each formula cell's value with the value Excel saved for it (None if none)."""
    wanted = {(number, column): cell for number, column, cell in formulas}
    last = max(number for number, _, _ in formulas)
    workbook = _open(data, values=True)
    try:
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()
        for number, raw in enumerate(worksheet.iter_rows(max_row=last), start=1):
            for column, value in enumerate(raw, start=1):
                cell = wanted.get((number, column))
                if cell is not None and value.value is not None:
                    cell.value = value.value
    except _ERRORS as exc:
        raise SheetError(CORRUPT) from exc
    finally:
        workbook.close()
