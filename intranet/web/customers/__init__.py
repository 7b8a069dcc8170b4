"""Customer list, customer pages, editing, history."""

from __future__ import annotations

from flask import Response
from flask_babel import lazy_gettext as _l

from ..errors import render_error, render_hidden
from . import (  # noqa: F401  (view modules and the panels they register)
    card_views,
    correction_views,
    credit_views,
    custody_views,
    discipline_panels,
    document_views,
    duplicate_views,
    entry_views,
    export_views,
    figures_views,
    history_views,
    list_views,
    overdue_views,
    prospect_views,
    record_views,
    sales_power_due,
    tasks_panel,
)
from .blueprint import bp
from .present import show, when
from .reading import AuditDown, Hidden, seal_if_due


@bp.errorhandler(Hidden)
def _hidden(error: Hidden) -> tuple[str, int]:
    """Answer a hidden file and a missing one the same way: 403 and no field of the file."""
    return render_hidden(error)


@bp.errorhandler(AuditDown)
def _audit_down(error: AuditDown) -> tuple[str, int, dict]:
    """Refuse the read when it cannot be recorded (R35: no unrecorded reads)."""
    body, code = render_error(503, _l("The read-audit journal cannot be written, so no customer "
                                      "file can be shown. Tell the administrator."))
    return body, code, {"Retry-After": "60"}


@bp.after_request
def _seal(response: Response) -> Response:
    """Seal the audit journal into the archive once a day, after a journalled request."""
    seal_if_due()
    return response


@bp.context_processor
def _helpers() -> dict:
    """Give the customer templates the value and time formatters."""
    return {"show_value": show, "when": when}
