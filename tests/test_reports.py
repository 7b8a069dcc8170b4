"""HR's monthly reports over the audit journal (R20, R35): counts, shared accounts, fines."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from intranet.records.journal import Journal
from intranet.records.organisation import save_policy
from intranet.records.policy import Policy, dump_policy
from intranet.records.reports import (
    load_entries,
    month_report,
    person_history,
    person_month,
    shared_account_incidents,
    total_fines,
)
from intranet.records.rules import load_rules

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


def test_counts_per_person_and_month(tmp_path):
    entries = build(tmp_path)
    policy = Policy()
    march = {r.username: r for r in month_report(entries, "2026-03", policy)}
    assert sorted(march) == ["chen.yu", "wang.li"]
    wang = march["wang.li"]
    assert len(wang.refusals) == 2 and len(wang.break_glass) == 1 and len(wang.incidents) == 1
    assert wang.incidents[0].addresses == ("10.0.0.1", "10.0.0.2")
    assert wang.fines == 2 * 50 + 50 and wang.currency == "CNY"
    chen = march["chen.yu"]
    assert (len(chen.refusals), len(chen.break_glass), len(chen.incidents), chen.fines) == \
        (0, 0, 0, 0)
    april = month_report(entries, "2026-04", policy)
    assert [(r.username, len(r.refusals), r.fines) for r in april] == [("wang.li", 1, 50)]
    assert month_report(entries, "2026-02", policy) == []
    assert total_fines(march.values()) == 150


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
    before = person_month(entries, "wang.li", "2026-03",
                          load_rules(archive.snapshot()).policy)
    assert before.fines == 150
    # A copy: the loaded rules are cached and shared.
    data = copy.deepcopy(load_rules(archive.snapshot()).policy.data)
    data["fines"].update(unapproved_view=100, shared_account=7, currency="TWD")
    data["shared_account_window_minutes"] = 5
    assert save_policy(archive, dump_policy(data).decode(), SYSTEM)
    policy = load_rules(archive.snapshot()).policy
    after = person_month(entries, "wang.li", "2026-03", policy)
    # A 5-minute gap splits 10.0.0.1's entries, so 10.0.0.2's lone entry overlaps nothing.
    assert (after.fines, after.currency, len(after.incidents)) == (200, "TWD", 0)
    data["shared_account_window_minutes"] = 30
    save_policy(archive, dump_policy(data).decode(), SYSTEM)
    again = person_month(entries, "wang.li", "2026-03", load_rules(archive.snapshot()).policy)
    assert again.fines == 2 * 100 + 7


def test_person_history_is_own_reads_newest_first(tmp_path):
    entries = build(tmp_path)
    mine = person_history(entries, "chen.yu")
    assert [r.at.hour for r in mine] == [11, 11, 9, 9]
    assert [r.basis for r in mine][:1] == ["grant:R0002"]
    assert {r.customer for r in person_history(entries, "wang.li")} == {"C000001", "C000002"}
    assert person_history(entries, "nobody") == []


def test_a_missing_journal_has_no_entries(tmp_path):
    assert load_entries(tmp_path / "none.jsonl") == []
