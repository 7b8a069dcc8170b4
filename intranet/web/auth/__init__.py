"""Signing in and out, and the throttle that slows down password guessing."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("auth", __name__)

from . import guard, routes  # noqa: E402, F401  (routes attach themselves to the blueprint)


def init_app(app: Flask) -> None:
    """Open the failed-attempt counter shared by every worker process."""
    guard.init_app(app)
