"""The printable customer card (R9): both cards with every section's labels and values, blank
lines to write on, 403 with no field for someone who may not read the file, every showing
journalled as a read."""

from __future__ import annotations

import re

from intranet.records.files import schema

from .conftest import sign_in
from .test_web_customers import make
from .test_web_export import journal

FILLED = {"basic.name": "東方貿易股份有限公司", "basic.phone": "02-2531-7099",
          "basic.legal_representative": "王大明", "basic.business_scope": "電子零件批發",
          "characteristics.service_area": "北北基", "business.cooperation_attitude": "積極",
          "transactions.trade_terms": "月結60天", "credit.grade": "B", "grade": "A",
          "notes": "每季拜訪",
          "people": [{"role": "負責人", "name": "王大明", "hobbies": "高爾夫"}]}


def client(web, username: str):
    web.set_cookie("lang", "en")
    assert sign_in(web, username).status_code == 302
    return web


def values(html: str) -> dict[str, str]:
    """Return each printed field's value by its path (the first person's for people.*)."""
    found: dict[str, str] = {}
    for path, value in re.findall(r'data-path="([^"]+)">([^<]*)</td>', html):
        found.setdefault(path, value)
    return found


def test_the_distributor_card_prints_every_section_with_its_values(web, svc):
    customer = make(svc, **FILLED)
    before = len(journal(svc))
    response = client(web, "wang.li").get(f"/customers/{customer}/card")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1 id=\"sheet-title\">Distributor card</h1>" in html
    assert "Supplied by the regions." in html and customer in html and "王立" in html
    for section in ("basic", "characteristics", "business", "transactions", "classification",
                    "credit", "custody"):
        assert f'id="sheet-{section}">{schema.LABELS[section]}</h2>' in html, section
    # Every field of the four policy sections that this card asks for (R9) is on it.
    for group in ("basic", "characteristics", "business", "transactions"):
        for key in schema.SCHEMA[group].children:
            path = f"{group}.{key}"
            on_card = path not in schema.CARD_ONLY["terminal"]
            assert (f'data-path="{path}"' in html) == on_card, path
            if on_card:
                assert f">{schema.LABELS[path]}<" in html
    printed = values(html)
    assert printed["basic.name"] == "東方貿易股份有限公司"
    assert printed["basic.legal_representative"] == "王大明"
    assert printed["characteristics.service_area"] == "北北基"
    assert printed["business.cooperation_attitude"] == "積極"
    assert printed["transactions.trade_terms"] == "月結60天"
    assert printed["credit.grade"] == "B" and printed["grade"] == "A"
    assert printed["custody.owner"] == "王立" and printed["notes"] == "每季拜訪"
    assert printed["people.hobbies"] == "高爾夫"
    # Empty fields are lines to write on; the card has room for three people (R5).
    assert 'class="sheet-value sheet-blank" data-path="basic.fax"></td>' in html
    assert html.count('class="sheet-person"') == 3
    # The distributor card's required fields are marked.
    for path in schema.REQUIRED["distributor"]:
        if path != "id":
            assert re.search(rf'{re.escape(schema.LABELS[path])}<span class="required-mark">'
                             r'\*</span></th>\s*<td class="sheet-value[^"]*" data-path="'
                             + re.escape(path), html), path
    assert re.search(r'href="/static/css/card\.css\?v=[0-9a-f]+"', html) and "data-print" in html
    fresh = journal(svc)[before:]
    assert [(e["user"], e["customer"], e["action"], e["allowed"], e["route"])
            for e in fresh if e["customer"]] == [
        ("wang.li", customer, "view", True, "customers.card")]


def test_the_terminal_card_and_the_link_from_the_file(web, svc):
    customer = make(svc, card="terminal", **{"basic.name": "西山製造"})
    reader = client(web, "wang.li")
    page = reader.get(f"/customers/{customer}").get_data(as_text=True)
    assert f'href="/customers/{customer}/card"' in page
    html = reader.get(f"/customers/{customer}/card").get_data(as_text=True)
    assert "Terminal customer card</h1>" in html
    assert "Supplied by the business and sales departments." in html
    assert re.search(r'Industry<span class="required-mark">', html)
    assert not re.search(r'Region<span class="required-mark">', html)


def test_someone_who_may_not_read_the_file_gets_403_and_no_field(web, svc):
    customer = make(svc, **FILLED)
    before = len(journal(svc))
    for username in ("lin.sales2", "hr.chen"):
        other = client(web.application.test_client(), username)
        response = other.get(f"/customers/{customer}/card")
        assert response.status_code == 403
        html = response.get_data(as_text=True)
        for value in ("東方貿易", "02-2531-7099", "王大明", "北北基", "月結60天", "sheet-"):
            assert value not in html, (username, value)
    refused = [(e["user"], e["allowed"], e["route"]) for e in journal(svc)[before:]
               if e["customer"] == customer]
    assert refused == [("lin.sales2", False, "customers.card"),
                       ("hr.chen", False, "customers.card")]
    assert client(web.application.test_client(), "wang.li").get(
        "/customers/C999999/card").status_code == 403


def test_a_damaged_file_goes_to_its_page(web, svc):
    from .test_export_xlsx import by_hand

    customer = by_hand(svc, "C000050", **{"basic.name": "壞檔", "classification.nature": "\rX"})
    response = client(web, "wang.li").get(f"/customers/{customer}/card")
    assert response.status_code == 302 and response.location.endswith(f"/customers/{customer}")
