"""Several choices are checkboxes, not a <select multiple> that needs Ctrl-click; the posted
names are the same, so a form filled by ticking boxes saves as before."""

from __future__ import annotations

from pathlib import Path

from werkzeug.datastructures import MultiDict

from intranet.records.files import yamlio
from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_record

from .conftest import sign_in
from .html_forms import read_form

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_no_template_renders_a_multiple_select():
    found = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
             if "<select multiple" in p.read_text(encoding="utf-8")]
    assert found == []


def test_the_custody_contacts_are_ticked_and_saved(web, svc):
    record = new_record("distributor", **{
        "basic.name": "東方貿易", "basic.phone": "02-2531-7099",
        "basic.address": "臺北市中山區南京東路100號", "classification.region": "北區",
        "classification.industry": "電子", "custody.owner": "wang.li",
        "custody.department": "sales", "custody.contacts": ["chen.yu"]})
    customer = svc.files.create(record, "wang.li")[0]
    sign_in(web, "director")
    page = web.get(f"/customers/{customer}/custody", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "multiple" not in html
    assert '<fieldset class="mb-3 " id="contacts">' in html
    assert 'type="checkbox" name="contacts" value="chen.yu"' in html
    # The current contact is ticked; tick one more and send the form as a browser would.
    form = read_form(html, f"/customers/{customer}/custody")
    assert ("contacts", "chen.yu") in form
    form = [(k, v) for k, v in form if k != "reason"]
    form += [("contacts", "lee.mgr"), ("reason", "一位同事接手聯繫")]
    response = web.post(f"/customers/{customer}/custody", data=MultiDict(form))
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = yamlio.load(svc.archive.read(customer_path(customer)), "x")["custody"]
    assert sorted(saved["contacts"]) == ["chen.yu", "lee.mgr"]
