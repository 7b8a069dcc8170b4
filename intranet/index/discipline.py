"""Late contact records, neglected files and ranked prospects, answered from the index.

The rows name files (id, name, custodian) and dates; never a file's contents (R36).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..records.discipline import as_date
from ..records.zone import local_date
from . import Index

PROSPECT_FILTERS = ("region", "industry", "grade")


def late_contacts(index: Index, start: date, end: date,
                  staff: str | None = None) -> list[dict[str, Any]]:
    """Return the late contact entries recorded between two days, oldest first."""
    index.catch_up()
    sql = ("SELECT l.customer, c.name, l.staff, l.date, l.recorded_on, l.days_late"
           " FROM late_contacts l JOIN customers c ON c.id = l.customer"
           " WHERE l.recorded_on BETWEEN ? AND ?")
    params: list[Any] = [start.isoformat(), end.isoformat()]
    if staff is not None:
        sql += " AND l.staff = ?"
        params.append(staff)
    rows = index.db.connect().execute(sql + " ORDER BY l.recorded_on, l.customer, l.position",
                                      params).fetchall()
    return [dict(r) for r in rows]


def neglect_runs(index: Index, today: date, days: int, since: date | None = None,
                 owner: str | None = None, open_only: bool = False,
                 zone: ZoneInfo | None = None) -> list[dict[str, Any]]:
    """Return the stretches in which an incomplete file went unchanged for more than ``days``.

    Each row has customer, name, owner (the custodian in that version), completeness,
    last_change (the day the stretch began) and until (the day of the next change, None while
    it lasts). ``since`` leaves out stretches that ended before it; ``open_only`` keeps only
    the ones that still last.
    """
    index.catch_up()
    # authored_at carries the author's offset; the day is the company zone's (``zone``; without
    # one, the day as the author lived it). One day of slack in SQL, the exact test in Python.
    cutoff = (today - timedelta(days=days - 1)).isoformat()
    sql = ("SELECT v.customer, c.name, v.owner, v.completeness, v.authored_at,"
           " (SELECT w.authored_at FROM versions w WHERE w.customer = v.customer"
           "  AND w.seq = v.seq + 1) AS next_at"
           " FROM versions v LEFT JOIN customers c ON c.id = v.customer"
           " WHERE v.completeness < 100 AND v.status != 'D' AND v.authored_at < ?")
    params: list[Any] = [cutoff]
    if owner is not None:
        sql += " AND v.owner = ?"
        params.append(owner)
    found = []
    for row in index.db.connect().execute(sql + " ORDER BY v.customer, v.seq", params):
        began, until = _day(row["authored_at"], zone), _day(row["next_at"], zone)
        if until is not None and until > today:
            until = None  # as of "today" the stretch still lasted
        if began is None or (open_only and until is not None):
            continue
        if (until or today) > today or ((until or today) - began).days <= days:
            continue
        if since is not None and until is not None and until < since:
            continue
        found.append({"customer": row["customer"], "name": row["name"] or "",
                      "owner": row["owner"] or "", "completeness": row["completeness"],
                      "last_change": began, "until": until})
    return found


def _day(stamp: str | None, zone: ZoneInfo | None) -> date | None:
    """Return a commit time's day in the company zone (or as its author lived it)."""
    return local_date(stamp, zone) if zone is not None else as_date(stamp)


def handovers(index: Index, zone: ZoneInfo) -> dict[str, list[date]]:
    """Return the days each file was handed over (commits with ``Action: handover``, R32)."""
    index.catch_up()
    found: dict[str, list[date]] = {}
    for row in index.db.connect().execute(
            "SELECT customer, authored_at FROM versions WHERE action = 'handover'"
            " ORDER BY customer, seq"):
        day = local_date(row["authored_at"], zone)
        if day is not None:
            found.setdefault(row["customer"], []).append(day)
    return found


def prospects(index: Index, readable: tuple[str, list[Any]], filters: dict[str, str],
              limit: int = 200) -> list[dict[str, Any]]:
    """Return the prospects the asker may read, best sales-power score first (R29).

    Files the asker may not read are left out altogether: a hidden file's place in a ranking
    would tell its score, and its stage is itself content.
    """
    index.catch_up()
    can, can_params = readable
    where = [can, "c.stage = 'prospect'", "c.damaged IS NULL"]
    params: list[Any] = list(can_params)
    for name in PROSPECT_FILTERS:
        if filters.get(name):
            where.append(f"c.{name} = ?")
            params.append(filters[name])
    rows = index.db.connect().execute(
        "SELECT c.id, c.name, c.region, c.industry, c.grade, c.owner, c.vip, c.sales_power,"
        " c.completeness FROM customers c WHERE " + " AND ".join(where)
        + " ORDER BY c.sales_power IS NULL, c.sales_power DESC, c.num LIMIT ?",
        [*params, limit]).fetchall()
    return [dict(r) for r in rows]
