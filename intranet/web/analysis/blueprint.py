"""Hold the blueprint of the analysis pages, which the view modules attach to."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("analysis", __name__, url_prefix="/analysis")
