"""客戶檔案 — the customer file archive of a small company's intranet."""

from __future__ import annotations

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Create the intranet application."""
    from . import cli, config, services, web

    # Tests (and operators running several archives) may place the instance folder elsewhere.
    instance = (test_config or {}).get("INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance,
                template_folder="../templates", static_folder="../static")
    config.load(app, test_config)
    services.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
