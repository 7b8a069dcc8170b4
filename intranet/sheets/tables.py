"""Turn rows of cells into a Table: find the header row, drop blanks, check the shape.

A clerk's workbook is read the way a careful person reads it: a merged title above the header,
blank rows and columns and an instructions sheet in front are passed over, and every row keeps
its real row number so the report can point at it. ``csvfile`` and ``xlsx`` feed their rows
here; ``reading.read_table`` chooses between them.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Iterator

from ..records.files.messages import N_
from .headings import recognised
from .model import NO_HEADER, Cell, Limits, SheetError, SheetRow, Table

# The header is looked for in the first rows only, as a person would.
HEADER_WINDOW = 30

MACROS = N_("This workbook holds macros (.xlsm); save it as a plain .xlsx workbook and upload "
            "it again.")
TOO_MANY_ROWS = N_("The sheet has more than %(limit)s rows of data (%(count)s or more were "
                   "counted); split it into files of at most %(limit)s rows.")
TOO_MANY_COLUMNS = N_("Row %(row)s has %(count)s columns; at most %(limit)s columns can be "
                      "imported.")
NO_ROWS = N_("The sheet has a header row (row %(row)s) but no rows of data under it.")

Row = tuple[int, list[Cell]]
_BREAKS = re.compile(r"\s*(?:\r\n|\r|\n|\u2028|\u2029)\s*")
_EDGES = " \t\r\n\u3000\xa0\u200b\ufeff"


def join_lines(text: str) -> str:
    """Join the lines of a cell: nothing between Chinese, one space between other words."""
    parts = _BREAKS.split(text)
    if len(parts) == 1:
        return text
    joined = parts[0]
    for part in parts[1:]:
        if not part:
            continue
        if joined and not (_cjk_join(joined[-1], part[0])):
            joined += " "
        joined += part
    return joined


def is_cjk(ch: str) -> bool:
    """Tell whether a character is a wide (Chinese, Japanese, Korean) character."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _cjk_join(left: str, right: str) -> bool:
    """Tell whether two lines of one cell join without a space (台北市中山北路2段 / 113號)."""
    if is_cjk(left):
        return is_cjk(right) or right.isdigit()
    return left.isdigit() and is_cjk(right)


def trim(text: str) -> str:
    """Strip spaces at both ends, full-width ones and no-break spaces too."""
    return text.strip(_EDGES).strip()


def heading_text(cell: Cell) -> str:
    """Return a header cell as a heading: trimmed, line breaks collapsed."""
    value = cell.value if cell.formula is None or cell.value is not None else cell.formula
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return trim(join_lines(trim(str(value))))


def is_blank(cell: Cell) -> bool:
    """Tell whether a cell holds nothing (spaces count as nothing)."""
    value = cell.value
    if value is None:
        return cell.formula is None
    return isinstance(value, str) and not trim(value)


def width(cells: list[Cell]) -> int:
    """Return the number of cells up to the last one that is not blank."""
    for i in range(len(cells) - 1, -1, -1):
        if not is_blank(cells[i]):
            return i + 1
    return 0


def header_strength(cells: list[Cell]) -> int:
    """Return 2 for a row of recognised headings, 1 for a row of 3+ text cells, else 0."""
    texts = [heading_text(c) for c in cells]
    if recognised(texts) >= 2:
        return 2
    text_cells = sum(1 for c, t in zip(cells, texts, strict=True)
                     if t and isinstance(c.value, str) and not _numberish(t))
    return 1 if text_cells >= 3 else 0


def _numberish(text: str) -> bool:
    """Tell whether a text is a number or a date rather than a word."""
    return bool(re.fullmatch(r"[\d\s,.\-/:+()$%]+", text))


def find_header(rows: list[Row]) -> tuple[int, int] | None:
    """Return (index in rows, strength) of the header among the first rows, or None."""
    window = [(i, cells) for i, (number, cells) in enumerate(rows) if number <= HEADER_WINDOW]
    strengths = [(i, header_strength(cells)) for i, cells in window]
    for i, strength in strengths:
        if strength == 2:
            return i, 2
    for i, strength in strengths:
        # A row of words is a header only when data follows it.
        if strength == 1 and any(width(cells) for _, cells in rows[i + 1:]):
            return i, 1
    return None


def head_rows(rows: Iterator[Row]) -> list[Row]:
    """Return the rows within the header window, plus the first non-blank row after it."""
    taken: list[Row] = []
    for number, cells in rows:
        taken.append((number, cells))
        if number > HEADER_WINDOW and (width(cells) or number > HEADER_WINDOW + 1000):
            break
    return taken


def build_table(rows: Iterable[Row], limits: Limits, *, filename: str, kind: str,
                sheet: str = "", sheets: list[str] | None = None, encoding: str = "") -> Table:
    """Return the table under the header row of ``rows`` (row number, cells), limits checked."""
    iterator = iter(rows)
    head = head_rows(iterator)
    found = find_header(head)
    if found is None:
        raise SheetError(NO_HEADER)
    index, _ = found
    header_number, header = head[index]
    _check_width(header_number, header, limits)
    data: list[Row] = []
    seen = 0
    # Blank rows are read too, so a sheet of a million formatted blank rows stops early.
    max_seen = 2 * limits.max_rows + 1000
    for number, cells in _chain(head[index + 1:], iterator):
        seen += 1
        if not width(cells):
            if seen > max_seen:
                raise SheetError(TOO_MANY_ROWS, limit=limits.max_rows, count=len(data) + 1)
            continue
        _check_width(number, cells, limits)
        data.append((number, cells))
        if len(data) > limits.max_rows:
            raise SheetError(TOO_MANY_ROWS, limit=limits.max_rows, count=len(data))
    if not data:
        raise SheetError(NO_ROWS, row=header_number)
    return _table(header_number, header, data, filename=filename, kind=kind, sheet=sheet,
                  sheets=sheets or [], encoding=encoding)


def _chain(first: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    """Yield the buffered rows, then the rest."""
    yield from first
    yield from rest


def _check_width(number: int, cells: list[Cell], limits: Limits) -> None:
    """Refuse a row with more columns than the limit."""
    count = width(cells)
    if count > limits.max_columns:
        raise SheetError(TOO_MANY_COLUMNS, row=number, count=count, limit=limits.max_columns)


def _table(header_number: int, header: list[Cell], data: list[Row], **fields: object) -> Table:
    """Assemble the table, leaving out columns with neither a heading nor a value."""
    span = max([width(header)] + [width(cells) for _, cells in data])
    used = [False] * span
    for j in range(min(span, len(header))):
        used[j] = not is_blank(header[j])
    for _, cells in data:
        for j in range(min(span, len(cells))):
            if not used[j] and not is_blank(cells[j]):
                used[j] = True
    keep = [j for j in range(span) if used[j]]
    headings = [heading_text(header[j]) if j < len(header) else "" for j in keep]
    rows = [SheetRow(number, [cells[j] if j < len(cells) else Cell() for j in keep])
            for number, cells in data]
    return Table(header_row=header_number, headings=headings, rows=rows,
                 columns=[j + 1 for j in keep], **fields)  # type: ignore[arg-type]
