"""The custody page: who keeps a file, at which level, with which contacts (R33)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from ... import services
from ...actions import ActionError, Forbidden
from ...actions import custody as custody_action
from ...archive.errors import CorruptRecord
from ...records.files.customers import InvalidRecord
from ...records.files.schema import N_
from ...records.rights import access
from . import reading
from .blueprint import bp
from .labels import enum_label, field_label


class CustodyForm(FlaskForm):
    """A custody change: the four parts of custody and the reason, which is required.

    The lists offer what the user may choose, but a value outside them is not refused here:
    the custody action decides (403 with nothing written), so the rule lives in one place.
    """

    level = SelectField(_l("Confidentiality level"), choices=[], validate_choice=False)
    owner = SelectField(_l("Custodian"), choices=[], validate_choice=False)
    department = SelectField(_l("Department"), choices=[], validate_choice=False)
    contacts = SelectMultipleField(_l("Contacts"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason for the change"), validators=[
        DataRequired(_l("Give a reason for the change.")), Length(max=custody_action.MAX_REASON)])
    submit = SubmitField(_l("Change custody"))


CUSTODIANS = N_("the administrator, and the manager of the file's department for the levels "
                "the policy lets a manager handle.")


def _meta(customer_id: str) -> access.FileMeta:
    """Return the file's custody if the user may change it; Hidden (403) otherwise."""
    # No request gives a say over custody: a missing file and a refused one answer alike.
    refused = reading.Hidden(customer_id, access.NEVER, who=CUSTODIANS)
    try:
        meta = reading.custody_meta(customer_id)  # custody only, from the index: not a read
    except reading.Hidden:
        raise refused from None
    r = reading.rules()
    if not access.may_change_custody(reading.actor(current_user), meta, r.policy, r.directory):
        raise refused
    return meta


def _choices(form: CustodyForm, meta: access.FileMeta) -> None:
    """Offer what the user may choose: all for the administrator, the department otherwise."""
    r = reading.rules()
    directory, policy = r.directory, r.policy
    admin = access.is_administrator(str(current_user.role or ""), policy)
    levels = list(policy.levels) if admin else policy.custody_manager_levels
    departments = [d for d in directory.departments if admin or d.get("id") == meta.department]
    people = [m for m in directory.staff if directory.is_active(str(m.get("username")))
              and (admin or m.get("department") == meta.department)]

    def named(m: dict[str, Any]) -> tuple[str, str]:
        return str(m["username"]), f"{m.get('name') or m['username']} ({m['username']})"

    def keep(pairs: list[tuple[str, str]], values: list[str]) -> list[tuple[str, str]]:
        known = {value for value, _label in pairs}
        return pairs + [(v, reading.staff_name(v)) for v in values if v and v not in known]

    form.level.choices = [(lv, enum_label("custody.level", lv)) for lv in levels]
    if meta.level and meta.level not in levels:
        form.level.choices.append((meta.level, enum_label("custody.level", meta.level)))
    form.owner.choices = keep([named(m) for m in people], [meta.owner])
    form.department.choices = keep([(str(d["id"]), str(d.get("name") or d["id"]))
                                    for d in departments], [meta.department])
    form.contacts.choices = keep([named(m) for m in people], sorted(meta.contacts))


@bp.route("/<customer_id>/custody", methods=["GET", "POST"])
@login_required
def custody(customer_id: str):
    """Show a file's custody and change it, with a reason, as one commit."""
    meta = _meta(customer_id)
    form = CustodyForm(data={"level": meta.level, "owner": meta.owner,
                             "department": meta.department,
                             "contacts": sorted(meta.contacts)})
    _choices(form, meta)
    if form.validate_on_submit():
        try:
            made = custody_action.change(
                services.get().files, current_user.username, customer_id, form.level.data,
                form.owner.data, form.department.data, form.contacts.data or [],
                form.reason.data)
        except Forbidden:
            raise
        except ActionError as error:
            form.reason.errors = [*form.reason.errors, _(error.message, **error.params)]
        except InvalidRecord as error:
            form.reason.errors = [*form.reason.errors, *(
                f"{field_label(e.path)}: {_(e.message).format(**e.params)}"
                for e in error.errors)]
        except CorruptRecord as error:
            form.reason.errors = [*form.reason.errors, _(
                "The file in the archive is damaged: %(reason)s", reason=error.reason)]
        else:
            flash(_("Custody changed.") if made else _("Nothing changed."),
                  "success" if made else "info")
            # The actor may no longer read the file (the director moving it to personal
            # level), but may still see its custody.
            return redirect(url_for(".custody", customer_id=customer_id))
    return render_template("customers/custody.html", form=form, meta=meta,
                           customer_id=customer_id)

