"""Sign-in and sign-out views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ... import services
from .. import users
from . import bp
from .forms import LoginForm, LogoutForm


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a page of this site, else the home page."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target.replace("\\", "/"))
    # Only a path on this host: no scheme, no host, no protocol-relative //evil.example.
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        user = users.find(username)
        if user is not None and services.get().credentials.check(username, form.password.data):
            login_user(user)
            return redirect(safe_next(form.next.data))
        current_app.logger.warning("failed sign-in for %r from %s", username, request.remote_addr)
        flash(_("Wrong username or password."), "danger")
    return render_template("auth/login.html", form=form,
                           demo=current_app.config.get("DEMO", False))


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST, so no link on another site can do it)."""
    if LogoutForm().validate_on_submit():
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
