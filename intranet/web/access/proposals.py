"""The policy proposal pages (R3): the general manager sees the change and decides.

They live outside ``/admin`` (the administrator's pages) because the general manager, who is
not the administrator, decides here; the rights are checked again in ``actions.policy``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField

from ... import services
from ...actions import ActionError, Forbidden
from ...actions import policy as policy_actions
from ...records.rulebook import proposals
from ...records.rulebook.rules import load_rules
from ..customers import reading
from ..panels import home_panel
from ..validators import at_most
from .blueprint import bp


class DecideForm(FlaskForm):
    """Approve or refuse a policy proposal, with a comment."""

    comment = TextAreaField(_l("Comment"), validators=[at_most(proposals.MAX_REASON)])
    approve = SubmitField(_l("Approve"))
    refuse = SubmitField(_l("Refuse"))


def _visible(proposal_id: str) -> dict[str, Any]:
    """Return a proposal the administrator or an approver may see; 404 for anyone else."""
    snapshot = services.get().archive.snapshot()
    rules, me = load_rules(snapshot), str(current_user.username)
    proposal = proposals.get(snapshot, proposal_id)
    if proposal is None or not (policy_actions.may_decide(rules, me)
                                or policy_actions.may_propose(rules, me)):
        abort(404)
    return proposal


@bp.get("/policy/proposals/<proposal_id>")
@login_required
def proposal(proposal_id: str):
    """A proposal, its change against the policy in force, and the decision form."""
    found = _visible(proposal_id)
    snapshot = services.get().archive.snapshot()
    return render_template(
        "access/proposal.html", p=found, diff=proposals.diff(snapshot, found),
        stale=proposals.is_stale(snapshot, found), form=DecideForm(),
        staff_name=reading.staff_name,
        may_decide=policy_actions.may_decide(load_rules(snapshot), str(current_user.username))
        and found.get("proposer") != current_user.username)


@bp.post("/policy/proposals/<proposal_id>/decide")
@login_required
def decide_proposal(proposal_id: str):
    """Approve or refuse a waiting proposal (the general manager only)."""
    form = DecideForm()
    if not form.validate_on_submit():
        abort(400)
    archive, me = services.get().archive, str(current_user.username)
    try:
        if form.approve.data:
            result = policy_actions.approve(archive, me, proposal_id, form.comment.data or "")
        else:
            result = policy_actions.refuse(archive, me, proposal_id, form.comment.data or "")
    except Forbidden:
        abort(403)
    except ActionError as error:
        flash(_(error.message, **error.params), "danger")
    else:
        message = {proposals.APPROVED: _("Approved: the new policy is in force."),
                   proposals.REFUSED: _("Proposal refused."),
                   proposals.STALE: _("The policy changed since this was proposed: the "
                                      "proposal is refused. Propose again.")}
        flash(message.get(str(result.get("status")), ""),
              "warning" if result.get("status") == proposals.STALE else "success")
    return redirect(url_for("access.proposal", proposal_id=proposal_id))


@home_panel("access/_proposals_panel.html", order=25)
def proposals_to_decide(user: Any) -> dict[str, Any] | None:
    """Policy proposals waiting for my approval (the general manager's home page)."""
    snapshot = services.get().archive.snapshot()
    if not policy_actions.may_decide(load_rules(snapshot), str(user.username)):
        return None
    rows = proposals.waiting(snapshot)
    return {"proposals": rows, "staff_name": reading.staff_name} if rows else None
