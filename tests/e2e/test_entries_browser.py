"""End to end in headless Chromium: a contact and an event recorded from the card (the event
kind starts at "please choose"), the contact corrected by its author, the event withdrawn by
the custodian, the card marking both; then an old version restored, the restore page listing
the later entries it keeps, and the card still holding them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from intranet.actions import customers as customer_actions

from ..conftest import git
from ..test_customers import sample
from .conftest import artifact, sign_in


def test_correct_withdraw_and_restore_without_surprises(site, page):
    base, services = site
    files = services.files
    customer = files.create(sample(**{"custody.contacts": ["chen.yu"]}), "wang.li")[0]
    first = files.history(customer)[-1].commit
    loaded = files.load(customer)
    edited = loaded.record
    edited["basic"]["phone"] = "02-8888-1234"
    customer_actions.save(files, "wang.li", customer, edited, loaded.commit)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    card = f"{base}/customers/{customer}"

    # chen.yu, in contact with the file, records a contact and an event from the card.
    sign_in(page, base, "chen.yu")
    page.goto(card + "#contact-log")
    contact_form = page.locator(f"form[action='/customers/{customer}/contacts']")
    contact_form.locator("input[name=date]").fill("2025-06-02")
    contact_form.locator("input[name=summary]").fill("電話詢價")
    contact_form.locator("[type=submit]").click()
    page.goto(card + "#events")
    event_form = page.locator(f"form[action='/customers/{customer}/events']")
    expect(event_form.locator("select[name=kind]")).to_have_value("")  # nothing assumed
    event_form.locator("input[name=date]").fill("2025-05")
    event_form.locator("input[name=summary]").fill("遷址至新竹")
    event_form.locator("[type=submit]").click()
    expect(page.locator("select[name=kind].is-invalid")).to_have_count(1)
    assert files.load(customer).record["events"] == []  # refused without a kind (a 400)
    errors.clear()  # that 400 is the refusal the story expects
    event_form = page.locator("form.entry-form")
    event_form.locator("select[name=kind]").select_option("move")
    event_form.locator("[type=submit]").click()
    expect(page.locator("#event-1")).to_contain_text("遷址至新竹")

    # Its author corrects the contact, with a reason.
    page.goto(card + "#contact-log")
    page.click(f"a[href='/customers/{customer}/contacts/0/correct']")
    page.fill("input[name=summary]", "電話詢價（兩款產品）")
    page.fill("textarea[name=reason]", "摘要漏了產品")
    page.screenshot(path=str(artifact("entries-correct-form.png")), full_page=True)
    page.click("input[type=submit][name=submit]")
    row = page.locator("#contact-1")
    expect(row).to_have_class(re.compile(r"\bentry-corrected\b"))
    expect(row).to_contain_text("電話詢價（兩款產品）")
    expect(row).to_contain_text("摘要漏了產品")
    page.click("form[action='/logout'] [type=submit]")

    # The custodian withdraws the event: struck through, still there.
    sign_in(page, base, "wang.li")
    page.goto(card + "#events")
    page.click(f"a[href='/customers/{customer}/events/0/correct']")
    page.fill("textarea[name=reason]", "記到別家客戶")
    page.click("input[type=submit][name=withdraw]")
    expect(page.locator("#event-1 del")).to_have_text("遷址至新竹")
    assert page.locator("#event-1 del").evaluate(
        "e => getComputedStyle(e).textDecorationLine") == "line-through"
    expect(page.locator("#event-1")).to_contain_text("記到別家客戶")
    page.goto(card + "#contact-log")
    page.locator("#contact-log").screenshot(path=str(artifact("entries-corrected.png")))
    page.goto(card + "#events")
    page.locator("#events").screenshot(path=str(artifact("entries-withdrawn.png")))
    log = git(services.archive.path, "log", "-3", "--format=%an|%s")
    assert log.startswith("王立|撤回 ") and "陳宇|更正 " in log

    # Restoring the first version lists what came later and keeps it.
    page.goto(f"{card}/history/{first}")
    page.click(f"a[href='/customers/{customer}/history/{first}/restore']")
    rows = page.locator(".restore-later-list tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(".restore-later-contacts")).to_contain_text("電話詢價（兩款產品）")
    expect(page.locator(".restore-later-events")).to_contain_text("遷址至新竹")
    page.screenshot(path=str(artifact("restore.png")), full_page=True)
    page.check("input[name=confirm]")
    page.click("input[type=submit][name=submit]")
    expect(page.locator("#contact-1")).to_contain_text("電話詢價（兩款產品）")
    expect(page.locator("#event-1 del")).to_have_text("遷址至新竹")
    record = files.load(customer).record
    assert record["basic"]["phone"] == "(02)2531-7099" and len(record["contacts"]) == 1
    assert "Kept: contacts 1, events 1" in git(services.archive.path, "log", "-1",
                                                "--format=%B")
    assert errors == [], errors
