"""A customer's page, a new file, and the edit form (with conflicts answered as 409)."""

from __future__ import annotations

import copy
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from ...actions import NotAllowed, customers
from ...records.files import schema
from ...records.files.customers import Loaded
from ...records.files.schema import N_
from .. import panels
from . import card_index, duplicate_views, field_changes, figures_views, present, reading
from .blueprint import bp
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
    page = card_index.layout(present.sections(record),
                             present.tables(record, panels.covered()),
                             panels.build(panels.CUSTOMER, loaded, current_user))
    may = {"edit": reading.may(customer_id, current_user, "edit"),
           "history": reading.may(customer_id, current_user, "history"),
           "custody": reading.may_change_custody(customer_id, current_user, record)}
    # Who changed each field: only when asked for, as a history read (R35: journalled).
    changes = field_changes.for_card(customer_id, current_user, loaded) \
        if may["history"] and request.args.get("changes") else None
    return render_template("customers/show.html", loaded=loaded, record=record,
                           row=reading.row(customer_id, current_user), page=page,
                           actions=card_index.actions(customer_id, page, may),
                           policy=reading.rules().policy, may_edit=may["edit"],
                           may_history=may["history"], changes=changes,
                           **figures_views.card_marks(record))


@bp.get("/<customer_id>/request")
@login_required
def request_access(customer_id: str):
    """Go to the access request form for a file (the same answer whether it exists or not)."""
    mode = request.args.get("mode")
    return redirect(url_for("access.new", customer=customer_id,
                            mode=mode if mode in ("read", "edit") else None))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Choose a card (R9), then open a new customer file on it."""
    if not reading.may_create(current_user):
        raise NotAllowed(N_("Your role does not open customer files."),
                         N_("every active member of staff whose role reads file contents."))
    card = request.args.get("card", "")
    if card not in schema.CARDS:
        return render_template("customers/choose_card.html", cards=CARDS)
    edit = Edit(blank(card))
    matches: list[dict[str, Any]] = []
    if edit.submitted():
        # R4: warn of a file that may be this customer's, until "create it anyway" is ticked.
        matches = [] if request.form.get("create_anyway") else \
            duplicate_views.warning_for(edit.result())
        done, created = (False, None) if matches else edit.attempt(
            lambda record: customers.create(services.get().files, current_user.username,
                                            record, source=edit.source))
        if done:
            flash(_("Customer file %(id)s created.", id=created[0]), "success")
            return redirect(url_for(".show", customer_id=created[0]))
    return edit.render(title=_("New customer"), action=url_for(".new", card=card),
                       duplicates=matches, matches_url=url_for(".new_matches"))


@bp.route("/<customer_id>/edit", methods=["GET", "POST"])
@login_required
def edit(customer_id: str):
    """Edit a file; a stale form is merged, a collision asks which value to keep."""
    posted = request.method == "POST"
    # A post's base is parsed here once and handed to the action, which validates its result.
    loaded = reading.load(customer_id, current_user, "edit", request.form.get("base") or None,
                          checked=not posted)
    if loaded.record is None:
        return _damaged(loaded)
    # The form works on a copy, so the base handed to the merge stays as it was loaded.
    edit = Edit(copy.deepcopy(loaded.record), loaded.commit, customer_id)

    def save(record: dict[str, Any]) -> str | None:
        """Write the record through the save action (which refuses a custody change)."""
        return customers.save(services.get().files, current_user.username, customer_id,
                              record, loaded.commit, loaded.record, source=edit.source)

    if edit.submitted():
        done, commit = edit.attempt(save)
        if done:
            flash(_("Saved.") if commit else _("Nothing changed."), "success" if commit else "info")
            return redirect(url_for(".show", customer_id=customer_id))
    return edit.render(title=_("Edit %(id)s", id=customer_id), loaded=loaded,
                       custody=loaded.record.get("custody"),
                       may_custody=reading.may_change_custody(customer_id, current_user,
                                                              loaded.record),
                       action=url_for(".edit", customer_id=customer_id))
