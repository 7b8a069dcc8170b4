"""The demo's business story (R23–R29): grades that follow the standard, credit within the
credit grades, receivables, one region growing and one product falling.

Numbers come from the policy's defaults where the policy has them (credit limits and terms),
else from the defaults every part of issue 12 assumes (the grade standard's thresholds).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..records.rulebook.policy import DEFAULT_POLICY

GROWING_REGION = "中區"  # central Taiwan: new factories, sales up year on year
FALLING_PRODUCT = "LED 照明模組"  # priced out by cheaper imports: no new buyer, old ones buy less
UNSCORED = 4  # the last files opened have no sales-power analysis yet: tasks (R16)
# R24: grade -> (min_sales of the last full year, max_overdue_days or None).
_STANDARD = {"A": (10_000_000, 30), "B": (3_000_000, 60), "C": (500_000, None), "D": (0, None)}
# Where a grade's last-full-year sales are drawn, with a margin from the thresholds.
_BANDS = {"A": (10_500_000, 30_000_000), "B": (3_200_000, 9_500_000),
          "C": (550_000, 2_900_000), "D": (60_000, 480_000)}
# R28: the few files whose limit or terms go beyond their credit grade's, and who allowed it.
APPROVER = "director"
EXCEPTIONS = (4, 0.02)  # at least this many, or this share of the files
_MISGRADED_SHARE = 0.05  # grades left as the salesperson felt, not as the standard says


def standard() -> list[tuple[str, int, int | None]]:
    """Return the grade standard as (code, min_sales, max_overdue_days), in policy order."""
    found = []
    for entry in DEFAULT_POLICY["grades"]:
        code = str(entry["code"])
        low, days = _STANDARD.get(code, (0, None))
        found.append((code, int(entry.get("min_sales", low)),
                      entry.get("max_overdue_days", days)))
    return found


def credit_table() -> dict[str, tuple[int, str]]:
    """Return credit grade -> (limit, terms) from the policy's defaults (R28)."""
    return {str(g["code"]): (int(g["limit"] or 0), str(g["terms"]))
            for g in DEFAULT_POLICY["credit_grades"]}


CREDIT = credit_table()


def last_full_sales(record: dict[str, Any], year: int) -> int | None:
    """Return the file's total sales of a year, or None when the year has no entry."""
    total = None
    for row in record.get("yearly") or []:
        if row.get("year") == year:
            total = (total or 0) + sum(int(v) for v in (row.get("sales") or {}).values())
    return total


def overdue(record: dict[str, Any], today: date) -> int:
    """Return the days the oldest open receivable is past due (0 if none)."""
    owed = record.get("receivables") or {}
    if not owed.get("amount") or not owed.get("oldest_due"):
        return 0
    return max(0, (today - date.fromisoformat(owed["oldest_due"])).days)


def standard_grade(record: dict[str, Any], today: date) -> str:
    """Return the grade the standard gives a file: "" without last full year's figures."""
    sales = last_full_sales(record, today.year - 1)
    if sales is None:
        return ""
    late = overdue(record, today)
    for code, low, days in standard():
        if sales >= low and (days is None or late <= days):
            return code
    return ""


def trend(rng: random.Random, region: str, product: str) -> float:
    """Return one year's growth of a product's sales to a customer in a region."""
    if product == FALLING_PRODUCT:
        return rng.uniform(0.68, 0.82)
    if region == GROWING_REGION:
        return rng.uniform(1.2, 1.42)
    return rng.uniform(0.93, 1.1)


def fit_to_grade(rng: random.Random, rows: list[dict[str, Any]], grade: str) -> None:
    """Scale a file's yearly sales so that its last year lands in its grade's band, in place."""
    if not rows or grade not in _BANDS:
        return
    total = sum(rows[-1]["sales"].values())
    low, high = _BANDS[grade]
    factor = rng.uniform(low, high) / max(total, 1)
    for row in rows:
        row["sales"] = {name: max(1000, int(amount * factor) // 1000 * 1000)
                        for name, amount in row["sales"].items()}


def credit_block(rng: random.Random, grade: str, old: dict[str, Any]) -> dict[str, Any]:
    """Return a credit block within its credit grade's limit and terms (R28)."""
    if not grade:
        return {**old, "grade": "", "limit": None, "terms": ""}
    limit, terms = CREDIT[grade]
    steps = limit // 50_000
    drawn = rng.randrange(max(1, steps // 2), steps + 1) * 50_000 if steps else 0
    return {**old, "grade": grade, "limit": drawn, "terms": terms}


def shape(rng: random.Random, record: dict[str, Any], today: date) -> None:
    """Give a new file its grade by the standard and its credit within its grade, in place."""
    year = today.year - 1
    stage = record["stage"]
    grade = record["grade"]
    if stage == "active" and grade == "" and record["yearly"] \
            and record["yearly"][-1]["year"] == year:
        record["yearly"].pop()  # last year's figures not entered yet: ungraded, never a guess
    if stage == "active" and grade:
        fit_to_grade(rng, [r for r in record["yearly"] if r["year"] <= year], grade)
    if stage == "active":
        record["grade"] = standard_grade(record, today)
    elif stage == "prospect":
        record["grade"] = ""  # no sales yet: ungraded, never a guess
    # A former customer keeps the grade it last had: the standard has nothing to say (no
    # sales last year), and the review list leaves files the standard does not grade alone.
    if record["grade"] and rng.random() < _MISGRADED_SHARE:
        codes = [code for code, _, _ in standard()]
        at = codes.index(record["grade"])
        record["grade"] = codes[at + 1] if at + 1 < len(codes) else codes[at - 1]
    credit = record["credit"]
    near = credit["grade"]
    record["credit"] = credit_block(rng, near, credit)
    if record["transactions"].get("trade_terms"):
        record["transactions"]["trade_terms"] = record["credit"]["terms"]


def exceptions(rng: random.Random, records: list[dict[str, Any]], today: date) -> None:
    """Give a few files with credit a limit or terms beyond their grade's, most approved."""
    least, share = EXCEPTIONS
    credited = [r for r in records if r["credit"]["grade"] and r["stage"] == "active"]
    picked = rng.sample(credited, min(len(credited), max(least, round(share * len(records)))))
    for number, record in enumerate(picked):
        exception(rng, record, today, approved=number % 3 != 2)


def exception(rng: random.Random, record: dict[str, Any], today: date, approved: bool) -> None:
    """Raise a file's limit (now and then its terms) beyond its credit grade's (R28)."""
    credit = record["credit"]
    limit, _ = CREDIT[credit["grade"]]
    credit["limit"] = max(limit, 100_000) * rng.choice((3, 4, 6)) // 2
    if rng.random() < 0.3:
        better = [terms for code, (_, terms) in CREDIT.items() if code < credit["grade"]]
        credit["terms"] = better[-1] if better else credit["terms"]
    if approved:
        credit["approved_by"] = APPROVER
        credit["approved_on"] = (today - timedelta(days=rng.randrange(130, 400))).isoformat()


def receivables(rng: random.Random, record: dict[str, Any], day: date,
                today: date) -> dict[str, Any] | None:
    """Return the open receivables accounting reports on day for a file, or None (none owed).

    Most are current; some are overdue (a few badly, on C and D files, so the standard's
    "paid on time" keeps A and B where they are); some exceed the limit.
    """
    sales = last_full_sales(record, today.year - 1)
    credit = record["credit"]
    if record["stage"] != "active" or not sales or rng.random() < 0.12:
        return None
    grade = standard_grade(record, today) or "D"  # as if paid on time: keep it so
    limit = credit.get("limit") or 0
    amount = max(10_000, int(sales * rng.uniform(0.02, 0.09)) // 1000 * 1000)
    if limit:
        amount = min(amount, int(limit * rng.uniform(0.3, 0.95)) // 1000 * 1000)
    over = rng.random() < 0.06 or (grade == "D" and rng.random() < 0.3)
    if not limit and not over:
        return None  # no credit, no open invoices: paid before delivery
    roll = rng.random()
    allowed = next((days for code, _, days in standard() if code == grade), None)
    if roll < 0.05 and grade in "CD":
        late = rng.randrange(120, 260)  # badly overdue: a collection letter goes out
    elif roll < 0.2:
        late = rng.randrange(3, min(allowed or 90, 90) + 1)
    else:
        late = -rng.randrange(1, 45)  # not yet due
    if over:
        amount = int(max(limit, 20_000) * rng.uniform(1.1, 1.7)) // 1000 * 1000
    return {"amount": amount, "oldest_due": (today - timedelta(days=late)).isoformat(),
            "as_of": day.isoformat(), "notes": ""}
