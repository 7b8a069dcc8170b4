"""Today's date in the office, so the domain can be given "today" instead of reading a clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> date:
    """Return today in the office's time zone; the ``TODAY`` setting (YYYY-MM-DD) fixes it."""
    fixed = current_app.config.get("TODAY")
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC"
    return datetime.now(ZoneInfo(zone)).date()
