"""The demo company generator: deterministic, believable, and valid by the archive's own rules."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from functools import cache

import pytest

from intranet.demo_data import DemoCompany, apply_changes, generate_company, get_path
from intranet.demo_data.org import managers, salespeople

TODAY = date(2026, 11, 26)
ROLES = {"general_manager", "marketing_vp", "marketing_director", "department_manager",
         "salesperson", "hr", "marketing_staff"}
USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
# An area code in brackets or before a dash (Taiwan, mainland), or a country code.
PHONE_RE = re.compile(r"^(?:\(0\d{1,3}\)\d|0\d{1,3}-\d|\+\d{1,3} \d)[\d\s-]*\d$")
POSTCODE_RE = re.compile(r"^(?:\d{3}|\d{5}|\d{6})$")
PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Characters that exist only in Simplified Chinese: the demo is written in Traditional throughout.
SIMPLIFIED = set("区东发国华们这个为对时会说电话业务门长马龙车书买卖实与专头产经济银贸际应关无纪录"
                 "态开网络术过进还")

SHAPE = {
    "id": str, "card": str, "kind": str, "stage": str, "market": str, "channel": str,
    "classification": {"industry": str, "nature": str, "region": str, "customer_type": str},
    "grade": str,
    "credit": {"grade": str, "limit": (int, type(None)), "terms": str, "problems": str},
    "vip": bool,
    "custody": {"level": str, "owner": str, "department": str, "contacts": list},
    "basic": {
        "name": str, "short_name": str, "tax_id": str, "legal_representative": str,
        "address": str, "postcode": str, "phone": str, "fax": str, "email": str, "website": str,
        "business_scope": str, "registered_capital": (int, type(None)), "founded": str,
        "first_deal": str, "organisation_form": str, "assets": (int, type(None)),
    },
    "people": list,
    "characteristics": {
        "service_area": str, "sales_capacity": str, "development_potential": str, "culture": str,
        "business_policy": str, "employees": (int, type(None)),
        "annual_sales": (int, type(None)), "management_style": str,
    },
    "business": {key: str for key in ("sales_performance", "past_performance", "manager_quality",
                                      "sales_staff_quality", "competitor_relations",
                                      "cooperation_attitude")},
    "transactions": {key: str for key in ("sales_activities", "problems", "strengths",
                                          "future_plans", "reputation", "credit_status",
                                          "trade_terms", "credit_problems")},
    "notes": str, "source": str, "contacts": list, "events": list, "yearly": list,
    "documents": list,
}
PERSON_KEYS = ["role", "name", "title", "phone", "email", "personality", "hobbies", "family",
               "education", "age", "ability"]
ENUMS = {
    "card": {"distributor", "terminal"},
    "kind": {"supplier", "distributor", "terminal", "service"},
    "stage": {"prospect", "active", "former"}, "market": {"domestic", "international"},
    "channel": {"direct", "indirect"}, "grade": {"A", "B", "C", "D", ""},
    "credit.grade": {"A", "B", "C", "D", ""},
    "custody.level": {"company", "department", "personal"},
    "source": {"visit", "customer_form", "agency", "import", "other"},
}
REQUIRED = ["id", "card", "kind", "stage", "market", "channel", "custody.level", "custody.owner",
            "custody.department", "basic.name", "basic.phone"]
REQUIRED_BY_CARD = {"distributor": ["classification.region", "basic.address"],
                    "terminal": ["classification.industry"]}


@cache
def company(seed: int = 7, customers: int = 300) -> DemoCompany:
    """A generated company, cached: tests only read it."""
    return generate_company(seed=seed, customers=customers)


@cache
def replayed(seed: int = 7, customers: int = 300) -> dict[str, dict]:
    """Every customer after all its planned edits."""
    demo = company(seed, customers)
    current = {record["id"]: record for record in demo.customers}
    for edit in demo.history:
        current[edit.customer_id] = apply_changes(current[edit.customer_id], edit.changes)
    return current


def strings(value: object):
    """Every string inside a nested value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def leaf_paths(value: dict, prefix: str = ""):
    """The dotted paths of every non-mapping value inside a mapping."""
    for key, item in value.items():
        if isinstance(item, dict):
            yield from leaf_paths(item, f"{prefix}{key}.")
        else:
            yield prefix + key


def check_shape(value: object, shape: object, where: str) -> None:
    """Assert value has exactly the keys and types of shape."""
    if isinstance(shape, dict):
        assert isinstance(value, dict), where
        assert list(value) == list(shape), where
        for key, sub in shape.items():
            check_shape(value[key], sub, f"{where}.{key}")
    else:
        assert isinstance(value, shape), f"{where}: {value!r}"  # type: ignore[arg-type]


def real_partial_date(text: str) -> date | None:
    """The first day a YYYY[-MM[-DD]] text stands for, or None if it is not a real date."""
    m = PARTIAL_DATE_RE.match(text)
    if not m:
        return None
    year, month, day = m.groups()
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


# --- determinism -------------------------------------------------------------------------------

def test_same_seed_gives_identical_company():
    first = generate_company(seed=11, customers=120)
    second = generate_company(seed=11, customers=120)
    assert first == second


def test_different_seed_gives_different_company():
    first = generate_company(seed=1, customers=120)
    second = generate_company(seed=2, customers=120)
    assert first.customers != second.customers
    assert first.history != second.history
    # Staff and departments are fixed so that demo log-ins are always the same.
    assert first.staff == second.staff and first.departments == second.departments


def test_edit_count_does_not_change_the_customers():
    assert (generate_company(customers=50, edits=0).customers
            == generate_company(customers=50, edits=500).customers)


def test_empty_and_tiny_companies():
    empty = generate_company(customers=0)
    assert empty.customers == [] and empty.history == [] and empty.created == {}
    tiny = generate_company(customers=3, history_days=1, edits=5)
    assert len(tiny.customers) == 3 and len(tiny.history) == 5
    with pytest.raises(ValueError):
        generate_company(history_days=0)


# --- organisation --------------------------------------------------------------------------------

def test_staff_directory():
    demo = company()
    usernames = [m["username"] for m in demo.staff]
    assert len(usernames) == len(set(usernames))
    assert {m["role"] for m in demo.staff} == ROLES
    roles = {m["username"]: m["role"] for m in demo.staff}
    assert roles["gm"] == "general_manager" and roles["vp"] == "marketing_vp"
    assert roles["director"] == "marketing_director" and roles["hr"] == "hr"
    departments = {d["id"] for d in demo.departments}
    assert {"management", "marketing", "sales-north", "sales-central", "sales-south",
            "sales-china", "hr", "info"} <= departments
    for member in demo.staff:
        assert list(member) == ["username", "name", "email", "department", "role", "active",
                                "left_on"]
        assert USERNAME_RE.match(member["username"])
        assert member["email"] == f"{member['username']}@example.com.tw"
        assert member["department"] in departments
        assert member["active"] is True and member["left_on"] == ""
        assert 2 <= len(member["name"]) <= 4 and not set(member["name"]) & SIMPLIFIED
    for department in demo.departments:
        assert roles[department["manager"]] != "salesperson"
    for sales in salespeople().values():
        assert 3 <= len(sales) <= 5


def test_staff_directory_validates():
    from intranet.records.staff import Directory

    demo = company()
    directory = Directory({"departments": demo.departments}, {"staff": demo.staff})
    assert directory.validate() == []


# --- customers -----------------------------------------------------------------------------------

def test_ids_sequential_and_shape():
    demo = company()
    assert [r["id"] for r in demo.customers] == [f"C{i:06d}" for i in range(1, 301)]
    for record in demo.customers:
        check_shape(record, SHAPE, record["id"])
        for key in ("contacts", "events", "yearly", "documents"):
            assert record[key] == [], (record["id"], key)
        assert 1 <= len(record["people"]) <= 4
        for person in record["people"]:
            assert list(person) == PERSON_KEYS
            assert person["age"] is None or 28 <= person["age"] <= 75
        for path, allowed in ENUMS.items():
            assert get_path(record, path) in allowed, (record["id"], path)


def test_required_fields_are_filled():
    for record in company(customers=2000).customers:
        for path in REQUIRED + REQUIRED_BY_CARD[record["card"]]:
            value = get_path(record, path)
            assert isinstance(value, str) and value.strip(), (record["id"], path)


def test_custody_follows_the_three_levels():
    staff = {m["username"]: m for m in company().staff}
    bosses = managers()
    for record in company(customers=2000).customers:
        custody = record["custody"]
        level, owner, department = custody["level"], custody["owner"], custody["department"]
        if level == "company":
            assert (owner, department) == ("director", "marketing")
        elif level == "department":
            assert owner == bosses[department] and department.startswith("sales-")
        else:
            assert staff[owner]["role"] == "salesperson"
            assert staff[owner]["department"] == department
        contacts = custody["contacts"]
        assert contacts[0] == owner and len(contacts) == len(set(contacts))
        assert all(name in staff for name in contacts)
        if record["vip"]:
            assert len(contacts) >= 2  # R31


def test_spreads():
    customers = company(customers=2000).customers
    n = len(customers)

    def share(key: str, value: object) -> float:
        return sum(get_path(r, key) == value for r in customers) / n

    assert 0.50 <= share("card", "distributor") <= 0.60
    assert 0.11 <= share("custody.level", "company") <= 0.19
    assert 0.30 <= share("custody.level", "department") <= 0.40
    assert 0.45 <= share("custody.level", "personal") <= 0.55
    assert 0.16 <= share("stage", "prospect") <= 0.24
    assert 0.65 <= share("stage", "active") <= 0.75
    assert 0.07 <= share("stage", "former") <= 0.13
    assert 0.05 <= share("vip", True) <= 0.11
    assert {r["kind"] for r in customers} == ENUMS["kind"]
    assert {r["grade"] for r in customers} == ENUMS["grade"]
    assert {r["market"] for r in customers} == ENUMS["market"]
    assert {r["channel"] for r in customers} == ENUMS["channel"]
    regions = Counter(r["classification"]["region"] for r in customers)
    assert {"北區", "中區", "南區", "東區", "華東", "華南", "海外"} <= set(regions)
    addresses = [r["basic"]["address"] for r in customers]
    assert any(a.startswith("台北市") for a in addresses)
    assert any(a.startswith("臺北市") for a in addresses)
    assert any(a.startswith("上海市") for a in addresses)


def test_completeness_varies_with_stage_and_grade():
    def filled(record: dict) -> int:
        return sum(1 for text in strings(record) if text)

    customers = company(customers=2000).customers
    prospects = [filled(r) for r in customers if r["stage"] == "prospect"]
    rich = [filled(r) for r in customers if r["stage"] == "active" and r["grade"] == "A"]
    assert sum(rich) / len(rich) > 1.5 * sum(prospects) / len(prospects)
    assert len({filled(r) for r in customers}) > 30


def test_formats_of_values():
    for record in company(customers=2000).customers:
        where = record["id"]
        basic = record["basic"]
        phones = [basic["phone"], basic["fax"]] + [p["phone"] for p in record["people"]]
        for number in filter(None, phones):
            assert PHONE_RE.match(number), (where, number)
        assert basic["postcode"] == "" or POSTCODE_RE.match(basic["postcode"]), where
        if basic["tax_id"]:
            assert record["market"] == "domestic" and re.fullmatch(r"\d{8}", basic["tax_id"])
            digits = [int(c) for c in basic["tax_id"]]
            total = sum(p // 10 + p % 10 for p in
                        (d * w for d, w in zip(digits, (1, 2, 1, 2, 1, 2, 4, 1), strict=True)))
            assert total % 5 == 0, where  # the 統一編號 checksum
        founded = real_partial_date(basic["founded"]) if basic["founded"] else None
        first_deal = real_partial_date(basic["first_deal"]) if basic["first_deal"] else None
        assert (founded is not None) == bool(basic["founded"]), where
        assert (first_deal is not None) == bool(basic["first_deal"]), where
        if first_deal:
            assert record["stage"] != "prospect" and first_deal <= TODAY, where
            assert founded is None or founded.year <= first_deal.year, where
        for key in ("registered_capital", "assets"):
            assert basic[key] is None or basic[key] >= 0
        for value in (record["credit"]["limit"], record["characteristics"]["employees"],
                      record["characteristics"]["annual_sales"]):
            assert value is None or value >= 0
        assert bool(record["credit"]["grade"]) == (record["credit"]["limit"] is not None)
        for text in strings(record):
            assert text == text.strip() and "\n" not in text, where
            assert not set(text) & SIMPLIFIED, (where, text)


def test_names_rarely_repeat_at_benchmark_scale():
    demo = company(customers=10_000)
    names = Counter(r["basic"]["name"] for r in demo.customers)
    duplicates = sum(count - 1 for count in names.values())
    assert duplicates < 100  # under 1 %
    for record in demo.customers:
        assert PHONE_RE.match(record["basic"]["phone"]), record["id"]
    assert len(demo.history) == 20_000


def test_every_customer_validates():
    from intranet.records.validate import validate

    for record in company(customers=1000).customers:
        assert validate(record) == [], record["id"]


# --- history -------------------------------------------------------------------------------------

def test_creation_times():
    demo = company()
    start = datetime.combine(TODAY - timedelta(days=120), datetime.min.time())
    moments = [demo.created[r["id"]][0] for r in demo.customers]
    assert list(demo.created) == [r["id"] for r in demo.customers]
    assert moments == sorted(moments) and len(set(moments)) == len(moments)
    staff = {m["username"] for m in demo.staff}
    for record in demo.customers:
        when, author = demo.created[record["id"]]
        assert when.utcoffset() == timedelta(hours=8)
        assert start.date() <= when.date() < TODAY - timedelta(days=60)  # the first part
        assert author in staff and author in [record["custody"]["owner"],
                                              *record["custody"]["contacts"]]


def test_history_plan():
    demo = company()
    assert len(demo.history) == 2 * len(demo.customers)
    active = {m["username"] for m in demo.staff if m["active"]}
    bosses = managers()
    state = {r["id"]: r for r in demo.customers}
    window_start = TODAY - timedelta(days=120)
    moments = [edit.when for edit in demo.history]
    assert moments == sorted(moments) and len(set(moments)) == len(moments)
    for edit in demo.history:
        when = edit.when
        assert when.utcoffset() == timedelta(hours=8)
        assert window_start <= when.date() < TODAY
        assert when.weekday() < 5 and (8, 30) <= (when.hour, when.minute) < (18, 30)
        assert when > demo.created[edit.customer_id][0]
        before = state[edit.customer_id]
        custody = before["custody"]
        assert edit.author in active
        assert edit.author in {custody["owner"], *custody["contacts"],
                               bosses[custody["department"]]}
        assert edit.changes
        for path in edit.changes:
            assert get_path(before, path, KeyError) is not KeyError, path  # known fields only
        after = apply_changes(before, edit.changes)
        assert after != before, edit
        state[edit.customer_id] = after


def test_history_touches_many_kinds_of_field():
    paths = Counter(path for edit in company().history for path in edit.changes)
    for path in ("basic.phone", "grade", "credit.limit", "transactions.future_plans", "notes",
                 "custody.contacts", "contacts", "stage"):
        assert paths[path] > 0, path


def test_replayed_customers_stay_valid():
    from intranet.records.validate import validate

    for record in replayed().values():
        assert validate(record) == [], record["id"]
        for path in REQUIRED + REQUIRED_BY_CARD[record["card"]]:
            assert get_path(record, path), (record["id"], path)
        if record["vip"]:
            assert len(record["custody"]["contacts"]) >= 2
        for entry in record["contacts"]:
            assert entry["date"] <= entry["recorded_on"]


def test_replay_fills_incomplete_files():
    def empty(record: dict) -> int:
        fields = {key: value for key, value in record.items() if not isinstance(value, list)}
        return sum(1 for path in leaf_paths(fields) if get_path(fields, path) in ("", None))

    before = sum(empty(r) for r in company().customers)
    after = sum(empty(r) for r in replayed().values())
    assert after < before


# --- apply_changes -------------------------------------------------------------------------------

def test_apply_changes_copies_and_sets_paths():
    record = {"basic": {"phone": "02-1234-5678"}, "people": [{"name": "王立"}], "tags": ["a"]}
    value = ["wang.li"]
    result = apply_changes(record, {"basic.phone": "(02)2531-7099", "custody.contacts": value,
                                    "people.0.name": "陳宇", "notes": "x"})
    assert result == {"basic": {"phone": "(02)2531-7099"}, "people": [{"name": "陳宇"}],
                      "tags": ["a"], "custody": {"contacts": ["wang.li"]}, "notes": "x"}
    assert record == {"basic": {"phone": "02-1234-5678"}, "people": [{"name": "王立"}],
                      "tags": ["a"]}
    result["tags"].append("b")
    result["custody"]["contacts"].append("chen.yu")
    assert record["tags"] == ["a"] and value == ["wang.li"]


def test_apply_changes_refuses_paths_through_scalars():
    with pytest.raises(TypeError):
        apply_changes({"notes": "x"}, {"notes.more": "y"})
