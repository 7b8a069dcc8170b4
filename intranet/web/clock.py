"""Today's date in the office, so the domain can be given "today" instead of reading a clock."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app

from .. import services
from ..archive.errors import CorruptRecord
from ..records.rulebook import zone
from ..records.rulebook.rules import load_rules


def company_zone() -> ZoneInfo:
    """Return the company's time zone from the policy at the archive head."""
    try:
        return zone.company_zone(load_rules(services.get().archive.snapshot()).policy)
    except CorruptRecord:
        return ZoneInfo(zone.DEFAULT_ZONE)  # a broken policy file must not stop the calendar


def zone_name() -> str:
    """Return the company's time zone name (Flask-Babel shows times in it)."""
    return str(company_zone().key)


def today() -> date:
    """Return today in the company's time zone; the ``TODAY`` setting (YYYY-MM-DD) fixes it."""
    return zone.today(company_zone(), current_app.config.get("TODAY"))
