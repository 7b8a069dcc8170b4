"""The customer list as an Excel workbook or a CSV file: the same search, filters and sort.

``actions.exporting`` chooses the files (readable ones only, each journalled as an
``export``, R35) and the columns; ``sheets.writing`` writes the bytes with no cell a
spreadsheet would run as a formula. This module only supplies the user and their language.
"""

from __future__ import annotations

from flask import Response, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...actions import exporting
from ...sheets.writing import csv_bytes, xlsx_bytes
from . import reading
from .blueprint import bp
from .labels import enum_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def words() -> exporting.Words:
    """Return the signed-in user's words: their language, names from the staff directory."""
    return exporting.Words(reading.rules(), _, enum_label)


def _export() -> exporting.Export:
    """Return the export of what the list shows the signed-in user, every file journalled."""
    return exporting.build(reading.reader(), reading.actor(current_user),
                           exporting.query_from(request.args), words())


def _send(body: bytes, content_type: str, name: str) -> Response:
    """Return a download that no cache keeps."""
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.csv")
@login_required
def export():
    """Send the list as CSV (UTF-8 with BOM, so Excel reads Chinese), every row journalled."""
    found = _export()
    return _send(csv_bytes(found.headings, found.lines), "text/csv; charset=utf-8",
                 "customers.csv")


@bp.get("/export.xlsx")
@login_required
def export_xlsx():
    """Send the list as an Excel workbook, every row journalled."""
    found = _export()
    widths = [c.width for c in exporting.COLUMNS]
    return _send(xlsx_bytes(found.headings, found.lines, found.title, widths), XLSX,
                 "customers.xlsx")
