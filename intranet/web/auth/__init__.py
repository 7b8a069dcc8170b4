"""Signing in and out, and the throttle that slows down password guessing."""

from __future__ import annotations

from flask import Flask

from ...revocation import Revocations
from .. import users
from . import guard, routes  # noqa: F401  (routes attach themselves to the blueprint)
from .blueprint import bp

__all__ = ["bp"]


def init_app(app: Flask) -> None:
    """Open the failed-attempt counter and the ended sessions, shared by every worker."""
    guard.init_app(app)
    app.extensions[users.REVOCATIONS] = Revocations(
        app.config["SECURITY_DB"], lifetime=app.permanent_session_lifetime.total_seconds(),
        clock=app.config["LOGIN_CLOCK"])
