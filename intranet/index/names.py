"""Name customer files from the derived index, only those the asker may read (R36)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import Index


def readable_names(index: Index, ids: Iterable[str],
                   readable: tuple[str, list[Any]]) -> dict[str, str]:
    """Return {id: name} for the given files that the ``readable`` SQL condition allows.

    A file the asker may not read keeps its bare id: its name is part of its contents.
    """
    wanted = sorted({str(i) for i in ids if i})
    if not wanted:
        return {}
    condition, params = readable
    index.catch_up()
    rows = index.db.connect().execute(
        f"SELECT c.id, c.name FROM customers c WHERE c.id IN ({', '.join('?' * len(wanted))})"
        f" AND {condition}", [*wanted, *params]).fetchall()
    return {str(r["id"]): str(r["name"]) for r in rows if r["name"]}
