"""The company's one time zone (policy key ``timezone``): every date, month and deadline.

Audit stamps are UTC and commits carry their author's offset; a day, a month or a deadline
is always the one lived in the company's zone, so an entry at 2026-11-30T17:00Z is on
1 December in Taipei and counts in December's report. No Flask imports here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Taipei"


def is_zone(name: Any) -> bool:
    """Tell whether ``name`` is an IANA time zone this machine knows, e.g. Asia/Taipei."""
    if not isinstance(name, str) or not name or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_name(policy: Any) -> str:
    """Return the policy's time zone name, or the default when it is missing or unknown."""
    data = getattr(policy, "data", policy)
    name = data.get("timezone") if isinstance(data, dict) else None
    return name if is_zone(name) else DEFAULT_ZONE


def company_zone(policy: Any) -> ZoneInfo:
    """Return the policy's time zone (a Policy or its data)."""
    return ZoneInfo(zone_name(policy))


def moment(value: datetime | str) -> datetime:
    """Return an aware datetime from an aware datetime or ISO text (``Z`` allowed)."""
    when = value if isinstance(value, datetime) else \
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    # A naive time is taken as UTC, as the journal writes it.
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def local_date(value: datetime | str | None, zone: ZoneInfo) -> date | None:
    """Return the company-zone date of a timestamp; None when it is not one."""
    if value is None or value == "":
        return None
    try:
        return moment(value).astimezone(zone).date()
    except (TypeError, ValueError):
        return None


def month_of(value: datetime | str, zone: ZoneInfo) -> str:
    """Return the company-zone month (``YYYY-MM``) of a timestamp, or "" if unreadable."""
    day = local_date(value, zone)
    return day.strftime("%Y-%m") if day else ""


def today(zone: ZoneInfo, fixed: date | str | None = None,
          now: datetime | None = None) -> date:
    """Return today in the company's zone; ``fixed`` (a date or YYYY-MM-DD) wins."""
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return (now or datetime.now(UTC)).astimezone(zone).date()
