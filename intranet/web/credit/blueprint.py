"""Hold the blueprint of the credit pages, which the view modules attach to."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("credit", __name__, url_prefix="/analysis/credit")
