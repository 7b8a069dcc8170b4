"""A customer's page, a new file, and the edit form (with conflicts answered as 409)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from ...records import schema
from ...records.customers import InvalidRecord, Loaded
from ...records.schema import N_
from ...records.validate import FieldError
from .. import panels
from . import bp, present, reading
from .editing import Edit, blank
from .labels import CARDS


def _damaged(loaded: Loaded) -> str:
    """Render the page of a file that does not parse or validate (200: it is not our error)."""
    return render_template("customers/damaged.html", loaded=loaded,
                           row=reading.row(loaded.id, current_user),
                           may_edit=reading.may(loaded.id, current_user, "edit"))


@bp.get("/<customer_id>")
@login_required
def show(customer_id: str):
    """Show a customer file as a card."""
    loaded = reading.load(customer_id, current_user, "view")
    if loaded.damaged or loaded.record is None:
        return _damaged(loaded)
    record = loaded.record
    return render_template("customers/show.html", loaded=loaded, record=record,
                           row=reading.row(customer_id, current_user),
                           sections=present.sections(record),
                           tables=present.tables(record, panels.covered()),
                           panels=panels.build(panels.CUSTOMER, loaded, current_user),
                           policy=reading.rules().policy,
                           may_edit=reading.may(customer_id, current_user, "edit"))


@bp.get("/<customer_id>/request")
@login_required
def request_access(customer_id: str):
    """Go to the access request form for a file (the same answer whether it exists or not)."""
    return redirect(url_for("access.new", customer=customer_id))


def _guard_custody(customer_id: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Refuse a change of level or custodian by someone the policy does not allow."""
    if reading.may_change_custody(customer_id, current_user):
        return
    message = N_("Only the custodian or the administrator may change this")
    pairs = zip(("custody.level", "custody.owner"), reading.custody_of(before),
                reading.custody_of(after), strict=True)
    errors = [FieldError(path, message, {}) for path, old, new in pairs if old != new]
    if errors:
        raise InvalidRecord(errors)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Choose a card (R9), then open a new customer file on it."""
    if not reading.may_create(current_user):
        abort(403)
    card = request.args.get("card", "")
    if card not in schema.CARDS:
        return render_template("customers/choose_card.html", cards=CARDS)
    edit = Edit(blank(card))
    if edit.submitted():
        done, created = edit.attempt(
            lambda record: services.get().files.create(record, current_user.username,
                                                       source=edit.source))
        if done:
            flash(_("Customer file %(id)s created.", id=created[0]), "success")
            return redirect(url_for(".show", customer_id=created[0]))
    return edit.render(title=_("New customer"), action=url_for(".new", card=card))


@bp.route("/<customer_id>/edit", methods=["GET", "POST"])
@login_required
def edit(customer_id: str):
    """Edit a file; a stale form is merged, a collision asks which value to keep."""
    loaded = reading.load(customer_id, current_user, "edit", request.form.get("base") or None)
    if loaded.record is None:
        return _damaged(loaded)
    edit = Edit(loaded.record, loaded.commit, customer_id)

    def save(record: dict[str, Any]) -> str | None:
        """Write the record unless it changes custody without the right to."""
        _guard_custody(customer_id, loaded.record or {}, record)
        return services.get().files.save(customer_id, record, loaded.commit,
                                         current_user.username, source=edit.source)

    if edit.submitted():
        done, commit = edit.attempt(save)
        if done:
            flash(_("Saved.") if commit else _("Nothing changed."), "success" if commit else "info")
            return redirect(url_for(".show", customer_id=customer_id))
    return edit.render(title=_("Edit %(id)s", id=customer_id), loaded=loaded,
                       action=url_for(".edit", customer_id=customer_id))
