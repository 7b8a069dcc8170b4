"""Seal the read-audit journal into the archive as ``audit/YYYY-MM.jsonl`` (R35, R38).

The journal (``records/trail/audit.py``) lives on the server; sealing copies its unsealed
entries into
the archive in one commit, so every clone and backup holds them and git's history shows any
later change. ``seal_if_due`` is cheap enough to call after every journalled request; cron and
``flask --app app backup`` call ``seal`` too, so a quiet server still seals at least daily.
No Flask imports here.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from datetime import datetime
from typing import Any

from filelock import FileLock, Timeout

from intranet.archive.objects import Identity
from intranet.archive.repository import Archive, Change, Snapshot
from intranet.records.trail.audit import (
    AUDIT_DIR,
    AuditError,
    check_entry,
    now_utc,
    parse_stamp,
    sealed_paths,
    split_lines,
)
from intranet.records.trail.journal import Journal


def _sealed_tail(snapshot: Snapshot) -> dict[str, Any] | None:
    """Return the newest sealed entry, or None when nothing is sealed yet."""
    paths = sealed_paths(snapshot)
    if not paths:
        return None
    data = snapshot.read(paths[-1])
    lines, complete = split_lines(data)
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
    now = now or now_utc()
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
