"""Hold the blueprint of the administrator's pages, which the view modules attach to."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
