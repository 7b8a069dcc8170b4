"""End to end in headless Chromium: the director brings an office's workbook in.

Upload → preview → change a column's mapping → import → the new files in the list.
"""

from __future__ import annotations

from playwright.sync_api import expect

from ..conftest import git
from ..test_cli_import import ASIA, TAIWAN, WEICHUAN, workbook
from .conftest import sign_in


def test_upload_preview_remap_import_and_find_the_files(site, page, tmp_path):
    base, services = site
    book = workbook(tmp_path / "客戶名冊.xlsx", [TAIWAN, [], ASIA, WEICHUAN])
    before = services.archive.head()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, base, "director")
    page.goto(base + "/import/")
    page.set_input_files("input[name=file]", str(book))
    page.click("form[action='/import/'] [type=submit]")

    # The preview: the header found under the merged title, three new rows, nothing written.
    expect(page.locator(".import-found")).to_have_attribute("data-header-row", "3")
    expect(page.locator("tr[data-status=new]")).to_have_count(3)
    expect(page.locator("#map-10")).to_have_value("notes")
    assert services.archive.head() == before

    # The clerk's 備註 column holds links, not notes: leave it out, and keep the files myself.
    page.select_option("#map-10", "")
    page.select_option("#custodian", "director")
    page.click("form[action$='/settings'] [type=submit]")
    expect(page.locator("#map-10")).to_have_value("")
    expect(page.locator("#custodian")).to_have_value("director")

    page.click("form[action$='/import'] input[name=submit]")
    expect(page.locator("h1")).to_contain_text("客戶名冊.xlsx")
    expect(page.locator("tr[data-status=new] a")).to_have_count(3)
    head = services.archive.head()
    assert git(services.archive.path, "rev-list", "--count", f"{before}..{head}").strip() == "1"
    assert git(services.archive.path, "log", "-1", "--format=%an", head).strip() == "林美華"

    page.goto(base + "/customers/?sort=id")
    table = page.locator("table")
    for name in ("臺灣水泥股份有限公司", "亞洲水泥股份有限公司", "味全食品工業(股)公司"):
        expect(table).to_contain_text(name)
    assert services.files.load("C000001").record["notes"] == ""
    assert services.files.load("C000003").record["custody"]["owner"] == "director"
    assert errors == [], errors
