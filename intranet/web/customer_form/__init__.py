"""The customer's own data form (R10): one-time links, the public form, review, a paper form.

The public part (``/form/<token>``) is this blueprint and needs no account; the staff part
(links, review, the blank paper form) attaches itself to the customers blueprint, so its pages
share that blueprint's refusal page and audit sealing.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from flask import Flask, current_app, request

from ...form_links import FormLinks
from ...throttle import Throttle
from . import public_views, staff_views  # noqa: F401  (the views attach themselves)
from .blueprint import LINKS, MAX_BYTES, THROTTLE, bp

__all__ = ["bp"]

_IN_PATH = re.compile(r"/form/[^\s/?\"]+")
# Servers' access logs print every request line; the token must not outlive the link there.
ACCESS_LOGS = ("werkzeug", "gunicorn.access")


class RedactTokens(logging.Filter):
    """Replace the token of a ``/form/<token>`` address in a log line with ``…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message when it holds a form address; never drop it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # malformed: the handler reports it
            return True
        if "/form/" in message:
            record.msg, record.args = _IN_PATH.sub("/form/…", message), ()
        return True


def _limit_body() -> None:
    """Refuse a large body to the public form before anything (CSRF included) parses it."""
    if request.blueprint == bp.name:
        request.max_content_length = int(current_app.config.get("CUSTOMER_FORM_MAX_BYTES")
                                         or MAX_BYTES)


def init_app(app: Flask) -> None:
    """Open the link store and the throttle, both shared by every worker through SQLite."""
    config = app.config
    path = config.get("CUSTOMER_FORM_DB") or str(Path(app.instance_path)
                                                  / "customer_forms.sqlite3")
    app.extensions[LINKS] = FormLinks(path)
    app.extensions[THROTTLE] = Throttle(
        config["SECURITY_DB"], limits={"customer_form": int(
            config.get("CUSTOMER_FORM_MAX_FAILURES") or 20)},
        window=config["LOGIN_WINDOW"], base_delay=config["LOGIN_BACKOFF"],
        max_delay=config["LOGIN_MAX_BACKOFF"], clock=config["LOGIN_CLOCK"])
    # First in line: CSRFProtect's own before_request reads the form.
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body)
    # Flask's own log names the path of a request that failed, too.
    for logger in (*map(logging.getLogger, ACCESS_LOGS), app.logger):
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())

