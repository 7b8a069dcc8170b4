"""The e-mail job (issue 14): each active member of staff with an address gets one digest of
their inbox items not mailed before, in the company's language, with links to act.

Registered with the services' background jobs only when MAIL_SERVER is set. The sending and
its memory are ``intranet.mailer`` (no Flask); here the items are computed as the inbox page
computes them and worded with the app's translations and links (``MAIL_BASE_URL``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ... import services
from ...actions import inbox
from ...actions.reading import Reader
from ...mailer import Note, Outbox, Settings
from ...records.rulebook import zone
from ...records.rulebook.rules import load_rules
from .. import i18n
from .views import describe

JOB = "mail"


def init_app(app: Flask) -> Outbox | None:
    """Register the mail job when MAIL_SERVER is configured; return its outbox."""
    settings = Settings.from_config(app.config)
    if settings is None:
        return None
    svc = app.extensions[services.EXTENSION]
    outbox = Outbox(settings, app.config["MAIL_DB"], app.config.get("SYSTEM_NAME") or "")
    svc.mail = outbox
    svc.jobs.add(JOB, lambda: outbox.try_pass(lambda: mail_pass(app, outbox)),
                 every=float(app.config["MAIL_CHECK_SECONDS"]), delay=30.0)
    return outbox


def mail_pass(app: Flask, outbox: Outbox, today: date | None = None) -> int:
    """Mail every member of staff their new inbox items; return how many messages went."""
    svc = app.extensions[services.EXTENSION]
    sent = 0
    with app.test_request_context(base_url=app.config.get("MAIL_BASE_URL") or None), \
            force_locale(i18n.DEFAULT):
        rules = load_rules(svc.archive.snapshot())
        day = today or zone.today(zone.company_zone(rules.policy), app.config.get("TODAY"))
        for member in rules.directory.staff:
            username = str(member.get("username") or "")
            address = str(member.get("email") or "")
            if not username or not address or not rules.directory.is_active(username):
                continue
            ctx = inbox.Context(Reader(svc, username), username, day, backups=svc.backups,
                                mail=outbox)
            notes = [Note(item.key, _line(item)) for item in inbox.items(ctx)]
            if outbox.deliver(username, address, notes, _subject(app), _body(member)):
                sent += 1
    return sent


def _line(item: inbox.Item) -> str:
    """Return one item as lines of the mail: the file, what waits, the link."""
    head = f"{item.name}：" if item.name else ""
    link = url_for(item.endpoint, _external=True, **item.args)
    return f"{head}{describe(item.what, item.params)}\n{link}"


def _subject(app: Flask) -> Any:
    """Return the function that writes the subject of a digest of new notes."""
    def subject(new: list[Note]) -> str:
        return f"[{app.config.get('SYSTEM_NAME') or ''}] " + _(
            "%(count)s new items wait for you", count=len(new))
    return subject


def _body(member: dict[str, Any]) -> Any:
    """Return the function that writes the digest of a person's new notes."""
    def compose(new: list[Note]) -> str:
        lines = [_("Dear %(name)s,", name=member.get("name") or member.get("username")), "",
                 _("These items wait for you in the customer files:"), ""]
        for number, note in enumerate(new, start=1):
            lines += [f"{number}. {note.text}", ""]
        lines.append(_("This message is sent once per item; the inbox lists everything."))
        return "\n".join(lines) + "\n"
    return compose
