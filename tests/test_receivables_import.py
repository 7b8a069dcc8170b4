"""Open receivables from the accounting package's sheet (R28): CSV (UTF-8, Big5) and XLSX with
messy cells, matched by id, 統一編號 and exact name, one commit by the importer."""

from __future__ import annotations

import datetime

import pytest

from intranet.actions import Forbidden
from intranet.actions import receivables as action
from intranet.records.files import yamlio
from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_record
from intranet.records.imports import receivables_import as sheet
from intranet.sheets.reading import read_table

from .conftest import git
from .sheet_files import csv_bytes, workbook_of

AS_OF = "2026-12-06"


def make(svc, name: str, owner: str = "lee.mgr", department: str = "sales",
         level: str = "department", **fields) -> str:
    """Create a file (by default a department file the sales manager keeps)."""
    record = new_record("terminal", **{
        "basic.name": name, "basic.phone": "02-2531-7099",
        "classification.industry": "水泥", "custody.owner": owner,
        "custody.department": department, "custody.level": level, **fields})
    return svc.files.create(record, owner)[0]


@pytest.fixture
def company(svc) -> dict[str, str]:
    files = {
        "cement": make(svc, "臺灣水泥股份有限公司", **{"basic.tax_id": "11913502"}),
        "asia": make(svc, "亞洲水泥股份有限公司"),
        "twin1": make(svc, "同名公司"),
        "twin2": make(svc, "同名公司", "chen.yu", level="personal"),
        "other": make(svc, "二部公司", "lin.sales2", "sales2", "personal"),
    }
    svc.index.catch_up()
    return files


HEADINGS = ["客戶編號", "統一編號", "客戶名稱", "未收金額", "最早到期日", "資料日期", "備註"]


def rows(files: dict[str, str]) -> list[list[str]]:
    return [
        ["", "11913502", "台泥", "1,234,567", "民國115年10月5日", "115/12/01", "逾期"],
        [files["asia"], "", "", "12萬", "2026/11/30", "", ""],
        ["", "", "同名公司", "5000", "", "", ""],
        ["", "", "不存在公司", "100", "", "", ""],
        ["", "", "二部公司", "NT$3,000", "2026-11-01", "", ""],
        ["", "", "亞洲水泥股份有限公司", "abc", "", "", ""],
    ]


def expected(files: dict[str, str]) -> dict[str, dict]:
    return {
        files["cement"]: {"amount": 1_234_567, "oldest_due": "2026-10-05",
                          "as_of": "2026-12-01", "notes": "逾期"},
        files["asia"]: {"amount": 120_000, "oldest_due": "2026-11-30", "as_of": AS_OF,
                        "notes": ""},
    }


def check(svc, files, report, importer_name: str) -> None:
    statuses = [(row.number, row.status) for row in report.rows]
    assert statuses == [(2, sheet.MATCHED), (3, sheet.MATCHED), (4, sheet.AMBIGUOUS),
                        (5, sheet.UNMATCHED), (6, sheet.REFUSED), (7, sheet.ERROR)]
    ambiguous = report.rows[2].reasons[0][1]["ids"]
    assert ambiguous == f"{files['twin1']}, {files['twin2']}"
    assert report.commit
    log = git(svc.archive.path, "log", "-1", "--format=%an|%s|%b", report.commit)
    assert log.startswith(f"{importer_name}|應收帳款匯入 ")
    assert "Action: receivables_import" in log and "Rows: 6" in log
    changed = git(svc.archive.path, "show", "--name-only", "--format=", report.commit).split()
    assert sorted(changed) == sorted(customer_path(c) for c in expected(files))
    for customer, owed in expected(files).items():
        record = yamlio.load(svc.archive.read(customer_path(customer)))
        assert record["receivables"] == owed, customer
    untouched = yamlio.load(svc.archive.read(customer_path(files["other"])))
    assert untouched["receivables"]["amount"] is None


@pytest.mark.parametrize("encoding", ["utf-8-sig", "big5"])
def test_a_csv_from_accounting(svc, company, encoding):
    data = csv_bytes([HEADINGS, *rows(company)], encoding)
    table = read_table(data, "應收帳款.csv")
    mapping = sheet.suggest(table.headings)
    assert mapping == ["id", "tax_id", "name", "amount", "oldest_due", "as_of", "notes"]
    head = svc.archive.head()
    preview = action.run(svc.files, svc.index, "lee.mgr", table, mapping, as_of=AS_OF,
                         dry_run=True)
    assert preview.commit is None and svc.archive.head() == head
    # Receivables are figures: the director brings them in for every file, even files of
    # salespeople he may not open (R2, R28); the department manager only his department's.
    report = action.run(svc.files, svc.index, "director", table, mapping, as_of=AS_OF,
                        dry_run=True)
    assert [(row.number, row.status) for row in report.rows] == [
        (2, sheet.MATCHED), (3, sheet.MATCHED), (4, sheet.AMBIGUOUS), (5, sheet.UNMATCHED),
        (6, sheet.MATCHED), (7, sheet.ERROR)]
    assert sorted(report.records) == sorted([company["cement"], company["asia"],
                                             company["other"]])
    assert svc.archive.head() == head
    report = action.run(svc.files, svc.index, "lee.mgr", table, mapping, as_of=AS_OF)
    check(svc, company, report, "李經理")


def test_an_xlsx_with_english_headings_and_typed_cells(svc, company):
    english = ["Customer ID", "Tax ID", "Customer name", "Receivable", "Due date", "As of",
               "Notes"]
    typed = rows(company)
    typed[0][1] = 11913502  # a number cell
    typed[0][5] = datetime.date(2026, 12, 1)
    typed[1][3] = "12萬"
    data = workbook_of([english, *typed])
    table = read_table(data, "AR.xlsx")
    mapping = sheet.suggest(table.headings)
    assert mapping == ["id", "tax_id", "name", "amount", "oldest_due", "as_of", "notes"]
    report = action.run(svc.files, svc.index, "lee.mgr", table, mapping, as_of=AS_OF)
    check(svc, company, report, "李經理")
    again = action.run(svc.files, svc.index, "lee.mgr", table, mapping, as_of=AS_OF)
    assert again.commit is None
    assert [r.status for r in again.rows][:2] == [sheet.UNCHANGED, sheet.UNCHANGED]


def test_who_may_import_receivables(svc, company):
    table = read_table(csv_bytes([HEADINGS, *rows(company)], "utf-8"), "ar.csv")
    head = svc.archive.head()
    for user in ("wang.li", "hr.chen", "gm"):
        with pytest.raises(Forbidden):
            action.run(svc.files, svc.index, user, table, sheet.suggest(table.headings),
                       as_of=AS_OF)
    assert svc.archive.head() == head


def test_the_cli(app, svc, company, tmp_path):
    path = tmp_path / "ar.csv"
    path.write_bytes(csv_bytes([HEADINGS, *rows(company)], "big5"))
    runner = app.test_cli_runner()
    head = svc.archive.head()
    result = runner.invoke(args=["import-receivables", str(path), "--as", "lee.mgr",
                                 "--dry-run", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert "row 4: ambiguous" in result.output and "Dry run" in result.output
    assert "this cell holds abc" in result.output  # row 7's amount, with its value
    assert svc.archive.head() == head
    result = runner.invoke(args=["import-receivables", str(path), "--as", "lee.mgr",
                                 "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert "Committed" in result.output
    for customer, owed in expected(company).items():
        assert yamlio.load(svc.archive.read(customer_path(customer)))["receivables"] == owed
    result = runner.invoke(args=["import-receivables", str(path), "--as", "wang.li"])
    assert result.exit_code == 1


def test_the_upload_preview_and_import_pages(app, svc, web, company):
    import io
    import re

    from .conftest import csrf_token, sign_in

    assert sign_in(web, "lee.mgr").status_code == 302
    page = web.get("/analysis/credit/").get_data(as_text=True)
    assert "/analysis/credit/receivables" in page
    token = csrf_token(web, "/analysis/credit/receivables")
    data = csv_bytes([HEADINGS, *rows(company)], "big5")
    response = web.post("/analysis/credit/receivables", data={
        "csrf_token": token, "as_of": AS_OF, "encoding": "",
        "file": (io.BytesIO(data), "應收帳款.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    preview_url = response.headers["Location"]
    head = svc.archive.head()
    preview = web.get(preview_url).get_data(as_text=True)
    assert svc.archive.head() == head
    assert re.findall(r'data-row="(\d+)" data-status="(\w+)"', preview) == [
        ("2", "matched"), ("3", "matched"), ("4", "ambiguous"), ("5", "unmatched"),
        ("6", "refused"), ("7", "error")]
    assert "1,234,567" in preview and "2026-10-05" in preview
    done = web.post(preview_url, data={"csrf_token": csrf_token(web, preview_url)})
    assert done.status_code == 200
    for customer, owed in expected(company).items():
        assert yamlio.load(svc.archive.read(customer_path(customer)))["receivables"] == owed
    assert git(svc.archive.path, "log", "-1", "--format=%an").strip() == "李經理"
    # Someone the policy does not let import gets 403.
    web.post("/logout", data={"csrf_token": csrf_token(web, "/")})
    assert sign_in(web, "wang.li").status_code == 302
    assert web.get("/analysis/credit/receivables").status_code == 403
