"""Time the new-customer form's duplicate warning (R4) on an archive of many customers.

Builds an archive of ``--customers`` files in one commit (the 992 listed companies of
../shared/data, then generated ones), indexes it, and times (median of ``--repeat``) the
warning's lookup (``actions.merging.matches``) and the whole form post that shows the warning,
as the marketing director sees it. Target (issue 11): ≤ 50 ms on 10,000 customers.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.datastructures import MultiDict  # noqa: E402

from intranet.actions import merging  # noqa: E402
from intranet.archive.repository import Change  # noqa: E402
from intranet.records.files import yamlio  # noqa: E402
from intranet.records.files.customers import customer_path  # noqa: E402
from intranet.records.files.schema import new_record  # noqa: E402
from intranet.records.files.validate import normalise  # noqa: E402
from tests.conftest import PASSWORD, SYSTEM, app_in, sign_in  # noqa: E402
from tests.html_forms import read_form  # noqa: E402

DATA = ROOT.parent.parent / "shared" / "data" / "twse-listed-companies-2023-08.csv"


def companies(count: int) -> list[dict[str, str]]:
    """Return ``count`` companies: the listed ones first, then made-up ones."""
    rows: list[dict[str, str]] = []
    if DATA.exists():
        with DATA.open(encoding="utf-8-sig") as handle:
            rows = [{"name": r["公司名稱"], "tax": r["營利事業統一編號"], "phone": r["總機電話"]}
                    for r in csv.DictReader(handle)]
    for i in range(len(rows), count):
        rows.append({"name": f"測試商行{i:05d}有限公司", "tax": "",
                     "phone": f"07-{3000000 + i}"})
    return rows[:count]


def build(root: Path, count: int):
    """Return an app on an archive holding ``count`` customer files, indexed."""
    app = app_in(root)
    svc = app.extensions["customer_archive"]
    files = {}
    for i, company in enumerate(companies(count), start=1):
        customer_id = f"C{i:06d}"
        record = new_record("distributor", id=customer_id, **{
            "basic.name": company["name"], "basic.tax_id": company["tax"],
            "basic.phone": company["phone"] or "02-0000-0000",
            "basic.address": "臺北市", "classification.region": "北區",
            "custody.owner": "director", "custody.department": "marketing",
            "custody.level": "company"})
        files[customer_path(customer_id)] = yamlio.dump(normalise(record))
    svc.archive.commit(lambda _s: Change(files, f"benchmark: {count} customers"), SYSTEM)
    start = time.perf_counter()
    svc.index.catch_up()
    print(f"indexed {count} files in {time.perf_counter() - start:.1f} s")
    svc.credentials.set_many(["director"], PASSWORD)
    return app, svc


def median_ms(run, repeat: int) -> float:
    """Return the median wall time of ``run`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Build, time and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        app, svc = build(Path(tmp), args.customers)
        typed = new_record("distributor", **{"basic.name": "台湾水泥(股)公司",
                                             "basic.tax_id": "11913502",
                                             "basic.phone": "+886 2 2531 7099"})
        found = merging.matches(svc.index, typed)
        lookup = median_ms(lambda: merging.matches(svc.index, typed), args.repeat)
        client = app.test_client()
        sign_in(client, "director")
        html = client.get("/customers/new?card=distributor").get_data(as_text=True)
        typed_fields = {"basic.name": "台湾水泥(股)公司", "basic.tax_id": "11913502",
                        "basic.phone": "+886 2 2531 7099", "basic.address": "臺北市",
                        "classification.region": "北區"}
        form = MultiDict([(k, v) for k, v in read_form(html, "/customers/new")
                          if k not in typed_fields] + [*typed_fields.items(), ("save", "1")])

        def post() -> None:
            response = client.post("/customers/new?card=distributor", data=form)
            assert response.status_code == 200 and b"duplicate-warning" in response.data, \
                response.get_data(as_text=True)[:3000]

        page = median_ms(post, args.repeat)
        svc.close()
    print(f"matches for the typed record: {[(m.id, m.kinds) for m in found]}")
    print(f"duplicate lookup (index): {lookup:.2f} ms median of {args.repeat}")
    print(f"new-customer post showing the warning (whole request): {page:.1f} ms median")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
