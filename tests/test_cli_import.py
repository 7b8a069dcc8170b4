"""`flask import`: messy workbooks and CSVs in, one commit, every field as expected (issue 11)."""

from __future__ import annotations

import datetime
import multiprocessing

from openpyxl import Workbook

from intranet.records.files.schema import new_record
from intranet.records.files.validate import normalise

from . import import_workers
from .conftest import git

HEADINGS = ["客戶名稱", "統編", "負責人", "電話", "地址", "成立日期", "資本額", "產業別", "業務員",
            "等級", "備註"]


def workbook(path, rows, headings=HEADINGS):
    """Write a messy workbook: a merged title, a blank row, the header, rows, a notes sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "客戶名冊"
    sheet.append(["客戶名冊 2026"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headings))
    sheet.append([])
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=4):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("=HYPERLINK("):
                cell.data_type = "s"  # text that starts with "=", not a formula
    book.create_sheet("說明").append(["統編請勿空白"])
    book.save(path)
    return path


TAIWAN = ["  臺灣水泥股份有限公司 ", 11913502, "張安平", "(02)2531-7099",
          "台北市中山北路2段\n113號", datetime.datetime(1950, 12, 29), "73,561,817,420",
          "水泥工業", "王立", "A", "=HYPERLINK(\"http://www.taiwancement.com\")"]
ASIA = ["亞洲水泥股份有限公司", 3244509, "徐旭東", "02-2733-8000",
        "台北市大安區敦化南路2段207號30、31樓", "民國46年3月21日", "3,546,562.881萬", "水泥工業",
        "chen.yu", "B", "=1+1"]
WEICHUAN = ["味全食品工業(股)公司", "１１３４７８０２", "陳宏裕", "+886 2 2506 5020",
            "台北市松江路125號", "42/9/22", 5060629140, "食品工業", "王大明", "", ""]


def expected(customer, owner, department, fields):
    """Return the whole record an imported row should make."""
    record = new_record("terminal", customer, **fields)
    record["source"] = "import"
    record["custody"] = {"level": "personal", "owner": owner, "department": department,
                         "contacts": []}
    return normalise(record)


def invoke(runner, *args):
    return runner.invoke(args=["import", *map(str, args)])


def test_a_messy_workbook_is_imported_as_one_commit_with_every_field(runner, svc, tmp_path):
    book = workbook(tmp_path / "客戶名冊.xlsx", [TAIWAN, [], ASIA, WEICHUAN])
    before = svc.archive.head()
    dry = invoke(runner, book, "--as", "director", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert svc.archive.head() == before
    assert "sheet '客戶名冊'" in dry.output and "header in row 3" in dry.output
    assert "A 客戶名稱 → basic.name" in dry.output
    assert "Dry run: nothing written." in dry.output

    result = invoke(runner, book, "--as", "director")
    assert result.exit_code == 0, result.output
    assert "王大明" in result.output  # the unknown salesperson is listed
    head = svc.archive.head()
    assert git(svc.archive.path, "rev-list", "--count", f"{before}..{head}").strip() == "1"
    assert git(svc.archive.path, "log", "-1", "--format=%an|%s", head).strip() == \
        "林美華|匯入 客戶名冊.xlsx：新增 3、補充 0"
    body = git(svc.archive.path, "log", "-1", "--format=%b", head)
    assert "Action: import\nSource: import 客戶名冊.xlsx\nRows: 3" in body
    assert f"Committed {head}" in result.output
    assert svc.archive.fsck()[0]  # written as a batch: every object there before the branch

    taiwan = svc.files.load("C000001").record
    assert taiwan == expected("C000001", "wang.li", "sales", {
        "basic.name": "臺灣水泥股份有限公司", "basic.tax_id": "11913502",
        "basic.legal_representative": "張安平", "basic.phone": "(02)2531-7099",
        "basic.address": "台北市中山北路2段113號", "basic.founded": "1950-12-29",
        "basic.registered_capital": 73561817420, "classification.industry": "水泥工業",
        "grade": "A", "notes": "=HYPERLINK(\"http://www.taiwancement.com\")"})
    asia = svc.files.load("C000002").record
    assert asia["basic"]["tax_id"] == "03244509"  # the number cell's lost zero
    assert asia["basic"]["founded"] == "1957-03-21"
    assert asia["basic"]["registered_capital"] == 35465628810
    assert asia["custody"]["owner"] == "chen.yu"
    # A real formula is never run: with no saved value its text is kept, and the report says so.
    assert asia["notes"] == "=1+1"
    assert "The formula =1+1 has no saved value; its text was kept as written" in result.output
    wei = svc.files.load("C000003").record
    assert wei == expected("C000003", "director", "marketing", {
        "basic.name": "味全食品工業(股)公司", "basic.tax_id": "11347802",
        "basic.legal_representative": "陳宏裕", "basic.phone": "+886 2 2506 5020",
        "basic.address": "台北市松江路125號", "basic.founded": "1953-09-22",
        "basic.registered_capital": 5060629140, "classification.industry": "食品工業"})

    again = invoke(runner, book, "--as", "director")
    assert again.exit_code == 0, again.output
    assert svc.archive.head() == head
    assert "Nothing to write" in again.output
    assert again.output.count("  row ") == again.output.count("already in the archive as") == 3


def test_errors_abort_writes_nothing_and_exits_1(runner, svc, tmp_path):
    bad = list(ASIA)
    bad[3] = ""  # no phone: required for a terminal card
    book = workbook(tmp_path / "bad.xlsx", [TAIWAN, bad])
    before = svc.archive.head()
    result = invoke(runner, book, "--as", "director", "--errors", "abort")
    assert result.exit_code == 1, result.output
    assert "Phone: Required for a terminal card" in result.output
    assert svc.archive.head() == before
    skipped = invoke(runner, book, "--as", "director")
    assert skipped.exit_code == 0
    assert "1 new" in skipped.output and "1 error" in skipped.output


def test_a_salesperson_may_not_import(runner, svc, tmp_path):
    book = workbook(tmp_path / "a.xlsx", [TAIWAN])
    before = svc.archive.head()
    result = invoke(runner, book, "--as", "wang.li")
    assert result.exit_code == 1 and "may not import" in result.output
    assert svc.archive.head() == before


def test_a_manager_imports_for_their_department_only(runner, svc, tmp_path):
    other = list(ASIA)
    other[8] = "lin.sales2"
    book = workbook(tmp_path / "a.xlsx", [TAIWAN, other])
    result = invoke(runner, book, "--as", "lee.mgr")
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output and "1 error" in result.output
    assert svc.files.load("C000001").record["custody"]["owner"] == "wang.li"
    refused = invoke(runner, book, "--as", "lee.mgr", "--custodian", "lin.sales2")
    assert refused.exit_code == 1 and "not of your department" in refused.output


def test_a_file_the_importer_may_not_edit_is_not_filled_nor_shown(runner, svc, tmp_path):
    record = new_record("terminal", **{
        "basic.name": "臺灣水泥", "basic.tax_id": "11913502", "basic.phone": "02-1111-2222",
        "classification.industry": "秘密產業", "notes": "機密備註",
        "custody.owner": "lin.sales2", "custody.department": "sales2"})
    customer, _ = svc.files.create(record, "lin.sales2")
    before = svc.archive.head()
    result = invoke(runner, workbook(tmp_path / "a.xlsx", [TAIWAN]), "--as", "director")
    assert result.exit_code == 0, result.output
    assert f"existing file {customer} 臺灣水泥" in result.output
    assert "a file you may not edit" in result.output
    for secret in ("02-1111-2222", "秘密產業", "機密備註"):
        assert secret not in result.output
    assert svc.archive.head() == before


def test_csv_in_each_encoding_with_a_mapping_and_flagged_rows(runner, svc, tmp_path):
    text = ("公司名稱,營利事業統一編號,總機電話,產業,代表\n"
            "臺灣水泥股份有限公司,11913502,(02)2531-7099,水泥工業,張安平\n"
            "台湾水泥(股)公司,,07-1234567,水泥工業,\n")
    for encoding, name in (("utf-8", "u.csv"), ("utf-8-sig", "bom.csv"), ("cp950", "big5.csv")):
        path = tmp_path / name
        source = text if encoding != "cp950" else text.replace("台湾", "台灣")
        path.write_bytes(source.encode(encoding))
    result = invoke(runner, tmp_path / "u.csv", "--as", "director", "--map", "代表=people.name")
    assert result.exit_code == 0, result.output
    assert "flagged: may be row 2 (same name)" in result.output
    assert "E 代表 → people.name" in result.output
    assert svc.files.load("C000001").record["people"][0]["name"] == "張安平"
    # The same company from the other files: already in the archive; the flagged row taken.
    bom = invoke(runner, tmp_path / "bom.csv", "--as", "director", "--accept-flagged")
    assert bom.exit_code == 0, bom.output
    assert "1 unchanged" in bom.output and "1 new" in bom.output
    big5 = invoke(runner, tmp_path / "big5.csv", "--as", "director", "--dry-run")
    assert big5.exit_code == 0, big5.output
    assert "CSV in cp950" in big5.output or "CSV in big5" in big5.output


def test_an_unreadable_file_exits_1(runner, svc, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    result = invoke(runner, path, "--as", "director")
    assert result.exit_code == 1 and "Nothing imported" in result.output


def test_two_imports_at_once_create_no_id_twice_and_lose_nothing(app, svc):
    heading = "公司名稱,統一編號,電話,產業別\n"
    sheets = {
        f"s{n}.csv": (heading + "".join(
            f"甲乙公司{n}-{i},,02-2{n}{i:02d}-{1000 + i},電子\n" for i in range(30))).encode()
        for n in range(2)}
    svc.index.catch_up()
    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    procs = [spawn.Process(target=import_workers.import_csv, args=(
        str(svc.archive.path), app.config["INDEX_PATH"], "director", name, data, queue))
        for name, data in sheets.items()]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    results = [queue.get(timeout=10) for _ in procs]
    ids = [customer for _, _, created in results for _, customer in created]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert sorted(ids) == [f"C{n:06d}" for n in range(1, 61)]
    names = {svc.files.load(c).record["basic"]["name"] for c in ids}
    assert names == {f"甲乙公司{n}-{i}" for n in range(2) for i in range(30)}
    history = git(svc.archive.path, "rev-list", "HEAD").split()
    assert all(commit in history for _, commit, _ in results)
