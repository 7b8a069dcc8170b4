"""Forms for a file's documents (R13): upload one, confirm removing one.

Only the shape is checked here; the bytes' type, the size and the entry are decided by
``records.files.documents``, whose refusals are put back on these fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Optional

from ...records.files.documents import KIND_LABELS, KINDS
from ...records.files.schema import LABELS, NAME_LIMIT
from ..validators import at_most
from .forms import CHOICE_ERROR


def kind_choices() -> list[tuple[str, str]]:
    """Return the document kinds as (value, words) in the user's language."""
    return [(k, _l(KIND_LABELS[k])) for k in KINDS]


class DocumentForm(FlaskForm):
    """Upload a contract or other document to the file."""

    file = FileField(_l(LABELS["documents.file"]),
                     validators=[FileRequired(message=_l("Choose a file to upload"))])
    title = StringField(_l(LABELS["documents.title"]),
                        validators=[Optional(), at_most(NAME_LIMIT)])
    kind = SelectField(_l(LABELS["documents.kind"]), choices=kind_choices, default="contract",
                       invalid_choice_message=CHOICE_ERROR)
    signed_on = StringField(_l(LABELS["documents.signed_on"]),
                            render_kw={"placeholder": "YYYY-MM-DD"})
    submit = SubmitField(_l("Upload the document"))


class RemoveDocumentForm(FlaskForm):
    """Confirm taking a document out of the file (git keeps it in the history)."""

    confirm = BooleanField(_l("I want to remove this document from the file"),
                           validators=[DataRequired(_l("Tick the box to confirm"))])
    submit = SubmitField(_l("Remove the document"))
