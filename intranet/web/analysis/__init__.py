"""The analyses (R25-R27): compositions by grade, region and product, drill-downs, dashboards."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("analysis", __name__, url_prefix="/analysis")

from . import panels, views  # noqa: E402, F401
