"""Who a late-update fine falls on (R20): the contact who recorded late, the file's
salesperson; a manager holding files after a hand-over is listed with "no fine". Real archive,
real index, real hand-over commit; "today" injected."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from intranet.index import discipline as listing
from intranet.index.holdings import held_by
from intranet.records.conduct import handover
from intranet.records.rulebook.organisation import save_policy
from intranet.records.rulebook.policy import dump_policy
from intranet.records.rulebook.rules import load_rules
from intranet.web.hr.discipline_data import month_lists

from .conftest import SYSTEM
from .test_web_discipline import at, client_for, contact, make, text

TAIPEI = ZoneInfo("Asia/Taipei")


def set_policy(archive, **changes) -> None:
    data = copy.deepcopy(load_rules(archive.snapshot()).policy.data)
    for key, value in changes.items():
        if "." in key:
            section, name = key.split(".")
            data[section][name] = value
        else:
            data[key] = value
    assert save_policy(archive, dump_policy(data).decode(), SYSTEM)


def people(app, month: str, day: date) -> dict:
    with app.test_request_context():
        return {p.username: p for p in month_lists(month, None, day)}


def test_a_late_record_fines_the_contact_who_recorded_it(app, svc, web):
    make(svc, contacts=[contact("2026-03-02", "2026-03-05", "wang.li"),
                        contact("2026-03-03", "2026-03-09", "lee.mgr")], when=at("2026-03-10"))
    march = people(app, "2026-03", date(2026, 3, 31))
    wang, lee = march["wang.li"], march["lee.mgr"]
    assert (len(wang.late), wang.fined_late, wang.fines) == (1, 1, 20)
    # The manager's own late record is listed, not hidden, and not fined by default.
    assert (len(lee.late), lee.fined_late, lee.fines) == (1, 0, 0)
    assert lee.late[0]["no_fine"] == [{"reason": "role", "role": "department_manager"}]
    page = text(client_for(app, "hr.chen"), "/discipline?month=2026-03")
    assert "no fine: the policy does not fine the role" in page
    set_policy(svc.archive, late_update_roles=["salesperson", "department_manager"])
    assert people(app, "2026-03", date(2026, 3, 31))["lee.mgr"].fines == 20


def handed_over_day(app, svc) -> tuple[str, date]:
    """Hand wang.li's files to the manager lee.mgr; return the file and the hand-over day."""
    customer = make(svc, when=at("2026-01-05"))  # incomplete, wang.li's
    snapshot = svc.archive.snapshot()
    candidates = [r["id"] for r in held_by(svc.index, "wang.li")]
    plan = handover.plan(snapshot, "wang.li", candidates)
    assert [h.id for h in plan.holdings] == [customer]
    handover.execute(svc.archive, "wang.li", {customer: "lee.mgr"}, plan.base, candidates,
                     "2026-01-31", date(2026, 2, 1),
                     load_rules(svc.archive.snapshot()).identity("director"))
    days = listing.handovers(svc.index, TAIPEI)
    assert list(days) == [customer] and len(days[customer]) == 1
    return customer, days[customer][0]


def months_between(first: date, last: date) -> list[str]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def neglect_of(app, username: str, first: date, today: date) -> tuple[list, list, list]:
    """Return (due, fined, reasons) of a person's neglected files over the months."""
    due, fined, reasons = [], [], []
    for month in months_between(first, today):
        person = people(app, month, today).get(username)
        for row in person.neglected if person else []:
            due += row["due"]
            fined += row["fined"]
            reasons += [r for r in row["no_fine"] if r not in reasons]
    return due, fined, reasons


def test_a_neglected_file_fines_its_salesperson_not_the_manager_after_a_hand_over(
        app, svc, web):
    set_policy(svc.archive, **{"deadlines.incomplete_file_days": 5})
    own = make(svc, owner="chen.yu", when=at("2026-01-05"))
    _customer, handed = handed_over_day(app, svc)
    today = handed + timedelta(days=40)
    # The salesperson's own neglected file: every due period is fined.
    due, fined, reasons = neglect_of(app, "chen.yu", date(2026, 1, 1), today)
    assert due and fined == due and reasons == []
    # The manager who received wang.li's file: nothing fined, each reason shown.
    due, fined, reasons = neglect_of(app, "lee.mgr", handed, today)
    grace_end = handed + timedelta(days=30)
    assert [d for d in due if d <= grace_end] and [d for d in due if d > grace_end]
    assert fined == []
    assert reasons == [{"reason": "grace", "until": grace_end, "role": "department_manager"},
                       {"reason": "role", "role": "department_manager"}]
    app.config["TODAY"] = today.isoformat()
    hr = client_for(app, "hr.chen")
    page = text(hr, f"/discipline?month={grace_end.strftime('%Y-%m')}")
    assert "no fine: Department manager holding after a hand-over, grace until " \
        f"{grace_end.isoformat()}" in page
    # The manager's own home page says the same: nothing fined, and why.
    home = text(client_for(app, "lee.mgr"), "/")
    assert "0 fines" in home and "no fine: Department manager holding after a hand-over" in home
    assert "no fine: the policy does not fine the role Department manager" in home
    # When the policy fines managers too, the days after the grace are fined, not those in it.
    set_policy(svc.archive, late_update_roles=["salesperson", "department_manager"])
    due, fined, reasons = neglect_of(app, "lee.mgr", handed, today)
    assert fined == [d for d in due if d > grace_end] and fined
    assert reasons == [{"reason": "grace", "until": grace_end, "role": "department_manager"}]
    # A salesperson who receives a file in a hand-over has the same grace.
    assert own and load_rules(svc.archive.snapshot()).policy.data["handover_grace_days"] == 30


def test_the_grace_period_is_policy_data(app, svc, web):
    set_policy(svc.archive, **{"deadlines.incomplete_file_days": 5}, handover_grace_days=0,
               late_update_roles=["salesperson", "department_manager"])
    _customer, handed = handed_over_day(app, svc)
    due, fined, reasons = neglect_of(app, "lee.mgr", handed, handed + timedelta(days=20))
    assert due and fined == due and reasons == []
