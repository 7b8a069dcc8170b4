"""Cleaning cells into field values as a careful person would type them, with problems and notes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from intranet.records.files import formats
from intranet.records.files.keys import tax_id_valid
from intranet.records.files.schema import new_record
from intranet.records.files.validate import validate
from intranet.sheets import cells as c
from intranet.sheets import values as v
from intranet.sheets.cells import Converted, FieldProblem, convert
from intranet.sheets.headings import TARGETS, suggest
from intranet.sheets.model import Cell, SheetRow
from intranet.sheets.reading import read_table
from tests.sheet_files import ROC_FORMAT, TWSE, csv_bytes, messy_workbook, twse_rows


def one(target: str, value: Any, *, formula: str | None = None, number_format: str = "",
        **kwargs: Any) -> Converted:
    """Convert a single cell mapped to ``target``."""
    return convert(SheetRow(2, [Cell(value, formula, number_format)]), [target], **kwargs)


def value_of(target: str, value: Any, **kwargs: Any) -> Any:
    """Return the clean value of one cell, asserting it has no problem."""
    result = one(target, value, **kwargs)
    assert result.problems == [], [str(p) for p in result.problems]
    return result.values.get(target)


def problem_of(target: str, value: Any, **kwargs: Any) -> FieldProblem:
    """Return the one problem of one cell."""
    result = one(target, value, **kwargs)
    assert result.values == {} and len(result.problems) == 1, result
    return result.problems[0]


def notes_of(result: Converted) -> list[tuple[str, dict[str, Any]]]:
    """Return a result's notes as (msgid, params)."""
    return [(n.message, n.params) for n in result.notes]


# ---------------------------------------------------------------------- the messy workbook

def test_the_messy_workbook_cleaned_as_a_person_would_type_it():
    table = read_table(messy_workbook(), "客戶.xlsx")
    mapping = suggest(table.headings)
    assert mapping == ["basic.name", "basic.tax_id", "basic.legal_representative",
                       "basic.registered_capital", "basic.founded", "basic.phone",
                       "basic.address", "custodian", "grade", "basic.website", "notes"]
    row4, row6, row7, row9 = (convert(row, mapping) for row in table.rows)
    assert row4.values == {
        "basic.name": "亞洲水泥股份有限公司", "basic.tax_id": "03244509",
        "basic.legal_representative": "徐旭東", "basic.registered_capital": 35465628810,
        "basic.founded": "1957-03-21", "basic.phone": "(02)2733-8000",
        "basic.address": "台北市大安區敦化南路2段207號30、31樓", "custodian": "wang.li",
        "grade": "A", "basic.website": '=HYPERLINK("http://www.acc.com.tw","亞泥")',
        "notes": "重要客戶"}
    assert row4.problems == []
    assert notes_of(row4) == [(v.TAX_ID_ZEROS, {"value": "3244509", "tax_id": "03244509"})]
    assert row6.values == {
        "basic.name": "臺灣水泥股份有限公司", "basic.tax_id": "11913502",
        "basic.legal_representative": "張安平", "basic.registered_capital": 30000000,
        "basic.founded": "1950-12-29", "basic.phone": "+886-2-2531-7099",
        "basic.address": "台北市中山北路2段113號", "custodian": "陳大文", "grade": "B",
        "basic.website": "www.taiwancement.com"}
    assert row6.problems == []
    assert [n.target for n in row6.notes] == ["basic.tax_id", "basic.registered_capital",
                                              "basic.founded"]
    assert row7.values == {
        "basic.name": "CHEN, STEVE 貿易有限公司", "basic.tax_id": "12345678",
        "basic.legal_representative": "永井 淳一", "basic.registered_capital": 10000000,
        "basic.founded": "1996-03-01", "basic.phone": "0227338000",
        "basic.address": "No. 5, Lane 3 Taipei", "grade": "C", "notes": "=B7&C7"}
    assert row7.problems == []
    assert notes_of(row7) == [
        (v.TAX_ID_CHECKSUM, {"value": "12345678"}),
        (c.FORMULA_SAVED, {"formula": "=1000*10000"}),
        (v.ROC_DATE, {"value": "85/3/1", "date": "1996-03-01"}),
        (v.PHONE_ZERO, {"value": "227338000"}),
        (c.FORMULA_TEXT, {"formula": "=B7&C7"})]
    assert row9.values == {"basic.name": "壞資料公司", "basic.legal_representative": "李四",
                           "basic.address": "高雄市"}
    assert [(p.column, p.target, p.message, p.params) for p in row9.problems] == [
        (1, "basic.tax_id", v.TAX_ID_DIGITS, {"value": "1234"}),
        (3, "basic.registered_capital", v.AMOUNT_NEGATIVE, {"value": "-5"}),
        (4, "basic.founded", v.DATE_UNREAL, {"value": "2023/2/30"}),
        (5, "basic.phone", v.EXCEL_ERROR, {"value": "#N/A"}),
        (8, "grade", v.CHOICES, {"choices": "A, B, C, D", "value": "E"})]
    assert not row9.ok and row4.ok


def test_clean_values_pass_the_schema():
    table = read_table(messy_workbook(), "客戶.xlsx")
    mapping = suggest(table.headings)
    for row in table.rows[:3]:
        values = convert(row, mapping).values
        record = new_record("distributor", id="C000001", **{
            k: val for k, val in values.items() if k != "custodian"})
        paths = {e.path for e in validate(record)}
        assert not paths & set(values), paths


# ---------------------------------------------------------------------- text

@pytest.mark.parametrize(("written", "typed"), [
    ("\u3000永井 淳一\u3000", "永井 淳一"),
    ("\xa0CHEN, STEVE ", "CHEN, STEVE"),
    ("台北市中山區\n南京東路二段\r\n125號", "台北市中山區南京東路二段125號"),
    ("台北市中山北路2段\n113號", "台北市中山北路2段113號"),
    ("10F., No. 5\nSec. 2, Zhongshan Rd.", "10F., No. 5 Sec. 2, Zhongshan Rd."),
    ("ＡＢＣ股份有限公司", "ＡＢＣ股份有限公司"),  # names are kept as written
    ("=HYPERLINK(\"http://x.tw\")", "=HYPERLINK(\"http://x.tw\")"),
    (12345, "12345"), (3.0, "3"), (2.5, "2.5"), (True, "TRUE"),
    (datetime.datetime(2023, 8, 31), "2023-08-31"),
    ("林子&#23515;", "林子" + chr(23515)),
])
def test_text_is_kept_as_written(written, typed):
    assert value_of("basic.address", written) == typed


def test_text_limits_and_control_characters():
    problem = problem_of("basic.name", "名" * 201)
    assert problem.message == "Shorten this to at most {limit} characters (now {length})"
    assert problem.params == {"limit": 200, "length": 201}
    assert problem_of("notes", "a\x07b").params == {"code": "0007", "position": 2}


def test_blank_and_placeholder_cells_are_left_out():
    assert one("basic.name", "  \u3000").values == {}
    assert one("basic.name", None).values == {}
    result = one("basic.email", "無")
    assert (result.values, result.problems) == ({}, [])
    assert notes_of(result) == [(v.NOTHING, {"value": "無"})]
    assert one("basic.fax", "0").values == {}
    assert value_of("basic.registered_capital", "0") == 0


# ---------------------------------------------------------------------- 統一編號

@pytest.mark.parametrize(("written", "typed"), [
    (3244509, "03244509"), (3244509.0, "03244509"), ("03244509", "03244509"),
    ("１１９１３５０２", "11913502"), (" 11913502 ", "11913502"), ("11-913-502", "11913502"),
])
def test_tax_id(written, typed):
    assert value_of("basic.tax_id", written) == typed


@pytest.mark.parametrize("written", ["1234", 1, "1234567x", "123456789", True, 3244509.5,
                                     datetime.date(2023, 1, 1)])
def test_tax_id_problems(written):
    assert problem_of("basic.tax_id", written).message == v.TAX_ID_DIGITS


def test_tax_id_failing_its_checksum_is_flagged_not_dropped():
    result = one("basic.tax_id", "12345678")
    assert result.values == {"basic.tax_id": "12345678"} and result.ok
    assert notes_of(result) == [(v.TAX_ID_CHECKSUM, {"value": "12345678"})]


# ---------------------------------------------------------------------- dates

@pytest.mark.parametrize(("written", "typed"), [
    (datetime.datetime(2023, 8, 31, 0, 0), "2023-08-31"),
    (datetime.datetime(2023, 8, 31, 15, 30), "2023-08-31"),
    (datetime.date(1996, 3, 1), "1996-03-01"),
    ("2023-08-31", "2023-08-31"), ("2023/8/31", "2023-08-31"), ("2023.8.31", "2023-08-31"),
    ("20230831", "2023-08-31"), (20230831, "2023-08-31"), ("2023-08-31 00:00:00", "2023-08-31"),
    ("民國85年3月1日", "1996-03-01"), ("85年3月1日", "1996-03-01"), ("85/3/1", "1996-03-01"),
    ("085/03/01", "1996-03-01"), ("民國85年3月", "1996-03"), ("1996年3月1日", "1996-03-01"),
    ("１９９６年３月１日", "1996-03-01"), ("中華民國 112 年 8 月 31 日", "2023-08-31"),
    ("1120831", "2023-08-31"), ("1996", "1996"), (1996, "1996"), ("1996-3", "1996-03"),
    ("1996年", "1996"), ("31/8/2023", "2023-08-31"), ("8/31/2023", "2023-08-31"),
    ("2023/8/31 上午 12:00:00", "2023-08-31"), ("8/31/2023 3:00 PM", "2023-08-31"),
    ("2023-08-31T09:30:00", "2023-08-31"),
])
def test_dates(written, typed):
    assert value_of("basic.founded", written) == typed
    assert formats.check_partial_date(typed) is None


def test_date_serials():
    assert value_of("basic.founded", 35125, number_format="yyyy/mm/dd") == "1996-03-01"
    assert value_of("basic.first_deal", 45169.0, number_format=ROC_FORMAT) == "2023-08-31"
    result = one("basic.founded", 35125)
    assert result.values == {"basic.founded": "1996-03-01"}
    assert notes_of(result) == [(v.SERIAL_DATE, {"value": 35125, "date": "1996-03-01"})]


@pytest.mark.parametrize(("written", "message"), [
    ("2023/2/30", v.DATE_UNREAL), ("85/13/1", v.DATE_UNREAL), ("民國85年2月30日", v.DATE_UNREAL),
    ("3/4/2023", v.DATE_AMBIGUOUS), ("last spring", v.DATE_FORMAT), (True, v.DATE_FORMAT),
    (datetime.time(9, 30), v.TIME_NOT_DATE), (123, v.DATE_FORMAT), (1.5, v.DATE_FORMAT),
])
def test_date_problems(written, message):
    assert problem_of("basic.founded", written).message == message


# ---------------------------------------------------------------------- amounts

@pytest.mark.parametrize(("written", "typed"), [
    (73561817420, 73561817420), (1e10, 10000000000), (3.0, 3), (2.5, 2.5),
    ("73,561,817,420", 73561817420), ("NT$ 1,000,000", 1000000), ("新台幣 10,000 元", 10000),
    ("１，０００，０００", 1000000), ("新台幣                 10.0000元", 10),
    ("12345.67", 12345.67), ("$500", 500),
])
def test_amounts(written, typed):
    found = value_of("basic.registered_capital", written)
    assert found == typed and type(found) is type(typed)


@pytest.mark.parametrize(("written", "typed"), [
    ("1.5億", 150000000), ("3,000萬", 30000000), ("3000 萬元", 30000000), ("５００萬", 5000000),
    ("1億2000萬", 120000000), ("2千", 2000),
])
def test_amounts_in_wan_are_multiplied_and_noted(written, typed):
    result = one("credit.limit", written)
    assert result.values == {"credit.limit": typed}
    assert [n.message for n in result.notes] == [v.AMOUNT_UNITS]


@pytest.mark.parametrize(("written", "message"), [
    ("-5", v.AMOUNT_NEGATIVE), (-5, v.AMOUNT_NEGATIVE), ("(1,000)", v.AMOUNT_NEGATIVE),
    ("about a million", v.AMOUNT_FORMAT), ("US$ 100", v.AMOUNT_CURRENCY),
    ("人民幣100萬", v.AMOUNT_CURRENCY), (True, v.AMOUNT_FORMAT), ("3萬5萬", v.AMOUNT_FORMAT),
    (float("nan"), v.AMOUNT_FORMAT), (datetime.date(2023, 1, 1), v.AMOUNT_FORMAT),
])
def test_amount_problems(written, message):
    assert problem_of("basic.registered_capital", written).message == message


# ---------------------------------------------------------------------- phones

@pytest.mark.parametrize(("written", "typed"), [
    ("(02)2531-7099", "(02)2531-7099"), ("02-2733-8000", "02-2733-8000"),
    ("+886-2-2733-8000", "+886-2-2733-8000"), ("+886 (2) 2733 8000", "+886 (2) 2733 8000"),
    ("02 27338000 #123", "02 27338000 #123"), ("（０２）２５３１－７０９９", "(02)2531-7099"),
    ("TEL: 02-2733-8000", "02-2733-8000"), ("0912-345-678", "0912-345-678"),
])
def test_phones(written, typed):
    assert value_of("basic.phone", written) == typed
    assert formats.check_phone(typed) is None


def test_phone_number_cells_get_their_zero_back():
    result = one("basic.fax", 227338000)
    assert result.values == {"basic.fax": "0227338000"}
    assert notes_of(result) == [(v.PHONE_ZERO, {"value": "227338000"})]
    assert value_of("people.phone", 912345678.0) == "0912345678"


def test_two_phone_numbers_in_one_cell_keep_the_first():
    result = one("basic.phone", "(02)2733-8000、2733-8001")
    assert result.values == {"basic.phone": "(02)2733-8000"}
    assert notes_of(result) == [(v.MORE_PHONES, {"value": "(02)2733-8000、2733-8001",
                                                 "phone": "(02)2733-8000"})]
    assert value_of("basic.phone", "02-2531-7099~5") == "02-2531-7099~5"


def test_phone_without_plus():
    result = one("basic.phone", "886-4-8652321")
    assert result.values == {"basic.phone": "+886-4-8652321"}
    assert notes_of(result) == [(v.PHONE_PLUS, {"value": "886-4-8652321",
                                                "phone": "+886-4-8652321"})]


@pytest.mark.parametrize(("written", "as_text"), [
    ("2733-8000", "2733-8000"), ("請洽總機", "請洽總機"), ("03)396-1199", "03)396-1199"),
    ("02-1234", "02-1234"), (12, "12"), (True, None),
])
def test_phone_problems_carry_check_phone_messages(written, as_text):
    problem = problem_of("basic.phone", written)
    expected = formats.check_phone(as_text) if as_text else formats.PHONE_EXAMPLE
    assert problem.message == expected
    assert problem.params == {}


# ---------------------------------------------------------------------- email, web, postcode

def test_email_website_postcode():
    assert value_of("basic.email", " ｉｒ＠ｔａｉｗａｎｃｅｍｅｎｔ.com ") == "ir@taiwancement.com"
    assert value_of("people.email", "mailto:a@b.com.tw") == "a@b.com.tw"
    assert value_of("basic.email", "ir@ mail.mli.com.tw") == "ir@mail.mli.com.tw"
    result = one("basic.email", "a@x.com.tw; b@y.com.tw")
    assert result.values == {"basic.email": "a@x.com.tw"}
    assert notes_of(result) == [(v.MORE_EMAILS, {"value": "a@x.com.tw; b@y.com.tw",
                                                 "email": "a@x.com.tw"})]
    assert problem_of("basic.email", "hunya.com.tw").message == formats.check_email("x")
    assert value_of("basic.website", "ｗｗｗ.acc.com.tw ") == "www.acc.com.tw"
    assert value_of("basic.postcode", 10491) == "10491"
    assert value_of("basic.postcode", "１０４") == "104"
    assert value_of("basic.postcode", "SW1A 1AA") == "SW1A 1AA"
    assert problem_of("basic.postcode", "abc").message == formats.check_postcode("abc")


# ---------------------------------------------------------------------- choices

def test_grades_cards_and_stages():
    assert value_of("grade", "ａ") == "A"
    assert value_of("grade", "B級") == "B"
    assert value_of("credit.grade", " c ") == "C"
    assert value_of("grade", "VIP", grades=("VIP", "A")) == "VIP"
    problem = problem_of("grade", "E")
    assert (problem.message, problem.params) == (v.CHOICES, {"choices": "A, B, C, D",
                                                             "value": "E"})
    for word in ("經銷商", "經銷", "经销商", "Distributor", "distributor"):
        assert value_of("card", word) == "distributor"
    for word in ("終端", "終端客戶", "terminal", "终端客户"):
        assert value_of("card", word) == "terminal"
    assert problem_of("card", "供應商").params == {"choices": "distributor, terminal",
                                                  "value": "供應商"}
    assert value_of("stage", "往來中") == "active"
    assert value_of("stage", "潛在客戶") == "prospect"
    assert value_of("stage", "停止往來") == "former"


def test_custodian_and_people_are_kept_as_written():
    row = SheetRow(3, [Cell(" 王小明 "), Cell("聯絡人 陳"), Cell("經理"), Cell("0912345678")])
    result = convert(row, ["custodian", "people.name", "people.title", "people.phone"])
    assert result.values == {"custodian": "王小明", "people.name": "聯絡人 陳",
                             "people.title": "經理", "people.phone": "0912345678"}


# ---------------------------------------------------------------------- formulas and errors

def test_formulas_keep_the_saved_value_or_the_text():
    result = one("basic.phone", "02-2733-8000", formula="=A1&B1")
    assert result.values == {"basic.phone": "02-2733-8000"}
    assert notes_of(result) == [(c.FORMULA_SAVED, {"formula": "=A1&B1"})]
    result = one("basic.name", None, formula='=CONCAT("甲","乙")')
    assert result.values == {"basic.name": '=CONCAT("甲","乙")'}
    assert notes_of(result) == [(c.FORMULA_TEXT, {"formula": '=CONCAT("甲","乙")'})]
    problem = problem_of("basic.founded", None, formula="=TODAY()")
    assert (problem.message, problem.params) == (c.FORMULA_NO_VALUE, {"formula": "=TODAY()"})


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?"])
def test_error_cells(error):
    for target in ("basic.name", "basic.tax_id", "basic.founded", "credit.limit", "grade"):
        problem = problem_of(target, error)
        assert (problem.message, problem.params) == (v.EXCEL_ERROR, {"value": error})


def test_every_kind_of_cell_value_in_every_target():
    kinds = [None, "", "文字", 0, 7, 1e10, 3.0, -2.5, True, False, float("inf"),
             datetime.datetime(2023, 8, 31, 12, 0), datetime.date(2023, 8, 31),
             datetime.time(9, 30), datetime.timedelta(hours=2), "#REF!", "=SUM(A1)"]
    for target in TARGETS:
        for value in kinds:
            result = one(target, value)
            assert set(result.values) <= {target}
            for problem in result.problems + result.notes:
                assert str(problem)  # every message formats with its parameters


def test_two_columns_for_one_field_keep_the_first():
    row = SheetRow(2, [Cell("02-2345-6789"), Cell("02-8765-4321"), Cell("02-2345-6789")])
    result = convert(row, ["basic.phone", "basic.phone", "basic.phone"])
    assert result.values == {"basic.phone": "02-2345-6789"}
    assert notes_of(result) == [(c.SECOND_VALUE, {"value": "02-8765-4321",
                                                  "kept": "02-2345-6789"})]


def test_mapping_may_be_shorter_or_name_unknown_targets():
    row = SheetRow(2, [Cell("甲"), Cell("x"), Cell("y")])
    assert convert(row, ["basic.name", "no.such"]).values == {"basic.name": "甲"}


# ---------------------------------------------------------------------- real data

def test_every_listed_company_cleaned():
    table = read_table(TWSE.read_bytes(), "t187ap03_L.csv")
    mapping = suggest(table.headings)
    results = [convert(row, mapping) for row in table.rows]
    sources = twse_rows()
    assert len(results) == len(sources) == 992
    for result, source in zip(results, sources, strict=True):
        values = result.values
        assert values["basic.tax_id"] == source["營利事業統一編號"]
        assert tax_id_valid(values["basic.tax_id"])
        written = source["成立日期"]
        assert values["basic.founded"] == f"{written[:4]}-{written[4:6]}-{written[6:]}"
        assert values["basic.registered_capital"] == int(source["實收資本額"])
        assert values["basic.short_name"] == source["公司簡稱"].strip()
        assert values["basic.name"] == source["公司名稱"].strip()
        # Every problem left is a phone, fax or email a person must complete.
        assert {p.target for p in result.problems} <= {"basic.phone", "basic.fax",
                                                       "basic.email"}
    assert not any(n.message == v.TAX_ID_CHECKSUM for r in results for n in r.notes)
    chairmen = [r.values["basic.legal_representative"] for r in results]
    assert "林子" + chr(23515) in chairmen and not any("&#" in name for name in chairmen)
    assert sum(r.ok for r in results) > 800


def test_big5_csv_cleans_like_the_utf8_one():
    sources = twse_rows()[:100]
    rows = [["公司名稱", "統一編號", "負責人", "資本額", "設立日期"]] + [
        [s["公司名稱"], s["營利事業統一編號"], s["董事長"], s["實收資本額"], s["成立日期"]]
        for s in sources]
    for encoding in ("utf-8", "utf-8-sig", "cp950"):
        table = read_table(csv_bytes(rows, encoding), "list.csv")
        mapping = suggest(table.headings)
        cleaned = [convert(row, mapping).values for row in table.rows]
        assert [x["basic.name"] for x in cleaned] == [s["公司名稱"] for s in sources]
        assert [x["basic.tax_id"] for x in cleaned] == [s["營利事業統一編號"] for s in sources]


def test_a_local_number_gets_the_area_code_its_address_names_and_says_so():
    from intranet.sheets.areas import AREA_CODE
    from intranet.sheets.model import Cell, SheetRow

    mapping = ["basic.name", "basic.address", "basic.phone", "basic.fax"]

    def row(address, phone, fax=None):
        return c.convert(SheetRow(5, [Cell("某公司"), Cell(address), Cell(phone), Cell(fax)]),
                       mapping)

    taipei = row("104臺北市中山區松江路125號", "2509-2188", "25092189")
    assert taipei.values["basic.phone"] == "(02)2509-2188"
    assert taipei.values["basic.fax"] == "(02)25092189"
    assert not taipei.problems
    assert [(n.target, n.message, n.params["place"]) for n in taipei.notes] == [
        ("basic.phone", AREA_CODE, "台北市"), ("basic.fax", AREA_CODE, "台北市")]
    # 北市 and the slip 巿 are Taipei too; an extension stays.
    assert row("北市後港街66號", "2881-0721#12").values["basic.phone"] == "(02)2881-0721#12"
    assert row("台北巿大安區", "27765567").values["basic.phone"] == "(02)27765567"
    assert row("苗栗縣竹南鎮", "123456").values["basic.phone"] == "(037)123456"
    # Kaohsiung's local numbers have 7 digits: 8 cannot be told, and stays a problem.
    kaohsiung = row("高雄市仁武區", "89769268")
    assert "basic.phone" not in kaohsiung.values
    assert [p.target for p in kaohsiung.problems] == ["basic.phone"]
    # No place in the address, or a foreign one: nothing is guessed.
    assert [p.target for p in row("8 Penjuru Lane, Singapore", "62914444").problems] == [
        "basic.phone"]
    assert [p.target for p in row("", "25092188").problems] == ["basic.phone"]
