"""R31's list of important customers short of contacts, and R32's hand-over steps, through
the web layer on a real archive. "Today" is injected through the app's TODAY."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from intranet.actions import ActionError, Forbidden
from intranet.actions.handover_steps import record_customer_told
from intranet.index import followups
from intranet.index.holdings import held_by
from intranet.records.conduct import departures, handover
from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_item, new_record
from intranet.records.rights.access import Actor
from intranet.records.rulebook.policy import Policy
from intranet.records.rulebook.rules import load_rules

from .conftest import csrf_token, git
from .test_web_discipline import client_for, text

TAIPEI = timezone(timedelta(hours=8))
TODAY = "2026-03-31"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=TAIPEI)


def contact(day: str, staff: str) -> dict:
    return {**new_item("contacts"), "date": day, "channel": "visit", "staff": staff,
            "summary": "拜訪", "recorded_on": day}


def make(svc, owner="wang.li", department="sales", contacts=(), staff=(), name=None,
         **fields) -> str:
    values = {"basic.name": name or f"{owner}的客戶", "basic.phone": "(07)8765-4321",
              "basic.address": "高雄市", "classification.region": "南區",
              "custody.owner": owner, "custody.department": department, **fields}
    record = new_record("distributor", **values)
    record["custody"]["contacts"] = list(staff)
    record["contacts"] = list(contacts)
    return svc.files.create(record, owner, when=at("2026-01-05"))[0]


@pytest.fixture
def today(app, web):
    app.config["TODAY"] = TODAY
    return TODAY


# -- R31: two contacts ------------------------------------------------------------------------


@pytest.fixture
def important(svc, today):
    """Sales: a grade-A file with one contact (too few), a VIP file whose second contact filed
    nothing within 90 days, a grade-B file where both reported lately (fine), a grade-C file
    with one contact (not important). Sales2: a grade-B file with one contact."""
    return {
        "alone": make(svc, grade="A", stage="active", name="孤單客戶",
                      contacts=[contact("2026-03-20", "wang.li")]),
        "quiet": make(svc, vip=True, grade="C", stage="active", staff=["chen.yu"],
                      name="沉默客戶", contacts=[contact("2026-03-01", "wang.li"),
                                              contact("2025-11-20", "chen.yu")]),
        "fine": make(svc, grade="B", stage="active", staff=["chen.yu"], name="照顧周到",
                     contacts=[contact("2026-03-01", "wang.li"),
                               contact("2026-02-01", "chen.yu")]),
        "plain": make(svc, grade="C", stage="active", name="普通客戶"),
        "other": make(svc, owner="lin.sales2", department="sales2", grade="B",
                      stage="active", name="二部客戶"),
        "dept": make(svc, owner="lin.sales2", department="sales2", grade="A",
                     stage="active", name="二部重點", **{"custody.level": "department"}),
        "promising": make(svc, grade="C", stage="prospect", name="明日之星", sales_power={
            "scores": {c["key"]: 5 for c in Policy().sales_power_criteria},
            "assessed_on": "2026-03-01", "assessed_by": "wang.li", "notes": ""}),
    }


def test_managers_see_important_customers_short_of_contacts(app, important):
    page = text(client_for(app, "lee.mgr"), "/discipline/two-contacts")
    assert important["alone"] in page and "Fewer than 2 staff" in page
    assert important["quiet"] in page and "No recent report:" in page
    assert "2025-11-20" in page  # chen.yu's last report, older than 90 days
    assert important["promising"] in page and "Promising prospect" in page  # scores 100
    for key in ("fine", "plain", "other", "dept"):
        assert important[key] not in page  # enough contacts / not important / other department
    assert "拜訪" not in page  # no contact report's contents
    # The director's scope is every department, but personal and department-level files are
    # not theirs to read (R33): they are counted, not named.
    everyone = text(client_for(app, "director"), "/discipline/two-contacts")
    assert important["alone"] not in everyone and "孤單客戶" not in everyone
    assert "5 more files in your scope" in everyone
    assert important["dept"] not in everyone and important["other"] not in everyone
    sales2 = text(client_for(app, "other.mgr"), "/discipline/two-contacts")
    assert important["other"] in sales2 and important["dept"] in sales2
    assert important["alone"] not in sales2 and "孤單客戶" not in sales2  # not their department
    assert "more files in your scope" not in sales2  # nor counted
    # The link sits in the nav and on the late-updates page.
    assert "/discipline/two-contacts" in text(client_for(app, "lee.mgr"), "/discipline")


def test_salespeople_and_hr_do_not_see_the_two_contacts_list(app, important):
    for username in ("wang.li", "lin.sales2", "hr.chen"):
        client = client_for(app, username)
        text(client, "/discipline/two-contacts", 403)
        assert "/discipline/two-contacts" not in text(client, "/")


def test_the_report_period_is_policy_data(app, svc, important):
    from intranet.records.rulebook.organisation import save_policy
    from intranet.records.rulebook.policy import Policy

    from .conftest import SYSTEM

    data = Policy().data
    data["two_contacts"]["report_days"] = 200  # chen.yu's November report is recent enough
    save_policy(svc.archive, Policy(data).dump().decode(), SYSTEM)
    page = text(client_for(app, "lee.mgr"), "/discipline/two-contacts")
    assert important["alone"] in page and important["quiet"] not in page


# -- R32: hand-over steps ---------------------------------------------------------------------


HANDED = date(2026, 11, 20)


def hand_over(svc, leaver="wang.li"):
    """Hand a leaver's files to the proposed receivers (lee.mgr for sales) on HANDED."""
    snapshot = svc.archive.snapshot()
    held = [r["id"] for r in held_by(svc.index, leaver)]
    plan = handover.plan(snapshot, leaver, held)
    return handover.execute(svc.archive, leaver, {h.id: h.proposed for h in plan.holdings},
                            plan.base, held, HANDED.isoformat(), HANDED,
                            load_rules(snapshot).identity("director"))


@pytest.fixture
def handed(app, web, svc):
    """wang.li kept two files (one with a contact report) and left on Nov 20; lee.mgr took
    them over. chen.yu is a contact of one of them."""
    ids = {"first": make(svc, staff=["chen.yu"], name="東方貿易",
                         contacts=[contact("2026-11-02", "wang.li")]),
           "second": make(svc, name="南方企業")}
    hand_over(svc)
    return ids


def actor_of(svc, username):
    member = load_rules(svc.archive.snapshot()).directory.member(username)
    return Actor(username, member["role"], member["department"])


def test_hand_over_steps_are_indexed_and_the_first_contact_is_derived(svc, handed):
    rows = followups.handover_steps(svc.index)
    assert sorted((r["customer"], r["successor"], r["leaver"], r["handed_on"], r["told_on"],
                   r["first_contact"]) for r in rows) == [
        (handed["first"], "lee.mgr", "wang.li", "2026-11-20", "", ""),
        (handed["second"], "lee.mgr", "wang.li", "2026-11-20", "", "")]
    policy = Policy()
    # Due: told within 7 days, first contact within 14 (departures.*).
    assert departures.overdue_steps(rows, policy, date(2026, 11, 27)) == []
    assert [r["late"] for r in departures.overdue_steps(rows, policy, date(2026, 11, 28))] \
        == [["notify"], ["notify"]]
    assert {tuple(r["late"]) for r in departures.overdue_steps(
        rows, policy, date(2026, 12, 5))} == {("notify", "first_contact")}
    # The leaver's report of Nov 2 is no first contact; the successor's of Nov 25 is.
    entry = contact("2026-11-25", "lee.mgr")
    svc.files.amend(handed["first"], lambda r, _s: {**r, "contacts": [*r["contacts"], entry]},
                    "lee.mgr")
    first = [r for r in followups.handover_steps(svc.index, open_only=False)
             if r["customer"] == handed["first"]]
    assert first[0]["first_contact"] == "2026-11-25"


def test_the_successor_or_a_manager_records_that_the_customer_was_told(svc, handed):
    customer, today = handed["first"], date(2026, 11, 24)
    position = followups.handover_steps(svc.index)[0]["position"]
    head = svc.archive.head()
    for username in ("chen.yu", "hr.chen", "other.mgr", "wang.li"):
        with pytest.raises(Forbidden):
            record_customer_told(svc.files, actor_of(svc, username), customer, position,
                                 date(2026, 11, 22), today)
    assert svc.archive.head() == head  # nothing written
    with pytest.raises(ActionError):  # after today
        record_customer_told(svc.files, actor_of(svc, "lee.mgr"), customer, position,
                             date(2026, 11, 25), today)
    with pytest.raises(ActionError):  # before the hand-over
        record_customer_told(svc.files, actor_of(svc, "lee.mgr"), customer, position,
                             date(2026, 11, 19), today)
    commit = record_customer_told(svc.files, actor_of(svc, "lee.mgr"), customer, position,
                                  date(2026, 11, 22), today, told_by="chen.yu")
    assert git(svc.archive.path, "log", "-1", "--format=%an", commit).strip() == "李經理"
    raw = svc.archive.snapshot().get(customer_path(customer)).decode()
    assert "told_on: '2026-11-22'" in raw or "told_on: 2026-11-22" in raw
    assert "told_by: chen.yu" in raw
    row = next(r for r in followups.handover_steps(svc.index, open_only=False)
           if r["customer"] == customer)
    assert (row["told_on"], row["told_by"]) == ("2026-11-22", "chen.yu")
    with pytest.raises(ActionError):  # once only
        record_customer_told(svc.files, actor_of(svc, "vp"), customer, position,
                             date(2026, 11, 23), today)


def test_overdue_steps_reach_the_managers_manager_and_hr(app, svc, handed):
    app.config["TODAY"] = "2026-11-30"  # told by Nov 27: overdue
    vp = text(client_for(app, "vp"), "/")
    assert "Overdue hand-over steps in your charge" in vp and handed["second"] in vp
    assert "Customer not told" in vp
    successor = text(client_for(app, "lee.mgr"), "/")
    assert "Customers handed over to me" in successor and handed["first"] in successor
    assert "handover-steps-title" not in text(client_for(app, "chen.yu"), "/")
    hr = client_for(app, "hr.chen")
    page = text(hr, "/hr/departures")
    assert handed["first"] in page and "Overdue since 2026-11-27" in page
    assert "wang.li" in page and "拜訪" not in page and "(07)8765-4321" not in page
    text(client_for(app, "chen.yu"), "/hr/departures", 403)


def test_the_told_form_posts_through_the_action(app, svc, handed):
    app.config["TODAY"] = "2026-11-30"
    position = followups.handover_steps(svc.index)[0]["position"]
    customer = followups.handover_steps(svc.index)[0]["customer"]
    url = f"/handover-steps/{customer}/{position}/told"
    chen = client_for(app, "chen.yu")
    head = svc.archive.head()
    refused = chen.post(url, data={"told_on": "2026-11-29",
                                   "csrf_token": csrf_token(chen, "/me/reads")})
    assert refused.status_code == 403 and svc.archive.head() == head
    lee = client_for(app, "lee.mgr")
    done = lee.post(url, data={"told_on": "2026-11-29", "csrf_token": csrf_token(lee, "/")})
    assert done.status_code == 302 and svc.archive.head() != head
    assert "Customer told 2026-11-29" in text(lee, "/")
    assert "Customer told on 2026-11-29 by" in text(lee, f"/customers/{customer}")


def test_hr_sees_a_leavers_reads_of_the_last_weeks_without_contents(app, svc, handed):
    app.config["TODAY"] = "2026-11-30"
    for stamp, customer, action in (("2026-10-01T02:00:00", "C000111", "view"),  # too early
                                    ("2026-10-24T02:00:00", handed["first"], "view"),
                                    ("2026-11-19T03:00:00", handed["second"], "export")):
        svc.journal.clock = lambda s=stamp: datetime.fromisoformat(s).replace(tzinfo=UTC)
        svc.journal.record(user="wang.li", customer=customer, action=action, allowed=True,
                           basis="own", route="customers.show", address="10.0.0.9")
    svc.journal.record(user="wang.li", customer="C000222", action="view", allowed=False,
                       basis="none", route="customers.show", address="10.0.0.9")
    hr = client_for(app, "hr.chen")
    page = text(hr, "/hr/departures/wang.li")
    assert handed["first"] in page and handed["second"] in page and "export" in page
    assert "東方貿易" in page  # the catalogue name
    assert "C000111" not in page and "C000222" not in page  # before the weeks; a refusal
    assert "拜訪" not in page and "(07)8765-4321" not in page and "高雄市" not in page
    assert "2026-10-23" in page  # the first watched day: 28 days before Nov 20
    text(hr, "/hr/departures/chen.yu", 404)  # has not left
    text(client_for(app, "lee.mgr"), "/hr/departures/wang.li", 403)
