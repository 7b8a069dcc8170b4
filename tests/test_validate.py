"""Validation of customer records, value formats, the schema template and normalise()."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intranet.records.files import formats, schema
from intranet.records.files.messages import FieldError
from intranet.records.files.schema import new_record
from intranet.records.files.validate import normalise, validate
from intranet.records.rulebook.policy import Policy


def good(card: str = "distributor", **overrides: Any) -> dict[str, Any]:
    """Return a record that passes validation, with dotted overrides applied."""
    values: dict[str, Any] = {
        "custody.owner": "wang.li", "custody.department": "sales-north",
        "basic.name": "東方貿易股份有限公司", "basic.phone": "(02)2531-7099",
        "basic.address": "台北市中山區松江路 100 號", "classification.region": "北區",
        "classification.industry": "紡織",
    }
    values.update(overrides)
    return new_record(card, values.pop("id", "C000042"), **values)


def paths(errors: list[FieldError]) -> list[str]:
    """Return the paths of errors in order."""
    return [e.path for e in errors]


def messages(record: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    """Return path -> formatted message for a record's errors."""
    return {e.path: str(e) for e in validate(record, **kwargs)}


def test_good_records_of_both_cards_are_valid() -> None:
    assert validate(good("distributor")) == []
    assert validate(good("terminal")) == []


def test_template_is_complete_and_typed() -> None:
    r = new_record("terminal")
    assert list(r) == list(schema.SCHEMA)
    assert r["kind"] == "terminal" and r["card"] == "terminal"
    assert (r["stage"], r["market"], r["channel"]) == ("prospect", "domestic", "direct")
    assert r["custody"] == {"level": "personal", "owner": "", "department": "",
                            "contacts": []}
    assert r["vip"] is False and r["credit"]["limit"] is None and r["people"] == []
    assert r["basic"]["registered_capital"] is None and r["basic"]["phone"] == ""
    assert new_record("terminal")["custody"]["contacts"] is not r["custody"]["contacts"]


def test_required_fields_per_card() -> None:
    blank = new_record("distributor")
    assert paths(validate(blank)) == [
        "id", "custody.owner", "custody.department", "basic.name",
        "classification.region", "basic.address", "basic.phone"]
    errors = validate(new_record("terminal", "C000001"))
    assert paths(errors) == ["custody.owner", "custody.department", "basic.name",
                             "classification.industry", "basic.phone"]
    assert str(errors[0]) == "Required"
    assert str(errors[-1]) == "Required for a terminal card"
    assert messages(blank)["basic.address"] == "Required for a distributor card"


def test_missing_and_whitespace_count_as_missing() -> None:
    r = good()
    del r["basic"]["name"]
    r["custody"]["owner"] = "   "
    r["custody"]["department"] = None
    assert paths(validate(r)) == ["custody.owner", "custody.department", "basic.name"]


def test_enumerations_use_policy_grades() -> None:
    assert messages(good(grade="E"))["grade"] == "Must be one of: A, B, C, D"
    policy = Policy({"grades": [{"code": "A"}, {"code": "E"}]})
    assert validate(good(grade="E"), policy) == []
    assert messages(good(grade="B"), policy=policy)["grade"] == "Must be one of: A, E"
    assert messages(good(**{"credit.grade": "Z"}))["credit.grade"] == \
        "Must be one of: A, B, C, D"
    assert messages(good(stage="dead"))["stage"] == "Must be one of: prospect, active, former"
    assert messages(good(card="vendor"))["card"] == "Must be one of: distributor, terminal"


def test_type_errors_name_the_field() -> None:
    r = good()
    r["basic"]["tax_id"] = 12345678
    r["vip"] = "yes"
    r["basic"]["assets"] = "很多"
    r["characteristics"]["employees"] = 12.5
    r["basic"]["fax"] = True
    r["business"] = "good"
    r["people"] = {"name": "x"}
    assert messages(r) == {
        "vip": "Must be true or false",
        "basic.tax_id": "Expected text here, not a number",
        "basic.fax": "Expected text here, not true/false",
        "basic.assets": "Enter an amount as a number, e.g. 1500000",
        "people": "Expected a list here",
        "characteristics.employees": "Enter a whole number",
        "business": "Expected a group of fields here",
    }


def test_amounts_ints_and_profit_sign() -> None:
    r = good(**{"basic.registered_capital": -1, "credit.limit": True})
    r["people"] = [{"name": "王", "age": 131}, {"name": "李", "age": -1}, {"age": 30}]
    r["yearly"] = [{"year": 2024, "sales": {"產品A": 100, "產品B": -5, "產品C": None},
                    "financials": {"profit": -2000, "revenue": float("inf")}},
                   {"year": 2024}, {"sales": {}}]
    assert messages(r) == {
        "credit.limit": "Enter an amount as a number, e.g. 1500000",
        "basic.registered_capital": "Must not be negative",
        "people[0].age": "Must be at most 130",
        "people[1].age": "Must be at least 0",
        "yearly[0].sales.產品B": "Must not be negative",
        "yearly[0].financials.revenue": "Enter a finite number",
        "yearly[1].year": "The year 2024 is already listed",
        "yearly[2].year": "Required",
    }


def test_dates() -> None:
    r = good(**{"basic.founded": "1987", "basic.first_deal": "2001-02"})
    r["contacts"] = [{"date": "2024-02-29", "recorded_on": "2023-02-29"},
                     {"date": "2024/01/01"}, {"date": ""}]
    r["events"] = [{"date": "2024-13"}, {"date": "2024-06-31"}, {"date": "2024-06-30"}]
    assert messages(r) == {
        "contacts[0].recorded_on": "Enter a real date as YYYY-MM-DD",
        "contacts[1].date": "Enter a real date as YYYY-MM-DD",
        "contacts[2].date": "Required",
        "events[0].date": "Enter a year, a month or a date: YYYY, YYYY-MM or YYYY-MM-DD",
        "events[1].date": "Enter a year, a month or a date: YYYY, YYYY-MM or YYYY-MM-DD",
    }


def test_id_email_sha_and_usernames() -> None:
    r = good(id="C42", **{"basic.email": "info@東方.tw", "custody.contacts": ["wang.li", "X"]})
    r["people"] = [{"name": "王", "email": "wang@"}]
    r["documents"] = [{"file": "a.pdf", "sha256": "ab" * 32, "uploaded_by": "chen.yu"},
                      {"file": "b.pdf", "sha256": "xyz", "size": -1}]
    assert paths(validate(r)) == ["id", "custody.contacts[1]", "people[0].email",
                                  "documents[1].size", "documents[1].sha256"]


PHONES_OK = ["(02)2531-7099", "02-2531-7099", "037-123456", "+886-2-2531-7099",
             "0912-345-678", "0800-000-123", "010-12345678", "0755-1234 5678",
             "(0755)12345678", "138 0013 8000", "+86 138 0013 8000", "+1 (212) 555-0100",
             "+44 20 7946 0958", "02-2531-7099 #123", "02-2531-7099 ext. 123",
             "02-2531-7099 分機 123", "02-2531-7099轉123", "（０２）２５３１－７０９９",
             "+86 10 1234 5678", "(02)2531-7099~5", "+886 (02) 2531-7099"]
PHONES_BAD = {
    "2531-7099": formats.PHONE_EXAMPLE,
    "02-ABCD-7099": "Use only digits, spaces and + - ( ) in a phone number, "
                    "with an optional extension such as #123",
    "0912": "Too few digits for a phone number",
    "+1 555": "Too few digits for a phone number",
    "02-2531-7099-12345": "Too many digits for a phone number",
    "(02)(03)2531709": "Check the brackets in this phone number",
    "12345678901": formats.PHONE_EXAMPLE,
}


@pytest.mark.parametrize("phone", PHONES_OK)
def test_phone_formats_accepted(phone: str) -> None:
    assert formats.check_phone(phone) is None
    assert validate(good(**{"basic.phone": phone, "basic.fax": phone})) == []


@pytest.mark.parametrize(("phone", "message"), PHONES_BAD.items())
def test_phone_formats_refused(phone: str, message: str) -> None:
    assert messages(good(**{"basic.fax": phone})) == {"basic.fax": message}


def test_phone_message_example() -> None:
    assert messages(good(**{"basic.phone": "2531-7099"}))["basic.phone"] == (
        "Enter a phone number with its area or country code, "
        "e.g. (02)2531-7099 or +86 10 1234 5678")


@pytest.mark.parametrize(("market", "code", "ok"), [
    ("domestic", "104", True), ("domestic", "10491", True), ("domestic", "104-91", True),
    ("domestic", "100080", True), ("domestic", "１０４", True), ("domestic", "1049", False),
    ("domestic", "SW1A 1AA", False), ("international", "SW1A 1AA", True),
    ("international", "10115", True), ("international", "K1A-0B1", True),
    ("international", "AB", False), ("international", "A  1", False),
    ("international", "12345678901", False),
])
def test_postcodes_follow_market(market: str, code: str, ok: bool) -> None:
    errors = validate(good(market=market, **{"basic.postcode": code}))
    assert (errors == []) is ok
    assert ok or paths(errors) == ["basic.postcode"]


def test_text_limits_and_control_characters() -> None:
    r = good(notes="x" * 10_001, **{"basic.short_name": "名" * 201})
    r["transactions"]["problems"] = "bad\x07bell"
    r["hand_edit"] = {"k": "nel\x85"}
    assert messages(r) == {
        "basic.short_name": "Shorten this to at most 200 characters (now 201)",
        "transactions.problems": "Remove the control character U+0007 at position 4",
        "notes": "Shorten this to at most 10000 characters (now 10001)",
        "hand_edit.k": "Remove the control character U+0085 at position 4",
    }
    assert validate(good(notes="第一行\n\t第二行")) == []


def test_unknown_keys_are_never_errors() -> None:
    r = good()
    r["x_custom"] = {"anything": [1, "two", None]}
    r["basic"]["line_id"] = "@dongfang"
    r["people"] = [{"name": "王", "wechat": "wx123"}]
    assert validate(r) == []


def test_field_error_formats_params_and_is_hashable() -> None:
    e = FieldError("grade", "Must be one of: {choices}", {"choices": "A, B"})
    assert str(e) == "Must be one of: A, B"
    assert e == FieldError("grade", "Must be one of: {choices}", {"choices": "A, B"})
    assert len({e, e}) == 1


def test_not_a_mapping() -> None:
    assert paths(validate(["x"])) == [""]  # type: ignore[arg-type]


def test_normalise_fills_shape_and_keeps_unknown_keys() -> None:
    old = {"id": "C000007", "card": "terminal", "basic": {"name": "  老客戶 ", "phone":
           "（０２）２５３１－７０９９", "postcode": 104, "hand": " kept "},
           "people": [{"name": "王"}], "custody": {"owner": "wang.li"}, "legacy": [1]}
    n = normalise(old)
    assert list(n)[:len(schema.SCHEMA)] == list(schema.SCHEMA) and n["legacy"] == [1]
    assert n["basic"]["name"] == "老客戶" and n["basic"]["hand"] == " kept "
    assert n["basic"]["phone"] == "(02)2531-7099" and n["basic"]["postcode"] == "104"
    assert n["people"][0]["age"] is None and n["people"][0]["name"] == "王"
    assert n["custody"] == {"level": "personal", "owner": "wang.li", "department": "",
                            "contacts": []}
    assert (n["stage"], n["kind"], n["vip"]) == ("prospect", "terminal", False)
    assert old["basic"]["name"] == "  老客戶 "  # the input is not modified


def test_normalise_keeps_present_values() -> None:
    r = good(stage="former", market="international", kind="service")
    assert normalise(r) == r
    assert normalise(normalise(r)) == normalise(r)


@given(st.text(alphabet="0123456789０１２３４５６７８９-() +", max_size=20))
def test_phone_check_never_crashes_and_ignores_width(text: str) -> None:
    assert formats.check_phone(text) == formats.check_phone(formats.nfkc(text))


def test_labels_cover_every_field() -> None:
    def walk(fields: dict[str, schema.Field], prefix: str) -> list[str]:
        out = []
        for k, f in fields.items():
            out.append(prefix + k)
            out += walk(f.children, prefix + k + ".")
        return out
    every = walk(schema.SCHEMA, "")
    assert set(every) == set(schema.LABELS) == set(schema.LABELS_ZH)
    assert schema.label("people[2].phone", zh=True) == "電話"
    assert schema.label("basic.name", zh=True) == "名稱"
    assert schema.label("yearly[0].sales.產品A", zh=True) == "銷售額"
    assert schema.label("custom_key") == "custom_key"
