"""Access requests in the domain (R34): the chain, grants by time, revocation, break-glass,
and the paper trail in ``git log access/``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intranet.records.files.customers import CustomerFiles
from intranet.records.files.schema import new_record
from intranet.records.rights import access, requests
from intranet.records.rulebook.organisation import save_member
from intranet.records.rulebook.rules import load_rules

from .conftest import SYSTEM, git

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def make_file(archive, owner: str, level: str = "personal", department: str = "sales") -> str:
    record = new_record("distributor", **{
        "basic.name": f"{owner}客戶", "basic.phone": "02-2531-7099",
        "basic.address": "臺北市中山區南京東路100號", "classification.region": "北區",
        "classification.industry": "電子", "custody.owner": owner,
        "custody.department": department, "custody.level": level})
    return CustomerFiles(archive).create(record, owner)[0]


@pytest.fixture
def files(archive):
    return {"wang": make_file(archive, "wang.li"), "wang2": make_file(archive, "wang.li"),
            "chen": make_file(archive, "chen.yu"),
            "company": make_file(archive, "director", "company", "marketing")}


def through(archive, request_id: str, now: datetime = NOW) -> dict:
    """Sign and approve a same-department personal-level request by the default chain."""
    requests.act(archive, request_id, "lee.mgr", True, "ok", now)  # both manager steps
    return requests.act(archive, request_id, "gm", True, "ok", now)


def decide(archive, username: str, customer: str, action: str = "view",
           now: datetime | None = None) -> access.Decision:
    snapshot = archive.snapshot()
    rules = load_rules(snapshot)
    meta = access.FileMeta.from_record(customer, CustomerFiles(archive).load(customer).record)
    actor = access.Actor(username, rules.directory.role(username), "")
    return access.decide(actor, action, meta, rules.policy, rules.directory,
                         requests.grants_for(snapshot, username, now or NOW), now or NOW)


def test_the_whole_chain_grants_read_until_expiry(archive, files):
    rid = requests.create(archive, "chen.yu", [files["wang"]], "客戶來電要求報價", "read", 3, NOW)
    assert rid == "AR000001"
    req = requests.get(archive.snapshot(), rid)
    assert [s["by"] for s in req["steps"]] == ["requester_manager", "department_manager",
                                               "general_manager"]
    assert req["status"] == "waiting" and req["custodian"] == "wang.li"
    assert not decide(archive, "chen.yu", files["wang"]).allowed
    assert [r["id"] for r in requests.waiting_for(archive.snapshot(), "lee.mgr")] == [rid]
    assert requests.waiting_for(archive.snapshot(), "gm") == []
    requests.act(archive, rid, "lee.mgr", True, "同意", NOW)
    assert requests.waiting_for(archive.snapshot(), "lee.mgr") == []
    assert [r["id"] for r in requests.waiting_for(archive.snapshot(), "gm")] == [rid]
    assert not decide(archive, "chen.yu", files["wang"]).allowed
    after = requests.act(archive, rid, "gm", True, "", NOW)
    assert after["status"] == "approved"
    assert after["expires"] == "2026-11-05T09:00:00Z"
    answer = decide(archive, "chen.yu", files["wang"])
    assert answer.allowed and answer.basis == f"grant:{rid}"
    assert not decide(archive, "chen.yu", files["wang"], "edit").allowed  # read only
    assert not decide(archive, "chen.yu", files["wang2"]).allowed  # only the files asked for
    later = NOW + timedelta(days=3, seconds=1)
    assert requests.grants_for(archive.snapshot(), "chen.yu", later) == []
    assert not decide(archive, "chen.yu", files["wang"], now=later).allowed
    assert requests.state(requests.get(archive.snapshot(), rid), later) == "expired"


def test_an_edit_grant_allows_editing(archive, files):
    rid = requests.create(archive, "chen.yu", [files["wang"], files["wang2"]], "代管", "edit", 2,
                          NOW)
    through(archive, rid)
    assert decide(archive, "chen.yu", files["wang2"], "edit").allowed


def test_every_step_is_a_commit_by_its_signer_with_trailers(archive, files):
    rid = requests.create(archive, "chen.yu", [files["wang"]], "報價", "read", 1, NOW)
    through(archive, rid)
    requests.revoke(archive, rid, "wang.li", NOW)
    log = git(archive.path, "log", "--format=%ae|%s|"
              "%(trailers:key=Access-Request,valueonly,separator=)|"
              "%(trailers:key=Action,valueonly,separator=)", "--", "access/")
    rows = [line.split("|") for line in log.strip().splitlines() if line]
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("wang.li@example.com", rid, "revoke"), ("gm@example.com", rid, "approve"),
        ("lee.mgr@example.com", rid, "sign"),
        ("chen.yu@example.com", rid, "request")]
    assert all(r[1].startswith(f"查閱申請 {rid}") for r in rows)
    assert git(archive.path, "ls-tree", "-r", "--name-only", "HEAD", "access/").split() == \
        [f"access/2026/{rid}.yaml"]


def test_revocation_ends_the_grant(archive, files):
    rid = requests.create(archive, "chen.yu", [files["wang"]], "報價", "read", 5, NOW)
    through(archive, rid)
    assert decide(archive, "chen.yu", files["wang"]).allowed
    with pytest.raises(requests.NotAllowed):
        requests.revoke(archive, rid, "lin.sales2", NOW)
    requests.revoke(archive, rid, "wang.li", NOW)
    assert not decide(archive, "chen.yu", files["wang"]).allowed
    assert requests.get(archive.snapshot(), rid)["revoked_by"] == "wang.li"


@pytest.mark.parametrize("who", ["chen.yu", "director"])
def test_the_requester_and_the_administrator_may_revoke(archive, files, who):
    rid = requests.create(archive, "chen.yu", [files["wang"]], "報價", "read", 5, NOW)
    through(archive, rid)
    assert requests.revoke(archive, rid, who, NOW)["status"] == "revoked"


def test_a_refusal_ends_the_request(archive, files):
    rid = requests.create(archive, "chen.yu", [files["wang"]], "報價", "read", 5, NOW)
    requests.act(archive, rid, "lee.mgr", True, "", NOW)
    with pytest.raises(requests.RequestError):
        requests.act(archive, rid, "gm", False, "", NOW)  # a refusal says why
    after = requests.act(archive, rid, "gm", False, "沒有必要", NOW)
    assert after["status"] == "refused"
    assert requests.waiting_for(archive.snapshot(), "wang.li") == []
    with pytest.raises(requests.RequestError):
        requests.act(archive, rid, "wang.li", True, "", NOW)
    assert not decide(archive, "chen.yu", files["wang"]).allowed


def test_nobody_signs_their_own_request(archive, files):
    rid = requests.create(archive, "lee.mgr", [files["wang"]], "督導", "read", 5, NOW)
    with pytest.raises(requests.NotAllowed):
        requests.act(archive, rid, "lee.mgr", True, "", NOW)
    assert requests.waiting_for(archive.snapshot(), "lee.mgr") == []
    # The step only the requester could sign is skipped, recorded, and the chain goes on.
    req = requests.get(archive.snapshot(), rid)
    assert [s["decision"] for s in req["steps"]] == ["skipped", "skipped", ""]
    assert req["steps"][0]["signer"] == "" and req["steps"][0]["comment"]
    assert [r["id"] for r in requests.waiting_for(archive.snapshot(), "gm")] == [rid]


def test_a_general_managers_request_waits_for_the_files_manager(archive, files):
    rid = requests.create(archive, "gm", [files["wang"]], "查核", "read", 2, NOW)
    req = requests.get(archive.snapshot(), rid)
    assert [s["decision"] for s in req["steps"]] == ["skipped", "", "skipped"]
    with pytest.raises(requests.NotAllowed):
        requests.act(archive, rid, "gm", True, "", NOW)
    req = requests.act(archive, rid, "lee.mgr", True, "好", NOW)
    assert req["status"] == "approved"
    assert decide(archive, "gm", files["wang"]).basis == f"grant:{rid}"


def test_a_requester_without_a_department_manager_skips_that_step(archive, files):
    # The test company's marketing department has no manager set: the file's department
    # manager and the general manager still decide.
    rid = requests.create(archive, "info.wu", [files["wang"]], "整理", "read", 2, NOW)
    req = requests.get(archive.snapshot(), rid)
    assert [s["decision"] for s in req["steps"]] == ["skipped", "", ""]
    assert [r["id"] for r in requests.waiting_for(archive.snapshot(), "lee.mgr")] == [rid]


def test_a_vacant_post_other_than_the_requesters_manager_waits(archive, files):
    save_member(archive, {"username": "gm", "name": "趙總", "role": "general_manager",
                          "department": "management", "email": "gm@example.com",
                          "active": False, "left_on": "2026-10-01"}, SYSTEM, new=False)
    rid = requests.create(archive, "chen.yu", [files["wang"]], "報價", "read", 2, NOW)
    requests.act(archive, rid, "lee.mgr", True, "", NOW)
    req = requests.get(archive.snapshot(), rid)
    assert [s["decision"] for s in req["steps"]] == ["approved", "approved", ""]
    assert req["status"] == "waiting"
@pytest.mark.parametrize("who", ["gm", "wang.li", "other.mgr", "chen.yu", "nobody"])
def test_the_wrong_signer_is_refused(archive, files, who):
    rid = requests.create(archive, "chen.yu", [files["wang"]], "報價", "read", 5, NOW)
    with pytest.raises(requests.NotAllowed):
        requests.act(archive, rid, who, True, "", NOW)
    assert requests.get(archive.snapshot(), rid)["steps"][0]["decision"] == ""


def test_files_of_several_custodians_are_refused(archive, files):
    with pytest.raises(requests.RequestError, match="ask each custodian separately"):
        requests.create(archive, "lin.sales2", [files["wang"], files["chen"]], "x", "read", 1,
                        NOW)
    assert requests.load_all(archive.snapshot()) == {}


@pytest.mark.parametrize("days", [0, 31, -1])
def test_days_outside_the_policy_are_refused(archive, files, days):
    with pytest.raises(requests.RequestError):
        requests.create(archive, "chen.yu", [files["wang"]], "x", "read", days, NOW)


def test_missing_files_blank_reasons_and_modes_are_refused(archive, files):
    for customers, reason, mode in (([], "x", "read"), (["C999999"], "x", "read"),
                                    ([files["wang"]], " ", "read"),
                                    ([files["wang"]], "x", "delete")):
        with pytest.raises(requests.RequestError):
            requests.create(archive, "chen.yu", customers, reason, mode, 1, NOW)


def test_the_chain_follows_the_strictest_level_and_ids_follow_on(archive, files):
    first = requests.create(archive, "vp", [files["company"]], "年度檢討", "read", 1, NOW)
    second = requests.create(archive, "chen.yu", [files["wang"]], "x", "read", 1, NOW)
    assert (first, second) == ("AR000001", "AR000002")
    assert requests.get(archive.snapshot(), first)["level"] == "company"


def test_break_glass_reads_at_once_and_is_marked(archive, files):
    rid = requests.break_glass(archive, "gm", files["wang"], "客戶投訴緊急處理", NOW)
    req = requests.get(archive.snapshot(), rid)
    assert req["kind"] == "break-glass" and req["status"] == "approved"
    assert req["expires"] == "2026-11-02T13:00:00Z"  # the default four hours
    # R35: approved after the fact by the chain, within 3 working days (Taipei's calendar).
    assert req["review"] == "waiting" and req["deadline"] == "2026-11-05T16:00:00Z"
    answer = decide(archive, "gm", files["wang"])
    assert answer.allowed and answer.basis == f"break-glass:{rid}"
    assert not decide(archive, "gm", files["wang"], "edit").allowed
    assert not decide(archive, "gm", files["wang"], now=NOW + timedelta(hours=4)).allowed
    log = git(archive.path, "log", "-1", "--format=%ae %(trailers:key=Action,valueonly,separator=)")
    assert log.split() == ["gm@example.com", "break-glass"]


@pytest.mark.parametrize("who", ["chen.yu", "lee.mgr", "hr.chen", "vp"])
def test_break_glass_is_refused_to_other_roles(archive, files, who):
    with pytest.raises(requests.NotAllowed):
        requests.break_glass(archive, who, files["wang"], "緊急", NOW)
    assert requests.load_all(archive.snapshot()) == {}


def test_break_glass_needs_a_reason(archive, files):
    with pytest.raises(requests.RequestError):
        requests.break_glass(archive, "gm", files["wang"], "  ", NOW)


def test_the_demo_has_requests_in_every_state(tmp_path):
    from intranet import create_app, demo
    from intranet.archive.repository import Archive
    from intranet.records.rulebook.organisation import initialise

    from .conftest import SYSTEM
    archive = Archive(tmp_path / "demo.git", committer=SYSTEM)
    initialise(archive, SYSTEM)
    archive.close()
    app = create_app({"TESTING": True, "ARCHIVE_REPO": str(tmp_path / "demo.git"),
                      "INSTANCE_PATH": str(tmp_path / "i"),
                      "INDEX_PATH": str(tmp_path / "i" / "index.sqlite3"),
                      "CREDENTIALS_PATH": str(tmp_path / "i" / "credentials.json"),
                      "SECRET_KEY": "test"})
    svc = app.extensions["customer_archive"]
    try:
        with app.app_context():
            assert demo.seed(svc, 120, 7)["requests"] == 10
        snapshot = svc.archive.snapshot()
        found = requests.load_all(snapshot).values()
        states = {(requests.state(r), requests.current_step(r)) for r in found}
        assert {("waiting", 0), ("waiting", 1), ("waiting", 2), ("active", None),
                ("expired", None), ("refused", None), ("revoked", None)} <= states
        # A department-level request across departments waits for the vice-president.
        assert any(r["level"] == "department" and requests.current_step(r) == 2
                   and r["steps"][2]["by"] == "marketing_vp" for r in found)
        # One break-glass read approved in time, one never approved: an unapproved read.
        reviews = sorted(requests.review_state(r) for r in found if r["kind"] == "break-glass")
        assert reviews == ["approved", "unapproved"]
        late = requests.unapproved_reads(snapshot, load_rules(snapshot))
        assert [(r["user"], r["reason"]) for r in late] == [("director", "not_approved_in_time")]
    finally:
        svc.close()
