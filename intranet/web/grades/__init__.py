"""Classes and grades (R2, R23, R24): the classification lists and the grade review list."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("grades", __name__, url_prefix="/analysis")

from . import views  # noqa: E402, F401  (the views attach themselves to the blueprint)
