"""Reading uploaded spreadsheets: the sheet and header found, blanks dropped, bad files refused."""

from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pytest

from intranet.sheets import reading, tables, xlsx
from intranet.sheets.csvfile import BROKEN, GUESSED, UNKNOWN_ENCODING, WRONG_ENCODING
from intranet.sheets.headings import heading_set_key, suggest, target_of
from intranet.sheets.model import NO_HEADER, Limits, SheetError
from intranet.sheets.reading import read_table
from tests.sheet_files import (
    ROC_FORMAT,
    TWSE,
    csv_bytes,
    excel_style_workbook,
    members_of,
    messy_workbook,
    save,
    twse_rows,
    workbook_of,
    zip_of,
)


def refused(data: bytes, filename: str, **kwargs: object) -> SheetError:
    """Return the SheetError reading the file raises."""
    with pytest.raises(SheetError) as caught:
        read_table(data, filename, **kwargs)  # type: ignore[arg-type]
    return caught.value


# ---------------------------------------------------------------------- a clerk's workbook

def test_messy_workbook_skips_the_notes_sheet_title_and_blanks():
    table = read_table(messy_workbook(), "客戶.xlsx")
    assert table.kind == "xlsx"
    assert table.sheets == ["填寫說明", "客戶名冊"]
    assert table.sheet == "客戶名冊"
    assert table.header_row == 3
    # The blank column A is left out; line breaks and full-width spaces leave the headings.
    assert table.columns == list(range(2, 13))
    assert table.headings == ["客戶名稱", "統編", "負責人", "資本額", "設立日期", "電話", "地址",
                              "業務員", "等級", "網址", "備註"]
    assert [row.number for row in table.rows] == [4, 6, 7, 9]
    assert all(len(row.cells) == 11 for row in table.rows)


def test_cells_keep_what_the_file_holds():
    table = read_table(messy_workbook(), "客戶.xlsx")
    row4, row6, row7, row9 = table.rows
    assert row4.cells[1].value == 3244509
    assert row4.cells[4].value == datetime.datetime(1957, 3, 21)
    assert row4.cells[4].number_format == ROC_FORMAT
    # A text cell that starts with '=' is text, not a formula.
    assert row4.cells[9].value == '=HYPERLINK("http://www.acc.com.tw","亞泥")'
    assert row4.cells[9].formula is None
    # A real formula: never calculated; Excel's saved value where the file has one.
    assert row7.cells[3].formula == "=1000*10000"
    assert row7.cells[3].value == 10000000
    assert row7.cells[10].formula == "=B7&C7"
    assert row7.cells[10].value is None
    assert row7.cells[5].value == 227338000
    assert row9.cells[5].value == "#N/A"
    assert row6.cells[0].value == "\u3000臺灣水泥股份有限公司 "  # trimming is the cleaner's job
    assert table.notes == [(xlsx.LATER_SHEET, {"sheet": "客戶名冊"}),
                           (xlsx.FORMULAS, {"count": 2})]


def test_chosen_sheet_and_unknown_sheet():
    table = read_table(messy_workbook(), "客戶.xlsx", sheet="客戶名冊")
    assert table.header_row == 3
    error = refused(messy_workbook(), "客戶.xlsx", sheet="Customers")
    assert error.message == xlsx.UNKNOWN_SHEET
    assert error.params == {"sheet": "Customers", "sheets": "填寫說明, 客戶名冊"}
    # The instructions sheet has no header row when asked for by name.
    assert refused(messy_workbook(), "客戶.xlsx", sheet="填寫說明").message == NO_HEADER


def test_header_of_unrecognised_words_needs_data_under_it():
    data = workbook_of([["List of things"], [], ["Alpha", "Beta", "Gamma"], ["1", "2", "3"]])
    table = read_table(data, "things.xlsx")
    assert table.header_row == 3
    assert table.headings == ["Alpha", "Beta", "Gamma"]
    assert refused(workbook_of([["just a note"], ["another"]]), "x.xlsx").message == NO_HEADER
    lonely = workbook_of([["客戶名稱", "統一編號"]])
    error = refused(lonely, "x.xlsx")
    assert (error.message, error.params) == (tables.NO_ROWS, {"row": 1})


def test_data_beyond_the_headings_and_dates_in_headings():
    data = workbook_of([["名稱", "電話", None, datetime.date(2023, 1, 1)],
                        ["甲公司", "02-2345-6789", None, 5, "stray"]])
    table = read_table(data, "x.xlsx")
    assert table.headings == ["名稱", "電話", "2023-01-01", ""]
    assert table.columns == [1, 2, 4, 5]
    assert [c.value for c in table.rows[0].cells] == ["甲公司", "02-2345-6789", 5, "stray"]


# ---------------------------------------------------------------------- CSV

ROWS = [["客戶名稱", "統一編號", "地址"],
        ["臺灣水泥股份有限公司", "11913502", "台北市\n中山北路2段113號"], ["", "", ""],
        ["亞洲水泥股份有限公司", "03244509", "台北市大安區"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950"])
def test_csv_encodings_are_detected(encoding):
    table = read_table(csv_bytes(ROWS, encoding), "客戶.csv")
    assert (table.kind, table.encoding) == ("csv", encoding)
    assert table.headings == ["客戶名稱", "統一編號", "地址"]
    assert [r.number for r in table.rows] == [2, 4]
    # A quoted cell keeps its line break; CSV cells are text, zeros and all.
    assert [c.value for c in table.rows[0].cells] == ["臺灣水泥股份有限公司", "11913502",
                                                      "台北市\n中山北路2段113號"]
    assert table.rows[1].cells[1].value == "03244509"
    assert table.notes == []


def test_big5_csv_of_real_companies():
    companies = twse_rows()[:200]
    rows = [["公司名稱", "董事長", "住址"]] + [
        [c["公司名稱"], c["董事長"], c["住址"]] for c in companies]
    table = read_table(csv_bytes(rows, "cp950"), "big5.csv")
    assert table.encoding == "cp950"
    assert [[c.value for c in r.cells] for r in table.rows] == rows[1:]


def test_csv_chosen_encoding_and_wrong_encoding():
    data = csv_bytes(ROWS, "cp950")
    assert read_table(data, "x.csv", encoding="big5").encoding == "big5"
    error = refused(data, "x.csv", encoding="utf-8")
    assert (error.message, error.params) == (WRONG_ENCODING, {"encoding": "utf-8"})
    assert refused(data, "x.csv", encoding="klingon").message == UNKNOWN_ENCODING


def test_csv_guessed_encoding_is_noted():
    # Characters only Big5-HKSCS has: neither UTF-8 nor CP950 decodes the file.
    rows = [["客戶名稱", "負責人", "地址"], ["香港𥚃記有限公司", "陳大文", "香港九龍"]]
    table = read_table(csv_bytes(rows, "big5hkscs"), "hk.csv")
    assert table.encoding == "big5hkscs"
    assert table.notes == [(GUESSED, {"encoding": "big5hkscs"})]
    assert table.rows[0].cells[0].value == "香港𥚃記有限公司"


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_csv_delimiters_are_sniffed(delimiter):
    rows = [["Company", "Tax ID", "Address"], ["A, Inc.", "11913502", "1 Main St, Taipei"]]
    table = read_table(csv_bytes(rows, "utf-8", delimiter), "x.txt")
    assert [c.value for c in table.rows[0].cells] == rows[1]


def test_excel_sep_hint():
    data = b"sep=;\r\nname;tax id;address\r\nA, Inc.;11913502;Taipei\r\n"
    table = read_table(data, "x.csv")
    assert table.header_row == 2
    assert [c.value for c in table.rows[0].cells] == ["A, Inc.", "11913502", "Taipei"]


def test_utf16_csv_from_excel_unicode_text():
    table = read_table(csv_bytes(ROWS, "utf-16", "\t"), "unicode.txt")
    assert table.encoding == "utf-16"
    assert table.rows[0].cells[0].value == "臺灣水泥股份有限公司"


def test_broken_csv_quotes():
    data = b'name,phone,address\n"a","b\x00","c"\n'
    assert refused(data, "x.csv").message == "The file holds binary data, not CSV text; upload " \
        "an .xlsx workbook or a CSV file."
    field = "x" * 200_000
    error = refused(f'名稱,電話,地址\n"{field}",1,2\n'.encode(), "x.csv")
    assert (error.message, error.params) == (BROKEN, {"row": 2})


# ---------------------------------------------------------------------- bad files

def test_old_xls_and_encrypted_workbooks_are_refused():
    ole = reading.OLE_SIGNATURE + bytes(600)
    assert refused(ole, "舊檔.xls").message == reading.OLD_OR_ENCRYPTED
    assert refused(ole, "加密.xlsx").message == reading.OLD_OR_ENCRYPTED


def test_macro_workbooks_are_refused():
    good = members_of(workbook_of([["名稱", "電話"], ["甲", "02-2345-6789"]]))
    with_vba = zip_of({**good, "xl/vbaProject.bin": b"\x00" * 100})
    assert refused(with_vba, "macro.xlsx").message == reading.MACROS
    types = good["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    assert refused(zip_of({**good, "[Content_Types].xml": types}), "m.xlsx").message \
        == reading.MACROS
    assert refused(workbook_of([["名稱", "電話"], ["甲", "1"]]), "m.xlsm").message \
        == reading.MACROS


def test_corrupt_and_foreign_files_are_refused():
    data = workbook_of([["名稱", "電話"], ["甲", "02-2345-6789"]])
    assert refused(data[: len(data) // 2], "cut.xlsx").message == xlsx.CORRUPT
    assert refused(b"PK\x03\x04 not really a zip", "x.xlsx").message == xlsx.CORRUPT
    assert refused(b"hello", "x.xlsx").message == xlsx.CORRUPT
    assert refused(zip_of({"readme.txt": b"hi"}), "x.xlsx").message == xlsx.NOT_XLSX
    members = members_of(data)
    binary = members["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.binary.macroEnabled.main")
    assert refused(zip_of({**members, "[Content_Types].xml": binary}), "x.xlsb").message \
        == xlsx.NOT_XLSX
    broken = zip_of({**members, "xl/workbook.xml": b"<workbook><sheets>"})
    assert refused(broken, "x.xlsx").message == xlsx.CORRUPT
    assert refused(b"", "x.csv").message == reading.EMPTY


def test_xml_entity_tricks_are_refused():
    members = members_of(workbook_of([["名稱", "電話"], ["甲", "02-2345-6789"]]))
    bomb = (b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sst>&b;</sst>')
    assert refused(zip_of({**members, "xl/workbook.xml": bomb}), "x.xlsx").message \
        == xlsx.CORRUPT
    sheet = members["xl/worksheets/sheet1.xml"]
    entity = sheet.replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY a "x">]><worksheet', 1)
    for body in (entity, sheet[: len(sheet) // 2]):
        damaged = zip_of({**members, "xl/worksheets/sheet1.xml": body})
        assert refused(damaged, "x.xlsx").message == xlsx.CORRUPT


def test_zip_bombs_are_refused_before_unpacking():
    members = members_of(workbook_of([["名稱", "電話"], ["甲", "02-2345-6789"]]))
    zeros = zip_of({**members, "xl/media/zeros.bin": bytes(30 * 1024 * 1024)})
    assert len(zeros) < 200_000
    assert refused(zeros, "bomb.xlsx").message == xlsx.SQUEEZED
    small = Limits(max_unpacked=1024 * 1024)
    text = ("".join(f"<row>{i}</row>" for i in range(200_000))).encode()
    big = zip_of({**members, "xl/extra.xml": text})
    error = refused(big, "big.xlsx", limits=small)
    assert (error.message, error.params) == (xlsx.BOMB, {"limit": 1})


def test_oversize_upload_is_refused():
    error = refused(b"x" * 3 * 1024 * 1024, "big.csv", limits=Limits(max_bytes=2 * 1024 * 1024))
    assert (error.message, error.params) == (reading.TOO_BIG, {"size": "3", "limit": "2"})


def test_too_many_rows_stops_counting_at_the_limit():
    rows = [["名稱", "電話"]] + [[f"公司{i}", "02-2345-6789"] for i in range(50)]
    for data, name in ((workbook_of(rows), "x.xlsx"), (csv_bytes(rows, "utf-8"), "x.csv")):
        error = refused(data, name, limits=Limits(max_rows=10))
        assert (error.message, error.params) == (tables.TOO_MANY_ROWS,
                                                 {"limit": 10, "count": 11})
    assert len(read_table(workbook_of(rows), "x.xlsx", limits=Limits(max_rows=50)).rows) == 50


def test_too_many_columns():
    rows = [["名稱", "電話", "地址"], ["甲", "1", "2", "3", "4"]]
    error = refused(workbook_of(rows), "x.xlsx", limits=Limits(max_columns=4))
    assert (error.message, error.params) == (tables.TOO_MANY_COLUMNS,
                                             {"row": 2, "count": 5, "limit": 4})


def test_a_sheet_claiming_a_huge_size_is_read_by_its_cells():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名稱", "電話"])
    sheet.append(["甲", "02-2345-6789"])
    members = members_of(save(book))
    xml = members["xl/worksheets/sheet1.xml"].replace(b'<dimension ref="A1:B2"',
                                                       b'<dimension ref="A1:XFD1048576"')
    assert xml != members["xl/worksheets/sheet1.xml"]
    table = read_table(zip_of({**members, "xl/worksheets/sheet1.xml": xml}), "x.xlsx")
    assert table.headings == ["名稱", "電話"] and len(table.rows) == 1


# ---------------------------------------------------------------------- headings

def test_heading_synonyms():
    cases = {
        "客戶名稱": "basic.name", "公司名稱": "basic.name", "客户名称": "basic.name",
        "Customer Name": "basic.name", "ＣＯＭＰＡＮＹ": "basic.name",
        "統編": "basic.tax_id", "统一编号": "basic.tax_id", "營利事業統一編號": "basic.tax_id",
        "VAT": "basic.tax_id", "負責人": "basic.legal_representative",
        "董事長": "basic.legal_representative", "代表人": "basic.legal_representative",
        "實收資本額": "basic.registered_capital", "註冊資本": "basic.registered_capital",
        "成立日期": "basic.founded", "設 立 日 期": "basic.founded",
        "總機電話": "basic.phone", "Tel": "basic.phone", "傳真機號碼": "basic.fax",
        "住址": "basic.address", "通訊地址": "basic.address", "客戶地址": "basic.address",
        "業務員": "custodian", "負責業務": "custodian", "Salesperson": "custodian",
        "承辦人": "custodian", "等級": "grade", "客戶等級": "grade", "信用等級": "credit.grade",
        "公司簡稱": "basic.short_name", "產業別": "classification.industry",
        "區域": "classification.region", "電子郵件信箱": "basic.email", "E-mail": "basic.email",
        "網站": "basic.website", "郵遞區號": "basic.postcode", "備註": "notes",
        "聯絡人": "people.name", "職稱": "people.title", "聯絡人電話": "people.phone",
        "客戶名稱(全名)": "basic.name", "*統一編號": "basic.tax_id", "經銷/終端": "card",
        "公司代號": "", "過戶電話": "", "英文簡稱": "", "": "",
    }
    assert {h: target_of(h) for h in cases} == cases


def test_suggest_maps_each_target_once():
    assert suggest(["電話", "名稱", "公司電話", "備註"]) == ["basic.phone", "basic.name", "",
                                                     "notes"]


def test_heading_set_key_is_stable_across_spelling():
    key = heading_set_key(["客戶名稱", "統一編號", ""])
    assert key == heading_set_key([" 客户名称 ", "統一\n編號"])
    assert key != heading_set_key(["統一編號", "客戶名稱"])
    assert len(key) == 40


def test_the_listed_companies_csv_end_to_end():
    data = TWSE.read_bytes()
    table = read_table(data, "t187ap03_L.csv")
    assert (table.encoding, table.header_row, len(table.rows)) == ("utf-8-sig", 1, 992)
    mapping = dict(zip(table.headings, suggest(table.headings), strict=True))
    assert {k: mapping[k] for k in ("公司名稱", "營利事業統一編號", "董事長", "總機電話", "住址",
                                    "成立日期", "實收資本額", "公司簡稱")} == {
        "公司名稱": "basic.name", "營利事業統一編號": "basic.tax_id",
        "董事長": "basic.legal_representative", "總機電話": "basic.phone",
        "住址": "basic.address", "成立日期": "basic.founded",
        "實收資本額": "basic.registered_capital", "公司簡稱": "basic.short_name"}
    assert mapping["出表日期"] == mapping["公司代號"] == mapping["過戶地址"] == ""


def test_reading_needs_no_zipfile_state():
    # The same bytes read twice give the same table (nothing cached between uploads).
    data = messy_workbook()
    first, second = read_table(data, "a.xlsx"), read_table(data, "a.xlsx")
    assert first == second
    assert zipfile.is_zipfile(io.BytesIO(data))


def test_a_workbook_as_excel_writes_it():
    shared = ["<t>客戶名稱</t>", "<t>統一編號</t>", "<t>設立日期</t>", "<t>資本額</t>",
              "<t>電話</t>",
              # Rich text with a phonetic guide: the guide is not part of the name.
              "<r><t>台灣</t></r><r><rPr><b/></rPr><t>水泥</t></r><rPh sb=\"0\" eb=\"2\">"
              "<t>たいわん</t></rPh>",
              "<t xml:space=\"preserve\"> 亞洲水泥 </t>"]
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c>'
        '</row>'
        '<row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2"><v>11913502</v></c>'
        '<c r="C2" s="1"><v>18626</v></c><c r="D2"><f>1000*10000</f><v>10000000</v></c>'
        '<c r="E2" t="str"><f>"(02)"&amp;"2531-7099"</f><v>(02)2531-7099</v></c></row>'
        '<row r="4"><c r="A4" t="s"><v>6</v></c><c r="B4"><v>3244509</v></c>'
        '<c r="C4" s="1"><f>DATE(1957,3,21)</f><v>20900</v></c>'
        '<c r="D4" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="E4" t="b"><f>TRUE()</f><v>1</v></c></row>')
    table = read_table(excel_style_workbook(rows, shared), "excel.xlsx")
    assert table.headings == ["客戶名稱", "統一編號", "設立日期", "資本額", "電話"]
    first, second = ([(c.value, c.formula) for c in row.cells] for row in table.rows)
    assert first == [("台灣水泥", None), (11913502, None),
                     (datetime.datetime(1950, 12, 29), None), (10000000, "=1000*10000"),
                     ("(02)2531-7099", '="(02)"&"2531-7099"')]
    assert second == [(" 亞洲水泥 ", None), (3244509, None),
                      (datetime.datetime(1957, 3, 21), "=DATE(1957,3,21)"),
                      ("#DIV/0!", "=1/0"), (True, "=TRUE()")]
    assert table.rows[0].cells[2].number_format == "yyyy/m/d"
    assert [r.number for r in table.rows] == [2, 4]
