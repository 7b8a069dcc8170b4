"""The demo company generator: deterministic, believable, and valid by the archive's own rules."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from functools import cache
from itertools import pairwise

import pytest

from intranet.demo_data import DemoCompany, apply_changes, generate_company, get_path
from intranet.demo_data.model import DemoHandover
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
    "credit": {"grade": str, "limit": (int, type(None)), "terms": str, "problems": str,
               "approved_by": str, "approved_on": str},
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
    """Every customer after all its planned edits, milestones and hand-overs."""
    demo = company(seed, customers)
    current = {record["id"]: record for record in demo.customers}
    for _, edit in sorted([(e.when, e) for e in [*demo.history, *demo.milestones,
                                                  *demo.handovers]], key=lambda item: item[0]):
        if isinstance(edit, DemoHandover):
            for customer_id, values in edit.changes.items():
                current[customer_id] = apply_changes(current[customer_id], values)
        else:
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
    from intranet.records.rulebook.staff import Directory

    demo = company()
    directory = Directory({"departments": demo.departments}, {"staff": demo.staff})
    assert directory.validate() == []


# --- customers -----------------------------------------------------------------------------------

def test_ids_sequential_and_shape():
    demo = company()
    assert [r["id"] for r in demo.customers] == [f"C{i:06d}" for i in range(1, 301)]
    for record in demo.customers:
        # A sales-power assessment is there only when someone has made one.
        check_shape({k: v for k, v in record.items() if k != "sales_power"}, SHAPE, record["id"])
        assert record["documents"] == [], record["id"]  # documents are uploaded later
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
    from intranet.records.files.validate import validate

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
    from intranet.records.files.schema import field_at

    demo = company()
    assert len(demo.history) == 2 * len(demo.customers)
    everyone = {m["username"] for m in demo.staff}
    bosses = managers()
    state = {r["id"]: r for r in demo.customers}
    window_start = TODAY - timedelta(days=120)
    moments = [edit.when for edit in demo.history]
    assert moments == sorted(moments) and len(set(moments)) == len(moments)
    # Ordinary edits, milestones and the hand-over, replayed in time order as seed-demo does.
    timeline = sorted([(e.when, e) for e in [*demo.history, *demo.milestones, *demo.handovers]],
                      key=lambda item: item[0])
    assert len({when for when, _ in timeline}) == len(timeline)
    gone: set[str] = set()
    for when, edit in timeline:
        assert when.utcoffset() == timedelta(hours=8)
        assert window_start <= when.date() < TODAY
        assert when.weekday() < 5 and (8, 30) <= (when.hour, when.minute) < (18, 30)
        if isinstance(edit, DemoHandover):
            for customer_id, values in edit.changes.items():
                state[customer_id] = apply_changes(state[customer_id], values)
            gone.add(edit.leaver)
            continue
        assert when > demo.created[edit.customer_id][0]
        before = state[edit.customer_id]
        custody = before["custody"]
        if edit.action != "customer_form":
            assert edit.author in everyone - gone
            assert edit.author in {custody["owner"], *custody["contacts"],
                                   bosses[custody["department"]]}
        assert edit.changes
        for path in edit.changes:
            assert field_at(path) is not None, path  # known fields only
        after = apply_changes(before, edit.changes)
        assert after != before, edit
        state[edit.customer_id] = after
    assert gone, "someone has left"


def test_history_touches_many_kinds_of_field():
    paths = Counter(path for edit in company().history for path in edit.changes)
    for path in ("basic.phone", "grade", "credit.limit", "transactions.future_plans", "notes",
                 "custody.contacts", "contacts", "stage"):
        assert paths[path] > 0, path


def test_replayed_customers_stay_valid():
    from intranet.records.files.validate import validate

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


# --- the seeded archive (seed-demo through the real write path) --------------------------------

SEEDED = 120
LEAVER, SUCCESSOR = "chou.meiling", "chen.manager"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """An app whose archive seed-demo filled with a 120-customer company dated TODAY."""
    from intranet import create_app

    from .conftest import demo_copy, demo_counts

    archive, instance = demo_copy(tmp_path_factory.mktemp("seeded"), TODAY, SEEDED)
    app = create_app({"TESTING": True, "ARCHIVE_REPO": str(archive),
                      "INSTANCE_PATH": str(instance), "SECRET_KEY": "t"})
    svc = app.extensions["customer_archive"]
    yield app, svc, demo_counts(TODAY, SEEDED)
    svc.close()


@pytest.fixture(scope="module")
def head(seeded):
    """Every customer file at the head, parsed."""
    from intranet.records.files import yamlio
    from intranet.records.files.customers import PREFIX

    _, svc, _ = seeded
    snapshot = svc.archive.snapshot()
    return {path: yamlio.load(snapshot.get(path), path) for path in svc.archive.files(PREFIX)}


def git_log(svc, *args: str) -> str:
    """Plain git log of the seeded archive."""
    from .conftest import git

    return git(svc.archive.path, "log", *args)


def last_changed(svc) -> dict[str, date]:
    """The day each customer file was last committed, from plain git."""
    found: dict[str, date] = {}
    day = None
    for line in git_log(svc, "--format=@%ad", "--date=short", "--name-only",
                        "--", "customers/").splitlines():
        if line.startswith("@"):
            day = date.fromisoformat(line[1:])
        elif line and line not in found:
            found[line] = day
    return found


def completeness(record: dict) -> tuple[int, int]:
    """(filled, counted) of the policy's completeness list for the record's card."""
    from intranet.records.rulebook.policy import DEFAULT_POLICY

    fields = DEFAULT_POLICY["completeness"][record["card"]]
    return sum(get_path(record, path) not in ("", None, [], {}) for path in fields), len(fields)


def test_seeded_archive_verifies(seeded):
    app, _, counts = seeded
    assert counts["customers"] == SEEDED and counts["handovers"] == 1
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 0, result.output
    assert f"{SEEDED} customer files" in result.output


def test_contact_logs_with_some_recorded_late(head):
    entries = [entry for record in head.values() for entry in record["contacts"]]
    with_log = sum(1 for record in head.values() if record["contacts"])
    assert with_log > 0.6 * len(head)  # most files
    assert {entry["channel"] for entry in entries} == {"visit", "call", "letter", "fax",
                                                       "email", "meeting"}
    late = [entry for entry in entries if entry["recorded_on"] > entry["date"]]
    assert all(entry["recorded_on"] >= entry["date"] for entry in entries)
    assert 5 <= len(late) < 0.15 * len(entries)  # most are recorded the same day (R18)
    by_whom = Counter(entry["staff"] for entry in late)
    worst = sum(count for _, count in by_whom.most_common(3))
    assert worst > 0.5 * len(late), by_whom  # a few salespeople are habitually late (R20)
    assert any(entry["confidential"] for entry in entries)
    assert any(entry["report"] and not entry["confidential"] for entry in entries)
    recent = [e for e in late if date.fromisoformat(e["recorded_on"]) > TODAY - timedelta(days=60)]
    assert recent, "late records inside the months HR's report looks at"


def test_events_of_every_kind(head):
    events = [event for record in head.values() for event in record["events"]]
    kinds = Counter(event["kind"] for event in events)
    assert {"legal_representative", "capital", "move", "merger", "contract", "order",
            "complaint", "default"} <= set(kinds)
    assert {event["source"] for event in events} >= {"visit", "agency"}
    for event in events:
        assert real_partial_date(event["date"]) and event["summary"]
        assert real_partial_date(event["date"]) < TODAY


def test_several_years_of_figures_per_product(head):
    rich = 0
    for record in head.values():
        years = [row["year"] for row in record["yearly"]]
        assert years == sorted(years) and len(set(years)) == len(years)
        assert not years or years == list(range(years[0], years[-1] + 1))
        assert all(year < TODAY.year for year in years)
        if record["stage"] == "prospect":
            assert years == []
        for row in record["yearly"]:
            assert 2 <= len(row["sales"]) <= 6
            assert all(isinstance(v, int) and v > 0 for v in row["sales"].values())
            money = row["financials"]
            assert money["revenue"] is None or money["revenue"] > 0
        rich += len(years) >= 3
    assert rich > 0.4 * len(head)
    first = next(r for r in head.values() if len(r["yearly"]) >= 3)["yearly"]
    assert sum(first[-1]["sales"].values()) != sum(first[0]["sales"].values())  # it moves


def test_sales_power_scores_on_many_files_prospects_too(head):
    from intranet.records.rulebook.policy import DEFAULT_POLICY

    criteria = {c["key"] for c in DEFAULT_POLICY["sales_power"]["criteria"]}
    scale = DEFAULT_POLICY["sales_power"]["scale"]
    scored = [r for r in head.values() if r["sales_power"]["scores"]]
    assert len(scored) > 0.4 * len(head)
    prospects = [r for r in head.values() if r["stage"] == "prospect"]
    assert sum(1 for r in prospects if r["sales_power"]["scores"]) > 0.5 * len(prospects)
    for record in scored:
        power = record["sales_power"]
        assert set(power["scores"]) == criteria
        assert all(0 <= score <= scale for score in power["scores"].values())
        assert power["assessed_by"] and date.fromisoformat(power["assessed_on"]) < TODAY
    assert len({tuple(r["sales_power"]["scores"].values()) for r in scored}) > 10


def test_documents_are_small_pdfs_whose_bytes_match(seeded, head):
    import hashlib

    from intranet.records.files import documents as kept
    from intranet.records.files import filetypes

    _, svc, counts = seeded
    snapshot = svc.archive.snapshot()
    documents = [(record["id"], doc) for record in head.values() for doc in record["documents"]]
    assert 3 <= len(documents) == counts["documents"]
    for customer_id, doc in documents:
        earlier = [d for c, d in documents if c == customer_id and d["file"] <= doc["file"]]
        number = f"D{len(earlier):04d}"
        assert doc["file"] == (f"documents/{customer_id[1:5]}/{customer_id}/"
                               f"{number}-{doc['sha256'][:12]}.pdf")
        data = kept.read(snapshot, customer_id, doc)
        assert data is not None, doc["file"]
        assert kept.served_type(data, doc) == filetypes.PDF
        assert len(data) == doc["size"] and hashlib.sha256(data).hexdigest() == doc["sha256"]
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        assert doc["kind"] == "contract" and doc["content_type"] == "application/pdf"
        assert doc["original_name"].endswith(".pdf") and re.search(r"[\u4e00-\u9fff]",
                                                                   doc["original_name"])
        assert doc["signed_on"] <= doc["uploaded_on"] < TODAY.isoformat()
        added_by = git_log(svc, "--diff-filter=A", "--format=%ae", "--", doc["file"]).split()
        assert added_by == [f"{doc['uploaded_by']}@example.com.tw"]


def test_tiny_pdf_has_a_correct_cross_reference_table():
    from intranet.demo_data.milestones import tiny_pdf

    data = tiny_pdf("Contract (C000001) D0001")
    start = int(data.rsplit(b"startxref\n", 1)[1].split()[0])
    assert data[start:].startswith(b"xref\n0 6\n")
    offsets = [int(line[:10]) for line in data[start:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, 1):
        assert data[offset:].startswith(b"%d 0 obj" % number)
    assert b"(Contract \\(C000001\\) D0001) Tj" in data


def test_incomplete_and_neglected_files_next_to_complete_ones(seeded, head):
    _, svc, _ = seeded
    changed = last_changed(svc)
    complete, incomplete, neglected = [], [], []
    for path, record in head.items():
        filled, counted = completeness(record)
        if filled == counted:
            complete.append(path)
        else:
            incomplete.append(path)
            if changed[path] < TODAY - timedelta(days=30):  # R19: not improved for a month
                neglected.append(path)
    assert len(complete) >= 5 and len(incomplete) >= 0.3 * len(head)
    assert 3 <= len(neglected) < len(incomplete)  # some incomplete files were worked on lately
    shares = {completeness(r)[0] * 100 // completeness(r)[1] for r in head.values()}
    assert len(shares) > 10  # a spread, not all-or-nothing


def test_the_leaver_is_gone_after_one_handover_commit(seeded, head):
    from intranet.records.files import yamlio

    _, svc, _ = seeded
    staff = {m["username"]: m for m in yamlio.load(svc.archive.read("org/staff.yaml"),
                                                      "org/staff.yaml")["staff"]}
    leaver = staff[LEAVER]
    assert leaver["active"] is False and leaver["left_on"]
    assert not svc.credentials.has(LEAVER) and svc.credentials.has(SUCCESSOR)
    for record in head.values():
        assert record["custody"]["owner"] != LEAVER
        assert LEAVER not in record["custody"]["contacts"]
    commits = git_log(svc, "--grep=^Action: handover$", "--format=%H").split()
    assert len(commits) == 1
    info = git_log(svc, "-1", "--format=%an%n%ae%n%ad%n%B", "--date=short", commits[0])
    author, email, day, subject, _, *trailers = info.splitlines()
    files = git_log(svc, "-1", "--format=", "--name-only", commits[0]).split()
    moved = [path for path in files if path.startswith("customers/")]
    assert (author, email) == (staff["director"]["name"], "director@example.com.tw")
    assert day == leaver["left_on"] and date.fromisoformat(day) < TODAY
    assert subject == f"交接 周美玲 → 陳志明：{len(moved)} 個客戶檔案" and len(moved) >= 4
    assert "org/staff.yaml" in files
    assert {"Action: handover", f"Staff: {LEAVER}"} <= set(trailers)
    done = open_ = custodian = 0
    for path in moved:
        record = head[path]
        tasks = [t for t in record["tasks"] if t["from_staff"] == LEAVER]
        assert len(tasks) == 1, path
        task = tasks[0]
        assert task["kind"] == "introduce_successor" and task["assignee"] == SUCCESSOR
        role = "負責人" if task["summary"].startswith("通知客戶並介紹新的負責人") else "聯絡人"
        assert task["summary"] == f"通知客戶並介紹新的{role}（原{role}：周美玲）"
        custodian += role == "負責人"
        assert task["created_on"] == day < task["due_on"]
        assert SUCCESSOR in record["custody"]["contacts"]
        if task["done_on"]:
            done += 1
            assert any(e["staff"] == SUCCESSOR and e["date"] == task["done_on"]
                       for e in record["contacts"]), path
            # Done by the first contact its assignee recorded after the hand-over, as the
            # intranet closes it.
            after = sorted(e["date"] for e in record["contacts"]
                           if e["staff"] == SUCCESSOR and e["date"] >= day)
            assert after[0] == task["done_on"], path
        else:
            open_ += 1
            # Still open: the successor has recorded no contact with the customer since.
            assert not [e for e in record["contacts"]
                        if e["staff"] == SUCCESSOR and e["date"] >= day], path
    assert 1 <= open_ <= 2 < done
    assert 0 < custodian < len(moved)  # her own files, and others she was in contact with


def test_a_pending_customer_form_proposal(seeded, head):
    from intranet.records.rulebook.policy import DEFAULT_POLICY

    _, svc, _ = seeded
    asked = set(DEFAULT_POLICY["customer_form"]["fields"])
    pending = [(record, p) for record in head.values() for p in record["proposals"]
               if p["status"] == "pending"]
    assert 1 <= len(pending) <= 2
    assert any(record["custody"]["owner"] == "wang.li" for record, _ in pending)
    for record, proposal in pending:
        assert proposal["id"] == "P000001" and proposal["link_by"] == record["custody"]["owner"]
        assert proposal["submitted_by"] in {p["name"] for p in record["people"]}
        assert proposal["reviewed_by"] == proposal["reviewed_on"] == ""
        assert {f["path"] for f in proposal["fields"]} <= asked
        assert all(f["decision"] == "" and f["value"] for f in proposal["fields"])
        assert any(f["value"] != get_path(record, f["path"]) for f in proposal["fields"])
        log = git_log(svc, "--grep=^Action: customer_form$", "--format=%an|%ae|%B", "--",
                      f"customers/{record['id'][1:5]}/{record['id']}.yaml")
        assert log.startswith(f"{proposal['submitted_by']}（客戶填表）|"
                              "customer-form@intranet.invalid|")
        assert "\nSource: customer_form\n" in log


def test_commits_say_where_their_information_came_from(seeded):
    _, svc, _ = seeded
    sources = Counter()
    for body in git_log(svc, "--format=%B%x00", "--", "customers/").split("\x00"):
        lines = body.strip().splitlines()
        found = [line.split(": ", 1)[1] for line in lines if line.startswith("Source: ")]
        sources.update(found)
        if lines and "聯絡記錄 +1" in lines[0]:
            assert found, lines[0]  # every contact entry says where it came from (R10)
    assert {"visit", "customer_form", "agency", "import"} <= set(sources)


def test_living_false_keeps_files_empty_and_no_milestones():
    plain = generate_company(customers=40, living=False)
    assert plain.milestones == [] and plain.handovers == []
    for record in plain.customers:
        assert record["contacts"] == record["events"] == record["yearly"] == []
        assert "sales_power" not in record


def test_the_intranets_own_rules_see_the_demo_lateness(head):
    from intranet.records.conduct import discipline, two_contacts
    from intranet.records.files import completeness
    from intranet.records.rulebook.policy import Policy
    from intranet.records.sales import sales_power

    policy = Policy()
    late = Counter(entry.staff for record in head.values()
                   for entry in discipline.late_contacts(record["id"], record, policy))
    assert {"tsai.chengen", "hung.chiahao", "lai.kuanyu"} <= set(late)
    states = Counter(completeness.completeness(r, policy).complete for r in head.values())
    assert states[True] >= 5 and states[False] >= 5
    gaps = [r["id"] for r in head.values()
            if discipline.staffing_gap(r, policy, sales_power.score(r, policy))]
    important = [r["id"] for r in head.values()
                 if two_contacts.reasons(r, policy, sales_power.score(r, policy))]
    # Most important customers (grades A and B, VIP, promising prospects) have their two
    # contacts; a few do not, so the R31 list has something to show.
    assert 0 < len(gaps) < 0.2 * len(important)
    assert all(sales_power.check_scores(r["sales_power"]["scores"], policy) == []
               for r in head.values())


def test_the_demo_has_a_refused_attempt_and_a_confirmed_shared_account(seeded):
    from intranet.records.rulebook.rules import load_rules
    from intranet.records.trail import reports

    _app, svc, _ = seeded
    policy = load_rules(svc.archive.snapshot()).policy
    month = TODAY.strftime("%Y-%m")
    path = f"discipline/sharing/{month}.yaml"
    cases = reports.sharing.load_cases(svc.archive.read(path), path)
    author = git_log(svc, "-1", "--format=%an", "--", path).strip()
    assert author == "黃淑貞" and [c["decision"] for c in cases] == ["confirmed"]
    month_rows = {r.username: r for r in reports.month_report(
        reports.load_entries(svc.journal.path), month, policy, cases=cases)}
    lender = month_rows[cases[0]["user"]]
    assert len(lender.cases) == 1 and lender.fines == policy.fine("shared_account")
    tried = [r for r in month_rows.values() if r.attempts]
    assert len(tried) == 1 and tried[0].fines == 0  # the attempt is listed, not fined


# --- the story the dashboards tell (issue 12: R16, R23-R29) -------------------------------------


def final_company(customers: int = 300) -> dict[str, dict]:
    """Every file of a generated company as its history and the receivables report leave it."""
    from intranet.demo_data import finale

    demo = company(customers=customers)
    states = finale.final_states(demo)
    for report in demo.bulk:
        for customer_id, values in report.changes.items():
            states[customer_id] = apply_changes(states[customer_id], values)
    return states


def yearly_totals(records, key) -> dict[str, Counter]:
    """Sales per year summed by key(record, product)."""
    found: dict[str, Counter] = {}
    for record in records:
        for row in record["yearly"]:
            for product, amount in row["sales"].items():
                found.setdefault(key(record, product), Counter())[row["year"]] += amount
    return found


@pytest.mark.parametrize("size", [120, 300])
def test_one_region_grows_and_one_product_falls_every_year(size):
    from intranet.demo_data import story

    records = list(final_company(size).values())
    years = range(TODAY.year - 5, TODAY.year)
    region = yearly_totals(records, lambda r, _: r["classification"]["region"])
    grows = [region[story.GROWING_REGION][y] for y in years]
    assert all(a < b for a, b in pairwise(grows)), grows
    assert grows[-1] > 1.8 * grows[0]  # clearly: nearly doubled in five years
    product = yearly_totals(records, lambda _, p: p)
    falls = [product[story.FALLING_PRODUCT][y] for y in years]
    assert all(a > b for a, b in pairwise(falls)), falls
    assert story.GROWING_REGION in {r["classification"]["region"] for r in records}


def test_grades_follow_the_standard_but_for_a_review_list():
    from intranet.demo_data import story

    states = final_company(300)
    # The review list: files the standard grades otherwise than they are graded.
    off = [cid for cid, r in states.items()
           if story.standard_grade(r, TODAY) not in ("", r["grade"])]
    active = [r for r in states.values() if r["stage"] == "active"]
    assert 5 <= len(off) <= 15
    assert sum(r["grade"] == story.standard_grade(r, TODAY) for r in active) > 0.9 * len(active)
    assert all(r["grade"] == "" for r in states.values() if r["stage"] == "prospect")
    assert {r["grade"] for r in active} == {"A", "B", "C", "D", ""}


def test_credit_within_the_credit_grades_but_for_listed_exceptions():
    from intranet.demo_data import story

    states = final_company(300)
    with_limit = [r for r in states.values() if r["credit"]["limit"] is not None]
    beyond = [r for r in with_limit
              if r["credit"]["limit"] > story.CREDIT[r["credit"]["grade"]][0]
              or r["credit"]["terms"] != story.CREDIT[r["credit"]["grade"]][1]]
    assert len(with_limit) > 150 and 3 <= len(beyond) <= 12
    approved = [r for r in beyond if r["credit"]["approved_by"] == story.APPROVER]
    assert 0 < len(approved) < len(beyond)  # some approved by the director, some not
    assert all(r["credit"]["approved_on"] for r in approved)
    assert all(not r["credit"]["approved_by"] for r in with_limit if r not in beyond)


def test_receivables_mostly_current_some_overdue_some_over_the_limit():
    from intranet.records.sales.credit import overdue_days, receivable

    states = final_company(300)
    owing = [r for r in states.values() if receivable(r) > 0]
    active = [r for r in states.values() if r["stage"] == "active"]
    assert len(owing) > 0.6 * len(active)
    late = [overdue_days(r, TODAY) for r in owing if overdue_days(r, TODAY) > 0]
    assert 0 < len(late) < 0.4 * len(owing)
    assert sum(days > 90 for days in late) >= 1  # a few badly
    over = [r for r in owing if receivable(r) > (r["credit"]["limit"] or 0)]
    assert 0 < len(over) < 0.2 * len(owing)
    assert all(r["stage"] == "active" for r in owing)


def test_sales_power_on_every_file_but_the_last_opened(head):
    from intranet.demo_data import story

    ids = sorted(record["id"] for record in head.values())
    unscored = sorted(r["id"] for r in head.values() if not r["sales_power"]["scores"])
    assert unscored == ids[-story.UNSCORED:]


def test_receivables_come_in_one_report_commit(seeded, head):
    _, svc, _ = seeded
    log = git_log(svc, "--grep=^Action: receivables_import$", "--format=%an|%B%x00")
    reports = [body for body in log.split("\x00") if body.strip()]
    assert len(reports) == 1 and reports[0].startswith("陳美華|應收帳款月報匯入")
    owing = [r for r in head.values() if (r.get("receivables") or {}).get("amount")]
    assert f"：{len(owing)} 個客戶" in reports[0]


def test_classes_yaml_lists_exactly_the_values_used_in_the_first_commit(seeded, head):
    from intranet.records.files import yamlio

    _, svc, _ = seeded
    from .conftest import git

    # The demo's first commit is its organisation, with the lists (the archive's own is older).
    first = git_log(svc, "--reverse", "--format=%H", "--grep=^建立示範公司組織").split()[0]
    assert "classes.yaml" in git(svc.archive.path, "show", "--name-only", "--format=", first)
    lists = yamlio.load(svc.archive.read("classes.yaml"), "classes.yaml")
    assert list(lists) == ["industry", "nature", "region", "customer_type", "product"]
    for key in ("industry", "nature", "region", "customer_type"):
        used = {r["classification"][key] for r in head.values()} - {""}
        assert used <= set(lists[key]), key
    products = {p for r in head.values() for row in r["yearly"] for p in row["sales"]}
    assert products <= set(lists["product"])
