"""Late contact records, neglected files and ranked prospects, answered from the index.

The rows name files (id, name, custodian) and dates; never a file's contents (R36).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ..records.conduct.discipline import as_date
from ..records.conduct.neglect import VersionFacts, restarts_clock, stretches
from ..records.rulebook.zone import local_date
from . import Index

# R29: the ranking's filters (index columns): domestic/international, direct/indirect, the
# classification (R23) and the grade.
PROSPECT_FILTERS = ("market", "channel", "region", "industry", "nature", "customer_type",
                    "grade")


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
    last day, None while it lasts); see ``records.conduct.neglect``. ``since`` leaves out segments
    that ended before it; ``open_only`` keeps only the ones that still last.
    """
    index.catch_up()
    index.history_settled()
    conn = index.db.connect()
    # Only files that were ever incomplete (and, for one person, ever theirs) can have any.
    where = "completeness BETWEEN 0 AND 99"
    params: list[Any] = []
    if owner is not None:
        where = "owner = ?"
        params.append(owner)
    rows = conn.execute(
        "SELECT v.customer, v.seq, v.status, v.authored_at, v.completeness, v.owner,"
        " v.missing, c.name FROM versions v LEFT JOIN customers c ON c.id = v.customer"
        f" WHERE v.customer IN (SELECT DISTINCT customer FROM versions WHERE {where})"
        " ORDER BY v.customer, v.seq", params).fetchall()
    found: list[dict[str, Any]] = []
    at = 0
    while at < len(rows):
        end = at
        while end < len(rows) and rows[end]["customer"] == rows[at]["customer"]:
            end += 1
        group = rows[at:end]
        for segment in stretches(group[0]["customer"], group[-1]["name"] or "",
                                 _facts(group, zone), today, days):
            if owner is not None and segment["owner"] != owner:
                continue
            if open_only and segment["until"] is not None:
                continue
            if since is not None and segment["until"] is not None and segment["until"] < since:
                continue
            found.append(segment)
        at = end
    return found


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
        "SELECT c.id, c.name, c.region, c.industry, c.nature, c.customer_type, c.market,"
        " c.channel, c.grade, c.owner, c.department, c.level, c.contacts, c.vip,"
        " c.sales_power, c.completeness FROM customers c WHERE " + " AND ".join(where)
        + " ORDER BY c.sales_power IS NULL, c.sales_power DESC, c.num LIMIT ?",
        [*params, limit]).fetchall()
    return [dict(r) for r in rows]


def unscored(index: Index, zone: ZoneInfo, owner: str | None = None) -> list[dict[str, Any]]:
    """Return the files with no sales-power analysis (R16): id, name, custodian, opened on.

    ``opened_on`` is the day (company zone) of the file's first version; a damaged file is
    left out, as its score cannot be read.
    """
    index.catch_up()
    sql = ("SELECT c.id AS customer, c.name, c.owner, c.department, c.level, c.contacts,"
           " c.created_at FROM customers c WHERE c.sales_power IS NULL AND c.damaged IS NULL")
    params: list[Any] = []
    if owner is not None:
        sql += " AND c.owner = ?"
        params.append(owner)
    rows = index.db.connect().execute(sql + " ORDER BY c.num", params).fetchall()
    return [{**dict(r), "id": r["customer"], "opened_on": local_date(r["created_at"], zone)}
            for r in rows]


def opened_on(index: Index, customer: str, zone: ZoneInfo) -> date | None:
    """Return the day (company zone) a file's first version was committed, if indexed."""
    index.catch_up()
    row = index.db.connect().execute("SELECT created_at FROM customers WHERE id = ?",
                                     (customer,)).fetchone()
    return local_date(row["created_at"], zone) if row else None


def prospect_choices(index: Index, column: str) -> list[str]:
    """Return the values a ranking filter can take: those the files use."""
    if column not in PROSPECT_FILTERS:
        raise ValueError(column)
    index.catch_up()
    rows = index.db.connect().execute(
        f"SELECT DISTINCT {column} FROM customers WHERE {column} != '' ORDER BY {column}"
    ).fetchall()
    return [r[0] for r in rows]


def departments(index: Index) -> dict[str, str]:
    """Return each file's custody.department, by id."""
    index.catch_up()
    rows = index.db.connect().execute("SELECT id, department FROM customers").fetchall()
    return {r["id"]: r["department"] or "" for r in rows}


def _facts(rows: list[sqlite3.Row], zone: ZoneInfo | None) -> list[VersionFacts]:
    """Return the versions of one file as the neglect rule sees them, days in ``zone``."""
    facts: list[VersionFacts] = []
    before: list[str] | None = None
    for position, row in enumerate(rows):
        day = local_date(row["authored_at"], zone) if zone is not None \
            else as_date(row["authored_at"])
        readable = row["status"] != "D" and row["completeness"] is not None \
            and row["completeness"] >= 0
        missing = (row["missing"] or "").split() if readable else None
        if day is not None:
            facts.append(VersionFacts(day, row["completeness"] if readable else None,
                                      row["owner"] or "",
                                      restarts_clock(before, missing, first=position == 0)))
        before = missing
    return facts
