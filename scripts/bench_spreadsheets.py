"""Issue 11's figures on the benchmark's archive: export, the duplicate warning, the import.

Called by ``scripts/benchmark.py`` after its other figures, because it changes the archive:
the policy lets the marketing director read every level (so that one person may export all
files, a choice an office may make, R3), and the import adds its files. Targets (issue 11):
export of 10,000 readable rows ≤ 3 s, the duplicate warning on the new-customer form ≤ 50 ms,
a 5,000-row messy workbook previewed in ≤ 5 s and imported (one commit) in ≤ 15 s.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict

from intranet import create_app
from intranet.actions import merging
from intranet.archive.objects import Identity
from intranet.archive.repository import Change
from intranet.records.files import yamlio
from intranet.records.files.schema import new_record
from intranet.records.rulebook.rules import POLICY_PATH
from tests.html_forms import read_form

DIRECTOR = "director"
PASSWORD = "benchmark password 1"


def _director_reads_everything(svc: Any) -> None:
    """Add the marketing director to every level's readers (one policy commit)."""
    def build(snapshot: Any) -> Change | None:
        policy = yamlio.load(snapshot.get(POLICY_PATH) or b"{}")
        levels = policy.get("levels") or {}
        missing = [lv for lv in levels.values() if DIRECTOR_ROLE not in lv["readers"]]
        for level in missing:
            level["readers"].append(DIRECTOR_ROLE)
        return Change({POLICY_PATH: yamlio.dump(policy)},
                      "基準測試：營銷總監可讀各級檔案") if missing else None

    svc.archive.commit(build, Identity("基準測試", "bench@intranet.invalid"))


DIRECTOR_ROLE = "marketing_director"


def _times(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Return the wall times of ``repeat`` calls, in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure_spreadsheets(workdir: Path, paths: dict[str, Path], repeat: int = 5,
                         import_rows: int = 5000,
                         log: Callable[[str], None] = print) -> tuple[list[tuple], dict]:
    """Return (key, label, samples, unit, target) per figure, and the import's details."""
    from scripts.import_bench import measure_import

    app = create_app({"ARCHIVE_REPO": str(paths["archive"]),
                      "INSTANCE_PATH": str(workdir / "instance-sheets"),
                      # Its own instance folder on the benchmark's archive: take it over.
                      "INSTANCE_TAKEOVER": True,
                      "INDEX_PATH": str(paths["index"]), "SECRET_KEY": "benchmark",
                      "WTF_CSRF_ENABLED": False})
    svc = app.extensions["customer_archive"]
    _director_reads_everything(svc)
    svc.index.catch_up()
    svc.credentials.set_many([DIRECTOR], PASSWORD)
    client = app.test_client()
    assert client.post("/login", data={"username": DIRECTOR, "password": PASSWORD}
                       ).status_code == 302
    figures: list[tuple] = []
    rows = svc.index.db.connect().execute("SELECT count(*) FROM customers").fetchone()[0]
    for kind in ("xlsx", "csv"):
        def export(kind: str = kind) -> None:
            response = client.get(f"/customers/export.{kind}")
            assert response.status_code == 200, response.status_code
        samples = [s / 1000 for s in _times(export, repeat)]
        figures.append((f"export_{kind}", f"Export the list as {kind.upper()} ({rows} rows)",
                        samples, "s", 3.0))
        log(f"export {kind}: {statistics.median(samples):.2f} s")

    # The form's warning: a file's own name in another spelling, its phone in another format.
    name, phone = svc.index.db.connect().execute(
        "SELECT name, phone FROM customers WHERE phone LIKE '(0%' ORDER BY num LIMIT 1"
    ).fetchone()
    typed = {"basic.name": name.replace("股份有限公司", "(股)公司"), "basic.phone": phone,
             "basic.address": "臺北市中山區", "classification.region": "北區"}
    found = merging.matches(svc.index, new_record("distributor", **{
        k: v for k, v in typed.items() if k.startswith("basic.")}))
    # The form as the browser sends it: its defaults, with the typed fields.
    page = client.get("/customers/new?card=distributor").get_data(as_text=True)
    form = MultiDict([(k, v) for k, v in read_form(page, "/customers/new") if k not in typed]
                     + [*typed.items(), ("save", "1")])

    def warn() -> None:
        response = client.post("/customers/new?card=distributor", data=form)
        assert response.status_code == 200 and b"duplicate-warning" in response.data

    samples = _times(warn, max(repeat, 15))
    figures.append(("duplicate_warning", "New-customer form: post showing the duplicate "
                    "warning", samples, "ms", 50.0))
    log(f"duplicate warning: {statistics.median(samples):.1f} ms ({len(found)} matches)")
    svc.close()

    result = measure_import(workdir, rows=import_rows, username=DIRECTOR, log=log)
    figures.append(("import_preview", f"Import preview: read and plan a {import_rows}-row "
                    "messy workbook", [result["preview_s"]], "s", 5.0))
    figures.append(("import_commit", f"Import: read, plan and commit {import_rows} rows "
                    "(one commit)", [result["import_s"]], "s", 15.0))
    return figures, {"import": {k: v for k, v in result.items() if k != "kinds"},
                     "duplicate_matches": len(found)}
