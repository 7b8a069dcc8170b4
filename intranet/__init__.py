"""客戶檔案 — the customer file archive of a small company's intranet."""

from __future__ import annotations

import os
import sys

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Create the intranet application."""
    from . import cli, config, services, web
    from .instance import InstanceConflict

    # Tests (and operators running several archives) may place the instance folder elsewhere.
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("INTRANET_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance,
                template_folder="../templates", static_folder="../static")
    config.load(app, test_config)
    from .backup_cli import is_restore_run

    if is_restore_run(sys.argv):
        # `flask restore` on a fresh machine: opening the configured archive would create it.
        cli.init_app(app)
        return app
    if app.config.get("PROXY_FIX"):
        # Behind one reverse proxy that terminates HTTPS: trust its X-Forwarded-* headers, so
        # cookies are Secure and sign-in throttling sees the real client address.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    try:
        services.init_app(app)
    except InstanceConflict as exc:
        import click

        if click.get_current_context(silent=True) is None:
            raise  # a server: the traceback in its log ends with the message
        # A `flask` command: one clear line instead of a traceback.
        from flask.cli import NoAppException

        raise NoAppException(str(exc)) from exc
    web.init_app(app)
    cli.init_app(app)
    return app
