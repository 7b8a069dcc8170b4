"""Hold the blueprint of spreadsheet imports, which the view modules attach to."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/import")
