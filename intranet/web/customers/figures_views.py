"""A file's figures (R2): classes, grades, credit, receivables and yearly sales, nothing else.

Open to anyone access ``figures`` allows (the analysis roles see files they may not read);
each look is journalled as ``figures``. Never people, contacts, events, documents or personal
details. Whoever may ``classify`` the file changes its classes and grade here
(``actions.grades.classify``, which refuses any other field).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ... import services
from ...actions import grades as grade_actions
from ...records.files import schema
from ...records.files.customers import InvalidRecord
from ...records.rights import access
from ...records.rulebook.classes import LISTS, Classes, load_classes
from ...records.sales import credit, grading
from .. import clock
from . import figures, reading
from .blueprint import bp
from .labels import enum_choices, field_label

# The classes shown beside the lists, as record paths (market and channel are schema enums).
SHOWN = ("kind", "stage", "market", "channel", "classification.industry",
         "classification.nature", "classification.region", "classification.customer_type")


class ClassifyForm(FlaskForm):
    """Only the CSRF token: the fields are the record's own paths, read by the action."""


def classes() -> Classes:
    """Return the classification lists at the archive head (R23)."""
    return load_classes(services.get().archive.snapshot())


def class_choices(record: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Return the choices of each field the classify form offers (current value kept)."""
    policy = reading.rules().policy
    section = record.get("classification") if isinstance(record.get("classification"),
                                                         dict) else {}
    lists = classes()
    found: dict[str, list[tuple[str, str]]] = {
        "kind": enum_choices("kind", blank=True), "market": enum_choices("market", blank=True),
        "channel": enum_choices("channel", blank=True),
        "grade": [("", "—"), *[(g, f"{g} — {policy.grade_description(g)}")
                              for g in policy.grades]]}
    for name in LISTS[:4]:
        found[f"classification.{name}"] = [("", "—"), *[(v, v) for v in lists.values(name)]]
    for path, pairs in found.items():
        now = section.get(path.split(".", 1)[1]) if path.startswith("classification.") \
            else record.get(path)
        if isinstance(now, str) and now and now not in {v for v, _w in pairs}:
            pairs.append((now, now))  # an old value outside the list stays selectable
    return found


def card_marks(record: dict[str, Any]) -> dict[str, Any]:
    """Return what the card adds: values outside the lists (R23) and the standard grade (R24)."""
    flags = classes().flags(record)
    return {"class_flags": {f.path for f in flags if f.list != "product"},
            "product_flags": sorted({f.value for f in flags if f.list == "product"}),
            "standard": grading.standard(record, reading.rules().policy, clock.today())}


@bp.route("/<customer_id>/figures", methods=["GET", "POST"])
@login_required
def figures_page(customer_id: str):
    """Show a file's classes, grades, credit and yearly figures; change classes and grade."""
    loaded = reading.load(customer_id, current_user, "figures")
    record = loaded.record if not loaded.damaged else None
    may_classify = record is not None and reading.may(customer_id, current_user, "classify")
    form = ClassifyForm()
    problems: list[str] = []
    if request.method == "POST" and record is not None and form.validate_on_submit():
        changes = {k: v for k, v in request.form.items() if k not in ("csrf_token", "save")}
        try:
            commit = grade_actions.classify(services.get().files, current_user.username,
                                            customer_id, changes)
        except InvalidRecord as exc:
            problems = [f"{field_label(e.path)}: {_(e.message).format(**e.params)}"
                        for e in exc.errors]
        else:
            flash(_("Saved.") if commit else _("Nothing changed."),
                  "success" if commit else "info")
            return redirect(url_for(".figures_page", customer_id=customer_id))
    elif request.method == "POST" and record is not None:
        problems = [_("Reload the page and try again")]
    return render_template("customers/figures.html", **page_data(loaded, record), form=form,
                           may_classify=may_classify, problems=problems), \
        400 if problems else 200


def page_data(loaded: Any, record: dict[str, Any] | None) -> dict[str, Any]:
    """Return what the figures page shows of a file (none of its people or contacts)."""
    if record is None:
        return {"loaded": loaded, "record": None}
    on = clock.today()
    section = record.get("classification") if isinstance(record.get("classification"),
                                                         dict) else {}
    values = {path: (section.get(path.split(".", 1)[1]) if path.startswith("classification.")
                     else record.get(path)) or "" for path in SHOWN}
    table = figures.sales_table(record.get("yearly"))
    owed = record.get("receivables") if isinstance(record.get("receivables"), dict) else {}
    return {
        "loaded": loaded, "record": record, "values": values, "shown": SHOWN,
        "flags": {f.path: f for f in classes().flags(record)},
        "standard": grading.standard(record, reading.rules().policy, on),
        "credit": record.get("credit") if isinstance(record.get("credit"), dict) else {},
        "owed": owed, "overdue": credit.overdue_days(record, on),
        "table": table, "chart": figures.chart(table),
        "financials": figures.financial_rows(record.get("yearly")),
        "choices": class_choices(record), "money": figures.money, "label_of": schema.label,
        # A list left empty allows any value: typed, not chosen (R23).
        "free": {f"classification.{n}" for n in LISTS[:4] if not classes().values(n)},
    }


def figures_ids(rows: list[dict[str, Any]]) -> set[str]:
    """Return which of a list page's unreadable rows the user may see the figures of (1 query)."""
    hidden = [str(r["id"]) for r in rows if not r.get("readable") and not r.get("damaged")]
    if not hidden:
        return set()
    r = reading.rules()
    sql, params = access.figures_sql(reading.actor(current_user), r.policy, r.directory,
                                     reading.grants())
    found = services.get().index.db.connect().execute(
        f"SELECT c.id FROM customers c WHERE c.id IN ({', '.join('?' * len(hidden))})"
        f" AND {sql}", [*hidden, *params]).fetchall()
    return {str(row[0]) for row in found}


@bp.app_context_processor
def _figure_links() -> dict[str, Any]:
    """Give every template ``may_see_figures(id)`` (for the list's and hidden page's links)."""

    def may_see_figures(customer_id: str) -> bool:
        if not getattr(current_user, "is_authenticated", False):
            return False
        return reading.may(customer_id, current_user, "figures")

    def sees_figures_by_role() -> bool:
        if not getattr(current_user, "is_authenticated", False):
            return False
        policy = reading.rules().policy
        return current_user.role in (policy.analysis_company_roles
                                     | policy.analysis_department_roles)

    return {"may_see_figures": may_see_figures, "sees_figures_by_role": sees_figures_by_role}
