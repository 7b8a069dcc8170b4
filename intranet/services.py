"""The archive, customer files, index and credentials of one app, set up like an extension."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from .accounts import Credentials
from .archive.housekeeping import housekeep_if_due
from .archive.objects import Identity
from .archive.repository import Archive
from .backups import Backups
from .index import Index
from .instance import claim_archive
from .jobs import Jobs
from .mirrors import from_config as mirrors_from_config
from .records.files.customers import CustomerFiles
from .records.rulebook.organisation import initialise
from .records.trail.journal import Journal
from .records.trail.sealing import seal_and_remember, seal_if_due

EXTENSION = "customer_archive"
log = logging.getLogger(__name__)
# The index's background pass finds nothing to do in one query; it is woken when needed.
INDEX_PASS_EVERY = 300.0


class Services:
    """Everything below the web layer, built from the app's configuration."""

    def __init__(self, config: dict):
        self.system = Identity(config["SYSTEM_NAME"], config["SYSTEM_EMAIL"])
        self.archive = Archive(config["ARCHIVE_REPO"], committer=self.system,
                               durable=config["ARCHIVE_DURABLE"])
        self.files = CustomerFiles(self.archive)
        self.index = Index(config["INDEX_PATH"], self.archive)
        self.credentials = Credentials(config["CREDENTIALS_PATH"], config["PASSWORD_HASH"])
        self.journal = Journal(config["AUDIT_JOURNAL"])
        self.audit_seal_interval = float(config["AUDIT_SEAL_INTERVAL"])
        # Scheduled backups, mirror pushes and housekeeping register here; the web layer starts
        # the thread at the first request of a serving process (never in CLI commands).
        self.jobs = Jobs()
        self.mirrors = mirrors_from_config(config, self.archive, self.jobs)
        # R38: the month's (and week's) backup, made by whichever process checks first.
        self.backups = Backups(self.archive, config["BACKUP_DIR"], config["BACKUP_DB"],
                               seal=self.seal_audit, journal=config["AUDIT_JOURNAL"],
                               clock=config.get("BACKUP_CLOCK"),
                               retry_seconds=config["BACKUP_RETRY_SECONDS"],
                               scratch=config.get("BACKUP_SCRATCH"))
        # A minute after the server starts serving, so a start is never slowed by a backup.
        self.jobs.add("backups", self.backups.check, every=float(config["BACKUP_CHECK_SECONDS"]),
                      delay=60.0)
        # What the index defers while readers are served (index/history.py): run when asked.
        self.jobs.add("index", self.index.background_pass, every=INDEX_PASS_EVERY)
        # The e-mail outbox (intranet/mailer.py), set by the web layer when MAIL_SERVER is.
        self.mail: Any = None
        self.housekeeping_interval = float(config.get("HOUSEKEEPING_INTERVAL") or 0)
        if self.housekeeping_interval > 0:
            # Checked hourly (first a few minutes after start); each run decides if it is due.
            self.jobs.add("housekeeping", self.housekeep_if_due,
                          every=min(3600.0, self.housekeeping_interval), delay=300)

    def seal_audit(self) -> str | None:
        """Seal every unsealed journal entry into the archive now; return the new commit."""
        return seal_and_remember(self.archive, self.journal.path, self.system)

    def seal_audit_if_due(self) -> str | None:
        """Seal when the interval has passed since the newest sealed entry (cheap otherwise)."""
        return seal_if_due(self.archive, self.journal.path, self.system,
                           self.audit_seal_interval)

    def housekeep_if_due(self, now: Callable[[], float] = time.time) -> dict[str, float] | None:
        """Pack the archive and refresh its Bloom filters when the interval has passed (once
        across every process); return the steps' seconds, or None when not due or busy."""
        return housekeep_if_due(self.archive.path, self.housekeeping_interval, now)

    def start(self) -> None:
        """Create the archive on first start and clear locks left by killed writers."""
        if self.archive.exists():
            self.archive.recover()
        initialise(self.archive, self.system)
        started = self.journal.start_tip()
        if started is not None:
            # Once after upgrading; any other time it means the tip file was deleted.
            log.warning("The audit journal %s had no tip record: it starts at seq %s now",
                        self.journal.path, started)

    def close(self) -> None:
        """Stop the background jobs, git helper processes and database connections."""
        self.jobs.stop()
        self.archive.close()
        self.index.close()


def init_app(app: Flask) -> Services:
    """Attach the services to ``app`` and make sure the archive exists."""
    services = Services(app.config)
    services.start()
    # Before any request or command: a second instance folder would journal reads elsewhere.
    try:
        claim_archive(services.archive.path, Path(app.instance_path),
                      bool(app.config["INSTANCE_TAKEOVER"]))
    except BaseException:
        services.close()
        raise
    app.extensions[EXTENSION] = services
    return services


def get() -> Services:
    """Return the current app's services."""
    return current_app.extensions[EXTENSION]
