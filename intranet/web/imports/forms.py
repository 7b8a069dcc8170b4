"""Forms of the import pages; the column mapping's selects are read by ``views`` per column."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import Optional

from ..validators import at_most

ENCODINGS = [("", _l("Detect")), ("utf-8", "UTF-8"), ("utf-8-sig", _l("UTF-8 with BOM")),
             ("cp950", _l("Big5 (CP950)"))]


class UploadForm(FlaskForm):
    """Choose a workbook or CSV file to preview."""

    file = FileField(_l("Spreadsheet (.xlsx or .csv)"),
                     validators=[FileRequired(message=_l("Choose a file to upload"))])
    sheet = StringField(_l("Sheet (empty: the first with a header row)"),
                        validators=[Optional(), at_most(100)])
    encoding = SelectField(_l("Encoding of a CSV file"), choices=ENCODINGS, default="")
    submit = SubmitField(_l("Preview"))


class CommitForm(FlaskForm):
    """Import what the preview shows, or give it up."""

    accept_flagged = BooleanField(_l("Also import the rows flagged as possible duplicates, "
                                     "as new customers"))
    submit = SubmitField(_l("Import"))
    nothing = SubmitField(_l("Import nothing"))
