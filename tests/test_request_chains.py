"""The approval chain per level (R33, R34), readers per level, and break-glass reads approved
after the fact within working days (R35), on a real archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intranet.actions import ActionError, Forbidden
from intranet.actions import requests as request_actions
from intranet.records.rights import requests
from intranet.records.rulebook.policy import DEFAULT_POLICY, validate_policy
from intranet.records.rulebook.rules import load_rules

from .test_requests import decide, make_file

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday, 17:00 in Taipei


@pytest.fixture
def files(archive):
    return {level: make_file(archive, owner, level, department)
            for level, owner, department in (("personal", "wang.li", "sales"),
                                             ("department", "lee.mgr", "sales"),
                                             ("company", "director", "sales"))}


def chain(archive, rid: str) -> list[tuple[str, str, str]]:
    """Return each step's (post, signer, decision)."""
    req = requests.get(archive.snapshot(), rid)
    return [(s["by"], s["signer"], s["decision"]) for s in req["steps"]]


def next_signers(archive, rid: str) -> set[str]:
    req = requests.get(archive.snapshot(), rid)
    index = requests.current_step(req)
    return set() if index is None else requests.signers(req, req["steps"][index],
                                                        load_rules(archive.snapshot()))


def run(archive, rid: str, signers: list[str]) -> dict:
    """Sign in order, checking each is the one the request waits for; return the request."""
    req: dict = {}
    for who in signers:
        assert who in next_signers(archive, rid), (who, chain(archive, rid))
        req = requests.act(archive, rid, who, True, "同意", NOW)
    return req


# (level, requester, the posts of the chain, who signs in turn)
CASES = [
    ("personal", "chen.yu", ["requester_manager", "department_manager", "general_manager"],
     ["lee.mgr", "gm"]),
    ("personal", "lin.sales2", ["requester_manager", "department_manager", "general_manager"],
     ["other.mgr", "lee.mgr", "gm"]),
    ("department", "chen.yu", ["requester_manager", "department_manager", "general_manager"],
     ["lee.mgr", "gm"]),
    ("department", "lin.sales2", ["requester_manager", "department_manager", "marketing_vp",
                                  "general_manager"], ["other.mgr", "lee.mgr", "vp", "gm"]),
    ("company", "chen.yu", ["requester_manager", "marketing_director", "general_manager"],
     ["lee.mgr", "director", "gm"]),
    ("company", "lin.sales2", ["requester_manager", "marketing_director", "general_manager"],
     ["other.mgr", "director", "gm"]),
]


@pytest.mark.parametrize(("level", "requester", "posts", "signers"), CASES)
def test_every_level_has_its_chain(archive, files, level, requester, posts, signers):
    rid = requests.create(archive, requester, [files[level]], "報價", "read", 2, NOW)
    assert [p for p, _, _ in chain(archive, rid)] == posts
    assert not decide(archive, requester, files[level]).allowed
    req = run(archive, rid, signers[:-1])
    assert req["status"] == "waiting" and next_signers(archive, rid) == {"gm"}  # GM last
    assert not decide(archive, requester, files[level]).allowed
    assert run(archive, rid, signers[-1:])["status"] == "approved"
    assert decide(archive, requester, files[level]).basis == f"grant:{rid}"


def test_one_person_holding_two_steps_signs_once(archive, files):
    rid = requests.create(archive, "chen.yu", [files["personal"]], "報價", "read", 2, NOW)
    requests.act(archive, rid, "lee.mgr", True, "同意", NOW)
    req = requests.get(archive.snapshot(), rid)
    assert chain(archive, rid) == [("requester_manager", "lee.mgr", "approved"),
                                   ("department_manager", "lee.mgr", "approved"),
                                   ("general_manager", "", "")]
    assert req["steps"][1]["with_step"] == 1 and "with_step" not in req["steps"][0]
    assert req["status"] == "waiting"


def test_a_managers_own_request_skips_their_steps(archive, files):
    rid = requests.create(archive, "other.mgr", [files["department"]], "跨部門合作", "read", 2,
                          NOW)
    assert chain(archive, rid) == [("requester_manager", "", "skipped"),
                                   ("department_manager", "", ""), ("marketing_vp", "", ""),
                                   ("general_manager", "", "")]
    with pytest.raises(requests.NotAllowed):
        requests.act(archive, rid, "other.mgr", True, "", NOW)
    assert run(archive, rid, ["lee.mgr", "vp", "gm"])["status"] == "approved"


def test_a_refusal_ends_the_chain(archive, files):
    rid = requests.create(archive, "lin.sales2", [files["department"]], "報價", "read", 2, NOW)
    run(archive, rid, ["other.mgr", "lee.mgr"])
    assert requests.act(archive, rid, "vp", False, "沒有必要", NOW)["status"] == "refused"
    assert next_signers(archive, rid) == set()
    with pytest.raises(requests.RequestError):
        requests.act(archive, rid, "gm", True, "", NOW)
    assert not decide(archive, "lin.sales2", files["department"]).allowed


def test_the_actions_layer_refuses_the_wrong_signer(archive, files):
    rid = request_actions.ask(archive, "chen.yu", [files["company"]], "報價", "read", 2, NOW)
    head = archive.head()
    with pytest.raises(Forbidden):
        request_actions.sign(archive, "gm", rid, True, "", NOW)  # the GM comes last
    with pytest.raises(ActionError):
        request_actions.ask(archive, "chen.yu", [], "報價", "read", 2, NOW)
    assert archive.head() == head


@pytest.mark.parametrize(("level", "readers"), [
    ("company", {"director", "vp", "gm"}),
    ("department", {"lee.mgr"}),  # R33: not the GM, the VP nor the director
    ("personal", {"wang.li", "lee.mgr"}),
])
def test_readers_per_level(archive, files, level, readers):
    everyone = {"director", "vp", "gm", "lee.mgr", "other.mgr", "wang.li", "chen.yu",
                "lin.sales2", "hr.chen", "info.wu"}
    owner = {"personal": "wang.li", "department": "lee.mgr", "company": "director"}[level]
    found = {u for u in everyone if decide(archive, u, files[level]).allowed}
    assert found == readers | {owner}


def test_the_chain_data_is_checked():
    data = {"approval_chain": {**DEFAULT_POLICY["approval_chain"], "department": [
        {"by": "marketing_vp", "action": "approve", "when": "sometimes"},
        {"by": "general_manager", "action": "sign", "colour": "red"}]}}
    paths = {e.path for e in validate_policy(data)}
    assert {"approval_chain.department[0].when",
            "approval_chain.department[1].colour"} <= paths
    only_signatures = {"approval_chain": {**DEFAULT_POLICY["approval_chain"], "personal": [
        {"by": "requester_manager", "action": "sign"}]}}
    assert [e.path for e in validate_policy(only_signatures)] == ["approval_chain.personal"]
    assert validate_policy({}) == []


# -- break-glass (R35) -----------------------------------------------------------------------

THURSDAY = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Taipei


def test_a_break_glass_read_approved_in_time_is_no_unapproved_read(archive, files):
    rid = requests.break_glass(archive, "director", files["personal"], "客訴", THURSDAY)
    req = requests.get(archive.snapshot(), rid)
    # Fri 27, Mon 30, Tue 1: until the end of Tuesday in Taipei.
    assert req["deadline"] == "2026-12-01T16:00:00Z"
    assert chain(archive, rid) == [("requester_manager", "", "skipped"),
                                   ("department_manager", "", ""),
                                   ("general_manager", "", "")]
    assert decide(archive, "director", files["personal"], now=THURSDAY).allowed  # at once
    assert requests.review_state(req, THURSDAY) == "waiting"
    for who in ("lee.mgr", "gm"):
        requests.act(archive, rid, who, True, "事後核准", THURSDAY + timedelta(days=3))
    req = requests.get(archive.snapshot(), rid)
    assert req["review"] == "approved" and req["status"] == "approved"
    later = datetime(2027, 1, 5, tzinfo=UTC)
    assert requests.review_state(req, later) == "approved"
    assert requests.unapproved_reads(archive.snapshot(), load_rules(archive.snapshot()),
                                     later) == []


def test_a_break_glass_read_not_approved_in_time_is_an_unapproved_read(archive, files):
    rid = requests.break_glass(archive, "director", files["personal"], "客訴", THURSDAY)
    requests.act(archive, rid, "lee.mgr", True, "", THURSDAY)
    snapshot, rules = archive.snapshot(), load_rules(archive.snapshot())
    just_before = datetime(2026, 12, 1, 15, 59, tzinfo=UTC)
    assert requests.unapproved_reads(snapshot, rules, just_before) == []
    assert [r["id"] for r in requests.waiting_for(snapshot, "gm", just_before)] == [rid]
    deadline = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert requests.waiting_for(snapshot, "gm", deadline) == []
    found = requests.unapproved_reads(snapshot, rules, deadline)
    assert found == [{"user": "director", "customers": [files["personal"]],
                      "customer": files["personal"], "request": rid,
                      "read_at": THURSDAY, "deadline": deadline, "month": "2026-12",
                      "reason": "not_approved_in_time", "fine": 50}]
    head = archive.head()
    with pytest.raises(requests.RequestError, match="deadline"):
        requests.act(archive, rid, "gm", True, "", deadline)
    assert archive.head() == head


def test_a_refused_break_glass_read_is_an_unapproved_read_and_ends(archive, files):
    rid = requests.break_glass(archive, "gm", files["department"], "客訴", THURSDAY)
    # The GM's own step is skipped; the file's manager and the VP (across departments) decide.
    assert [p for p, _, d in chain(archive, rid) if d != "skipped"] == [
        "department_manager", "marketing_vp"]
    requests.act(archive, rid, "lee.mgr", False, "並無緊急情況", THURSDAY + timedelta(hours=1))
    snapshot = archive.snapshot()
    found = requests.unapproved_reads(snapshot, load_rules(snapshot),
                                      THURSDAY + timedelta(hours=2))
    assert [(r["request"], r["reason"], r["month"]) for r in found] == [
        (rid, "refused", "2026-12")]
    assert not decide(archive, "gm", files["department"], now=THURSDAY + timedelta(hours=2)
                      ).allowed


def test_the_deadline_counts_working_days_in_the_company_time_zone():
    from zoneinfo import ZoneInfo
    taipei = ZoneInfo("Asia/Taipei")
    friday_night = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # Fri 23:30 in Taipei
    assert requests.working_deadline(friday_night, 3, taipei) == \
        datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # Mon, Tue, Wed
    saturday = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # already Saturday in Taipei
    assert requests.working_deadline(saturday, 1, taipei) == \
        datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
