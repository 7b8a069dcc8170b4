"""Customer views (placeholders until the customer pages are built)."""

from __future__ import annotations

from flask_login import login_required

from . import bp


@bp.get("/")
@login_required
def index():
    """List customers."""
    return "customer list"


@bp.get("/new")
@login_required
def new():
    """Create a customer."""
    return "new customer"
