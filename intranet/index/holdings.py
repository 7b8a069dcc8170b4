"""Find the files a member of staff holds, as custodian or contact, from the derived index."""

from __future__ import annotations

from typing import Any

from . import Index


def held_by(index: Index, username: str) -> list[dict[str, Any]]:
    """Return the index rows of files naming someone as owner or contact, by id.

    The rows are only candidates: the index may lag, so callers read the files themselves
    before acting on them.
    """
    if not username:
        return []
    index.catch_up()
    rows = index.db.connect().execute(
        "SELECT * FROM customers WHERE owner = ?"
        " OR instr(' ' || coalesce(contacts, '') || ' ', ?) > 0 ORDER BY num",
        (username, f" {username} "),
    ).fetchall()
    return [dict(r) for r in rows]
