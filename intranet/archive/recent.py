"""The commits one Archive object made itself, remembered so that following them costs no git.

After a save the index catches up with the head: it asks whether the commit it reflects is an
ancestor of the head (``git merge-base``) and for the commits in between with their paths
(``git log --name-status``). When every commit in between was made by this process, their
parents, authors, messages and changed paths are already known here, so both answers come
from memory. Anything not remembered (another process's commit, a message git might read
differently) returns None and the caller asks git as before.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import datetime

from .objects import Identity

# A trailer line exactly as the app writes them; anything else sends the caller to git.
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*): (\S(?:.*\S)?)$")
# git's isspace(): only these count as blank or trailing space in a message.
_GIT_SPACE = " \t\n\r"
_KEPT = 512


class Recent:
    """A bounded, thread-safe memory of commits: id -> (parent, Version)."""

    def __init__(self, size: int = _KEPT):
        self._size = size
        self._made: OrderedDict[str, tuple[str | None, object]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, commit: str, parent: str | None, version: object) -> None:
        """Keep one commit (its Version as ``Archive.log`` would return it)."""
        with self._lock:
            self._made[commit] = (parent, version)
            while len(self._made) > self._size:
                self._made.popitem(last=False)

    def chain(self, since: str | None, until: str) -> list | None:
        """Return the Versions after ``since`` up to ``until``, newest first, or None when
        any of them is not remembered (or ``since`` is not reached)."""
        found = []
        at: str | None = until
        with self._lock:
            while at != since:
                if at is None:
                    return None  # walked past the root without meeting ``since``
                known = self._made.get(at)
                if known is None:
                    return None
                found.append(known[1])
                at = known[0]
        return found

    def clear(self) -> None:
        """Forget everything (after a history rewrite, say)."""
        with self._lock:
            self._made.clear()


def subject_and_trailers(message: str) -> tuple[str, dict[str, str]] | None:
    """Return the subject (``%s``) and the trailers of a message the way ``git log`` reads
    them, or None when the message is not in the app's simple shape (then git must read it).

    The app's shape: a subject paragraph, optional body paragraphs, and a last paragraph made
    only of ``Key: value`` lines, each key once, no comment or patch-divider lines.
    """
    text = message.strip("\n") + "\n"
    lines = text.split("\n")[:-1]
    if any(line.startswith(("#", "---")) or "\r" in line for line in lines):
        return None
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip(_GIT_SPACE):
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    if not paragraphs[-1]:
        paragraphs.pop()
    if not paragraphs or lines[0].strip(_GIT_SPACE) == "":
        return None
    subject = " ".join(line.rstrip(_GIT_SPACE) for line in paragraphs[0])
    trailers: dict[str, str] = {}
    if len(paragraphs) > 1:
        for line in paragraphs[-1]:
            match = _TRAILER.match(line)
            if match is None or match.group(1).lower() in trailers:
                return None
            trailers[match.group(1).lower()] = match.group(2)
    return subject, trailers


def clean_identity(identity: Identity) -> tuple[str, str]:
    """Return the name and e-mail as the commit header holds them (``%an``, ``%ae``)."""
    signature = identity.signature(datetime(2000, 1, 1)).decode()
    name, _, rest = signature.partition(" <")
    return name, rest.partition(">")[0]
