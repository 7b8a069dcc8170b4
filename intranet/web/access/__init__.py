"""Access requests (R34): the form, my requests, the queue of what waits for me, break-glass."""

from __future__ import annotations

from flask import Blueprint

# No url prefix: the pages live under /access, the break-glass form beside the customer page.
bp = Blueprint("access", __name__)

from . import names, panels, proposals, views  # noqa: E402, F401
from .views import may_break_glass, waiting_count  # noqa: E402


@bp.app_context_processor
def _badge() -> dict:
    """Give every template the nav badge's count ``waiting_count()`` and ``may_break_glass()``."""
    return {"waiting_count": waiting_count, "may_break_glass": may_break_glass}
