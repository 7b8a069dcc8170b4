"""The administrator's pages (R2, R3, R37, R38): staff, departments, the policy and backups."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import backup_views, handover_views, policy_views, views  # noqa: E402, F401
