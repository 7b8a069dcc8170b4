"""End to end in headless Chromium: the department manager changes a file's custody on its
own page, with a reason that the history shows; the edit form shows custody read-only."""

from __future__ import annotations

from playwright.sync_api import expect

from ..conftest import git
from ..test_web_custody import REASON, record
from .conftest import sign_in


def test_the_manager_moves_a_file_to_department_level(site, page):
    base, services = site
    customer = services.files.create(record("personal"), "wang.li")[0]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # The salesperson sees custody on the edit form, but cannot change it there.
    sign_in(page, base, "wang.li")
    page.goto(f"{base}/customers/{customer}/edit")
    expect(page.locator("section.custody-readonly")).to_be_visible()
    assert page.locator("[name^='custody.']").count() == 0
    assert page.locator(f"a[href='/customers/{customer}/custody']").count() == 0
    page.click("form[action='/logout'] [type=submit]")

    sign_in(page, base, "lee.mgr")
    page.goto(f"{base}/customers/{customer}")
    page.click(f"a[href='/customers/{customer}/custody']")
    page.select_option("select[name=level]", "department")
    page.fill("textarea[name=reason]", REASON)
    page.click("input[type=submit][name=submit]")
    expect(page.locator(".current-custody")).to_contain_text("部門")
    message = git(services.archive.path, "log", "-1", "--format=%an|%B")
    assert message.startswith("李經理|保管變更") and f"Reason: {REASON}" in message
    page.goto(f"{base}/customers/{customer}/history")
    expect(page.locator(".custody-reason")).to_contain_text(REASON)
    assert errors == [], errors
