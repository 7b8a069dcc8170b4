"""Hold the customer form's blueprint and the app state its views share (links, throttle, clock)."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app

from ...form_links import FormLinks
from ...throttle import Throttle

bp = Blueprint("customer_form", __name__)
LINKS = "customer_form_links"
THROTTLE = "customer_form_throttle"
# A form of a few dozen short fields; anything much larger is not a customer typing.
MAX_BYTES = 64 * 1024


def links() -> FormLinks:
    """Return the app's link store."""
    return current_app.extensions[LINKS]


def throttle() -> Throttle:
    """Return the counter of unknown links tried from one address."""
    return current_app.extensions[THROTTLE]


def now() -> datetime:
    """Return the time links are judged by; the ``CUSTOMER_FORM_CLOCK`` setting fixes it."""
    clock = current_app.config.get("CUSTOMER_FORM_CLOCK")
    return clock() if clock else datetime.now(UTC)
