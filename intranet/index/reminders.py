"""What waits for one member of staff in the files, answered from the index (issue 14).

Due follow-ups (planned next contacts), customer forms to review (R10) and open hand-over steps
(R32) of the files someone keeps, is in contact with, or wrote the plan of. Rows name files
(id, name) and dates only; the caller still asks the access module before showing any.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Index

# Files someone keeps or is a named contact of (custody.contacts is space-separated).
_MINE = "(c.owner = :me OR instr(' ' || c.contacts || ' ', ' ' || :me || ' ') > 0)"


def due_followups(index: Index, username: str, due_by: str) -> list[dict[str, Any]]:
    """Return the open planned contacts due by ``due_by`` (ISO) on someone's files, the
    newest obligation first."""
    index.catch_up()
    rows = index.db.connect().execute(
        "SELECT f.customer, f.position, f.staff, f.date, f.next_contact, c.name, c.owner"
        " FROM followups f JOIN customers c ON c.id = f.customer"
        f" WHERE c.damaged IS NULL AND f.next_contact <= :due AND ({_MINE} OR f.staff = :me)"
        " ORDER BY f.next_contact DESC, c.num", {"me": username, "due": due_by})
    return [dict(r) for r in rows]


def forms_to_review(index: Index, username: str) -> list[dict[str, Any]]:
    """Return the customer forms waiting for review on files someone keeps or sent a link
    for, the oldest first."""
    index.catch_up()
    rows = index.db.connect().execute(
        "SELECT r.customer, r.proposal, r.submitted_on, r.submitted_by, r.link_by, c.name"
        " FROM form_reviews r JOIN customers c ON c.id = r.customer"
        " WHERE c.damaged IS NULL AND (c.owner = :me OR r.link_by = :me)"
        " ORDER BY r.submitted_on, c.num", {"me": username})
    return [dict(r) for r in rows]


def handovers_for(index: Index, username: str, readable: tuple[str, list[Any]],
                  ) -> list[dict[str, Any]]:
    """Return the hand-over steps someone took over that are still to do on files they may
    read (``readable``: the access module's SQL test of table ``c``), oldest first."""
    index.catch_up()
    can, params = readable
    rows = index.db.connect().execute(
        "SELECT h.customer, h.position, h.leaver, h.handed_on, h.told_on, h.first_contact,"
        " c.name FROM handover_steps h JOIN customers c ON c.id = h.customer"
        f" WHERE {can} AND h.successor = ? AND (h.told_on = '' OR h.first_contact = '')"
        " ORDER BY h.handed_on, c.num", [*params, username])
    return [dict(r) for r in rows]
