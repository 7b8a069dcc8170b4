"""Static files the browser keeps: every link carries the file's version, so it can be cached.

Without this a browser asks again for each style sheet and script on every page (nine
conditional requests for the customer page). ``url_for('static', …)`` adds ``v=`` — the
file's size and modification time — and a response to a link with the current version may be
kept for a year: a changed file gets a new link, so nobody sees a stale one after an upgrade.
"""

from __future__ import annotations

import os

from flask import Flask, Response, current_app, request

YEAR = 365 * 24 * 3600


def version(filename: str) -> str:
    """Return a short version of a static file (empty when it does not exist)."""
    folder = current_app.static_folder or ""
    try:
        stat = os.stat(os.path.join(folder, filename))
    except (OSError, ValueError):
        return ""
    return f"{stat.st_mtime_ns:x}{stat.st_size:x}"[-12:]


def _add_version(endpoint: str | None, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        found = version(str(values["filename"]))
        if found:
            values["v"] = found


def _keep(response: Response) -> Response:
    if request.endpoint == "static" and response.status_code in (200, 304):
        asked = request.args.get("v")
        if asked and asked == version(str((request.view_args or {}).get("filename", ""))):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def init_app(app: Flask) -> None:
    """Version the static links and let browsers keep what a versioned link serves."""
    app.url_defaults(_add_version)
    app.after_request(_keep)
