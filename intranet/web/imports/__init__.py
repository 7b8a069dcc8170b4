"""Bringing customers in from a spreadsheet: upload, preview and map, import (one commit)."""

from __future__ import annotations

from . import views  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
