"""Backups that happen by themselves and are proven (R38: 每月1日對數據進行備份).

- ``making``: write one bundle into a folder: check, seal, write, verify, name, record.
- ``verifying``: prove a bundle: bundle verify, trial restore, fsck, every file, audit chain.
- ``restoring``: make a working archive from a bundle (``flask restore``).
- ``catalogue``: every attempt in ``instance/backups.sqlite3``.
- ``schedule``: the policy's slots, catch-up and retention.
- ``service``: ``Backups``, the object the services, the CLI and the pages use.

No Flask imports in this package.
"""

from __future__ import annotations

from .catalogue import Catalogue, Entry, Problem
from .gitrun import BackupError
from .restoring import Restored, restore
from .schedule import Schedule
from .service import Backups, Status
from .verifying import Verification, verify_bundle

__all__ = ["BackupError", "Backups", "Catalogue", "Entry", "Problem", "Restored", "Schedule",
           "Status", "Verification", "restore", "verify_bundle"]
