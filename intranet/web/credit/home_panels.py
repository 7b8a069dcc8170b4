"""The home page's credit sections (R28): my files with credit warnings, and the counts for
management. Both come from the index; one's own files and counts journal nothing (as the
home page's own list of files does not)."""

from __future__ import annotations

from typing import Any

from ...actions import credit_list
from ...records.conduct.overdue_updates import management_scope
from ..clock import today
from ..customers import reading
from ..panels import home_panel

MINE_SHOWN = 10


@home_panel("credit/_my_warnings.html", order=12)
def my_credit_warnings(user: Any) -> dict[str, Any] | None:
    """The files I keep whose receivables are overdue, high or above the limit."""
    found = credit_list.lines(reading.reader(), reading.actor(user), today(),
                              credit_list.WARNINGS, owner=str(user.username))
    if not found:
        return None
    return {"lines": found[:MINE_SHOWN], "total": len(found)}


@home_panel("credit/_dashboard.html", order=7)
def credit_dashboard(user: Any) -> dict[str, Any] | None:
    """Management: how many files are exceptions, unapproved, on review (counts + link)."""
    r = reading.rules()
    oversees = management_scope(reading.actor(user), r.policy, r.directory)
    if not oversees:
        return None
    # Company-wide roles count every file; a department manager the department's.
    scope = "" if oversees.everyone else next(iter(oversees.departments))
    found = credit_list.counts(reading.reader(), reading.actor(user), today(), scope)
    return {**found, "department": scope}
