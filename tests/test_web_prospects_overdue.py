"""The prospect ranking's filters and workbook (R29) and management's "Overdue updates" panel
(R16, R18–R20) on a real archive, per role. "Today" is 2026-03-31."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest

from .test_sales_power_due import CRITERIA
from .test_web_discipline import TODAY, at, client_for, contact, make, text


@pytest.fixture
def today(app, web):
    app.config["TODAY"] = TODAY
    return TODAY


def scored(svc, customer: str, value: int, by: str = "wang.li") -> None:
    svc.files.amend(customer, lambda r, _s: {**r, "sales_power": {
        "scores": dict.fromkeys(CRITERIA, value), "assessed_on": TODAY, "assessed_by": by,
        "notes": ""}}, by)


@pytest.fixture
def prospects(app, svc, today):
    """wang.li's prospects: domestic/direct ones and an international indirect agent."""
    found = {
        "low": make(svc, **{"basic.name": "低分本地", "classification.nature": "有限公司",
                            "classification.customer_type": "批發商"}),
        "high": make(svc, **{"basic.name": "高分本地", "classification.nature": "股份有限公司",
                             "classification.customer_type": "代理商"}),
        "abroad": make(svc, **{"basic.name": "華東代理", "market": "international",
                               "channel": "indirect", "classification.region": "華東",
                               "classification.nature": "外商",
                               "classification.customer_type": "代理商"}),
        "unscored": make(svc, **{"basic.name": "未評本地"}),
        "active": make(svc, **{"basic.name": "已成交", "stage": "active"}),
        "hidden": make(svc, owner="lin.sales2", department="sales2",
                       **{"basic.name": "別部門潛在"}),
    }
    for key, value in (("low", 1), ("high", 5), ("abroad", 4), ("active", 5)):
        scored(svc, found[key], value)
    scored(svc, found["hidden"], 3, "lin.sales2")
    return found


def ranked_ids(page: str) -> list[str]:
    return re.findall(r'<tr data-id="(C\d+)">', page)


def journal(svc) -> list[dict]:
    try:
        with open(svc.journal.path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except FileNotFoundError:  # nothing journalled yet
        return []


def test_ranked_by_score_unscored_last_hidden_files_left_out(app, prospects):
    page = text(client_for(app, "wang.li"), "/customers/prospects")
    p = prospects
    assert ranked_ids(page) == [p["high"], p["abroad"], p["low"], p["unscored"]]
    assert "別部門潛在" not in page and p["active"] not in ranked_ids(page)


@pytest.mark.parametrize(("query", "keys"), [
    ("market=international", ["abroad"]),
    ("market=domestic", ["high", "low", "unscored"]),
    ("channel=indirect", ["abroad"]),
    ("nature=外商", ["abroad"]),
    ("customer_type=代理商", ["high", "abroad"]),
    ("region=華東", ["abroad"]),
    ("region=南區&customer_type=代理商", ["high"]),
    ("market=international&nature=有限公司", []),
])
def test_every_filter_narrows_the_ranking(app, prospects, query, keys):
    page = text(client_for(app, "wang.li"), f"/customers/prospects?{query}")
    assert ranked_ids(page) == [prospects[k] for k in keys]
    if not keys:
        assert "No prospect matches." in page


def test_the_filters_offer_the_values_in_use(app, prospects):
    page = text(client_for(app, "wang.li"), "/customers/prospects")
    for value in ("外商", "代理商", "華東", 'value="international"', 'value="indirect"'):
        assert value in page


def test_the_workbook_is_the_page_and_each_listed_file_is_journalled(app, svc, prospects):
    wang = client_for(app, "wang.li")
    page = text(wang, "/customers/prospects?market=domestic")
    assert 'href="/customers/prospects.xlsx?market=domestic"' in page
    before = len(journal(svc))
    response = wang.get("/customers/prospects.xlsx?market=domestic")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Rank", "Customer number", "Name", "Sales-power score")
    body = rows[1:]
    assert [row[1] for row in body] == ranked_ids(page)
    assert [row[0] for row in body] == [1, 2, 3]
    assert [row[3] for row in body] == [100, 20, None]  # as the page shows them
    assert ">100<" in page and ">20<" in page and "Not assessed yet." in page
    assert body[0][2] == "高分本地" and body[0][4] == "Domestic" and body[0][11] == "王立"
    fresh = [e for e in journal(svc)[before:] if e["action"] == "export"]
    assert sorted(e["customer"] for e in fresh) == sorted(ranked_ids(page))
    assert all(e["user"] == "wang.li" and e["allowed"] for e in fresh)


def test_hr_downloads_no_prospect(app, svc, prospects):
    before = len(journal(svc))
    response = client_for(app, "hr.chen").get("/customers/prospects.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(
        values_only=True))
    assert len(rows) == 1  # the headings only
    assert not [e for e in journal(svc)[before:] if e["action"] == "export"]


# -- management's overdue updates ---------------------------------------------------------------


@pytest.fixture
def overdue(app, svc, today):
    """sales: a neglected file with a late contact this month, no sales power since February;
    sales2: one late contact this month and an unscored file; marketing: a scored file."""
    sales = make(svc, when=at("2026-01-20"), **{"basic.name": "荒廢檔案"},
                 contacts=[contact("2026-01-20", "2026-01-20", "wang.li")])
    other = make(svc, owner="lin.sales2", department="sales2", when=at("2026-02-01"),
                 contacts=[contact("2026-02-01", "2026-02-01", "lin.sales2")])
    # A late contact this month adds to a filled log: it does not improve the file (R19).
    for customer, staff, late in ((sales, "wang.li", ("2026-03-02", "2026-03-05")),
                                  (other, "lin.sales2", ("2026-03-08", "2026-03-10"))):
        svc.files.amend(customer, lambda r, _s, s=staff, d=late: {
            **r, "contacts": [*r["contacts"], contact(d[0], d[1], s)]}, staff,
            when=at(late[1]))
    return {"sales": sales, "other": other}


def counts(page: str) -> dict[str, int]:
    return {key: int(re.search(rf'overdue-{key}-count">(\d+)<', page).group(1))
            for key in ("neglected", "late", "unscored")}


@pytest.mark.parametrize("user", ["gm", "vp", "director", "info.wu"])
def test_company_roles_see_every_departments_counts(app, overdue, user):
    home = text(client_for(app, user), "/")
    assert "Overdue updates" in home and "Every file in the company." in home
    assert counts(home) == {"neglected": 2, "late": 2, "unscored": 2}
    assert 'href="/customers/overdue-updates#overdue-unscored"' in home
    page = text(client_for(app, user), "/customers/overdue-updates")
    for customer in overdue.values():
        assert customer in page


def test_a_department_manager_sees_their_departments_files(app, overdue):
    home = text(client_for(app, "lee.mgr"), "/")
    assert counts(home) == {"neglected": 1, "late": 1, "unscored": 1}
    page = text(client_for(app, "lee.mgr"), "/customers/overdue-updates")
    assert overdue["sales"] in page and overdue["other"] not in page
    assert "2026-03-02" in page and "2026-01-20" in page
    other = text(client_for(app, "other.mgr"), "/customers/overdue-updates")
    assert overdue["other"] in other and overdue["sales"] not in other


@pytest.mark.parametrize("user", ["wang.li", "hr.chen"])
def test_others_have_no_panel_and_no_page(app, overdue, user):
    client = client_for(app, user)
    assert "Overdue updates" not in text(client, "/")
    assert client.get("/customers/overdue-updates").status_code == 403
