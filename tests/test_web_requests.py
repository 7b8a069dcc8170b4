"""Access requests through the test client (R34): the form, the queues, signing, revoking,
break-glass, and who may see which request."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from intranet.records.rights import requests

from .conftest import csrf_token, git, sign_in
from .test_web_audit import entries
from .test_web_customers import make


def client(app, username: str):
    web = app.test_client()
    web.set_cookie("lang", "en")
    assert sign_in(web, username).status_code == 302
    return web


@pytest.fixture
def people(app, web):
    """Signed-in clients by username (the fixture ``web`` sets the passwords)."""
    made: dict = {}

    def get(username: str):
        if username not in made:
            made[username] = client(app, username)
        return made[username]
    return get


@pytest.fixture
def customer(svc):
    return make(svc, author="wang.li")


def ask(web, customer: str, days: int = 3, mode: str = "read", reason: str = "客戶來電要求報價"):
    token = csrf_token(web, f"/access/new?customer={customer}")
    return web.post("/access/new", data={"customers": customer, "reason": reason, "mode": mode,
                                         "days": str(days), "csrf_token": token})


def sign(web, request_id: str, approve: bool = True, comment: str = ""):
    token = csrf_token(web, f"/access/{request_id}")
    button = "approve" if approve else "refuse"
    return web.post(f"/access/{request_id}/act",
                    data={"comment": comment, button: "1", "csrf_token": token})


def revoke(web, request_id: str):
    token = csrf_token(web, "/access/new")
    return web.post(f"/access/{request_id}/revoke", data={"csrf_token": token})


def test_the_placeholder_leads_to_the_form(people, customer):
    web = people("chen.yu")
    hidden = web.get(f"/customers/{customer}")
    assert hidden.status_code == 403
    assert f"/customers/{customer}/request" in hidden.get_data(as_text=True)
    assert "break-glass" not in hidden.get_data(as_text=True)
    answer = web.get(f"/customers/{customer}/request")
    assert answer.status_code == 302
    assert answer.location.endswith(f"/access/new?customer={customer}")
    form = web.get(answer.location).get_data(as_text=True)
    assert f'value="{customer}"' in form and 'name="csrf_token"' in form


def test_request_sign_approve_read_revoke(app, svc, people, customer):
    chen = people("chen.yu")
    answer = ask(chen, customer)
    assert answer.status_code == 302
    request_id = answer.location.rsplit("/", 1)[1]
    assert requests.is_request_id(request_id)
    assert request_id in chen.get("/access/").get_data(as_text=True)
    assert chen.get(f"/customers/{customer}").status_code == 403
    # The whole chain with names, and who is next.
    detail = chen.get(f"/access/{request_id}").get_data(as_text=True)
    assert "Approval chain" in detail and "李經理" in detail and "趙總" in detail
    assert re.search(r'id="next-signer">Next: <strong>李經理</strong>', detail)
    # The queue and the badge function.
    manager = people("lee.mgr")
    queue = manager.get("/access/").get_data(as_text=True)
    assert request_id in queue
    assert sign(people("gm"), request_id).status_code == 404  # not theirs yet: not even seen
    # The manager signs once for both steps they hold (requester's manager, file's manager).
    assert sign(manager, request_id, comment="同意").status_code == 302
    assert request_id not in manager.get("/access/").get_data(as_text=True).split(
        "Waiting for me")[1].split("My requests")[0]
    detail = chen.get(f"/access/{request_id}").get_data(as_text=True)
    assert "one signature for steps 1 and 2" in detail
    assert re.search(r'id="next-signer">Next: <strong>趙總</strong>', detail)
    owner = people("wang.li")
    assert request_id not in owner.get("/").get_data(as_text=True)
    assert sign(people("gm"), request_id).status_code == 302  # the GM approves last
    # No release by the custodian: the requester reads, and the custodian is told.
    before = len(entries(app))
    page = chen.get(f"/customers/{customer}")
    assert page.status_code == 200
    assert entries(app)[before]["basis"] == f"grant:{request_id}"
    detail = chen.get(f"/access/{request_id}").get_data(as_text=True)
    assert "同意" in detail and "Granted" in detail
    home = owner.get("/").get_data(as_text=True)
    assert "Access granted to files I keep" in home and request_id in home
    # The custodian revokes: the next request is refused.
    assert revoke(owner, request_id).status_code == 302
    assert chen.get(f"/customers/{customer}").status_code == 403
    log = git(svc.archive.path, "log", "--format=%ae %(trailers:key=Action,valueonly,separator=)",
              "--", "access/").split("\n")
    assert [line for line in log if line] == [
        "wang.li@example.com revoke", "gm@example.com approve",
        "lee.mgr@example.com sign", "chen.yu@example.com request"]


def test_an_expired_grant_reads_nothing(app, svc, people, customer):
    past = datetime.now(UTC) - timedelta(days=10)
    request_id = requests.create(svc.archive, "chen.yu", [customer], "舊案", "read", 2, past)
    for who in ("lee.mgr", "gm"):
        requests.act(svc.archive, request_id, who, True, "", past)
    chen = people("chen.yu")
    assert chen.get(f"/customers/{customer}").status_code == 403
    assert "Expired" in chen.get(f"/access/{request_id}").get_data(as_text=True)


def test_a_refusal_through_the_web(people, customer):
    chen = people("chen.yu")
    request_id = ask(chen, customer).location.rsplit("/", 1)[1]
    manager = people("lee.mgr")
    sign(manager, request_id, approve=False)  # no comment: refused with a message, unchanged
    assert "Say why you refuse" in manager.get(f"/access/{request_id}").get_data(as_text=True)
    assert sign(manager, request_id, approve=False, comment="不需要").status_code == 302
    assert "Refused" in chen.get(f"/access/{request_id}").get_data(as_text=True)
    assert sign(people("gm"), request_id).status_code == 404
    assert chen.get(f"/customers/{customer}").status_code == 403


def test_self_approval_and_wrong_signers_are_refused(svc, people, customer):
    mgr = people("lee.mgr")
    own = ask(mgr, customer).location.rsplit("/", 1)[1]
    assert sign(mgr, own).status_code == 403  # they see their request, may not sign it
    chen = people("chen.yu")
    other = ask(chen, customer).location.rsplit("/", 1)[1]
    assert sign(chen, other).status_code == 403
    assert sign(people("other.mgr"), other).status_code == 404
    assert all(not s["decision"] for s in requests.get(svc.archive.snapshot(), other)["steps"])


def test_others_see_no_request(people, customer):
    request_id = ask(people("chen.yu"), customer).location.rsplit("/", 1)[1]
    for who in ("lin.sales2", "other.mgr", "hr.chen"):
        web = people(who)
        assert web.get(f"/access/{request_id}").status_code == 404
        assert web.get("/access/AR999999").status_code == 404
        assert web.get("/access/../etc").status_code == 404
        assert revoke(web, request_id).status_code == 404
        assert request_id not in web.get("/access/").get_data(as_text=True)


def test_sign_in_is_required(web, customer):
    for url in ("/access/", "/access/new", "/access/AR000001",
                f"/customers/{customer}/break-glass"):
        assert web.get(url).status_code == 302


def test_bad_requests_are_refused_with_a_message(people, svc, customer):
    chen = people("chen.yu")
    other = make(svc, author="lin.sales2", **{"custody.department": "sales2"})
    page = ask(chen, f"{customer} {other}")
    assert page.status_code == 200 and "ask each custodian separately" in page.get_data(
        as_text=True)
    too_long = ask(chen, customer, days=31)
    assert too_long.status_code == 200 and "Ask for 1 to 30 days" in too_long.get_data(
        as_text=True)
    assert requests.load_all(svc.archive.snapshot()) == {}


def test_the_form_needs_a_csrf_token(people, customer):
    answer = people("chen.yu").post("/access/new", data={"customers": customer, "reason": "x",
                                                         "mode": "read", "days": "1"})
    assert answer.status_code in (200, 400)
    assert "AR0" not in answer.get_data(as_text=True)


def test_break_glass_opens_the_file_at_once(app, svc, people, customer):
    gm = people("gm")
    hidden = gm.get(f"/customers/{customer}").get_data(as_text=True)
    assert f"/customers/{customer}/break-glass" in hidden
    url = f"/customers/{customer}/break-glass"
    token = csrf_token(gm, url)
    assert gm.post(url, data={"reason": " ", "csrf_token": token}).status_code == 200
    answer = gm.post(url, data={"reason": "客戶投訴，負責人休假", "csrf_token": token})
    assert answer.status_code == 302 and answer.location.endswith(f"/customers/{customer}")
    before = len(entries(app))
    assert gm.get(f"/customers/{customer}").status_code == 200
    basis = entries(app)[before]["basis"]
    assert basis.startswith("break-glass:")
    assert git(svc.archive.path, "log", "-1", "--format=%ae %(trailers:key=Action,valueonly,"
               "separator=)", "--", "access/").split() == ["gm@example.com", "break-glass"]
    assert gm.get(f"/customers/{customer}/edit").status_code == 403  # read only


@pytest.mark.parametrize("who", ["chen.yu", "lee.mgr", "hr.chen"])
def test_break_glass_is_refused_to_other_roles(svc, people, customer, who):
    web = people(who)
    url = f"/customers/{customer}/break-glass"
    assert web.get(url).status_code == 403
    assert web.post(url, data={"reason": "x", "csrf_token": csrf_token(web, "/access/new")}
                    ).status_code == 403
    assert requests.load_all(svc.archive.snapshot()) == {}


def test_break_glass_on_a_missing_file_answers_as_hidden(people):
    gm = people("gm")
    url = "/customers/C999999/break-glass"
    answer = gm.post(url, data={"reason": "x", "csrf_token": csrf_token(gm, url)})
    assert answer.status_code == 403


def test_the_waiting_count(app, people, customer):
    from intranet.web.access.views import waiting_count
    ask(people("chen.yu"), customer)
    page = people("lee.mgr").get("/access/").get_data(as_text=True)
    assert re.search(r"Waiting for me <span[^>]*>1</span>", page)
    with app.test_request_context():
        assert waiting_count() == 0  # nobody signed in


def test_the_list_warns_before_opening_a_file_one_may_not_read(app, people, customer):
    chen = people("chen.yu")
    listing = chen.get("/customers/").get_data(as_text=True)
    assert f'href="/customers/{customer}/closed"' in listing
    assert f'href="/customers/{customer}"' not in listing
    before = len(entries(app))
    page = chen.get(f"/customers/{customer}/closed")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "You may not read this file: ask for access." in text
    assert f"/customers/{customer}/request" in text and "50 CNY" in text
    assert len(entries(app)) == before  # a warning, not a refused attempt
    # The owner's list opens the file itself; the warning page sends a reader on.
    owner = people("wang.li")
    assert f'href="/customers/{customer}"' in owner.get("/customers/").get_data(as_text=True)
    assert owner.get(f"/customers/{customer}/closed").location.endswith(
        f"/customers/{customer}")


def test_the_break_glass_page_shows_its_review(app, svc, people, customer):
    url = f"/customers/{customer}/break-glass"
    director = people("director")
    director.post(url, data={"reason": "客戶投訴", "csrf_token": csrf_token(director, url)})
    request_id = requests.mine(svc.archive.snapshot(), "director")[0]["id"]
    page = director.get(f"/access/{request_id}").get_data(as_text=True)
    assert "waits for approval after the fact, until" in page
    manager = people("lee.mgr")
    assert request_id in manager.get("/").get_data(as_text=True)  # the manager's queue
    assert sign(manager, request_id, comment="同意").status_code == 302
    assert sign(people("gm"), request_id).status_code == 302
    assert "was approved after the fact" in director.get(f"/access/{request_id}").get_data(
        as_text=True)
    # A late one: made two weeks ago and never approved.
    past = datetime.now(UTC) - timedelta(days=14)
    late = requests.break_glass(svc.archive, "gm", customer, "週末緊急", past)
    page = people("gm").get(f"/access/{late}").get_data(as_text=True)
    assert "was not approved: it counts as a read without approval" in page
