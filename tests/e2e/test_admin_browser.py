"""In headless Chromium on the demo company, as the administrator: the policy as a labelled
form (a change proposed and approved, a problem shown next to its field), the staff list by
department names, an audit page a page at a time, and HR's CSV with Chinese column titles."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from intranet.records.rulebook.zone import month_of

from .conftest import DEMO_PASSWORD, artifact, sign_in


def test_the_administrator_runs_the_people_pages(demo_site, browser, page):
    base, services = demo_site
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "director", DEMO_PASSWORD)

    # The policy form: labelled, with units and the policy's own sentences.
    page.goto(f"{base}/admin/policy")
    days = page.locator("input[name=max_grant_days]")
    expect(days).to_have_value("30")
    expect(page.locator("#p-max_grant_days-row .input-group-text")).to_be_visible()
    expect(page.locator("#p-fines-late_update-row")).to_contain_text("每次罰款20元")
    expect(page.locator("a#expert-view")).to_have_attribute("href", "/admin/policy/yaml")
    page.screenshot(path=str(artifact("policy-form.png")))
    expect(page.locator("nav.policy-index a[href='#policy-discipline']")).to_be_visible()
    # Bootstrap scrolls smoothly; jump at once so the screenshot is not taken mid-scroll.
    page.evaluate("document.getElementById('policy-discipline')"
                  ".scrollIntoView({behavior: 'instant'})")
    expect(page.locator("#policy-discipline h2")).to_be_in_viewport()
    page.screenshot(path=str(artifact("policy-form-fines.png")))
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")

    # A bad number is refused next to its field, and nothing is proposed.
    policy_before = services.archive.read("policy.yaml")
    page.fill("input[name='fines.late_update']", "-5")
    page.fill("textarea[name=reason]", "測試")
    page.click("#policy-form [type=submit]")
    problem = page.locator("#p-fines-late_update-row .invalid-feedback")
    expect(problem).to_be_visible()
    expect(page.locator("input[name='fines.late_update']")).to_have_value("-5")
    page.locator("#p-fines-late_update-row").screenshot(
        path=str(artifact("policy-form-error.png")))

    # One number changed: a proposal waits for the general manager, then takes effect.
    page.fill("input[name='fines.late_update']", "20")
    page.fill("input[name=max_grant_days]", "14")
    page.fill("textarea[name=reason]", "縮短查閱授權期限")
    page.click("#policy-form [type=submit]")
    expect(page).to_have_url(f"{base}/policy/proposals/PP000001")
    assert services.archive.read("policy.yaml") == policy_before
    gm = browser.new_context(locale="zh-TW", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(gm, base, "gm", DEMO_PASSWORD)
    gm.goto(f"{base}/policy/proposals/PP000001")
    gm.click("button[name=approve], input[name=approve]")
    gm.context.close()
    page.goto(f"{base}/admin/policy")
    expect(page.locator("input[name=max_grant_days]")).to_have_value("14")

    # The staff list names departments, not their ids.
    page.goto(f"{base}/admin/staff")
    row = page.locator("tr", has_text="wang.li")
    expect(row).to_contain_text("北區業務部")
    expect(row).to_contain_text("王立")
    assert "sales-north" not in row.inner_text()

    # An audit page a page at a time.
    for number in range(1, 71):
        services.journal.record(user="wang.li", customer=f"C{number:06d}", action="view",
                                allowed=True, basis="own", route="customers.show",
                                address="10.0.0.9")
    journal = Path(services.journal.path).read_text().splitlines()
    month = month_of(json.loads(journal[-1])["at"], ZoneInfo("Asia/Taipei"))
    page.goto(f"{base}/hr/wang.li?month={month}")
    expect(page.locator("#entries ~ table tbody tr, table tbody tr").last).to_be_visible()
    page.click("ul.pagination a.page-link:text-is('2')")
    expect(page.locator("li.page-item.active")).to_have_text("2")
    assert "page=2" in page.url
    page.screenshot(path=str(artifact("audit-page-2.png")))

    # HR's CSV: Chinese column titles and Chinese names.
    page.goto(f"{base}/hr/?month={month}")
    with page.expect_download() as waiting:
        page.click(f"a[href='/hr/export.csv?month={month}']")
    raw = Path(waiting.value.path()).read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["月份", "帳號", "姓名"]
    assert any(row[1] == "wang.li" and row[2] == "王立" for row in rows[1:])
    # The refused form answers 400 on purpose; anything else is a CSP or script error.
    assert [e for e in errors if "status of 400" not in e] == [], errors
