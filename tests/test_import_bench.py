"""The import benchmark writes a messy workbook and imports it into a built archive."""

from __future__ import annotations

from intranet.records.files.keys import tax_id_valid
from scripts import benchmark, import_bench
from scripts.import_bench import valid_tax_id


def test_import_benchmark_previews_and_imports(tmp_path):
    benchmark.build(tmp_path, customers=60, commits=300, log=lambda _: None)
    lines: list[str] = []
    result = import_bench.measure_import(tmp_path, rows=300, log=lines.append)
    assert result["customers"] == 60 and result["rows"] == 300
    counts = result["counts"]
    assert counts["rows"] == 300 and counts["new"] > 200
    assert counts["error"] > 0  # TWSE phones without an area code
    assert result["commit"] and result["preview_s"] > 0 and result["import_s"] > 0
    assert result["preview_counts"] == counts
    assert "import of 300 rows against 60 customers" in lines[0]


def test_synthetic_tax_ids_pass_the_checksum():
    assert all(tax_id_valid(valid_tax_id(n)) for n in range(9_100_000, 9_100_500))
