"""Who last changed each line of a file: ``git blame`` on the bare archive, at one commit.

No Flask here. The customer page asks for it only when a reader wants to see who changed
what, so the card itself never pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from .repository import Archive


@dataclass(frozen=True)
class LineOrigin:
    """The commit that last changed one line, and its author."""

    commit: str
    author_name: str
    author_email: str
    authored_at: datetime
    summary: str


def _zone(offset: str) -> timezone:
    """Return the time zone of a ``+0800``-style offset (UTC when unreadable)."""
    try:
        sign = -1 if offset.startswith("-") else 1
        minutes = int(offset[1:3]) * 60 + int(offset[3:5])
    except (ValueError, IndexError):
        return UTC
    return timezone(sign * timedelta(minutes=minutes))


def blame(archive: Archive, path: str, commit: str) -> list[LineOrigin]:
    """Return, for each line of ``path`` at ``commit`` (first line first), where it came from."""
    out = archive._git("blame", "--line-porcelain", commit, "--", path).stdout
    found: list[LineOrigin] = []
    head: dict[str, str] = {}
    sha = ""
    for raw in out.split(b"\n"):
        if raw.startswith(b"\t"):
            # The line's own text ends each entry; everything needed is in the header before.
            when = datetime.fromtimestamp(int(head.get("author-time", "0") or 0),
                                          _zone(head.get("author-tz", "")))
            found.append(LineOrigin(sha, head.get("author", ""),
                                    head.get("author-mail", "").strip("<>"), when,
                                    head.get("summary", "")))
            head, sha = {}, ""
            continue
        line = raw.decode("utf-8", errors="replace")
        key, _space, value = line.partition(" ")
        if not sha and len(key) == 40:
            sha = key
        else:
            head[key] = value
    return found
