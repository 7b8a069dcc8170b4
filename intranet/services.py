"""The archive, customer files, index and credentials of one app, set up like an extension."""

from __future__ import annotations

from flask import Flask, current_app

from .accounts import Credentials
from .archive.objects import Identity
from .archive.repository import Archive
from .index import Index
from .records.customers import CustomerFiles
from .records.organisation import initialise

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

    def start(self) -> None:
        """Create the archive on first start and clear locks left by killed writers."""
        if self.archive.exists():
            self.archive.recover()
        initialise(self.archive, self.system)

    def close(self) -> None:
        """Stop git helper processes and close database connections."""
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
