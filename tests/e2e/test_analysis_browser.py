"""In headless Chromium: the director opens the sales composition of a demo-like company."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import ARTIFACTS, DEMO_PASSWORD, sign_in


def test_the_director_opens_the_composition_and_drills_down(demo_site, page):
    base, _services = demo_site
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "director", DEMO_PASSWORD)
    expect(page.locator("#grades-panel-title")).to_be_visible()
    expect(page.locator("svg.analysis-trend rect.chart-bar")).to_have_count(5)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#trend-panel-title").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "analysis-dashboard.png"), full_page=True)
    page.click("a[href='/analysis/']")
    page.click("a[href^='/analysis/composition?by=region']")
    expect(page.locator("#composition-table")).to_be_visible()
    chart = page.locator("svg.analysis-chart")
    expect(chart).to_be_visible()
    assert chart.locator("rect.chart-bar").count() >= 2
    # The bars are coloured by the style sheet (no inline style): a real fill, not black.
    fill = chart.locator("rect.chart-bar").first.evaluate("e => getComputedStyle(e).fill")
    assert fill not in ("", "rgb(0, 0, 0)"), fill
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "analysis-composition.png"), full_page=True)
    # The form works without JavaScript: a plain GET with the chosen analysis.
    page.select_option("#analysis-by", "product")
    page.click("form[action='/analysis/composition'] [type=submit]")
    expect(page).to_have_url(f"{base}/analysis/composition?by=product&year=2025&as_of=")
    first = page.locator("#composition-table tbody a").first
    first.click()
    expect(page.locator("#drill-table")).to_be_visible()
    assert errors == [], errors  # no CSP violations or script errors
