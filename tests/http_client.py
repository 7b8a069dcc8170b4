"""A small browser stand-in for tests against a real server: cookies, forms, redirects off."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FormParser(HTMLParser):
    """Collect the named controls of every form on a page, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"] if self.forms else {}
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "image", "file"):
                fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            # A single select sends its selected option, else its first one.
            if self._multiple:
                if "selected" in a:
                    fields.setdefault(self._select, []).append(a.get("value", ""))
            elif "selected" in a or self._select not in fields:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            # Browsers drop the one newline that follows <textarea>.
            current = self.forms[-1]["fields"][self._textarea]
            if not current:
                data = data.removeprefix("\r\n").removeprefix("\n")
            self.forms[-1]["fields"][self._textarea] = current + data


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

    def form(self, path: str, index: int = -1, action_contains: str = "") -> dict:
        """Return the fields of a form on a page (the last, or the one whose action matches)."""
        status, page, _ = self.request(path)
        assert status == 200, (path, status)
        parser = FormParser()
        parser.feed(page)
        forms = [f for f in parser.forms if action_contains in f["action"]]
        return dict(forms[index]["fields"])

    def sign_in(self, username: str, password: str) -> None:
        fields = self.form("/login", action_contains="/login")
        fields.update(username=username, password=password)
        status, page, _ = self.request("/login", fields)
        assert status == 302, (status, page[:500])
