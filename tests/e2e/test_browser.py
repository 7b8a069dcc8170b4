"""End to end in headless Chromium (Debian's, driven by Playwright): the day of a salesperson."""

from __future__ import annotations

from playwright.sync_api import expect

from ..conftest import PASSWORD, git
from .conftest import artifact


def test_sign_in_create_edit_history_restore(site, page):
    base, services = site
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(base + "/")
    expect(page).to_have_url(f"{base}/login?next=%2F")
    page.fill("input[name=username]", "wang.li")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] [type=submit]")
    expect(page.locator("h1")).to_contain_text("王立")

    # A new distributor card.
    page.goto(base + "/customers/new")
    page.click("a[href*='card=distributor']")
    page.fill("input[name='basic.name']", "東方貿易股份有限公司")
    page.fill("input[name='basic.phone']", "(02)2531-7099")
    page.fill("input[name='basic.address']", "臺北市中山區中山北路二段113號")
    page.fill("input[name='classification.region']", "北區")
    page.fill("input[name='people-0.name']", "王大明")
    page.click("input[type=submit][name=save]")
    expect(page).to_have_url(f"{base}/customers/C000001")
    expect(page.locator("main")).to_contain_text("王大明")

    # Search finds it by two characters, in Simplified.
    page.goto(base + "/customers/")
    page.fill("input[name=q]", "东方")
    page.press("input[name=q]", "Enter")
    expect(page.locator("table")).to_contain_text("東方貿易股份有限公司")
    page.click("text=東方貿易股份有限公司")

    # Edit the phone.
    page.goto(base + "/customers/C000001/edit")
    page.fill("input[name='basic.phone']", "02-2345-6789")
    page.click("input[type=submit][name=save]")
    expect(page.locator("main")).to_contain_text("02-2345-6789")
    page.screenshot(path=str(artifact("customer-page.png")), full_page=True)
    subject = git(services.archive.path, "log", "-1", "--format=%an|%s").strip()
    assert subject == "王立|更新 C000001 東方貿易股份有限公司：電話"

    # The change is in the history, with its diff; restore the first version.
    page.goto(base + "/customers/C000001/history")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    rows.last.locator("a").first.click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.check("input[name=confirm]")
    page.click("input[type=submit][name=submit]")
    expect(page).to_have_url(f"{base}/customers/C000001")
    expect(page.locator("main")).to_contain_text("(02)2531-7099")
    assert "Action: restore" in git(services.archive.path, "log", "-1", "--format=%B")
    assert errors == [], errors  # no CSP violations or script errors


def test_the_customer_card_prints_without_navigation(site, page):
    base, services = site
    services.files.create({
        **__import__("tests.test_customers", fromlist=["sample"]).sample(),
    }, "wang.li")
    page.goto(base + "/login")
    page.fill("input[name=username]", "wang.li")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] [type=submit]")
    page.goto(base + "/customers/C000001")
    page.emulate_media(media="print")
    # Neither the navbar nor the card's section index is printed.
    assert page.locator("nav").count() == 2
    assert not any(nav.is_visible() for nav in page.locator("nav").all())
    assert not page.locator("text=編輯").first.is_visible()
    expect(page.locator("main")).to_contain_text("東方貿易股份有限公司")
    page.pdf(path=str(artifact("customer-card.pdf")))
