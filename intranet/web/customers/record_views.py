"""A customer's page, a new file, and the edit form (with conflicts answered as 409)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from ...records import schema
from ...records.customers import Loaded
from . import bp, present, reading
from .editing import Edit, blank
from .labels import CARDS


def _damaged(loaded: Loaded) -> str:
    """Render the page of a file that does not parse or validate (200: it is not our error)."""
    return render_template("customers/damaged.html", loaded=loaded, row=reading.row(loaded.id))


@bp.get("/<customer_id>")
@login_required
def show(customer_id: str):
    """Show a customer file as a card."""
    loaded = reading.load(customer_id)
    if loaded.damaged or loaded.record is None:
        return _damaged(loaded)
    record = loaded.record
    return render_template("customers/show.html", loaded=loaded, record=record,
                           row=reading.row(customer_id), sections=present.sections(record),
                           tables=present.tables(record), policy=reading.rules().policy)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Choose a card (R9), then open a new customer file on it."""
    card = request.args.get("card", "")
    if card not in schema.CARDS:
        return render_template("customers/choose_card.html", cards=CARDS)
    edit = Edit(blank(card))
    if edit.submitted():
        done, created = edit.attempt(
            lambda record: services.get().files.create(record, current_user.username))
        if done:
            flash(_("Customer file %(id)s created.", id=created[0]), "success")
            return redirect(url_for(".show", customer_id=created[0]))
    return edit.render(title=_("New customer"), action=url_for(".new", card=card))


@bp.route("/<customer_id>/edit", methods=["GET", "POST"])
@login_required
def edit(customer_id: str):
    """Edit a file; a stale form is merged, a collision asks which value to keep."""
    loaded = reading.load(customer_id, request.form.get("base") or None)
    if loaded.record is None:
        return _damaged(loaded)
    edit = Edit(loaded.record, loaded.commit, customer_id)
    if edit.submitted():
        done, commit = edit.attempt(lambda record: services.get().files.save(
            customer_id, record, loaded.commit, current_user.username))
        if done:
            flash(_("Saved.") if commit else _("Nothing changed."), "success" if commit else "info")
            return redirect(url_for(".show", customer_id=customer_id))
    return edit.render(title=_("Edit %(id)s", id=customer_id), loaded=loaded,
                       action=url_for(".edit", customer_id=customer_id))
