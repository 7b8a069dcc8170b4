"""Response headers, the session cookie, safe redirects and the error pages."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from flask import abort
from flask_babel import force_locale

from intranet import create_app
from intranet.archive.errors import Conflict
from intranet.web.auth.routes import safe_next

from .conftest import PASSWORD, STAFF, csrf_token, make_archive, sign_in

HTTPS = "https://localhost"


def session_cookie(response) -> str:
    """Return the Set-Cookie header of the session cookie."""
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def check_headers(response, page: bool = True) -> None:
    """Assert the security headers every response carries."""
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    if page:
        assert response.headers["Cache-Control"] == "no-store"


# --- headers ------------------------------------------------------------------------------

def test_headers_on_pages_errors_and_redirects(web):
    for url, status in [("/login", 200), ("/", 302), ("/no/such/page", 404),
                        ("/logout", 405)]:
        response = web.get(url)
        assert response.status_code == status, url
        check_headers(response)


def test_headers_when_signed_in(signed_in):
    for url, status in [("/", 200), ("/customers/", 200), ("/no/such/page", 404)]:
        response = signed_in.get(url)
        assert response.status_code == status, url
        check_headers(response)


def test_static_files_may_be_cached_but_keep_the_headers(web):
    response = web.get("/static/css/app.css")
    assert response.status_code == 200
    check_headers(response, page=False)
    assert response.headers.get("Cache-Control") != "no-store"


def test_pages_have_no_inline_script_or_style(web, signed_in):
    for url in ("/login", "/no/such/page", "/"):
        page = signed_in.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert " style=" not in page and "<style" not in page, url
        assert not re.search(r"\son[a-z]+=", page), url


def test_hsts_only_over_https(web):
    assert "Strict-Transport-Security" not in web.get("/login").headers
    assert "Strict-Transport-Security" in web.get("/login", base_url=HTTPS).headers


# --- the session cookie ---------------------------------------------------------------------

def test_session_cookie_is_httponly_lax_and_expires(web):
    response = sign_in(web)
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP (a test or a LAN without TLS)
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    lifetime = expires - datetime.now(UTC)
    assert timedelta(hours=7) < lifetime <= timedelta(hours=8)


def test_session_cookie_is_secure_over_https(web):
    page = web.get("/login", base_url=HTTPS)
    assert "Secure" in session_cookie(page)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    response = web.post("/login", base_url=HTTPS,
                        headers={"Referer": f"{HTTPS}/login"},  # Flask-WTF checks it on HTTPS
                        data={"username": "wang.li", "password": PASSWORD,
                              "csrf_token": token.group(1)})
    assert response.status_code == 302
    cookie = session_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_session_cookie_from_another_key_signs_nobody_in(app, web, tmp_path):
    assert sign_in(web).status_code == 302
    cookie = web.get_cookie("session").value
    # Another worker of the same server (one instance folder per archive) with another key.
    other = create_app({"TESTING": True, "ARCHIVE_REPO": str(tmp_path / "archive.git"),
                        "INSTANCE_PATH": app.instance_path, "SECRET_KEY": "another"})
    try:
        client = other.test_client()
        client.set_cookie("session", cookie)
        assert client.get("/").status_code == 302
    finally:
        other.extensions["customer_archive"].close()


# --- safe redirects -------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/%2F%2Fevil.example", "//evil.example/%2F", "/%2F/evil.example",
    "/%5C%5Cevil.example", "/%252F%252Fevil.example", "http:/evil.example", "", None,
    "/\n/evil.example", "/\r\nSet-Cookie: x=1", "JaVaScRiPt:alert(1)", "data:text/html,x",
])
def test_safe_next_refuses_other_sites(app, target):
    with app.test_request_context("/"):
        assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/customers/?q=東方", "/customers/C000001",
                                    "/customers/?q=%E6%9D%B1%E6%96%B9&page=2", "/"])
def test_safe_next_keeps_local_pages(app, target):
    with app.test_request_context("/"):
        assert safe_next(target) == target


def test_the_language_switch_does_not_redirect_away(web):
    token = csrf_token(web, "/login")
    response = web.post("/language", data={"lang": "en", "csrf_token": token,
                                           "next": "//evil.example"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- error pages ------------------------------------------------------------------------------

@pytest.fixture
def error_app(tmp_path):
    """An app run as in production (exceptions become 500 pages), with routes that fail."""
    make_archive(tmp_path / "archive.git").close()
    app = create_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False,
                      "ARCHIVE_REPO": str(tmp_path / "archive.git"),
                      "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test",
                      "MAX_CONTENT_LENGTH": 1024})
    app.extensions["customer_archive"].credentials.set_many(
        [m["username"] for m in STAFF], PASSWORD)

    def explode():
        raise RuntimeError("secret-detail /srv/archive password=hunter2")

    def forbidden():
        abort(403)

    def conflict():
        raise Conflict(fields=["basic.phone"])

    def too_many():
        abort(429)

    for rule, view in [("/test/explode", explode), ("/test/forbidden", forbidden),
                       ("/test/conflict", conflict), ("/test/too-many", too_many)]:
        app.add_url_rule(rule, view.__name__, view)
    yield app
    app.extensions["customer_archive"].close()


def title_in(app, code: int, locale: str) -> str:
    """Return an error page's title as the page should show it in a language."""
    from intranet.web.errors import TITLES

    with app.test_request_context("/"), force_locale(locale):
        return str(TITLES[code])


def error_page(response, code: int) -> str:
    """Assert an error page in the layout and return its text."""
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert "<nav" in page and f"({code})" in page and "<footer" in page
    check_headers(response)
    return page


@pytest.mark.parametrize("url,code", [("/test/forbidden", 403), ("/no/such/page", 404),
                                      ("/logout", 405), ("/test/conflict", 409),
                                      ("/test/too-many", 429)])
def test_error_pages_in_the_layout_and_the_users_language(error_app, url, code):
    client = error_app.test_client()
    assert sign_in(client).status_code == 302
    english = error_page(client.get(url, headers={"Accept-Language": "en"}), code)
    assert '<html lang="en">' in english
    assert title_in(error_app, code, "en") in english
    client.post("/language", data={"lang": "zh_Hant_TW",
                                   "csrf_token": csrf_token(client, "/")})
    chinese = error_page(client.get(url, headers={"Accept-Language": "en"}), code)
    assert '<html lang="zh-Hant-TW">' in chinese
    assert title_in(error_app, code, "zh_Hant_TW") in chinese


def test_500_shows_no_traceback(error_app):
    client = error_app.test_client()
    sign_in(client)
    page = error_page(client.get("/test/explode", headers={"Accept-Language": "en"}), 500)
    for leak in ("Traceback", "RuntimeError", "secret-detail", "hunter2", "/srv/archive",
                 'File "'):
        assert leak not in page
    assert '<html lang="en">' in page


def test_413_for_a_body_too_large(error_app):
    client = error_app.test_client()
    response = client.post("/login", data={"username": "x" * 5000, "password": "y"})
    page = error_page(response, 413)
    assert "username" not in page


def test_400_for_a_missing_csrf_token_writes_nothing(error_app):
    svc = error_app.extensions["customer_archive"]
    before = svc.archive.head()
    client = error_app.test_client()
    response = client.post("/login", data={"username": "wang.li", "password": PASSWORD})
    error_page(response, 400)
    assert client.get("/").status_code == 302
    assert svc.archive.head() == before


def test_429_for_a_locked_username_is_in_the_layout_and_says_when(error_app):
    client = error_app.test_client()
    for _ in range(5):
        sign_in(client, "wang.li", "wrong")
    response = client.post("/login", headers={"Accept-Language": "en"}, data={
        "username": "wang.li", "password": PASSWORD,
        "csrf_token": csrf_token(client, "/login")})
    page = error_page(response, 429)
    assert "Try again after" in page and "seconds" in page
    assert int(response.headers["Retry-After"]) in range(1, 31)


@pytest.fixture
def busy_app(app):
    """The app with a page whose save finds the archive too busy (routes precede requests)."""
    from intranet.archive.repository import Busy

    @app.get("/test-busy")
    def _busy():
        raise Busy("the archive is busy")

    return app


def test_a_busy_archive_answers_503_in_the_layout(busy_app, signed_in):
    response = signed_in.get("/test-busy")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "<nav" in page and "沒有儲存" in page


def test_healthz_says_only_ok_to_anyone_but_the_administrator(app, web, svc):
    stranger = web.get("/healthz")
    assert stranger.status_code == 200 and stranger.get_json() == {"status": "ok"}
    salesperson = app.test_client()
    assert sign_in(salesperson, "wang.li").status_code == 302
    assert salesperson.get("/healthz").get_json() == {"status": "ok"}
    director = app.test_client()
    assert sign_in(director, "director").status_code == 302
    details = director.get("/healthz").get_json()
    assert details == {"status": "ok", "head": svc.archive.head(), "customers": 0}


def test_static_links_carry_their_version_and_only_those_are_kept_for_a_year(web):
    page = web.get("/login").get_data(as_text=True)
    link = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]+))"', page)
    assert link, "the style sheet's link has no version"
    kept = web.get(link.group(1))
    assert kept.status_code == 200
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    check_headers(kept, page=False)
    # Without the version, or with an old one, the browser asks again next time.
    for url in ("/static/css/app.css", "/static/css/app.css?v=0"):
        assert "max-age=31536000" not in web.get(url).headers.get("Cache-Control", ""), url
    # A changed file gets a new link, so nobody keeps a stale copy after an upgrade.
    css = Path(web.application.static_folder) / "css" / "app.css"
    stat = css.stat()
    try:
        os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        again = re.search(r'href="/static/css/app\.css\?v=([0-9a-f]+)"',
                          web.get("/login").get_data(as_text=True))
        assert again and again.group(1) != link.group(2)
    finally:
        os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns))
