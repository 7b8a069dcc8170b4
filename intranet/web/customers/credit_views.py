"""The credit box on the customer page (R28), its receivables form and approval, and the
history of the file's credit from git."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, DecimalField, StringField, SubmitField
from wtforms.validators import DataRequired, NumberRange, Optional

from ... import services
from ...actions import ActionError, Forbidden
from ...actions import credit as credit_actions
from ...actions.credit_history import history as credit_history
from ...records.files.customers import Loaded
from ...records.sales.credit_review import REASONS, position
from ..clock import today
from ..panels import customer_panel
from ..validators import at_most
from . import reading
from .blueprint import bp
from .labels import field_label
from .saving import flash_write, form_errors


class ReceivablesForm(FlaskForm):
    """Open receivables as accounting reported them: amount, oldest due date, as of."""

    amount = DecimalField(_l("Amount owed"), places=None,
                          validators=[Optional(), NumberRange(min=0)])
    oldest_due = DateField(_l("Oldest due date"), validators=[Optional()])
    as_of = DateField(_l("As of"), validators=[Optional()])
    notes = StringField(_l("Notes"), validators=[at_most(500)])
    submit = SubmitField(_l("Save the receivables"))


class ApprovalForm(FlaskForm):
    """An approver's approval of a file's credit exception, with the reason (R28)."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), at_most(300)])
    submit = SubmitField(_l("Approve this exception"))


@customer_panel("customers/_credit.html", order=9, slot="top")
def credit_panel(loaded: Loaded, user: Any) -> dict[str, Any] | None:
    """The file's credit against its grade, its receivables and warnings, and the forms."""
    record = loaded.record or {}
    rules = reading.rules()
    held = position(record, rules.policy, today())
    owed = record.get("receivables") if isinstance(record.get("receivables"), dict) else {}
    form = None
    if reading.may(loaded.id, user, "edit"):
        form = ReceivablesForm(formdata=None, data={
            "amount": owed.get("amount"), "notes": owed.get("notes") or "",
            "oldest_due": _day(owed.get("oldest_due")), "as_of": _day(owed.get("as_of"))})
    approval = None
    if held.standing.exception and credit_actions.may_approve(rules, str(user.username)) \
            and reading.may(loaded.id, user, "figures"):
        approval = ApprovalForm(formdata=None)
    if form is None and not (held.standing.grade or held.standing.limit is not None
                             or held.owed or held.standing.terms):
        return None  # nothing to show and nothing this user may enter
    return {"p": held, "customer": loaded.id, "form": form, "approval": approval,
            "reasons": REASONS, "mode": rules.policy.credit_exception_mode,
            "approvers": credit_actions.approver_names(rules), "names": reading.staff_name,
            "problems": (record.get("credit") or {}).get("problems") or ""}


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _back(customer_id: str) -> Response:
    return redirect(url_for(".show", customer_id=customer_id, _anchor="credit"))


@bp.post("/<customer_id>/receivables")
@login_required
def save_receivables(customer_id: str) -> Response:
    """Save the open receivables typed on the card as one commit."""
    reading.allow(customer_id, current_user, "edit")
    form = ReceivablesForm()
    if not form_errors(form):
        return _back(customer_id)
    owed = {"amount": _number(form.amount.data),
            "oldest_due": form.oldest_due.data.isoformat() if form.oldest_due.data else "",
            "as_of": form.as_of.data.isoformat() if form.as_of.data else "",
            "notes": (form.notes.data or "").strip()}
    flash_write(lambda: credit_actions.enter_receivables(
        services.get().files, str(current_user.username), customer_id, owed))
    return _back(customer_id)


def _number(value: Any) -> int | float | None:
    """Return a form's decimal as an int when whole (YAML keeps 120000, not 120000.0)."""
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


@bp.post("/<customer_id>/credit-approval")
@login_required
def approve_credit(customer_id: str) -> Response:
    """Record the signed-in approver's approval of the file's credit exception."""
    reading.allow(customer_id, current_user, "figures")
    form = ApprovalForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for the approval."), "danger")
        return _back(customer_id)
    try:
        credit_actions.approve(services.get().files, str(current_user.username), customer_id,
                               form.reason.data or "")
    except Forbidden:
        raise
    except ActionError as error:
        flash(_(error.message, **error.params), "danger")
        return _back(customer_id)
    flash(_("The credit exception is approved."), "success")
    return _back(customer_id)


@bp.get("/<customer_id>/credit-history")
@login_required
def credit_history_page(customer_id: str) -> str:
    """Show every version that changed the file's credit or receivables."""
    entries = credit_history(reading.reader(), reading.actor(current_user), customer_id)
    row = reading.row(customer_id, current_user, "history")
    return render_template("customers/credit_history.html", customer_id=customer_id,
                           entries=entries, row=row, label=field_label,
                           names=reading.staff_name)
