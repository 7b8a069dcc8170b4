"""Issue 12's figures on the benchmark's archive: the composition page, as-of dates, dashboard.

Called by ``scripts/benchmark.py`` on the archive it built (demo-like files with up to five
years of sales per product, 50,000 commits) before the spreadsheet figures change it. Targets
(issue 12): the composition page from the index ≤ 100 ms, as of a date ≤ 3 s (cold, a date
shortly before the head; cached per commit after that), the home page's dashboard ≤ 150 ms.
Each page sample clears the in-process result cache, so the SQL runs every time.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from intranet import create_app
from intranet.actions import analysis as actions
from intranet.actions.reading import Reader
from intranet.index.memo import forget as forget_memo
from intranet.records.rights.access import Actor

DIRECTOR = "director"
MANAGER = "gm"  # company-wide like the director, but keeps no files of their own
STAFF = "liu.yiting"  # marketing staff: the dashboard, the credit and overdue counts only
PASSWORD = "benchmark password 1"
ASOF_TABLES = ("asof_blobs", "asof_sales", "asof_trees", "asof_commits")


def _times(fn: Callable[[], Any], repeat: int, before: Callable[[], Any] | None = None
           ) -> list[float]:
    """Return the wall times of ``repeat`` calls in milliseconds (``before`` not timed)."""
    samples = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure_analysis(workdir: Path, paths: dict[str, Path], today: Any, repeat: int = 15,
                     cold_repeat: int = 2, log: Callable[[str], None] = print
                     ) -> tuple[list[tuple], dict]:
    """Return (key, label, samples, unit, target) per figure, and what was measured on."""
    app = create_app({"ARCHIVE_REPO": str(paths["archive"]),
                      "INSTANCE_PATH": str(workdir / "instance-analysis"),
                      # Its own instance folder on the benchmark's archive: take it over.
                      "INSTANCE_TAKEOVER": True,
                      "INDEX_PATH": str(paths["index"]), "SECRET_KEY": "benchmark",
                      "WTF_CSRF_ENABLED": False, "TODAY": today.isoformat()})
    svc = app.extensions["customer_archive"]
    svc.index.catch_up()
    svc.credentials.set_many([DIRECTOR, MANAGER, STAFF], PASSWORD)
    client, manager, staff = app.test_client(), app.test_client(), app.test_client()
    for who, name in ((client, DIRECTOR), (manager, MANAGER), (staff, STAFF)):
        assert who.post("/login", data={"username": name, "password": PASSWORD}
                        ).status_code == 302
    conn = svc.index.db.connect()
    year = actions.last_full_year(today)
    facts = {"customers": conn.execute("SELECT count(*) FROM customers").fetchone()[0],
             "sales_rows": conn.execute("SELECT count(*) FROM sales").fetchone()[0],
             "year": year}

    def fresh() -> None:
        actions._RESULTS.clear()

    def forget() -> None:
        fresh()
        conn.execute("BEGIN IMMEDIATE")
        for table in ASOF_TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("COMMIT")

    def page(query: str) -> Callable[[], None]:
        def get() -> None:
            response = client.get(f"/analysis/composition?{query}")
            assert response.status_code == 200, response.status_code
        return get

    figures: list[tuple] = []
    samples = []
    for by in ("grade", "region", "product"):
        samples += _times(page(f"by={by}&year={year}"), repeat, fresh)
    figures.append(("analysis_page", f"Composition page by grade/region/product, {year} "
                    "(index)", samples, "ms", 100.0))
    reader = Reader(svc, DIRECTOR)
    actor = Actor(DIRECTOR, "marketing_director", "marketing")
    samples = _times(lambda: actions.composition(reader, actor, "region", year, today=today),
                     repeat, fresh)
    figures.append(("analysis_query", "Composition: the index query alone", samples, "ms",
                    None))
    for key, label, days in (("asof_recent", "shortly before the head", 2),
                             ("asof_old", "100 days before the head", 100)):
        day = today - timedelta(days=days)
        query = f"by=region&year={year}&as_of={day.isoformat()}"
        cold = _times(page(query), cold_repeat, forget)
        figures.append((f"{key}_cold", f"As of {day} ({label}), cold: no version cached",
                        [s / 1000 for s in cold], "s", 3.0 if days == 2 else None))
        warm = _times(page(query), repeat, fresh)
        figures.append((f"{key}_cached", f"As of {day}, that commit cached", warm, "ms",
                        None))
        log(f"as of {day}: cold {statistics.median(cold):.0f} ms, cached "
            f"{statistics.median(warm):.1f} ms")

    def home() -> None:
        response = manager.get("/")
        assert response.status_code == 200 and b"grades-panel-title" in response.data
    samples = _times(home, repeat, fresh)
    # The general manager: the director's home page also lists the ~1,500 files they keep.
    figures.append(("dashboard", "Home page with the management dashboard (general manager)",
                    samples, "ms", 150.0))
    # The first view after the archive moved: the counts are computed again (index/memo.py).
    def after_commit() -> None:
        fresh()
        forget_memo()
    figures.append(("dashboard_first", "The same, first view after a commit (nothing "
                    "remembered)", _times(home, max(3, repeat // 3), after_commit), "ms", None))

    def staff_home() -> None:
        response = staff.get("/")
        assert response.status_code == 200 and b"grades-panel-title" in response.data
    figures.append(("dashboard_staff", "Home page with the dashboard (marketing staff)",
                    _times(staff_home, repeat, fresh), "ms", 150.0))
    log(f"composition page: {statistics.median(figures[0][2]):.1f} ms, dashboard: "
        f"{statistics.median(samples):.1f} ms")
    svc.close()
    return figures, facts


def main() -> int:
    """Build the benchmark's archive and index, then measure only issue 12's figures."""
    import argparse
    import json
    import sys
    import tempfile

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from intranet.archive.repository import Archive
    from intranet.index import Index
    from scripts import benchmark

    parser = argparse.ArgumentParser(description="Issue 12's figures alone.")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="analysis-bench-", dir="/tmp"))
    where = benchmark.paths(workdir)
    if not where["archive"].exists():
        benchmark.build(workdir, args.customers, args.commits)
    archive = Archive(where["archive"])
    started = time.perf_counter()
    Index(where["index"], archive).catch_up()
    print(f"index built in {time.perf_counter() - started:.1f} s")
    archive.close()
    figures, facts = measure_analysis(workdir, where, benchmark.TODAY, repeat=args.repeat)
    print(json.dumps(facts))
    for key, label, samples, unit, target in figures:
        print(f"| {label} | {statistics.median(samples):.1f} {unit} | "
              f"{'< ' + str(target) + ' ' + unit if target else '—'} | {key} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
