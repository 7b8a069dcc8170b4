"""The customer page in Chromium on the demo company: the section index as tabs that keep the
hash (back works), the contact quick-add from the top, "who changed what" with a name, both
cards' forms, and the card's load and save timings (printed, median of five, no assertion)."""

from __future__ import annotations

import statistics
import time

from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, artifact, sign_in

RUNS = 5
NAVIGATION = """() => { const n = performance.getEntriesByType('navigation')[0];
                        return n.loadEventEnd - n.startTime; }"""


def own_file(services, username: str) -> str:
    """Return a demo file kept by ``username`` with people and contacts, at personal level."""
    for path in sorted(services.archive.files("customers/")):
        customer = path.rpartition("/")[2].removesuffix(".yaml")
        record = services.files.load(customer).record or {}
        custody = record.get("custody") or {}
        if custody.get("owner") == username and custody.get("level") == "personal" \
                and record.get("people") and record.get("contacts"):
            return customer
    raise AssertionError(f"the demo gives {username} no file of their own")


def visible(page, selector: str) -> bool:
    return page.locator(selector).is_visible()


def test_the_card_page_its_tabs_quick_add_changes_and_both_forms(demo_site, page):
    base, services = demo_site
    customer = own_file(services, "wang.li")
    url = f"{base}/customers/{customer}"
    errors: list[str] = []  # CSP violations and script errors
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, "wang.li", DEMO_PASSWORD)

    # Tabs: one pane at a time; an index entry sets the hash, and back goes back.
    page.goto(url)
    expect(page.locator("[data-card-tabs].card-tabs")).to_have_count(1)
    assert visible(page, "#card-basic") and not visible(page, "#card-people")
    page.screenshot(path=str(artifact("customer-card.png")))
    page.click("a.card-index-link[href='#card-people']")
    expect(page).to_have_url(f"{url}#card-people")
    assert visible(page, "#card-people") and not visible(page, "#card-basic")
    expect(page.locator("a[href='#card-people']")).to_have_attribute("aria-current", "true")
    page.click("a.card-index-link[href='#card-contacts']")
    expect(page.locator("#card-contacts")).to_be_visible()
    page.emulate_media(media="print")  # paper gets every pane
    assert visible(page, "#card-basic") and visible(page, "#card-people")
    page.emulate_media(media="screen")
    page.go_back()
    expect(page).to_have_url(f"{url}#card-people")
    expect(page.locator("#card-people")).to_be_visible()
    assert not visible(page, "#card-contacts")

    # The contact quick-add from the top: its form opens in reach, the date box focused.
    page.goto(url)
    page.click("a[data-action=contact]")
    expect(page.locator("#card-contacts")).to_be_visible()
    form = page.locator(f"form[action='/customers/{customer}/contacts']")
    box = form.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, box  # no scrolling needed to see it
    assert page.evaluate("document.activeElement.name") == "date"
    form.locator("[name=summary]").fill("電話確認下季訂單")
    form.locator("[type=submit]").click()
    expect(page.locator("#contact-log")).to_contain_text("電話確認下季訂單")
    expect(page.locator("#card-contacts")).to_be_visible()
    assert "電話確認下季訂單" in str(services.files.load(customer).record["contacts"])

    # Who changed what: names under the fields, the newest change being wang.li's own.
    page.goto(url)
    page.click("a.card-index-link[href='#card-people']")
    page.click("a[data-action=changes]")  # the page reloads on the same tab
    expect(page).to_have_url(f"{url}?changes=1#card-people")
    changes = page.locator("#card-people .field-change")
    expect(changes.first).to_be_visible()
    page.screenshot(path=str(artifact("customer-card-changes.png")))
    authors = {v.author_name for v in services.files.history(customer)}
    shown = " ".join(changes.all_inner_texts())
    assert any(name in shown for name in authors), (authors, shown[:200])
    page.click("a.card-index-link[href='#card-contacts']")
    expect(page.locator("#card-contacts")).to_be_visible()

    assert errors == [], errors

    # Both cards' forms ask for their own fields.
    page.goto(f"{base}/customers/new?card=distributor")
    expect(page.locator("[name='characteristics.service_area']")).to_have_count(1)
    expect(page.locator("[name='characteristics.culture']")).to_have_count(0)
    page.screenshot(path=str(artifact("customer-form-distributor.png")), full_page=True)
    page.goto(f"{base}/customers/new?card=terminal")
    expect(page.locator("[name='characteristics.culture']")).to_have_count(1)
    expect(page.locator("[name='characteristics.service_area']")).to_have_count(0)
    page.screenshot(path=str(artifact("customer-form-terminal.png")), full_page=True)

    # Timings: the card's load, and a save (click -> the next page loaded), median of five.
    loads, saves, walls = [], [], []
    for _run in range(RUNS):
        page.goto(url, wait_until="load")
        loads.append(page.evaluate(NAVIGATION))
    for run in range(RUNS):
        page.goto(f"{url}/edit")
        page.fill("[name='basic.fax']", f"02-2531-70{run:02d}")
        started = time.perf_counter()
        with page.expect_navigation(wait_until="load"):
            page.click("input[name=save]")
        walls.append((time.perf_counter() - started) * 1000)
        saves.append(page.evaluate(NAVIGATION))
        expect(page).to_have_url(url)
    blames = []
    for _run in range(RUNS):
        page.goto(f"{url}?changes=1", wait_until="load")
        blames.append(page.evaluate(NAVIGATION))
    figures = (f"card load {statistics.median(loads):.0f} ms, "
               f"save {statistics.median(saves):.0f} ms "
               f"(click to loaded, wall {statistics.median(walls):.0f} ms), "
               f"median of {RUNS}: loads {[round(x) for x in loads]}, "
               f"saves {[round(x) for x in saves]}; with who changed what "
               f"{statistics.median(blames):.0f} ms")
    print(figures)
    artifact("card-timings.txt").write_text(figures + "\n", encoding="utf-8")
