"""What the templates may offer a signed-in person: the access module's answers, per request.

Templates never test role names: a button or link for an action a person cannot take is not
shown at all, and the answer comes from ``records.rights.access`` (through the customers' reader).
"""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user

from .customers import reading


def may_create_customers() -> bool:
    """Tell whether the signed-in person may open new customer files (asked once a request)."""
    if not getattr(current_user, "is_authenticated", False):
        return False
    if "_may_create_customers" not in g:
        g._may_create_customers = reading.may_create(current_user)
    return bool(g._may_create_customers)


def init_app(app: Flask) -> None:
    """Give every template the helpers."""
    app.context_processor(lambda: {"may_create_customers": may_create_customers})
