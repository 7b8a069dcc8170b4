"""A small archive with known sales, edited on known days, and an independent reckoning.

``expected`` reads the YAML files of a commit with plain git and PyYAML (not the index, not
``records.sales.analysis``) and sums them as the issue's CLI contract says, so the page, the CLI and
the workbook can be compared with it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import yaml

from intranet.records.files.schema import new_record

from .conftest import git

TAIPEI = ZoneInfo("Asia/Taipei")
YEAR = 2025
# Commits are dated after the archive's own first commits (made at the wall clock's now).
BASE = datetime.now(UTC).astimezone(TAIPEI).date() + timedelta(days=10)
DAY_CREATED, DAY_EDITED, DAY_ADDED = BASE, BASE + timedelta(days=5), BASE + timedelta(days=10)
TODAY = BASE + timedelta(days=30)


def at(day: date, hour: int = 10) -> datetime:
    """Return a moment of a day in Taipei."""
    return datetime.combine(day, time(hour), tzinfo=TAIPEI)


def record(owner: str, department: str, grade: str, region: str, name: str,
           yearly: dict[int, dict[str, float]], level: str = "personal") -> dict:
    """Return a valid file with its yearly sales (a terminal where there is no region)."""
    found = new_record("distributor" if region else "terminal", **{
        "classification.industry": "五金",
        "basic.name": name, "basic.phone": "02-2531-7099", "basic.address": "台北市",
        "classification.region": region, "grade": grade, "custody.owner": owner,
        "custody.department": department, "custody.level": level})
    found["yearly"] = [{"year": y, "sales": dict(s)} for y, s in yearly.items()]
    return found


FILES = [
    record("wang.li", "sales", "A", "北區", "東方貿易",
           {2025: {"電源": 1000, "照明": 500}, 2024: {"電源": 800}}),
    record("chen.yu", "sales", "B", "南區", "南方電子",
           {2025: {"電源": 300.5}, 2024: {"照明": 200}}),
    record("lin.sales2", "sales2", "", "北區", "北辰五金", {2025: {"感測器": 700, "電源": 0}}),
    record("wang.li", "sales", "C", "", "無區公司", {2024: {"電源": 100}}),
    record("lin.sales2", "sales2", "A", "中區", "中興企業", {2025: {"照明": 0.5, "感測器": 1999.5}},
           level="department"),
]


def build(svc) -> list[str]:
    """Create the files (day 1), edit one (day 2), add one and regrade one (day 3)."""
    files = svc.files
    ids = [files.create(f, "director", when=at(DAY_CREATED))[0] for f in FILES]

    def more_sales(record: dict, _snapshot) -> dict:
        record["yearly"][0]["sales"]["電源"] = 4000
        return record

    files.amend(ids[0], more_sales, "wang.li", when=at(DAY_EDITED))
    added = files.create(record("chen.yu", "sales", "B", "南區", "後來公司",
                                {2025: {"照明": 250}}), "chen.yu", when=at(DAY_ADDED))[0]

    def regrade(record: dict, _snapshot) -> dict:
        record["grade"] = "A"
        return record

    files.amend(ids[1], regrade, "director", when=at(DAY_ADDED, 11))
    return [*ids, added]


def commit_at(repo, day: date) -> str:
    """Return the last commit before the end of a Taipei day, by plain git."""
    end = int(datetime.combine(day + timedelta(days=1), time(0), tzinfo=TAIPEI).timestamp()) - 1
    return git(repo, "rev-list", "-1", f"--before={end} +0000", "main").strip()


def read_files(repo, rev: str) -> dict[str, dict]:
    """Return every customer file at a commit, parsed by PyYAML."""
    found = {}
    for line in git(repo, "ls-tree", "-r", "--name-only", rev, "customers/").split():
        found[line.rsplit("/", 1)[1][:-5]] = yaml.safe_load(git(repo, "show", f"{rev}:{line}"))
    return found


def expected(repo, rev: str, by: str, year: int, ids: set[str] | None = None,
             grades: tuple[str, ...] = ("A", "B", "C", "D")) -> list[tuple[str, int, int, str]]:
    """Return the composition's CSV rows (key, customers, amount, share) from the YAML."""
    sums: dict[str, list] = {}
    for cid, data in read_files(repo, rev).items():
        if ids is not None and cid not in ids:
            continue
        sales: dict[str, Decimal] = {}
        for entry in data.get("yearly") or []:
            if entry.get("year") == year:
                for product, amount in (entry.get("sales") or {}).items():
                    sales[product] = sales.get(product, Decimal(0)) + Decimal(str(amount))
        if by == "product":
            parts = {p: a for p, a in sales.items() if a}
        else:
            key = (data.get("grade") or "") if by == "grade" else \
                ((data.get("classification") or {}).get("region") or "")
            parts = {key: sum(sales.values())} if sum(sales.values()) else {}
        for key, amount in parts.items():
            entry = sums.setdefault(key, [0, Decimal(0)])
            entry[0] += 1
            entry[1] += amount
    total = sum(a for _n, a in sums.values())
    if by == "grade":
        keys = sorted(sums, key=lambda k: (k == "", grades.index(k) if k in grades else 9, k))
    else:
        keys = sorted(sums, key=lambda k: (-sums[k][1], k))
    return [(k, sums[k][0], int(sums[k][1].quantize(Decimal(1), ROUND_HALF_UP)),
             str((sums[k][1] * 100 / total).quantize(Decimal("0.01"), ROUND_HALF_UP)))
            for k in keys]
