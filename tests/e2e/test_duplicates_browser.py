"""End to end in headless Chromium: the new-customer form warns of an existing file with the
same company under another spelling; ticking "a different customer" creates it anyway."""

from __future__ import annotations

from playwright.sync_api import expect

from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_record

from .conftest import sign_in


def test_new_form_warns_then_creates_anyway(site, page):
    base, services = site
    existing = services.files.create(new_record("distributor", **{
        "basic.name": "臺灣水泥股份有限公司", "basic.phone": "(02)2531-7099",
        "basic.address": "臺北市", "classification.region": "北區",
        "custody.owner": "wang.li", "custody.department": "sales"}), "wang.li")[0]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "wang.li")
    page.goto(f"{base}/customers/new?card=distributor")
    page.fill("input[name='basic.name']", "台湾水泥(股)公司")
    page.fill("input[name='basic.phone']", "+886 2 2531 7099")
    page.fill("input[name='basic.address']", "臺中市")
    page.fill("input[name='classification.region']", "中區")
    # While typing, the script asks the server and says so at once (no save yet).
    expect(page.locator("#duplicate-live .duplicate-live")).to_contain_text(existing)
    page.click("form.customer-form button[name=save]:not(.visually-hidden), "
               "form.customer-form input[name=save]")
    warning = page.locator(".duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning.locator(f"a[href='/customers/{existing}']")).to_be_visible()
    head = services.archive.head()
    # The typed values came back in the form; the box says it is another customer.
    assert page.input_value("input[name='basic.name']") == "台湾水泥(股)公司"
    page.check("input[name=create_anyway]")
    page.click("form.customer-form button[name=save]:not(.visually-hidden), "
               "form.customer-form input[name=save]")
    expect(page.locator("h1")).to_contain_text("台湾水泥(股)公司")
    created = page.url.rstrip("/").rsplit("/", 1)[1]
    assert created != existing and services.archive.head() != head
    assert services.archive.snapshot().get(customer_path(created)) is not None
    assert errors == [], errors
