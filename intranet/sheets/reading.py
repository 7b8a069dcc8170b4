"""Read an uploaded XLSX or CSV into a Table, refusing what cannot be read safely.

Anything that cannot be read safely is refused with a SheetError before a row is imported;
``tables`` finds the sheet's header row and drops blanks.
"""

from __future__ import annotations

from ..records.files.messages import N_
from .csvfile import read_csv
from .model import Limits, SheetError, Table
from .tables import MACROS
from .xlsx import read_workbook

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # compound file: old .xls, and every encrypted .xlsx
ZIP_SIGNATURE = b"PK\x03\x04"

EMPTY = N_("The file is empty.")
TOO_BIG = N_("The file is %(size)s MB; files of at most %(limit)s MB can be imported.")
OLD_OR_ENCRYPTED = N_("This is an encrypted workbook or an old .xls file; save it as .xlsx "
                      "without a password and upload it again.")


def read_table(data: bytes, filename: str, *, sheet: str | None = None,
               encoding: str | None = None, limits: Limits = Limits()) -> Table:  # noqa: B008
    """Return the table of an uploaded XLSX or CSV file; SheetError when it cannot be read."""
    if not data:
        raise SheetError(EMPTY)
    if len(data) > limits.max_bytes:
        raise SheetError(TOO_BIG, size=_megabytes(len(data)), limit=_megabytes(limits.max_bytes))
    name = filename.lower()
    if data.startswith(OLE_SIGNATURE):
        raise SheetError(OLD_OR_ENCRYPTED)
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise SheetError(MACROS)
    if data.startswith(ZIP_SIGNATURE) or name.endswith((".xlsx", ".xls")):
        return read_workbook(data, filename, sheet=sheet, limits=limits)
    return read_csv(data, filename, encoding=encoding, limits=limits)


def _megabytes(size: int) -> str:
    """Return a size in MB as people say it: 20, 0.5."""
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


