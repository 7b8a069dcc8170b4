"""Hand-over when someone leaves (R32): the administrator's page over ``records.conduct.handover``.

The page lists every file the member holds as a catalogue card only (id, name, level, what
they are to it): the hand-over is an administrative act on custody, recorded in git, and
shows none of the files' contents.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import services
from ...actions import handover as handover_action
from ...archive.errors import NotFound
from ...index.holdings import held_by
from ...records.conduct import handover
from ...records.files.customers import is_customer_id
from ...records.files.tasks import handover_task_days
from ...records.rulebook.rules import load_rules
from ..clock import today
from ..customers.labels import enum_label
from .blueprint import bp
from .handover_forms import PREFIX, handover_form
from .views import _member_or_404


def _candidates(username: str) -> list[str]:
    return [str(r["id"]) for r in held_by(services.get().index, username)]


def _plan(username: str, base: str | None = None) -> handover.Plan:
    """Return the plan at ``base`` (default: the commit the index has just caught up to)."""
    svc = services.get()
    head = svc.index.catch_up()
    try:
        snapshot = svc.archive.snapshot(base or head)
    except NotFound:
        snapshot = svc.archive.snapshot(head)
    return handover.plan(snapshot, username, _candidates(username))


def _choices(plan: handover.Plan) -> list[tuple[str, str]]:
    rules = load_rules(services.get().archive.snapshot(plan.base))
    return [(str(m["username"]), f"{m.get('name') or m['username']} ({m['username']})")
            for m in handover.successors(rules, plan.leaver)]


def _form(plan: handover.Plan, member: dict[str, Any], ids: list[str] | None = None,
          fresh: bool = False) -> Any:
    proposed = {h.id: h.proposed for h in plan.holdings}
    kwargs: dict[str, Any] = {"formdata": None} if fresh else {}
    form = handover_form(ids if ids is not None else list(proposed), _choices(plan), proposed,
                         **kwargs)
    if fresh or not form.is_submitted():
        form.base.data = plan.base or ""
        # Someone disabled earlier keeps the day they left; otherwise they leave today.
        left = str(member.get("left_on") or "")
        form.left_on.data = date.fromisoformat(left) if _is_date(left) else today()
        form.bulk.data = ""
    return form


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _page(member: dict[str, Any], plan: handover.Plan, form: Any, status: int = 200,
          error: str = "", files: list[str] | None = None) -> tuple[str, int]:
    rules = load_rules(services.get().archive.snapshot(plan.base))
    return render_template(
        "admin/handover.html", member=member, plan=plan, form=form, error=error,
        refused_files=files or [], fields=form.successor_fields(),
        days=handover_task_days(rules.policy.data), self_handover=(
            member["username"] == current_user.username),
        level_label=lambda level: enum_label("custody.level", level),
        department_name=lambda d: (rules.directory.department(d) or {}).get("name") or d,
    ), status


@bp.route("/staff/<username>/handover", methods=["GET", "POST"])
def handover_page(username: str):
    """List a leaving member's files with a successor each; hand them over in one commit."""
    member = _member_or_404(username)
    if request.method == "GET":
        plan = _plan(username)
        return _page(member, plan, _form(plan, member))
    posted = [k[len(PREFIX):] for k in request.form if k.startswith(PREFIX)
              and is_customer_id(k[len(PREFIX):])]
    plan = _plan(username, request.form.get("base") or None)
    form = _form(plan, member, posted)
    if username == current_user.username:
        # The administrator would lose the very rights the page needs half way through.
        return _page(member, plan, form, 400, _("Another administrator must hand over your "
                                                "own files."))
    if not form.validate_on_submit():
        return _page(member, plan, form, 400)
    bulk = form.bulk.data or ""
    assignments = {cid: bulk or f.data for cid, f in form.successor_fields().items()}
    try:
        done = handover_action.execute(services.get().archive, current_user.username,
                                       username, assignments, form.base.data or "",
                                       _candidates(username), form.left_on.data.isoformat(),
                                       today())
    except handover.HandoverRefused as refused:
        fresh = _plan(username)
        message = _(refused.message).format(**refused.params)
        return _page(member, fresh, _form(fresh, member, fresh=True), 409, message, refused.files)
    flash(_("%(name)s has left; %(count)s customer files were handed over in commit "
            "%(commit)s.", name=member.get("name") or username, count=len(done.moved),
            commit=(done.commit or "")[:10]), "success")
    return redirect(url_for("admin.member", username=username))
