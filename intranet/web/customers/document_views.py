"""A file's documents (R13): the panel, upload, download (audited), removal.

Every route asks ``reading`` first; a document name the file does not list answers like a
hidden file (403), so nobody can probe which documents exist. Downloads are attachments with
the type read again from the bytes, never rendered by the browser.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from ...actions import documents as document_actions
from ...archive.errors import CorruptRecord, NotFound
from ...records.files import documents
from ...records.files.customers import InvalidRecord, Loaded
from .. import clock
from ..panels import customer_panel
from . import reading
from .blueprint import bp
from .document_forms import DocumentForm, RemoveDocumentForm
from .labels import field_label
from .reading import Hidden

_ENTRY_FIELD = re.compile(r"^documents\[\d+\]\.(\w+)$")
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._()\- ]+")
# A document is never a page: no script, no plug-in, no frame, even if a browser opened it.
DOWNLOAD_CSP = "sandbox; default-src 'none'"


def max_bytes() -> int:
    """Return the largest document the intranet keeps (``DOCUMENT_MAX_BYTES``)."""
    return int(current_app.config.get("DOCUMENT_MAX_BYTES") or documents.DEFAULT_MAX_BYTES)


def _row(customer_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    """Return what the panel shows of one document entry."""
    name = str(entry.get("file") or "").rpartition("/")[2]
    kind = str(entry.get("kind") or "")
    sha = str(entry.get("sha256") or "")
    size = entry.get("size")
    original = str(entry.get("original_name") or "")
    return {
        "name": name, "title": entry.get("title") or name,
        "kind": _(documents.KIND_LABELS[kind]) if kind in documents.KIND_LABELS else kind,
        "signed_on": entry.get("signed_on") or "", "uploaded_on": entry.get("uploaded_on") or "",
        "size": documents.human_size(size) if isinstance(size, int) else "",
        "sha256": sha, "sha_short": sha[:12],
        "uploader": reading.staff_name(str(entry.get("uploaded_by") or "")),
        # Shown when the title is not just the name the file came with.
        "original_name": original if original and
        documents.title_from(original) != entry.get("title") else "",
        "servable": documents.NAME_RE.match(name) is not None and
        entry.get("file") == documents.folder(customer_id) + name,
    }


@customer_panel("customers/_documents.html", order=40, covers=("documents",))
def documents_panel(loaded: Loaded, user: Any) -> dict[str, Any]:
    """The file's documents, with the upload form for those who may edit the file."""
    may_edit = reading.may(loaded.id, user, "edit")
    return {"rows": [_row(loaded.id, d) for d in documents.entries(loaded.record)],
            "form": DocumentForm(formdata=None) if may_edit else None, "may_edit": may_edit,
            "limit": documents.human_size(max_bytes())}


def _upload(form: DocumentForm) -> documents.Upload:
    """Return what was sent, reading at most one byte more than the limit into memory."""
    sent = form.file.data
    return documents.Upload(data=sent.stream.read(max_bytes() + 1),
                            original_name=sent.filename or "", title=form.title.data or "",
                            kind=form.kind.data or "", signed_on=form.signed_on.data or "")


def _refused(form: DocumentForm, error: Exception) -> list[str]:
    """Put a refusal on the form's fields; return the texts no field shows."""
    if isinstance(error, documents.Refused):
        form.file.errors = [*form.file.errors, _(error.message).format(**error.params)]
        return []
    left = []
    for problem in getattr(error, "errors", []):
        text = _(problem.message).format(**problem.params)
        match = _ENTRY_FIELD.match(problem.path)
        found = form._fields.get(match.group(1)) if match else None
        if found is None:
            left.append(f"{field_label(problem.path)}: {text}")
        else:
            found.errors = [*found.errors, text]
    return left


@bp.route("/<customer_id>/documents/new", methods=["GET", "POST"])
@login_required
def add_document(customer_id: str):
    """Upload a document to the file: bytes and entry in one commit by the uploader."""
    loaded = reading.load(customer_id, current_user, "edit")
    form = DocumentForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            _commit, entry = document_actions.add(
                services.get().files, current_user.username, customer_id, _upload(form),
                clock.today(), max_bytes())
        except (documents.Refused, InvalidRecord) as error:
            problems = _refused(form, error)
        except (CorruptRecord, NotFound) as error:
            problems = [_("The file in the archive is damaged: %(reason)s",
                          reason=getattr(error, "reason", str(error)))]
        else:
            flash(_("The document “%(title)s” was added to the file.", title=entry["title"]),
                  "success")
            return redirect(url_for(".show", customer_id=customer_id, _anchor="documents"))
    return render_template("customers/document_form.html", loaded=loaded, form=form,
                           problems=problems, limit=documents.human_size(max_bytes())), \
        400 if request.method == "POST" else 200


@bp.route("/<customer_id>/documents/<name>/remove", methods=["GET", "POST"])
@login_required
def remove_document(customer_id: str, name: str):
    """Confirm, then take a document out of the file; the history keeps it."""
    loaded = reading.load(customer_id, current_user, "edit")
    entry = documents.find(loaded.record, customer_id, name)
    if entry is None:
        raise Hidden(customer_id)
    form = RemoveDocumentForm()
    if form.validate_on_submit():
        try:
            document_actions.remove(services.get().files, current_user.username, customer_id,
                                    name)
        except NotFound:
            flash(_("The document had already been removed."), "info")
        else:
            flash(_("The document was removed from the file. It stays in the file's history."),
                  "success")
        return redirect(url_for(".show", customer_id=customer_id, _anchor="documents"))
    return render_template("customers/document_remove.html", loaded=loaded, form=form,
                           document=_row(customer_id, entry)), \
        400 if request.method == "POST" else 200


@bp.get("/<customer_id>/documents/<name>")
@login_required
def document(customer_id: str, name: str):
    """Download a document of the file as it is now (every download journalled)."""
    return _download(reading.load(customer_id, current_user, "document"), name)


@bp.get("/<customer_id>/history/<commit>/documents/<name>")
@login_required
def old_document(customer_id: str, commit: str, name: str):
    """Download a document as it was in one version of the file, removed ones included."""
    reading.version_at(customer_id, commit, current_user, "document")
    return _download(reading.load(customer_id, current_user, "document", commit), name)


def _download(loaded: Loaded, name: str) -> Response:
    """Answer a document as an attachment; Hidden if the version does not list it."""
    entry = documents.find(loaded.record, loaded.id, name)
    data = None if entry is None else documents.read(
        services.get().archive.snapshot(loaded.commit), loaded.id, entry)
    if entry is None or data is None:
        raise Hidden(loaded.id)
    kind = documents.served_type(data, entry)
    response = Response(data, content_type=kind.content_type if kind
                        else "application/octet-stream")
    response.headers["Content-Disposition"] = disposition(documents.download_name(entry, kind),
                                                          fallback=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


def disposition(filename: str, fallback: str) -> str:
    """Return ``attachment`` with an ASCII ``filename`` and the UTF-8 ``filename*`` (RFC 6266)."""
    stem, dot, ext = filename.rpartition(".")
    stem, ext = (stem, ext) if dot else (filename, "")
    plain_stem, plain_ext = _ascii(stem), _ascii(ext)
    # 契約.pdf has no ASCII of its own: the stored name (D0003-3fa9c2b1e07d.pdf) stands in.
    ascii_name = (plain_stem + (f".{plain_ext}" if plain_ext else "")) \
        if plain_stem.strip("_") else fallback
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _ascii(text: str) -> str:
    """Return the ASCII letters of a name part, anything else as ``_``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _UNSAFE_ASCII.sub("_", plain).strip(" .")
