"""Customer list, customer pages, editing, history."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("customers", __name__, url_prefix="/customers")

# The view modules attach themselves to the blueprint.
from . import history_views, list_views, record_views  # noqa: E402, F401
from .present import show, when  # noqa: E402


@bp.context_processor
def _helpers() -> dict:
    """Give the customer templates the value and time formatters."""
    return {"show_value": show, "when": when}
