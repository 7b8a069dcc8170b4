"""Add a document to a file or take one out (R13): one commit each, checked where saved."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..records.files import documents
from ..records.files.customers import CustomerFiles
from .changes import Checked


def add(files: CustomerFiles, username: str, customer_id: str, upload: documents.Upload,
        today: date, max_bytes: int = documents.DEFAULT_MAX_BYTES,
        ) -> tuple[str, dict[str, Any]]:
    """Commit a document and its entry by the actor; return (commit, entry)."""
    return documents.add(Checked(files, username), customer_id, upload, username, today,
                         max_bytes)


def remove(files: CustomerFiles, username: str, customer_id: str, name: str) -> str:
    """Take a document and its entry out of the file by the actor; return the commit."""
    return documents.remove(Checked(files, username), customer_id, name, username)
