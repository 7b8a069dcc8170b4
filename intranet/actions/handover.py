"""Hand a leaver's files over (R32): the administrator's action over ``records.conduct.handover``.

``records.conduct.handover.execute`` moves custody (owner, contacts) and marks the leaver as left in
one commit; this is the only other way custody changes besides ``actions.custody``, and only
the administrator may do it (asked at the head just before the commit), never for their own
files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from ..archive.repository import Archive, Change, Snapshot
from ..records.conduct import handover
from ..records.files.messages import N_
from ..records.rulebook.rules import load_rules
from . import Forbidden
from .rights import is_administrator


class _Checked:
    """The archive, whose ``commit`` asks again inside the build, at the head it follows."""

    def __init__(self, archive: Archive, check: Callable[[Snapshot], None]) -> None:
        """Remember the archive and the check."""
        self.archive = archive
        self.check = check

    def __getattr__(self, name: str) -> Any:
        """Read everything else from the real archive."""
        return getattr(self.archive, name)

    def commit(self, build: Callable[[Snapshot], Change | None], *args: Any,
               **kwargs: Any) -> str | None:
        """Commit as the archive does, refusing first if the check fails at the head."""

        def checked(snapshot: Snapshot) -> Change | None:
            self.check(snapshot)
            return build(snapshot)

        return self.archive.commit(checked, *args, **kwargs)


def execute(archive: Archive, username: str, leaver: str, assignments: dict[str, str],
            base: str, candidates: Iterable[str], left_on: str,
            today: date) -> handover.Done:
    """Hand over a leaver's planned files as the administrator; Forbidden for anyone else."""

    def check(snapshot: Snapshot) -> None:
        if not is_administrator(load_rules(snapshot), username):
            raise Forbidden(N_("Only the administrator hands over a leaver's files."))
        if username == leaver:
            raise Forbidden(N_("Another administrator must hand over your own files."))

    snapshot = archive.snapshot()
    check(snapshot)  # before any work; again inside the commit's build
    author = load_rules(snapshot).identity(username)
    # Duck-typed: records.handover uses only the archive's reading methods and ``commit``.
    checked: Any = _Checked(archive, check)
    return handover.execute(checked, leaver, assignments, base, candidates, left_on, today,
                            author)
