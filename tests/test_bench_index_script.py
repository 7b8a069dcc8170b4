"""scripts/bench_index.py measures a small archive end to end (no timing asserts)."""

from __future__ import annotations

from intranet.archive.repository import Archive
from scripts import bench_index, benchmark


def test_bench_index_measures_cold_warm_and_a_policy_change(tmp_path):
    benchmark.build(tmp_path, customers=60, commits=300, log=lambda _: None)
    archive = Archive(tmp_path / "archive.git")
    try:
        cold = bench_index.cold(tmp_path, archive, 1)
        assert all(len(samples) == 1 and samples[0] > 0 for samples in cold.values())
        assert bench_index.warm(tmp_path, archive, 1)[0] > 0
        changed = bench_index.policy_change(tmp_path, archive)
        # The reader was answered during the pass; the pass was woken, not run by it.
        assert changed["requests"] >= 1 and changed["woken"] == 1.0
    finally:
        archive.close()
