"""Benchmark an import: a 5,000-row messy workbook against a built archive (issue 11).

``measure_import(workdir)`` expects the archive and index that ``scripts/benchmark.py``'s
``build`` made under ``workdir`` (``paths(workdir)``), writes the workbook there, and times the
preview (read the workbook + plan every row) and the import (read + plan + one commit). The
import adds its files to that archive, so measure it after the other figures.

Run alone: ``python scripts/import_bench.py WORKDIR [--rows 5000]``.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from intranet.actions import importing  # noqa: E402
from intranet.archive.repository import Archive  # noqa: E402
from intranet.index import Index  # noqa: E402
from intranet.records.files.customers import CustomerFiles  # noqa: E402
from intranet.records.files.keys import tax_id_valid  # noqa: E402
from intranet.records.rulebook.rules import load_rules  # noqa: E402

TWSE = ROOT.parent.parent / "shared" / "data" / "twse-listed-companies-2023-08.csv"
HEADINGS = ["客戶名稱", "統編", "負責人", "電話", "地址", "成立日期", "資本額", "產業別",
            "業務員", "等級", "備註"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def twse_companies(path: Path = TWSE) -> list[dict[str, str]]:
    """Return the listed companies of the shared data file."""
    if not path.exists():
        path = Path("/work/shared/data/twse-listed-companies-2023-08.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def valid_tax_id(seven: int) -> str:
    """Return the eight-digit 統一編號 that starts with ``seven`` and passes the checksum."""
    for last in range(10):
        text = f"{seven:07d}{last}"
        if tax_id_valid(text):
            return text
    raise AssertionError(seven)


def _roc(yyyymmdd: str, style: int) -> Any:
    """Return a founding date the way offices write it: ROC text, slashes or a date cell."""
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    if style == 0:
        return date(year, month, day)
    if style == 1:
        return f"民國{year - 1911}年{month}月{day}日"
    return f"{year - 1911}/{month}/{day}"


def messy_rows(count: int, staff_names: list[str], archive_rows: list[tuple[str, str]],
               seed: int = 5) -> tuple[list[list[Any]], dict[str, int]]:
    """Return ``count`` messy rows and how many of each kind were made.

    Kinds: a listed company as it is (tax id as a number cell, ROC dates, amounts with
    separators), a branch with its own valid 統一編號 (new), the same company again by tax id
    with full-width digits (merged), by its name in another form with no tax id (flagged), a
    row without a phone (error), and an archive customer's name and phone (a duplicate).
    """
    rng = random.Random(seed)
    companies = twse_companies()
    rows: list[list[Any]] = []
    kinds = {"listed": 0, "branch": 0, "same_tax": 0, "name_only": 0, "error": 0,
             "archive": 0}
    seven = 9_100_000
    for i in range(count):
        company = companies[i % len(companies)]
        salesperson = rng.choice(staff_names) if rng.random() < 0.9 else "王大明"
        grade = rng.choice(["A", "B", "C", "D", ""])
        founded = _roc(company["成立日期"], i % 3) if company["成立日期"] else ""
        capital = f"{int(company['實收資本額'] or 0):,}"
        industry = f"產業{company['產業別']}"
        name, tax = company["公司名稱"], company["營利事業統一編號"]
        phone, address = company["總機電話"], company["住址"]
        if i < len(companies):
            kind = "listed"
            tax_cell: Any = int(tax)  # a number cell: the leading zero is gone
        else:
            roll = rng.random()
            if roll < 0.06:
                kind, tax_cell, address = "same_tax", f" {tax.translate(FULL_WIDTH)} ", \
                    address + "\n1樓"
            elif roll < 0.09:
                kind, tax_cell = "name_only", ""
                name = name.replace("股份有限公司", "(股)公司")
                phone = f"0{rng.randint(2, 8)}-{rng.randint(2000000, 8999999)}"
            elif roll < 0.11:
                kind, tax_cell, phone = "error", "", ""
                name = f"{name[:4]}貿易行{i}"
            elif roll < 0.13 and archive_rows:
                kind, tax_cell = "archive", ""
                name, phone = rng.choice(archive_rows)
            else:
                kind = "branch"
                seven += 7
                tax_cell = valid_tax_id(seven)
                name = f"{name.replace('股份有限公司', '')}第{i}分公司"
                phone = f"(0{rng.randint(2, 8)}){rng.randint(2000, 8999)}-{rng.randint(1000, 9999)}"
        kinds[kind] += 1
        rows.append([f"  {name} ", tax_cell, company["董事長"], phone, address, founded,
                     capital, industry, salesperson, grade, "匯入測試"])
    return rows, kinds


def write_workbook(path: Path, rows: list[list[Any]]) -> None:
    """Write the rows as a messy workbook: a title, blank rows, a notes sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "客戶名冊"
    sheet.append(["某某公司 客戶名冊（2026 年 11 月）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADINGS))
    sheet.append([])
    sheet.append(HEADINGS)
    for i, row in enumerate(rows):
        if i and i % 997 == 0:
            sheet.append([])
        sheet.append(row)
    notes = book.create_sheet("說明")
    notes.append(["本表由業務部維護，統編請勿空白。"])
    book.save(path)


def measure_import(workdir: Path, rows: int = 5000, username: str = "director",
                   log: Callable[[str], None] = print) -> dict[str, Any]:
    """Time the preview and the import of a ``rows``-row workbook into the built archive."""
    from intranet.sheets import headings
    from intranet.sheets.reading import read_table

    archive = Archive(workdir / "archive.git")
    index = Index(workdir / "instance" / "index.sqlite3", archive)
    files = CustomerFiles(archive)
    index.catch_up()
    conn = index.db.connect()
    customers = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
    sample = [(r[0], r[1]) for r in conn.execute(
        "SELECT name, phone FROM customers WHERE phone != '' ORDER BY num LIMIT 400")]
    directory = load_rules(archive.snapshot()).directory
    staff = [str(m["name"]) for m in directory.staff if m.get("role") == "salesperson"]
    data, kinds = messy_rows(rows, staff, sample)
    book = workdir / f"import-{rows}.xlsx"
    write_workbook(book, data)
    raw = book.read_bytes()

    started = time.perf_counter()
    table = read_table(raw, book.name)
    read_s = time.perf_counter() - started
    mapping = headings.suggest(table.headings)
    preview = importing.preview(files, index, username, table, mapping)
    preview_s = time.perf_counter() - started

    started = time.perf_counter()
    table = read_table(raw, book.name)
    report = importing.run(files, index, username, table, mapping)
    import_s = time.perf_counter() - started
    counts = report.counts
    created = sorted(report.created.values())
    for customer in random.Random(1).sample(created, min(50, len(created))):
        loaded = files.load(customer)
        if loaded.damaged:
            raise AssertionError(f"{customer} does not validate: {loaded.problem}")
    result = {"customers": customers, "rows": rows, "kinds": kinds, "counts": counts,
              "read_s": read_s, "preview_s": preview_s, "import_s": import_s,
              "commit": report.commit, "bytes": len(raw), "preview_counts": preview.counts}
    log(f"import of {rows} rows against {customers} customers: preview {preview_s:.2f} s "
        f"(reading the workbook {read_s:.2f} s; target 5 s), import {import_s:.2f} s "
        f"(read, plan and one commit; target 15 s); "
        + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    index.close()
    archive.close()
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure on an archive built by scripts/benchmark.py."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args(argv)
    measure_import(args.workdir, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
