"""The home page's own sections: my files, my tasks, and requests waiting for my signature.

Tasks are not in the derived index; they are assigned to a file's new custodian or contact, so
scanning the files someone holds (index: owner, contacts) finds them all. Each file is shown
only if the access module lets the person read it; these are one's own files, so nothing is
journalled, as the customer list does not journal the catalogue either.
"""

from __future__ import annotations

from typing import Any

from .. import services
from ..index import Query
from ..index.holdings import held_by
from ..records import requests, tasks
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
    svc, me = services.get(), str(user.username)
    found = []
    for row in held_by(svc.index, me):
        if row.get("damaged") or not reading.may(str(row["id"]), user, "view"):
            continue
        record = svc.files.load(str(row["id"])).record
        found.append((str(row["id"]), str(row.get("name") or ""), record))
    mine = tasks.assigned_to(found, me, today())
    return {"tasks": mine} if mine else None


@home_panel("main/_waiting.html", order=30)
def waiting(user: Any) -> dict[str, Any] | None:
    """Access requests whose current step waits for my signature."""
    rows = requests.waiting_for(services.get().archive.snapshot(), str(user.username))
    return {"requests": rows, "staff_name": reading.staff_name} if rows else None
