"""Where the sales come from (R25-R27): compositions by grade, region or product, no Flask.

A composition of one year lists, for each key (a grade, a region or a product; "" for files
without one), how many files have a non-zero sale that year under the key, the integer sum of
their sales (rounded half up once, at the end) and the key's share of the year's total in
percent (two decimals, half up). The index (``index/analysis.py``) and the as-of machinery
sum in SQL and hand their per-key sums to ``rows_from_sums``; the tests sum the YAML files
with ``figures_of`` and ``compose``: both end in the same function, so they agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

GRADE, REGION, PRODUCT = "grade", "region", "product"
BY = (GRADE, REGION, PRODUCT)
# The years an analysis may ask for: the schema's own bounds for yearly[].year.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class Row(NamedTuple):
    """One key of a composition, exactly the CLI's columns."""

    key: str
    customers: int
    amount: int
    share: Decimal  # percent of the year's total, two decimals


class Compared(NamedTuple):
    """One key of a year compared with the year before."""

    key: str
    customers: int
    amount: int
    share: Decimal
    last_amount: int
    change: int  # amount - last_amount
    change_percent: Decimal | None  # None when last year had nothing under the key


@dataclass
class FileFigures:
    """What an analysis needs of one customer file: its keys and its sales."""

    customer: str
    grade: str = ""
    region: str = ""
    name: str = ""
    sales: dict[tuple[int, str], float] = field(default_factory=dict)  # (year, product)

    def total(self, year: int) -> float:
        """Return the file's sales of a year over every product."""
        return sum(a for (y, _p), a in self.sales.items() if y == year)


def half_up(value: float | Decimal, places: int = 0) -> Decimal:
    """Return a number rounded half up (not to even) to ``places`` decimals."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def figures_of(customer: str, record: dict[str, Any]) -> FileFigures:
    """Return a parsed file's figures: grade, region, name, sales per (year, product)."""
    sales: dict[tuple[int, str], float] = {}
    for entry in record.get("yearly") or []:
        year = entry.get("year") if isinstance(entry, dict) else None
        found = entry.get("sales") if isinstance(entry, dict) else None
        if not isinstance(year, int) or isinstance(year, bool) or not isinstance(found, dict):
            continue
        for product, amount in found.items():
            if isinstance(amount, (int, float)) and not isinstance(amount, bool):
                # A year listed twice (validation allows it) adds up, as the index does.
                sales[(year, str(product))] = sales.get((year, str(product)), 0) + amount
    classes = record.get("classification") if isinstance(record.get("classification"),
                                                         dict) else {}
    basic = record.get("basic") if isinstance(record.get("basic"), dict) else {}
    return FileFigures(customer, _text(record.get("grade")), _text(classes.get("region")),
                       _text(basic.get("name")), sales)


def parts(figures: FileFigures, by: str, year: int) -> dict[str, float]:
    """Return what one file adds to each key of a composition: {key: non-zero amount}."""
    if by == PRODUCT:
        return {p: a for (y, p), a in figures.sales.items() if y == year and a}
    total = figures.total(year)
    if not total:
        return {}
    return {figures.grade if by == GRADE else figures.region: total}


def sums(files: Iterable[FileFigures], by: str, year: int) -> dict[str, tuple[int, float]]:
    """Return {key: (files with a non-zero sale, their sales)} for a year."""
    found: dict[str, tuple[int, float]] = {}
    for figures in files:
        for key, amount in parts(figures, by, year).items():
            count, total = found.get(key, (0, 0.0))
            found[key] = (count + 1, total + amount)
    return found


def order(keys: Iterable[str], by: str, amounts: dict[str, float],
          grades: Sequence[str]) -> list[str]:
    """Return keys in the analysis's order: grades as the policy lists them, then others,
    then ungraded; regions and products by amount, largest first, then by name."""
    if by == GRADE:
        rank = {g: i for i, g in enumerate(grades)}
        return sorted(keys, key=lambda k: (k == "", rank.get(k, len(rank)), k))
    return sorted(keys, key=lambda k: (-amounts.get(k, 0), k))


def rows_from_sums(found: dict[str, tuple[int, float]], by: str,
                   grades: Sequence[str]) -> list[Row]:
    """Return the composition rows from per-key sums (keys without a sale left out)."""
    found = {k: v for k, v in found.items() if v[0] > 0 and v[1]}
    total = sum(amount for _count, amount in found.values())
    rows = []
    for key in order(found, by, {k: v[1] for k, v in found.items()}, grades):
        count, amount = found[key]
        share = half_up(Decimal(repr(float(amount))) * 100 / Decimal(repr(float(total))), 2) \
            if total else Decimal("0.00")
        rows.append(Row(key, count, int(half_up(amount)), share))
    return rows


def compose(files: Iterable[FileFigures], by: str, year: int,
            grades: Sequence[str]) -> list[Row]:
    """Return the composition of a year from the files' figures."""
    return rows_from_sums(sums(files, by, year), by, grades)


def compare(now: list[Row], before: list[Row], by: str, grades: Sequence[str]
            ) -> list[Compared]:
    """Return this year's rows next to last year's; a key gone since is listed with 0."""
    last = {row.key: row.amount for row in before}
    keys = [row.key for row in now] + [row.key for row in before
                                        if row.key not in {r.key for r in now}]
    if by == GRADE:
        keys = order(keys, by, {}, grades)
    found = {row.key: row for row in now}
    result = []
    for key in keys:
        row = found.get(key) or Row(key, 0, 0, Decimal("0.00"))
        was = last.get(key, 0)
        percent = half_up(Decimal(row.amount - was) * 100 / Decimal(was), 1) if was else None
        result.append(Compared(key, row.customers, row.amount, row.share, was,
                               row.amount - was, percent))
    return result


def total(rows: Iterable[Row]) -> int:
    """Return the year's total of a composition's rows."""
    return sum(row.amount for row in rows)


def drill(files: Iterable[FileFigures], by: str, year: int, key: str
          ) -> list[tuple[str, str, float]]:
    """Return the files behind one key's figure: (id, name, amount), largest first."""
    found = [(f.customer, f.name, parts(f, by, year).get(key, 0.0)) for f in files]
    return sorted([x for x in found if x[2]], key=lambda x: (-x[2], x[0]))


def product_mix(figures: FileFigures) -> dict[int, dict[str, float]]:
    """Return one file's sales by year and product (R26: each customer's product mix)."""
    mix: dict[int, dict[str, float]] = {}
    for (year, product), amount in sorted(figures.sales.items()):
        mix.setdefault(year, {})[product] = amount
    return mix
