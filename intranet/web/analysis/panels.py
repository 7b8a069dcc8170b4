"""The management dashboard on the home page: customers by grade and the sales trend.

Shown to the roles that see figures of more than their own files: the policy's analysis
roles (company-wide) and department managers (their department). Both are aggregates from
the index (no file's figure shown), so nothing is journalled.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _

from ...actions import analysis as actions
from ..clock import today
from ..customers.figures import money
from ..customers.reading import actor, reader, rules
from ..panels import home_panel
from . import chart


def _management(user: Any) -> bool:
    """Tell whether the user gets the dashboard: company-wide or department analysis roles."""
    policy = rules().policy
    role = str(user.role or "")
    return role in policy.analysis_company_roles or (
        role in policy.analysis_department_roles and bool(user.department))


@home_panel("analysis/_grades_panel.html", order=5)
def customers_by_grade(user: Any) -> dict[str, Any] | None:
    """How many customers of each grade (incl. ungraded), linking to the customer list."""
    if not _management(user):
        return None
    counts = actions.grade_counts(reader(), actor(user))
    if not counts:
        return None
    rows = [{"grade": g, "label": g or _("Ungraded"), "count": n,
             "link": url_for("customers.index", grade=g) if g else None} for g, n in counts]
    return {"rows": rows, "total": sum(n for _g, n in counts)}


@home_panel("analysis/_trend_panel.html", order=6)
def sales_trend(user: Any) -> dict[str, Any] | None:
    """Total sales per year over the last five full years, a small chart."""
    if not _management(user):
        return None
    last = actions.last_full_year(today())
    years = actions.trend(reader(), actor(user), last)
    if not any(amount for _y, amount in years):
        return None
    items = [{"label": str(y), "amount": a, "value": money(a)} for y, a in years]
    return {"rows": items, "chart": chart.columns(items), "year": last}
