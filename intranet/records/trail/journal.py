"""The read-audit journal on the server: append-only, hash-chained, fsynced (R35).

One canonical JSON line per read or refusal (see ``records/trail/audit.py`` for the entry and its
checks), appended under an OS file lock shared by every worker process and flushed to disk
before the page is sent; if it cannot be written the read is refused. No Flask imports here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from filelock import FileLock, Timeout

from intranet.records.trail.audit import (
    GIVEN_FIELDS,
    OWN_FIELDS,
    AuditError,
    AuditUnavailable,
    canonical,
    check_entry,
    entry_hash,
    now_utc,
    utc_stamp,
    verify,
)
from intranet.records.trail.audit_tip import note_if_cut, start_tip, tip_path, write_tip

_DEFAULTS = {"customer": "", "route": "", "address": ""}
_EXTRA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_LOCK_TIMEOUT = 10.0  # seconds a page waits for other workers' entries before failing closed
_CHUNK = 8192


def _lines_backwards(fd: int, end: int) -> Iterator[bytes]:
    """Yield the lines of the file before offset ``end`` (a line's end), last first."""
    position, carry = end, b""
    while position > 0:
        size = min(_CHUNK, position)
        position -= size
        parts = (os.pread(fd, size, position) + carry).split(b"\n")
        carry = parts[0]  # may continue in the chunk before
        yield from reversed(parts[1:])
    if end > 0:
        yield carry


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(path: str) -> None:
    fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    """The append-only journal file shared by every worker process of the app."""

    def __init__(self, path: str | os.PathLike, clock: Callable[[], datetime] = now_utc):
        self.path = os.fspath(path)
        self.lock_path = self.path + ".lock"
        self.clock = clock

    def _lock(self, timeout: float = _LOCK_TIMEOUT) -> FileLock:
        # A fresh lock object per use: a shared one would count a second thread as re-entry.
        return FileLock(self.lock_path, timeout=timeout, thread_local=False)

    def record(self, **fields: Any) -> dict[str, Any]:
        """Append one entry, on disk before returning; raise AuditUnavailable if it cannot be."""
        return self.record_many([fields])[0]

    def record_many(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Append several entries with one lock and one fsync (an export's rows); all or none."""
        given = [self._given(fields) for fields in entries]
        if not given:
            return []
        try:
            # Creating the lock file first fails at once in a read-only place, where the lock
            # library would keep retrying until its timeout.
            os.close(os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
            with self._lock():
                fd = self._open()
                try:
                    return self._append_many(fd, given)
                finally:
                    os.close(fd)
        except AuditUnavailable:
            raise
        except Timeout as exc:
            raise AuditUnavailable("the audit journal is locked by another process") from exc
        except (OSError, ValueError) as exc:
            raise AuditUnavailable(f"the audit journal cannot be written: {exc}") from exc

    def _append_many(self, fd: int, given: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # The size is read under the lock: other workers append to the same file.
        size = os.fstat(fd).st_size
        last = self._last(fd, size)
        now = self.clock()
        # A journal behind its tip was cut back: keep the evidence before the tip moves on.
        note_if_cut(self.path, last, now)
        made: list[dict[str, Any]] = []
        for fields in given:
            entry = {**fields, "seq": last["seq"] + 1 if last else 1,
                     "at": utc_stamp(now), "prev": last["hash"] if last else ""}
            entry["hash"] = entry_hash(entry)
            made.append(entry)
            last = entry
        try:
            # Unbuffered os.write, so there is nothing to flush before the fsync.
            _write_all(fd, b"".join(canonical(e) + b"\n" for e in made))
            os.fsync(fd)
        except OSError:
            # Take back our own half-written lines (we hold the lock), so the next entry does
            # not find a damaged last line; earlier lines are never touched.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
        write_tip(self.path, made[-1])
        return made

    def start_tip(self) -> int | None:
        """Give a journal from before tips existed its tip; return its seq if one was made."""
        if not os.path.exists(self.path) or os.path.exists(tip_path(self.path)):
            return None  # nothing written yet, or the usual case: the tip is there
        try:
            with self._lock():
                fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
                try:
                    last = self._last(fd, os.fstat(fd).st_size)
                finally:
                    os.close(fd)
                return last["seq"] if last and start_tip(self.path, last) else None
        except (OSError, Timeout, AuditUnavailable):
            return None  # nothing written yet, or a damaged end audit-verify will name

    def _open(self) -> int:
        """Open the journal for appending, creating it if needed."""
        created = not os.path.exists(self.path)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        if created:
            try:
                _fsync_dir(self.path)  # the new file's name must survive a power cut too
            except OSError:
                os.close(fd)
                raise
        return fd

    def _given(self, fields: dict[str, Any]) -> dict[str, Any]:
        # Wrong fields are a programming error in the caller, not an unavailable journal.
        given = {**_DEFAULTS, **fields}
        for name in OWN_FIELDS:
            if name in given:
                raise TypeError(f"{name} is set by the journal, not the caller")
        for name, kind in GIVEN_FIELDS.items():
            if not isinstance(given.get(name), kind):
                raise TypeError(f"audit field {name} must be a {kind.__name__}")
        for name, value in given.items():
            if name not in GIVEN_FIELDS and not (_EXTRA_NAME.match(name)
                                                  and isinstance(value, str)):
                raise TypeError(f"audit field {name} is not allowed")
        return given

    def _last(self, fd: int, size: int) -> dict[str, Any] | None:
        """Return the last entry, checked, or None for an empty journal."""
        if size == 0:
            return None
        if os.pread(fd, 1, size - 1) != b"\n":
            raise AuditUnavailable("the audit journal's last line is incomplete")
        line = next(_lines_backwards(fd, size - 1))
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        problem = check_entry(entry)
        if problem:
            raise AuditUnavailable(f"the audit journal's last line is damaged: {problem}")
        return entry

    def last(self) -> dict[str, Any] | None:
        """Return the newest entry, or None when the journal is empty or missing."""
        try:
            with self._lock():
                fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
                try:
                    return self._last(fd, os.fstat(fd).st_size)
                finally:
                    os.close(fd)
        except FileNotFoundError:
            return None
        except Timeout as exc:
            raise AuditUnavailable("the audit journal is locked by another process") from exc

    def end(self) -> int:
        """Return the journal's size at a moment no entry is half written."""
        try:
            with self._lock():
                return os.path.getsize(self.path)
        except FileNotFoundError:
            return 0
        except Timeout as exc:
            raise AuditUnavailable("the audit journal is locked by another process") from exc
        except OSError as exc:
            raise AuditUnavailable(f"the audit journal cannot be read: {exc}") from exc

    def entries_after(self, seq: int, last_hash: str, end: int) -> list[bytes]:
        """Return the lines after entry ``seq`` up to offset ``end``, checked as a chain."""
        if end == 0:
            if seq:
                raise AuditError(f"the journal is empty but {seq} entries are sealed")
            return []
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise AuditError(f"the audit journal cannot be read: {exc}") from exc
        try:
            if os.pread(fd, 1, end - 1) != b"\n":
                raise AuditError("the audit journal's last line is incomplete")
            found: list[bytes] = []
            for line in _lines_backwards(fd, end - 1):
                try:
                    entry = json.loads(line)
                    at = entry["seq"]
                except (ValueError, TypeError, KeyError) as exc:
                    raise AuditError(f"journal line before seq {seq + len(found) + 1} "
                                     "is damaged") from exc
                if isinstance(at, int) and at <= seq:
                    if at != seq or entry.get("hash") != last_hash:
                        raise AuditError(f"the journal does not continue the sealed record "
                                         f"at seq {seq}")
                    break
                found.append(line)
            else:
                if seq:
                    raise AuditError(f"the journal does not contain sealed entry seq {seq}")
        finally:
            os.close(fd)
        found.reverse()
        result = verify(found, seq + 1, last_hash)
        if not result.ok:
            raise AuditError(f"journal seq {result.seq or '?'}: {result.reason}")
        return found
