"""The blueprint of access requests, break-glass and policy proposals (its views attach to it)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("access", __name__)
