"""Departures (R32): HR's list of leavers and hand-over steps, a leaver's last weeks of reads,
the home panel of open and overdue hand-over steps, and the "customer told" form's POST.

File ids, names and dates only, never contents (R36); the form calls
``actions.handover_steps``, which checks the right where the change is saved.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from ...actions import ActionError, Forbidden
from ...actions.handover_steps import record_customer_told
from ...archive.errors import NotFound
from ...index import followups
from ...records.conduct import departures, handover_steps
from ...records.conduct.discipline import as_date
from ..clock import company_zone, today
from ..customers.reading import actor, department_name, rules
from ..panels import home_panel
from .blueprint import bp
from .views import _entries, _name, hr_required


@bp.get("/hr/departures")
@hr_required
def departures_page() -> str:
    """List who left, with their watched reads, and every hand-over with a step still to do."""
    r, day = rules(), today()
    gone = departures.leavers(r.directory)
    # One pass over the journal, not one per leaver.
    theirs: dict[str, list[dict[str, Any]]] = {str(m["username"]): [] for m in gone}
    for entry in _entries():
        if entry.get("user") in theirs:
            theirs[entry["user"]].append(entry)
    people = [{"member": m, "reads": len(departures.last_weeks(
        theirs[str(m["username"])], str(m["username"]), as_date(m["left_on"]), r.policy,
        company_zone()))} for m in gone]
    steps = _with_due(followups.handover_steps(services.get().index), day)
    return render_template("hr/departures.html", people=people, steps=steps, names=_name,
                           department_name=department_name,
                           watch_days=r.policy.data["departures"]["watch_days"])


@bp.get("/hr/departures/<username>")
@hr_required
def leaver_page(username: str) -> str:
    """List a leaver's reads and exports of their last weeks (file ids only)."""
    r = rules()
    member = r.directory.member(username)
    left = as_date((member or {}).get("left_on"))
    if member is None or left is None:
        abort(404)
    reads = departures.last_weeks(_entries(), username, left, r.policy, company_zone())
    names = {row["customer"]: (services.get().index.get(row["customer"]) or {}).get("name", "")
             for row in reads}
    return render_template("hr/leaver.html", member=member, left_on=left, reads=reads,
                           start=departures.watch_start(left, r.policy), file_names=names,
                           steps=_with_due(followups.handover_steps(
                               services.get().index, open_only=False, leaver=username),
                               today()), names=_name)


def _with_due(rows: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """Add each step's deadlines and late steps to hand-over rows."""
    policy = rules().policy
    return [{**row, "due": handover_steps.due(row["handed_on"], policy),
             "late": handover_steps.overdue(row, policy, day)} for row in rows]


@home_panel("main/_handover_steps.html", order=17)
def handover_panel(user: Any) -> dict[str, Any] | None:
    """Hand-overs I must finish (successor), and overdue ones in my charge (R32)."""
    r, day, me = rules(), today(), str(user.username)
    role = r.directory.role(me)
    escalate = role in (r.policy.data["departures"].get("escalate_roles") or [])
    managed = {str(d.get("id")) for d in r.directory.departments if d.get("manager") == me}
    rows = _with_due(followups.handover_steps(services.get().index), day)
    mine = [row for row in rows if row["successor"] == me]
    watched = [row for row in rows if row["late"] and row["successor"] != me
               and (escalate or row["department"] in managed)]
    if not mine and not watched:
        return None
    return {"mine": mine, "watched": watched, "names": _name, "today": day.isoformat()}


@bp.post("/handover-steps/<customer_id>/<int:position>/told")
@login_required
def customer_told(customer_id: str, position: int):
    """Note that the customer of a hand-over was told (by the successor or a manager)."""
    told_on = as_date(request.form.get("told_on", ""))
    if told_on is None:
        flash(_("Enter the day the customer was told."), "danger")
        return redirect(url_for("main.home"))
    try:
        record_customer_told(services.get().files, actor(current_user), customer_id, position,
                             told_on, today(), str(request.form.get("told_by") or ""))
    except Forbidden:
        abort(403)
    except NotFound:
        abort(404)
    except ActionError as error:
        flash(_(error.message) % error.params if error.params else _(error.message), "danger")
        return redirect(url_for("main.home"))
    flash(_("Noted: %(customer)s was told on %(day)s.", customer=customer_id,
            day=told_on.isoformat()), "success")
    return redirect(url_for("main.home"))
