"""The inbox in headless Chromium on the demo company (issue 14): a department manager with
waiting items sees the navbar count, opens the inbox and follows a link to act; a salesperson
plans a next contact on the card and finds it among the home page's reminders. The inbox page's
load time (median of five, Navigation Timing) is printed for docs/performance.md."""

from __future__ import annotations

import statistics

from playwright.sync_api import expect

from intranet.index import Query

from .conftest import DEMO_PASSWORD, DEMO_TODAY, artifact, sign_in

LOAD = ("() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; }")


def test_waiting_items_are_counted_listed_and_followed(demo_site, page):
    base, services = demo_site
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, base, "chen.manager", DEMO_PASSWORD)
    count = page.locator("#nav-inbox .inbox-count")
    expect(count).to_be_visible()
    waiting = int(count.get_attribute("data-count"))
    assert waiting > 0
    page.click("#nav-inbox")
    expect(page.locator(".inbox-item")).to_have_count(waiting)
    expect(page.locator("#inbox-request")).to_be_visible()  # an access request to sign
    page.screenshot(path=artifact("inbox.png"), full_page=True)
    timings = []
    for _ in range(5):
        page.goto(f"{base}/inbox")
        timings.append(page.evaluate(LOAD))
    print(f"\ninbox page load in Chromium (demo, chen.manager, {waiting} items): median "
          f"{statistics.median(timings):.0f} ms of {[round(t) for t in timings]}")
    link = page.locator("section[aria-labelledby=inbox-request] .inbox-item a").first
    target = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(base + target)
    expect(page.locator("main h1")).to_be_visible()

    # A salesperson plans the next contact for today: the home page reminds them of it.
    page.click("form[action='/logout'] [type=submit]")
    sign_in(page, base, "wang.li", DEMO_PASSWORD)
    before = int(page.locator("#nav-inbox .inbox-count").get_attribute("data-count") or 0) \
        if page.locator("#nav-inbox .inbox-count").count() else 0
    mine = services.index.find(Query(owner="wang.li", per_page=1)).rows[0]
    page.goto(f"{base}/customers/{mine['id']}#contact-log")
    form = page.locator(f"form[action='/customers/{mine['id']}/contacts']")
    form.locator("input[name=summary]").fill("電話確認報價")
    form.locator("input[name=next_contact]").fill(DEMO_TODAY.isoformat())
    form.locator("[type=submit][name=submit]").click()
    expect(page.locator("#contact-log .next-contact").first).to_contain_text(
        DEMO_TODAY.isoformat())
    page.goto(base + "/")
    reminders = page.locator("#followups")
    expect(reminders).to_contain_text(str(mine["name"]))
    expect(page.locator("#nav-inbox .inbox-count")).to_have_attribute(
        "data-count", str(before + 1))
    reminders.scroll_into_view_if_needed()
    page.screenshot(path=artifact("inbox-home-reminders.png"))
    reminders.locator("a").first.click()
    expect(page).to_have_url(f"{base}/customers/{mine['id']}#contact-log")
    assert errors == [], errors
