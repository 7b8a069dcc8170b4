"""The web layer: blueprints, forms and error pages. The only package that imports Flask views."""

from __future__ import annotations

from flask import Flask

from . import status


def init_app(app: Flask) -> None:
    """Register the blueprints."""
    app.register_blueprint(status.bp)
