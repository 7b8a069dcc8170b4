"""Where the sales come from (R25-R27): compositions, drill-downs, dashboards (no Flask).

The web's ``/analysis/…`` pages, the home page's panels and ``flask report composition`` all
come here. Aggregates cover the files whose figures the asker may see (``access.figures_sql``:
company-wide for the analysis roles, the department for its manager, one's own files for a
salesperson) and journal nothing per file: no file's figure is shown. A drill-down or a
customer's product mix shows each file's figures, so each file shown is journalled as a
``figures`` read before anything is returned (``Reader.allow_rows``, fail closed).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..index import analysis as sums
from ..index import asof
from ..index.analysis import EVERY_FILE, Scope, Source
from ..records.files.messages import N_
from ..records.rights import access
from ..records.rulebook.zone import company_zone
from ..records.rulebook.zone import today as zone_today
from ..records.sales import analysis as compose
from . import ActionError, Forbidden
from .reading import Reader

FIGURES = "figures"
TREND_YEARS = 5
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_RESULTS: OrderedDict[tuple, Any] = OrderedDict()  # per-commit results, newest last
_RESULTS_LOCK = threading.Lock()
_RESULTS_KEPT = 256


@dataclass(frozen=True)
class Asked:
    """What an analysis is asked for, checked: by what, which year, as of which day."""

    by: str
    year: int
    as_of: date | None  # None: the archive as it is now


@dataclass
class Composition:
    """A composition of one year and its comparison with the year before."""

    asked: Asked
    commit: str | None  # the commit an as-of analysis was computed from (None: the head)
    rows: list[compose.Row]
    compared: list[compose.Compared]
    total: int
    last_total: int


def last_full_year(today: date) -> int:
    """Return the last full year in the company's zone: the year before today's."""
    return today.year - 1


def ask(by: Any, year: Any, as_of: Any, today: date) -> Asked:
    """Return a checked request; ActionError with a clear message when it makes no sense."""
    by = str(by or compose.GRADE)
    if by not in compose.BY:
        raise ActionError(N_("Unknown analysis %(by)s: choose grade, region or product."),
                          by=by[:40])
    text = str(year or "").strip()
    if not text:
        number = last_full_year(today)
    elif not text.isdigit() or not compose.FIRST_YEAR <= int(text) <= compose.LAST_YEAR:
        raise ActionError(N_("The year must be a number from %(first)s to %(last)s."),
                          first=compose.FIRST_YEAR, last=compose.LAST_YEAR)
    else:
        number = int(text)
    day = None
    if as_of:
        if not _DAY.fullmatch(str(as_of)):
            raise ActionError(N_("The date must be written YYYY-MM-DD, e.g. 2026-01-31."))
        try:
            day = date.fromisoformat(str(as_of))
        except ValueError:
            raise ActionError(N_("There is no such day as %(day)s."), day=str(as_of)) from None
        # A day still to come is the archive as it is now.
        day = None if day >= today else day
    return Asked(by, number, day)


def scope(reader: Reader, actor: access.Actor | None) -> Scope:
    """Return the files whose figures the actor may see; Forbidden when there are none.

    ``None`` is the console operator (``flask report``), who holds the archive itself.
    """
    if actor is None:
        return EVERY_FILE
    r = reader.rules()
    found = access.figures_sql(actor, r.policy, r.directory, reader.grants())
    if found[0] == "0":
        raise Forbidden(N_("Your role sees no customer's figures."))
    return EVERY_FILE if found[0] == "1" else found


def may_analyse(reader: Reader, actor: access.Actor) -> bool:
    """Tell whether the actor sees any analysis at all (HR does not)."""
    r = reader.rules()
    # Grants only widen a scope that exists already: no need to read them for the menu.
    return access.figures_sql(actor, r.policy, r.directory)[0] != "0"


def today_of(reader: Reader, today: date | None) -> date:
    """Return today in the company's zone (``today`` given by the caller wins)."""
    return today or zone_today(company_zone(reader.rules().policy))


def source(reader: Reader, asked: Asked) -> Source:
    """Return where the figures come from: the index's head, or a past commit made ready."""
    index = reader.stores.index
    head = index.catch_up()
    if asked.as_of is None or head is None:
        return Source()
    r = reader.rules()
    try:
        commit = asof.commit_on(reader.stores.archive, asked.as_of, company_zone(r.policy))
    except asof.BeforeArchive as exc:
        raise ActionError(N_("The archive begins on %(first)s; there are no figures as of "
                             "%(day)s."), first=exc.first.isoformat(),
                          day=asked.as_of.isoformat()) from None
    if commit == head:
        return Source()
    asof.prepare(index.db, reader.stores.archive, commit, r, head)
    return Source(commit)


def composition(reader: Reader, actor: access.Actor | None, by: Any = None, year: Any = None,
                as_of: Any = None, today: date | None = None) -> Composition:
    """Return the composition of a year by grade, region or product, with the year before."""
    found = scope(reader, actor)
    asked = ask(by, year, as_of, today_of(reader, today))
    where = source(reader, asked)
    grades = reader.rules().policy.grades
    key = (where.commit or reader.stores.index.db.meta("commit"), asked.by, asked.year,
           found[0], tuple(found[1]), tuple(grades))
    with _RESULTS_LOCK:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            rows, before = _RESULTS[key]
            return _composition(asked, where, rows, before, grades)
    db = reader.stores.index.db
    rows = compose.rows_from_sums(sums.sums(db, where, found, asked.by, asked.year),
                                  asked.by, grades)
    before = compose.rows_from_sums(sums.sums(db, where, found, asked.by, asked.year - 1),
                                    asked.by, grades)
    with _RESULTS_LOCK:
        _RESULTS[key] = (rows, before)
        while len(_RESULTS) > _RESULTS_KEPT:
            _RESULTS.popitem(last=False)
    return _composition(asked, where, rows, before, grades)


def _composition(asked: Asked, where: Source, rows: list[compose.Row],
                 before: list[compose.Row], grades: list[str]) -> Composition:
    return Composition(asked, where.commit, rows,
                       compose.compare(rows, before, asked.by, grades),
                       compose.total(rows), compose.total(before))


def drill(reader: Reader, actor: access.Actor, by: Any, year: Any, key: Any,
          as_of: Any = None, today: date | None = None) -> tuple[Asked, list[dict[str, Any]]]:
    """Return the files behind one key's figure (id, name, amount), each journalled."""
    found = scope(reader, actor)
    asked = ask(by, year, as_of, today_of(reader, today))
    where = source(reader, asked)
    behind = sums.behind(reader.stores.index.db, where, found, asked.by, asked.year,
                         str(key or ""))
    shown = _journal(reader, actor, [cid for cid, _n, _a in behind])
    return asked, [{"id": cid, "name": name, "amount": compose.half_up(amount)}
                   for cid, name, amount in behind if cid in shown]


def _journal(reader: Reader, actor: access.Actor, ids: list[str]) -> set[str]:
    """Journal a ``figures`` read of each file shown; return the ids the actor may see."""
    if not ids:
        return set()
    conn = reader.stores.index.db.connect()
    rows: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for row in conn.execute("SELECT id, level, owner, department, contacts FROM customers "
                                f"WHERE id IN ({','.join('?' * len(part))})", part):
            rows[str(row["id"])] = dict(row)
    # A file gone since the as-of day is judged with no custody: the analysis roles only.
    every = [rows.get(cid) or {"id": cid} for cid in ids]
    return {str(row["id"]) for row in reader.allow_rows(every, actor, FIGURES)}


def product_mix(reader: Reader, actor: access.Actor, customer_id: str
                ) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    """Return a file's row, its products and its sales per year and product (journalled)."""
    scope(reader, actor)
    reader.allow(customer_id, actor, FIGURES)
    row = reader.stores.index.get(customer_id) or {"id": customer_id}
    mix: dict[int, dict[str, float]] = {}
    for year, product, amount in sums.file_sales(reader.stores.index.db, customer_id):
        mix.setdefault(year, {})[product] = amount
    products = sorted({p for amounts in mix.values() for p in amounts},
                      key=lambda p: (-sum(m.get(p, 0) for m in mix.values()), p))
    years = [{"year": year, "amounts": [mix[year].get(p) for p in products],
              "total": sum(mix[year].values())} for year in sorted(mix, reverse=True)]
    return row, products, years


def grade_counts(reader: Reader, actor: access.Actor) -> list[tuple[str, int]]:
    """Return how many files of the actor's scope have each grade, in the policy's order."""
    found = scope(reader, actor)
    reader.stores.index.catch_up()
    counts = sums.grade_counts(reader.stores.index.db, found)
    grades = reader.rules().policy.grades
    keys = compose.order(counts, compose.GRADE, {}, grades)
    return [(key, counts[key]) for key in keys]


def trend(reader: Reader, actor: access.Actor, last: int, count: int = TREND_YEARS
          ) -> list[tuple[int, int]]:
    """Return (year, total sales) for the ``count`` years up to ``last``."""
    found = scope(reader, actor)
    reader.stores.index.catch_up()
    years = sums.trend(reader.stores.index.db, Source(), found, last - count + 1, last)
    return [(year, int(compose.half_up(years.get(year, 0.0))))
            for year in range(last - count + 1, last + 1)]
