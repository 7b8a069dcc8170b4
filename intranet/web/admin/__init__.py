"""The administrator's pages (R2, R3, R37): staff, departments and the policy, under /admin."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import handover_views, views  # noqa: E402, F401
