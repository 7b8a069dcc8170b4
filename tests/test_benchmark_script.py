"""The benchmark script builds a small archive, measures it and reports every row."""

from __future__ import annotations

import re

from scripts import benchmark

ROWS = (
    "cold_build", "warm_start", "list_all", "list_filtered", "list_page50", "search_1",
    "search_2", "search_4", "search_phone", "search_simplified", "read_one", "save",
    "save_fast", "raw_commit", "history_index", "history_git", "discipline_month",
    "rss_benchmark", "rss_warm", "export_xlsx", "export_csv", "duplicate_warning",
    "import_preview", "import_commit", "analysis_page", "analysis_query", "asof_recent_cold",
    "asof_recent_cached", "asof_old_cold", "asof_old_cached", "dashboard", "dashboard_first",
    "dashboard_staff",
)


def test_benchmark_builds_measures_and_reports(tmp_path):
    info = benchmark.build(tmp_path, customers=60, commits=300, log=lambda _: None)
    assert info.long_versions == benchmark.LONG_VERSIONS
    assert info.seconds > 0

    rows, extras = benchmark.measure(tmp_path, repeat=2, cold_repeat=1, warm_repeat=1,
                                     import_rows=120, log=lambda _: None)
    assert sorted(row.key for row in rows) == sorted(ROWS)
    assert extras["long_file_versions"] == benchmark.LONG_VERSIONS
    assert all(hits > 0 for hits in extras["search_hits"].values()), extras

    text = benchmark.report(rows, benchmark.machine_facts(), info)
    lines = [line for line in text.splitlines() if line.startswith("| ")][1:]
    assert len(lines) == len(ROWS)
    for row, line in zip(rows, lines, strict=True):
        assert isinstance(row.value, float) and row.value > 0, row
        label, median, target, verdict = (cell.strip() for cell in line.strip("|").split("|"))
        assert label == row.label
        number = re.fullmatch(r"(\d+(?:\.\d+)?) (ms|s|MB)", median)
        assert number and float(number.group(1)) > 0, line
        assert verdict in ("met", "MISSED", "baseline", "—"), line
        assert target == "—" or target.startswith("< "), line
