"""The home page's own sections: my files, my tasks, and requests waiting for my signature.

Tasks are not in the derived index; they are assigned to a file's new custodian or contact, so
scanning the files someone holds (index: owner, contacts) finds them all; each version's tasks
are parsed once (cached by blob id). Each file is shown
only if the access module lets the person read it; these are one's own files, so nothing is
journalled, as the customer list does not journal the catalogue either.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .. import services
from ..archive.errors import ArchiveError
from ..index import Query
from ..index.holdings import held_by
from ..records.files import tasks, yamlio
from ..records.rights import requests
from .clock import today
from .customers import reading
from .panels import home_panel

MY_FILES_SHOWN = 10


@home_panel("main/_my_files.html", order=10)
def my_files(user: Any) -> dict[str, Any] | None:
    """The files I keep, the latest changed first."""
    page = reading.find(Query(owner=str(user.username), sort="updated", desc=True,
                              per_page=MY_FILES_SHOWN), user, only_readable=True)
    return {"rows": page.rows, "total": page.total} if page.total else None


@home_panel("main/_my_tasks.html", order=20)
def my_tasks(user: Any) -> dict[str, Any] | None:
    """My open tasks across the files I hold, the oldest due first."""
    me = str(user.username)
    found = [(str(row["id"]), str(row.get("name") or ""), {"tasks": list(_tasks(row["blob"]))})
             for row in held_by(services.get().index, me)
             if not row.get("damaged") and reading.may(str(row["id"]), user, "view")]
    mine = tasks.assigned_to(found, me, today())
    return {"tasks": mine} if mine else None


@lru_cache(maxsize=4096)
def _tasks(blob: str) -> tuple[dict[str, Any], ...]:
    """Return the task entries of a file's version; a blob never changes, so cache by its id."""
    try:
        record = yamlio.load(services.get().archive.read_object(blob)[1])
    except ArchiveError:  # a damaged version (CorruptRecord) has no tasks to show
        return ()
    return tuple(t for t in record.get("tasks") or [] if isinstance(t, dict))


@home_panel("main/_waiting.html", order=30)
def waiting(user: Any) -> dict[str, Any] | None:
    """Access requests whose current step waits for my signature."""
    rows = requests.waiting_for(services.get().archive.snapshot(), str(user.username))
    return {"requests": rows, "staff_name": reading.staff_name} if rows else None
