"""HR's monthly audit reports (R20, R35) and everyone's own reading history."""

from __future__ import annotations

from flask import Blueprint

# The reports live under /hr; a person's own history at /me/reads, so no username is shadowed.
bp = Blueprint("hr", __name__)

from . import (  # noqa: E402, F401
    departures_views,
    discipline_views,
    sharing_views,
    two_contacts_views,
    views,
)
