"""Hand a leaver's files over (R32): the administrator's action over ``records.handover``.

``records.handover.execute`` moves custody (owner, contacts) and marks the leaver as left in
one commit; this is the only other way custody changes besides ``actions.custody``, and only
the administrator may do it (asked at the head just before the commit), never for their own
files.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..archive.repository import Archive
from ..records import handover
from ..records.rules import load_rules
from . import Forbidden
from .rights import is_administrator


def execute(archive: Archive, username: str, leaver: str, assignments: dict[str, str],
            base: str, candidates: Iterable[str], left_on: str,
            today: date) -> handover.Done:
    """Hand over a leaver's planned files as the administrator; Forbidden for anyone else."""
    rules = load_rules(archive.snapshot())
    if not is_administrator(rules, username):
        raise Forbidden("Only the administrator hands over a leaver's files.")
    if username == leaver:
        raise Forbidden("Another administrator must hand over your own files.")
    return handover.execute(archive, leaver, assignments, base, candidates, left_on, today,
                            rules.identity(username))
