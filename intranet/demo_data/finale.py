"""After the history is planned: accounting's receivables report and the classification lists.

Both are worked out from each file as the history leaves it, so a limit changed last month is
the one the receivables are measured against.
"""

from __future__ import annotations

import random
from datetime import date, datetime

from . import story
from .living import PRODUCTS
from .model import TAIPEI, DemoBulk, DemoCompany, apply_changes

CLASS_KEYS = ("industry", "nature", "region", "customer_type")
REGION_ORDER = ("北區", "中區", "南區", "東區", "華北", "華東", "華南", "海外")
REPORTER = "director"  # the marketing director imports accounting's monthly report


def final_states(company: DemoCompany) -> dict[str, dict]:
    """Return every customer file as the planned history leaves it."""
    current = {record["id"]: record for record in company.customers}
    edits = sorted([*company.history, *company.milestones], key=lambda edit: edit.when)
    moves = [(h.when, h.changes) for h in company.handovers]
    for _when, changes in sorted([*((e.when, {e.customer_id: e.changes}) for e in edits),
                                 *moves], key=lambda item: item[0]):
        for customer_id, values in changes.items():
            current[customer_id] = apply_changes(current[customer_id], values)
    return current


# What the receivables depend on that the history may change (a full replay copies too much).
_RECEIVABLE_PATHS = ("stage", "grade", "credit.grade", "credit.limit")


def _as_left(company: DemoCompany) -> dict[str, dict]:
    """Return every file with the values the receivables depend on as the history leaves them."""
    latest: dict[str, dict[str, object]] = {}
    for edit in sorted([*company.history, *company.milestones], key=lambda edit: edit.when):
        for path in _RECEIVABLE_PATHS:
            if path in edit.changes:
                latest.setdefault(edit.customer_id, {})[path] = edit.changes[path]
    found = {}
    for record in company.customers:
        values = latest.get(record["id"])
        if not values:
            found[record["id"]] = record
            continue
        credit = {**record["credit"], **{path[7:]: value for path, value in values.items()
                                         if path.startswith("credit.")}}
        found[record["id"]] = {**record, **{k: v for k, v in values.items() if "." not in k},
                               "credit": credit}
    return found


def report_day(days: list[date]) -> datetime:
    """Return when the receivables report is committed: before office hours, days before today."""
    day = days[-3] if len(days) >= 3 else days[0]
    return datetime(day.year, day.month, day.day, 8, 5, tzinfo=TAIPEI)


def receivables_report(rng: random.Random, company: DemoCompany, today: date,
                       when: datetime) -> DemoBulk | None:
    """Return one commit giving most active files their open receivables (R28)."""
    states = _as_left(company)
    changes = {}
    for customer_id, record in states.items():
        owed = story.receivables(rng, record, when.date(), today)
        if owed is not None:
            changes[customer_id] = {"receivables": owed}
    if not changes:
        return None
    subject = f"應收帳款月報匯入（會計系統，{when.date().isoformat()}）：{len(changes)} 個客戶"
    return DemoBulk(when, REPORTER, subject, "receivables_import", "import", changes)


def classes(company: DemoCompany) -> dict[str, list[str]]:
    """Return the classification lists: exactly the values the demo's files use (R23)."""
    seen: dict[str, set[str]] = {key: set() for key in CLASS_KEYS}
    products: set[str] = set()
    records = [*company.customers]
    for edit in [*company.history, *company.milestones]:
        for path, value in edit.changes.items():
            key = path.removeprefix("classification.")
            if key in seen and isinstance(value, str) and value:
                seen[key].add(value)
    for record in records:
        for key in CLASS_KEYS:
            value = record["classification"].get(key)
            if value:
                seen[key].add(value)
        for row in record.get("yearly") or []:
            products.update(row.get("sales") or {})
    found = {key: sorted(values) for key, values in seen.items()}
    found["region"] = [r for r in REGION_ORDER if r in seen["region"]] + sorted(
        seen["region"] - set(REGION_ORDER))
    found["product"] = [p for p in PRODUCTS if p in products] + sorted(products - set(PRODUCTS))
    return found
