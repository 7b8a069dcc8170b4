"""HR's monthly reports over the audit journal (R35): attempts, fined reads and cases, months."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from intranet.records.rulebook.organisation import save_policy
from intranet.records.rulebook.policy import Policy, dump_policy, validate_policy
from intranet.records.rulebook.rules import load_rules
from intranet.records.rulebook.zone import company_zone
from intranet.records.trail.journal import Journal
from intranet.records.trail.reports import (
    load_entries,
    month_of,
    month_report,
    person_history,
    person_month,
    shared_account_incidents,
    total_fines,
)

from .conftest import SYSTEM


class Clock:
    """A clock the test sets before each entry."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def write(journal: Journal, clock: Clock, when: str, **fields) -> None:
    clock.now = datetime.fromisoformat(when).replace(tzinfo=UTC)
    base = {"user": "wang.li", "customer": "C000001", "action": "view", "allowed": True,
            "basis": "own", "route": "customers.show", "address": "10.0.0.1"}
    journal.record(**{**base, **fields})


def build(tmp_path) -> list[dict]:
    clock = Clock()
    journal = Journal(tmp_path / "audit.jsonl", clock)
    # wang.li in March: two refusals, one break-glass read, and two addresses that overlap.
    write(journal, clock, "2026-03-02T09:00:00", allowed=False, basis="none",
          customer="C000002")
    write(journal, clock, "2026-03-02T09:10:00", address="10.0.0.2")
    write(journal, clock, "2026-03-02T09:20:00")
    write(journal, clock, "2026-03-05T10:00:00", basis="break-glass:R0001")
    write(journal, clock, "2026-03-31T23:59:59", allowed=False, basis="none")
    # Just after the end of March in UTC (still 31 March nowhere that matters): April.
    write(journal, clock, "2026-04-01T00:00:00", allowed=False, basis="none")
    # chen.yu: two addresses, far apart in time: no incident.
    write(journal, clock, "2026-03-03T09:00:00", user="chen.yu", address="10.0.0.5")
    write(journal, clock, "2026-03-03T09:20:00", user="chen.yu", address="10.0.0.5")
    write(journal, clock, "2026-03-03T11:00:00", user="chen.yu", address="10.0.0.6")
    write(journal, clock, "2026-03-03T11:10:00", user="chen.yu", address="10.0.0.6",
          basis="grant:R0002")
    return load_entries(journal.path)


def unapproved(user: str, month: str, customer: str = "C000001") -> dict:
    """An unapproved read as the break-glass helper hands it over."""
    return {"user": user, "customer": customer, "request": "R0001",
            "read_at": f"{month}-05T10:00:00.000Z", "deadline": f"{month}-10", "month": month}


def case(user: str, start: str, decision: str = "confirmed") -> dict:
    return {"key": f"two_machines:{user}:{start}", "kind": "two_machines", "user": user,
            "start": start, "end": start, "addresses": ["10.0.0.1", "10.0.0.2"], "others": [],
            "decision": decision, "note": "n", "by": "hr.chen", "at": start}


def test_refusals_are_attempts_and_cost_nothing(tmp_path):
    entries = build(tmp_path)
    policy = Policy()
    march = {r.username: r for r in month_report(entries, "2026-03", policy)}
    assert sorted(march) == ["chen.yu", "wang.li"]
    wang = march["wang.li"]
    # 2026-03-31T23:59:59Z is already 1 April in Taipei: one attempt in March.
    assert len(wang.attempts) == 1 and wang.refusals == wang.attempts
    assert len(wang.break_glass) == 1
    assert [(s.kind, s.addresses) for s in wang.signals] == \
        [("two_machines", ("10.0.0.1", "10.0.0.2"))]
    assert wang.fines == 0 and wang.currency == "CNY"  # attempts and signs are not fined
    chen = march["chen.yu"]
    assert (len(chen.attempts), len(chen.break_glass), len(chen.signals), chen.fines) == \
        (0, 0, 0, 0)
    april = month_report(entries, "2026-04", policy)
    assert [(r.username, len(r.attempts), r.fines) for r in april] == [("wang.li", 2, 0)]
    assert month_report(entries, "2026-02", policy) == []
    assert total_fines(march.values()) == 0


def test_unapproved_reads_and_confirmed_cases_are_fined(tmp_path):
    entries = build(tmp_path)
    policy = Policy()
    reads = [unapproved("wang.li", "2026-03"), unapproved("wang.li", "2026-03", "C000002"),
             unapproved("wang.li", "2026-04"), unapproved("gm", "2026-03")]
    cases = [case("wang.li", "2026-03-02T09:10:00.000Z"),
             case("chen.yu", "2026-03-03T09:00:00.000Z", "dismissed"),
             case("wang.li", "2026-02-27T09:00:00.000Z")]  # another month
    march = {r.username: r for r in month_report(entries, "2026-03", policy, reads, cases)}
    # gm read without approval and has no journal entry this month: still listed and fined.
    assert sorted(march) == ["chen.yu", "gm", "wang.li"]
    wang = march["wang.li"]
    assert len(wang.unapproved) == 2 and len(wang.cases) == 1
    assert wang.fines == 2 * 50 + 50
    assert march["chen.yu"].fines == 0 and march["chen.yu"].cases == []  # dismissed
    assert march["gm"].fines == 50
    assert total_fines(march.values()) == 200


def test_months_are_cut_in_the_company_time_zone(tmp_path, archive):
    clock = Clock()
    journal = Journal(tmp_path / "audit.jsonl", clock)
    write(journal, clock, "2026-11-30T17:00:00", allowed=False, basis="none")
    entries = load_entries(journal.path)
    taipei = load_rules(archive.snapshot()).policy
    assert taipei.data["timezone"] == "Asia/Taipei"
    assert month_of(entries[0], company_zone(taipei)) == "2026-12"
    assert [r.username for r in month_report(entries, "2026-12", taipei)] == ["wang.li"]
    assert month_report(entries, "2026-11", taipei) == []
    data = copy.deepcopy(taipei.data)
    data["timezone"] = "UTC"
    assert save_policy(archive, dump_policy(data).decode(), SYSTEM)
    utc = load_rules(archive.snapshot()).policy
    assert [r.username for r in month_report(entries, "2026-11", utc)] == ["wang.li"]
    assert month_report(entries, "2026-12", utc) == []


def test_an_unknown_time_zone_is_refused_by_the_policy_check():
    errors = validate_policy({"timezone": "Mars/Olympus"})
    assert [e.path for e in errors] == ["timezone"]
    assert validate_policy({"timezone": "Europe/Berlin"}) == []
    assert [e.path for e in validate_policy({"late_update_roles": ["pirate"]})] == \
        ["late_update_roles"]
    assert [e.path for e in validate_policy({"handover_grace_days": -1})] == \
        ["handover_grace_days"]


def test_shared_account_windows_follow_the_gap():
    def entry(at, address):
        return {"user": "u", "at": at, "address": address}
    touching = [entry("2026-03-01T09:00:00.000Z", "a"), entry("2026-03-01T09:29:00.000Z", "a"),
                entry("2026-03-01T09:15:00.000Z", "b")]
    assert len(shared_account_incidents(touching, "u", 30)) == 1
    # With a 10-minute gap the first address has two windows, neither overlapping b's.
    assert shared_account_incidents(touching, "u", 10) == []
    apart = [entry("2026-03-01T09:00:00.000Z", "a"), entry("2026-03-01T09:05:00.000Z", "b")]
    assert shared_account_incidents(apart, "u", 30) == []  # one after the other, not at once
    assert shared_account_incidents(touching, "someone.else", 30) == []


def test_fines_follow_the_policy_in_the_archive(tmp_path, archive):
    entries = build(tmp_path)
    reads = [unapproved("wang.li", "2026-03")]
    cases = [case("wang.li", "2026-03-02T09:10:00.000Z")]
    before = person_month(entries, "wang.li", "2026-03",
                          load_rules(archive.snapshot()).policy, reads, cases)
    assert before.fines == 100
    # A copy: the loaded rules are cached and shared.
    data = copy.deepcopy(load_rules(archive.snapshot()).policy.data)
    data["fines"].update(unapproved_view=100, shared_account=7, currency="TWD")
    data["shared_account_window_minutes"] = 5
    assert save_policy(archive, dump_policy(data).decode(), SYSTEM)
    policy = load_rules(archive.snapshot()).policy
    after = person_month(entries, "wang.li", "2026-03", policy, reads, cases)
    # A 5-minute gap splits 10.0.0.1's entries, so 10.0.0.2's lone entry overlaps nothing;
    # HR's confirmed case stays fined.
    assert (after.fines, after.currency, len(after.signals)) == (107, "TWD", 0)


def test_person_history_is_own_reads_newest_first(tmp_path):
    entries = build(tmp_path)
    mine = person_history(entries, "chen.yu")
    assert [r.at.hour for r in mine] == [11, 11, 9, 9]
    assert [r.basis for r in mine][:1] == ["grant:R0002"]
    assert {r.customer for r in person_history(entries, "wang.li")} == {"C000001", "C000002"}
    assert person_history(entries, "nobody") == []


def test_a_missing_journal_has_no_entries(tmp_path):
    assert load_entries(tmp_path / "none.jsonl") == []
