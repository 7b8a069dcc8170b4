"""The journal's tip: the newest entry ever written, kept beside it to expose a cut tail (R35).

A hash chain shows an edited or removed line in the middle, but a journal cut back to any
earlier entry is still an intact chain. So every append also rewrites ``audit.jsonl.tip``
(one fixed-width line: seq and hash of the newest entry), under the journal's lock, after the
entries are on disk. A journal that ends before the tip lost entries; a journal whose entry at
the tip's seq has another hash had its tail replaced. When the next append finds the journal
behind its tip it notes that in ``audit.jsonl.truncations`` before the tip moves on, so the
evidence outlives the next read. ``flask audit-verify`` reports both. No Flask imports here.

The tip is not fsynced: after a power cut it may lag behind the journal (which was fsynced
first), which is never mistaken for a truncation; it can never run ahead of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from intranet.records.trail.audit import AuditError, utc_stamp

TIP_SUFFIX = ".tip"
TRUNCATIONS_SUFFIX = ".truncations"
_TIP = re.compile(rb"^(\d{20}) ([0-9a-f]{64})\n$")
_TIP_SIZE = 86  # 20 digits, a space, 64 hex digits, a newline


@dataclass(frozen=True)
class Tip:
    """The newest entry written: its seq and hash."""

    seq: int
    hash: str


def tip_path(journal_path: str | os.PathLike) -> str:
    return os.fspath(journal_path) + TIP_SUFFIX


def truncations_path(journal_path: str | os.PathLike) -> str:
    return os.fspath(journal_path) + TRUNCATIONS_SUFFIX


def read_tip(journal_path: str | os.PathLike) -> Tip | None:
    """Return the recorded tip, None when there is none; raise AuditError when it is damaged."""
    try:
        with open(tip_path(journal_path), "rb") as handle:
            data = handle.read(_TIP_SIZE + 1)
    except FileNotFoundError:
        return None
    match = _TIP.match(data)
    if not match:
        raise AuditError(f"{tip_path(journal_path)} is damaged")
    return Tip(int(match[1]), match[2].decode())


def write_tip(journal_path: str | os.PathLike, entry: dict[str, Any]) -> None:
    """Record ``entry`` as the newest written; the caller holds the journal's lock."""
    data = f"{entry['seq']:020d} {entry['hash']}\n".encode()
    # One small write over the same bytes: cheaper than a temporary file and a rename on every
    # read of a customer file, and a sector is written whole.
    fd = os.open(tip_path(journal_path), os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        os.pwrite(fd, data, 0)
    finally:
        os.close(fd)


def note_if_cut(journal_path: str | os.PathLike, last: dict[str, Any] | None,
                now: Any) -> None:
    """Before an append: when the journal ends behind its tip, keep that as evidence."""
    try:
        tip = read_tip(journal_path)
    except AuditError:
        tip = Tip(-1, "")  # damaged: noted below, then rewritten by this append
    if tip is None:
        return
    seq, digest = (last["seq"], last["hash"]) if last else (0, "")
    if tip.seq < seq or (tip.seq == seq and tip.hash == digest):
        return  # intact, or a tip lagging after a power cut
    record = {"noticed_at": utc_stamp(now), "journal_seq": seq, "journal_hash": digest,
              "tip_seq": tip.seq, "tip_hash": tip.hash}
    line = json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    fd = os.open(truncations_path(journal_path),
                 os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def start_tip(journal_path: str | os.PathLike, last: dict[str, Any] | None) -> bool:
    """Give a journal written before tips existed its tip; return whether one was made."""
    if last is None or os.path.exists(tip_path(journal_path)):
        return False
    write_tip(journal_path, last)
    return True


def _removed(journal_seq: int, tip_seq: int, sealed_seq: int) -> str:
    return (f"journal ends at seq {journal_seq} but entries up to seq {tip_seq} were written "
            f"({tip_seq - journal_seq} removed after the last seal at seq {sealed_seq})")


def tail_problems(journal_path: str | os.PathLike, lines: list[bytes] | None,
                  sealed_seq: int) -> list[str]:
    """Return how the journal's end disagrees with its tip and earlier noted cuts.

    ``lines`` are the journal's lines when its chain is intact, else None: then only the
    noted cuts are reported (the chain's own break says the rest).
    """
    problems: list[str] = []
    with contextlib.suppress(FileNotFoundError), \
            open(truncations_path(journal_path), "rb") as handle:
        for raw in handle:
            try:
                cut = json.loads(raw)
                problems.append(_removed(cut["journal_seq"], cut["tip_seq"], sealed_seq)
                                + f", noticed at {cut['noticed_at']} when the next entry "
                                  "was written")
            except (ValueError, KeyError, TypeError):
                problems.append(f"{truncations_path(journal_path)} has a damaged line")
    if lines is None:
        return problems
    try:
        tip = read_tip(journal_path)
    except AuditError as exc:
        return [*problems, str(exc)]
    if tip is None:
        if lines:
            problems.append(f"{tip_path(journal_path)} is missing: the newest entry written "
                            "is unknown, so a cut tail cannot be ruled out")
        return problems
    if tip.seq > len(lines):
        problems.append(_removed(len(lines), tip.seq, sealed_seq))
    else:
        # Seqs run 1, 2, 3 … in an intact chain, so the tip's entry is line number tip.seq.
        with contextlib.suppress(ValueError, IndexError, TypeError):
            if json.loads(lines[tip.seq - 1])["hash"] == tip.hash:
                return problems
        problems.append(f"journal entry seq {tip.seq} is not the one written there "
                        f"(the tail after it was replaced)")
    return problems
