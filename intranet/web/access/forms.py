"""Forms of the access request pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from ...records.rights.requests import MAX_REASON
from ..validators import at_most, required


class RequestForm(FlaskForm):
    """Which files, why, read or edit, for how many days."""

    customers = StringField(_l("Customer files"), validators=[required(), at_most(400)])
    reason = TextAreaField(_l("Reason"), validators=[required(), at_most(MAX_REASON)])
    mode = RadioField(_l("Access"), default="read",
                      choices=[SelectChoice("read", _l("Read only")),
                               SelectChoice("edit", _l("Read and edit"))],
                      validators=[InputRequired(message=_l("Required"))])
    days = IntegerField(_l("Days"), default=7,
                        validators=[InputRequired(message=_l("Required")),
                                    NumberRange(min=1, message=_l("Ask for at least one day."))])
    submit = SubmitField(_l("Send the request"))


class ActForm(FlaskForm):
    """Approve or refuse the step that waits for me, with a comment."""

    comment = TextAreaField(_l("Comment"), validators=[at_most(MAX_REASON)])
    approve = SubmitField(_l("Approve"))
    refuse = SubmitField(_l("Refuse"))


class RevokeForm(FlaskForm):
    """Revoke a request or a grant (a POST with a CSRF token)."""

    submit = SubmitField(_l("Revoke"))


class BreakGlassForm(FlaskForm):
    """Open a file at once in an emergency, with a written reason."""

    reason = TextAreaField(_l("Reason"), validators=[required(), at_most(MAX_REASON)])
    submit = SubmitField(_l("Open the file now"))
