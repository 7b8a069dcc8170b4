"""The staff side of the customer's form (R10): links, reviewing proposals, the paper form.

These routes live on the customers blueprint (``/customers/…``), so a refused or missing file
answers with its one refusal page. Making or revoking a link and reviewing a proposal need the
right to edit the file; the blank paper form holds nothing of any file.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from ...actions import customer_form as form_actions
from ...actions.rights import refuse_custody_fields
from ...records.files import customer_form
from ...records.files.customers import InvalidRecord, Loaded
from ..clock import today
from ..customers import reading
from ..customers.blueprint import bp
from ..customers.labels import field_label
from ..panels import customer_panel
from .blueprint import links, now
from .forms import LinkForm, ReviewForm, RevokeForm


def _editable(customer_id: str) -> Loaded:
    """Return the file for someone who may edit it; Hidden (403) for anyone else."""
    loaded = reading.load(customer_id, current_user, "edit")
    if loaded.record is None:
        abort(409)  # a damaged file takes no proposals until it is repaired
    return loaded


@bp.get("/<customer_id>/form-links")
@login_required
def form_links(customer_id: str):
    """List a file's links to the customer's form with their state; make or revoke one."""
    loaded = _editable(customer_id)
    return render_template("customer_form/links.html", loaded=loaded, now=now(),
                           links=links().of_customer(customer_id), form=LinkForm(),
                           revoke=RevokeForm(), days=reading.rules().policy.customer_form_days)


@bp.post("/<customer_id>/form-links")
@login_required
def new_form_link(customer_id: str):
    """Make a link and show it this once: only its hash is kept."""
    loaded = _editable(customer_id)
    if not LinkForm().validate_on_submit():
        abort(400)
    token, link = links().create(customer_id, current_user.username, now(),
                                 reading.rules().policy.customer_form_days)
    url = url_for("customer_form.fill", token=token, _external=True)
    return render_template("customer_form/link_made.html", loaded=loaded, link=link, url=url)


@bp.post("/<customer_id>/form-links/<link_id>/revoke")
@login_required
def revoke_form_link(customer_id: str, link_id: str):
    """Revoke an open link, so nobody can use it any more."""
    _editable(customer_id)
    if not RevokeForm().validate_on_submit():
        abort(400)
    if links().revoke(customer_id, link_id, current_user.username, now()):
        flash(_("The link was revoked."), "success")
    else:
        flash(_("That link was not open any more."), "warning")
    return redirect(url_for(".form_links", customer_id=customer_id))


@bp.route("/<customer_id>/proposals/<proposal_id>", methods=["GET", "POST"])
@login_required
def review_proposal(customer_id: str, proposal_id: str):
    """Show a proposal field by field beside the file; commit the accepted fields."""
    loaded = _editable(customer_id)
    if request.method == "POST":
        refuse_custody_fields(request.form)  # a review never changes custody
    proposal = customer_form.find(loaded.record or {}, proposal_id)
    if proposal is None:
        abort(404)
    form, errors = ReviewForm(), {}
    decisions = _decisions(form, proposal)
    if proposal.get("status") == customer_form.PENDING and form.validate_on_submit():
        try:
            if _review(customer_id, proposal_id, decisions):
                flash(_("The decisions were saved."), "success")
            else:
                flash(_("This proposal was reviewed already."), "warning")
            return redirect(url_for(".show", customer_id=customer_id))
        except InvalidRecord as exc:
            errors = _errors(exc)
    then = customer_form.submitted_record(services.get().files, customer_id, proposal_id)
    return render_template("customer_form/review.html", loaded=loaded, proposal=proposal,
                           rows=customer_form.rows(loaded.record or {}, proposal, then),
                           decisions=decisions, errors=errors, form=form,
                           label=field_label)


def _decisions(form: ReviewForm, proposal: dict[str, Any]) -> dict[str, str]:
    """Return the decision asked for each proposed path (all alike for accept/reject all)."""
    paths = [str(item.get("path") or "") for item in proposal.get("fields") or []]
    if request.method != "POST":
        return {p: str(item.get("decision") or "") for p, item in
                zip(paths, proposal.get("fields") or [], strict=True)}
    if form.accept_all.data or form.reject_all.data:
        everything = customer_form.ACCEPTED if form.accept_all.data else customer_form.REJECTED
        return dict.fromkeys(paths, everything)
    return {p: request.form.get(f"decision-{i}", "") for i, p in enumerate(paths)}


def _review(customer_id: str, proposal_id: str, decisions: dict[str, str]) -> bool:
    """Commit the review as one change by the reviewer; False if it was reviewed already."""
    return form_actions.review(services.get().files, current_user.username, customer_id,
                               proposal_id, decisions, today())


def _errors(exc: InvalidRecord) -> dict[str, list[str]]:
    """Return the record's errors by path, translated; "" collects the rest."""
    found: dict[str, list[str]] = {}
    for error in exc.errors:
        text = _(error.message).format(**error.params)
        found.setdefault(error.path, []).append(text)
    return found


@bp.get("/form/blank")
@login_required
def blank_form():
    """A blank copy of the customer's form to print and hand over on paper."""
    paths = customer_form.form_fields(reading.rules().policy)
    return render_template("customer_form/blank.html", paths=paths, label=field_label,
                           company=current_app.config.get("COMPANY_NAME") or "")


@customer_panel("customer_form/_panel.html", order=5, slot="top", covers=("proposals",))
def proposals_panel(loaded: Loaded, user: Any) -> dict[str, Any] | None:
    """Pending proposals at the top of the page; the links page for those who may edit."""
    record = loaded.record or {}
    proposals = [p for p in record.get("proposals") or [] if isinstance(p, dict)]
    may_edit = reading.may(loaded.id, user, "edit")
    if not proposals and not may_edit:
        return None
    return {"pending": customer_form.pending(record), "may_edit": may_edit,
            "reviewed": [p for p in proposals if p.get("status") != customer_form.PENDING]}
