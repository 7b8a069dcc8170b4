"""The read-audit trail: a hash-chained, append-only journal, sealed into the archive.

Every read of a customer file's contents and every refusal is one line of
``instance/audit.jsonl``: a JSON object (UTF-8, sorted keys, no spaces) carrying ``seq``, ``at``
(UTC), ``user``, ``customer``, ``action``, ``allowed``, ``basis``, ``route``, ``address``,
``prev`` (the previous entry's hash) and ``hash`` (SHA-256 of the entry without ``hash``).
Editing, deleting or reordering any line breaks the chain at that line, which ``verify`` names.

The journal is local to the server, so ``records/trail/sealing.py`` copies it ("seals" it) into the
archive as ``audit/YYYY-MM.jsonl``. No Flask imports here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from intranet.archive.repository import Snapshot

AUDIT_DIR = "audit"
ACTIONS = ("view", "history", "version", "diff", "document", "export", "reports", "figures",
           "refused")
BASES = ("own", "level", "department", "analysis", "break-glass", "none")  # and "grant:<id>"
# Every entry has these fields with these types; ``record`` fills the first four itself.
OWN_FIELDS: dict[str, type] = {"seq": int, "at": str, "prev": str, "hash": str}
GIVEN_FIELDS: dict[str, type] = {"user": str, "customer": str, "action": str, "allowed": bool,
                                  "basis": str, "route": str, "address": str}
FIELDS = {**OWN_FIELDS, **GIVEN_FIELDS}
_HASH = re.compile(r"^[0-9a-f]{64}$")
_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
_SEALED_NAME = re.compile(r"^\d{4}-\d{2}\.jsonl$")


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


def now_utc() -> datetime:
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


def split_lines(data: bytes) -> tuple[list[bytes], bool]:
    """Return the lines of ``data`` and whether the last one ended with a newline."""
    if not data:
        return [], True
    lines = data.split(b"\n")
    complete = lines[-1] == b""
    return (lines[:-1] if complete else lines), complete


def _verify_bytes(data: bytes, start_seq: int = 1, prev: str = "",
                  where: str = "") -> VerifyResult:
    lines, complete = split_lines(data)
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
            return split_lines(handle.read())[0]
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
        lines += split_lines(data)[0]
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
