"""Customer list, customer pages, editing, history."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("customers", __name__, url_prefix="/customers")

from . import routes  # noqa: E402, F401  (routes attach themselves to the blueprint)
