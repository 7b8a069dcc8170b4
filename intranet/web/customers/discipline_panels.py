"""Completeness, the two-contacts warning and the sales-power table on the customer page,
and the scoring form (R4, R16, R19, R30, R31); the ranked prospects are prospect_views."""

from __future__ import annotations

from typing import Any

from flask import redirect, url_for
from flask_login import current_user, login_required

from ... import services
from ...actions import sales_power as power_action
from ...records.conduct import two_contacts
from ...records.conduct.discipline import staffing_gap
from ...records.files.completeness import completeness
from ...records.files.customers import Loaded
from ...records.rulebook.policy import Policy
from ...records.sales import sales_power
from ..clock import today
from ..panels import customer_panel
from . import reading
from .blueprint import bp
from .labels import field_label
from .sales_power_forms import SalesPowerForm
from .saving import flash_write, form_errors


@customer_panel("customers/_completeness.html", order=5, slot="top")
def completeness_panel(loaded: Loaded, _user: Any) -> dict[str, Any] | None:
    """How complete the file is for its card, and what is missing (R4, R19)."""
    done = completeness(loaded.record or {}, reading.rules().policy)
    if not done.counted:
        return None
    return {"percent": done.percent, "missing": [field_label(p) for p in done.missing]}


@customer_panel("customers/_two_contacts.html", order=8, slot="top")
def two_contacts_panel(loaded: Loaded, _user: Any) -> dict[str, Any] | None:
    """Warn while an important or promising customer has too few staff in contact (R31)."""
    policy = reading.rules().policy
    record = loaded.record or {}
    gap = staffing_gap(record, policy, sales_power.score(record, policy))
    quiet = _quiet_contacts(record, policy)
    if gap is None and not quiet:
        return None
    return {"gap": gap, "names": [reading.staff_name(s) for s in gap.staff] if gap else [],
            "quiet": [reading.staff_name(s) for s in quiet],
            "report_days": policy.two_contacts.get("report_days")}


def _quiet_contacts(record: dict[str, Any], policy: Policy) -> tuple[str, ...]:
    """Return the staff in contact with an important customer who filed no report lately."""
    reasons = two_contacts.reasons(record, policy, sales_power.score(record, policy))
    if not reasons:
        return ()
    custody = record.get("custody") if isinstance(record.get("custody"), dict) else {}
    contacts = [c for c in custody.get("contacts") or [] if isinstance(c, str)]
    last: dict[str, str] = {}
    for _position, staff, day in two_contacts.contact_log(record):
        last[staff] = max(last.get(staff, ""), day)
    row = {"customer": "", "reasons": " ".join(reasons), "owner": custody.get("owner") or "",
           "contacts": " ".join(contacts)}
    found = two_contacts.shortfall(row, last, policy, today())
    return found.quiet if found else ()


@customer_panel("customers/_sales_power.html", order=60, slot="main")
def sales_power_panel(loaded: Loaded, user: Any) -> dict[str, Any] | None:
    """The sales-power table (R16), with the scoring form for those who may edit."""
    policy = reading.rules().policy
    analysis = sales_power.analyse(loaded.record or {}, policy)
    form = None
    if reading.may(loaded.id, user, "edit"):
        scores = sales_power.scores_of(loaded.record or {})
        form = SalesPowerForm.for_policy(policy, formdata=None, data={
            "notes": analysis.notes,
            **{f"score_{k}": v for k, v in scores.items() if isinstance(v, int)}})
    return {"analysis": analysis, "form": form, "customer": loaded.id,
            "assessed_by": reading.staff_name(analysis.assessed_by)}


@bp.post("/<customer_id>/sales-power")
@login_required
def save_sales_power(customer_id: str):
    """Save a sales-power assessment as one commit (scores checked against the policy)."""
    reading.allow(customer_id, current_user, "edit")
    form = SalesPowerForm.for_policy(reading.rules().policy)
    target = url_for(".show", customer_id=customer_id, _anchor="sales-power")
    if form_errors(form):
        flash_write(lambda: power_action.assess(
            services.get().files, str(current_user.username), customer_id, form.scores(),
            form.notes.data or "", today()))
    return redirect(target)
