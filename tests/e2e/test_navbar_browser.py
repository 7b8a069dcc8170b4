"""The navbar fits one line at 1280 px for every role in English and both Chinese scripts, its
menus open without Ctrl or a mouse, and what a role cannot do is not in it."""

from __future__ import annotations

from playwright.sync_api import expect

from ..conftest import STAFF
from .conftest import artifact, sign_in

LANGUAGES = ("en", "zh_Hant_TW", "zh_Hans_CN")
# Every item's box, to tell one line from two: the middle of each, the height of each link.
MEASURE = """() => {
  const nav = document.querySelector('nav.navbar');
  const items = [...nav.querySelectorAll('#nav-links > ul > li, #nav-links > form')];
  const links = [...nav.querySelectorAll('#nav-links .nav-link')];
  const line = parseFloat(getComputedStyle(links[0]).lineHeight);
  return {height: nav.getBoundingClientRect().height,
          middles: items.map(e => {
            const r = e.getBoundingClientRect();
            return (r.top + r.bottom) / 2;
          }),
          tallest: Math.max(...links.map(e => e.getBoundingClientRect().height)),
          line: line, texts: links.map(e => e.textContent.trim())};
}"""


def test_the_navbar_is_one_line_for_every_role_and_language(browser, site):
    base, _services = site
    heights = {}
    for member in STAFF:
        context = browser.new_context(locale="zh-TW", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in(page, base, member["username"])
        for language in LANGUAGES:
            # The switch submits itself from app.js (deferred): wait until it is loaded.
            page.wait_for_load_state("load")
            with page.expect_navigation():
                page.select_option("#lang", language)
            box = page.evaluate(MEASURE)
            where = (member["username"], language, box["texts"])
            # Every item on the same line (the sign-out button is smaller, centred alike).
            assert max(box["middles"]) - min(box["middles"]) < 4, (where, box["middles"])
            assert box["tallest"] < 1.5 * box["line"] + 16, where  # no label wraps
            heights[(member["role"], language)] = box["height"]
            if member["username"] == "director":
                page.screenshot(path=str(artifact(f"navbar-director-{language}.png")),
                                clip={"x": 0, "y": 0, "width": 1280, "height": 90})
        context.close()
    # One line is the same height for everyone: no bar is taller than the shortest.
    assert max(heights.values()) - min(heights.values()) < 1, heights


def test_the_menus_open_from_the_keyboard_and_offer_only_what_may_be_done(browser, site):
    base, _services = site
    page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "director")
    menu = page.locator("details.nav-menu", has=page.locator("a[href='/admin/policy']"))
    expect(menu.locator("a[href='/admin/policy']")).to_be_hidden()
    menu.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(menu.locator("a[href='/admin/policy']")).to_be_visible()
    page.keyboard.press("Escape")  # nav.js closes it and gives the focus back
    expect(menu.locator("a[href='/admin/policy']")).to_be_hidden()
    page.context.close()
    # HR may not open customer files: neither the navbar nor the home page offers it.
    page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 900})
    sign_in(page, base, "hr.chen")
    expect(page.locator("a[href='/customers/new']")).to_have_count(0)
    expect(page.locator("a[href='/admin/staff']")).to_have_count(0)
    page.context.close()
    assert errors == [], errors
