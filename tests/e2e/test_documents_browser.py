"""A contract uploaded and downloaded in headless Chromium, without JavaScript doing any of it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..doc_samples import PDF
from ..test_web_customers import make
from .conftest import ARTIFACTS


def test_upload_download_and_remove_a_contract(site, page, tmp_path):
    base, services = site
    customer = make(services, **{"basic.name": "東方貿易股份有限公司"})
    contract = tmp_path / "買賣契約.pdf"
    contract.write_bytes(PDF)

    page.goto(base + "/login")
    page.fill("input[name=username]", "wang.li")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] [type=submit]")
    # The documents are one tab of the customer page; their anchor opens it.
    page.goto(f"{base}/customers/{customer}#documents")
    form = page.locator(f"form[action='/customers/{customer}/documents/new']")
    form.locator("input[type=file]").set_input_files(str(contract))
    form.locator("input[name=signed_on]").fill("2026-11-01")
    form.locator("[type=submit]").click()
    expect(page).to_have_url(f"{base}/customers/{customer}#documents")
    panel = page.locator("#documents")
    expect(panel).to_contain_text("買賣契約")
    expect(panel).to_contain_text("2026-11-01")
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / "documents-panel.png"))

    with page.expect_download() as waiting:
        panel.locator("a[download]").first.click()
    download = waiting.value
    assert download.suggested_filename == "買賣契約.pdf"
    assert Path(download.path()).read_bytes() == PDF

    name = services.files.load(customer).record["documents"][0]["file"].rpartition("/")[2]
    panel.locator(f"a[href='/customers/{customer}/documents/{name}/remove']").click()
    page.check("input[name=confirm]")
    page.click("input[type=submit][name=submit]")
    expect(page).to_have_url(f"{base}/customers/{customer}#documents")
    expect(page.locator("#documents table")).to_have_count(0)
    assert services.files.load(customer).record["documents"] == []
