"""When a scheduled backup is due (R38: 每月1日), and which bundles retention removes.

A slot opens at 00:00 company time on the policy's day of every month (``backups.day``) and on
its ISO weekday every week (``backups.weekday``, 0 for none). The newest open slot is due until
a scheduled backup made at or after it is verified: a server that was off on the 1st makes
that backup at its first check afterwards, once, however many slots it missed. A catch-up run
is the month's backup (kind ``monthly``) while that month has none. No Flask imports here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .catalogue import Entry


@dataclass(frozen=True)
class Schedule:
    """The policy's ``backups`` section and the company's time zone."""

    day: int
    weekday: int
    keep_monthly: int
    keep_weekly: int
    max_age_days: int
    zone: ZoneInfo

    @classmethod
    def from_policy(cls, section: dict[str, Any], zone: ZoneInfo) -> Schedule:
        """Build from ``Policy.backups`` (already checked and defaulted)."""
        return cls(int(section["day"]), int(section["weekday"]), int(section["keep_monthly"]),
                   int(section["keep_weekly"]), int(section["max_age_days"]), zone)

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0, 0), tzinfo=self.zone)

    def monthly_slot(self, now: datetime) -> datetime:
        """Return the newest monthly slot at or before ``now``."""
        local = now.astimezone(self.zone)
        slot = self._midnight(local.date().replace(day=self.day))
        if slot > now:
            first = local.date().replace(day=1) - timedelta(days=1)
            slot = self._midnight(first.replace(day=self.day))
        return slot

    def weekly_slot(self, now: datetime) -> datetime | None:
        """Return the newest weekly slot at or before ``now`` (None: no weekly backups)."""
        if not self.weekday:
            return None
        local = now.astimezone(self.zone).date()
        return self._midnight(local - timedelta(days=(local.isoweekday() - self.weekday) % 7))

    def newest_slot(self, now: datetime) -> tuple[datetime, str]:
        """Return the newest open slot and its kind (monthly wins a tie)."""
        monthly, weekly = self.monthly_slot(now), self.weekly_slot(now)
        if weekly is not None and weekly > monthly:
            return weekly, "weekly"
        return monthly, "monthly"

    def next_slot(self, now: datetime) -> tuple[datetime, str]:
        """Return the next slot after ``now`` and its kind."""
        local = now.astimezone(self.zone).date()
        month = local.replace(day=1)
        monthly = self._midnight(month.replace(day=self.day))
        if monthly <= now:
            following = (month + timedelta(days=32)).replace(day=1)
            monthly = self._midnight(following.replace(day=self.day))
        if self.weekday:
            ahead = (self.weekday - local.isoweekday()) % 7 or 7
            weekly = self._midnight(local + timedelta(days=ahead))
            if weekly < monthly:
                return weekly, "weekly"
        return monthly, "monthly"

    def due(self, now: datetime, attempts: list[Entry], retry_seconds: float) -> str | None:
        """Return the kind of backup due now, or None.

        ``attempts``: the scheduled attempts since the older of the two newest slots, newest
        first. A failed attempt is retried ``retry_seconds`` after it finished, not at every
        check, so a full disk does not fill the catalogue.
        """
        slot, _ = self.newest_slot(now)
        since_slot = [a for a in attempts if a.started >= slot]
        if any(a.verified for a in since_slot):
            return None
        failed = [a for a in since_slot if a.finished is not None]
        if failed and (now - max(a.finished for a in failed if a.finished)
                       ).total_seconds() < retry_seconds:
            return None
        month = self.monthly_slot(now)
        has_monthly = any(a.verified and a.kind == "monthly" and a.started >= month
                          for a in attempts)
        return "weekly" if has_monthly else "monthly"

    def is_stale(self, newest: datetime | None, now: datetime) -> bool:
        """Tell whether the newest verified backup is older than ``max_age_days``."""
        return newest is None or now - newest > timedelta(days=self.max_age_days)


def to_prune(kept: list[Entry], schedule: Schedule, folder: Path,
             newest_verified: Entry | None) -> list[Entry]:
    """Return the scheduled bundles in ``folder`` beyond the policy's retention.

    ``kept``: verified scheduled backups not yet removed, newest first. Manual backups are
    never pruned, nor the newest verified backup, nor files in another folder.
    """
    monthly = [e for e in kept if e.kind == "monthly"][: schedule.keep_monthly]
    weekly = [e for e in kept if e.kind == "weekly"][: schedule.keep_weekly]
    keep = {e.id for e in monthly + weekly}
    if newest_verified is not None:
        keep.add(newest_verified.id)
    here = folder.absolute()
    return [e for e in kept if e.id not in keep and Path(e.path).parent == here]
