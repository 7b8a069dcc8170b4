"""HR's monthly audit reports (R20, R35) and everyone's own reading history."""

from __future__ import annotations

from . import (  # noqa: F401
    departures_views,
    discipline_views,
    sharing_views,
    two_contacts_views,
    views,
)
from .blueprint import bp

__all__ = ["bp"]
