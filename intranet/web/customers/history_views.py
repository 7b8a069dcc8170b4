"""A file's history, one version with its field diff, and restoring a version."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from ...actions import customers
from ...actions.rights import refuse_custody_fields
from ...archive.errors import ArchiveError, Conflict, CorruptRecord
from ...records.files import restore_plan, schema
from . import present, reading
from .blueprint import bp
from .forms import RestoreForm
from .labels import ACTIONS


@bp.get("/<customer_id>/history")
@login_required
def history(customer_id: str):
    """List every version of a file, newest first."""
    versions = reading.versions(customer_id, current_user, "history")
    return render_template("customers/history.html", customer_id=customer_id,
                           versions=versions, actions=ACTIONS,
                           sources=reading.sources(customer_id, current_user),
                           reasons=reading.reasons(customer_id, current_user),
                           row=reading.row(customer_id, current_user, "history"))


@bp.get("/<customer_id>/history/<commit>")
@login_required
def version(customer_id: str, commit: str):
    """Show one version and what it changed against the version before."""
    versions, position = reading.version_at(customer_id, commit, current_user, "version")
    previous = versions[position + 1]["sha"] if position + 1 < len(versions) else None
    loaded = reading.load(customer_id, current_user, "version", commit)
    changes = reading.compare(customer_id, previous, commit, current_user)
    form = RestoreForm(formdata=None, base=reading.head())
    return render_template(
        "customers/version.html", loaded=loaded, version=versions[position], form=form,
        current=position == 0, actions=ACTIONS, previous=previous,
        may_restore=reading.may(customer_id, current_user, "restore"),
        diff=None if changes is None else present.diff_rows(changes),
        sections=present.sections(loaded.record) if loaded.record else [],
        tables=present.tables(loaded.record) if loaded.record else [])


@bp.route("/<customer_id>/history/<commit>/restore", methods=["GET", "POST"])
@login_required
def restore(customer_id: str, commit: str):
    """Confirm, then commit the file as it was in a version, unless it changed since.

    The page lists the entries added or changed since the version; they are kept unless the
    person ticks "also remove", sees the list again as what will go, and confirms once more.
    """
    versions, position = reading.version_at(customer_id, commit, current_user, "restore")
    # A posted form keeps the revision it was confirmed at: never fill in today's head.
    form = RestoreForm() if request.method == "POST" else RestoreForm(base=reading.head())
    back = url_for(".version", customer_id=customer_id, commit=commit)
    if request.method == "POST":
        refuse_custody_fields(request.form)  # a restore never changes custody
    later = _later(customer_id, commit, form.base.data or reading.head())
    remove = bool(form.remove_later.data and later)
    if form.validate_on_submit() and remove and form.removal_seen.data != "1":
        form.removal_seen.data = "1"  # shown again as what will go; the next post removes
    elif form.validate_on_submit():
        try:
            made = customers.restore(services.get().files, current_user.username, customer_id,
                                     commit, form.base.data, remove_later=remove)
        except Conflict:
            return render_template("customers/restore_conflict.html", back=back,
                                   customer_id=customer_id), 409
        except CorruptRecord:
            flash(_("This version is damaged and cannot be restored."), "danger")
            return redirect(back)
        flash(_("The version was restored.") if made else
              _("The file is already the same as this version; nothing changed."),
              "success" if made else "info")
        return redirect(url_for(".show", customer_id=customer_id))
    return render_template("customers/restore.html", form=form, version=versions[position],
                           customer_id=customer_id, back=back, later=later,
                           removing=remove and form.removal_seen.data == "1",
                           section_labels=SECTION_LABELS)


# The restore page's names of the sections it keeps (schema labels, translated there).
SECTION_LABELS = {s: schema.LABELS[s] for s in restore_plan.LATER}


def _later(customer_id: str, commit: str, base: str) -> list[restore_plan.Later]:
    """Return the entries of the file at ``base`` that are not in the version as they are."""
    try:
        old = reading.load(customer_id, current_user, "restore", commit, checked=False)
        now = reading.load(customer_id, current_user, "restore", base, checked=False)
    except (ArchiveError, reading.Hidden):
        return []  # a file gone or a revision unknown: the restore itself says why not
    return restore_plan.later_entries(old.record, now.record)
