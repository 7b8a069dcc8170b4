"""A small browser stand-in for tests against a real server: cookies, forms, redirects off."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request

from .html_forms import read_form


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies and forms against one base URL."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def form(self, path: str, action: str) -> dict[str, str | list[str]]:
        """Return the fields of the form on ``path`` that posts to ``action``."""
        status, page, _ = self.request(path)
        assert status == 200, (path, status)
        fields: dict[str, str | list[str]] = {}
        for name, value in read_form(page, action):
            if name in fields:
                previous = fields[name]
                fields[name] = [*previous, value] if isinstance(previous, list) \
                    else [previous, value]
            else:
                fields[name] = value
        return fields

    def sign_in(self, username: str, password: str) -> None:
        fields = self.form("/login", "/login")
        fields.update(username=username, password=password)
        status, page, _ = self.request("/login", fields)
        assert status == 302, (status, page[:500])
