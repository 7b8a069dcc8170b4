"""Completeness per card (R4, R19): the policy's fields, filled or missing, as a percentage."""

from __future__ import annotations

import pytest

from intranet.records.files.completeness import completeness, is_filled
from intranet.records.files.schema import new_item, new_record
from intranet.records.files.validate import normalise, validate
from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy

POLICY = Policy()


def person(**fields):
    return {**new_item("people"), "name": "張三", **fields}


def contact(**fields):
    return {**new_item("contacts"), "date": "2026-03-02", "channel": "visit",
            "staff": "wang.li", "summary": "拜訪", **fields}


def full(card: str) -> dict:
    """Return a record of the card with every field of the policy's list filled in."""
    values = {
        "basic.name": "東方貿易", "basic.legal_representative": "王大明",
        "basic.address": "台北市中山區", "basic.postcode": "104", "basic.phone": "02-2531-7099",
        "basic.business_scope": "五金批發", "basic.registered_capital": 5_000_000,
        "basic.founded": "1998", "basic.first_deal": "2005-04",
        "basic.organisation_form": "股份有限公司",
        "classification.industry": "五金", "classification.region": "北區",
        "classification.customer_type": "零售", "grade": "B", "credit.grade": "A",
        "characteristics.service_area": "北部", "characteristics.sales_capacity": "強",
        "characteristics.development_potential": "高", "characteristics.employees": 0,
        "characteristics.annual_sales": 12_000_000, "characteristics.management_style": "家族",
        "business.sales_performance": "穩定", "business.cooperation_attitude": "積極",
        "transactions.credit_status": "良好", "transactions.trade_terms": "月結30天",
        "transactions.future_plans": "展店", "custody.owner": "wang.li",
        "custody.department": "sales",
    }
    record = new_record(card, id="C000001", **values)
    record["people"] = [person()]
    record["contacts"] = [contact()]
    record["yearly"] = [{"year": 2025, "sales": {"螺絲": 100}, "financials": {}}]
    return normalise(record)


@pytest.mark.parametrize("card", ["distributor", "terminal"])
def test_a_full_file_is_complete_and_valid(card):
    record = full(card)
    assert validate(record, POLICY) == []
    done = completeness(record, POLICY)
    assert (done.percent, done.missing, done.complete) == (100, [], True)
    assert done.counted == len(DEFAULT_POLICY["completeness"][card])


def test_distributor_figures_on_a_fixed_record():
    record = full("distributor")
    record["basic"]["postcode"] = "  "       # blank text is missing
    record["people"] = []                    # an empty list is missing
    record["basic"]["registered_capital"] = None  # an unknown amount is missing
    done = completeness(record, POLICY)
    # 24 fields, 3 missing: 21/24 = 87.5 -> 87 (rounded down: 100 only when nothing is missing)
    assert done.percent == 87
    assert done.missing == ["basic.postcode", "basic.registered_capital", "people"]


def test_terminal_counts_its_own_fields_and_zero_is_filled():
    record = full("terminal")
    record["yearly"] = []  # not on the terminal card's list
    record["basic"]["postcode"] = ""  # nor is this
    assert completeness(record, POLICY).percent == 100
    record["characteristics"]["employees"] = None
    record["contacts"] = []
    done = completeness(record, POLICY)
    assert done.missing == ["characteristics.employees", "contacts"]
    assert done.percent == 17 * 100 // 19 == 89


def test_a_new_empty_file_and_the_policy_decides_the_fields():
    record = new_record("distributor", **{"basic.name": "空白"})
    assert completeness(record, POLICY).percent == 1 * 100 // 24 == 4
    only_two = Policy({"completeness": {"distributor": ["basic.name", "basic.fax"],
                                        "terminal": []}})
    done = completeness(record, only_two)
    assert (done.percent, done.missing) == (50, ["basic.fax"])
    # A card the policy lists nothing for is complete.
    assert completeness(new_record("terminal"), only_two).percent == 100


def test_what_counts_as_filled():
    assert not is_filled(None) and not is_filled("") and not is_filled(" \n")
    assert not is_filled([]) and not is_filled({}) and not is_filled({"a": "", "b": None})
    assert is_filled(0) and is_filled(False) and is_filled("x") and is_filled([{}])
    assert is_filled({"螺絲": 0})


def test_quick_reading_of_canonical_text_agrees_with_a_parse():
    from intranet.records.files import yamlio
    from intranet.records.files.completeness import quick

    records = [full("distributor"), full("terminal"), new_record("distributor"),
               new_record("terminal", **{"basic.name": "x", "basic.postcode": " ",
                                         "custody.owner": "wang.li"})]
    records[0]["people"] = []
    records[0]["basic"]["legal_representative"] = "It's 'quoted'"
    records[1]["grade"] = "null"  # text that YAML would read as null is quoted
    # Literal blocks whose lines look like keys, list entries and comments are text.
    records[1]["characteristics"]["management_style"] = "兩行\nkey: x\n- y\n# z"
    records[1]["notes"] = "一\n\nbasic:\n  name: 假的"
    for record in records:
        raw = yamlio.dump(normalise(record))
        parsed = yamlio.load(raw, "x")
        seen = quick(raw, POLICY)
        assert seen is not None
        expected = completeness(parsed, POLICY)
        assert (seen[0].percent, seen[0].missing) == (expected.percent, expected.missing)
        assert seen[1] == parsed["custody"]["owner"]


def test_quick_reading_gives_up_on_anything_unusual():
    from intranet.records.files.completeness import quick

    for text in ("card: distributor\nbasic: {name: x}\n",          # flow style
                 "card: distributor\nbasic:\n\tname: x\n",          # a tab
                 "card: distributor\ncard: terminal\n",             # a duplicate key
                 "card: distributor\nbasic:\n  name: &a x\n",       # an anchor
                 "card: distributor\nbasic:\n  name: \"x\\t\"\n",   # escapes
                 "# comment\ncard: distributor\n",
                 "card: 'distributor'\n"):
        assert quick(text.encode(), POLICY) is None, text
    assert quick(b"\xff\xfe", POLICY) is None


def test_the_index_stores_the_one_completeness_for_every_demo_version(tmp_path):
    """Every figure the index keeps (head rows and each old version) is completeness()'s."""
    from datetime import date

    from intranet import create_app, demo
    from intranet.records.files import yamlio
    from intranet.records.rulebook.rules import load_rules

    app = create_app({"TESTING": True, "ARCHIVE_REPO": str(tmp_path / "demo.git"),
                      "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "t"})
    svc = app.extensions["customer_archive"]
    try:
        with app.app_context():
            demo.seed(svc, 40, 7, today=date(2026, 11, 26))
        index, archive = svc.index, svc.archive
        index.catch_up()
        index.history_settled()
        policy = load_rules(archive.snapshot()).policy
        conn = index.db.connect()
        heads = conn.execute("SELECT id, path, completeness, missing FROM customers").fetchall()
        assert len(heads) == 40
        for row in heads:
            done = completeness(yamlio.load(archive.read(row["path"]), row["path"]), policy)
            assert (row["completeness"], row["missing"]) == (done.percent,
                                                             " ".join(done.missing)), row["id"]
        paths = {row["id"]: row["path"] for row in heads}
        versions = conn.execute("SELECT customer, sha, completeness, missing FROM versions"
                                " WHERE status != 'D'").fetchall()
        assert len(versions) > 2 * len(heads)  # the demo's history, not just the creations
        kinds = set()
        for row in versions:
            path = paths[row["customer"]]
            done = completeness(yamlio.load(archive.read(path, row["sha"]), path), policy)
            assert (row["completeness"], row["missing"]) == (
                done.percent, " ".join(done.missing)), (row["customer"], row["sha"])
            kinds.add(done.complete)
        assert kinds == {True, False}  # both complete and incomplete versions were compared
    finally:
        svc.close()
