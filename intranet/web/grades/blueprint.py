"""The blueprint of the classification lists and grades review (its views attach to it)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("grades", __name__, url_prefix="/analysis")
