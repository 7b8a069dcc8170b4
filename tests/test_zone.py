"""One company time zone (policy key ``timezone``) for every date, month and deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from intranet.index import discipline as listing
from intranet.records.rulebook import zone
from intranet.records.trail.journal import Journal
from intranet.web import clock

from .test_liable import set_policy
from .test_web_discipline import client_for, make, text

TAIPEI = ZoneInfo("Asia/Taipei")


def test_helpers_cut_days_and_months_in_the_zone():
    assert zone.local_date("2026-11-30T17:00:00.000Z", TAIPEI) == date(2026, 12, 1)
    assert zone.month_of("2026-11-30T17:00:00.000Z", TAIPEI) == "2026-12"
    assert zone.month_of("2026-11-30T17:00:00.000Z", ZoneInfo("UTC")) == "2026-11"
    assert zone.local_date("2026-01-05T20:00:00-05:00", TAIPEI) == date(2026, 1, 6)
    assert zone.local_date("not a time", TAIPEI) is None and zone.month_of("", TAIPEI) == ""
    assert zone.today(TAIPEI, now=datetime(2026, 11, 30, 17, tzinfo=UTC)) == date(2026, 12, 1)
    assert zone.today(TAIPEI, "2026-03-31") == date(2026, 3, 31)
    assert zone.is_zone("Asia/Taipei") and not zone.is_zone("Asia/Nowhere")
    assert not zone.is_zone("../etc/passwd") and not zone.is_zone(8)
    assert zone.zone_name({"timezone": "Asia/Nowhere"}) == zone.DEFAULT_ZONE


def test_the_policy_decides_today_and_the_times_shown(app, svc, web):
    app.config["TODAY"] = None
    with app.test_request_context():
        assert clock.company_zone().key == "Asia/Taipei"
    # An entry just before midnight UTC on 30 November is 1 December in Taipei.
    moment = datetime(2026, 11, 30, 17, tzinfo=UTC)
    Journal(Path(app.config["AUDIT_JOURNAL"]), lambda: moment).record(
        user="chen.yu", customer="C000009", action="view", allowed=False, basis="none",
        route="customers.show", address="10.0.0.9")
    hr = client_for(app, "hr.chen")
    december = text(hr, "/hr/chen.yu?month=2026-12")
    assert "C000009" in december and "12/1/26" in december
    assert "C000009" not in text(hr, "/hr/chen.yu?month=2026-11")
    set_policy(svc.archive, timezone="UTC")
    with app.test_request_context():
        assert clock.company_zone().key == "UTC"
    november = text(hr, "/hr/chen.yu?month=2026-11")
    assert "C000009" in november and "11/30/26" in november
    # TODAY still fixes the date (tests, demos); the default month follows it.
    app.config["TODAY"] = "2026-03-31"
    with app.test_request_context():
        assert clock.today() == date(2026, 3, 31)
    assert "2026-03" in text(hr, "/hr/")


def test_neglected_files_count_days_in_the_company_zone(app, svc, web):
    evening = datetime(2026, 1, 5, 20, tzinfo=timezone(timedelta(hours=-5)))
    customer = make(svc, when=evening)
    today = date(2026, 3, 1)
    taipei = {r["customer"]: r for r in listing.neglect_runs(svc.index, today, 30,
                                                             zone=TAIPEI)}
    assert taipei[customer]["last_change"] == date(2026, 1, 6)
    author = {r["customer"]: r for r in listing.neglect_runs(svc.index, today, 30)}
    assert author[customer]["last_change"] == date(2026, 1, 5)
