"""Password hashes, kept under ``instance/`` and never in the archive."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from filelock import FileLock
from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD = 8


class WeakPassword(ValueError):
    """Raised for a password too short to be kept."""


class Credentials:
    """A JSON file mapping usernames to password hashes (scrypt), written atomically."""

    def __init__(self, path: str | Path, method: str = "scrypt"):
        self.path = Path(path)
        # Werkzeug's method string for new hashes; a stored hash names its own method, so a
        # change here applies to passwords set afterwards and every old one still checks.
        self.method = method
        self._lock = FileLock(str(self.path) + ".lock", thread_local=False)
        self._cache: tuple[tuple[int, int, int], dict[str, str]] | None = None

    def _read(self) -> dict[str, str]:
        # Every request checks the signed-in user's stamp, so parse the file only when it
        # changed (writes replace it, so its identity and time change with every write).
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, json.loads(self.path.read_text("utf-8")))
        return dict(self._cache[1])

    def _write(self, data: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".credentials-", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def set(self, username: str, password: str, min_length: int = MIN_PASSWORD) -> None:
        """Store a new password for ``username``."""
        if len(password) < min_length:
            raise WeakPassword(f"a password needs at least {min_length} characters")
        hashed = generate_password_hash(password, method=self.method)
        with self._lock:
            data = self._read()
            data[username] = hashed
            self._write(data)

    def set_many(self, usernames: list[str], password: str) -> None:
        """Give several accounts one password, hashed once (demo accounts only)."""
        hashed = generate_password_hash(password, method=self.method)
        with self._lock:
            data = self._read()
            data.update(dict.fromkeys(usernames, hashed))
            self._write(data)

    def has(self, username: str) -> bool:
        """Tell whether ``username`` has a password."""
        return username in self._read()

    def check(self, username: str, password: str) -> bool:
        """Tell whether ``password`` is right for ``username``."""
        hashed = self._read().get(username)
        if hashed is None:
            # Spend the same time as a real check, so timing does not reveal who exists.
            check_password_hash(generate_password_hash("x", method=self.method), password)
            return False
        return check_password_hash(hashed, password)

    def stamp(self, username: str) -> str:
        """Return a value that changes whenever the user's password changes ("" if none)."""
        hashed = self._read().get(username)
        # A digest of the hash, so the (readable) session cookie reveals nothing of it.
        return hashlib.sha256(hashed.encode()).hexdigest()[:16] if hashed else ""
