"""The analyses (R25-R27): compositions by grade, region and product, drill-downs, dashboards."""

from __future__ import annotations

from . import panels, views  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
