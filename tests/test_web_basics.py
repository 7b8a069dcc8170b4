"""The web skeleton: sign-in, headers, error pages, language."""

from __future__ import annotations

from .conftest import csrf_token, sign_in


def test_pages_need_sign_in(web):
    response = web.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_sign_in_and_out(web):
    assert sign_in(web, "wang.li", "wrong password").status_code == 200
    response = sign_in(web)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "王立" in web.get("/").get_data(as_text=True)
    token = csrf_token(web, "/")
    assert web.post("/logout", data={"csrf_token": token}).status_code == 302
    assert web.get("/").status_code == 302


def test_security_headers(signed_in):
    response = signed_in.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_error_page_is_in_the_layout(signed_in):
    response = signed_in.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<nav" in page and "404" in page
