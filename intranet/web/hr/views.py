"""Thin views over ``records.reports``: file ids and audit fields only, never contents (R36)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, abort, render_template, request
from flask_login import current_user, login_required

from ... import services
from ...records import discipline, reports
from ...records.access import is_administrator
from ...records.audit import parse_stamp
from ...records.policy import Policy
from ..clock import company_zone, today
from ..customers.reading import department_name, rules
from .blueprint import bp
from .discipline_data import month_lists, sharing_cases, unapproved_reads

PER_PAGE = 50
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def may_see_reports(role: str, policy: Policy) -> bool:
    """Tell whether a role sees HR's reports: the policy's hr_roles and the administrator."""
    hr_roles = policy.data.get("hr_roles")
    hr_roles = hr_roles if isinstance(hr_roles, list) else []
    return bool(role) and (role in hr_roles or is_administrator(role, policy))


@bp.app_context_processor
def _nav() -> dict:
    """Give every template ``may_see_hr()`` (for the nav link)."""

    def may_see_hr() -> bool:
        return bool(current_user.is_authenticated) and may_see_reports(
            str(current_user.role or ""), rules().policy)

    return {"may_see_hr": may_see_hr}


def hr_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let only HR and the administrator in; others get the 403 page."""
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not may_see_reports(str(current_user.role or ""), rules().policy):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _month() -> str:
    """Return the asked-for month, or the current month in the company's zone."""
    month = request.args.get("month", "")
    return month if reports.is_month(month) else today().strftime("%Y-%m")


def _entries() -> list[dict[str, Any]]:
    return reports.load_entries(services.get().journal.path)


def _audit_month(month: str) -> list[reports.PersonMonth]:
    """Return every person's audit month with its fined reads and HR's shared-account cases."""
    return reports.month_report(_entries(), month, rules().policy, unapproved_reads(month),
                                sharing_cases(month))


def _name(username: str) -> str:
    member = rules().directory.member(username)
    return str((member or {}).get("name") or username)


def _cell(value: Any) -> str:
    """Return a CSV cell that spreadsheets do not run as a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


@bp.get("/hr/")
@hr_required
def index() -> str:
    """Show every person's month: attempts, emergency reads, fined reads and cases, fines."""
    month = _month()
    policy = rules().policy
    rows = _audit_month(month)
    # R20: late records and neglected files, everyone's (HR's scope), with their fines.
    late = month_lists(month, None)
    late_total = sum(p.fines for p in late)
    return render_template("hr/index.html", month=month, rows=rows, names=_name,
                           total=reports.total_fines(rows) + late_total,
                           currency=policy.currency, late=late, late_total=late_total,
                           departments=discipline.by_department(late),
                           department_name=department_name, rules_policy=policy,
                           zone=company_zone().key)


@bp.get("/hr/export.csv")
@hr_required
def export() -> Response:
    """Download the month's table as CSV (UTF-8 with BOM, so Excel reads Chinese)."""
    month = _month()
    policy = rules().policy
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["month", "username", "name", "attempts", "break_glass_reads",
                     "unapproved_reads", "shared_account_signals", "shared_account_cases",
                     "late_records", "neglect_fines", "fines", "currency"])
    audit = {row.username: row for row in _audit_month(month)}
    late = {p.username: p for p in month_lists(month, None)}
    for username in sorted(audit.keys() | late.keys()):
        row, person = audit.get(username), late.get(username)
        fines = (row.fines if row else 0) + (person.fines if person else 0)
        writer.writerow([month, _cell(username), _cell(_name(username)),
                         *[len(getattr(row, name)) if row else 0 for name in (
                             "attempts", "break_glass", "unapproved", "signals", "cases")],
                         person.fined_late if person else 0, person.periods if person else 0,
                         f"{fines:g}", policy.currency])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="hr-report-{month}.csv"'})


@bp.get("/hr/<username>")
@hr_required
def person(username: str) -> str:
    """List one person's journal entries of a month (file ids only, never contents)."""
    month = _month()
    report = reports.person_month(_entries(), username, month, rules().policy,
                                  unapproved_reads(month), sharing_cases(month))
    if rules().directory.member(username) is None and not report.entries:
        abort(404)  # nobody of that name, now or in this month's journal
    entries = sorted(report.entries, key=lambda e: e["at"])
    late = next((p for p in month_lists(month, None) if p.username == username), None)
    return render_template("hr/person.html", month=month, report=report, entries=entries,
                           name=_name(username), stamp=parse_stamp, late=late)


@bp.get("/me/reads")
@login_required
def my_reads() -> str:
    """Show the signed-in person's own reading history, newest first, a page at a time."""
    reads = reports.person_history(_entries(), str(current_user.username))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pages = max((len(reads) + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(page, pages)
    shown = reads[(page - 1) * PER_PAGE:page * PER_PAGE]
    return render_template("hr/my_reads.html", reads=shown, page=page, pages=pages,
                           total=len(reads))
