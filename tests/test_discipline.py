"""Late contact records, neglected files and their fines (R18–R20), two contacts (R31), and
the derived index that answers them fast. "Today" is always given; commits are back-dated."""

from __future__ import annotations

import copy
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from intranet.index import Index
from intranet.index import discipline as listing
from intranet.index.database import SCHEMA_VERSION
from intranet.records.conduct import discipline, neglect
from intranet.records.files.customers import CustomerFiles
from intranet.records.files.schema import new_item, new_record
from intranet.records.rights.access import Actor
from intranet.records.rulebook.organisation import save_policy
from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy
from intranet.records.rulebook.rules import load_rules

from .conftest import SYSTEM
from .test_completeness import full

TAIPEI = timezone(timedelta(hours=8))
POLICY = Policy()


def at(day: str) -> datetime:
    """Return ten in the morning of a day in the office."""
    return datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=TAIPEI)


def contact(day: str, recorded: str | None, staff: str = "wang.li") -> dict:
    return {**new_item("contacts"), "date": day, "channel": "call", "staff": staff,
            "summary": "電話", "recorded_on": recorded or ""}


def record(**overrides) -> dict:
    values = {"basic.name": "東方貿易", "basic.phone": "02-2531-7099",
              "basic.address": "台北市", "classification.region": "北區",
              "custody.owner": "wang.li", "custody.department": "sales", **overrides}
    return new_record("distributor", **values)


# -- late contact records ---------------------------------------------------------------------


def test_a_contact_recorded_after_the_day_is_late():
    r = record()
    r["contacts"] = [contact("2026-03-02", "2026-03-02"), contact("2026-03-02", "2026-03-05"),
                     contact("2026-03-04", None), contact("2026-03-06", "2026-03-07", "chen.yu")]
    late = discipline.late_contacts("C000001", r, POLICY)
    assert [(x.position, x.staff, x.days_late) for x in late] == [
        (1, "wang.li", 3), (3, "chen.yu", 1)]
    # A policy that gives one day more: only the three-day delay is late, by two days.
    lenient = Policy({"deadlines": {"contact_record_days": 1, "incomplete_file_days": 30}})
    assert [(x.position, x.days_late) for x in
            discipline.late_contacts("C000001", r, lenient)] == [(1, 2)]


# -- neglected files --------------------------------------------------------------------------


def test_neglect_fines_fall_due_once_per_full_overdue_period():
    last = date(2026, 1, 1)
    assert discipline.periods_due(last, date(2026, 1, 31), 30) == 0  # 30 days: not yet
    assert discipline.periods_due(last, date(2026, 2, 1), 30) == 1   # 31 days: one fine
    assert discipline.periods_due(last, date(2026, 3, 2), 30) == 1   # 60 days: still one
    assert discipline.periods_due(last, date(2026, 3, 3), 30) == 2   # 61 days: two
    assert discipline.due_between(last, date(2026, 1, 1), date(2026, 5, 31), 30) == [
        date(2026, 2, 1), date(2026, 3, 3), date(2026, 4, 2), date(2026, 5, 2)]
    assert discipline.due_between(last, date(2026, 3, 1), date(2026, 3, 31), 30) == [
        date(2026, 3, 3)]
    assert discipline.overdue_days(last, date(2026, 3, 3), 30) == 31
    # 0 days: every day after the last change is a period.
    assert discipline.periods_due(last, date(2026, 1, 4), 0) == 3


def test_month_lists_and_fines_with_a_changed_policy(archive):
    directory = load_rules(archive.snapshot()).directory
    late = [{"customer": "C000001", "name": "甲", "staff": "wang.li", "date": "2026-03-02",
             "recorded_on": "2026-03-05", "days_late": 3},
            {"customer": "C000002", "name": "乙", "staff": "lin.sales2", "date": "2026-02-27",
             "recorded_on": "2026-03-01", "days_late": 2},
            {"customer": "C000002", "name": "乙", "staff": "wang.li", "date": "2026-02-01",
             "recorded_on": "2026-02-03", "days_late": 2}]  # February: not in March
    neglect = [{"customer": "C000003", "name": "丙", "owner": "chen.yu", "completeness": 50,
                "last_change": date(2026, 1, 1)}]
    people = discipline.month_people(late, neglect, "2026-03", date(2026, 3, 31), POLICY,
                                     directory)
    assert [(p.username, len(p.late), p.periods, p.fines) for p in people] == [
        ("chen.yu", 0, 1, 20), ("lin.sales2", 1, 0, 20), ("wang.li", 1, 0, 20)]
    assert people[0].neglected[0]["due"] == [date(2026, 3, 3)]
    departments = discipline.by_department(people)
    assert [(d.department, d.late, d.periods, d.fines) for d in departments] == [
        ("sales", 1, 1, 40), ("sales2", 1, 0, 20)]
    # The policy's fine and deadline, not constants.
    data = copy.deepcopy(DEFAULT_POLICY)
    data["fines"]["late_update"] = 35
    data["deadlines"]["incomplete_file_days"] = 10
    stricter = Policy(data)
    people = discipline.month_people(late, neglect, "2026-03", date(2026, 3, 31), stricter,
                                     directory)
    # Fines due on Mar 3, 13, 23 (Jan 1 + 10k + 1 days for k = 6, 7, 8).
    assert (people[0].username, people[0].periods, people[0].fines) == ("chen.yu", 3, 105)
    # Nothing falls due after "today".
    early = discipline.month_people(late, neglect, "2026-03", date(2026, 3, 2), stricter,
                                    directory)
    assert [(p.username, p.periods) for p in early] == [("lin.sales2", 0)]
    early = discipline.month_people(late, neglect, "2026-03", date(2026, 3, 13), stricter,
                                    directory)
    assert [(p.username, p.periods) for p in early] == [
        ("chen.yu", 2), ("lin.sales2", 0), ("wang.li", 0)]
    # A manager's scope keeps only their department's people.
    scoped = discipline.month_people(late, neglect, "2026-03", date(2026, 3, 31), POLICY,
                                     directory, discipline.Scope(departments=frozenset({"sales2"})))
    assert [p.username for p in scoped] == ["lin.sales2"]


def test_who_sees_whose_lists(archive):
    r = load_rules(archive.snapshot())

    def scope(username, role, department):
        return discipline.report_scope(Actor(username, role, department), r.policy, r.directory)

    assert scope("hr.chen", "hr", "hr").everyone
    assert scope("director", "marketing_director", "marketing").everyone
    manager = scope("lee.mgr", "department_manager", "sales")
    assert not manager.everyone and manager.departments == {"sales"}
    assert manager.covers("sales") and not manager.covers("sales2")
    assert not scope("wang.li", "salesperson", "sales")
    assert not scope("gm", "general_manager", "management")
    assert not scope("ghost", "hr", "hr")  # not in the directory


# -- two contacts (R31) -----------------------------------------------------------------------


def test_two_contacts_warning_shows_and_disappears():
    vip = record(vip=True, grade="C", stage="active")
    gap = discipline.staffing_gap(vip, POLICY, None)
    assert gap is not None and gap.reasons == ("vip",) and gap.staff == ("wang.li",)
    assert gap.minimum == 2
    vip["custody"]["contacts"] = ["wang.li"]  # the same person twice is still one
    assert discipline.staffing_gap(vip, POLICY, None) is not None
    vip["custody"]["contacts"] = ["chen.yu"]
    assert discipline.staffing_gap(vip, POLICY, None) is None
    graded = record(grade="A", stage="active")
    assert discipline.staffing_gap(graded, POLICY, None).reasons == ("grade",)
    # Grades A and B are important by default (two_contacts.grades).
    assert discipline.staffing_gap(record(grade="B", stage="active"), POLICY, None).reasons \
        == ("grade",)
    assert discipline.staffing_gap(record(grade="C", stage="active"), POLICY, None) is None
    prospect = record(grade="C", stage="prospect")
    assert discipline.staffing_gap(prospect, POLICY, 69.5) is None
    assert discipline.staffing_gap(prospect, POLICY, 70).reasons == ("prospect",)
    assert discipline.staffing_gap(prospect, POLICY, None) is None
    # The policy decides: VIP not important, three staff needed for grade A.
    data = copy.deepcopy(DEFAULT_POLICY)
    data["two_contacts"] = {"minimum": 3, "vip": False, "grades": ["A"], "prospect_score": 70}
    assert discipline.staffing_gap(vip, Policy(data), None) is None
    graded["custody"]["contacts"] = ["chen.yu"]
    assert discipline.staffing_gap(graded, Policy(data), None).staff == ("wang.li", "chen.yu")


# -- the derived index ------------------------------------------------------------------------


@pytest.fixture
def files(archive):
    return CustomerFiles(archive)


@pytest.fixture
def index(archive, tmp_path):
    index = Index(tmp_path / "index.sqlite3", archive)
    yield index
    index.close()


def test_index_lists_late_records_and_neglected_files(files, index):
    incomplete = record()
    incomplete["contacts"] = [contact("2026-01-05", "2026-01-07")]
    first, _ = files.create(incomplete, "wang.li", when=at("2026-01-07"))
    complete, _ = files.create(full("distributor"), "wang.li", when=at("2026-01-07"))
    fresh, _ = files.create(record(**{"custody.owner": "chen.yu"}), "chen.yu",
                            when=at("2026-03-01"))
    row = index.get(first)
    assert row["completeness"] < 100 and "basic.postcode" in row["missing"].split()
    assert index.get(complete)["completeness"] == 100
    late = listing.late_contacts(index, date(2026, 1, 1), date(2026, 1, 31))
    assert [(r["customer"], r["staff"], r["days_late"]) for r in late] == [(first, "wang.li", 2)]
    assert listing.late_contacts(index, date(2026, 2, 1), date(2026, 2, 28)) == []
    # On Feb 6 the incomplete file is 30 days old, on Feb 7 it is 31: neglected.
    assert listing.neglect_runs(index, date(2026, 2, 6), 30) == []
    found = listing.neglect_runs(index, date(2026, 2, 7), 30)
    assert [(r["customer"], r["owner"], r["last_change"], r["until"]) for r in found] == [
        (first, "wang.li", date(2026, 1, 7), None)]
    assert [r["customer"] for r in listing.neglect_runs(index, date(2026, 4, 1), 30)] \
        == [first, fresh]
    assert [r["customer"] for r in listing.neglect_runs(index, date(2026, 4, 1), 30,
                                                         owner="chen.yu")] == [fresh]


def test_index_catches_up_after_a_save(files, index):
    customer, _ = files.create(record(), "wang.li", when=at("2026-01-07"))
    assert len(listing.neglect_runs(index, date(2026, 3, 1), 30, open_only=True)) == 1
    assert index.get(customer)["sales_power"] is None

    def improve(r, _snapshot):
        r["contacts"].append(contact("2026-02-27", "2026-03-01"))
        r["sales_power"] = {"scores": {"credit": 5}, "assessed_on": "2026-03-01",
                            "assessed_by": "wang.li", "notes": ""}
        return r

    files.amend(customer, improve, "wang.li", when=at("2026-03-01"))
    # The change counts as improving the file: no longer neglected from Mar 1 ...
    assert listing.neglect_runs(index, date(2026, 3, 1), 30, open_only=True) == []
    # ... but the stretch from Jan 7 to Mar 1 stays, with the fine that fell due on Feb 7.
    runs = listing.neglect_runs(index, date(2026, 3, 31), 30)
    assert [(r["last_change"], r["until"]) for r in runs] == [
        (date(2026, 1, 7), date(2026, 3, 1))]
    assert discipline.due_between(runs[0]["last_change"], date(2026, 2, 1), date(2026, 3, 1),
                                  30) == [date(2026, 2, 7)]
    assert index.get(customer)["sales_power"] == 20
    late = listing.late_contacts(index, date(2026, 3, 1), date(2026, 3, 31))
    assert [(r["customer"], r["days_late"]) for r in late] == [(customer, 2)]


def test_edits_that_fill_nothing_do_not_end_a_neglect_stretch(archive, files, tmp_path):
    """R19: monthly edits that fill no missing item leave the file neglected; filling one
    ends the stretch. Fines go to the custodian of the day."""
    customer, _ = files.create(record(), "wang.li", when=at("2026-01-01"))

    def touch(note, owner="wang.li", **filled):
        def apply(r, _snapshot):
            r["notes"] = note
            r["custody"]["owner"] = owner
            for key, value in filled.items():
                r["basic"][key] = value
            return r
        return apply

    files.amend(customer, touch("一"), "wang.li", when=at("2026-01-20"))
    files.amend(customer, touch("二", "chen.yu"), "wang.li", when=at("2026-02-18"))
    files.amend(customer, touch("三", "chen.yu"), "chen.yu", when=at("2026-03-15"))
    # A fresh index built in one go (as after deleting it) judges every version.
    index = Index(tmp_path / "fresh.sqlite3", archive)
    try:
        index.catch_up()
        rows = index.db.connect().execute(
            "SELECT seq, completeness > 0, owner, instr(missing, 'basic.postcode') > 0"
            " FROM versions WHERE customer=? ORDER BY seq", (customer,)).fetchall()
        assert [tuple(r) for r in rows] == [(1, 1, "wang.li", 1), (2, 1, "wang.li", 1),
                                            (3, 1, "chen.yu", 1), (4, 1, "chen.yu", 1)]
        runs = listing.neglect_runs(index, date(2026, 3, 31), 30)
        # One stretch from Jan 1, split where chen.yu took the file over on Feb 18.
        assert [(r["owner"], r["last_change"], r["since"], r["until"]) for r in runs] == [
            ("wang.li", date(2026, 1, 1), date(2026, 1, 1), date(2026, 2, 18)),
            ("chen.yu", date(2026, 1, 1), date(2026, 2, 19), None)]
        directory = load_rules(archive.snapshot()).directory

        def fined(month, today=date(2026, 3, 31), found=runs):
            return [(p.username, p.periods, p.fines) for p in discipline.month_people(
                [], found, month, today, POLICY, directory)]

        assert fined("2026-02") == [("wang.li", 1, 20)]  # due Feb 1
        assert fined("2026-03") == [("chen.yu", 1, 20)]  # due Mar 3
        # Filling one missing item (the postcode) on Apr 10 ends the stretch that day.
        files.amend(customer, touch("四", "chen.yu", postcode="104"), "chen.yu",
                    when=at("2026-04-10"))
        runs = listing.neglect_runs(index, date(2026, 5, 1), 30)
        assert [(r["owner"], r["until"]) for r in runs] == [
            ("wang.li", date(2026, 2, 18)), ("chen.yu", date(2026, 4, 10))]
        assert fined("2026-04", date(2026, 5, 1), runs) == [("chen.yu", 1, 20)]  # Apr 2
        assert listing.neglect_runs(index, date(2026, 5, 10), 30, open_only=True) == []
        assert [r["last_change"] for r in listing.neglect_runs(
            index, date(2026, 5, 11), 30, open_only=True)] == [date(2026, 4, 10)]
    finally:
        index.close()


def test_which_versions_restart_the_neglect_clock():
    assert neglect.restarts_clock(None, ["a"], first=True)
    assert neglect.restarts_clock(["a", "b"], ["b"])        # filled a
    assert neglect.restarts_clock(["a"], ["b"])             # filled a, emptied b
    assert not neglect.restarts_clock(["a"], ["a"])         # notes only
    assert not neglect.restarts_clock(["a"], ["a", "b"])    # only emptied b
    assert neglect.restarts_clock([], ["a"])                # a complete file became incomplete
    assert neglect.restarts_clock(None, ["a"])              # after a deletion or a broken one
    day = date(2026, 1, 1)
    facts = [neglect.VersionFacts(day, 50, "wang.li", True),
             neglect.VersionFacts(day + timedelta(days=20), 50, "wang.li", False),
             neglect.VersionFacts(day + timedelta(days=40), None, "", True)]
    # Deleted on day 40: the stretch ends there, with the fine of day 31.
    assert [(r["last_change"], r["until"]) for r in neglect.stretches(
        "C1", "甲", facts, day + timedelta(days=90), 30)] == [(day, day + timedelta(days=40))]


def test_a_policy_change_recomputes_every_file(archive, files, index):
    customer, _ = files.create(record(), "wang.li")
    before = index.get(customer)["completeness"]
    data = copy.deepcopy(DEFAULT_POLICY)
    data["completeness"]["distributor"] = ["basic.name", "basic.fax"]
    data["deadlines"]["contact_record_days"] = 5
    save_policy(archive, Policy(data).dump().decode(), SYSTEM)
    assert before != 50 and index.get(customer)["completeness"] == 50
    assert index.get(customer)["missing"] == "basic.fax"


def test_an_index_of_an_older_schema_is_rebuilt(files, index, archive, tmp_path):
    customer, _ = files.create(record(), "wang.li")
    index.catch_up()
    index.close()
    path = tmp_path / "index.sqlite3"
    with sqlite3.connect(path) as conn:  # what version 2 looked like: no discipline columns
        conn.execute("UPDATE meta SET value='2' WHERE key='schema'")
        conn.execute("DROP TABLE late_contacts")
    conn.close()
    again = Index(path, archive)
    try:
        row = again.get(customer)
        assert row is not None and row["completeness"] is not None
        assert again.db.meta("schema") == SCHEMA_VERSION != "2"
        assert listing.late_contacts(again, date(2000, 1, 1), date(2999, 1, 1)) == []
    finally:
        again.close()


def test_archive_reads_many_old_versions_in_one_go(archive, files):
    customer, first = files.create(record(), "wang.li")
    second = files.amend(customer, lambda r, _s: {**r, "notes": "二"}, "wang.li")
    path = f"customers/0000/{customer}.yaml"
    old, new, missing, nothing = archive.read_many(
        [f"{first}:{path}", f"{second}:{path}", f"{first}:customers/0000/C999999.yaml",
         "0" * 40])
    assert old == archive.snapshot(first).get(path) and b"notes: \xe4\xba\x8c" in new
    assert old != new and missing is None and nothing is None
    assert archive.read_many([]) == []
    with pytest.raises(ValueError):
        archive.read_many(["a\nb"])
