"""Management's "Overdue updates" (R16, R18–R20): a home-page panel of counts and the page of
the files behind them, for the analysis roles (company-wide or their own department)."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from flask_login import current_user, login_required

from ... import services
from ...index import discipline as listing
from ...index.memo import per_commit
from ...records.conduct import discipline, overdue_updates, sales_power_due
from ...records.rulebook.zone import company_zone
from ..clock import today
from ..panels import home_panel
from . import reading
from .blueprint import bp


def overdue_lists(user: Any) -> dict[str, Any] | None:
    """Return the neglected files, this month's late records and files past the sales-power
    deadline within the user's management scope, or None when they oversee nothing."""
    r = reading.rules()
    scope = overdue_updates.management_scope(reading.actor(user), r.policy, r.directory)
    if not scope:
        return None
    index, day, zone = services.get().index, today(), company_zone(r.policy)
    days = r.policy.incomplete_file_days

    def company() -> tuple[dict[str, str], list, list, list]:
        neglected = [{**row, "overdue": discipline.overdue_days(row["last_change"], day, days)}
                     for row in listing.neglect_runs(index, day, days, open_only=True,
                                                     zone=zone)]
        neglected.sort(key=lambda row: -row["overdue"])
        return (listing.departments(index), neglected,
                listing.late_contacts(index, day.replace(day=1), day),
                sales_power_due.tasks(listing.unscored(index, zone), day, r.policy,
                                      overdue_only=True))

    # The whole company's lists change only with the archive (policy included) or the day;
    # each viewer then takes their departments' share of them.
    departments, neglected, late, unscored = per_commit(index, ("overdue_updates", day),
                                                        company)
    return {"neglected": overdue_updates.in_scope(neglected, departments, scope),
            "late": overdue_updates.in_scope(late, departments, scope),
            "unscored": overdue_updates.in_scope(unscored, departments, scope),
            "everyone": scope.everyone, "month": day.strftime("%Y-%m"), "days": days,
            "deadline": r.policy.sales_power_deadline_days}


@home_panel("main/_overdue_updates.html", order=8)
def overdue_panel(user: Any) -> dict[str, Any] | None:
    """Counts of the overdue updates management oversees, each linking to its list."""
    found = overdue_lists(user)
    if found is None:
        return None
    return {"neglected": len({row["customer"] for row in found["neglected"]}),
            "late": len(found["late"]), "unscored": len(found["unscored"]),
            "everyone": found["everyone"]}


@bp.get("/overdue-updates")
@login_required
def overdue_page() -> str:
    """List the files behind the dashboard's overdue counts (names, custodians, dates)."""
    found = overdue_lists(current_user)
    if found is None:
        abort(403)
    return render_template("customers/overdue_updates.html", **found,
                           staff_name=reading.staff_name)
