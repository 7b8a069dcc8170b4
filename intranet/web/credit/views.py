"""List every credit exception and the review list, page by page or as a workbook (R28).

Each file shown (or downloaded) is journalled as a "figures" read; the lists come from the
index (no YAML read per request).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ... import services
from ...actions import ActionError, Forbidden, credit_list
from ...actions import analysis as analysis_actions
from ...actions import credit as credit_actions
from ...records.sales.credit_review import REASONS
from ...sheets.writing import xlsx_bytes
from ..clock import today
from ..customers import reading
from ..customers.export_views import XLSX, _send
from .blueprint import bp

PER_PAGE = 50


def _filters() -> dict[str, str]:
    """Return the page's filters from the query string (unknown values ignored)."""
    show = request.args.get("show", credit_list.EXCEPTIONS)
    return {"show": show if show in credit_list.SHOWS else credit_list.EXCEPTIONS,
            "grade": request.args.get("grade", "").strip()[:3],
            "owner": request.args.get("owner", "").strip()[:64]}


def _lines(filters: dict[str, str]) -> list[credit_list.Line]:
    return credit_list.lines(reading.reader(), reading.actor(current_user), today(),
                             filters["show"], grade=filters["grade"], owner=filters["owner"])


def _journalled(found: list[credit_list.Line]) -> list[credit_list.Line]:
    """Return the lines whose figures the user may see, each journalled as a figures read."""
    allowed = {str(row["id"]) for row in reading.allow_rows([line.row for line in found],
                                                              current_user, "figures")}
    return [line for line in found if line.id in allowed]


@bp.before_request
def _figures_only() -> None:
    """Refuse every credit page to whoever sees no customer's figures (HR: R36)."""
    if current_user.is_authenticated and not analysis_actions.may_analyse(
            reading.reader(), reading.actor(current_user)):
        abort(403)


@bp.get("/")
@login_required
def page() -> str:
    """Show one page of a credit list with its filters."""
    filters = _filters()
    found = _lines(filters)
    number = max(1, request.args.get("page", 1, type=int) or 1)
    pages = max(1, -(-len(found) // PER_PAGE))
    number = min(number, pages)
    shown = _journalled(found[(number - 1) * PER_PAGE:number * PER_PAGE])
    policy = reading.rules().policy
    approver = credit_actions.may_approve(reading.rules(), str(current_user.username))
    return render_template("credit/page.html", lines=shown, total=len(found), page=number,
                           pages=pages, filters=filters, grades=policy.credit_grades,
                           reasons=REASONS, mode=policy.credit_exception_mode,
                           names=reading.staff_name, approver=approver)


@bp.post("/approve")
@login_required
def approve() -> Response:
    """Record the signed-in approver's approval of one file's exception, with the reason."""
    customer_id = request.form.get("customer", "")
    back = redirect(url_for(".page", show=request.form.get("show") or None,
                            grade=request.form.get("grade") or None,
                            owner=request.form.get("owner") or None))
    if not FlaskForm().validate_on_submit():
        abort(400)
    reading.allow(customer_id, current_user, "figures")
    try:
        credit_actions.approve(services.get().files, str(current_user.username), customer_id,
                               request.form.get("reason", "")[:300])
    except Forbidden:
        raise
    except ActionError as error:
        flash(_(error.message, **error.params), "danger")
        return back
    flash(_("The credit exception of %(id)s is approved.", id=customer_id), "success")
    return back


def _columns() -> list[str]:
    return [_("Customer number"), _("Name"), _("Custodian"), _("Credit grade"),
            _("Credit limit"), _("Grade limit"), _("Trade terms"), _("Grade terms"),
            _("Exception approved by"), _("Exception approved on"), _("Amount owed"),
            _("Oldest due date"), _("Overdue days"), _("Exposure (%)"), _("Review")]


def _cells(line: credit_list.Line) -> list[Any]:
    p = line.position
    s = p.standing
    return [line.id, line.row.get("name") or "", line.row.get("owner") or "", s.grade,
            s.limit, s.grade_limit, s.terms, s.grade_terms, s.approved_by, s.approved_on,
            p.owed, p.oldest_due, p.overdue,
            round(p.exposure, 1) if p.exposure is not None else "",
            "; ".join(_(REASONS[r]) for r in p.review)]


@bp.get("/credit.xlsx")
@login_required
def download():
    """Send the whole list as an Excel workbook, every file in it journalled."""
    found = _journalled(_lines(_filters()))
    return _send(xlsx_bytes(_columns(), [_cells(line) for line in found], _("Credit")), XLSX,
                 "credit.xlsx")
