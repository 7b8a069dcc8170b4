"""The read-audit trail: a hash-chained, append-only journal, sealed into the archive.

Every read of a customer file's contents and every refusal is one line of
``instance/audit.jsonl``: a JSON object (UTF-8, sorted keys, no spaces) carrying ``seq``, ``at``
(UTC), ``user``, ``customer``, ``action``, ``allowed``, ``basis``, ``route``, ``address``,
``prev`` (the previous entry's hash) and ``hash`` (SHA-256 of the entry without ``hash``).
Editing, deleting or reordering any line breaks the chain at that line, which ``verify`` names.

The journal is local to the server, so it is copied ("sealed") into the archive as
``audit/YYYY-MM.jsonl`` by ``seal``: from then on every clone and backup holds it and git's
history shows any later change. ``seal_if_due`` is cheap enough to call on every request; run
``flask --app app audit-seal`` from cron as well and before every backup (R38), so a quiet
server still seals at least daily. No Flask imports here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from filelock import FileLock, Timeout

from ..archive.objects import Identity
from ..archive.repository import Archive, Change, Snapshot

AUDIT_DIR = "audit"
ACTIONS = ("view", "history", "version", "diff", "document", "export", "reports", "refused")
BASES = ("own", "level", "break-glass", "none")  # and "grant:<id>"
# Every entry has these fields with these types; ``record`` fills the first four itself.
_OWN_FIELDS: dict[str, type] = {"seq": int, "at": str, "prev": str, "hash": str}
_GIVEN_FIELDS: dict[str, type] = {"user": str, "customer": str, "action": str, "allowed": bool,
                                  "basis": str, "route": str, "address": str}
FIELDS = {**_OWN_FIELDS, **_GIVEN_FIELDS}
_DEFAULTS = {"customer": "", "route": "", "address": ""}
_EXTRA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
_SEALED_NAME = re.compile(r"^\d{4}-\d{2}\.jsonl$")
_LOCK_TIMEOUT = 10.0  # seconds a page waits for other workers' entries before failing closed
_CHUNK = 8192


class AuditError(Exception):
    """Raised when the journal or the sealed record is not as it should be."""


class AuditUnavailable(AuditError):
    """Raised when an entry could not be written; the caller must refuse the read."""


def canonical(entry: dict[str, Any]) -> bytes:
    """Return the entry's canonical JSON (UTF-8, sorted keys, no spaces), without newline."""
    return json.dumps(entry, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def entry_hash(entry: dict[str, Any]) -> str:
    """Return the SHA-256 hex digest of the entry's canonical JSON without its ``hash``."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def utc_stamp(when: datetime) -> str:
    """Return an aware ``when`` as UTC ISO 8601 ending in ``Z``, to the millisecond."""
    if when.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_stamp(value: str) -> datetime:
    """Return the aware datetime of an entry's ``at``."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _now() -> datetime:
    return datetime.now(UTC)


def check_entry(entry: Any) -> str | None:
    """Return why a parsed line is not a well-formed entry with a matching hash, or None."""
    if not isinstance(entry, dict):
        return "not a JSON object"
    for name, kind in FIELDS.items():
        if name not in entry:
            return f"field {name} is missing"
        value = entry[name]
        # bool is an int in Python, but a seq of true is no seq.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"field {name} has the wrong type"
    if entry["seq"] < 1:
        return "seq is not positive"
    if not _AT.match(entry["at"]):
        return "at is not a UTC time"
    if entry["prev"] and not _HASH.match(entry["prev"]):
        return "prev is not a hash"
    if entry["hash"] != entry_hash(entry):
        return "hash does not match the entry (changed after it was written)"
    return None


# -- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking a chain: how many entries held, and the first that did not."""

    ok: bool
    count: int
    first_bad: int | None = None  # line number, from 1
    reason: str = ""
    seq: int | None = None  # the first bad entry's seq, when it could be read
    where: str = ""  # the file, when several are checked as one chain
    last_seq: int = 0
    last_hash: str = ""

    def describe(self) -> str:
        """Return ``[file ]line N (seq S): reason``, or a one-line summary when ok."""
        if self.ok:
            return f"{self.count} entries, chain intact"
        seq = "?" if self.seq is None else str(self.seq)
        prefix = f"{self.where} " if self.where else ""
        return f"{prefix}line {self.first_bad} (seq {seq}): {self.reason}"


def _check_line(raw: bytes, expected: int, previous: str) -> tuple[str | None, Any]:
    """Return ``(reason, seq or None)`` for a line that breaks the chain, else ``(None, entry)``."""
    try:
        entry = json.loads(raw)
    except ValueError:
        return ("empty line" if not raw.strip() else "not valid JSON"), None
    seq = entry.get("seq") if isinstance(entry, dict) else None
    seq = seq if isinstance(seq, int) and not isinstance(seq, bool) else None
    problem = check_entry(entry)
    if problem:
        return problem, seq
    if canonical(entry) != raw:
        return "not in canonical form (edited by hand?)", seq
    if entry["seq"] != expected:
        return (f"seq {entry['seq']} where {expected} was expected "
                "(an entry is missing, added or out of order)"), seq
    if entry["prev"] != previous:
        return "prev does not match the previous entry's hash", seq
    return None, entry


def verify(lines: Iterable[str | bytes], start_seq: int = 1, prev: str = "") -> VerifyResult:
    """Check JSON, form, hashes, seq continuity and prev links; name the first broken line."""
    expected, previous, count = start_seq, prev, 0
    for number, line in enumerate(lines, 1):
        raw = line.encode() if isinstance(line, str) else line
        raw = raw[:-1] if raw.endswith(b"\n") else raw
        problem, found = _check_line(raw, expected, previous)
        if problem:
            return VerifyResult(False, count, number, problem, found, "", expected - 1, previous)
        expected, previous, count = expected + 1, found["hash"], count + 1
    return VerifyResult(True, count, last_seq=expected - 1, last_hash=previous)


def _split_lines(data: bytes) -> tuple[list[bytes], bool]:
    """Return the lines of ``data`` and whether the last one ended with a newline."""
    if not data:
        return [], True
    lines = data.split(b"\n")
    complete = lines[-1] == b""
    return (lines[:-1] if complete else lines), complete


def _verify_bytes(data: bytes, start_seq: int = 1, prev: str = "",
                  where: str = "") -> VerifyResult:
    lines, complete = _split_lines(data)
    result = verify(lines, start_seq, prev)
    if result.ok and not complete:
        # A line without its newline is a write that never finished, or a cut file.
        last = json.loads(lines[-1]) if lines else {}
        result = VerifyResult(False, result.count - 1, len(lines),
                              "incomplete last line (no newline at the end)",
                              last.get("seq"), "", result.last_seq - 1, "")
    if where and not result.ok:
        result = VerifyResult(False, result.count, result.first_bad, result.reason, result.seq,
                              where, result.last_seq, result.last_hash)
    return result


def read_lines(path: str | os.PathLike) -> list[bytes]:
    """Return a journal file's lines without newlines; a missing file has none."""
    try:
        with open(path, "rb") as handle:
            return _split_lines(handle.read())[0]
    except FileNotFoundError:
        return []


def verify_file(path: str | os.PathLike) -> VerifyResult:
    """Verify a journal file from its first line; a missing file is an empty, intact chain."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return VerifyResult(True, 0)
    return _verify_bytes(data)


def sealed_paths(snapshot: Snapshot) -> list[str]:
    """Return the sealed journal files in the archive, oldest month first."""
    return [f"{AUDIT_DIR}/{name}" for name in snapshot.listdir(AUDIT_DIR)
            if _SEALED_NAME.match(name)]


def verify_sealed(snapshot: Snapshot) -> tuple[VerifyResult, list[bytes]]:
    """Verify the sealed files as one chain across months; also return all their lines."""
    seq, prev, count = 1, "", 0
    lines: list[bytes] = []
    for path in sealed_paths(snapshot):
        data = snapshot.read(path)
        result = _verify_bytes(data, seq, prev, where=path)
        if not result.ok:
            return VerifyResult(False, count + result.count, result.first_bad, result.reason,
                                result.seq, path, result.last_seq, result.last_hash), lines
        seq, prev, count = result.last_seq + 1, result.last_hash, count + result.count
        lines += _split_lines(data)[0]
    return VerifyResult(True, count, last_seq=seq - 1, last_hash=prev), lines


def compare_prefix(sealed: list[bytes], journal: list[bytes]) -> str | None:
    """Return how the sealed lines differ from the start of the journal, or None."""
    for number, line in enumerate(sealed, 1):
        if number > len(journal):
            return (f"the journal has {len(journal)} entries but {len(sealed)} are sealed: "
                    f"line {number} (seq {number}) onwards is missing from the journal")
        if journal[number - 1] != line:
            return (f"line {number} (seq {number}): the journal differs from the sealed copy")
    return None


# -- the journal ---------------------------------------------------------------------------


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

    def __init__(self, path: str | os.PathLike, clock: Callable[[], datetime] = _now):
        self.path = os.fspath(path)
        self.lock_path = self.path + ".lock"
        self.clock = clock

    def _lock(self, timeout: float = _LOCK_TIMEOUT) -> FileLock:
        # A fresh lock object per use: a shared one would count a second thread as re-entry.
        return FileLock(self.lock_path, timeout=timeout, thread_local=False)

    def record(self, **fields: Any) -> dict[str, Any]:
        """Append one entry, on disk before returning; raise AuditUnavailable if it cannot be."""
        given = self._given(fields)
        try:
            # Creating the lock file first fails at once in a read-only place, where the lock
            # library would keep retrying until its timeout.
            os.close(os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
            with self._lock():
                fd = self._open()
                try:
                    return self._append(fd, given)
                finally:
                    os.close(fd)
        except AuditUnavailable:
            raise
        except Timeout as exc:
            raise AuditUnavailable("the audit journal is locked by another process") from exc
        except (OSError, ValueError) as exc:
            raise AuditUnavailable(f"the audit journal cannot be written: {exc}") from exc

    def record_many(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Append several entries with one lock and one fsync (an export's rows); all or none."""
        given = [self._given(fields) for fields in entries]
        if not given:
            return []
        try:
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
        size = os.fstat(fd).st_size
        last = self._last(fd, size)
        made: list[dict[str, Any]] = []
        for fields in given:
            entry = {**fields, "seq": last["seq"] + 1 if last else 1,
                     "at": utc_stamp(self.clock()), "prev": last["hash"] if last else ""}
            entry["hash"] = entry_hash(entry)
            made.append(entry)
            last = entry
        try:
            _write_all(fd, b"".join(canonical(e) + b"\n" for e in made))
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)  # our own lines only, as in _append
            raise
        return made

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
        for name in _OWN_FIELDS:
            if name in given:
                raise TypeError(f"{name} is set by the journal, not the caller")
        for name, kind in _GIVEN_FIELDS.items():
            if not isinstance(given.get(name), kind):
                raise TypeError(f"audit field {name} must be a {kind.__name__}")
        for name, value in given.items():
            if name not in _GIVEN_FIELDS and not (_EXTRA_NAME.match(name)
                                                  and isinstance(value, str)):
                raise TypeError(f"audit field {name} is not allowed")
        return given

    def _append(self, fd: int, given: dict[str, Any]) -> dict[str, Any]:
        # The size is read under the lock: other workers append to the same file.
        size = os.fstat(fd).st_size
        last = self._last(fd, size)
        entry = {**given, "seq": last["seq"] + 1 if last else 1,
                 "at": utc_stamp(self.clock()), "prev": last["hash"] if last else ""}
        entry["hash"] = entry_hash(entry)
        try:
            # Unbuffered os.write, so there is nothing to flush before the fsync.
            _write_all(fd, canonical(entry) + b"\n")
            os.fsync(fd)
        except OSError:
            # Take back our own half-written line (we hold the lock), so the next entry does
            # not find a damaged last line; earlier lines are never touched.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
        return entry

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


# -- sealing into the archive --------------------------------------------------------------


def _sealed_tail(snapshot: Snapshot) -> dict[str, Any] | None:
    """Return the newest sealed entry, or None when nothing is sealed yet."""
    paths = sealed_paths(snapshot)
    if not paths:
        return None
    data = snapshot.read(paths[-1])
    lines, complete = _split_lines(data)
    entry: Any = None
    if lines and complete:
        with contextlib.suppress(ValueError):
            entry = json.loads(lines[-1])
    problem = check_entry(entry)
    if problem:
        raise AuditError(f"{paths[-1]}: the last sealed line is damaged: {problem}")
    return entry


def seal(archive: Archive, journal_path: str | os.PathLike, author: Identity,
         now: datetime | None = None) -> str | None:
    """Copy the journal's unsealed entries into ``audit/YYYY-MM.jsonl`` in one commit.

    Returns the new commit, or None when everything was already sealed.
    """
    journal = Journal(journal_path)
    end = journal.end()  # entries written after this wait for the next seal
    sealed: list[str] = []

    def build(snapshot: Snapshot) -> Change | None:
        # Read the sealed state afresh on every attempt: another worker may have sealed.
        tail = _sealed_tail(snapshot)
        seq, last_hash = (tail["seq"], tail["hash"]) if tail else (0, "")
        lines = journal.entries_after(seq, last_hash, end)
        sealed[:] = []
        if not lines:
            return None
        month = tail["at"][:7] if tail else ""
        files: dict[str, bytes] = {}
        for line in lines:
            # Months never go back, even if the clock did: the files stay one chain in order.
            month = max(month, json.loads(line)["at"][:7])
            path = f"{AUDIT_DIR}/{month}.jsonl"
            if path not in files:
                files[path] = snapshot.get(path) or b""
            files[path] += line + b"\n"
        first, last = seq + 1, seq + len(lines)
        sealed.append(f"{first}-{last}")
        message = (f"封存稽核紀錄 {first}–{last}（{len(lines)} 筆）\n\n"
                   f"Audit-Entries: {first}-{last}\nAction: audit-seal\n")
        return Change(files, message)

    head = archive.head()
    commit = archive.commit(build, author, when=now)
    return commit if sealed and commit != head else None


def _state_path(journal_path: str | os.PathLike) -> str:
    return os.fspath(journal_path) + ".sealed"


def _write_state(journal_path: str | os.PathLike, tail: dict[str, Any] | None) -> None:
    """Remember the newest sealed entry next to the journal (a cache of the archive)."""
    state = {"seq": tail["seq"], "at": tail["at"]} if tail else {"seq": 0, "at": ""}
    target = _state_path(journal_path)
    temporary = f"{target}.{os.getpid()}.{threading.get_ident()}.tmp"
    # Only a cache: without it seal_if_due asks the archive each time, which is slower but right.
    with contextlib.suppress(OSError):
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
        os.replace(temporary, target)


def _read_state(journal_path: str | os.PathLike) -> dict[str, Any] | None:
    try:
        with open(_state_path(journal_path), encoding="utf-8") as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        return None
    if not (isinstance(state, dict) and isinstance(state.get("seq"), int)
            and isinstance(state.get("at"), str)):
        return None
    return state


def seal_and_remember(archive: Archive, journal_path: str | os.PathLike, author: Identity,
                      now: datetime | None = None) -> str | None:
    """Seal, then note the newest sealed entry for ``seal_if_due``; return the new commit."""
    commit = seal(archive, journal_path, author, now)
    _write_state(journal_path, _sealed_tail(archive.snapshot()))
    return commit


def _first_stamp(journal_path: str | os.PathLike) -> str:
    """Return the time of the journal's first entry ("" if there is none or it is unreadable)."""
    try:
        with open(journal_path, "rb") as handle:
            return str(json.loads(handle.readline()).get("at", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def seal_if_due(archive: Archive, journal_path: str | os.PathLike, author: Identity,
                interval: float = 86400, now: datetime | None = None) -> str | None:
    """Seal when the last seal (or the first entry) is older than ``interval`` and more waits.

    Cheap on every request: it reads a small state file and the journal's last line, and
    touches the archive only when a seal is due. Raises AuditError when sealing fails; a page
    may log that and go on, since the entries stay in the journal for the next attempt.
    """
    now = now or _now()
    state = _read_state(journal_path)
    if state is None:
        # First call (or a lost cache): the archive says what is sealed.
        _write_state(journal_path, _sealed_tail(archive.snapshot()))
        state = _read_state(journal_path) or {"seq": 0, "at": ""}
    newest = Journal(journal_path).last()
    if newest is None or newest["seq"] <= state["seq"]:
        return None
    # Due a day after the last seal; before the first seal, a day after the first entry.
    since = state["at"] or _first_stamp(journal_path)
    if since and (now - parse_stamp(since)).total_seconds() < interval:
        return None
    try:
        # Only one worker seals; the others go on serving and find it done next time.
        with FileLock(os.fspath(journal_path) + ".seal.lock", timeout=0, thread_local=False):
            return seal_and_remember(archive, journal_path, author, now)
    except Timeout:
        return None
