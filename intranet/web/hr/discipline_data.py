"""The month's late records and neglect fines as HR's and a manager's pages need them."""

from __future__ import annotations

from datetime import date
from typing import Any

from ... import services
from ...index import discipline as listing
from ...records import discipline
from ..clock import today
from ..customers.reading import actor, rules


def month_lists(month: str, scope: discipline.Scope | None,
                day: date | None = None) -> list[discipline.Person]:
    """Return the people (within ``scope``) with late records or neglect fines in a month."""
    day = day or today()
    r = rules()
    start, end = discipline.month_bounds(month)
    index = services.get().index
    late = listing.late_contacts(index, start, min(end, day))
    neglect = listing.neglect_runs(index, day, r.policy.incomplete_file_days, since=start)
    return discipline.month_people(late, neglect, month, day, r.policy, r.directory, scope)


def scope_of(user: Any) -> discipline.Scope:
    """Return whose lists the user may see."""
    r = rules()
    return discipline.report_scope(actor(user), r.policy, r.directory)
