"""R35: a refusal is an attempt, listed for HR without a fine; the list warns before it."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from intranet.records.rulebook.zone import month_of
from intranet.records.trail.reports import load_entries

from .test_customers import sample
from .test_sharing import machine


def test_the_list_warns_and_a_refusal_is_an_attempt_without_a_fine(app, svc, web):
    customer = svc.files.create(sample(), "wang.li")[0]
    chen = machine(app, "chen.yu", "10.0.0.8")
    listing = chen.get("/customers/").get_data(as_text=True)
    assert f'href="/customers/{customer}/closed"' in listing
    assert f'href="/customers/{customer}"' not in listing
    warning = chen.get(f"/customers/{customer}/closed")
    assert warning.status_code == 200 and f"/customers/{customer}/request" in warning.text
    journal = Path(app.config["AUDIT_JOURNAL"])
    assert [e for e in load_entries(journal) if e["user"] == "chen.yu"] == []
    # Opening it anyway is refused and journalled: an attempt, not a fine.
    assert chen.get(f"/customers/{customer}").status_code == 403
    entries = load_entries(journal)
    assert [(e["user"], e["allowed"]) for e in entries] == [("chen.yu", False)]
    month = month_of(entries[-1]["at"], ZoneInfo("Asia/Taipei"))
    hr = machine(app, "hr.chen", "10.0.0.50")
    person = hr.get(f"/hr/chen.yu?month={month}").get_data(as_text=True)
    assert 'id="attempts"' in person and customer in person
    csv = hr.get(f"/hr/export.csv?month={month}").get_data(as_text=True)
    row = next(line.split(",") for line in csv.splitlines() if ",chen.yu," in line)
    assert row[3] == "1" and row[-2] == "0"


def test_a_break_glass_read_never_approved_is_fined_in_hrs_month(app, svc, web):
    """R35: the emergency read happened; with no approval by its deadline it costs 50."""
    from datetime import UTC, datetime

    from intranet.records.rights import requests

    customer = svc.files.create(sample(), "wang.li")[0]
    read_at = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday in Taipei
    request_id = requests.break_glass(svc.archive, "director", customer, "客戶來電緊急", read_at)
    hr = machine(app, "hr.chen", "10.0.0.50")
    person = hr.get("/hr/director?month=2026-11").get_data(as_text=True)
    assert 'id="unapproved"' in person and request_id in person
    csv = hr.get("/hr/export.csv?month=2026-11").get_data(as_text=True)
    header, *rows = [line.split(",") for line in csv.splitlines()]
    row = next(r for r in rows if "director" in r)
    assert len(row) == len(header)
    assert row[5] == "1" and float(row[10]) == 50  # unapproved reads, fines
    # Another month holds nothing of it.
    october = hr.get("/hr/export.csv?month=2026-10").get_data(as_text=True)
    assert "director" not in october
