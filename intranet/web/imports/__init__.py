"""Bringing customers in from a spreadsheet: upload, preview and map, import (one commit)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/import")

from . import views  # noqa: E402, F401
