"""Read a page's forms the way a browser would submit them (shared by the web tests)."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Forms(HTMLParser):
    """Collect every form of a page with the values a browser would submit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict, list[tuple[str, str]]]] = []
        self._select: tuple[str, bool, list[tuple[str, bool]]] | None = None
        self._option: str | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append((a, []))
        if not self.forms:
            return
        fields = self.forms[-1][1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "reset"):
                fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = (a.get("name", ""), "multiple" in a, [])
        elif tag == "option" and self._select is not None:
            self._select[2].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = [a.get("name", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            name, multiple, options = self._select
            chosen = [v for v, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]
            self.forms[-1][1].extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # HTML drops the newline right after <textarea>, as browsers do.
            self.forms[-1][1].append((name, re.sub(r"^\r?\n", "", text)))
            self._textarea = None


def read_form(html: str, action: str) -> list[tuple[str, str]]:
    """Return the fields of the form posting to ``action`` as a browser would send them."""
    parser = _Forms()
    parser.feed(html)
    for attrs, fields in parser.forms:
        if attrs.get("action", "").split("?")[0] == action:
            return list(fields)
    raise AssertionError(f"no form posting to {action}")


_TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*"')


def page_shape(html: str, *ids: str) -> str:
    """Return a page with its CSRF tokens blanked and the given customer ids as "ID".

    A token carries the second it was made, so two pages served across a second's turn differ
    there and nowhere else; comparing shapes says whether the pages tell anything apart.
    """
    html = _TOKEN.sub(r'\1"', html)
    for customer_id in ids:
        html = html.replace(customer_id, "ID")
    return html
