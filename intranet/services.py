"""The archive, customer files, index and credentials of one app, set up like an extension."""

from __future__ import annotations

from flask import Flask, current_app

from .accounts import Credentials
from .archive.objects import Identity
from .archive.repository import Archive
from .index import Index
from .jobs import Jobs
from .records.customers import CustomerFiles
from .records.journal import Journal
from .records.organisation import initialise
from .records.sealing import seal_and_remember, seal_if_due

EXTENSION = "customer_archive"
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
        self.credentials = Credentials(config["CREDENTIALS_PATH"])
        self.journal = Journal(config["AUDIT_JOURNAL"])
        self.audit_seal_interval = float(config["AUDIT_SEAL_INTERVAL"])
        # Scheduled backups, mirror pushes and housekeeping register here; the web layer starts
        # the thread at the first request of a serving process (never in CLI commands).
        self.jobs = Jobs()
        # What the index defers while readers are served (index/history.py): run when asked.
        self.jobs.add("index", self.index.background_pass, every=INDEX_PASS_EVERY)

    def seal_audit(self) -> str | None:
        """Seal every unsealed journal entry into the archive now; return the new commit."""
        return seal_and_remember(self.archive, self.journal.path, self.system)

    def seal_audit_if_due(self) -> str | None:
        """Seal when the interval has passed since the newest sealed entry (cheap otherwise)."""
        return seal_if_due(self.archive, self.journal.path, self.system,
                           self.audit_seal_interval)

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
