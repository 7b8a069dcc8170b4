"""The credit page (R28): exceptions to the credit table and the credit review list."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("credit", __name__, url_prefix="/analysis/credit")

from . import home_panels, receivables_views, views  # noqa: E402, F401
