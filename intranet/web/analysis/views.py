"""The analysis pages: parse the query string, call ``actions.analysis``, render or download.

Bad input (an unknown ``by``, a year out of range, a malformed date) is a 400 page with the
action's message; a role that sees no figures (HR) gets 403; a drill-down and a customer's
product mix journal each file shown (``figures``) before rendering.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...actions import ActionError, Forbidden
from ...actions import analysis as actions
from ...records.sales.analysis import GRADE, PRODUCT, REGION
from ...sheets.writing import xlsx_bytes
from ..clock import today
from ..customers.figures import money
from ..customers.reading import AuditDown, Hidden, actor, reader, seal_if_due
from ..errors import forbidden_page, render_error, render_hidden
from . import chart
from .blueprint import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def titles() -> dict[str, str]:
    """Return each analysis's heading in the user's language."""
    return {GRADE: _("Sales by grade"), REGION: _("Sales by region"),
            PRODUCT: _("Sales by product")}


def key_heading(by: str) -> str:
    """Return the key column's heading."""
    return {GRADE: _("Grade"), REGION: _("Region"), PRODUCT: _("Product")}[by]


def key_label(by: str, key: str) -> str:
    """Return a key as shown: the empty key in words."""
    if key:
        return key
    return {GRADE: _("Ungraded"), REGION: _("No region"), PRODUCT: _("No product")}[by]


def may_analyse() -> bool:
    """Tell whether the signed-in user sees any analysis (for the navigation)."""
    return bool(current_user.is_authenticated) and actions.may_analyse(
        reader(), actor(current_user))


@bp.app_context_processor
def _nav() -> dict:
    """Give every template ``may_analyse()`` (for the navigation)."""
    return {"may_analyse": may_analyse}


@bp.errorhandler(ActionError)
def _bad(error: ActionError) -> tuple[str, int]:
    """Answer input that makes no sense with a 400 page and the reason."""
    if isinstance(error, Forbidden):
        return forbidden_page(error)
    return render_error(400, _(error.message, **error.params))


@bp.errorhandler(Hidden)
def _hidden(error: Hidden) -> tuple[str, int]:
    """A file the user may not see figures of, or none: the same answer."""
    return render_hidden(error)


@bp.errorhandler(AuditDown)
def _audit_down(error: AuditDown) -> tuple[str, int, dict]:
    """Refuse the read when it cannot be recorded (R35)."""
    body, code = render_error(503, _("The read-audit journal cannot be written, so no "
                                     "customer file can be shown. Tell the administrator."))
    return body, code, {"Retry-After": "60"}


@bp.after_request
def _seal(response: Response) -> Response:
    """Seal the audit journal when due, after a journalled request."""
    seal_if_due()
    return response


def _args() -> dict[str, str]:
    return {k: request.args.get(k, "") for k in ("by", "year", "as_of")}


def _composition() -> actions.Composition:
    args = _args()
    return actions.composition(reader(), actor(current_user), args["by"] or GRADE,
                               args["year"], args["as_of"], today())


@bp.get("/")
@login_required
def index():
    """List the analyses."""
    actions.scope(reader(), actor(current_user))
    return render_template("analysis/index.html", titles=titles(),
                           year=actions.last_full_year(today()))


@bp.get("/composition")
@login_required
def composition():
    """Show a composition of a year: the table, the chart, last year's figures."""
    found = _composition()
    asked = found.asked
    items = [{"key": row.key, "label": key_label(asked.by, row.key), "amount": row.amount,
              "last": row.last_amount, "value": money(row.amount),
              "share": f"{row.share}%"} for row in found.compared]
    return render_template(
        "analysis/composition.html", found=found, asked=asked, items=items,
        chart=chart.bars(items), titles=titles(), heading=key_heading(asked.by),
        money=money, as_of=request.args.get("as_of", ""),
        years=list(range(actions.last_full_year(today()), actions.last_full_year(today()) - 10,
                         -1)))


def _lines(found: actions.Composition) -> list[list[Any]]:
    return [[key_label(found.asked.by, row.key), row.customers, row.amount, float(row.share),
             row.last_amount, row.change] for row in found.compared]


@bp.get("/composition.xlsx")
@login_required
def composition_xlsx():
    """Download a composition's table as an Excel workbook."""
    found = _composition()
    headings = [key_heading(found.asked.by), _("Customers"), _("Amount"), _("Share (%)"),
                _("Last year"), _("Change on last year")]
    title = f"{titles()[found.asked.by]} {found.asked.year}"
    return _send(xlsx_bytes(headings, _lines(found), title),
                 f"composition-{found.asked.by}-{found.asked.year}.xlsx")


def _drill() -> tuple[actions.Asked, list[dict[str, Any]], str]:
    args = _args()
    key = request.args.get("key", "")
    asked, rows = actions.drill(reader(), actor(current_user), args["by"] or GRADE,
                                args["year"], key, args["as_of"], today())
    return asked, rows, key


@bp.get("/composition/files")
@login_required
def files():
    """Show the files behind one key's figure (each file shown journalled)."""
    asked, rows, key = _drill()
    return render_template("analysis/files.html", asked=asked, rows=rows, key=key,
                           label=key_label(asked.by, key), titles=titles(), money=money,
                           as_of=request.args.get("as_of", ""),
                           total=sum(r["amount"] for r in rows))


@bp.get("/composition/files.xlsx")
@login_required
def files_xlsx():
    """Download the files behind one key's figure as an Excel workbook."""
    asked, rows, key = _drill()
    lines = [[r["id"], r["name"], int(r["amount"])] for r in rows]
    title = f"{key_label(asked.by, key)} {asked.year}"
    return _send(xlsx_bytes([_("Customer number"), _("Name"), _("Amount")], lines, title),
                 f"composition-{asked.by}-{asked.year}-files.xlsx")


@bp.get("/products")
@login_required
def products():
    """Show one customer's product mix per year (R26), journalled as a figures read."""
    customer = request.args.get("customer", "").strip().upper()
    if not customer:
        actions.scope(reader(), actor(current_user))
        return render_template("analysis/products.html", row=None, customer="")
    row, names, years = actions.product_mix(reader(), actor(current_user), customer)
    latest = years[0] if years else None
    items = [{"key": p, "label": p, "amount": a or 0, "value": money(a)}
             for p, a in zip(names, latest["amounts"], strict=True)] if latest else []
    return render_template("analysis/products.html", row=row, customer=customer,
                           names=names, years=years, money=money, latest=latest,
                           chart=chart.bars(items) if items else None)


@bp.get("/products.xlsx")
@login_required
def products_xlsx():
    """Download one customer's product mix as an Excel workbook."""
    customer = request.args.get("customer", "").strip().upper()
    _row, names, years = actions.product_mix(reader(), actor(current_user), customer)
    lines = [[y["year"], *y["amounts"], y["total"]] for y in years]
    return _send(xlsx_bytes([_("Year"), *names, _("Total")], lines, customer),
                 f"products-{customer}.xlsx")


def _send(body: bytes, name: str) -> Response:
    """Return a download that no cache keeps."""
    response = Response(body, content_type=XLSX)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}")
    response.headers["Cache-Control"] = "no-store"
    return response
