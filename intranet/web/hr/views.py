"""Thin views over ``records.trail.reports``: file ids and audit fields, never contents (R36)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from ...records.conduct import discipline
from ...records.files.schema import N_
from ...records.rights.access import is_administrator
from ...records.rulebook.policy import Policy
from ...records.trail import audit_labels, reports
from ...records.trail.audit import parse_stamp
from ...sheets.writing import csv_bytes, xlsx_bytes
from ..clock import company_zone, today
from ..customers.reading import department_name, rules
from ..paging import page_numbers, page_of
from .blueprint import bp
from .discipline_data import month_lists, sharing_cases, unapproved_reads

PER_PAGE = 50


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


# Column titles of HR's month table: the msgids of the report page's own headings.
_COLUMNS = (N_("Month"), N_("Username"), N_("Full name"), N_("Refused attempts (no fine)"),
            N_("Break-glass reads"), N_("Unapproved reads"), N_("Shared-account signs"),
            N_("Confirmed shared-account cases"), N_("Late records"), N_("Neglected files"),
            N_("Fines"), N_("Currency"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month_table(month: str) -> tuple[list[str], list[list[Any]]]:
    """Return the month's table for a download: titles in the user's language, and lines."""
    currency = rules().policy.currency
    audit = {row.username: row for row in _audit_month(month)}
    late = {p.username: p for p in month_lists(month, None)}
    lines: list[list[Any]] = []
    for username in sorted(audit.keys() | late.keys()):
        row, person = audit.get(username), late.get(username)
        fines = (row.fines if row else 0) + (person.fines if person else 0)
        lines.append([month, username, _name(username),
                      *[len(getattr(row, name)) if row else 0 for name in (
                          "attempts", "break_glass", "unapproved", "signals", "cases")],
                      person.fined_late if person else 0, person.periods if person else 0,
                      fines, currency])
    return [_(title) for title in _COLUMNS], lines


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/hr/export.csv")
@hr_required
def export() -> Response:
    """Download the month's table as CSV (UTF-8 with BOM, so Excel reads Chinese)."""
    month = _month()
    return _download(csv_bytes(*_month_table(month)), "text/csv; charset=utf-8",
                     f"hr-report-{month}.csv")


@bp.get("/hr/export.xlsx")
@hr_required
def export_xlsx() -> Response:
    """Download the month's table as an XLSX workbook (text cells never run as formulas)."""
    month = _month()
    headings, lines = _month_table(month)
    return _download(xlsx_bytes(headings, lines, _("Audit report for %(month)s", month=month)),
                     XLSX, f"hr-report-{month}.xlsx")


def _filtered(entries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Keep the entries of the asked-for file and day (``?customer=``, ``?day=``)."""
    customer = request.args.get("customer", "").strip().upper()[:20]
    day = request.args.get("day", "").strip()[:10]
    if customer:
        entries = [e for e in entries if str(e.get("customer", "")) == customer]
    if day:
        zone = company_zone()
        entries = [e for e in entries
                   if parse_stamp(e["at"]).astimezone(zone).date().isoformat() == day]
    return entries, {"customer": customer, "day": day}


@bp.get("/hr/<username>")
@hr_required
def person(username: str) -> str:
    """List one person's journal entries of a month, a page at a time (file ids, no contents)."""
    month = _month()
    report = reports.person_month(_entries(), username, month, rules().policy,
                                  unapproved_reads(month), sharing_cases(month))
    if rules().directory.member(username) is None and not report.entries:
        abort(404)  # nobody of that name, now or in this month's journal
    entries, filters = _filtered(sorted(report.entries, key=lambda e: e["at"]))
    late = next((p for p in month_lists(month, None) if p.username == username), None)
    return render_template("hr/person.html", month=month, report=report,
                           entries=page_of(entries), filters=filters,
                           name=_name(username), names=_name, stamp=parse_stamp, late=late)


@bp.get("/me/reads")
@login_required
def my_reads() -> str:
    """Show the signed-in person's own reading history, newest first, a page at a time."""
    reads = reports.person_history(_entries(), str(current_user.username))
    return render_template("hr/my_reads.html", reads=page_of(reads, PER_PAGE))


@bp.app_context_processor
def _audit_words() -> dict:
    """Give templates the words for journal codes and the page links."""
    def action_label(code: str) -> str:
        return _(audit_labels.action_word(code))

    def basis_label(basis: str) -> tuple[str, str]:
        word, request_id = audit_labels.basis_word(basis)
        return _(word), request_id

    return {"action_label": action_label, "basis_label": basis_label,
            "page_numbers": page_numbers}
