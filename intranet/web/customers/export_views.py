"""The customer list as a CSV file for Excel: the same search and filters, readable files only.

Each exported row is a read of that file's contents, so each is journalled as an ``export``
(R35) before the file is sent; files the user sees only as catalogue cards are left out.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...index import Query
from ...records import schema
from . import bp, reading
from .present import show

# (index column, schema path of its label and its words)
COLUMNS = (
    ("id", "id"), ("name", "basic.name"), ("short_name", "basic.short_name"),
    ("card", "card"), ("kind", "kind"), ("stage", "stage"), ("market", "market"),
    ("channel", "channel"), ("grade", "grade"), ("credit_grade", "credit.grade"),
    ("vip", "vip"), ("industry", "classification.industry"),
    ("nature", "classification.nature"), ("region", "classification.region"),
    ("customer_type", "classification.customer_type"), ("level", "custody.level"),
    ("owner", "custody.owner"), ("department", "custody.department"),
    ("phone", "basic.phone"), ("address", "basic.address"),
)
_PAGE = 200  # the index's largest page
# A cell Excel would run as a formula (=, +, -, @, tab, CR) unless it is a plain number.
_FORMULA = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+\-]?[\d\s().,-]+$")


def _rows(user: Any) -> list[dict[str, Any]]:
    """Return every readable file the list's search and filters find, in the list's order."""
    query = Query.from_args(request.args)
    query.per_page, query.page = _PAGE, 1
    found: list[dict[str, Any]] = []
    while True:
        page = reading.find(query, user, only_readable=True)
        found += [row for row in page.rows if row.get("readable")]
        if query.page >= page.pages:
            return found
        query.page += 1


def cell(value: str) -> str:
    """Return a cell's text, defused if a spreadsheet would take it for a formula."""
    return "'" + value if _FORMULA.match(value) and not _NUMBER.match(value) else value


def _line(row: dict[str, Any]) -> list[str]:
    """Return one file's cells: enumerations in words, staff by name."""
    cells = []
    for column, path in COLUMNS:
        value = row.get(column)
        if column == "vip":
            text = _("VIP") if value else ""
        elif column == "department":
            text = reading.department_name(str(value or ""))
        else:
            text = show(path, value) if value not in (None, "") else ""
        cells.append(cell(str(text)))
    updated = str(row.get("updated_at") or "")
    return [*cells, cell(updated), cell(reading.staff_name(str(row.get("updated_by") or "")))]


@bp.get("/export.csv")
@login_required
def export():
    """Send the list as CSV (UTF-8 with BOM, so Excel reads Chinese), every row journalled."""
    rows = reading.allow_rows(_rows(current_user), current_user, "export")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_(schema.LABELS[path]) for _column, path in COLUMNS]
                    + [_("Last change"), _("Changed by")])
    writer.writerows(_line(row) for row in rows)
    response = Response("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        "attachment; filename=\"customers.csv\"; filename*=UTF-8''customers.csv")
    response.headers["Cache-Control"] = "no-store"
    return response
