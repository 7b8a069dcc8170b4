"""The classification lists (/analysis/classes) and the grade review list (/analysis/grades).

Both are kept by the policy's ``analysis.classify_roles`` (marketing staff and director);
a department manager also sees the review list, for the files of their department they may
classify. Every file the review list shows is journalled as a ``figures`` read.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ... import services
from ...actions import ActionError, Forbidden
from ...actions import grades as grade_actions
from ...index import grades as graded_index
from ...records.files import schema
from ...records.files.customers import InvalidRecord
from ...records.rights import access
from ...records.rulebook.classes import FIXED, LABELS, LISTS, parse_lines
from .. import clock
from ..customers import reading
from ..customers.figures_views import classes
from ..customers.labels import enum_label
from .blueprint import bp

PER_PAGE = 50
FILTERS = graded_index.FILTERS


class ClassesForm(FlaskForm):
    """One text area per list, an optional rename, and the reason for the change."""

    rename_list = SelectField(choices=[SelectChoice("", "—"), *[SelectChoice(n, n)
                                                                for n in LISTS]], default="")
    rename_from = StringField()
    rename_to = StringField()
    reason = StringField(validators=[DataRequired()])


for _name in LISTS:
    setattr(ClassesForm, _name, TextAreaField())


class RegradeForm(FlaskForm):
    """The reason for regrading the ticked files (the ids come as checkboxes)."""

    reason = StringField(validators=[DataRequired()])


def _actor() -> access.Actor:
    return reading.actor(current_user)


def keeps_lists() -> bool:
    """Tell whether the signed-in user keeps the classification lists."""
    return current_user.is_authenticated and grade_actions.may_keep_lists(
        reading.rules(), current_user.username)


def sees_review() -> bool:
    """Tell whether the signed-in user may open the grade review list."""
    policy = reading.rules().policy
    return keeps_lists() or (current_user.is_authenticated
                             and current_user.role in policy.analysis_department_roles)


@bp.app_context_processor
def _links() -> dict[str, Any]:
    """Give every template ``may_review_grades()`` (for the navigation)."""
    return {"may_review_grades": lambda: current_user.is_authenticated and sees_review(),
            "may_keep_classes": lambda: current_user.is_authenticated and keeps_lists()}


@bp.route("/classes", methods=["GET", "POST"])
@login_required
def classes_page():
    """Show and edit the classification lists (R23); one commit by the actor per save."""
    if not keeps_lists():
        abort(403)
    lists = classes()
    form = ClassesForm(data={n: "\n".join(lists.values(n)) for n in LISTS})
    problems: list[str] = []
    if form.validate_on_submit():
        new = {n: parse_lines(form[n].data) for n in LISTS}
        renames = []
        if form.rename_list.data and form.rename_from.data.strip() and form.rename_to.data.strip():
            old, to = form.rename_from.data.strip(), form.rename_to.data.strip()
            renames = [(form.rename_list.data, old, to)]
            # The renamed value takes the old one's place in its list.
            values = new[form.rename_list.data]
            new[form.rename_list.data] = list(dict.fromkeys(
                to if v == old else v for v in values)) if old in values else [*values, to]
        try:
            commit = grade_actions.save_classes(services.get().archive, current_user.username,
                                                new, form.reason.data, renames)
        except InvalidRecord as exc:
            problems = [f"{e.path}: {_(e.message).format(**e.params)}" for e in exc.errors]
        except ActionError as exc:
            problems = [_(exc.message) % exc.params if exc.params else _(exc.message)]
        else:
            flash(_("The classification lists were saved.") if commit else _("Nothing changed."),
                  "success" if commit else "info")
            return redirect(url_for(".classes_page"))
    elif request.method == "POST":
        problems = [_("Give a reason for this change.")]
    return render_template("grades/classes.html", form=form, lists=LISTS, labels=LABELS,
                           fixed=[(n, _(schema.label(n)), [enum_label(n, v) for v in values])
                                  for n, values in FIXED.items()],
                           problems=problems, damaged=lists.problem), \
        400 if problems else 200


def _rows(page: int) -> tuple[list[dict[str, Any]], int]:
    """Return a page of the files whose grade differs from the standard that the user may
    regrade, and how many there are (paged in SQL unless each row's right must be asked)."""
    r = reading.rules()
    actor = _actor()
    condition = access.figures_sql(actor, r.policy, r.directory, reading.grants())
    wanted = {k: request.args.get(k, "") for k in FILTERS}
    index, today = services.get().index, clock.today()
    if actor.role in r.policy.classify_roles:
        return graded_index.differing(index, r.policy, today, condition, wanted,
                                      limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    # A department manager classifies only the files they may edit: asked file by file.
    rows, _total = graded_index.differing(index, r.policy, today, condition, wanted)
    rows = [row for row in rows if access.decide(
        actor, access.CLASSIFY, access.FileMeta.from_row(row), r.policy, r.directory,
        reading.grants()).allowed]
    return rows[(page - 1) * PER_PAGE: page * PER_PAGE], len(rows)


@bp.route("/grades", methods=["GET", "POST"])
@login_required
def grades_page():
    """List files whose grade is not the standard's; regrade the ticked ones in one commit."""
    if not sees_review():
        abort(403)
    form = RegradeForm()
    if request.method == "POST":
        ids = request.form.getlist("id")
        if not form.validate_on_submit():
            flash(_("Give a reason for this change."), "danger")
        else:
            try:
                commit, moved = grade_actions.regrade(services.get().archive,
                                                      current_user.username, ids,
                                                      form.reason.data, clock.today())
            except InvalidRecord as exc:
                flash("; ".join(f"{e.path}: {e}" for e in exc.errors), "danger")
            except ActionError as exc:
                if isinstance(exc, Forbidden):
                    raise
                flash(_(exc.message) % exc.params if exc.params else _(exc.message), "danger")
            else:
                flash(_("%(num)d files regraded.", num=len(moved)) if commit
                      else _("Nothing changed."), "success" if commit else "info")
                return redirect(url_for(".grades_page", **request.args))
    page = max(1, request.args.get("page", 1, type=int))
    rows, total = _rows(page)
    pages = max(1, -(-total // PER_PAGE))
    policy = reading.rules().policy
    shown = graded_index.explain(rows, policy, clock.today())
    # Each file shown with its figures is a read of its figures (R35).
    reading.allow_rows(shown, current_user, "figures")
    return render_template("grades/review.html", rows=shown, total=total, page=page,
                           pages=pages, form=form, filters=FILTERS, args=request.args,
                           grades=policy.grades, regions=list(classes().values("region")),
                           may_keep_lists=keeps_lists())
