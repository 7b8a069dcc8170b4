"""What a commit does (Change) and how a history page shows one (Version)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from .objects import Identity
from .recent import clean_identity, subject_and_trailers


@dataclass
class Change:
    """What one commit does: new file contents (None removes a file) and its message."""

    files: dict[str, bytes | None]
    message: str


@dataclass(frozen=True)
class Version:
    """One commit as a history page shows it."""

    commit: str
    author_name: str
    author_email: str
    authored_at: datetime
    subject: str
    action: str = ""
    paths: tuple[tuple[str, str], ...] = field(default=())  # (status A/M/D, path)
    source: str = ""  # the Source: trailer (R10): visit, customer_form, agency, import …
    reason: str = ""  # the Reason: trailer of a custody change (R33)


def own_version(commit: str, author: Identity, when: datetime, message: str,
                 paths: tuple[tuple[str, str], ...]) -> Version | None:
    """Return the Version ``git log`` would give for a commit made here, or None."""
    read = subject_and_trailers(message)
    if read is None:
        return None
    subject, trailers = read
    name, email = clean_identity(author)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # %aI: whole seconds, in the offset the commit header holds.
    minutes = int(when.utcoffset().total_seconds() // 60)
    zone = timezone(timedelta(minutes=minutes)) if minutes else UTC
    authored = datetime.fromtimestamp(int(when.timestamp()), zone)
    return Version(commit, name, email, authored, subject, trailers.get("action", ""), paths,
                   trailers.get("source", ""), trailers.get("reason", ""))


def parse_version(chunk: str) -> Version:
    """Return the Version of one commit in the log format ``Archive.log`` asks git for."""
    head, _, rest = chunk.strip("\n").partition("\n")
    sha, name, email, date, subject, action, source, reason = (head.split("\x1f") + [""] * 8)[:8]
    paths = []
    for line in rest.splitlines():
        status, _, path = line.partition("\t")
        if path:
            paths.append((status[:1], path))
    return Version(
        sha, name, email, datetime.fromisoformat(date), subject, action.strip(), tuple(paths),
        source.strip(), reason.strip(),
    )
