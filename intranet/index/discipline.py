"""Late contact records, neglected files and ranked prospects, answered from the index.

The rows name files (id, name, custodian) and dates; never a file's contents (R36).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ..records.zone import local_date
from . import Index, neglect

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
    """Return the stretches in which an incomplete file was not improved for more than ``days``.

    Days are the company zone's (``zone``; without one, the day as the author lived it).
    Each row has customer, name, owner (the custodian in that segment), completeness,
    last_change (the day the stretch began), since (the segment's first day) and until (its
    last day, None while it lasts); see ``records.neglect``. ``since`` leaves out segments
    that ended before it; ``open_only`` keeps only the ones that still last.
    """
    return neglect.runs(index, today, days, since=since, owner=owner, open_only=open_only,
                        zone=zone)


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
