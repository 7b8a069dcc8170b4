"""Adding to a file: contact log (R14), events (R11), yearly figures (R12); R15's reports page.

Each addition is one commit at the head (``records.files.entries``), so it never conflicts with an
edit of other fields. The customer page shows the three lists through panels; the forms also
have pages of their own, where refused input comes back with its errors (400).
"""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ... import services
from ...actions import entries as entry_actions
from ...archive.errors import CorruptRecord, NotFound
from ...records.files import entries
from ...records.files.customers import InvalidRecord, Loaded
from ...records.files.messages import FieldError
from .. import clock
from ..panels import customer_panel
from . import figures, reading
from .blueprint import bp
from .entry_forms import ContactForm, EventForm, ImportForm, YearForm
from .labels import field_label

_INDEXED = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")
_IN_LIST = re.compile(r"^\w+\[\d+\]\.")


def _put_errors(form: FlaskForm, errors: list[FieldError], list_name: str) -> list[str]:
    """Put errors on the fields they name; return the texts no field of the form shows."""
    left = []
    for error in errors:
        text = _(error.message).format(**error.params)
        path = _IN_LIST.sub("", error.path, count=1) if error.path.startswith(list_name) \
            else error.path
        found = _field(form, path.removeprefix("financials."))
        if found is None:
            left.append(f"{field_label(error.path)}: {text}" if error.path else text)
        else:
            found.errors = [*found.errors, text]
    return left


def _field(form: FlaskForm, path: str) -> Any:
    """Return the form field a path names (``sales[1].amount`` too), or None."""
    row = _INDEXED.match(path)
    if row and row.group(1) in form._fields:
        rows = form[row.group(1)].entries
        index = int(row.group(2))
        return rows[index].form._fields.get(row.group(3)) if index < len(rows) else None
    found = form._fields.get(path)
    return None if found is None or found.type in ("SubmitField", "CSRFTokenField") else found


def _write(form: FlaskForm, write: Any, list_name: str) -> tuple[bool, list[str]]:
    """Run a write; on a refusal keep its reasons on the form. Return (done, other problems)."""
    try:
        made = write()
    except entries.EntryError as error:
        return False, _put_errors(form, error.errors, list_name)
    except InvalidRecord as error:
        return False, _put_errors(form, error.errors, list_name)
    except (CorruptRecord, NotFound) as error:
        return False, [_("The file in the archive is damaged: %(reason)s",
                         reason=getattr(error, "reason", str(error)))]
    flash(_("Added to the file.") if made else _("Nothing changed."),
          "success" if made else "info")
    return True, []


def _page(loaded: Loaded, form: FlaskForm, kind: str, problems: list[str], status: int,
          **context: Any) -> tuple[str, int]:
    """Render a form's own page: the form again with what was wrong."""
    titles = {"contact": _("Record a contact"), "event": _("Record an event"),
              "year": _("Enter a year's figures"), "import": _("Import yearly figures")}
    return render_template("customers/entry_form.html", loaded=loaded, form=form, kind=kind,
                           title=titles[kind], problems=problems, **context), status


def _back(customer_id: str, anchor: str) -> Any:
    return redirect(url_for(".show", customer_id=customer_id, _anchor=anchor))


@bp.route("/<customer_id>/contacts", methods=["GET", "POST"])
@login_required
def add_contact(customer_id: str):
    """Record a visit, call, letter, fax, e-mail or meeting (one commit)."""
    loaded = reading.load(customer_id, current_user, "edit")
    form = ContactForm(data={"date": clock.today().isoformat()} if request.method == "GET"
                       else None)
    problems: list[str] = []
    if form.validate_on_submit():
        done, problems = _write(form, lambda: entry_actions.add_contact(
            services.get().files, current_user.username, customer_id, entries.contact_entry(
                when=form.date.data, channel=form.channel.data, staff=current_user.username,
                summary=form.summary.data, report=form.report.data, source=form.source.data,
                confidential=form.confidential.data, next_contact=form.next_contact.data,
                today=clock.today())), "contacts")
        if done:
            return _back(customer_id, "contact-log")
    return _page(loaded, form, "contact", problems, 400 if request.method == "POST" else 200)


@bp.route("/<customer_id>/events", methods=["GET", "POST"])
@login_required
def add_event(customer_id: str):
    """Record a major change at the customer or a dealing with us (one commit)."""
    loaded = reading.load(customer_id, current_user, "edit")
    form = EventForm()
    problems: list[str] = []
    if form.validate_on_submit():
        done, problems = _write(form, lambda: entry_actions.add_event(
            services.get().files, current_user.username, customer_id, entries.event_entry(
                when=form.date.data, kind=form.kind.data, summary=form.summary.data,
                source=form.source.data, today=clock.today())), "events")
        if done:
            return _back(customer_id, "events")
    return _page(loaded, form, "event", problems, 400 if request.method == "POST" else 200)


@bp.route("/<customer_id>/yearly", methods=["GET", "POST"])
@login_required
def put_year(customer_id: str):
    """Enter or replace one year's sales per product and financial status (one commit)."""
    loaded = reading.load(customer_id, current_user, "edit")
    form = YearForm(data=figures.year_data(loaded.record, request.args.get("year", ""))
                    if request.method == "GET" else None)
    problems: list[str] = []
    if form.add_row.data:
        form.sales.append_entry()  # no JavaScript: the page comes back one row longer
    elif form.validate_on_submit():
        done, problems = _write(form, lambda: entry_actions.put_year(
            services.get().files, current_user.username, customer_id, entries.year_entry(
                year=form.year.data, today=clock.today(),
                sales=[(r.form.product.data, r.form.amount.data) for r in form.sales],
                financials={k: form[k].data for k in (*entries.FINANCIALS, "notes")}),
            source=form.source.data), "yearly")
        if done:
            return _back(customer_id, "yearly-figures")
    status = 400 if request.method == "POST" and not form.add_row.data else 200
    return _page(loaded, form, "year", problems, status, import_form=ImportForm(formdata=None))


@bp.route("/<customer_id>/yearly/import", methods=["GET", "POST"])
@login_required
def import_years(customer_id: str):
    """Import one customer's yearly figures from a CSV file: the whole file one commit."""
    loaded = reading.load(customer_id, current_user, "edit")
    form = ImportForm()
    problems: list[str] = []
    lines: list[tuple[int, str]] = []
    if form.validate_on_submit():
        imported = entries.parse_yearly_csv(form.file.data.read(), clock.today())
        lines = [(n, _(m).format(**p)) for n, m, p in imported.errors]
        if not lines:
            done, problems = _write(form, lambda: entry_actions.import_years(
                services.get().files, current_user.username, customer_id, imported), "yearly")
            if done:
                return _back(customer_id, "yearly-figures")
    return _page(loaded, form, "import", problems, 400 if request.method == "POST" else 200,
                 lines=lines)


@bp.get("/<customer_id>/reports")
@login_required
def reports(customer_id: str):
    """Show a file's non-confidential contact reports to its custodian's department (R15)."""
    loaded = reading.load(customer_id, current_user, "reports")
    row = reading.row(customer_id, current_user, "reports")
    return render_template(
        "customers/reports.html", customer_id=customer_id, name=loaded.name,
        department=reading.department_name(str((row or {}).get("department") or "")),
        entries=figures.contact_rows(entries.department_reports(loaded.record)),
        may_view=reading.may(customer_id, current_user, "view"))


@bp.context_processor
def _reports_link() -> dict[str, Any]:
    """Let the hidden-file page offer the reports page to the custodian's department.

    Only they get the link; to anyone else the page stays the same for a file they may not
    see and for one that does not exist.
    """
    return {"may_read_reports": lambda customer_id: reading.may(customer_id, current_user,
                                                                "reports")}


@customer_panel("customers/_contacts.html", order=10, covers=("contacts",))
def contacts_panel(loaded: Loaded, user: Any) -> dict[str, Any]:
    """The contact log, newest first, with the quick-add form for those who may edit."""
    may_edit = reading.may(loaded.id, user, "edit")
    form = ContactForm(formdata=None, data={"date": clock.today().isoformat()}) \
        if may_edit else None
    rows = figures.contact_rows(entries.newest_first(figures.placed(
        loaded.record, "contacts", user.username if may_edit else "")))
    return {"entries": rows, "form": form, "may_correct": any(r["may_correct"] for r in rows)}


@customer_panel("customers/_events.html", order=20, covers=("events",))
def events_panel(loaded: Loaded, user: Any) -> dict[str, Any]:
    """The events, newest first, with the add form for those who may edit."""
    may_edit = reading.may(loaded.id, user, "edit")
    rows = entries.newest_first(figures.placed(loaded.record, "events",
                                               user.username if may_edit else ""))
    for row in rows:
        row["marks"] = figures.marks(row)
    return {"entries": rows, "form": EventForm(formdata=None) if may_edit else None,
            "may_correct": any(r["may_correct"] for r in rows)}


@customer_panel("customers/_yearly.html", order=30, covers=("yearly",))
def yearly_panel(loaded: Loaded, user: Any) -> dict[str, Any]:
    """The yearly figures as a table and a chart of total sales per year."""
    table = figures.sales_table((loaded.record or {}).get("yearly"))
    return {"table": table, "chart": figures.chart(table),
            "financials": figures.financial_rows((loaded.record or {}).get("yearly")),
            "may_edit": reading.may(loaded.id, user, "edit")}
