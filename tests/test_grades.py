"""Classes and grades without the web (R2, R23, R24): classes.yaml, the standard grade, the
review list from the index against the YAML files, one-commit regrading, classify (real
archive, real YAML, no mocks)."""

from __future__ import annotations

from datetime import date

import pytest

from intranet.actions import ActionError, Forbidden, customers
from intranet.actions import grades as grade_actions
from intranet.demo_data import generate_company
from intranet.index import Index
from intranet.index import grades as graded_index
from intranet.records.files import yamlio
from intranet.records.files.customers import CustomerFiles, customer_path
from intranet.records.files.schema import new_record
from intranet.records.rulebook.classes import (
    CLASSES_PATH,
    DEFAULT_CLASSES,
    dump_classes,
    load_classes,
    validate_classes,
)
from intranet.records.rulebook.policy import Policy, validate_policy
from intranet.records.sales.grading import standard, standard_grade

from .conftest import git

TODAY = date(2026, 11, 2)  # the last full year is 2025
POLICY = Policy()


def record(year_sales: dict[int, dict[str, float]] | None = None, owed: float | None = None,
           due: str = "", **overrides) -> dict:
    """Return a personal file of wang.li with sales per year and open receivables."""
    rec = new_record("distributor", **{
        "basic.name": "東方貿易", "basic.phone": "02-2531-7099", "basic.address": "臺北市",
        "classification.region": "北區", "custody.owner": "wang.li",
        "custody.department": "sales", "custody.level": "personal", **overrides})
    rec["yearly"] = [{"year": y, "sales": s} for y, s in (year_sales or {}).items()]
    if owed is not None:
        rec["receivables"] = {"amount": owed, "oldest_due": due, "as_of": "", "notes": ""}
    return rec


def independent(rec: dict, policy_data: dict, on: date) -> str:
    """Compute the standard grade again, straight from the policy text's rule."""
    year = on.year - 1
    amounts = [a for e in rec.get("yearly") or [] if e.get("year") == year
               for a in (e.get("sales") or {}).values()
               if isinstance(a, (int, float)) and not isinstance(a, bool)]
    if not amounts:
        return ""
    owed = rec.get("receivables") or {}
    late = 0
    if (owed.get("amount") or 0) > 0 and owed.get("oldest_due"):
        late = max(0, (on - date.fromisoformat(owed["oldest_due"])).days)
    for g in policy_data["grades"]:
        if sum(amounts) >= g["min_sales"] and (g.get("max_overdue_days") is None
                                               or late <= g["max_overdue_days"]):
            return g["code"]
    return ""


@pytest.fixture
def files(archive) -> CustomerFiles:
    return CustomerFiles(archive)


# -- classes.yaml ------------------------------------------------------------------------

def test_init_writes_the_default_lists_and_they_load(archive):
    raw = archive.read(CLASSES_PATH)
    assert raw == dump_classes(DEFAULT_CLASSES)
    lists = load_classes(archive.snapshot())
    assert lists.values("region") == tuple(DEFAULT_CLASSES["region"])
    assert lists.allows("region", "北區") and not lists.allows("region", "火星")
    assert lists.allows("region", "")


def test_validation_refuses_bad_lists():
    assert validate_classes({"region": ["北區", "北區"]})[0].path == "region[1]"
    assert validate_classes({"region": [" 北區"]})[0].path == "region[0]"
    assert validate_classes({"colour": []})[0].path == "colour"
    assert validate_classes({"industry": "x"})[0].path == "industry"
    assert validate_classes({"industry": [], "region": ["中區"]}) == []


def test_flags_name_values_outside_the_lists_and_empty_lists_allow_anything():
    lists = load_classes_from({"region": ["北區"], "industry": [], "product": ["變頻器"]})
    rec = record({2025: {"變頻器": 1, "雜貨": 2}}, **{"classification.region": "火星",
                                                  "classification.industry": "任何"})
    flags = [(f.path, f.value) for f in lists.flags(rec)]
    assert flags == [("classification.region", "火星"), ("yearly[0].sales", "雜貨")]


def load_classes_from(data: dict):
    from intranet.records.rulebook.classes import from_data
    return from_data(data)


def test_save_classes_is_one_commit_by_the_actor_with_the_reason(archive):
    head = archive.head()
    lists = {**DEFAULT_CLASSES, "region": ["北部", "中部"]}
    commit = grade_actions.save_classes(archive, "info.wu", lists, "依新業務區域調整")
    assert commit != head
    assert archive.read(CLASSES_PATH) == dump_classes(lists)
    assert git(archive.path, "log", "-1", "--format=%an", commit).strip() == "吳資訊"
    message = git(archive.path, "log", "-1", "--format=%B", commit)
    assert "Action: classes" in message and "Reason: 依新業務區域調整" in message
    assert load_classes(archive.snapshot()).values("region") == ("北部", "中部")


def test_only_classify_roles_keep_the_lists_and_a_reason_is_required(archive):
    head = archive.head()
    with pytest.raises(Forbidden):
        grade_actions.save_classes(archive, "wang.li", DEFAULT_CLASSES, "我想改")
    with pytest.raises(ActionError):
        grade_actions.save_classes(archive, "info.wu", DEFAULT_CLASSES, "  ")
    assert archive.head() == head


def test_renaming_a_value_renames_it_in_every_file_in_the_same_commit(archive, files):
    north = files.create(record({2025: {"變頻器": 5}}), "wang.li")[0]
    south = files.create(record(**{"classification.region": "南區"}), "chen.yu")[0]
    lists = {**DEFAULT_CLASSES, "region": ["北部", "中區", "南區"]}
    commit = grade_actions.save_classes(archive, "info.wu", lists, "北區改稱北部",
                                        [("region", "北區", "北部")])
    changed = git(archive.path, "show", "--name-only", "--format=", commit).split()
    assert sorted(changed) == sorted([CLASSES_PATH, customer_path(north)])
    assert yamlio.load(archive.read(customer_path(north)))["classification"]["region"] == "北部"
    assert yamlio.load(archive.read(customer_path(south)))["classification"]["region"] == "南區"


# -- the standard grade ------------------------------------------------------------------

@pytest.mark.parametrize(("sales", "owed", "due", "expected"), [
    ({2025: {"a": 6_000_000, "b": 4_000_000}}, None, "", "A"),      # exactly 10,000,000
    ({2025: {"a": 12_000_000}}, 1000, "2026-10-10", "A"),           # 23 days overdue
    ({2025: {"a": 12_000_000}}, 1000, "2026-09-20", "B"),           # 43 days: past A's 30
    ({2025: {"a": 12_000_000}}, 1000, "2026-09-01", "C"),           # 62 days: past B's 60
    ({2025: {"a": 4_000_000}}, 1000, "2026-08-01", "C"),            # 93 days: past B's 60
    ({2025: {"a": 4_000_000}}, 0, "2026-01-01", "B"),               # nothing owed: not late
    ({2025: {"a": 499_999}}, None, "", "D"),
    ({2025: {"a": 0}}, None, "", "D"),
    ({2024: {"a": 50_000_000}}, None, "", ""),                      # no figure for 2025
    ({2025: {}}, None, "", ""),                                     # an entry, no amount
    ({}, None, "", ""),
])
def test_standard_grade_of_hand_made_records(sales, owed, due, expected):
    rec = record(sales, owed, due)
    assert standard_grade(rec, POLICY, TODAY) == expected
    assert independent(rec, POLICY.data, TODAY) == expected
    assert standard(rec, POLICY, TODAY).describe()


def test_two_entries_of_one_year_add_up():
    rec = record({2025: {"a": 2_000_000}})
    rec["yearly"].append({"year": 2025, "sales": {"b": 1_000_000}})
    assert standard_grade(rec, POLICY, TODAY) == "B"


def test_policy_validates_the_standards_and_a_policy_without_them_grades_nobody():
    bad = {"grades": [{"code": "A", "min_sales": -1}, {"code": "B", "max_overdue_days": "x"}]}
    paths = {e.path for e in validate_policy(bad)}
    assert {"grades[0].min_sales", "grades[1].max_overdue_days"} <= paths
    old = Policy({"grades": [{"code": "A"}, {"code": "B"}]})
    assert validate_policy(old.data) == []
    assert standard_grade(record({2025: {"a": 1}}), old, TODAY) == ""


def test_standard_grade_on_the_demo_company_matches_an_independent_computation():
    demo = generate_company(customers=120, today=TODAY)
    found = {r["id"]: standard_grade(r, POLICY, TODAY) for r in demo.customers}
    assert found == {r["id"]: independent(r, POLICY.data, TODAY) for r in demo.customers}
    assert {"A", "B", "C"} <= set(found.values())  # the demo's figures reach several grades


# -- the review list from the index, and regrading ---------------------------------------

@pytest.fixture
def spread(files) -> dict[str, dict]:
    """Files of several standards and grades, by id (created straight in the archive)."""
    made = {}
    cases = [
        ({2025: {"a": 12_000_000}}, None, "", "B", "wang.li"),
        ({2025: {"a": 12_000_000}}, 9, "2026-06-01", "A", "wang.li"),
        ({2025: {"a": 600_000}}, None, "", "C", "wang.li"),
        ({2025: {"a": 100}}, None, "", "", "chen.yu"),
        ({2024: {"a": 100}}, None, "", "A", "chen.yu"),
        ({2025: {"a": 3_500_000}}, None, "", "D", "lin.sales2"),
    ]
    for sales, owed, due, grade, owner in cases:
        department = "sales2" if owner == "lin.sales2" else "sales"
        rec = record(sales, owed, due, grade=grade, **{"custody.owner": owner,
                                                       "custody.department": department})
        customer_id = files.create(rec, owner)[0]
        made[customer_id] = yamlio.load(files.archive.read(customer_path(customer_id)))
    return made


def test_the_review_list_holds_exactly_the_files_differing_from_their_standard(
        archive, spread, tmp_path):
    index = Index(tmp_path / "index.sqlite3", archive)
    try:
        rows, total = graded_index.differing(index, POLICY, TODAY)
        every = graded_index.graded(index, POLICY, TODAY)
        page, _ = graded_index.differing(index, POLICY, TODAY, limit=2, offset=2)
        only_a, _ = graded_index.differing(index, POLICY, TODAY, filters={"standard": "A"})
    finally:
        index.close()
    # The SQL standard is the domain's, file by file, including the ungraded ones.
    assert {r["id"]: r["standard"] for r in every} == {
        i: standard_grade(r, POLICY, TODAY) for i, r in spread.items()}
    assert total == len(rows) and page == rows[2:4]
    assert {r["id"] for r in only_a} == {r["id"] for r in rows if r["standard"] == "A"}
    expected = {i for i, r in spread.items()
                if independent(r, POLICY.data, TODAY)
                and independent(r, POLICY.data, TODAY) != (r.get("grade") or "")}
    assert {r["id"] for r in rows} == expected and len(expected) == 4
    assert {r["id"]: r["standard"] for r in rows} == {
        i: independent(spread[i], POLICY.data, TODAY) for i in expected}


def test_regrading_is_one_commit_by_the_actor_changing_only_the_grade(archive, spread):
    ids = sorted(i for i, r in spread.items() if r["grade"] in ("B", "A", "D")
                 and independent(r, POLICY.data, TODAY) not in ("", r["grade"]))
    before = {i: archive.read(customer_path(i)) for i in ids}
    head = archive.head()
    commit, moved = grade_actions.regrade(archive, "info.wu", ids, "年度分級檢討", TODAY)
    assert git(archive.path, "rev-list", "--count", f"{head}..{commit}").strip() == "1"
    assert git(archive.path, "log", "-1", "--format=%an", commit).strip() == "吳資訊"
    message = git(archive.path, "log", "-1", "--format=%B", commit)
    assert message.startswith(f"重新分級 {len(ids)} 個客戶：年度分級檢討")
    assert "Action: regrade" in message and "Reason: 年度分級檢討" in message
    for customer_id in ids:
        old_lines = before[customer_id].decode().splitlines()
        new_lines = archive.read(customer_path(customer_id)).decode().splitlines()
        changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
        assert changed == [(f"grade: {spread[customer_id]['grade']}",
                            f"grade: {moved[customer_id][1]}")]


def test_regrading_a_file_the_actor_may_not_classify_writes_nothing(archive, spread):
    # lee.mgr manages sales but keeps none of these files: he may not classify them.
    ids = list(spread)
    head = archive.head()
    with pytest.raises(Forbidden):
        grade_actions.regrade(archive, "lee.mgr", ids, "試試", TODAY)
    # The owner may classify their own files, but not lin.sales2's in the same batch.
    with pytest.raises(Forbidden):
        grade_actions.regrade(archive, "wang.li", ids, "試試", TODAY)
    assert archive.head() == head


# -- classify, and new files ------------------------------------------------------------

def test_classify_changes_classes_and_grade_only(archive, files):
    customer_id = files.create(record(), "wang.li")[0]
    head = archive.head()
    for crafted in ({"basic.name": "改名"}, {"contacts": "x"}, {"custody.owner": "info.wu"}):
        with pytest.raises(Forbidden):
            grade_actions.classify(files, "info.wu", customer_id, crafted)
    with pytest.raises(Forbidden):  # a salesperson of another department may not classify
        grade_actions.classify(files, "lin.sales2", customer_id, {"grade": "A"})
    assert archive.head() == head
    commit = grade_actions.classify(files, "info.wu", customer_id,
                                    {"grade": "B", "classification.industry": "貿易"})
    saved = yamlio.load(archive.read(customer_path(customer_id)))
    assert saved["grade"] == "B" and saved["classification"]["industry"] == "貿易"
    assert git(archive.path, "log", "-1", "--format=%an", commit).strip() == "吳資訊"


def test_a_new_file_gets_the_standard_grade_never_a_guess(files):
    customer_id, _ = customers.create(files, "wang.li", record(grade="A"))
    assert yamlio.load(files.archive.read(customer_path(customer_id)))["grade"] == ""
