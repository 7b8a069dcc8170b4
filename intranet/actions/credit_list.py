"""The credit page's lists (R28): every exception and the review list, from the index.

The files are those whose figures the actor may see (``access.figures_sql``: company-wide for
``analysis.company_roles``, a department manager's department, a salesperson's own files). The
caller journals each file it shows as a "figures" read (``Reader.allow_rows``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..index.credit import credit_rows
from ..index.memo import per_commit
from ..records.rights import access
from ..records.sales.credit_review import Position, position, record_of_row

EXCEPTIONS, REVIEW, WARNINGS = "exceptions", "review", "warnings"
SHOWS = (EXCEPTIONS, REVIEW, WARNINGS)


@dataclass(frozen=True)
class Line:
    """One file on the credit page: its index row and its credit position."""

    row: dict[str, Any]
    position: Position

    @property
    def id(self) -> str:
        """Return the file's id."""
        return str(self.row["id"])


def lines(reader: Any, actor: access.Actor, today: date, show: str = EXCEPTIONS, *,
          grade: str = "", owner: str = "", department: str = "") -> list[Line]:
    """Return the files of one list (``show`` "": every file) whose figures the actor sees."""
    rules = reader.rules()
    condition = access.figures_sql(actor, rules.policy, rules.directory, reader.grants())
    found: list[Line] = []
    for row in credit_rows(reader.stores.index, condition, owner=owner or None,
                           department=department or None):
        if grade and (row.get("grade") or "") != grade:
            continue
        held = position(record_of_row(row), rules.policy, today)
        wanted = {EXCEPTIONS: held.standing.exception, REVIEW: bool(held.review),
                  WARNINGS: held.warning}.get(show, True)
        if wanted:
            found.append(Line(row, held))
    return found


def counts(reader: Any, actor: access.Actor, today: date, department: str = ""
           ) -> dict[str, int]:
    """Return how many files are exceptions, unapproved ones, on review, with warnings."""
    rules = reader.rules()
    condition, params = access.figures_sql(actor, rules.policy, rules.directory,
                                           reader.grants())

    def count() -> dict[str, int]:
        every = [line.position for line in lines(reader, actor, today, "",
                                                 department=department)]
        return {"exceptions": sum(p.standing.exception for p in every),
                "unapproved": sum(p.standing.exception and not p.standing.approved
                                  for p in every),
                "review": sum(bool(p.review) for p in every),
                "warnings": sum(p.warning for p in every)}

    # The same head, day and scope give the same counts (the grants are in the archive too).
    return dict(per_commit(reader.stores.index, ("credit_counts", today, department,
                                                 condition, tuple(params)), count))
