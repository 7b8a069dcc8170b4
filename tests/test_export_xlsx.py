"""The customer list as an Excel workbook (R17, R35) and through ``flask export``: every cell
compared with the files, hostile texts kept as text, rights, one journal entry per file, the
list's search, filters and sort, and more files than one page of the list."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from intranet.archive.objects import Identity
from intranet.archive.repository import Change
from intranet.records.files import yamlio
from intranet.records.files.completeness import completeness
from intranet.records.files.customers import customer_path
from intranet.records.files.keys import tax_id_text
from intranet.records.files.schema import new_record
from intranet.records.files.validate import normalise
from intranet.records.rulebook.rules import load_rules
from intranet.records.sales.sales_power import score
from intranet.sheets.writing import csv_bytes, defuse, xlsx_bytes

from .conftest import STAFF, sign_in
from .test_web_customers import make
from .test_web_export import journal

HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1:A9)", "\tX", "\rY", "#N/A"]
NAMES = {m["username"]: m["name"] for m in STAFF}
WORDS = {  # the English words of the codes the test files use
    "card": {"distributor": "Distributor card", "terminal": "Terminal customer card"},
    "kind": {"distributor": "Distributor", "terminal": "Terminal customer"},
    "stage": {"prospect": "Prospect", "active": "Active customer", "former": "Former customer"},
    "market": {"domestic": "Domestic", "international": "International"},
    "channel": {"direct": "Direct", "indirect": "Indirect"},
    "level": {"company": "Company level", "department": "Department level",
              "personal": "Personal level"},
}
HEADINGS = ["Customer number", "Name", "Short name", "Tax ID", "Card", "Customer kind", "Stage",
            "Market", "Channel", "Grade", "Credit grade", "VIP", "Industry", "Nature", "Region",
            "Customer type", "Confidentiality level", "Custodian", "Department", "Phone",
            "Address", "Completeness", "Sales-power score", "Last change", "Changed by"]
TAIPEI = ZoneInfo("Asia/Taipei")


def workbook(body: bytes):
    """Return the first sheet, and check no cell of it is a formula (no <f> in its XML)."""
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml, "a formula cell in the export"
    return load_workbook(io.BytesIO(body)).worksheets[0]


def cells(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def download(client, username: str, query: str = ""):
    client.set_cookie("lang", "en")
    assert sign_in(client, username).status_code == 302
    response = client.get(f"/customers/export.xlsx{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    return response.data


def expected_line(svc, customer_id: str) -> list:
    """Return what the export should hold for a file, from the file itself and git."""
    loaded = svc.files.load(customer_id)
    record = loaded.record
    policy = load_rules(svc.archive.snapshot()).policy
    basic, custody = record["basic"], record["custody"]
    classes = record["classification"]
    latest = svc.files.history(customer_id)[0]
    departments = {"sales": "業務部", "marketing": "營銷部"}
    text = [customer_id, basic["name"], basic["short_name"], tax_id_text(basic["tax_id"]),
            WORDS["card"][record["card"]],
            WORDS["kind"][record["kind"]], WORDS["stage"][record["stage"]],
            WORDS["market"][record["market"]], WORDS["channel"][record["channel"]],
            record["grade"], record["credit"]["grade"], "VIP" if record["vip"] else "",
            classes["industry"], classes["nature"], classes["region"],
            classes["customer_type"], WORDS["level"][custody["level"]],
            NAMES[custody["owner"]], departments.get(custody["department"],
                                                     custody["department"]),
            basic["phone"], basic["address"]]
    return [v if v != "" else None for v in text] + [
        None if loaded.damaged else completeness(record, policy).percent, score(record, policy),
        latest.authored_at.astimezone(TAIPEI).replace(tzinfo=None, microsecond=0),
        NAMES[latest.author_email.partition("@")[0]]]


def by_hand(svc, customer_id: str, **fields) -> str:
    """Commit a terminal card as a hand edit pushed with git would (no normalising on the way).

    A leading tab is kept in a valid file; a carriage return makes the file damaged, but a
    damaged file is still listed, read and exported with what it holds.
    """
    record = new_record("terminal", id=customer_id, **{
        "custody.owner": "wang.li", "custody.department": "sales", **fields})
    svc.archive.commit(lambda _s: Change({customer_path(customer_id): yamlio.dump(record)},
                                         f"新增 {customer_id}"),
                       Identity(NAMES["wang.li"], "wang.li@example.com"))
    return customer_id


@pytest.fixture
def files(svc):
    """Two files of wang.li (one scored, one with hostile texts), one of sales2, a company one."""
    scores = {"sales_capacity": 4, "development_potential": 3, "credit": 5, "cooperation": 4,
              "management": 2, "reputation": 3}
    return {
        "east": make(svc, **{"basic.name": "東方貿易", "basic.short_name": "東方",
                             "basic.tax_id": "22099131",
                             "grade": "A", "vip": True, "sales_power.scores": scores,
                             "classification.nature": "民營", "stage": "active"}),
        "hostile": by_hand(svc, "C000002", **{
            "basic.name": HOSTILE[0], "basic.short_name": HOSTILE[1],
            "basic.address": HOSTILE[3], "classification.industry": HOSTILE[2],
            "classification.nature": HOSTILE[4], "classification.customer_type": HOSTILE[5],
            "basic.phone": "+886 2 2531 7099", "classification.region": HOSTILE[6],
            "basic.tax_id": "=1+1"}),
        "other": make(svc, author="lin.sales2", **{"basic.name": "東方精密",
                                                   "custody.department": "sales2"}),
        "company": make(svc, author="director", **{"basic.name": "東方總公司",
                                                   "custody.department": "marketing",
                                                   "custody.level": "company"}),
    }


def test_every_cell_is_the_files_value_and_hostile_texts_stay_text(web, svc, files):
    sheet = workbook(download(web, "wang.li"))
    rows = cells(sheet)
    assert rows[0] == HEADINGS
    assert [r[0] for r in rows[1:]] == [files["east"], files["hostile"]]
    for row in rows[1:]:
        assert row == expected_line(svc, row[0])
    east, hostile = rows[1], rows[2]
    assert east[3] == "22099131" and hostile[3] == "=1+1"
    assert east[21] == completeness(svc.files.load(files["east"]).record,
                                    load_rules(svc.archive.snapshot()).policy).percent
    assert isinstance(east[22], (int, float)) and east[22] > 0  # a number cell, not text
    assert isinstance(east[23], datetime)
    # Each hostile text is in a string cell, exactly as written (no apostrophe needed).
    assert [hostile[c] for c in (1, 2, 12, 20, 13, 15, 14)] == HOSTILE
    assert hostile[19] == "+886 2 2531 7099"
    for column in (1, 2, 3, 12, 13, 14, 15, 20):
        assert sheet.cell(row=3, column=column + 1).data_type == "s"
    assert svc.files.load(files["hostile"]).damaged  # the carriage return
    # The CSV of the same list: the same cells, each hostile text behind an apostrophe.
    text = web.get("/customers/export.csv").data.decode("utf-8")
    line = next(r for r in csv.reader(io.StringIO(text[1:])) if r[0] == files["hostile"])
    assert [line[c] for c in (1, 2, 12, 20, 13, 15, 14, 19, 3)] == [
        "'" + h for h in HOSTILE[:6]] + ["#N/A", "'+886 2 2531 7099", "'=1+1"]


def test_the_sheet_is_laid_out_for_reading(web, svc, files):
    sheet = workbook(download(web, "director"))
    assert sheet.title == "Customer list"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:Y{sheet.max_row}"
    assert all(c.font.b for c in sheet[1])
    assert sheet.column_dimensions["B"].width >= 10  # a name column wider than the default
    assert sheet.cell(row=2, column=24).number_format == "yyyy-mm-dd hh:mm"
    zh = web.application.test_client()
    sign_in(zh, "director")
    zh.set_cookie("lang", "zh_Hant_TW")
    sheet = workbook(zh.get("/customers/export.xlsx").data)
    assert sheet.title == "客戶一覽表" and sheet["A1"].value == "客戶編號"


def test_a_salesperson_exports_only_their_files_each_journalled(web, svc, files):
    before = len(journal(svc))
    rows = cells(workbook(download(web, "wang.li")))
    assert sorted(r[0] for r in rows[1:]) == sorted([files["east"], files["hostile"]])
    assert "東方精密" not in str(rows) and "東方總公司" not in str(rows)
    fresh = [e for e in journal(svc)[before:] if e["action"] == "export"]
    assert sorted((e["user"], e["customer"], e["allowed"], e["route"]) for e in fresh) == sorted(
        ("wang.li", files[k], True, "customers.export_xlsx") for k in ("east", "hostile"))
    before = len(journal(svc))
    other = web.application.test_client()
    rows = cells(workbook(download(other, "other.mgr")))
    assert [r[0] for r in rows[1:]] == [files["other"]]
    assert [e["customer"] for e in journal(svc)[before:] if e["action"] == "export"] == \
        [files["other"]]


def test_search_filters_and_sort_are_the_lists(web, svc, files):
    body = download(web, "director", "?q=東方&sort=name&desc=1")
    rows = cells(workbook(body))
    list_page = web.get("/customers/?q=東方&sort=name&desc=1&per_page=200").get_data(
        as_text=True)
    ids = [r[0] for r in rows[1:]]
    assert ids == sorted(ids, key=list_page.index)  # the list's order
    assert set(ids) == {files["company"]}  # the director reads company and marketing files
    rows = cells(workbook(web.get("/customers/export.xlsx?stage=active").data))
    assert [r[0] for r in rows[1:]] == []
    lee = web.application.test_client()
    rows = cells(workbook(download(lee, "lee.mgr", "?stage=active")))
    assert [r[0] for r in rows[1:]] == [files["east"]]
    rows = cells(workbook(lee.get("/customers/export.xlsx?vip=1&sort=name").data))
    assert [r[0] for r in rows[1:]] == [files["east"]]
    rows = cells(workbook(lee.get("/customers/export.xlsx?sort=id&desc=1").data))
    assert [r[0] for r in rows[1:]] == [files["hostile"], files["east"]]
    for sort in ("name", "name&desc=1", "updated", "updated&desc=1"):
        rows = cells(workbook(lee.get(f"/customers/export.xlsx?sort={sort}").data))
        shown = lee.get(f"/customers/?sort={sort}").get_data(as_text=True)
        ids = [r[0] for r in rows[1:]]
        assert sorted(ids) == sorted([files["east"], files["hostile"]])
        assert ids == sorted(ids, key=lambda i: shown.index(f'href="/customers/{i}"')), sort
    page = lee.get("/customers/").get_data(as_text=True)
    assert 'href="/customers/export.xlsx"' in page and 'href="/customers/export.csv"' in page


def many(svc, count: int, author: str = "wang.li") -> list[str]:
    """Commit ``count`` files of one salesperson in one commit; return their ids in order."""
    ids = [f"C{n:06d}" for n in range(101, 101 + count)]

    def build(_snapshot):
        files = {}
        for n, customer in enumerate(ids):
            record = new_record("distributor", id=customer, **{
                "basic.name": f"客戶{n:04d}", "basic.phone": f"02-2531-{n:04d}",
                "basic.address": "臺北市中山區南京東路100號",
                "classification.region": "北區" if n % 2 else "南區",
                "custody.owner": author, "custody.department": "sales"})
            files[customer_path(customer)] = yamlio.dump(normalise(record))
        return Change(files, f"新增 {count} 個客戶")

    svc.archive.commit(build, Identity(NAMES[author], f"{author}@example.com"))
    return ids


def test_every_matching_file_is_exported_not_one_page(web, svc):
    ids = many(svc, 230)
    rows = cells(workbook(download(web, "wang.li")))
    assert [r[0] for r in rows[1:]] == ids
    south = [customer for n, customer in enumerate(ids) if n % 2 == 0]
    rows = cells(workbook(web.get("/customers/export.xlsx?region=南區&per_page=10&page=3").data))
    assert [r[0] for r in rows[1:]] == south  # the page and page size are the screen's only
    text = web.get("/customers/export.csv?region=南區").data.decode("utf-8")
    assert [r[0] for r in csv.reader(io.StringIO(text[1:]))][1:] == south
    exported = [e["customer"] for e in journal(svc) if e["action"] == "export"]
    assert sorted(exported) == sorted(ids + south + south)


def test_writing_defuses_every_formula_start():
    for text in [*HOSTILE[:6], "-5", "+886 2 2531 7099"]:
        assert defuse(text) == "'" + text
    assert defuse("02-2531-7099") == "02-2531-7099" and defuse("東方") == "東方"
    body = csv_bytes(["Name", "=H"], [["=1+1", 5, -3, 2.5, None, datetime(2026, 1, 2, 3, 4)]])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))
    assert rows == [["Name", "'=H"], ["'=1+1", "5", "-3", "2.5", "", "2026-01-02 03:04"]]
    sheet = workbook(xlsx_bytes(["A", "B", "C", "D"], [
        ["=1+1", -3, "x\x01y", " a & <b>\r\n"], ["#N/A", 2.5, None, True]], "a:b/c"))
    assert cells(sheet) == [["A", "B", "C", "D"], ["=1+1", -3, "x\ufffdy", " a & <b>\r\n"],
                            ["#N/A", 2.5, None, "True"]]
    assert sheet.title == "a b c"
    for title, name in (('"客戶" & <一覽>', '"客戶" & <一覽>'), ("'x'", "x"), ("", "Sheet1"),
                        ("a" * 40, "a" * 31)):
        assert workbook(xlsx_bytes(["A"], [["\ufffe"]], title)).title == name
    assert [[c.data_type for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["s", "n", "s", "s"], ["s", "n", "n", "s"]]


def test_cli_writes_the_same_workbook_and_journals_the_cli(runner, web, svc, files, tmp_path):
    web_rows = cells(workbook(download(web, "wang.li")))
    before = len(journal(svc))
    target = tmp_path / "out.xlsx"
    result = runner.invoke(args=["export", str(target), "--as", "wang.li", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Exported 2 customer files" in result.output
    assert cells(workbook(target.read_bytes())) == web_rows
    assert target.stat().st_mode & 0o077 == 0  # only its owner may read it
    fresh = [e for e in journal(svc)[before:] if e["action"] == "export"]
    assert sorted((e["user"], e["customer"], e["route"], e["address"]) for e in fresh) == \
        sorted(("wang.li", files[k], "cli.export", "cli") for k in ("east", "hostile"))

    result = runner.invoke(args=["export", str(target), "--as", "wang.li"])
    assert result.exit_code != 0 and "exists" in result.output
    csv_path = tmp_path / "東方.csv"
    result = runner.invoke(args=["export", str(csv_path), "--as", "director", "--q", "東方",
                                 "--level", "company", "--sort", "name", "--desc"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "客戶編號" and [r[0] for r in rows[1:]] == [files["company"]]


def test_cli_refuses_unknown_staff_and_exports_nothing_for_hr(runner, svc, files, tmp_path):
    before = len(journal(svc))
    result = runner.invoke(args=["export", str(tmp_path / "x.xlsx"), "--as", "nobody"])
    assert result.exit_code != 0 and "not an active member" in result.output
    assert not (tmp_path / "x.xlsx").exists()
    result = runner.invoke(args=["export", str(tmp_path / "hr.csv"), "--as", "hr.chen",
                                 "--format", "csv"])
    assert result.exit_code == 0 and "Exported 0 customer files" in result.output
    assert len(Path(tmp_path / "hr.csv").read_text(encoding="utf-8-sig").splitlines()) == 1
    assert not [e for e in journal(svc)[before:] if e["action"] == "export"]


def test_cli_writes_nothing_without_a_journal(runner, svc, files, tmp_path):
    svc.journal.path = "/proc/customer-archive-audit.jsonl"  # /proc refuses new files
    svc.journal.lock_path = svc.journal.path + ".lock"
    result = runner.invoke(args=["export", str(tmp_path / "x.xlsx"), "--as", "wang.li"])
    assert result.exit_code != 0 and "audit journal" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_a_literal_character_code_is_written_so_excel_shows_it_as_typed():
    import io
    import zipfile

    from intranet.sheets.writing import xlsx_bytes

    data = xlsx_bytes(["名稱"], [["_x0041_ 與 plain_x_"]], "t")
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    # Excel would read _x0041_ as "A": its underscore is coded, and nothing else changes.
    assert "_x005F_x0041_ 與 plain_x_" in sheet


def test_column_letters_are_the_spreadsheets_own():
    from openpyxl.utils import get_column_letter

    from intranet.sheets.model import column_letter

    assert [column_letter(n) for n in (1, 26, 27, 52, 703, 16384)] == [
        "A", "Z", "AA", "AZ", "AAA", "XFD"]
    assert all(column_letter(n) == get_column_letter(n) for n in range(1, 18279))
