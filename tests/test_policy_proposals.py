"""Policy changes are proposals the general manager approves (R3), on a real archive."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intranet.actions import ActionError, Forbidden
from intranet.actions import policy as policy_actions
from intranet.records.files import yamlio
from intranet.records.rulebook import proposals
from intranet.records.rulebook.policy import dump_policy
from intranet.records.rulebook.rules import load_rules

from .conftest import csrf_token, git, sign_in

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def text_with(archive, **changes) -> str:
    data = yamlio.load(archive.read("policy.yaml"))
    data.update(changes)
    return dump_policy(data).decode()


def in_force(archive) -> dict:
    return load_rules(archive.snapshot()).policy.data


def test_a_proposal_is_not_in_force_until_the_general_manager_approves(archive):
    before = archive.read("policy.yaml")
    pid = policy_actions.propose(archive, "director", text_with(archive, max_grant_days=14),
                                 "縮短授權期限", NOW)
    assert pid == "PP000001" and archive.read("policy.yaml") == before
    assert in_force(archive)["max_grant_days"] == 30
    stored = yamlio.load(archive.read("policy-proposals/PP000001.yaml"))
    assert (stored["status"], stored["proposer"], stored["reason"]) == (
        "waiting", "director", "縮短授權期限")
    assert "max_grant_days: 14" in stored["text"]
    log = git(archive.path, "log", "-1", "--format=%ae|%s|%(trailers:key=Action,valueonly)")
    assert log.strip() == "director@example.com|政策修訂提案 PP000001：max_grant_days|" \
        "policy-proposal"
    assert [p["id"] for p in proposals.waiting(archive.snapshot())] == [pid]

    after = policy_actions.approve(archive, "gm", pid, "同意", NOW)
    assert after["status"] == "approved" and in_force(archive)["max_grant_days"] == 14
    body = git(archive.path, "log", "-1", "--format=%an|%ae|%B")
    assert body.startswith("趙總|gm@example.com|更新政策：max_grant_days（提案 PP000001）")
    assert "Proposed-By: 林美華 <director@example.com>" in body and "Action: policy" in body
    changed = git(archive.path, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == ["policy-proposals/PP000001.yaml", "policy.yaml"]  # one commit
    stored = yamlio.load(archive.read("policy-proposals/PP000001.yaml"))
    assert (stored["status"], stored["proposer"], stored["decided_by"]) == (
        "approved", "director", "gm")
    versions = archive.log("policy.yaml")
    assert proposals.proposer_of_versions(archive, versions) == {versions[0].commit: "director"}


def test_the_general_manager_refuses_with_a_comment(archive):
    pid = policy_actions.propose(archive, "director", text_with(archive, max_grant_days=14),
                                 "縮短授權期限", NOW)
    head = archive.head()
    with pytest.raises(ActionError, match="refuse"):
        policy_actions.refuse(archive, "gm", pid, "  ", NOW)
    assert archive.head() == head
    assert policy_actions.refuse(archive, "gm", pid, "維持現行", NOW)["status"] == "refused"
    assert in_force(archive)["max_grant_days"] == 30
    with pytest.raises(ActionError):
        policy_actions.approve(archive, "gm", pid, "", NOW)  # decided already


def test_a_stale_proposal_is_refused(archive):
    first = policy_actions.propose(archive, "director", text_with(archive, max_grant_days=14),
                                   "一", NOW)
    second = policy_actions.propose(archive, "director", text_with(archive, max_grant_days=7),
                                    "二", NOW)
    policy_actions.approve(archive, "gm", first, "", NOW)
    result = policy_actions.approve(archive, "gm", second, "", NOW)
    assert result["status"] == "stale" and result["decided_by"] == "gm"
    assert in_force(archive)["max_grant_days"] == 14


@pytest.mark.parametrize("who", ["wang.li", "lee.mgr", "vp", "hr.chen", "director"])
def test_only_the_general_manager_decides(archive, who):
    pid = policy_actions.propose(archive, "director", text_with(archive, max_grant_days=14),
                                 "縮短", NOW)
    head = archive.head()
    with pytest.raises(Forbidden):
        policy_actions.approve(archive, who, pid, "", NOW)
    assert archive.head() == head


@pytest.mark.parametrize("who", ["wang.li", "gm", "vp"])
def test_only_the_administrator_proposes(archive, who):
    head = archive.head()
    with pytest.raises(Forbidden):
        policy_actions.propose(archive, who, text_with(archive, max_grant_days=14), "x", NOW)
    assert archive.head() == head


def test_an_invalid_text_is_refused_with_its_errors(archive):
    with pytest.raises(policy_actions.InvalidPolicy) as caught:
        policy_actions.propose(archive, "director", "max_grant_days: 0\n", "x", NOW)
    assert [e.path for e in caught.value.errors] == ["max_grant_days"]


# -- through the web ----------------------------------------------------------------------

def client(app, username: str):
    web = app.test_client()
    web.set_cookie("lang", "en")
    assert sign_in(web, username).status_code == 302
    return web


def test_the_general_manager_sees_the_change_and_decides(app, web, svc):
    director, gm = client(app, "director"), client(app, "gm")
    token = csrf_token(director, "/admin/policy/yaml")
    answer = director.post("/admin/policy/yaml", data={
        "text": text_with(svc.archive, max_grant_days=14), "reason": "縮短授權期限",
        "csrf_token": token})
    assert answer.status_code == 302 and answer.location.endswith("/policy/proposals/PP000001")
    assert "max_grant_days: 30" in director.get("/admin/policy/yaml").get_data(as_text=True)
    home = gm.get("/").get_data(as_text=True)
    assert "Policy changes waiting for my approval" in home and "PP000001" in home
    page = gm.get("/policy/proposals/PP000001").get_data(as_text=True)
    assert "-max_grant_days: 30" in page and "+max_grant_days: 14" in page
    assert 'name="approve"' in page
    # A salesperson posting the decision gets 403 and nothing is written.
    sales = client(app, "wang.li")
    head = svc.archive.head()
    assert sales.get("/policy/proposals/PP000001").status_code == 404
    answer = sales.post("/policy/proposals/PP000001/decide",
                        data={"approve": "1", "csrf_token": csrf_token(sales, "/access/new")})
    assert answer.status_code == 403 and svc.archive.head() == head
    answer = gm.post("/policy/proposals/PP000001/decide",
                     data={"approve": "1", "csrf_token": csrf_token(gm, "/")})
    assert answer.status_code == 302
    assert "max_grant_days: 14" in director.get("/admin/policy/yaml").get_data(as_text=True)
    assert "Approved: in force" in gm.get("/policy/proposals/PP000001").get_data(as_text=True)
    assert "Policy changes waiting" not in gm.get("/").get_data(as_text=True)
