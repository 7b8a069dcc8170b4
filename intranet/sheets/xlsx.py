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

from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._reader import WorkSheetParser, _cast_number
from openpyxl.xml.constants import SHEET_MAIN_NS

from ..records.files.messages import N_
from .model import NO_HEADER, Cell, Limits, SheetError, Table
from .tables import MACROS, Row, build_table, find_header, head_rows

CORRUPT = N_("The file cannot be read as an Excel workbook: it is damaged or not an .xlsx "
             "file. Open it in Excel and save it again as .xlsx.")
NOT_XLSX = N_("This zip file is not an Excel workbook; save the sheet as .xlsx or .csv.")
BOMB = N_("The workbook unpacks to more than %(limit)s MB; it was not read (it may be a zip "
          "bomb).")
SQUEEZED = N_("The workbook is compressed far more tightly than a real spreadsheet is; it was "
              "not read (it may be a zip bomb).")
UNKNOWN_SHEET = N_("The workbook has no sheet named %(sheet)s; its sheets are: %(sheets)s.")
LATER_SHEET = N_("Read the sheet %(sheet)s: the sheets before it have no header row.")
FORMULAS = N_("%(count)s cells hold formulas, which are never calculated here: the value Excel "
              "saved with each is used where the file has one.")

# A real sheet's XML packs 5 to 30 times; deflate cannot pack more than about 1,000 times.
MAX_RATIO = 200
MAX_MEMBERS = 5000
_VALUE = f"{{{SHEET_MAIN_NS}}}v"
_INLINE = f"{{{SHEET_MAIN_NS}}}is"
_FORMULA = f"{{{SHEET_MAIN_NS}}}f"
_T = f"{{{SHEET_MAIN_NS}}}t"
_RUN = f"{{{SHEET_MAIN_NS}}}r"
# What a damaged workbook makes openpyxl or the XML parser raise; SyntaxError covers
# ElementTree's ParseError, ValueError defusedxml's refusals of DTDs and entities.
_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, TypeError,
           IndexError, AttributeError, OSError, EOFError, NotImplementedError, RuntimeError,
           SyntaxError)
# openpyxl warns about parts it drops (data validation, slicers): nothing the import reads.
warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")


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
    if "sheet.binary" in lowered:
        raise SheetError(NOT_XLSX)  # .xlsb: Excel's binary workbook
    if "macroenabled" in lowered:
        raise SheetError(MACROS)
    if "spreadsheetml.sheet.main" not in lowered and "spreadsheetml.template.main" not in lowered:
        raise SheetError(NOT_XLSX)


def _member(archive: zipfile.ZipFile, lowered: str) -> str:
    """Return a member's name as the zip spells it."""
    return next(m.filename for m in archive.infolist() if m.filename.lower() == lowered)


def _open(data: bytes) -> Any:
    """Open the workbook read-only, formulas as their text (the sheets are parsed below)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                             keep_links=False)
    except (InvalidFileException, *_ERRORS) as exc:
        raise SheetError(CORRUPT) from exc


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, reading a formula's text and its saved value in one pass.

    openpyxl gives either the formulas or the saved values per workbook opened; reading the
    sheet twice doubled the time. Inline strings (written by most programs other than Excel)
    are read as plain text rather than built into rich-text objects, also for speed.
    """

    def parse_cell(self, element: Any) -> dict[str, Any]:
        """Return openpyxl's cell dict, with ``saved`` for a formula cell."""
        if element.get("t") == "inlineStr" and element.find(_FORMULA) is None:
            return self._inline(element)
        cell = super().parse_cell(element)
        if cell["data_type"] == "f":
            cell["saved"] = self._saved(element, cell["style_id"])
        return cell

    def _inline(self, element: Any) -> dict[str, Any]:
        """Return an inline-string cell as openpyxl would, its text read directly."""
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        box = element.find(_INLINE)
        value = "".join(t.text or "" for t in _texts(box)) if box is not None else None
        return {"row": row, "column": column, "value": value, "data_type": "s",
                "style_id": int(element.get("s") or 0)}

    def _saved(self, element: Any, style_id: int) -> Any:
        """Return the value Excel saved with a formula, typed as openpyxl would type it."""
        text = element.findtext(_VALUE)
        if text is None or text == "":
            return None
        kind = element.get("t", "n")
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "n":
            number = _cast_number(text)
            if style_id in self.date_formats:
                try:
                    return from_excel(number, self.epoch)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self.shared_strings[int(text)]
        return text  # "str" (a text result) and "e" (an error such as #N/A)


def _texts(box: Any) -> list[Any]:
    """Return the <t> elements of a string: plain or rich runs, not phonetic guides (<rPh>)."""
    found = [child for child in box if child.tag == _T]
    for run in box:
        if run.tag == _RUN:
            found.extend(child for child in run if child.tag == _T)
    return found


def _rows(workbook: Any, name: str) -> Iterator[Row]:
    """Yield (row number, cells) for every row from the first, blank rows included."""
    worksheet = workbook[name]
    styles = _Formats(workbook)
    with workbook._archive.open(worksheet._worksheet_path) as source:
        parser = _Parser(source, worksheet._shared_strings, data_only=False,
                         epoch=workbook.epoch, date_formats=workbook._date_formats,
                         timedelta_formats=workbook._timedelta_formats)
        expected = 1
        for number, raw in parser.parse():
            for blank in range(expected, number):
                yield blank, []
            expected = number + 1
            span = max((c["column"] for c in raw if c["value"] is not None), default=0)
            cells = [Cell() for _ in range(span)]
            for c in raw:
                if c["value"] is not None and c["column"] <= span:
                    cells[c["column"] - 1] = _cell(c, styles)
            yield number, cells


class _Formats:
    """Each style's number format, looked up once per style."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.known: dict[int, str] = {}

    def __getitem__(self, style_id: int) -> str:
        if style_id not in self.known:
            try:
                number = self.workbook._cell_styles[style_id].numFmtId
                self.known[style_id] = (BUILTIN_FORMATS.get(number, "General")
                                        if number < BUILTIN_FORMATS_MAX_SIZE else
                                        self.workbook._number_formats[
                                            number - BUILTIN_FORMATS_MAX_SIZE])
            except (IndexError, KeyError, AttributeError, TypeError):
                self.known[style_id] = ""
        return self.known[style_id]


def _cell(raw: dict[str, Any], styles: _Formats) -> Cell:
    """Return one parsed cell as a Cell: formula text apart, values as the file holds them."""
    value = raw["value"]
    number_format = styles[raw["style_id"] or 0]
    if raw["data_type"] == "f":
        formula = value if isinstance(value, str) else getattr(value, "text", None) or str(value)
        return Cell(raw.get("saved"), formula, number_format)
    return Cell(value, None, number_format)


def _sheets(workbook: Any) -> list[str]:
    """Return the names of the workbook's sheets that hold cells (not chart sheets)."""
    return [ws.title for ws in workbook.worksheets if hasattr(ws, "iter_rows")]


def _header_strength(workbook: Any, name: str) -> int:
    """Return how surely a sheet has a header row: 2 recognised, 1 a row of words, 0 none."""
    rows = _rows(workbook, name)
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
    workbook = _open(data)
    try:
        names = _sheets(workbook)
        chosen = _choose(workbook, names, sheet)
        table = build_table(_rows(workbook, chosen), limits, filename=filename, kind="xlsx",
                            sheet=chosen, sheets=names)
    except _ERRORS as exc:
        raise SheetError(CORRUPT) from exc
    finally:
        workbook.close()
    if sheet is None and names.index(chosen) > 0:
        table.notes.append((LATER_SHEET, {"sheet": chosen}))
    formulas = sum(1 for row in table.rows for cell in row.cells if cell.formula)
    if formulas:
        table.notes.append((FORMULAS, {"count": formulas}))
    return table
