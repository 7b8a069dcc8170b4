"""Hold the blueprint of the customer list, card and edits, which the view modules attach to."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("customers", __name__, url_prefix="/customers")
