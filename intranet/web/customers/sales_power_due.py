"""The first sales-power analysis a file is due (R16, ``sales_power.deadline_days``): a notice
on the customer page, the custodian's home-page tasks and the managers' discipline list.

Lists name files, custodians and dates only (R36), never a file's contents.
"""

from __future__ import annotations

from typing import Any

from ... import services
from ...index import discipline as listing
from ...records.conduct import discipline, sales_power_due
from ...records.files.customers import Loaded
from ...records.rulebook.zone import company_zone
from ...records.sales import sales_power
from ..clock import today
from ..panels import customer_panel, home_panel
from . import reading


@customer_panel("customers/_sales_power_due.html", order=9, slot="top")
def due_notice(loaded: Loaded, user: Any) -> dict[str, Any] | None:
    """Ask for the file's first sales-power analysis, by its deadline (R16)."""
    policy = reading.rules().policy
    if loaded.record is None or sales_power.score(loaded.record, policy) is not None:
        return None
    opened = listing.opened_on(services.get().index, loaded.id, company_zone(policy))
    day = today()
    if opened is None:
        opened = day  # just created, not indexed yet: the clock starts today
    return {"due_on": sales_power_due.due_on(opened, policy),
            "overdue": sales_power_due.days_overdue(opened, day, policy),
            "may_edit": reading.may(loaded.id, user, "edit")}


@home_panel("main/_sales_power_due.html", order=22)
def my_unscored(user: Any) -> dict[str, Any] | None:
    """The files I keep that still need their first sales-power analysis (R16)."""
    policy = reading.rules().policy
    rows = listing.unscored(services.get().index, company_zone(policy),
                            owner=str(user.username))
    found = sales_power_due.tasks([r for r in rows if reading.may(r["id"], user, "view")],
                                  today(), policy)
    return {"rows": found, "days": policy.sales_power_deadline_days} if found else None


def overdue_in_scope(scope: discipline.Scope) -> list[dict[str, Any]]:
    """Return the files past their sales-power deadline whose custodian is in the scope."""
    r = reading.rules()
    rows = listing.unscored(services.get().index, company_zone(r.policy))
    found = sales_power_due.tasks(rows, today(), r.policy, overdue_only=True)
    return [row for row in found
            if scope.covers(str((r.directory.member(str(row["owner"])) or {})
                                .get("department") or ""))]
