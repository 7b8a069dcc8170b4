"""Access requests (R34): the form, my requests, the queue of what waits for me, break-glass."""

from __future__ import annotations

from . import names, panels, proposals, views  # noqa: F401

# No url prefix: the pages live under /access, the break-glass form beside the customer page.
from .blueprint import bp
from .views import may_break_glass, waiting_count


@bp.app_context_processor
def _badge() -> dict:
    """Give every template the nav badge's count ``waiting_count()`` and ``may_break_glass()``."""
    return {"waiting_count": waiting_count, "may_break_glass": may_break_glass}
