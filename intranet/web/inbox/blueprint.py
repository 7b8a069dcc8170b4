"""Hold the inbox's blueprint, which the view modules attach to."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inbox", __name__)
