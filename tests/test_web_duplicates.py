"""Duplicates through the web (R4): the new form's warning without JavaScript, what a match
shows by rights, the finder, the merge page and retired ids, on a real archive and app."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_record

from .conftest import csrf_token, git, sign_in
from .html_forms import read_form
from .test_web_customers import page

_PHONES = itertools.count(1000)
NEW = "/customers/new?card=distributor"


def make(svc, author: str = "wang.li", department: str = "sales", **fields) -> str:
    """Create a file through the domain and return its id."""
    defaults = {"basic.name": "東方貿易", "basic.phone": f"07-333-{next(_PHONES)}",
                "basic.address": "臺北市", "classification.region": "北區",
                "custody.owner": author, "custody.department": department}
    return svc.files.create(new_record("distributor", **{**defaults, **fields}), author)[0]


def client_for(web, username: str):
    """Return a new browser signed in as ``username`` (``web`` set everyone's password)."""
    client = web.application.test_client()
    assert sign_in(client, username).status_code == 302
    client.set_cookie("lang", "en")
    return client


def journal(svc) -> list[dict]:
    """Return the audit journal's entries as written."""
    path = Path(svc.journal.path)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def post_new(client, html: str, **changes):
    """Post the new-customer form as a browser would, with fields changed."""
    fields = [(k, v) for k, v in read_form(html, "/customers/new") if k not in changes]
    fields += [*changes.items(), ("save", "1")]
    return client.post(NEW, data=MultiDict(fields))


@pytest.mark.parametrize(("existing", "typed"), [
    ({"basic.tax_id": "11913502", "basic.name": "台泥"},
     {"basic.tax_id": "11913502", "basic.name": "某某公司"}),
    ({"basic.name": "臺灣水泥股份有限公司"}, {"basic.name": "台湾水泥(股)公司"}),
    ({"basic.phone": "+886 2 2531 7099", "basic.name": "甲"},
     {"basic.phone": "(02)2531-7099", "basic.name": "乙"}),
])
def test_warning_then_create_anyway(web, svc, existing, typed):
    found = make(svc, **existing)
    client = client_for(web, "wang.li")
    html = page(client, NEW)
    head = svc.archive.head()
    form = {"basic.phone": "04-2255-1234", "basic.address": "臺中市",
            "classification.region": "中區", **typed}
    response = post_new(client, html, **form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "This customer may already have a file" in body
    assert f'href="/customers/{found}"' in body  # the user's own file: readable, linked
    assert svc.archive.head() == head  # nothing written
    # Showing its phone and tax ID read the file: journalled as a view by the user.
    assert any(e["customer"] == found and e["user"] == "wang.li" and e["allowed"]
               for e in journal(svc))
    assert 'name="create_anyway"' in body and "Tax ID" in body
    again = post_new(client, body, **{**form, "create_anyway": "1"})
    assert again.status_code == 302
    created = again.location.rsplit("/", 1)[1]
    assert created != found and svc.archive.snapshot().get(customer_path(created))


def test_unreadable_match_shows_only_its_catalogue_card(web, svc):
    hidden = make(svc, "lin.sales2", "sales2", **{
        "basic.name": "臺灣水泥股份有限公司", "basic.tax_id": "11913502",
        "basic.phone": "(02)2531-7099", "basic.address": "臺北市中山北路二段113號"})
    client = client_for(web, "wang.li")
    response = post_new(client, page(client, NEW), **{
        "basic.name": "全新名字", "basic.phone": "+886 2 2531 7099",
        "basic.address": "臺中市", "classification.region": "中區"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "duplicate-hidden" in body
    assert hidden in body and "臺灣水泥股份有限公司" in body and "林二" in body
    assert "ask its custodian" in body
    for secret in ("(02)2531-7099", "11913502", "中山北路", f'href="/customers/{hidden}"'):
        assert secret not in body
    assert "Matches on" in body and ">Phone</td>" not in body  # what matched is not said
    # Nothing of the hidden file was read, so nothing is journalled as a read of it.
    assert not [e for e in journal(svc) if e.get("customer") == hidden]


def test_finder_lists_groups_for_the_roles_only(web, svc):
    a = make(svc, **{"basic.tax_id": "11913502", "basic.name": "台泥"})
    b = make(svc, "lin.sales2", "sales2", **{"basic.tax_id": "11913502",
                                             "basic.name": "臺灣水泥", "basic.address": "秘密地址"})
    page(client_for(web, "wang.li"), "/customers/duplicates", 403)
    client = client_for(web, "director")
    html = page(client, "/customers/duplicates")
    assert "Same tax ID" in html and a in html and b in html
    assert "11913502" not in html and "秘密地址" not in html
    # wang.li's and lin.sales2's personal files are not the director's to edit: no merge offered.
    assert "/customers/merge?" not in html
    c = make(svc, "director", "marketing", **{"basic.tax_id": "04595257", "basic.name": "丙"})
    d = make(svc, "director", "marketing", **{"basic.tax_id": "04595257", "basic.name": "丁"})
    html = page(client, "/customers/duplicates")
    assert f"/customers/merge?kept={c}&amp;retired={d}" in html
    assert 'href="/customers/duplicates"' in html  # in the navigation


def _pair(svc):
    kept = make(svc, "director", "marketing", **{"basic.name": "臺灣水泥股份有限公司",
                                                 "basic.tax_id": "11913502",
                                                 "basic.address": "臺北市中山區"})
    gone = make(svc, "director", "marketing", **{"basic.name": "台泥",
                                                 "basic.tax_id": "11913502",
                                                 "basic.legal_representative": "張安平"})
    return kept, gone


def test_merge_through_the_page_and_the_retired_id_leads_on(web, svc, app):
    kept, gone = _pair(svc)
    old_version = svc.files.history(gone)[0].commit
    client = client_for(web, "director")
    url = f"/customers/merge?kept={kept}&retired={gone}"
    html = page(client, url)
    assert "Fields the two files fill differently" in html and "台泥" in html
    fields = read_form(html, "/customers/merge")
    fields = [(k, v) for k, v in fields if k != "choice-0"] + [("choice-0", "retired")]
    response = client.post("/customers/merge", data=MultiDict(fields))
    assert response.status_code == 303 and response.location.endswith(f"/customers/{kept}")
    text = svc.archive.read(customer_path(kept)).decode()
    assert "name: 台泥" in text and "張安平" in text  # the chosen value; an empty field filled
    assert git(app.config["ARCHIVE_REPO"], "log", "-1", "--format=%an").strip() == "林美華"
    # The retired id's pages lead to the kept file; its history and versions stay viewable.
    for suffix in ("", "/edit", "/custody"):
        moved = client.get(f"/customers/{gone}{suffix}")
        assert moved.status_code == 303 and moved.location.endswith(f"/customers/{kept}")
    history = page(client, f"/customers/{gone}/history")
    assert f"This file was merged into {kept}" in history and "Merged" in history
    version = page(client, f"/customers/{gone}/history/{old_version}")
    assert "台泥" in version and "Restore" not in version
    # Someone who may not read the kept file may not read the retired one's history either.
    outsider = client_for(web, "lin.sales2")
    assert outsider.get(f"/customers/{gone}/history").status_code == 403
    assert outsider.get(f"/customers/{gone}/history/{old_version}").status_code == 403
    log = git(app.config["ARCHIVE_REPO"], "log", "--format=%s", "--",
              customer_path(gone)).splitlines()
    assert log[0].startswith(f"合併 {gone} 至 {kept}") and len(log) >= 2


def test_merge_refused_without_rights_and_when_changed(web, svc):
    kept, gone = _pair(svc)
    head = svc.archive.head()
    sales = client_for(web, "wang.li")
    assert sales.get(f"/customers/merge?kept={kept}&retired={gone}").status_code == 403
    # Marketing staff have the role, but the director's personal files are not theirs to
    # edit: the page is refused too.
    staff = client_for(web, "info.wu")
    assert staff.get(f"/customers/merge?kept={kept}&retired={gone}").status_code == 403
    response = staff.post("/customers/merge", data={
        "csrf_token": csrf_token(staff, NEW), "kept": kept, "retired": gone, "base": head})
    assert response.status_code == 403 and svc.archive.head() == head
    client = client_for(web, "director")
    sales = client_for(web, "wang.li")  # a forged post: the role is checked on the post too
    response = sales.post("/customers/merge", data={
        "csrf_token": csrf_token(sales, NEW), "kept": kept, "retired": gone, "base": head})
    assert response.status_code == 403 and svc.archive.head() == head
    client = client_for(web, "director")
    html = page(client, f"/customers/merge?kept={kept}&retired={gone}")
    loaded = svc.files.load(gone)
    svc.files.save(gone, {**loaded.record, "notes": "剛剛改過"}, loaded.commit, "director")
    head = svc.archive.head()
    response = client.post("/customers/merge", data=MultiDict(read_form(html, "/customers/merge")))
    assert response.status_code == 409
    assert "changed (or merged) after you opened" in response.get_data(as_text=True)
    assert svc.archive.head() == head


def test_the_check_while_typing_answers_json_by_rights(web, svc):
    mine = make(svc, **{"basic.name": "臺灣水泥股份有限公司", "basic.tax_id": "11913502"})
    hidden = make(svc, "lin.sales2", "sales2", **{"basic.name": "台泥",
                                                  "basic.phone": "(02)2531-7099"})
    client = client_for(web, "wang.li")
    response = client.get("/customers/new/matches?name=台湾水泥(股)公司&tax_id=11913502"
                          "&phone=%2B886 2 2531 7099")
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert [m["id"] for m in data["matches"]] == [mine, hidden]
    first, second = data["matches"]
    assert first["url"] == f"/customers/{mine}" and "11913502" in first["detail"]
    assert second["readable"] is False and "url" not in second
    assert "ask its custodian" in second["detail"] and second["custodian"] == "林二"
    assert "2531" not in response.get_data(as_text=True)  # the hidden file's phone
    assert client.get("/customers/new/matches?name=全新").get_json()["matches"] == []
    html = page(client, NEW)
    assert 'data-matches-url="/customers/new/matches"' in html and "js/duplicates.js" in html
    assert web.application.test_client().get("/customers/new/matches?name=x").status_code \
        in (302, 401)


def test_a_second_merge_of_the_same_page_is_a_conflict(web, svc):
    kept, gone = _pair(svc)
    client = client_for(web, "director")
    html = page(client, f"/customers/merge?kept={kept}&retired={gone}")
    fields = MultiDict(read_form(html, "/customers/merge"))
    assert client.post("/customers/merge", data=fields).status_code == 303
    head = svc.archive.head()
    again = client.post("/customers/merge", data=fields)  # another tab, or pressed twice
    assert again.status_code == 409 and svc.archive.head() == head
