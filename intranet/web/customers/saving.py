"""Flash the outcome of a small form that writes one file: its field errors, or the save."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from ...archive.errors import CorruptRecord
from ...records.files.customers import InvalidRecord
from .labels import field_label


def form_errors(form: FlaskForm) -> bool:
    """Flash each field error of a submitted form; True when there were none."""
    if form.validate_on_submit():
        return True
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "danger")
    return False


def flash_write(write: Callable[[], str | None]) -> bool:
    """Run a write and flash "Saved.", "Nothing changed." or why it was refused."""
    try:
        commit = write()
    except CorruptRecord as error:
        flash(_("The file in the archive is damaged: %(reason)s", reason=error.reason),
              "danger")
        return False
    except InvalidRecord as error:
        for problem in error.errors:
            flash(f"{field_label(problem.path)}: {_(problem.message).format(**problem.params)}",
                  "danger")
        return False
    flash(_("Saved.") if commit else _("Nothing changed."), "success" if commit else "info")
    return True
