"""R31's list of important customers short of contacts, and R32's hand-over steps, through
the web layer on a real archive. "Today" is injected through the app's TODAY."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from intranet.records.schema import new_item, new_record

from .conftest import sign_in

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


def client_for(app, username):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def today(app, web):
    app.config["TODAY"] = TODAY
    return TODAY


def text(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:1500]
    return response.get_data(as_text=True)


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
    }


def test_managers_see_important_customers_short_of_contacts(app, important):
    page = text(client_for(app, "lee.mgr"), "/discipline/two-contacts")
    assert important["alone"] in page and "Fewer than 2 staff" in page
    assert important["quiet"] in page and "No recent report:" in page
    assert "2025-11-20" in page  # chen.yu's last report, older than 90 days
    for key in ("fine", "plain", "other", "dept"):
        assert important[key] not in page  # enough contacts / not important / other department
    assert "拜訪" not in page  # no contact report's contents
    # The director's scope is every department, but personal files are not theirs to read:
    # they are counted, not named. A department-level file is listed.
    everyone = text(client_for(app, "director"), "/discipline/two-contacts")
    assert important["alone"] not in everyone and "孤單客戶" not in everyone
    assert "3 more files in your scope" in everyone
    assert important["dept"] in everyone and important["other"] not in everyone
    assert important["other"] in text(client_for(app, "other.mgr"), "/discipline/two-contacts")
    # The link sits in the nav and on the late-updates page.
    assert "/discipline/two-contacts" in text(client_for(app, "lee.mgr"), "/discipline")


def test_salespeople_and_hr_do_not_see_the_two_contacts_list(app, important):
    for username in ("wang.li", "lin.sales2", "hr.chen"):
        client = client_for(app, username)
        text(client, "/discipline/two-contacts", 403)
        assert "/discipline/two-contacts" not in text(client, "/")


def test_the_report_period_is_policy_data(app, svc, important):
    from intranet.records.organisation import save_policy
    from intranet.records.policy import Policy

    from .conftest import SYSTEM

    data = Policy().data
    data["two_contacts"]["report_days"] = 200  # chen.yu's November report is recent enough
    save_policy(svc.archive, Policy(data).dump().decode(), SYSTEM)
    page = text(client_for(app, "lee.mgr"), "/discipline/two-contacts")
    assert important["alone"] in page and important["quiet"] not in page
