"""The web layer: blueprints, forms and error pages. The only package with Flask views."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from . import (
    access,
    admin,
    analysis,
    auth,
    background,
    clock,
    credit,
    customer_form,
    customers,
    errors,
    grades,
    hr,
    i18n,
    imports,
    inbox,
    main,
    offers,
    security,
    setup,
    static_files,
    status,
    users,
)
from .extensions import babel, csrf, login_manager


def init_app(app: Flask) -> None:
    """Set up the extensions, blueprints, headers and error pages."""
    if app.config.get("TEMPLATE_BYTECODE_CACHE") is not None:
        # Compiled templates shared by every app of a process (the test suite makes
        # thousands); Jinja checks each template's source checksum before using its code.
        app.jinja_options = {**app.jinja_options,
                             "bytecode_cache": app.config["TEMPLATE_BYTECODE_CACHE"]}
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", i18n.TRANSLATIONS)
    babel.init_app(app, default_locale=i18n.DEFAULT, locale_selector=i18n.select_locale,
                   timezone_selector=clock.zone_name)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(users.load)
    security.init_app(app)
    static_files.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    customer_form.init_app(app)
    background.init_app(app)
    offers.init_app(app)
    app.context_processor(i18n.template_globals)
    app.add_template_filter(i18n.localtime, "localtime")
    for blueprint in (auth.bp, main.bp, customers.bp, status.bp, access.bp, admin.bp, hr.bp,
                      customer_form.bp, imports.bp, grades.bp, credit.bp, analysis.bp,
                      inbox.bp):
        app.register_blueprint(blueprint)
    # Last: it looks at the archive, and guards every page until the first administrator exists.
    setup.init_app(app)
