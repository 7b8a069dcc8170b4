"""Bring in open receivables from the accounting package's sheet: upload, preview, import (R28).

The same machinery as the customer import: the upload waits in the instance folder under a
token only its uploader can use, every preview is a dry run, the import is one commit made
against the head it lands on (``actions.receivables``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import Optional

from ... import services
from ...actions import receivables as action
from ...import_store import Upload, UploadStore, limits_from
from ...records.imports import receivables_import as sheet
from ...sheets.model import SheetError, Table
from ...sheets.reading import read_table
from ..clock import today
from ..customers.reading import rules
from ..imports.forms import ENCODINGS
from ..imports.present import safe_filename
from .blueprint import bp

STATUS = {sheet.MATCHED: _l("To update"), sheet.UNCHANGED: _l("Unchanged"),
          sheet.UNMATCHED: _l("No matching file"), sheet.AMBIGUOUS: _l("Several files match"),
          sheet.REFUSED: _l("Not allowed"), sheet.ERROR: _l("Error")}


class ReceivablesUploadForm(FlaskForm):
    """Choose the accounting package's sheet and the date of its figures."""

    file = FileField(_l("Spreadsheet (.xlsx or .csv)"),
                     validators=[FileRequired(message=_l("Choose a file to upload"))])
    as_of = DateField(_l("As of (when the sheet has no date column)"),
                      validators=[Optional()])
    encoding = SelectField(_l("Encoding of a CSV file"), choices=ENCODINGS, default="")
    submit = SubmitField(_l("Preview"))


class ReceivablesImportForm(FlaskForm):
    """Import what the preview shows."""

    submit = SubmitField(_l("Import"))


def store() -> UploadStore:
    """Return the uploads waiting for their import (the customer import's folder)."""
    return UploadStore(current_app.config["IMPORT_DIR"])


def may_import_receivables() -> bool:
    """Tell whether the signed-in user may import receivables."""
    return bool(current_user.is_authenticated) and action.may_import(
        rules(), str(current_user.username))


@bp.app_context_processor
def _nav() -> dict:
    """Give templates ``may_import_receivables()`` (for the link on the credit page)."""
    return {"may_import_receivables": may_import_receivables}


def importer_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let in only those the policy lets import receivables; others get the 403 page."""
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not may_import_receivables():
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def reason(message: str, params: dict[str, Any]) -> str:
    """Return a row's reason in the user's language (the cleaners write {name} parameters)."""
    if "%(" in message:
        return _(message, **params)
    return _(message).format(**params)


def _load(token: str) -> tuple[Upload, Table]:
    found = store().get(token, str(current_user.username))
    if found is None:
        abort(404)
    upload, data = found
    return upload, read_table(data, upload.filename,
                              encoding=upload.settings.get("encoding") or None,
                              limits=limits_from(current_app.config))


def _run(upload: Upload, table: Table, dry_run: bool) -> action.Report:
    return action.run(services.get().files, services.get().index, str(current_user.username),
                      table, sheet.suggest(table.headings),
                      as_of=upload.settings.get("as_of") or today().isoformat(),
                      dry_run=dry_run)


@bp.route("/receivables", methods=["GET", "POST"])
@importer_required
def receivables_upload() -> str | tuple[str, int] | Response:
    """Show the upload form; keep a sheet that reads as a table and show its preview."""
    form = ReceivablesUploadForm()
    if not form.validate_on_submit():
        return render_template("credit/receivables_upload.html", form=form)
    most = limits_from(current_app.config).max_bytes
    data = form.file.data.read(most + 1)
    filename = safe_filename(form.file.data.filename or "")
    try:
        read_table(data, filename, encoding=form.encoding.data or None,
                   limits=limits_from(current_app.config))
    except SheetError as error:
        form.file.errors = [_(error.message, **error.params)]
        return render_template("credit/receivables_upload.html", form=form), 400
    kept = store().save(str(current_user.username), filename, data)
    kept.settings = {"encoding": form.encoding.data or "",
                     "as_of": form.as_of.data.isoformat() if form.as_of.data else ""}
    store().update(kept)
    return redirect(url_for("credit.receivables_preview", token=kept.token))


@bp.get("/receivables/<token>")
@importer_required
def receivables_preview(token: str) -> str:
    """Show what the import would do, row by row (nothing written)."""
    upload, table = _load(token)
    report = _run(upload, table, dry_run=True)
    return render_template("credit/receivables_preview.html", report=report, token=token,
                           upload=upload, status=STATUS, form=ReceivablesImportForm(),
                           reason=reason,
                           mapping=list(zip(table.headings, report.mapping, strict=False)))


@bp.post("/receivables/<token>")
@importer_required
def receivables_import(token: str) -> str | Response:
    """Import the previewed sheet as one commit, then show what was done."""
    if not ReceivablesImportForm().validate_on_submit():
        abort(400)
    upload, table = _load(token)
    report = _run(upload, table, dry_run=False)
    store().discard(token)
    flash(_("%(count)s files updated.", count=len(report.records)) if report.commit
          else _("Nothing changed."), "success" if report.commit else "info")
    return render_template("credit/receivables_preview.html", report=report, token=None,
                           upload=upload, status=STATUS, form=None, reason=reason,
                           mapping=list(zip(table.headings, report.mapping, strict=False)))
