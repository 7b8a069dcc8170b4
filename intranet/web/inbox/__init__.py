"""The inbox page, its navbar count and the home page's follow-up reminders (issue 14)."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState

from . import mail, views  # noqa: F401
from .blueprint import bp
from .views import inbox_count


@bp.record_once
def _mail_job(state: BlueprintSetupState) -> None:
    """Register the e-mail job with the services when MAIL_SERVER is configured."""
    mail.init_app(state.app)


@bp.app_context_processor
def _badge() -> dict:
    """Give every template ``inbox_count()``: the navbar badge's number."""
    return {"inbox_count": inbox_count}
