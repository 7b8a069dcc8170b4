"""In headless Chromium: the printable card prints without navigation, and the list's export
links download a workbook openpyxl opens."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from ..test_web_card import FILLED
from ..test_web_customers import make
from .conftest import ARTIFACTS, sign_in


def test_the_card_prints_on_a4_without_navigation(site, page):
    base, services = site
    customer = make(services, **FILLED)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "wang.li")
    page.goto(f"{base}/customers/{customer}")
    page.click(f"a[href='/customers/{customer}/card']")
    expect(page).to_have_url(f"{base}/customers/{customer}/card")
    expect(page.locator("h1#sheet-title")).to_have_text("經銷商客戶檔案卡")
    assert page.locator("nav").first.is_visible()
    assert page.locator("[data-print]").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("nav").first.is_visible()
    assert not page.locator("[data-print]").is_visible()
    assert not page.locator("footer.site-footer, body > footer").first.is_visible()
    expect(page.locator("article.sheet")).to_contain_text("東方貿易股份有限公司")
    expect(page.locator("article.sheet")).to_contain_text("月結60天")
    expect(page.locator(".sheet-sign")).to_be_visible()  # the signature lines print too
    # A blank field is a line to write on: a bottom border and some height.
    blank = page.locator("td.sheet-blank[data-path='basic.fax']")
    assert blank.evaluate("e => getComputedStyle(e).borderBottomStyle") == "solid"
    assert blank.bounding_box()["height"] > 20
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "customer-card-a4.pdf"), format="A4")
    page.screenshot(path=str(ARTIFACTS / "customer-card-print.png"), full_page=True)
    assert errors == [], errors  # no CSP violations or script errors


def test_the_list_downloads_a_workbook(site, page):
    base, services = site
    ids = [make(services, **{"basic.name": name}) for name in ("東方貿易", "=HYPERLINK(\"x\")")]
    sign_in(page, base, "wang.li")
    page.goto(f"{base}/customers/?q=東方")
    link = page.locator("a[href^='/customers/export.xlsx']")
    assert link.get_attribute("href") == "/customers/export.xlsx?q=%E6%9D%B1%E6%96%B9"
    with page.expect_download() as waiting:
        link.click()
    body = Path(waiting.value.path()).read_bytes()
    assert waiting.value.suggested_filename == "customers.xlsx"
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    assert sheet.title == "客戶一覽表"
    assert [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        (ids[0], "東方貿易")]
    page.goto(f"{base}/customers/")
    with page.expect_download() as waiting:
        page.locator("a[href='/customers/export.xlsx']").click()
    body = Path(waiting.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "東方貿易", "=HYPERLINK(\"x\")"]
    with page.expect_download() as waiting:
        page.locator("a[href='/customers/export.csv']").click()
    assert waiting.value.suggested_filename == "customers.csv"
    assert "'=HYPERLINK" in Path(waiting.value.path()).read_text(encoding="utf-8-sig")
