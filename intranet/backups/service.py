"""The office's backups as one object: make one now, the scheduled check, retention, status.

Built by ``services.Services`` from the configuration (BACKUP_DIR, BACKUP_CLOCK …) and used by
the background job "backups", by ``flask backup`` and by the administrator's page and banner.
The scheduled check takes a cross-process lock without waiting and asks "still due?" inside
it, so however many workers and cron runs check at once, one backup is made. No Flask here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from filelock import FileLock, Timeout

from ..archive.repository import Archive
from ..records.files.messages import N_
from ..records.rulebook.rules import load_rules
from ..records.rulebook.zone import company_zone
from .catalogue import SCHEDULED, Catalogue, Entry, Problem
from .making import Request, free_bytes, make_backup, room_needed
from .schedule import Schedule, to_prune

log = logging.getLogger(__name__)
# No backup takes this long: an attempt still unfinished after it was cut short (a killed
# process, a power cut), and its hidden temporary file is left over.
INTERRUPTED_AFTER = timedelta(hours=6)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Status:
    """What the page and the banner show: warnings, the newest backup, the folder, the plan."""

    warnings: list[Problem] = field(default_factory=list)
    newest: Entry | None = None
    folder: Path | None = None
    free: int | None = None
    next_slot: datetime | None = None
    next_kind: str = ""


class Backups:
    """Backups of one archive into one folder, catalogued in ``catalogue``."""

    def __init__(self, archive: Archive, folder: str | Path, catalogue: str | Path, *,
                 seal: Callable[[], object], journal: str | Path | None = None,
                 clock: Callable[[], datetime] | None = None, retry_seconds: float = 3600,
                 scratch: str | Path | None = None):
        self.archive = archive
        self.folder = Path(folder).absolute()
        self.catalogue = Catalogue(catalogue)
        self.seal = seal
        self.journal = Path(journal) if journal else None
        self.clock = clock or _now
        self.retry_seconds = float(retry_seconds)
        self.scratch = Path(scratch) if scratch else None
        # Next to the catalogue, not in the backup folder: the lock must work (and the failed
        # attempt be recorded once) even when the backup disk is missing.
        self.lock_path = str(self.catalogue.path) + ".lock"
        self._manual: threading.Thread | None = None
        self._manual_lock = threading.Lock()

    def now(self) -> datetime:
        """Return the current time (BACKUP_CLOCK in tests), aware."""
        return self.clock()

    def schedule(self) -> Schedule:
        """Return the policy's schedule in force (R38)."""
        policy = load_rules(self.archive.snapshot()).policy
        return Schedule.from_policy(policy.backups, company_zone(policy))

    def make(self, kind: str = "manual", destination: str | Path | None = None) -> Entry:
        """Make, verify and record one backup now (into the folder unless told otherwise)."""
        schedule = self.schedule()
        request = Request(self.archive, Path(destination) if destination else self.folder,
                          kind, self.seal, self.journal, schedule.zone, self.scratch)
        return make_backup(request, self.catalogue, self.now())

    def start_manual(self) -> bool:
        """Start a manual backup in a thread of this process (the page's button); return
        False when one started here is still running. A large archive takes a minute or more,
        longer than a request should wait."""
        with self._manual_lock:
            if self._manual is not None and self._manual.is_alive():
                return False
            self._manual = threading.Thread(target=self._make_manual, daemon=True,
                                            name="intranet-backup-now")
            self._manual.start()
            return True

    def wait_manual(self, timeout: float | None = None) -> None:
        """Wait for the manual backup started by ``start_manual`` (tests, shutting down)."""
        thread = self._manual
        if thread is not None:
            thread.join(timeout)

    def _make_manual(self) -> None:
        try:
            self.make("manual")
        except Exception:  # a thread's failure is logged; the catalogue shows the attempt
            log.exception("manual backup failed")

    def due(self, now: datetime | None = None) -> str | None:
        """Return the kind of scheduled backup due now, or None (one cheap query)."""
        now = now or self.now()
        schedule = self.schedule()
        attempts = self.catalogue.scheduled_since(schedule.monthly_slot(now))
        return schedule.due(now, attempts, self.retry_seconds)

    def check(self) -> Entry | None:
        """Run the scheduled backup if one is due; return its entry (the job "backups")."""
        if self.due() is None:
            return None
        try:
            self.catalogue.path.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(self.lock_path, timeout=0, thread_local=False):
                now = self.now()
                self.tidy(now)
                kind = self.due(now)  # another process may have made it meanwhile
                if kind is None:
                    return None
                entry = self.make(kind)
                if entry.verified:
                    self.prune()
                else:
                    log.warning("scheduled backup failed: %s",
                                entry.problem.describe() if entry.problem else "?")
                return entry
        except Timeout:
            return None  # another worker or cron run is making it

    def tidy(self, now: datetime) -> None:
        """Close attempts a dead process left open and remove its temporary files."""
        self.catalogue.close_interrupted(now - INTERRUPTED_AFTER, now, Problem(N_(
            "The backup was interrupted (the process ended before it finished)")))
        limit = time.time() - INTERRUPTED_AFTER.total_seconds()
        with contextlib.suppress(OSError):
            for leftover in self.folder.glob(".archive-*.partial"):
                with contextlib.suppress(OSError):
                    if leftover.stat().st_mtime < limit:
                        leftover.unlink()

    def prune(self) -> list[Entry]:
        """Remove the scheduled bundles beyond retention; their rows stay, marked removed."""
        removed = []
        for entry in to_prune(self.catalogue.kept(), self.schedule(), self.folder,
                              self.catalogue.newest_verified()):
            if entry.kind not in SCHEDULED:  # never a manual backup, whatever the caller
                continue
            try:
                Path(entry.path).unlink(missing_ok=True)
            except OSError:
                log.exception("could not remove the old backup %s", entry.path)
                continue
            self.catalogue.mark_removed(entry.id, self.now())
            removed.append(entry)
        return removed

    def status(self, now: datetime | None = None) -> Status:
        """Return the warnings for the banner: cheap (one query and one statvfs)."""
        now = now or self.now()
        schedule = self.schedule()
        newest = self.catalogue.newest_verified()
        warnings: list[Problem] = []
        folder = self.folder
        free = None
        if not folder.is_dir():
            warnings.append(Problem(N_("The backup folder {path} is missing (is the disk "
                                       "mounted?)"), {"path": str(folder)}))
        else:
            if not os.access(folder, os.W_OK):
                warnings.append(Problem(N_("The backup folder {path} is not writable"),
                                        {"path": str(folder)}))
            if newest is not None and not Path(newest.path).is_file():
                warnings.append(Problem(N_("The newest verified backup {path} is no longer "
                                           "there"), {"path": newest.path}))
            free = free_bytes(folder)
            needed = room_needed(newest.size or 0) if newest else 0
            if free is not None and newest is not None and free < needed:
                warnings.append(Problem(N_("The backup disk {path} is too full: {free} MB "
                                           "free, a backup needs about {needed} MB"),
                                        {"path": str(folder), "free": free // 2**20,
                                         "needed": needed // 2**20 + 1}))
        if newest is None:
            slot, _ = schedule.newest_slot(now)
            if slot >= self.catalogue.since(now):
                warnings.append(Problem(N_("There is no verified backup yet"), {}))
        elif schedule.is_stale(newest.started, now):
            warnings.append(Problem(N_("The newest verified backup is {days} days old; the "
                                       "policy allows {max_days}"),
                                    {"days": (now - newest.started).days,
                                     "max_days": schedule.max_age_days}))
        upcoming, kind = schedule.next_slot(now)
        return Status(warnings, newest, folder, free, upcoming, kind)
