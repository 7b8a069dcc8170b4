"""The archive, customer files, index and credentials of one app, set up like an extension."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, current_app

from .accounts import Credentials
from .archive.housekeeping import housekeep_if_due
from .archive.objects import Identity
from .archive.repository import Archive
from .index import Index
from .jobs import Jobs
from .records.customers import CustomerFiles
from .records.journal import Journal
from .records.organisation import initialise
from .records.sealing import seal_and_remember, seal_if_due

EXTENSION = "customer_archive"


class Services:
    """Everything below the web layer, built from the app's configuration."""

    def __init__(self, config: dict):
        self.system = Identity(config["SYSTEM_NAME"], config["SYSTEM_EMAIL"])
        self.archive = Archive(config["ARCHIVE_REPO"], committer=self.system,
                               durable=config["ARCHIVE_DURABLE"])
        self.files = CustomerFiles(self.archive)
        self.index = Index(config["INDEX_PATH"], self.archive)
        self.credentials = Credentials(config["CREDENTIALS_PATH"])
        self.journal = Journal(config["AUDIT_JOURNAL"])
        self.audit_seal_interval = float(config["AUDIT_SEAL_INTERVAL"])
        # Scheduled backups, mirror pushes and housekeeping register here; the web layer starts
        # the thread at the first request of a serving process (never in CLI commands).
        self.jobs = Jobs()
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

    def close(self) -> None:
        """Stop the background jobs, git helper processes and database connections."""
        self.jobs.stop()
        self.archive.close()
        self.index.close()


def init_app(app: Flask) -> Services:
    """Attach the services to ``app`` and make sure the archive exists."""
    services = Services(app.config)
    services.start()
    app.extensions[EXTENSION] = services
    return services


def get() -> Services:
    """Return the current app's services."""
    return current_app.extensions[EXTENSION]
