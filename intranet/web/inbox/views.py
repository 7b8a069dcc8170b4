"""Thin views over ``actions.inbox``: the page, the navbar count and the home reminders."""

from __future__ import annotations

import logging
from typing import Any

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ... import services
from ...actions import inbox
from .. import clock
from ..customers import reading
from ..panels import home_panel
from .blueprint import bp

log = logging.getLogger(__name__)


def context() -> inbox.Context:
    """Return this request's inbox context for the signed-in person."""
    if "inbox_context" not in g:
        g.inbox_context = inbox.Context(reading.reader(), str(current_user.username),
                                        clock.today(), backups=services.get().backups,
                                        mail=services.get().mail)
    return g.inbox_context


def describe(what: str, params: dict[str, Any]) -> str:
    """Return an item's message in the reader's language (nested messages too)."""
    filled = {k: describe(*v) if isinstance(v, tuple) else v for k, v in params.items()}
    return _(what).format(**filled)


def _shown(item: inbox.Item) -> dict[str, Any]:
    """Return what the page shows of an item: text, file name, since, link."""
    return {"kind": item.kind, "text": describe(item.what, item.params), "name": item.name,
            "since": item.since, "overdue": item.overdue,
            "link": url_for(item.endpoint, **item.args)}


def waiting() -> list[inbox.Item]:
    """Return the signed-in person's items, once per request."""
    if "inbox_items" not in g:
        g.inbox_items = inbox.items(context())
    return g.inbox_items


def inbox_count() -> int:
    """Return how many items wait for the signed-in person (the navbar badge)."""
    if not getattr(current_user, "is_authenticated", False):
        return 0
    try:
        return len(waiting())
    except Exception:  # a badge must never break a page
        log.exception("inbox count")
        return 0


@bp.get("/inbox")
@login_required
def index():
    """List everything that waits for me, kind by kind, with a link to act on each."""
    return render_template("inbox/index.html", items=[_shown(i) for i in waiting()],
                           kinds=KIND_TITLES)


KIND_TITLES = {inbox.REQUEST: _l("Access requests to sign"),
               inbox.POLICY: _l("Policy proposals to decide"),
               inbox.FORM: _l("Customer forms to review"), inbox.HANDOVER: _l("Hand-over tasks"),
               inbox.FOLLOWUP: _l("Planned contacts due"),
               inbox.DISCIPLINE: _l("Overdue hand-overs"), inbox.BACKUP: _l("Backups"),
               inbox.MAIL: _l("E-mail")}


@home_panel("main/_followups.html", order=15)
def followups_panel(user: Any) -> dict[str, Any] | None:
    """My due and overdue planned contacts, the newest obligation first."""
    found = [_shown(i) for i in inbox.due_followups(context())]
    return {"items": found} if found else None
