"""Classes and grades (R2, R23, R24): the classification lists and the grade review list."""

from __future__ import annotations

from . import views  # noqa: F401  (the views attach themselves to the blueprint)
from .blueprint import bp

__all__ = ["bp"]
