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
    "dashboard_staff", "save_ratio", "git_log_default", "git_log_hash", "git_log_oneline",
    "drill_bundle", "drill_restore", "drill_first_start", "drill_total",
    "save_ratio_pairs",
)
SCALE_ROWS = (
    "cold_build", "warm_start", "list_all", "list_filtered", "list_page50", "search_1",
    "search_2", "search_4", "search_phone", "search_simplified", "read_one", "save",
    "save_fast", "raw_commit", "history_index", "history_git", "rss_benchmark", "rss_warm",
    "save_ratio", "git_log_default", "git_log_hash", "git_log_oneline", "save_ratio_pairs",
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
        number = re.fullmatch(r"(\d+(?:\.\d+)?) ?(ms|s|MB|×)", median)
        assert number and float(number.group(1)) > 0, line
        assert verdict in ("met", "MISSED", "baseline", "—"), line
        assert target == "—" or target.startswith(("< ", "≤ ")), line
    # The archive is housekept as an office's is: Bloom filters for `git log -- path`.
    assert extras["git_log"]["bloom_filters"] and extras["git_log"]["versions"] == 200
    drill = extras["restore_drill"]
    assert drill["total"] == drill["restore"] + drill["first_start"]


def test_the_fast_build_copies_template_chains_and_the_scale_run_measures_the_core(tmp_path):
    info = benchmark.build(tmp_path, customers=80, commits=400, log=lambda _: None, fast=20)
    assert info.long_versions == benchmark.LONG_VERSIONS  # the build's own checks passed
    # Copies carry their own id and name (the build validated 100 random files too).
    archive = benchmark.Archive(benchmark.paths(tmp_path)["archive"])
    files = archive.files("customers/")
    assert len(files) == 80
    for path, blob in files.items():
        text = archive.read_object(blob)[1].decode()
        assert f"id: {path[-12:-5]}\n" in text
    names = {benchmark.yamlio.load(archive.read_object(b)[1], p)["basic"]["name"]
             for p, b in files.items()}
    assert len(names) > 60
    archive.close()
    rows, _ = benchmark.measure(tmp_path, repeat=2, cold_repeat=1, warm_repeat=1,
                                log=lambda _: None, scale=True)
    assert sorted(row.key for row in rows) == sorted(SCALE_ROWS)
    assert all(row.value > 0 for row in rows)
