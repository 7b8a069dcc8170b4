"""What reading a spreadsheet gives: a table of cells under one header row (no Flask, no git)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ..records.files.messages import N_


def column_letter(number: int) -> str:
    """Return a spreadsheet column's letters: 1 -> A, 27 -> AA (openpyxl is not needed)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# A translatable message: an English msgid with %(name)s parameters, and the parameters.
Message = tuple[str, dict[str, Any]]


class SheetError(Exception):
    """The upload cannot be read as a table; nothing was imported (``message`` is a msgid)."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Limits:
    """How much a spreadsheet may hold before it is refused (configurable per app)."""

    max_bytes: int = 20 * 1024 * 1024      # the upload itself
    max_unpacked: int = 200 * 1024 * 1024  # an XLSX's members once unzipped (zip bombs)
    max_rows: int = 20_000
    max_columns: int = 200


@dataclass
class Cell:
    """One cell as the file holds it: a value, and the formula text if it held a formula.

    ``value`` is str, int, float, bool, datetime.date/datetime or None (blank). A formula cell
    is never evaluated: ``value`` is the value Excel cached when it saved (None if none) and
    ``formula`` the formula's text, so the importer can say which it kept.
    """

    value: Any = None
    formula: str | None = None
    number_format: str = ""


@dataclass
class SheetRow:
    """One data row: its row number in the sheet (1-based) and its cells under the headings."""

    number: int
    cells: list[Cell]


@dataclass
class Table:
    """The rows of one sheet under its header row."""

    filename: str
    kind: str                     # "xlsx" or "csv"
    sheet: str                    # the sheet read ("" for a CSV)
    sheets: list[str]             # every sheet of the workbook ([] for a CSV)
    header_row: int               # the header's row number in the sheet (1-based)
    headings: list[str]
    rows: list[SheetRow]
    encoding: str = ""            # a CSV's encoding as detected or chosen
    notes: list[Message] = field(default_factory=list)
    # Each column's number in the sheet (1-based; A = 1): blank columns are left out of the
    # table, so "column 3 of the table" may be column E of the sheet.
    columns: list[int] = field(default_factory=list)


    def letter(self, position: int) -> str:
        """Return the sheet's letters of a kept column (its position in ``headings``)."""
        number = self.columns[position] if position < len(self.columns) else position + 1
        return column_letter(number)


DATE_TYPES = (datetime.date, datetime.datetime)
NO_HEADER = N_("No header row was found: the first rows should name the columns, "
               "e.g. 客戶名稱, 統一編號, 電話.")
