"""Time the customer list's export (XLSX and CSV) of every file of a large archive.

Usage: ``python scripts/export_timing.py WORKDIR [--repeat 5]`` where WORKDIR holds an archive
built by ``scripts/benchmark.py --keep`` (``WORKDIR/archive.git``). The policy there is changed
once so that the marketing director reads files of every level (a policy an office may choose:
only then does one person read all 10,000); then the export is requested through the web view,
signed in, as an office would, and the parts are timed on their own: choosing and journalling
the rows, words, and writing the bytes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_babel import force_locale  # noqa: E402
from flask_babel import gettext as _  # noqa: E402

from intranet import create_app  # noqa: E402
from intranet.actions import exporting  # noqa: E402
from intranet.actions.reading import Reader  # noqa: E402
from intranet.archive.objects import Identity  # noqa: E402
from intranet.archive.repository import Change  # noqa: E402
from intranet.records.files import yamlio  # noqa: E402
from intranet.records.rights import access  # noqa: E402
from intranet.records.rulebook.rules import POLICY_PATH, load_rules  # noqa: E402
from intranet.sheets.writing import csv_bytes, xlsx_bytes  # noqa: E402
from intranet.web.customers.labels import enum_label  # noqa: E402

PASSWORD = "export timing 1"
DIRECTOR = "director"


def _everyone_readable(svc) -> None:
    """Let the marketing director read every level (once; a policy choice, R3)."""
    def build(snapshot):
        policy = yamlio.load(snapshot.get(POLICY_PATH) or b"{}")
        changed = False
        for level in policy["levels"].values():
            if "marketing_director" not in level["readers"]:
                level["readers"].append("marketing_director")
                changed = True
        return Change({POLICY_PATH: yamlio.dump(policy)}, "基準測試:營銷總監可讀各級檔案") \
            if changed else None

    svc.archive.commit(build, Identity("基準測試", "bench@intranet.invalid"))


def _median(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} s (runs: {', '.join(f'{s:.2f}' for s in samples)})"


def main(argv: list[str] | None = None) -> int:
    """Print the export times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    app = create_app({
        "ARCHIVE_REPO": str(args.workdir / "archive.git"),
        "INSTANCE_PATH": str(args.workdir / "instance-export"),
        "INSTANCE_TAKEOVER": True,  # its own instance folder on the benchmark's archive
        "SECRET_KEY": "export timing", "WTF_CSRF_ENABLED": False,
    })
    svc = app.extensions["customer_archive"]
    _everyone_readable(svc)
    started = time.perf_counter()
    svc.index.catch_up()
    print(f"index ready in {time.perf_counter() - started:.1f} s")
    svc.credentials.set_many([DIRECTOR], PASSWORD)
    client = app.test_client()
    client.set_cookie("lang", "zh_Hant_TW")
    response = client.post("/login", data={"username": DIRECTOR, "password": PASSWORD})
    assert response.status_code == 302, response.status_code

    results: dict[str, list[float]] = {}
    for kind in ("xlsx", "csv"):
        for _run in range(args.repeat):
            started = time.perf_counter()
            response = client.get(f"/customers/export.{kind}")
            results.setdefault(f"web {kind}", []).append(time.perf_counter() - started)
            assert response.status_code == 200
        results.setdefault(f"size {kind}", []).append(len(response.data) / 1e6)

    member = load_rules(svc.archive.snapshot()).directory.member(DIRECTOR)
    actor = access.Actor(DIRECTOR, member["role"], member["department"])
    with app.app_context(), force_locale("zh_Hant_TW"):
        for _run in range(args.repeat):
            reader = Reader(svc, DIRECTOR, route="bench", address="bench")
            started = time.perf_counter()
            rows = exporting.matching(reader, actor, exporting.query_from({}))
            chosen = time.perf_counter()
            words = exporting.Words(reader.rules(), _, enum_label)
            zone = exporting.company_zone(reader.rules().policy)
            lines = [exporting.line(row, words, zone) for row in rows]
            worded = time.perf_counter()
            headings = [c.heading for c in exporting.COLUMNS]
            xlsx_bytes(headings, lines, "客戶一覽表", [c.width for c in exporting.COLUMNS])
            written = time.perf_counter()
            csv_bytes(headings, lines)
            done = time.perf_counter()
            for key, value in (("rows + journal", chosen - started),
                               ("words", worded - chosen), ("xlsx bytes", written - worded),
                               ("csv bytes", done - written)):
                results.setdefault(key, []).append(value)
    print(f"rows exported: {len(rows)}")
    for key, samples in results.items():
        if key.startswith("size"):
            print(f"{key}: {samples[-1]:.1f} MB")
        else:
            print(f"{key}: {_median(samples)}")
    svc.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
