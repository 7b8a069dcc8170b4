"""The hand-over form: a successor per file, one for all, the day of leaving, a confirmation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..validators import required
from .forms import _Date

PREFIX = "to_"


class HandoverForm(FlaskForm):
    """The fixed part; ``handover_form`` adds one successor select per file."""

    base = HiddenField()
    left_on = _Date(_l("Left on"), validators=[InputRequired(message=_l("Required"))])
    bulk = SelectField(_l("Set all files to"), validate_choice=False)
    confirm = BooleanField(_l("I have checked the list: hand these files over and mark this "
                              "member of staff as having left"), validators=[required()])
    submit = SubmitField(_l("Hand over"))

    def successor_fields(self) -> dict[str, Any]:
        """Return the per-file successor selects by customer id."""
        return {name[len(PREFIX):]: f for name, f in self._fields.items()
                if name.startswith(PREFIX)}


def handover_form(ids: Iterable[str], choices: list[tuple[str, str]],
                  proposed: dict[str, str], **kwargs: Any) -> HandoverForm:
    """Return a hand-over form with a successor select for each file id."""

    class Form(HandoverForm):
        pass

    options = [SelectChoice(value, label) for value, label in choices]
    for customer_id in ids:
        # Choices are checked by the domain (which names who cannot take files), not here.
        setattr(Form, PREFIX + customer_id, SelectField(
            customer_id, choices=options, default=proposed.get(customer_id, ""),
            validate_choice=False, validators=[required()]))
    form = Form(**kwargs)
    form.bulk.choices = [SelectChoice("", _l("— keep each file's choice —")), *options]
    return form
