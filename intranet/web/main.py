"""The home page and the language switch."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, session
from flask_login import current_user, login_required

from ..index import Query
from . import home_panels, i18n, panels  # noqa: F401 - home_panels registers its sections
from .auth.routes import safe_next
from .customers import reading

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    """Show the start page: a search box and the latest changes to customer files."""
    recent = reading.find(Query(sort="updated", desc=True, per_page=10), current_user,
                          only_readable=True)
    return render_template("main/home.html", recent=recent.rows, total=recent.total,
                           panels=panels.build(panels.HOME, current_user)["main"])


@bp.post("/language")
def language():
    """Remember the chosen language in the session and a year-long cookie."""
    chosen = request.form.get("lang", "")
    response = make_response(redirect(safe_next(request.form.get("next"))))
    if chosen in i18n.LANGUAGES:
        session[i18n.COOKIE] = chosen
        response.set_cookie(i18n.COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    return response

