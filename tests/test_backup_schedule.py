"""The backup schedule (R38) with a fake clock: month boundary, catch-up, weekly, retention,
two workers racing."""

from __future__ import annotations

import multiprocessing
import os
from datetime import timedelta
from pathlib import Path

import pytest

from intranet.backups import Backups, Schedule
from intranet.records.rulebook.policy import validate_policy
from intranet.records.trail.sealing import seal_and_remember

from .backup_support import TAIPEI, Clock, backup_app, bundles, set_backup_policy, taipei
from .conftest import SYSTEM

SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture
def clock():
    return Clock(taipei(11, 29, 0, 5))


@pytest.fixture
def office(tmp_path, clock):
    """The services of an app whose backups run on the fake clock."""
    app = backup_app(tmp_path, clock)
    svc = app.extensions["customer_archive"]
    yield svc
    svc.close()


def test_the_defaults_follow_the_policy_text_and_are_checked():
    schedule = Schedule.from_policy({"day": 1, "weekday": 7, "keep_monthly": 12,
                                     "keep_weekly": 8, "max_age_days": 8}, TAIPEI)
    assert schedule.monthly_slot(taipei(12, 1, 0, 10)) == taipei(12, 1)
    assert schedule.monthly_slot(taipei(11, 30, 23, 50)) == taipei(11, 1)
    assert schedule.monthly_slot(taipei(1, 1, 0, 0, year=2027)) == taipei(1, 1, year=2027)
    assert schedule.weekly_slot(taipei(12, 3, 10)) == taipei(11, 29)  # the Sunday before
    assert schedule.next_slot(taipei(12, 3, 10)) == (taipei(12, 6), "weekly")
    assert schedule.next_slot(taipei(11, 30, 1)) == (taipei(12, 1), "monthly")
    assert validate_policy({}) == []
    bad = {e.path for e in validate_policy({"backups": {"day": 29, "weekday": 8}})}
    assert bad == {"backups.day", "backups.weekday"}
    # The banner threshold must cover the longest gap between scheduled backups.
    short = validate_policy({"backups": {"weekday": 0, "max_age_days": 8}})
    assert [e.path for e in short] == ["backups.max_age_days"]
    assert short[0].params == {"days": 32}
    assert validate_policy({"backups": {"weekday": 0, "max_age_days": 32}}) == []
    monthly_only = Schedule(15, 0, 12, 0, 32, TAIPEI)
    assert monthly_only.weekly_slot(taipei(12, 3)) is None
    assert monthly_only.newest_slot(taipei(12, 3)) == (taipei(11, 15), "monthly")
    assert monthly_only.next_slot(taipei(12, 20)) == (taipei(1, 15, year=2027), "monthly")


def test_across_a_month_boundary_the_monthly_backup_is_made_once(office, clock):
    backups = office.backups
    first = backups.check()  # the first check on a new install backs up at once
    assert first is not None and first.verified and first.kind == "monthly"
    clock.now = taipei(11, 30, 23, 50)
    assert backups.due() is None and backups.check() is None
    clock.now = taipei(12, 1, 0, 10)
    made = backups.check()
    assert made is not None and made.verified and made.kind == "monthly", made
    assert made.head == office.archive.head()
    assert Path(made.path).name == "archive-2026-12-01T0010-monthly.bundle"
    clock.now = taipei(12, 1, 15, 0)
    assert backups.check() is None
    assert [e.kind for e in backups.catalogue.all()] == ["monthly", "monthly"]
    assert bundles(backups.folder) == ["archive-2026-11-29T0005-monthly.bundle",
                                       "archive-2026-12-01T0010-monthly.bundle"]


def test_a_server_down_on_the_first_catches_up_once(office, clock):
    backups = office.backups
    assert backups.check() is not None  # 29 November
    clock.now = taipei(12, 3, 9, 0)  # off from the 30th to the 3rd
    made = backups.check()
    assert made is not None and made.kind == "monthly" and made.verified
    clock.now += timedelta(minutes=10)
    assert backups.check() is None
    clock.now = taipei(12, 6, 0, 10)  # Sunday: the weekly slot
    weekly = backups.check()
    assert weekly is not None and weekly.kind == "weekly" and weekly.verified
    assert backups.check() is None


def test_weeks_missed_give_one_backup_not_one_per_week(office, clock):
    backups = office.backups
    assert backups.check() is not None
    clock.now = taipei(12, 22, 8, 0)  # three weekly slots and the monthly one missed
    made = backups.check()
    assert made is not None and made.kind == "monthly"  # December had none yet
    assert backups.check() is None
    assert len(backups.catalogue.all()) == 2


def test_a_failed_backup_is_retried_later_not_at_every_check(office, clock):
    backups = office.backups
    backups.folder.rmdir()
    failed = backups.check()
    assert failed is not None and not failed.verified
    assert "does not exist" in failed.problem.describe()
    clock.now += timedelta(minutes=10)
    assert backups.check() is None  # BACKUP_RETRY_SECONDS: an hour
    backups.folder.mkdir()
    clock.now += timedelta(hours=1)
    assert backups.check().verified
    assert [e.verified for e in backups.catalogue.all()] == [True, False]


def test_retention_keeps_the_policys_monthly_and_weekly_backups_and_every_manual_one(
        office, clock):
    backups = office.backups
    set_backup_policy(office.archive, keep_monthly=2, keep_weekly=1)
    manual = backups.make("manual")
    assert manual.verified
    made = []
    # Slots from 29 November to 10 January: monthly on the 1st, weekly on Sundays.
    for moment in (taipei(11, 29, 0, 5), taipei(12, 1, 0, 5), taipei(12, 6, 0, 5),
                   taipei(12, 13, 0, 5), taipei(1, 1, 0, 5, year=2027),
                   taipei(1, 3, 0, 5, year=2027)):
        clock.now = moment
        entry = backups.check()
        assert entry is not None and entry.verified, (moment, entry)
        made.append(entry)
    assert [e.kind for e in made] == ["monthly", "monthly", "weekly", "weekly", "monthly",
                                      "weekly"]
    left = set(bundles(backups.folder))
    # Two newest monthly (December, January), the newest weekly, and the manual one.
    assert left == {Path(made[1].path).name, Path(made[4].path).name,
                    Path(made[5].path).name, manual.name}
    rows = {e.id: e for e in backups.catalogue.all()}
    assert len(rows) == 7  # pruned rows stay, marked removed
    assert {e.id for e in rows.values() if e.removed} == {made[0].id, made[2].id, made[3].id}


def test_an_attempt_cut_short_is_closed_and_its_partial_file_removed(office, clock):
    backups = office.backups
    dead = backups.catalogue.start("monthly", clock.now - timedelta(hours=7))
    leftover = backups.folder / ".archive-2026-11-28T1705-monthly.bundle.999.partial"
    leftover.write_bytes(b"half")
    old = clock.now.timestamp() - 7 * 3600
    os.utime(leftover, (old, old))
    made = backups.check()
    assert made is not None and made.verified
    assert "interrupted" in backups.catalogue.get(dead).problem.describe()
    assert not leftover.exists() and bundles(backups.folder) == [made.name]


def _race(root: str, start, results) -> None:
    """One worker: wait for the signal, then run the scheduled check at the same fake time."""
    from intranet.archive.repository import Archive

    archive = Archive(Path(root) / "archive.git", committer=SYSTEM)
    journal = Path(root) / "instance" / "audit.jsonl"
    backups = Backups(archive, Path(root) / "backups", Path(root) / "instance" /
                      "backups.sqlite3", journal=journal,
                      seal=lambda: seal_and_remember(archive, journal, SYSTEM),
                      clock=lambda: taipei(12, 1, 0, 10))
    start.wait()
    entry = backups.check()
    results.put(entry.id if entry else None)
    archive.close()


def test_two_workers_racing_make_one_backup(office, tmp_path):
    office.backups.catalogue.all()  # the catalogue exists before the race
    start, results = SPAWN.Event(), SPAWN.Queue()
    workers = [SPAWN.Process(target=_race, args=(str(tmp_path), start, results))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert outcomes.count(None) == 1  # one made it; the other found it locked or done
    rows = office.backups.catalogue.all()
    assert len(rows) == 1 and rows[0].verified and rows[0].kind == "monthly"
    assert bundles(office.backups.folder) == ["archive-2026-12-01T0010-monthly.bundle"]
