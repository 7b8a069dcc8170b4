"""The credit table applied where a change is saved (R28): edit, create, restore, import, merge.

Real archive, real YAML, real git: a refused change leaves the head where it was; an approved
one records who approved it and when (company time) in the file itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from intranet.actions import Forbidden, merging
from intranet.actions import credit as credit_actions
from intranet.actions import customers as customer_actions
from intranet.actions import importing as import_actions
from intranet.archive.repository import Change
from intranet.records.files import yamlio
from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_record
from intranet.records.rulebook.policy import Policy, dump_policy
from intranet.records.sales import credit
from intranet.sheets.model import Cell, SheetRow, Table

from .conftest import SYSTEM, git

# 2026-12-06T17:00Z is already 7 December in Taipei: the approval carries the company's day.
WHEN = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)


def make(svc, owner: str = "wang.li", department: str = "sales", **fields) -> str:
    """Create a file as its owner (through the domain, no credit rule) and return its id."""
    record = new_record("distributor", **{
        "basic.name": fields.pop("name", "東方貿易"), "basic.phone": "02-2531-7099",
        "basic.address": "臺北市", "classification.region": "北區", "custody.owner": owner,
        "custody.department": department, **fields})
    return svc.files.create(record, owner)[0]


def on_disk(svc, customer_id: str) -> dict:
    return yamlio.load(svc.archive.read(customer_path(customer_id)))


def set_mode(svc, mode: str) -> None:
    """Commit policy.yaml with credit_exceptions.mode set."""
    policy = Policy(yamlio.load(svc.archive.read("policy.yaml")))
    data = {**policy.data, "credit_exceptions": {"mode": mode,
                                                 "approvers": ["marketing_director"]}}
    svc.archive.commit(lambda _s: Change({"policy.yaml": dump_policy(data)}, "policy"), SYSTEM)


def edit(svc, username: str, customer_id: str, **credit_fields) -> str | None:
    loaded = svc.files.load(customer_id)
    record = yamlio.load(loaded.raw)
    record["credit"] = {**record["credit"], **credit_fields}
    return customer_actions.save(svc.files, username, customer_id, record, loaded.commit,
                                 when=WHEN)


# -- the rule itself ------------------------------------------------------------------------

def test_standing_compares_limit_and_terms_with_the_grade():
    policy = Policy()
    within = credit.standing({"credit": {"grade": "B", "limit": 500_000, "terms": ""}}, policy)
    assert not within.exception and within.grade_terms == "月結 30 天"
    over = credit.standing({"credit": {"grade": "B", "limit": 600_000}}, policy)
    assert over.over_limit and over.excess == 100_000 and not over.other_terms
    terms = credit.standing({"credit": {"grade": "C", "terms": "月結 90 天"}}, policy)
    assert terms.other_terms and not terms.over_limit
    ungraded = credit.standing({"credit": {"limit": 1}}, policy)
    assert ungraded.over_limit  # no credit grade: no credit allowed


# -- edit ------------------------------------------------------------------------------------

def test_a_salesperson_may_not_raise_a_limit_above_the_grade(svc):
    customer = make(svc, **{"credit.grade": "B", "credit.limit": 300_000})
    head = svc.archive.head()
    with pytest.raises(Forbidden) as refused:
        edit(svc, "wang.li", customer, limit=800_000)
    text = str(refused.value)
    assert "800,000" in text and "500,000" in text and "林美華 (director)" in text
    assert svc.archive.head() == head
    with pytest.raises(Forbidden):  # lowering the grade under the limit is the same
        edit(svc, "wang.li", customer, grade="D")
    with pytest.raises(Forbidden):  # terms away from the grade's
        edit(svc, "wang.li", customer, terms="月結 120 天")
    assert svc.archive.head() == head
    assert edit(svc, "wang.li", customer, limit=500_000)  # within the grade: fine


def test_the_director_approves_by_saving_and_the_approval_is_recorded(svc, app):
    customer = make(svc, "director", "marketing", **{"credit.grade": "B",
                                                     "credit.limit": 300_000})
    commit = edit(svc, "director", customer, limit=800_000)
    section = on_disk(svc, customer)["credit"]
    assert section["limit"] == 800_000
    assert (section["approved_by"], section["approved_on"]) == ("director", TODAY.isoformat())
    assert git(app.config["ARCHIVE_REPO"], "log", "-1", "--format=%an", commit).strip() == \
        "林美華"


def test_refuse_mode_refuses_everyone(svc):
    set_mode(svc, "refuse")
    customer = make(svc, "director", "marketing", **{"credit.grade": "B"})
    head = svc.archive.head()
    with pytest.raises(Forbidden) as refused:
        edit(svc, "director", customer, limit=800_000)
    assert "refuse" in str(refused.value)
    assert svc.archive.head() == head


def test_an_old_exception_does_not_block_other_saves_and_a_change_clears_its_approval(svc):
    customer = make(svc, **{"credit.grade": "B", "credit.limit": 900_000})  # grandfathered
    loaded = svc.files.load(customer)
    record = yamlio.load(loaded.raw)
    record["notes"] = "新增備註"
    assert customer_actions.save(svc.files, "wang.li", customer, record, loaded.commit)
    assert on_disk(svc, customer)["credit"]["limit"] == 900_000
    # An approval cannot be typed in: the head's (none) stays.
    edit(svc, "wang.li", customer, approved_by="wang.li", approved_on="2026-01-01")
    assert on_disk(svc, customer)["credit"]["approved_by"] == ""
    # The director's approval, then the salesperson lowers the limit: still an exception, no
    # longer the one approved, so the approval goes.
    credit_actions.approve(svc.files, "director", customer, "長期客戶", when=WHEN)
    assert on_disk(svc, customer)["credit"]["approved_by"] == "director"
    edit(svc, "wang.li", customer, limit=700_000)
    section = on_disk(svc, customer)["credit"]
    assert section["limit"] == 700_000 and section["approved_by"] == ""
    assert section["approved_on"] == ""


def test_create_applies_the_table(svc):
    record = new_record("distributor", **{
        "basic.name": "新客戶", "basic.phone": "02-1234-5678", "basic.address": "臺北市",
        "classification.region": "北區", "custody.owner": "wang.li",
        "custody.department": "sales", "custody.level": "personal", "credit.grade": "C",
        "credit.limit": 200_000})
    head = svc.archive.head()
    with pytest.raises(Forbidden):
        customer_actions.create(svc.files, "wang.li", record)
    assert svc.archive.head() == head
    mine = {**record, "custody": customer_actions.new_custody("director", "marketing")}
    customer, _ = customer_actions.create(svc.files, "director", mine, when=WHEN)
    assert on_disk(svc, customer)["credit"]["approved_by"] == "director"


# -- restore ---------------------------------------------------------------------------------

def _old_exception(svc, owner: str, department: str) -> tuple[str, str, str]:
    """Return (file, a version over its grade's limit, the head after it was lowered)."""
    customer = make(svc, owner, department, **{"credit.grade": "C"})
    loaded = svc.files.load(customer)
    record = yamlio.load(loaded.raw)
    record["credit"]["limit"] = 300_000
    svc.files.save(customer, record, loaded.commit, owner)  # as written before the rule
    over = svc.archive.head()
    edit(svc, owner, customer, limit=50_000)
    return customer, over, svc.archive.head()


def test_restoring_a_version_over_the_grade_needs_the_approver(svc):
    customer, over, head = _old_exception(svc, "wang.li", "sales")
    with pytest.raises(Forbidden):
        customer_actions.restore(svc.files, "wang.li", customer, over, head)
    assert svc.archive.head() == head
    assert on_disk(svc, customer)["credit"]["limit"] == 50_000
    customer, over, head = _old_exception(svc, "director", "marketing")
    assert customer_actions.restore(svc.files, "director", customer, over, head)
    section = on_disk(svc, customer)["credit"]
    assert (section["limit"], section["approved_by"]) == (300_000, "director")


def test_restoring_within_the_grade_passes(svc):
    customer = make(svc, **{"credit.grade": "A", "credit.limit": 1_000_000})
    old = svc.archive.head()
    edit(svc, "wang.li", customer, grade="B", limit=400_000)
    assert customer_actions.restore(svc.files, "wang.li", customer, old, svc.archive.head())
    assert on_disk(svc, customer)["credit"]["grade"] == "A"


# -- import ----------------------------------------------------------------------------------

def _sheet(rows: list[list[str]]) -> tuple[Table, list[str]]:
    headings = ["客戶名稱", "統一編號", "電話", "信用等級", "信用額度", "行業"]
    mapping = ["basic.name", "basic.tax_id", "basic.phone", "credit.grade", "credit.limit",
               "classification.industry"]
    body = [SheetRow(n + 2, [Cell(v) for v in [*row, "水泥"]]) for n, row in enumerate(rows)]
    return Table("客戶.csv", "csv", "", [], 1, headings, body), mapping


def test_an_import_creating_an_exception_is_refused_or_approved(svc):
    table, mapping = _sheet([["臺灣水泥股份有限公司", "11913502", "02-2531-7099", "C",
                              "300000"],
                             ["台塑", "", "07-111-2222", "B", "100000"]])
    head = svc.archive.head()
    # The row over its grade is an error row with the refusal as its reason; abort: nothing.
    report = import_actions.run(svc.files, svc.index, "lee.mgr", table, mapping,
                                errors="abort")
    assert report.aborted and svc.archive.head() == head
    first = report.plan.rows[0]
    assert first.status == "error" and first.reasons[0].path == "credit.limit"
    assert "300,000" in first.reasons[0].text() and "林美華 (director)" in first.reasons[0].text()
    # skip: the good row is imported, the refused one is not.
    report = import_actions.run(svc.files, svc.index, "lee.mgr", table, mapping)
    assert [r.status for r in report.plan.rows] == ["error", "new"]
    assert list(report.created) == [3]
    report = import_actions.run(svc.files, svc.index, "director", table, mapping)
    created = svc.files.load(report.created[2]).record["credit"]
    assert (created["limit"], created["approved_by"]) == (300_000, "director")
    set_mode(svc, "refuse")
    head = svc.archive.head()
    table, mapping = _sheet([["亞洲水泥股份有限公司", "03244509", "02-2733-8000", "D", "5"]])
    report = import_actions.run(svc.files, svc.index, "director", table, mapping)
    assert report.commit is None and svc.archive.head() == head
    assert "refuse" in report.plan.rows[0].reasons[0].text()


def test_an_import_filling_a_limit_into_an_existing_file_is_checked(svc):
    customer = make(svc, "lee.mgr", "sales", name="臺灣水泥股份有限公司",
                    **{"basic.tax_id": "11913502", "credit.grade": "C"})
    svc.index.catch_up()
    table, mapping = _sheet([["臺灣水泥股份有限公司", "11913502", "02-2531-7099", "C",
                              "300000"]])
    head = svc.archive.head()
    report = import_actions.run(svc.files, svc.index, "lee.mgr", table, mapping)
    assert report.commit is None and svc.archive.head() == head
    assert report.plan.rows[0].status == "error" and not report.plan.files
    assert on_disk(svc, customer)["credit"]["limit"] is None


# -- merge -----------------------------------------------------------------------------------

def test_a_merge_that_fills_a_limit_above_the_grade(svc):
    kept = make(svc, "info.wu", "marketing", name="甲公司", **{"credit.grade": "C"})
    gone = make(svc, "info.wu", "marketing", name="甲", **{"credit.limit": 400_000})
    head = svc.archive.head()
    with pytest.raises(Forbidden):
        merging.merge(svc.files, "info.wu", kept, gone, head, TODAY)
    assert svc.archive.head() == head
    kept = make(svc, "director", "marketing", name="乙公司", **{"credit.grade": "C"})
    gone = make(svc, "director", "marketing", name="乙", **{"credit.limit": 400_000})
    merging.merge(svc.files, "director", kept, gone, svc.archive.head(), TODAY, when=WHEN)
    section = on_disk(svc, kept)["credit"]
    assert (section["limit"], section["approved_by"], section["approved_on"]) == \
        (400_000, "director", TODAY.isoformat())


# -- the explicit approval -------------------------------------------------------------------

def test_approve_records_the_approver_and_the_reason(svc, app):
    customer = make(svc, **{"credit.grade": "B", "credit.limit": 900_000})
    head = svc.archive.head()
    with pytest.raises(Forbidden):
        credit_actions.approve(svc.files, "wang.li", customer, "自己核准")
    with pytest.raises(Forbidden):
        credit_actions.approve(svc.files, "gm", customer, "總經理")
    assert svc.archive.head() == head
    commit = credit_actions.approve(svc.files, "director", customer, "長期客戶，付款正常",
                                    when=WHEN)
    body = git(app.config["ARCHIVE_REPO"], "log", "-1", "--format=%an|%s|%b", commit)
    assert body.startswith(f"林美華|信用例外核准 {customer} 東方貿易")
    assert "Reason: 長期客戶，付款正常" in body and "Action: credit_approval" in body
    assert on_disk(svc, customer)["credit"]["approved_on"] == TODAY.isoformat()


def test_refuse_mode_refuses_restore_and_merge_for_the_director_too(svc):
    customer, over, head = _old_exception(svc, "director", "marketing")
    set_mode(svc, "refuse")
    head = svc.archive.head()
    with pytest.raises(Forbidden):
        customer_actions.restore(svc.files, "director", customer, over, head)
    kept = make(svc, "director", "marketing", name="丙公司", **{"credit.grade": "C"})
    gone = make(svc, "director", "marketing", name="丙", **{"credit.limit": 400_000})
    head = svc.archive.head()
    with pytest.raises(Forbidden):
        merging.merge(svc.files, "director", kept, gone, head, TODAY)
    with pytest.raises(Forbidden):
        credit_actions.approve(svc.files, "director", customer, "試試看")
    assert svc.archive.head() == head
