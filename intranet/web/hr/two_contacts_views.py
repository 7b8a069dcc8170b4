"""Important and promising customers short of staff in contact (R31): a list for managers.

Built from the index; only files the viewer may read are listed (their grade and stage are
contents), and a department manager sees their departments only.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from flask_login import current_user, login_required

from ... import services
from ...index import followups
from ...records.conduct import two_contacts
from ..clock import today
from ..customers.reading import actor, department_name, readable, rules
from .blueprint import bp
from .views import _name


def scope_of(user: Any) -> two_contacts.Scope:
    """Return whose important customers the user sees."""
    r = rules()
    return two_contacts.viewer_scope(actor(user), r.policy, r.directory)


@bp.app_context_processor
def _nav() -> dict:
    """Give every template ``may_see_two_contacts()`` (for the links)."""

    def may_see_two_contacts() -> bool:
        return bool(current_user.is_authenticated) and bool(scope_of(current_user))

    return {"may_see_two_contacts": may_see_two_contacts}


@bp.get("/discipline/two-contacts")
@login_required
def two_contacts_page() -> str:
    """List important or promising customers with too few contacts or a quiet contact."""
    scope = scope_of(current_user)
    if not scope:
        abort(403)
    policy, day = rules().policy, today()
    departments = None if scope.everyone else scope.departments

    def gaps(can: tuple[str, list[Any]]) -> list[two_contacts.Shortfall]:
        rows, last = followups.important_files(services.get().index, can, departments)
        return [gap for row in rows if (gap := two_contacts.shortfall(
            row, last.get(row["customer"], {}), policy, day))]

    found = gaps(readable(current_user))
    # Files in scope the viewer may not read are only counted: their grade is contents.
    hidden = len(gaps(("1", []))) - len(found)
    return render_template("hr/two_contacts.html", gaps=found, hidden=hidden,
                           rule=policy.two_contacts, everyone=scope.everyone, names=_name,
                           department_name=department_name)
