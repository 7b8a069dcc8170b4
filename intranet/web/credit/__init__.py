"""The credit page (R28): exceptions to the credit table and the credit review list."""

from __future__ import annotations

from . import home_panels, receivables_views, views  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
