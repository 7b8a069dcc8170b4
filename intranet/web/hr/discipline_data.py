"""The month's late records and neglect fines as HR's and a manager's pages need them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, flash
from flask_babel import gettext as _

from ... import services
from ...actions import sharing as sharing_action
from ...archive.errors import CorruptRecord
from ...index import discipline as listing
from ...records.conduct import discipline
from ...records.rights import requests
from ...records.rulebook.zone import company_zone
from ...records.trail import sharing
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
    zone = company_zone(r.policy)
    neglect = listing.neglect_runs(index, day, r.policy.incomplete_file_days, since=start,
                                   zone=zone)
    return discipline.month_people(late, neglect, month, day, r.policy, r.directory, scope,
                                   listing.handovers(index, zone))


def unapproved_reads(month: str) -> list[dict[str, Any]]:
    """Return the month's unapproved reads, each fined ``fines.unapproved_view`` (R35).

    THE one place the HR pages get them: break-glass reads refused or not approved through
    their chain within the policy's deadline (``requests.unapproved_reads``), in the month
    their deadline fell.
    """
    found = requests.unapproved_reads(services.get().archive.snapshot(), rules())
    return [read for read in found if read["month"] == month]


def sharing_cases(month: str) -> list[dict[str, Any]]:
    """Return HR's decided shared-account cases of a month (R35); warn if the file is bad."""
    try:
        return sharing_action.month_cases(services.get().archive.snapshot(), month)
    except CorruptRecord as error:
        # A hand-pushed file that does not load must not take HR's pages down with it.
        current_app.logger.error("bad shared-account decisions: %s", error)
        flash(_("The decisions file %(path)s cannot be read; its cases are not counted.",
                path=sharing.sharing_path(month)), "danger")
        return []


def scope_of(user: Any) -> discipline.Scope:
    """Return whose lists the user may see."""
    r = rules()
    return discipline.report_scope(actor(user), r.policy, r.directory)
