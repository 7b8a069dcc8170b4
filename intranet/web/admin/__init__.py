"""The administrator's pages (R2, R3, R37, R38): staff, departments, the policy and backups."""

from __future__ import annotations

from . import backup_views, handover_views, policy_views, views  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
