"""The sign-in throttle as the views use it: who is asking, and the page that says "wait"."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, request
from flask_babel import format_datetime, format_timedelta
from flask_babel import gettext as _

from ...throttle import Attempt, Throttle
from ..errors import render_error

EXTENSION = "login_throttle"


def init_app(app: Flask) -> Throttle:
    """Attach a throttle on ``SECURITY_DB`` configured from the ``LOGIN_*`` settings."""
    config = app.config
    throttle = Throttle(
        config["SECURITY_DB"],
        limits={"user_address": config["LOGIN_MAX_FAILURES"],
                "user": config["LOGIN_MAX_USER_FAILURES"],
                "address": config["LOGIN_MAX_ADDRESS_FAILURES"],
                "setup": config["LOGIN_MAX_FAILURES"]},
        window=config["LOGIN_WINDOW"], base_delay=config["LOGIN_BACKOFF"],
        max_delay=config["LOGIN_MAX_BACKOFF"], clock=config["LOGIN_CLOCK"])
    app.extensions[EXTENSION] = throttle
    return throttle


def throttle() -> Throttle:
    """Return the current app's throttle."""
    return current_app.extensions[EXTENSION]


def client_address() -> str:
    """Return the client's address (behind a proxy, configure ProxyFix so this is the client)."""
    return request.remote_addr or "-"


def sign_in_keys(username: str) -> dict[str, str]:
    """Return what a sign-in attempt counts against: the name from this address (locked
    soon), the address (any names), and the name from everywhere (a higher limit, so that
    nobody can lock a colleague out from their own machine)."""
    address = client_address()
    return {"user_address": f"{username}|{address}", "address": address, "user": username}


def refused(attempt: Attempt, what: str, who: str):
    """Log a refused attempt and answer 429 with when to try again."""
    until = attempt.refused_until or 0.0
    seconds = max(1, math.ceil(until - throttle().clock()))
    current_app.logger.warning("refused %s for %r from %s: too many failures, %d s to wait",
                               what, who, client_address(), seconds)
    when = datetime.fromtimestamp(until, UTC)
    message = _("Too many failed attempts. Try again after %(time)s (in %(wait)s).",
                time=format_datetime(when, "short"),
                wait=format_timedelta(timedelta(seconds=seconds), add_direction=False))
    body, code = render_error(429, message)
    return body, code, {"Retry-After": str(seconds)}
