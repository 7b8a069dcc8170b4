"""R31's and R32's lists answered from the index: important customers short of contacts, and
hand-overs with overdue steps. Rows name files (id, name, department) and people; no contents.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Index


def important_files(index: Index, readable: tuple[str, list[Any]],
                    departments: Iterable[str] | None = None,
                    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """Return the readable important or promising files (of some departments, or all) and
    each one's latest contact report per member of staff."""
    index.catch_up()
    can, params = readable
    where = [can, "c.damaged IS NULL"]
    args: list[Any] = list(params)
    if departments is not None:
        wanted = sorted(departments)
        if not wanted:
            return [], {}
        where.append(f"c.department IN ({', '.join('?' * len(wanted))})")
        args += wanted
    conn = index.db.connect()
    rows = [dict(r) for r in conn.execute(
        "SELECT c.id AS customer, c.name, c.department, c.owner, c.contacts, i.reasons"
        " FROM important i JOIN customers c ON c.id = i.customer WHERE "
        + " AND ".join(where) + " ORDER BY c.department, c.num", args)]
    last: dict[str, dict[str, str]] = {}
    ids = [r["customer"] for r in rows]
    for at in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        chunk = ids[at:at + 500]
        for row in conn.execute(
                "SELECT customer, staff, max(date) AS last FROM contact_log WHERE customer IN"
                f" ({', '.join('?' * len(chunk))}) GROUP BY customer, staff", chunk):
            last.setdefault(row["customer"], {})[row["staff"]] = row["last"]
    return rows, last


def handover_steps(index: Index, open_only: bool = True, leaver: str | None = None,
                   departments: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Return the hand-over steps recorded in the files, newest hand-over first.

    ``open_only`` keeps those with a step still to do (customer not told or no first contact
    yet); ``departments`` keeps files of those departments.
    """
    index.catch_up()
    sql = ("SELECT h.*, c.name, c.department FROM handover_steps h"
           " JOIN customers c ON c.id = h.customer WHERE 1")
    args: list[Any] = []
    if open_only:
        sql += " AND (h.told_on = '' OR h.first_contact = '')"
    if leaver is not None:
        sql += " AND h.leaver = ?"
        args.append(leaver)
    if departments is not None:
        wanted = sorted(departments)
        if not wanted:
            return []
        sql += f" AND c.department IN ({', '.join('?' * len(wanted))})"
        args += wanted
    rows = index.db.connect().execute(sql + " ORDER BY h.handed_on DESC, c.num", args)
    return [dict(r) for r in rows]
