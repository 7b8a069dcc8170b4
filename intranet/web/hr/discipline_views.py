"""Late contact records and neglected files (R18–R20): HR's and a manager's lists, and each
person's own "overdue" section on the home page. File ids, names, dates and counts only (R36).
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from flask_babel import gettext
from flask_login import current_user, login_required

from ... import services
from ...index import discipline as listing
from ...records.conduct import discipline, liable
from ...records.rulebook.staff import role_label
from ...records.rulebook.zone import company_zone
from ..clock import today
from ..customers.reading import rules
from ..customers.sales_power_due import overdue_in_scope
from ..panels import home_panel
from .blueprint import bp
from .discipline_data import month_lists, scope_of
from .views import _month, _name


@bp.app_context_processor
def _nav() -> dict:
    """Give every template ``may_see_discipline()`` (for the nav link)."""

    def may_see_discipline() -> bool:
        return bool(current_user.is_authenticated) and bool(scope_of(current_user))

    def late_role_name(role: str) -> str:
        return gettext(role_label(role, zh=False)) if role else "—"

    return {"may_see_discipline": may_see_discipline, "late_role_name": late_role_name}


def _department_name(department: str) -> str:
    found = rules().directory.department(department) if department else None
    return str((found or {}).get("name") or department or "—")


@bp.get("/discipline")
@login_required
def discipline_page() -> str:
    """Show late records and neglected files per person and department, within one's scope."""
    scope = scope_of(current_user)
    if not scope:
        abort(403)
    month = _month()
    people = month_lists(month, scope)
    policy = rules().policy
    return render_template("hr/discipline.html", month=month, people=people,
                           departments=discipline.by_department(people), names=_name,
                           department_name=_department_name, policy=policy,
                           everyone=scope.everyone, unscored=overdue_in_scope(scope))


@home_panel("main/_overdue.html", order=15)
def overdue(user: Any) -> dict[str, Any] | None:
    """What is overdue for me: my late records this month, my neglected files (R18, R19)."""
    me, day, policy = str(user.username), today(), rules().policy
    index = services.get().index
    late = listing.late_contacts(index, day.replace(day=1), day, staff=me)
    days = policy.incomplete_file_days
    zone, directory = company_zone(policy), rules().directory
    handed = listing.handovers(index, zone)
    neglected = []
    for row in listing.neglect_runs(index, day, days, owner=me, open_only=True, zone=zone):
        # R20: the days due, less those the hand-over grace or my role keep from a fine.
        # The days due in my part of the stretch only (it may have been someone else's).
        judged = liable.judge_neglect(me, discipline.due_between(
            row["last_change"], row["since"], day, days),
            handed.get(row["customer"], []), policy, directory)
        neglected.append({**row, "fines": len(judged["fined"]), "no_fine": judged["no_fine"],
                          "overdue": discipline.overdue_days(row["last_change"], day, days)})
    neglected.sort(key=lambda row: -row["overdue"])
    may_see_lists = bool(scope_of(user))
    if not late and not neglected and not may_see_lists:
        return None
    # R20: a role the policy does not fine sees its lists with "no fine".
    fined = liable.role_exemption(me, policy, directory) is None
    return {"late": late, "neglected": neglected, "fined": fined,
            "fine": policy.fine("late_update") if fined else 0,
            "currency": policy.currency, "lists": may_see_lists, "days": days}
