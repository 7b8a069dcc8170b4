"""Accessibility: axe-core (from npm, pinned in package.json) finds no violation of any impact
on the main pages of every role of the demo company, in Chromium at 1280 px.

axe is injected with ``page.evaluate(source)``: that runs through the DevTools protocol, which
the page's Content-Security-Policy does not govern, so the pages are checked exactly as served
(an injected <script> element would be blocked by ``script-src 'self'``, and ``bypass_csp``
would check a page the CSP no longer shapes).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import DEMO_PASSWORD, sign_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# One account of every role of the demo company.
ACCOUNTS = ("director", "gm", "vp", "hr", "chen.manager", "wang.li", "liu.yiting")
CARD = re.compile(r"/customers/C\d+")
# Pages every role has besides its navbar's (the same for all: checked for two roles, whose
# 403 pages differ: "needs a request" and "not allowed"); a file nobody has answers 403.
ALWAYS = ("/me/reads", "/access/new", "/customers/C999999")
ALWAYS_FOR = ("wang.li", "hr")
# Open every <details> (navbar menus, folded sections) so axe checks what they hold too.
OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.html.slice(0, 160))}));
}"""


def axe_source() -> str:
    """Return axe-core's script; fail (never skip) when npm has not installed it."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE}): run npm ci")
    return AXE.read_text(encoding="utf-8")


def main_pages(page, base: str, username: str) -> list[str]:
    """Return a role's main pages: its navbar's, a card with its edit form and history."""
    page.goto(base + "/")
    nav = page.eval_on_selector_all(
        "nav.navbar a[href]", "els => els.map(e => e.getAttribute('href'))")
    pages = [p for p in nav if p.startswith("/")]
    if "/customers/new" in pages:
        pages.append("/customers/new?card=distributor")
    page.goto(base + "/customers/")
    listed = page.eval_on_selector_all(
        "table a[href]", "els => els.map(e => e.getAttribute('href'))")
    card = next((href for href in listed if CARD.fullmatch(href)), None)
    if card:
        pages += [card, card + "/edit", card + "/history"]
    return list(dict.fromkeys([*pages, *(ALWAYS if username in ALWAYS_FOR else ())]))


@pytest.mark.parametrize("username", ACCOUNTS)
def test_axe_finds_no_violation_on_the_main_pages_of_every_role(browser, demo_site, username):
    base, _services = demo_site
    source = axe_source()
    found: list[str] = []
    context = browser.new_context(locale="zh-TW", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base, username, DEMO_PASSWORD)
    pages = main_pages(page, base, username)
    for path in pages:
        response = page.goto(base + path)
        assert response is not None and response.status < 500, (username, path)
        page.evaluate(OPEN_DETAILS)
        page.evaluate(source)
        for v in page.evaluate(RUN_AXE):
            nodes = "\n      ".join(v["nodes"])
            found.append(f"{username} {path}: {v['id']} ({v['impact']}) {v['help']}"
                         f"\n      {nodes}")
    context.close()
    assert len(pages) >= 5, pages  # the walk really went through the role's pages
    assert found == [], "axe found violations:\n" + "\n".join(found)
