"""Shared by the backup tests: an app with a settable backup clock, and policy changes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from intranet import create_app
from intranet.archive.repository import Archive, Change
from intranet.records.rulebook.policy import DEFAULT_POLICY, dump_policy
from intranet.records.rulebook.rules import POLICY_PATH

from .conftest import SYSTEM, make_archive

TAIPEI = ZoneInfo("Asia/Taipei")


def taipei(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    """Return a moment in the company's zone (the default policy's Asia/Taipei)."""
    return datetime(year, month, day, hour, minute, tzinfo=TAIPEI)


class Clock:
    """A settable clock: BACKUP_CLOCK in the app's configuration."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def backup_app(root: Path, clock: Clock | None = None, **config: Any):
    """Return an app on a fresh archive with the test staff, backing up into root/backups."""
    make_archive(root / "archive.git").close()
    (root / "backups").mkdir(exist_ok=True)
    settings = {
        "TESTING": True,
        "ARCHIVE_REPO": str(root / "archive.git"),
        "INSTANCE_PATH": str(root / "instance"),
        "SECRET_KEY": "test",
        "BACKUP_DIR": str(root / "backups"),
        "BACKUP_CLOCK": clock,
        **config,
    }
    return create_app(settings)


def set_backup_policy(archive: Archive, **backups: int) -> None:
    """Commit a policy whose ``backups`` section differs from the defaults."""
    data = {**DEFAULT_POLICY, "backups": {**DEFAULT_POLICY["backups"], **backups}}
    archive.commit(lambda _snapshot: Change({POLICY_PATH: dump_policy(data)},
                                            "policy: backups"), SYSTEM)


def bundles(folder: Path) -> list[str]:
    """Return the bundle files in a folder, sorted (hidden temporary files included)."""
    return sorted(p.name for p in folder.iterdir())
