"""Policy defaults, accessors and validation; the staff directory and its pure updates."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from intranet.records.rulebook import staff
from intranet.records.rulebook.policy import (
    DEFAULT_POLICY,
    LEVELS,
    Policy,
    dump_policy,
    validate_policy,
)
from intranet.records.rulebook.staff import ROLES, Directory, add_member, update_member


def test_defaults_follow_the_policy_text() -> None:
    p = Policy()
    assert p.grades == ["A", "B", "C", "D"]
    assert p.credit_grades == ["A", "B", "C", "D"]
    assert (p.fine("late_update"), p.fine("unapproved_view"), p.fine("shared_account")) == \
        (20, 50, 50)
    assert p.currency == "CNY" and p.max_grant_days == 30
    assert (p.contact_record_days, p.incomplete_file_days) == (0, 30)
    assert p.break_glass_roles == ["general_manager", "marketing_director"]
    assert p.custodian_role("company") == "marketing_director"
    assert p.custodian_role("department") == "department_manager"
    assert p.custodian_role("personal") == "salesperson"
    assert set(p.readers("company")) == {"marketing_director", "marketing_vp",
                                         "general_manager"}
    # R33: the department's manager alone reads department-level files.
    assert p.readers("department") == ["department_manager"]
    assert p.readers("personal") == ["salesperson", "department_manager"]
    # R33 + R34: the requester's manager signs, the level's approvers, the GM approves last.
    steps = {level: [(s["by"], s["action"], s.get("when", "always"))
                     for s in p.approval_chain(level)] for level in LEVELS}
    sign, last = ("requester_manager", "sign", "always"), ("general_manager", "approve", "always")
    assert steps == {
        "company": [sign, ("marketing_director", "approve", "always"), last],
        "department": [sign, ("department_manager", "approve", "always"),
                       ("marketing_vp", "approve", "other_department"), last],
        "personal": [sign, ("department_manager", "approve", "always"), last]}
    assert p.break_glass_approval_days == 3 and p.policy_approvers == ["general_manager"]
    assert p.timezone == "Asia/Taipei"
    assert p.credit_grade("D") is not None and p.credit_grade("D")["limit"] == 0
    assert p.credit_grade("Z") is None
    assert p.grade_description("A").startswith("重點客戶")
    assert validate_policy(DEFAULT_POLICY) == []


def test_partial_policy_falls_back_to_defaults() -> None:
    p = Policy({"fines": {"late_update": 30}, "grades": [{"code": "S"}, {"code": "A"}]})
    assert p.fine("late_update") == 30 and p.fine("unapproved_view") == 50
    assert p.grades == ["S", "A"]
    assert p.max_grant_days == 30


def test_accessors_do_not_leak_mutable_state() -> None:
    p = Policy()
    p.approval_chain("company").clear()
    p.readers("company").clear()
    assert len(p.approval_chain("company")) == 3 and len(p.readers("company")) == 3
    Policy().data["fines"]["late_update"] = 999
    assert DEFAULT_POLICY["fines"]["late_update"] == 20


def test_policy_dump_round_trips_and_is_ordered() -> None:
    raw = dump_policy(DEFAULT_POLICY)
    text = raw.decode()
    assert text.startswith("levels:\n  company:\n    custodian: marketing_director\n")
    assert "fines:\n  late_update: 20\n  unapproved_view: 50\n  shared_account: 50\n" \
           "  currency: CNY\n" in text
    assert "  - code: A\n    limit: 1000000\n" in text
    assert Policy.load(raw).data == DEFAULT_POLICY
    assert Policy.load(raw).dump() == raw


def test_validate_policy_names_bad_paths() -> None:
    bad: dict[str, Any] = copy.deepcopy(DEFAULT_POLICY)
    bad["levels"]["department"]["custodian"] = "boss"
    bad["levels"]["company"]["readers"] = ["general_manager", "janitor"]
    bad["approval_chain"]["personal"][1]["by"] = "nobody"
    bad["approval_chain"]["company"] = []
    bad["max_grant_days"] = 0
    bad["fines"]["shared_account"] = -5
    bad["fines"]["currency"] = "yuan"
    bad["deadlines"]["contact_record_days"] = "today"
    bad["grades"] = [{"code": "A"}, {"code": "A"}]
    bad["credit_grades"][2]["limit"] = "lots"
    bad["break_glass_roles"] = ["hr", "ceo"]
    assert [e.path for e in validate_policy(bad)] == [
        "levels.company.readers", "approval_chain.company",
        "levels.department.custodian", "approval_chain.personal[1].by",
        "max_grant_days", "fines.shared_account", "fines.currency",
        "deadlines.contact_record_days", "grades[1].code", "credit_grades[2].limit",
        "break_glass_roles"]
    assert [str(e) for e in validate_policy({"grades": []})] == ["List at least one grade"]
    assert validate_policy({}) == []


def test_roles_have_both_labels() -> None:
    assert set(ROLES) == {"general_manager", "marketing_vp", "marketing_director",
                          "department_manager", "salesperson", "hr", "marketing_staff"}
    assert staff.role_label("marketing_director") == "營銷總監"
    assert staff.role_label("marketing_director", zh=False) == "Marketing director"
    assert staff.role_label("unknown") == "unknown"


def org() -> tuple[dict[str, Any], dict[str, Any]]:
    """Return a small departments and staff document pair."""
    departments = {"departments": [
        {"id": "sales-north", "name": "北區業務部", "manager": "chen.yu"},
        {"id": "marketing", "name": "營銷部", "manager": "lin.mei"},
        {"id": "hr", "name": "人力資源部", "manager": ""},
    ]}
    people = {"staff": [
        staff.new_member("chen.yu", name="陳宇", email="chen.yu@example.com",
                         department="sales-north", role="department_manager"),
        staff.new_member("wang.li", name="王麗", email="wang.li@example.com",
                         department="sales-north"),
        staff.new_member("old.hand", name="老張", department="sales-north", active=False,
                         left_on="2024-03-31"),
        staff.new_member("lin.mei", name="林美", department="marketing",
                         role="marketing_director"),
        staff.new_member("zhao.gm", name="趙總", role="general_manager"),
    ]}
    return departments, people


def test_directory_lookups() -> None:
    d = Directory(*org())
    assert d.member("wang.li")["name"] == "王麗"
    assert d.member("nobody") is None
    assert [m["username"] for m in d.members("sales-north")] == ["chen.yu", "wang.li"]
    assert [m["username"] for m in d.members("sales-north", active_only=False)] == [
        "chen.yu", "wang.li", "old.hand"]
    assert d.manager_of("sales-north") == "chen.yu" and d.manager_of("hr") == ""
    assert d.manager_of("nowhere") == ""
    assert d.manager_of_member("old.hand") == "chen.yu"
    assert d.role("lin.mei") == "marketing_director"
    assert not d.is_active("old.hand") and d.is_active("wang.li")
    assert [m["username"] for m in d.with_role("general_manager")] == ["zhao.gm"]
    assert d.validate() == []


def test_directory_validation_paths() -> None:
    departments, people = org()
    departments["departments"].append({"id": "sales-north", "name": "", "manager": "ghost"})
    people["staff"] += [
        {"username": "wang.li", "name": "重複", "role": "salesperson", "active": True},
        {"username": "Bad Name", "name": "x", "role": "salesperson"},
        {"username": "ok.user", "name": "y", "role": "ceo", "department": "nowhere",
         "email": "not-an-email", "active": True, "left_on": "2024-01-01"},
        {"username": "pw.user", "name": "z", "role": "hr", "password": "secret"},
    ]
    errors = Directory(departments, people).validate()
    assert [e.path for e in errors] == [
        "departments[3].id", "departments[3].name", "departments[3].manager",
        "staff[5].username", "staff[6].username", "staff[7].email", "staff[7].department",
        "staff[7].role", "staff[7].active", "staff[8].password"]
    assert str(errors[0]) == "The id sales-north is already used"
    assert str(errors[2]) == "No member of staff is called ghost"
    assert str(errors[3]) == "The username wang.li is already used"


def test_add_and_update_member_are_pure() -> None:
    _, people = org()
    before = copy.deepcopy(people)
    added = add_member(people, {"username": "new.one", "name": "新人",
                                "department": "sales-north"})
    assert people == before
    assert added["staff"][-1] == {"username": "new.one", "name": "新人", "email": "",
                                  "department": "sales-north", "role": "salesperson",
                                  "active": True, "left_on": ""}
    with pytest.raises(ValueError):
        add_member(added, {"username": "new.one"})
    moved = update_member(added, "new.one", department="marketing", role="marketing_staff")
    assert moved["staff"][-1]["department"] == "marketing"
    assert added["staff"][-1]["department"] == "sales-north"
    left = staff.mark_left(moved, "wang.li", "2024-12-31")
    assert Directory(org()[0], left).is_active("wang.li") is False
    with pytest.raises(KeyError):
        update_member(people, "ghost", name="x")


def test_departments_pure_updates_and_dumps() -> None:
    departments, people = org()
    more = staff.add_department(departments, "sales-south", "南區業務部")
    assert len(departments["departments"]) == 3 and more["departments"][-1] == {
        "id": "sales-south", "name": "南區業務部", "manager": ""}
    renamed = staff.update_department(more, "sales-south", manager="wang.li")
    assert Directory(renamed, people).manager_of("sales-south") == "wang.li"
    raw = staff.dump_departments(renamed)
    assert raw.decode().startswith(
        "departments:\n  - id: sales-north\n    name: 北區業務部\n    manager: chen.yu\n")
    d = staff.load_directory(raw, staff.dump_staff(people))
    assert d.validate() == [] and d.member("zhao.gm")["department"] == ""
    assert staff.dump_staff({"staff": [{"role": "hr", "username": "a.b", "name": "甲"}]}) == (
        "staff:\n  - username: a.b\n    name: 甲\n    role: hr\n".encode())
