"""The analysis pages: the same figures as the YAML files, per role, journalled drill-downs."""

from __future__ import annotations

import io
import re
from html import unescape

import openpyxl
import pytest

from . import analysis_data as D
from .conftest import sign_in
from .test_web_export import journal

BY = ("grade", "region", "product")


def empty_label(app, by: str) -> str:
    """Return how the page names the empty key, in the language a request gets by default."""
    from intranet.web.analysis.views import key_label
    with app.test_request_context():
        return str(key_label(by, ""))


@pytest.fixture
def built(app, svc, web):
    app.config["TODAY"] = D.TODAY.isoformat()
    return D.build(svc)


def as_user(web, name: str):
    client = web.application.test_client()  # a fresh session for each member of staff
    assert sign_in(client, name).status_code == 302
    return client


def table(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = body.split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def page_rows(html: str, by: str, web) -> list[tuple[str, int, int, str]]:
    rows = table(html, "composition-table")
    found = []
    for key, customers, amount, share, *_ in rows:
        if customers == "0":
            continue  # a key with sales last year only
        found.append(("" if key == empty_label(web.application, by) else key, int(customers),
                      int(amount.replace(",", "")), share.rstrip("%")))
    return found


def expected(svc, by, rev="main", ids=None):
    return D.expected(svc.archive.path, rev, by, 2025, ids)


def test_the_director_sees_every_composition_as_the_files_say(web, svc, built):
    web = as_user(web, "director")
    for by in BY:
        response = web.get(f"/analysis/composition?by={by}&year=2025")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert page_rows(html, by, web) == expected(svc, by)
        assert "<svg" in html and 'role="img"' in html and "<title" in html
        assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_the_page_as_of_a_day_before_and_after_an_edit(web, svc, built):
    web = as_user(web, "gm")
    for day in (D.DAY_CREATED, D.DAY_EDITED):
        commit = D.commit_at(svc.archive.path, day)
        html = web.get(f"/analysis/composition?by=grade&year=2025&as_of={day}").get_data(
            as_text=True)
        assert page_rows(html, "grade", web) == expected(svc, "grade", commit)
        assert commit[:10] in html


def test_the_workbook_holds_the_pages_table(web, svc, built):
    web = as_user(web, "director")
    for by in BY:
        response = web.get(f"/analysis/composition.xlsx?by={by}&year=2025")
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        lines = list(sheet.iter_rows(values_only=True))
        assert len(lines[0]) == 6
        empty = empty_label(web.application, by)
        found = [("" if k == empty else k, n, a, f"{s:.2f}")
                 for k, n, a, s, *_ in lines[1:] if n]
        assert found == expected(svc, by)


SCOPES = {"gm": "all", "vp": "all", "director": "all", "info.wu": "all",
          "lee.mgr": "sales", "other.mgr": "sales2", "wang.li": "wang.li", "chen.yu": "chen.yu"}


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_each_role_sees_its_own_scope_on_every_page(web, svc, built, name):
    ids = {"all": set(built), "sales": {built[i] for i in (0, 1, 3, 5)},
           "sales2": {built[2], built[4]}, "wang.li": {built[0], built[3]},
           "chen.yu": {built[1], built[5]}}[SCOPES[name]]
    web = as_user(web, name)
    assert web.get("/analysis/").status_code == 200
    for by in BY:
        html = web.get(f"/analysis/composition?by={by}&year=2025").get_data(as_text=True)
        assert page_rows(html, by, web) == expected(svc, by, ids=ids), (name, by)
    drill = web.get("/analysis/composition/files?by=grade&year=2025&key=A").get_data(
        as_text=True)
    shown = {row[0].split()[0] for row in table(drill, "drill-table")} \
        if 'id="drill-table"' in drill else set()
    assert shown <= ids


def test_hr_may_open_no_analysis(web, built):
    web = as_user(web, "hr.chen")
    assert "/analysis/" not in web.get("/").get_data(as_text=True)
    for url in ("/analysis/", "/analysis/composition?by=grade&year=2025",
                "/analysis/composition.xlsx?by=grade&year=2025",
                "/analysis/composition/files?by=grade&year=2025&key=A",
                "/analysis/products?customer=C000001", "/analysis/products.xlsx?customer=C000001"):
        assert web.get(url).status_code == 403, url


def test_a_drill_down_journals_each_file_shown(web, svc, built):
    web = as_user(web, "info.wu")  # marketing staff: reads no file, sees every file's figures
    before = len(journal(svc))
    html = web.get("/analysis/composition/files?by=region&year=2025&key=北區").get_data(
        as_text=True)
    shown = [row[0].split()[0] for row in table(html, "drill-table")]
    assert shown == [built[0], built[2]]
    entries = [e for e in journal(svc)[before:] if e["action"] == "figures"]
    assert sorted(e["customer"] for e in entries) == sorted(shown)
    assert all(e["allowed"] and e["user"] == "info.wu" for e in entries)
    # The aggregate itself journals nothing.
    before = len(journal(svc))
    web.get("/analysis/composition?by=region&year=2025")
    assert [e for e in journal(svc)[before:] if e["action"] == "figures"] == []
    workbook = web.get("/analysis/composition/files.xlsx?by=region&year=2025&key=北區")
    lines = list(openpyxl.load_workbook(io.BytesIO(workbook.data)).active.iter_rows(
        values_only=True))
    assert [line[0] for line in lines[1:]] == shown and lines[1][2] == 4500


def test_a_customers_product_mix_is_journalled_and_guarded(web, svc, built):
    web = as_user(web, "wang.li")
    before = len(journal(svc))
    html = web.get(f"/analysis/products?customer={built[0]}").get_data(as_text=True)
    assert [r[0] for r in table(html, "mix-table")] == ["2025", "2024"]
    assert "4,000" in html and "<svg" in html
    assert [(e["customer"], e["action"]) for e in journal(svc)[before:]] == [
        (built[0], "figures")]
    assert web.get(f"/analysis/products?customer={built[2]}").status_code == 403
    assert web.get("/analysis/products?customer=C999999").status_code == 403
    assert web.get(f"/analysis/products.xlsx?customer={built[0]}").status_code == 200
    # Marketing staff read no file, but see every file's figures (R2), on the analysis basis.
    staff = as_user(web, "info.wu")
    before = len(journal(svc))
    assert staff.get(f"/analysis/products?customer={built[2]}").status_code == 200
    assert [(e["customer"], e["basis"]) for e in journal(svc)[before:]] == [
        (built[2], "analysis")]
    assert staff.get(f"/customers/{built[2]}").status_code == 403


@pytest.mark.parametrize("query", [
    "by=colour&year=2025", "by=grade&year=abc", "by=grade&year=123456",
    "by=grade&year=2025&as_of=2025-13-01", "by=grade&year=2025&as_of=yesterday",
    "by=grade&year=2025&as_of=2001-01-01"])
def test_bad_input_is_a_clear_400(web, built, query):
    web = as_user(web, "director")
    for path in ("/analysis/composition", "/analysis/composition.xlsx",
                 "/analysis/composition/files"):
        response = web.get(f"{path}?{query}&key=A")
        assert response.status_code == 400, (path, query)
        assert "(400)" in response.get_data(as_text=True)


def test_management_sees_the_dashboard_on_the_home_page(web, svc, built):
    web = as_user(web, "director")
    html = web.get("/").get_data(as_text=True)
    assert 'id="grades-panel-title"' in html and 'id="trend-panel-title"' in html
    assert 'href="/customers/?grade=A"' in html
    assert empty_label(web.application, "grade") in html
    assert 'href="/analysis/"' in html
    web = as_user(web, "lee.mgr")
    html = web.get("/").get_data(as_text=True)
    assert 'id="grades-panel-title"' in html
    grades = html.split('id="grades-panel-title"', 1)[1].split("</section>", 1)[0]
    assert re.sub(r"<[^>]+>", "", grades).count(":") == 3  # A, B and C of the department
    web = as_user(web, "wang.li")
    html = web.get("/").get_data(as_text=True)
    assert 'id="grades-panel-title"' not in html and 'href="/analysis/"' in html
