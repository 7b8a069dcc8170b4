"""The access module (R33, R36): who may read and change which file, and the index's SQL twin."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from intranet.demo_data import generate_company
from intranet.index.database import Database
from intranet.records.rights.access import (
    ACTIONS,
    CLASSIFY,
    FIGURES,
    READ_ACTIONS,
    REPORTS,
    Actor,
    FileMeta,
    Grant,
    custody_change,
    decide,
    figures_sql,
    is_administrator,
    may_change_custody,
    may_create,
    readable_sql,
)
from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy
from intranet.records.rulebook.staff import Directory

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
POLICY = Policy(DEFAULT_POLICY)
PEOPLE = {
    "gm": ("general_manager", "management"),
    "vp": ("marketing_vp", "marketing"),
    "director": ("marketing_director", "marketing"),
    "lee.mgr": ("department_manager", "sales"),
    "other.mgr": ("department_manager", "sales2"),
    "wang.li": ("salesperson", "sales"),
    "chen.yu": ("salesperson", "sales"),
    "hr.chen": ("hr", "hr"),
    "info.wu": ("marketing_staff", "marketing"),
    "gone": ("general_manager", "management"),
}
DIRECTORY = Directory(
    {"departments": [
        {"id": "management", "name": "總經理室", "manager": "gm"},
        {"id": "marketing", "name": "營銷部", "manager": "director"},
        {"id": "sales", "name": "業務部", "manager": "lee.mgr"},
        {"id": "sales2", "name": "業務二部", "manager": "other.mgr"},
        {"id": "hr", "name": "人力資源部", "manager": "hr.chen"},
    ]},
    {"staff": [{"username": u, "name": u, "role": r, "department": d,
                "active": u != "gone", "left_on": ""} for u, (r, d) in PEOPLE.items()]},
)
# Each level's file is kept by that level's custodian, all in the sales department.
FILES = {
    "company": FileMeta("C000001", "company", "director", "sales"),
    "department": FileMeta("C000002", "department", "lee.mgr", "sales"),
    "personal": FileMeta("C000003", "personal", "wang.li", "sales"),
}
READERS = {
    "company": {"gm", "vp", "director"},
    # R33: the department's manager only; the GM, VP and director read company files.
    "department": {"lee.mgr"},
    "personal": {"wang.li", "lee.mgr"},
}
EDITORS = {"company": {"director"}, "department": {"lee.mgr"}, "personal": {"wang.li"}}
# R2: the analysis roles see every file's figures (a department manager their department's);
# the marketing staff and the director classify and grade every file.
FIGURE_READERS = {"gm", "vp", "director", "info.wu", "lee.mgr"}
CLASSIFIERS = {"director", "info.wu"}


def actor(username: str) -> Actor:
    """Return the actor of a member of the small directory."""
    role, department = PEOPLE.get(username, ("salesperson", "sales"))
    return Actor(username, role, department)


def grant(mode: str = "read", days: float = 1, revoked: bool = False, who: str = "chen.yu",
          customers: tuple[str, ...] = ("C000003",), gid: str = "G1") -> Grant:
    """Return a grant that expires ``days`` after NOW."""
    return Grant(gid, who, frozenset(customers), mode, NOW + timedelta(days=days), revoked)


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("level", list(FILES))
@pytest.mark.parametrize("username", [u for u in PEOPLE if u != "gone"])
def test_every_role_level_and_action(username, level, action):
    decision = decide(actor(username), action, FILES[level], POLICY, DIRECTORY, now=NOW)
    allowed = READERS[level] if action in READ_ACTIONS | {REPORTS} else EDITORS[level]
    by_role = set()
    if action in (FIGURES, CLASSIFY):
        allowed = READERS[level] if action == FIGURES else EDITORS[level]
        by_role = (FIGURE_READERS if action == FIGURES else CLASSIFIERS) - allowed
        allowed = allowed | by_role
    department = set()
    if action == REPORTS:  # R15: the custodian's department reads the contact reports too
        department = {u for u, (r, d) in PEOPLE.items()
                      if d == FILES[level].department and r != "hr" and u != "gone"} - allowed
        allowed = allowed | department
    assert decision.allowed == (username in allowed), decision
    if decision.allowed:
        own = FILES[level].owner == username
        expected = "own" if own else "department" if username in department \
            else "analysis" if username in by_role else "level"
        assert decision.basis == expected
    else:
        assert decision.basis == "none" and decision.reason


def test_unknown_inactive_and_unknown_actions_are_refused():
    meta = FILES["company"]
    assert not decide(actor("gone"), "view", meta, POLICY, DIRECTORY).allowed
    assert not decide(Actor("nobody", "general_manager", "management"), "view", meta, POLICY,
                      DIRECTORY).allowed
    assert not decide(actor("gm"), "delete", meta, POLICY, DIRECTORY).allowed
    assert not decide(Actor("", "", ""), "view", meta, POLICY, DIRECTORY).allowed


def test_hr_reads_nothing_even_if_the_policy_or_a_grant_says_so():
    data = {"levels": {level: {"custodian": POLICY.custodian_role(level),
                               "readers": [*POLICY.readers(level), "hr"]}
                       for level in POLICY.levels}}
    generous = Policy(data)
    hr = actor("hr.chen")
    for meta in FILES.values():
        for action in ACTIONS:
            assert not decide(hr, action, meta, generous, DIRECTORY,
                              [grant("edit", who="hr.chen", customers=(meta.id,))],
                              NOW).allowed
    # hr.chen manages the hr department, and still reads none of its files.
    own_department = FileMeta("C000009", "department", "gm", "hr")
    assert not decide(hr, "view", own_department, POLICY, DIRECTORY).allowed
    assert not may_create(hr, POLICY, DIRECTORY)
    assert may_create(actor("info.wu"), POLICY, DIRECTORY)
    assert readable_sql(hr, POLICY, DIRECTORY) == ("0", [])


def test_a_different_policy_changes_the_readers():
    data = {"levels": {**POLICY.levels, "company": {"custodian": "marketing_director",
                                                    "readers": ["marketing_staff"]}}}
    policy = Policy(data)
    assert decide(actor("info.wu"), "view", FILES["company"], policy, DIRECTORY).allowed
    assert not decide(actor("gm"), "view", FILES["company"], policy, DIRECTORY).allowed


def test_contacts_listed_by_the_custodian_read_and_edit():
    meta = FileMeta("C000003", "personal", "wang.li", "sales", frozenset({"chen.yu"}))
    for action in ACTIONS:
        decision = decide(actor("chen.yu"), action, meta, POLICY, DIRECTORY)
        assert decision.allowed and decision.basis == "own"


@pytest.mark.parametrize("mode, action, days, revoked, allowed", [
    ("read", "view", 1, False, True),
    ("read", "version", 1, False, True),
    ("read", "export", 1, False, True),
    ("read", "edit", 1, False, False),
    ("read", "restore", 1, False, False),
    ("edit", "view", 1, False, True),
    ("edit", "edit", 1, False, True),
    ("edit", "restore", 1, False, True),
    ("read", "view", -1, False, False),   # expired
    ("edit", "edit", 0, False, False),    # expires right now
    ("read", "view", 1, True, False),     # revoked
    ("edit", "edit", 1, True, False),
])
def test_grants(mode, action, days, revoked, allowed):
    meta = FILES["personal"]
    decision = decide(actor("chen.yu"), action, meta, POLICY, DIRECTORY,
                      [grant(mode, days, revoked)], NOW)
    assert decision.allowed == allowed
    assert decision.basis == ("grant:G1" if allowed else "none")


def test_a_grant_covers_only_its_holder_and_its_files():
    meta = FILES["personal"]
    assert not decide(actor("chen.yu"), "view", meta, POLICY, DIRECTORY,
                      [grant(who="other.mgr")], NOW).allowed
    assert not decide(actor("chen.yu"), "view", meta, POLICY, DIRECTORY,
                      [grant(customers=("C000001",))], NOW).allowed
    naive = Grant("G2", "chen.yu", frozenset({meta.id}), "read",
                  (NOW + timedelta(hours=1)).replace(tzinfo=None))
    assert decide(actor("chen.yu"), "view", meta, POLICY, DIRECTORY, [naive], NOW).allowed


def test_custody_page_is_the_administrators_and_the_department_managers():
    # R33: the file's department manager within the department (personal and department
    # levels), the marketing director for anything; never the custodian as such.
    allowed = {"company": {"director"}, "department": {"director", "lee.mgr"},
               "personal": {"director", "lee.mgr"}}
    for level, meta in FILES.items():
        for username in PEOPLE:
            expected = username in allowed[level]
            assert may_change_custody(actor(username), meta, POLICY, DIRECTORY) == expected, \
                (level, username)


def _moved(meta: FileMeta, **changes: object) -> FileMeta:
    """Return a file's custody with some parts changed."""
    return FileMeta(meta.id, str(changes.get("level", meta.level)),
                    str(changes.get("owner", meta.owner)),
                    str(changes.get("department", meta.department)),
                    frozenset(changes.get("contacts", meta.contacts)))  # type: ignore[arg-type]


def test_a_department_manager_changes_custody_within_the_department_only():
    personal, mgr = FILES["personal"], actor("lee.mgr")

    def ok(**changes: object) -> bool:
        return custody_change(mgr, personal, _moved(personal, **changes), POLICY,
                              DIRECTORY).allowed

    assert ok(level="department") and ok(owner="chen.yu") and ok(contacts={"chen.yu"})
    assert not ok(level="company")
    assert not ok(department="sales2")
    assert not ok(owner="lin.sales2") and not ok(contacts={"vp"})  # not of the department
    assert not ok(owner="gone")
    other = actor("other.mgr")
    assert not custody_change(other, personal, _moved(personal, level="department"), POLICY,
                              DIRECTORY).allowed


def test_the_administrator_changes_any_custody_and_nobody_else():
    personal = FILES["personal"]
    for change in ({"level": "company"}, {"department": "sales2", "owner": "other.mgr"},
                   {"contacts": {"vp"}}):
        after = _moved(personal, **change)
        assert custody_change(actor("director"), personal, after, POLICY, DIRECTORY).allowed
        for username in ("wang.li", "chen.yu", "gm", "vp", "hr.chen", "info.wu"):
            assert not custody_change(actor(username), personal, after, POLICY,
                                      DIRECTORY).allowed
    # Only known levels, departments and active staff.
    for change in ({"level": "secret"}, {"department": "nowhere"}, {"owner": "gone"}):
        assert not custody_change(actor("director"), personal, _moved(personal, **change),
                                  POLICY, DIRECTORY).allowed


def test_the_manager_levels_are_policy_data():
    wider = Policy({**DEFAULT_POLICY, "custody_changes": {"manager_levels": ["personal"]}})
    personal = FILES["personal"]
    assert not custody_change(actor("lee.mgr"), personal, _moved(personal, level="department"),
                              wider, DIRECTORY).allowed
    assert not may_change_custody(actor("lee.mgr"), FILES["department"], wider, DIRECTORY)


def test_the_manager_levels_are_validated():
    from intranet.records.rulebook.policy import validate_policy

    assert validate_policy({"custody_changes": {"manager_levels": ["personal"]}}) == []
    for wrong in (["secret"], "personal", [1]):
        errors = validate_policy({"custody_changes": {"manager_levels": wrong}})
        assert [e.path for e in errors] == ["custody_changes.manager_levels"], wrong


def test_one_administrator_test():
    assert is_administrator("marketing_director", POLICY)
    assert not any(is_administrator(role, POLICY) for role in
                   ("", "general_manager", "marketing_vp", "department_manager", "hr"))


def test_a_file_without_a_known_level_is_kept_as_the_strictest():
    meta = FileMeta("C000004", "", "", "")
    readers = {u for u in PEOPLE if decide(actor(u), "view", meta, POLICY, DIRECTORY).allowed}
    assert readers == READERS["company"]
    assert decide(actor("director"), "edit", meta, POLICY, DIRECTORY).allowed
    assert not decide(actor("gm"), "edit", meta, POLICY, DIRECTORY).allowed


def test_meta_from_a_record_and_from_an_index_row():
    record = {"custody": {"level": "personal", "owner": "wang.li", "department": "sales",
                          "contacts": ["chen.yu", 3]}}
    meta = FileMeta.from_record("C000003", record)
    assert meta == FileMeta("C000003", "personal", "wang.li", "sales", frozenset({"chen.yu"}))
    assert FileMeta.from_record("C000003", None) == FileMeta("C000003", "", "", "")
    row = {"id": "C000003", "level": "personal", "owner": "wang.li", "department": "sales",
           "contacts": "chen.yu"}
    assert FileMeta.from_row(row) == meta


def _table(tmp_path, metas: list[FileMeta]) -> sqlite3.Connection:
    """Return the index's real customers table holding just these files' custody."""
    conn = Database(tmp_path / "index.sqlite3").connect()
    conn.executemany(
        "INSERT INTO customers (num, id, path, blob, level, owner, department, contacts)"
        " VALUES (?,?,?,?,?,?,?,?)",
        [(int(m.id[1:]), m.id, f"customers/{m.id}.yaml", "x", m.level, m.owner, m.department,
          " ".join(sorted(m.contacts))) for m in metas])
    return conn


def test_readable_sql_agrees_with_decide_on_the_demo_company(tmp_path):
    company = generate_company(customers=300)
    directory = Directory({"departments": company.departments}, {"staff": company.staff})
    metas = [FileMeta.from_record(f"C{i:06d}", record)
             for i, record in enumerate(company.customers, 1)]
    metas += [FileMeta("C900001", "", "", ""), FileMeta("C900002", "secret", "gm", "hr")]
    assert {m.level for m in metas} >= {"company", "department", "personal"}
    conn = _table(tmp_path, metas)
    users = [Actor(str(m["username"]), str(m["role"]), str(m["department"]))
             for m in company.staff]
    users.append(Actor("stranger", "general_manager", "management"))
    grants = [
        Grant("G1", users[-2].username, frozenset({metas[0].id, metas[5].id}), "read",
              NOW + timedelta(days=3)),
        Grant("G2", users[-2].username, frozenset({metas[7].id}), "edit",
              NOW - timedelta(days=3)),
        Grant("G3", users[-3].username, frozenset({metas[9].id}), "read",
              NOW + timedelta(days=3), revoked=True),
    ]
    seen = set()
    for user in users:
        condition, params = readable_sql(user, POLICY, directory, grants, NOW)
        found = {r[0] for r in conn.execute(f"SELECT id FROM customers c WHERE {condition}",
                                            params)}
        expected = {m.id for m in metas
                    if decide(user, "view", m, POLICY, directory, grants, NOW).allowed}
        assert found == expected, user
        seen.add(len(expected))
        condition, params = figures_sql(user, POLICY, directory, grants, NOW)
        found = {r[0] for r in conn.execute(f"SELECT id FROM customers c WHERE {condition}",
                                            params)}
        assert found == {m.id for m in metas
                         if decide(user, FIGURES, m, POLICY, directory, grants, NOW).allowed}
    assert len(seen) > 3  # people really see different files


def test_the_analysis_roles_are_policy_data():
    narrow = Policy({"analysis": {"company_roles": ["general_manager"], "department_roles": [],
                                  "classify_roles": ["marketing_director"]}})
    personal = FILES["personal"]
    assert decide(actor("info.wu"), FIGURES, personal, POLICY, DIRECTORY, now=NOW).allowed
    assert not decide(actor("info.wu"), FIGURES, personal, narrow, DIRECTORY, now=NOW).allowed
    assert not decide(actor("info.wu"), CLASSIFY, personal, narrow, DIRECTORY, now=NOW).allowed
    assert decide(actor("gm"), FIGURES, personal, narrow, DIRECTORY, now=NOW).allowed
    # the manager still sees the files the levels let him read, no more
    assert decide(actor("lee.mgr"), FIGURES, personal, narrow, DIRECTORY, now=NOW).allowed
    assert not decide(actor("lee.mgr"), FIGURES, FILES["company"], narrow, DIRECTORY,
                      now=NOW).allowed
    assert not decide(actor("hr.chen"), FIGURES, personal, POLICY, DIRECTORY, now=NOW).allowed


def test_the_analysis_roles_are_validated():
    from intranet.records.rulebook.policy import validate_policy
    errors = validate_policy({"analysis": {"company_roles": ["janitor"]}})
    assert [e.path for e in errors] == ["analysis.company_roles"]
