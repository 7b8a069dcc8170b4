"""The derived index: list, search and history answered from SQLite, rebuilt at will."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..archive.repository import Archive
from . import history as _history
from . import query as _query
from .database import Database
from .query import Page, Query
from .sync import catch_up, rebuild

__all__ = ["Index", "Page", "Query"]


class Index:
    """The customer index of one archive; every read first catches up with the head."""

    def __init__(self, path: str | Path, archive: Archive):
        self.db = Database(path)
        self.archive = archive
        # Set by a serving process whose background job runs background_pass: then no reader
        # waits for a policy change's re-read or for the old versions' R19 facts.
        self.defer: Callable[[], None] | None = None

    def catch_up(self) -> str | None:
        """Index whatever was committed since the last look; return the commit it reflects."""
        return catch_up(self.db, self.archive, self.defer, history_later=self.defer is not None)

    def rebuild(self, history: bool = True) -> str | None:
        """Forget everything and index the whole archive again (``history`` False: leave the
        old versions' R19 facts to background_pass)."""
        return rebuild(self.db, self.archive, history_later=not history)

    def background_pass(self) -> None:
        """Do what catch_up deferred: a policy change's re-read, then the old versions' facts.

        At a lower CPU priority (this thread and the workers and git processes it starts), so
        that readers served meanwhile keep the cores they need.
        """
        with _history.lower_priority():
            catch_up(self.db, self.archive, history_later=True)
            _history.complete(self.db, self.archive, wait=False)

    def history_settled(self) -> None:
        """Make sure the old versions' R19 facts exist (waits after a cold build)."""
        _history.settled(self.db, self.archive)

    def find(self, query: Query, readable: tuple[str, list[Any]] | None = None,
             only_readable: bool = False) -> Page:
        """Return a page of the customer list; unreadable files only as catalogue cards."""
        self.catch_up()
        return _query.find(self.db, query, readable, only_readable)

    def get(self, customer_id: str) -> dict[str, Any] | None:
        """Return the catalogue row of one customer."""
        self.catch_up()
        return _query.get(self.db, customer_id)

    def versions(self, customer_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Return the versions of a customer's file, newest first."""
        self.catch_up()
        return _query.versions(self.db, customer_id, limit)

    def matches(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        """Return the files that hold each (kind, key) of ``records.files.keys``."""
        self.catch_up()
        return _query.matches(self.db, pairs)

    def keys_of(self, kind: str) -> dict[str, str]:
        """Return every file's key of one kind (tax, name, phone), by customer id."""
        self.catch_up()
        return _query.keys_of(self.db, kind)

    def duplicate_groups(self, limit: int = 500) -> list[tuple[str, list[str]]]:
        """Return (kind, ids) of the keys several files share, 統一編號 first (R4)."""
        self.catch_up()
        return _query.duplicate_groups(self.db, limit)

    def choices(self, column: str) -> list[str]:
        """Return the values a filter can take."""
        self.catch_up()
        return _query.choices(self.db, column)

    def close(self) -> None:
        """Close the database connections."""
        self.db.close()
