"""Uploaded spreadsheets waiting for their import, and the column mappings people chose.

An import is previewed before anything is written, often several times while the user fixes
the mapping, so the upload is kept in the instance folder (never in the archive: it may hold
rows that will not be imported) under a random token that only its uploader may use. Uploads
older than ``max_age`` are deleted at the next upload. The mapping a person chose is
remembered per set of headings, so next month's copy of the same workbook maps itself.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import small_db
from .sheets.model import Limits

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
SCHEMA = """
CREATE TABLE IF NOT EXISTS mappings (
    headings TEXT PRIMARY KEY,   -- sheets.headings.heading_set_key of the header row
    mapping TEXT NOT NULL,       -- JSON list: one target (or "") per column
    chosen_by TEXT NOT NULL,
    chosen_at REAL NOT NULL
);
"""


def limits_from(config: Any) -> Limits:
    """Return the spreadsheet limits an app's configuration sets (IMPORT_MAX_*)."""
    return Limits(max_bytes=int(config["IMPORT_MAX_BYTES"]),
                  max_unpacked=int(config["IMPORT_MAX_UNPACKED"]),
                  max_rows=int(config["IMPORT_MAX_ROWS"]),
                  max_columns=int(config["IMPORT_MAX_COLUMNS"]))


@dataclass
class Upload:
    """One uploaded file and the choices made on its preview."""

    token: str
    owner: str
    filename: str
    size: int
    uploaded_at: float
    settings: dict[str, Any] = field(default_factory=dict)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (a crash never leaves half a file)."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp_", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class UploadStore:
    """Uploads in one folder: ``<token>.bin`` holds the bytes, ``<token>.json`` the rest."""

    def __init__(self, folder: str | Path, max_age: float = 86400.0) -> None:
        self.folder = Path(folder)
        self.max_age = max_age

    def save(self, owner: str, filename: str, data: bytes) -> Upload:
        """Keep an upload for its owner and return it with a new token."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.purge()
        upload = Upload(secrets.token_hex(16), owner, filename, len(data), time.time())
        _write_atomic(self.folder / f"{upload.token}.bin", data)
        self._write_meta(upload)
        return upload

    def get(self, token: str, owner: str) -> tuple[Upload, bytes] | None:
        """Return an upload and its bytes, or None if it is gone or someone else's."""
        if not _TOKEN.match(token or ""):
            return None
        try:
            meta = json.loads((self.folder / f"{token}.json").read_text("utf-8"))
            data = (self.folder / f"{token}.bin").read_bytes()
        except (OSError, ValueError):
            return None
        upload = Upload(**meta)
        if upload.owner != owner:
            return None
        return upload, data

    def update(self, upload: Upload) -> None:
        """Store the choices made on an upload's preview."""
        self._write_meta(upload)

    def discard(self, token: str) -> None:
        """Delete an upload (imported, or given up)."""
        if _TOKEN.match(token or ""):
            for suffix in (".bin", ".json"):
                (self.folder / f"{token}{suffix}").unlink(missing_ok=True)

    def purge(self) -> None:
        """Delete uploads older than ``max_age``."""
        limit = time.time() - self.max_age
        for path in self.folder.glob("*.json"):
            try:
                if path.stat().st_mtime < limit:
                    self.discard(path.stem)
            except OSError:
                continue

    def _write_meta(self, upload: Upload) -> None:
        meta = {"token": upload.token, "owner": upload.owner, "filename": upload.filename,
                "size": upload.size, "uploaded_at": upload.uploaded_at,
                "settings": upload.settings}
        _write_atomic(self.folder / f"{upload.token}.json",
                      json.dumps(meta, ensure_ascii=False).encode("utf-8"))


class Mappings:
    """The column mapping chosen last for each set of headings, shared by every worker."""

    def __init__(self, path: str | Path, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._ready = False

    def _connect(self):
        if not self._ready:
            small_db.prepare(self.path, SCHEMA, self.busy_timeout)
            self._ready = True
        return small_db.connect(self.path, self.busy_timeout)

    def recall(self, headings_key: str, columns: int) -> list[str] | None:
        """Return the mapping remembered for these headings, if it fits their column count."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT mapping FROM mappings WHERE headings=?",
                             (headings_key,)).fetchone()
        if row is None:
            return None
        mapping = json.loads(row["mapping"])
        if not isinstance(mapping, list) or len(mapping) != columns:
            return None
        return [str(m) for m in mapping]

    def remember(self, headings_key: str, mapping: list[str], chosen_by: str) -> None:
        """Remember a mapping for these headings."""
        with closing(self._connect()) as db:
            db.execute("INSERT OR REPLACE INTO mappings VALUES (?, ?, ?, ?)",
                       (headings_key, json.dumps(mapping, ensure_ascii=False), chosen_by,
                        time.time()))
