"""The administrator's backups page and banner (R38): thin views over ``intranet.backups``.

``/admin/backups`` lists every attempt (scheduled or from the CLI), the folder and its free
space, the policy's schedule and the next slot, with a "Back up now" button. The banner on every
page tells the administrator when the newest verified backup is too old, there is none yet,
or the folder is missing, not writable or too full. The mirrors' status table (another part of
issue 13) goes where ``admin/backups.html`` includes ``admin/_mirrors.html``: pass ``mirrors``.
"""

from __future__ import annotations

import logging
from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from ... import services
from ...backups import Problem
from .blueprint import bp
from .views import is_administrator


class BackupNowForm(FlaskForm):
    """Make a backup now (the CSRF token is the whole form)."""

    submit = SubmitField(_l("Back up now"))


def describe(problem: Problem | None) -> str:
    """Return a backup problem in the reader's language."""
    if problem is None:
        return ""
    return _(problem.message).format(**problem.params)


@bp.app_context_processor
def _backup_banner() -> dict:
    """Give every template ``backup_warnings()``: the administrator's banner lines."""
    def backup_warnings() -> list[str]:
        if not is_administrator():
            return []
        try:
            return [describe(p) for p in services.get().backups.status().warnings]
        except Exception:  # the banner must never take a page down with it
            logging.getLogger(__name__).exception("backup status")
            return [_("The state of the backups could not be read; see the server log.")]
    return {"backup_warnings": backup_warnings}


@bp.get("/backups")
def backups_page():
    """Every backup, the folder, the schedule and the next slot."""
    return _render(BackupNowForm())


def _render(form: BackupNowForm, status: int = 200):
    svc = services.get()
    backups = svc.backups
    return render_template("admin/backups.html", form=form, status=backups.status(),
                           entries=backups.catalogue.all(limit=500),
                           schedule=backups.schedule(), describe=describe,
                           weekday_name=weekday_name, mirrors=svc.mirrors.status()), status


def weekday_name(number: int) -> str:
    """Return the name of ISO weekday ``number`` (1 Monday … 7 Sunday) in the reader's language."""
    return format_date(date(2024, 1, number), "EEEE")  # 1 January 2024 was a Monday


@bp.post("/backups")
def backup_now():
    """Start a backup now, into the configured folder; the list shows it when it is done."""
    form = BackupNowForm()
    if not form.validate_on_submit():
        return _render(form, 400)
    if services.get().backups.start_manual():
        flash(_("The backup has started. It is listed below, verified or with the reason it "
                "failed, when it is done; reload the page in a minute."), "info")
    else:
        flash(_("A backup started from this page is still running."), "warning")
    return redirect(url_for("admin.backups_page"))
