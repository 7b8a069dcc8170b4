"""Hold the blueprint of HR's pages, which the view modules attach to."""
from __future__ import annotations

from flask import Blueprint

# The reports live under /hr; a person's own history at /me/reads, so no username is shadowed.
bp = Blueprint("hr", __name__)
