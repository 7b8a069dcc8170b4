"""HR's report pages, the CSV export, and everyone's own reading history (R20, R35, R36)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from intranet.records.rulebook.zone import month_of

from .conftest import sign_in
from .test_customers import sample

PHONE = "(07)8765-4321"
NAME = "獨特測試商行"


def entries(app) -> list[dict]:
    path = Path(app.config["AUDIT_JOURNAL"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def month(app, web, svc):
    """A customer read by its owner and refused to another salesperson; return the month."""
    customer = svc.files.create(sample(**{"basic.name": NAME, "basic.phone": PHONE}),
                                "wang.li")[0]
    sign_in(web, "wang.li")
    assert web.get(f"/customers/{customer}").status_code == 200
    assert PHONE in web.get(f"/customers/{customer}").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, "chen.yu")
    assert other.get("/customers/C999999").status_code == 403
    assert other.get(f"/customers/{customer}").status_code == 403
    # The month in the company's time zone (Asia/Taipei), as the report cuts it.
    return month_of(entries(app)[-1]["at"], ZoneInfo("Asia/Taipei"))


def client_for(app, username):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def test_hr_sees_the_month_and_a_person_without_contents(app, month):
    hr = client_for(app, "hr.chen")
    page = hr.get(f"/hr/?month={month}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "wang.li" in text and "chen.yu" in text
    # chen.yu's two refusals are attempts, listed but not fined (R35 fines a read).
    assert "Refused attempts (no fine)" in text or "拒絕" in text
    assert "100 CNY" not in text and re.search(r"fw-bold\">[^<]*: 0 CNY<", text)
    person = hr.get(f"/hr/chen.yu?month={month}").get_data(as_text=True)
    assert "C000001" in person and "C999999" in person and "customers.show" in person
    for body in (text, person, hr.get(f"/hr/wang.li?month={month}").get_data(as_text=True),
                 hr.get(f"/hr/export.csv?month={month}").get_data(as_text=True)):
        assert PHONE not in body and NAME not in body


def test_the_csv_opens_in_excel(app, month):
    hr = client_for(app, "hr.chen")
    response = hr.get(f"/hr/export.csv?month={month}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    # Chinese column titles by default (the user's language), the report page's own words.
    assert rows[0][:11] == ["月份", "帳號", "姓名", "被拒絕的嘗試（不罰款）", "緊急調閱次數",
                            "未經審批的查閱", "帳號共用跡象", "已確認的帳號共用案件", "逾期登錄",
                            "逾期未更新檔案", "罰款"]
    assert len(rows[0]) == 12
    by_user = {row[1]: row for row in rows[1:]}
    # Two refused attempts, no fine; both used one machine in one window: a sign for HR,
    # not a fine until HR confirms it.
    assert by_user["chen.yu"][2:] == ["陳宇", "2", "0", "0", "1", "0", "0", "0", "0", "CNY"]
    assert by_user["wang.li"][3:] == ["0", "0", "0", "1", "0", "0", "0", "0", "CNY"]
    english = hr.get(f"/hr/export.csv?month={month}", headers={"Accept-Language": "en"})
    titles = next(csv.reader(io.StringIO(english.get_data().decode("utf-8-sig"))))
    assert titles[:3] == ["Month", "Username", "Full name"] and titles[-1] == "Currency"


def test_the_xlsx_has_chinese_titles_names_and_numbers(app, month):
    hr = client_for(app, "hr.chen")
    page = hr.get(f"/hr/?month={month}").get_data(as_text=True)
    assert f"/hr/export.xlsx?month={month}" in page
    response = hr.get(f"/hr/export.xlsx?month={month}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].endswith(f'hr-report-{month}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["月份", "帳號", "姓名"] and rows[0][10] == "罰款"
    by_user = {row[1]: row for row in rows[1:]}
    assert by_user["chen.yu"][2] == "陳宇" and by_user["chen.yu"][3] == 2
    assert by_user["chen.yu"][11] == "CNY"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    assert client_for(app, "wang.li").get("/hr/export.xlsx").status_code == 403


def test_the_administrator_may_and_a_salesperson_may_not(app, month):
    assert client_for(app, "director").get(f"/hr/?month={month}").status_code == 200
    sales = client_for(app, "wang.li")
    for url in ("/hr/", "/hr/export.csv", "/hr/chen.yu"):
        assert sales.get(url).status_code == 403
    assert app.test_client().get("/hr/").status_code == 302  # to the sign-in page


def test_an_unknown_person_is_not_found(app, month):
    hr = client_for(app, "hr.chen")
    assert hr.get(f"/hr/discipline?month={month}").status_code == 404
    assert hr.get(f"/hr/nobody?month={month}").status_code == 404
    assert hr.get(f"/hr/lin.sales2?month={month}").status_code == 200  # known, quiet month


def test_own_history_shows_only_my_reads(app, month):
    mine = client_for(app, "wang.li").get("/me/reads")
    assert mine.status_code == 200
    text = mine.get_data(as_text=True)
    assert "C000001" in text and "C999999" not in text and PHONE not in text
    theirs = client_for(app, "chen.yu").get("/me/reads").get_data(as_text=True)
    assert "C999999" in theirs and "C000001" in theirs


def test_a_bad_month_falls_back_to_this_month(app, month):
    hr = client_for(app, "hr.chen")
    assert hr.get("/hr/?month=2026-13").status_code == 200
    assert hr.get("/hr/?month=<script>").status_code == 200


def test_own_history_is_paged_newest_first(app, web, svc):
    for number in range(1, 56):
        svc.journal.record(user="wang.li", customer=f"C{number:06d}", action="view",
                           allowed=True, basis="own", route="customers.show",
                           address="127.0.0.1")
    sign_in(web, "wang.li")
    first = web.get("/me/reads").get_data(as_text=True)
    assert "C000055" in first and "C000006" in first and "C000005" not in first
    second = web.get("/me/reads?page=2").get_data(as_text=True)
    assert "C000005" in second and "C000001" in second and "C000055" not in second
    assert web.get("/me/reads?page=99").status_code == 200
