"""Sign-in and sign-out views."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from .. import users
from . import guard
from .blueprint import bp
from .forms import LoginForm, LogoutForm

# Browsers drop tabs and line breaks inside URLs ("/\t/evil.example" becomes "//evil.example").
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _local_path(target: str) -> bool:
    """Tell whether ``target`` can only mean a path on this host."""
    if not target.startswith("/") or "\\" in target or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a page of this site, else the home page."""
    home = url_for("main.home")
    if not target or _CONTROL.search(target):
        return home
    # Check every decoded form too, in case something on the way decodes it before a browser.
    form = target
    for _round in range(5):
        if not _local_path(form):
            return home
        decoded = unquote(form)
        if decoded == form:
            return target
        form = decoded
    return home


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        address = guard.client_address()
        keys = guard.sign_in_keys(username)
        attempt = guard.throttle().begin(keys)
        if attempt.refused:
            # Refused without looking at the password, so guessing gains nothing.
            return guard.refused(attempt, "sign-in", username)
        # The password is checked even for unknown users, so timing does not tell who exists.
        right = services.get().credentials.check(username, form.password.data)
        user = users.find(username)
        if right and user is not None:
            # This address's failures for the name go; the name's total keeps counting.
            guard.throttle().succeeded(attempt, clear={"user_address": keys["user_address"]})
            users.start_session(user)
            current_app.logger.info("signed in %r from %s", username, address)
            return redirect(safe_next(form.next.data))
        current_app.logger.warning("failed sign-in for %r from %s", username, address)
        flash(_("Wrong username or password."), "danger")
    return render_template("auth/login.html", form=form,
                           demo=current_app.config.get("DEMO") is True)


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST with a CSRF token, so no link on another site can do it)."""
    if LogoutForm().validate_on_submit():
        users.end_session()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
