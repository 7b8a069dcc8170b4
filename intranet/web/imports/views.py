"""Upload a spreadsheet, preview the import and fix its mapping, then import it as one commit.

Nothing is written to the archive before the last step: the upload waits in the instance
folder (``import_store``) under a token only its uploader can use, and every preview runs the
import as a dry run. The import itself runs the plan again inside the commit, against the head
it lands on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ... import services
from ...actions import ActionError, Forbidden, importing
from ...import_store import Mappings, Upload, UploadStore, limits_from
from ...records.trail.audit import AuditUnavailable
from ...sheets.headings import TARGETS, heading_set_key, suggest
from ...sheets.model import Limits, SheetError, Table
from ...sheets.reading import read_table
from ..customers.reading import rules
from ..errors import render_error
from . import present
from .blueprint import bp
from .forms import ENCODINGS, CommitForm, UploadForm


def store() -> UploadStore:
    """Return the uploads waiting for their import."""
    return UploadStore(current_app.config["IMPORT_DIR"])


def limits() -> Limits:
    """Return how much a spreadsheet may hold, from the configuration."""
    return limits_from(current_app.config)


def mappings() -> Mappings:
    """Return the mappings remembered per heading set."""
    return Mappings(current_app.config["IMPORT_MAPPINGS_DB"])


def may_import() -> bool:
    """Tell whether the signed-in user may bring customers in."""
    return bool(current_user.is_authenticated) and importing.may_import(
        rules(), str(current_user.username))


@bp.app_context_processor
def _nav() -> dict:
    """Give every template ``may_import()`` (for the links)."""
    return {"may_import": may_import}


def import_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let in only those the policy lets import; others get the 403 page."""
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not may_import():
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _upload(token: str) -> tuple[Upload, bytes]:
    """Return the signed-in user's upload, or 404 (gone, or someone else's)."""
    found = store().get(token, str(current_user.username))
    if found is None:
        abort(404)
    return found


def _read(upload: Upload, data: bytes) -> Table:
    """Read an upload with the sheet and encoding chosen on its preview."""
    settings = upload.settings
    return read_table(data, upload.filename, sheet=settings.get("sheet") or None,
                      encoding=settings.get("encoding") or None, limits=limits())


def _mapping(upload: Upload, table: Table) -> list[str]:
    """Return the mapping chosen for this upload, else remembered, else suggested."""
    chosen = upload.settings.get("mapping")
    if isinstance(chosen, list) and len(chosen) == len(table.headings):
        return [str(c) for c in chosen]
    return (mappings().recall(heading_set_key(table.headings), len(table.headings))
            or suggest(table.headings))


def _run(upload: Upload, table: Table, dry_run: bool,
         accept_flagged: bool | set[int] = False):
    settings = upload.settings
    return importing.run(
        services.get().files, services.get().index, str(current_user.username), table,
        _mapping(upload, table), errors="skip", custodian=settings.get("custodian") or None,
        card=settings.get("card") or "terminal", accept_flagged=accept_flagged,
        dry_run=dry_run, journal=services.get().journal, route=request.endpoint or "",
        address=request.remote_addr or "")


@bp.get("/")
@import_required
def upload_form() -> str:
    """Show the upload form."""
    return render_template("imports/upload.html", form=UploadForm())


@bp.post("/")
@import_required
def upload() -> str | Response:
    """Keep an uploaded spreadsheet that reads as a table, and show its preview."""
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("imports/upload.html", form=form), 400
    most = limits().max_bytes
    data = form.file.data.read(most + 1)
    filename = present.safe_filename(form.file.data.filename or "")
    try:
        if len(data) > most:
            raise SheetError(present.TOO_BIG, limit=present.megabytes(most))
        read_table(data, filename, sheet=form.sheet.data or None,
                   encoding=form.encoding.data or None, limits=limits())
    except SheetError as error:
        form.file.errors = [_(error.message, **error.params)]
        return render_template("imports/upload.html", form=form), 400
    kept = store().save(str(current_user.username), filename, data)
    kept.settings = {"sheet": form.sheet.data or "", "encoding": form.encoding.data or ""}
    store().update(kept)
    return redirect(url_for("imports.preview", token=kept.token))


@bp.get("/<token>")
@import_required
def preview(token: str) -> str | tuple[str, int] | Response:
    """Show how the sheet reads, how its columns map, and what each row would become."""
    upload, data = _upload(token)
    try:
        table = _read(upload, data)
        report = _run(upload, table, dry_run=True)
    except SheetError as error:
        return render_template("imports/unreadable.html", upload=upload,
                               message=_(error.message, **error.params)), 400
    except Forbidden:
        abort(403)
    except AuditUnavailable:
        # The preview would show files' contents that cannot be journalled (R35).
        return render_error(503, _("The read-audit journal cannot be written, so no customer "
                                   "file can be shown. Tell the administrator."))
    except ActionError as error:
        # A choice on the preview that cannot be (e.g. a custodian who has left): undo it.
        flash(_(error.message, **error.params), "danger")
        upload.settings.pop("custodian", None)
        store().update(upload)
        return redirect(url_for("imports.preview", token=token))
    return render_template(
        "imports/preview.html", upload=upload, table=table, mapping=_mapping(upload, table),
        targets=TARGETS, samples=present.samples(table), report=present.report(report),
        encodings=ENCODINGS, custodians=present.custodians(rules()), settings=upload.settings,
        cards=present.card_choices(), headings_key=heading_set_key(table.headings),
        settings_form=FlaskForm(), commit_form=CommitForm())


@bp.post("/<token>/settings")
@import_required
def settings(token: str) -> Response:
    """Keep the mapping, sheet, encoding, custodian and card chosen on the preview."""
    upload, data = _upload(token)
    if not FlaskForm().validate_on_submit():
        abort(400)
    chosen, problem = present.read_settings(request.form, rules())
    if problem:
        flash(problem, "danger")
        return redirect(url_for("imports.preview", token=token))
    mapping = chosen.pop("mapping")
    settings = {**upload.settings, **chosen}
    try:
        table = read_table(data, upload.filename, sheet=settings.get("sheet") or None,
                           encoding=settings.get("encoding") or None, limits=limits())
    except SheetError as error:
        # Keep the choices that read; say why the new sheet or encoding does not.
        flash(_(error.message, **error.params), "danger")
        return redirect(url_for("imports.preview", token=token))
    key = heading_set_key(table.headings)
    if request.form.get("headings") == key and len(mapping) == len(table.headings):
        settings["mapping"] = mapping
        mappings().remember(key, mapping, str(current_user.username))
    else:
        settings.pop("mapping", None)  # another sheet or encoding: its own headings
    upload.settings = settings
    store().update(upload)
    return redirect(url_for("imports.preview", token=token))


@bp.post("/<token>/import")
@import_required
def commit(token: str) -> str | Response:
    """Import the good rows as one commit, or give the upload up."""
    upload, data = _upload(token)
    form = CommitForm()
    if not form.validate_on_submit():
        abort(400)
    if form.nothing.data:
        store().discard(token)
        flash(_("Nothing was imported."), "info")
        return redirect(url_for("imports.upload_form"))
    try:
        table = _read(upload, data)
        # Every flagged row (the box), or the rows a person ticked one by one.
        accepted = form.accept_flagged.data or {
            int(n) for n in request.form.getlist("accept") if n.isdigit() and len(n) < 9}
        report = _run(upload, table, dry_run=False, accept_flagged=accepted)
    except SheetError as error:
        flash(_(error.message, **error.params), "danger")
        return redirect(url_for("imports.preview", token=token))
    except Forbidden:
        abort(403)
    except ActionError as error:
        flash(_(error.message, **error.params), "danger")
        return redirect(url_for("imports.preview", token=token))
    store().discard(token)
    return render_template("imports/done.html", upload=upload, report=present.report(report))
