"""Forms that correct or withdraw a contact or event entry (``records.files.corrections``).

One form per list: the entry's own fields as the author may change them, the reason (always
required) and two buttons, "save the correction" and "withdraw the entry". ``seen`` carries the
entry's fingerprint as the page showed it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField

from ...records.files.schema import LABELS
from .entry_forms import DATE_HINT
from .forms import CHOICE_ERROR
from .labels import enum_choices


class _Correction(FlaskForm):
    """What every correction has: the fingerprint, the reason and the two buttons."""

    seen = HiddenField()
    reason = TextAreaField(_l("Reason (required)"))
    submit = SubmitField(_l("Save the correction"))
    withdraw = SubmitField(_l("Withdraw this entry"))


class ContactCorrectionForm(_Correction):
    """Correct a contact entry (R14): its author and source stay."""

    date = StringField(_l(LABELS["contacts.date"]), render_kw=DATE_HINT)
    channel = SelectField(_l(LABELS["contacts.channel"]),
                          choices=lambda: enum_choices("contacts.channel"),
                          invalid_choice_message=CHOICE_ERROR)
    summary = StringField(_l(LABELS["contacts.summary"]))
    report = TextAreaField(_l(LABELS["contacts.report"]))
    confidential = BooleanField(_l("Confidential: not reported to the department"))


class EventCorrectionForm(_Correction):
    """Correct an event entry (R11): who recorded it and its source stay."""

    date = StringField(_l(LABELS["events.date"]),
                       render_kw={"placeholder": "YYYY / YYYY-MM / YYYY-MM-DD"})
    kind = SelectField(_l(LABELS["events.kind"]), choices=lambda: enum_choices("events.kind"),
                       invalid_choice_message=CHOICE_ERROR)
    summary = StringField(_l(LABELS["events.summary"]))


FORMS: dict[str, type[_Correction]] = {"contacts": ContactCorrectionForm,
                                        "events": EventCorrectionForm}


def values(form: _Correction) -> dict[str, Any]:
    """Return the entry fields a correction form holds, by name."""
    return {f.short_name: f.data for f in form
            if f.short_name not in ("seen", "reason", "submit", "withdraw", "csrf_token")}
