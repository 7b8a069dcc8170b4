"""Errors raised by the archive layer and by the canonical YAML reader."""

from __future__ import annotations

from typing import Any


class ArchiveError(Exception):
    """Base class of every error the archive raises on purpose."""


class NotFound(ArchiveError):
    """A file, revision or record that does not exist."""


class Conflict(ArchiveError):
    """A save that collides with a newer revision on the same fields."""

    def __init__(
        self, fields: list[str] | None = None, details: Any = None, message: str = ""
    ) -> None:
        """Remember which fields collided and any merge details."""
        self.fields: list[str] = list(fields or [])
        self.details = details
        super().__init__(message or "conflicting changes to: " + ", ".join(self.fields))


class CorruptRecord(ArchiveError):
    """A stored file that cannot be read as a valid record."""

    def __init__(self, path: str, reason: str) -> None:
        """Remember the file path and a short human reason."""
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)
