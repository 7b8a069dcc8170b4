"""The customer's own data form in headless Chromium: a link made, filled in without JavaScript
and without an account, then reviewed field by field (R10)."""

from __future__ import annotations

from playwright.sync_api import expect

from ..conftest import PASSWORD, git
from ..test_web_customers import make
from .conftest import ARTIFACTS


def test_link_fill_in_and_review(site, page):
    base, services = site
    customer = make(services, **{"basic.name": "東方貿易股份有限公司",
                                 "basic.phone": "02-2531-7099"})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/login")
    page.fill("input[name=username]", "wang.li")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] [type=submit]")
    page.goto(f"{base}/customers/{customer}")
    page.click(f"a[href='/customers/{customer}/form-links']")
    page.click("input[type=submit][name=create]")
    link = page.input_value("#form-link")
    assert link.startswith(f"{base}/form/")

    # The customer: another browser, no account, no JavaScript.
    other = page.context.browser.new_context(locale="zh-TW", java_script_enabled=False,
                                             viewport={"width": 1280, "height": 900})
    customer_page = other.new_page()
    customer_page.on("console",
                     lambda m: errors.append(m.text) if m.type == "error" else None)
    customer_page.goto(link)
    expect(customer_page.locator("main")).not_to_contain_text("東方貿易")
    customer_page.fill("input[name='basic.phone']", "(02)2222-3333")
    customer_page.fill("input[name='characteristics.employees']", "１,２００")
    customer_page.fill("input[name=submitted_by]", "張三")
    ARTIFACTS.mkdir(exist_ok=True)
    customer_page.screenshot(path=str(ARTIFACTS / "customer-form-public.png"), full_page=True)
    customer_page.click("input[type=submit][name=send]")
    expect(customer_page.locator("h1")).to_be_visible()
    assert customer_page.url == link
    assert errors == [], errors  # no CSP violations
    refused = customer_page.goto(link)  # used: the refusal page, with no form
    assert refused.status == 404 and customer_page.locator("main form").count() == 0
    other.close()
    errors.clear()

    # The custodian reviews: accept the phone, reject the number of employees.
    page.goto(f"{base}/customers/{customer}")
    page.click(f"a[href^='/customers/{customer}/proposals/']")
    page.check("#accept-0")
    page.check("#reject-1")
    page.screenshot(path=str(ARTIFACTS / "customer-form-review.png"), full_page=True)
    page.click("input[type=submit][name=save]")
    expect(page).to_have_url(f"{base}/customers/{customer}")
    expect(page.locator("main")).to_contain_text("(02)2222-3333")
    message = git(services.archive.path, "log", "-1", "--format=%an|%B")
    assert message.startswith("王立|") and "Source: customer_form" in message
    assert services.files.load(customer).record["characteristics"]["employees"] is None
    assert errors == [], errors  # no CSP violations or script errors
