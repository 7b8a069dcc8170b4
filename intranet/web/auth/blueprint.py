"""Hold the blueprint of signing in and out, which the view modules attach to."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)
