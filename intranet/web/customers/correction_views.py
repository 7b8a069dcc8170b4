"""Correcting or withdrawing a contact or event entry, and finding the version before.

The view shows the entry and its form; ``actions.entries`` decides who may (the author and the
custodian) where the change is saved, so a crafted post by anyone else is a 403.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from ...actions import ActionError, Forbidden
from ...actions import entries as entry_actions
from ...archive.errors import Conflict
from ...records.files import corrections
from ...records.files.entries import EntryError
from ...records.files.schema import N_
from ...records.files.validate import FieldError
from .. import clock
from . import reading
from .blueprint import bp
from .correction_forms import FORMS, values

_ROUTE = "/<customer_id>/<any(contacts, events):list_name>/<int:position>"
_ANCHORS = {"contacts": "contact-log", "events": "events"}


def _entry(record: dict[str, Any] | None, list_name: str, position: int) -> dict[str, Any]:
    """Return the entry a URL names, or answer 404."""
    items = (record or {}).get(list_name)
    if not isinstance(items, list) or not 0 <= position < len(items) or \
            not isinstance(items[position], dict):
        abort(404)
    return items[position]


def _put(form: Any, errors: list[FieldError]) -> list[str]:
    """Put errors on the fields they name; return the texts no field shows."""
    left = []
    for error in errors:
        text = _(error.message).format(**error.params)
        found = form._fields.get(error.path) if error.path else None
        if found is None:
            left.append(text)
        else:
            found.errors = [*found.errors, text]
    return left


@bp.route(_ROUTE + "/correct", methods=["GET", "POST"])
@login_required
def correct_entry(customer_id: str, list_name: str, position: int):
    """Correct an entry or withdraw it, with a reason: one commit; the entry keeps its place."""
    loaded = reading.load(customer_id, current_user, "edit")
    entry = _entry(loaded.record, list_name, position)
    if request.method == "GET" and not corrections.may_correct(
            current_user.username, list_name, entry, loaded.record or {}):
        raise Forbidden(N_("Only the entry's author and the file's custodian may correct "
                           "or withdraw it."))
    fresh = {k: entry.get(k) for k in corrections.EDITABLE[list_name]}
    form = FORMS[list_name](data={**fresh, "seen": corrections.fingerprint(entry)}
                            if request.method == "GET" else None)
    problems: list[str] = []
    if form.validate_on_submit():
        files, who, today = services.get().files, current_user.username, clock.today()
        try:
            if form.withdraw.data:
                made = entry_actions.withdraw(files, who, customer_id, list_name, position,
                                              form.seen.data, form.reason.data, today)
            else:
                made = entry_actions.correct(files, who, customer_id, list_name, position,
                                             form.seen.data, values(form), form.reason.data,
                                             today)
        except Forbidden:
            raise
        except EntryError as error:
            problems = _put(form, error.errors)
        except ActionError as error:
            form.reason.errors = [*form.reason.errors, _(error.message, **error.params)]
        except Conflict:
            problems = [_("Someone changed this entry since you opened it. Here it is as it "
                          "is now; nothing was saved.")]
            form = FORMS[list_name](formdata=None, data={
                **fresh, "seen": corrections.fingerprint(entry), "reason": form.reason.data})
        else:
            flash(_("The entry was withdrawn.") if form.withdraw.data and made else
                  _("The entry was corrected.") if made else _("Nothing changed."),
                  "success" if made else "info")
            return redirect(url_for(".show", customer_id=customer_id,
                                    _anchor=_ANCHORS[list_name]))
    status = 400 if request.method == "POST" else 200
    return render_template("customers/correct_entry.html", loaded=loaded, form=form,
                           entry=entry, list_name=list_name, position=position,
                           problems=problems, withdrawn=corrections.is_withdrawn(entry),
                           staff_name=reading.staff_name), status


@bp.get(_ROUTE + "/before")
@login_required
def entry_before(customer_id: str, list_name: str, position: int):
    """Show the version of the file before the entry's latest correction or withdrawal."""
    versions = reading.versions(customer_id, current_user, "history")
    marked = [i for i, v in enumerate(versions) if v.get("action") in ("correct", "withdraw")]
    for index in marked:
        if index + 1 >= len(versions):
            break
        after = reading.load(customer_id, current_user, "version", versions[index]["sha"],
                             checked=False).record
        before = reading.load(customer_id, current_user, "version",
                              versions[index + 1]["sha"], checked=False).record
        old, new = ((r or {}).get(list_name) or [] for r in (before, after))
        if position < len(new) and (position >= len(old) or old[position] != new[position]):
            return redirect(url_for(".version", customer_id=customer_id,
                                    commit=versions[index + 1]["sha"]))
    abort(404)
