"""The credit figures every analysis shares: open receivables and overdue days (R24, R28)."""
from __future__ import annotations

from datetime import date

from intranet.records.sales.credit import overdue_days, receivable

TODAY = date(2026, 12, 7)


def test_overdue_days_count_from_the_oldest_due_date():
    record = {"receivables": {"amount": 120_000, "oldest_due": "2026-11-07"}}
    assert receivable(record) == 120_000.0
    assert overdue_days(record, TODAY) == 30
    assert overdue_days(record, date(2026, 11, 7)) == 0  # due today is not late yet


def test_nothing_owed_or_nothing_known_is_not_overdue():
    assert overdue_days({"receivables": {"amount": 0, "oldest_due": "2020-01-01"}}, TODAY) == 0
    assert overdue_days({"receivables": {"amount": 5, "oldest_due": ""}}, TODAY) == 0
    assert overdue_days({"receivables": {"amount": 5, "oldest_due": "2026-02-30"}}, TODAY) == 0
    assert overdue_days({}, TODAY) == 0 and receivable({"receivables": "junk"}) == 0
    assert receivable({"receivables": {"amount": True}}) == 0
