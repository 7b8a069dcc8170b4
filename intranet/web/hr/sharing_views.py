"""Signs of a shared account for HR to confirm or dismiss (R35): thin views over the action."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ... import services
from ...actions import ActionError, Forbidden
from ...actions import sharing as sharing_action
from ...records.trail import reports, sharing
from ..clock import company_zone
from ..customers.reading import rules
from .blueprint import bp
from .discipline_data import sharing_cases
from .views import _entries, _month, _name, hr_required


@bp.get("/hr/sharing")
@hr_required
def sharing_page() -> str:
    """List the month's signs of a shared account with HR's decisions."""
    month = _month()
    policy = rules().policy
    signals = sharing.signals(reports.in_month(_entries(), month, company_zone()), policy)
    decided = {c["key"]: c for c in sharing_cases(month)}
    # A decided case stays listed even if its sign no longer shows (e.g. the window changed).
    orphans = [c for key, c in decided.items() if key not in {s.key for s in signals}]
    return render_template(
        "hr/sharing.html", month=month, signals=signals, decided=decided, orphans=orphans,
        names=_name, fine=policy.fine("shared_account"), currency=policy.currency,
        may_decide=sharing_action.may_decide(rules(), str(current_user.username)))


@bp.post("/hr/sharing")
@hr_required
def decide_sharing() -> Response:
    """Confirm or dismiss one sign, with a note; one commit authored by HR."""
    month = request.form.get("month", "")
    try:
        sharing_action.decide(services.get().archive, _entries(), str(current_user.username),
                              request.form.get("key", ""), request.form.get("decision", ""),
                              request.form.get("note", ""))
    except Forbidden:
        abort(403)
    except ActionError as error:
        flash(_(error.message, **error.params), "danger")
    else:
        flash(_("Decision recorded."), "success")
    return redirect(url_for("hr.sharing_page", month=month if reports.is_month(month) else None))
