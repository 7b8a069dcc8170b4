"""Issue 13's git figures: plain `git log -- path`, the save ratio and the restore drill.

Called by ``scripts/benchmark.py`` on the archive it built (housekept as an office's would be:
``git gc`` plus a commit-graph with changed-path Bloom filters). Targets (issue 13): an
administrator's ``git log -- customers/…/C000001.yaml`` ≤ 30 ms at 50,000 commits; a whole save
with index catch-up ≤ 0.6× a raw ``git add`` + ``git commit`` of the same change; the restore
drill (restore a bundle, first start with a cold index, ``flask verify``) < 60 s at 10,000
customers.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from intranet import create_app
from intranet.archive.housekeeping import has_bloom_filters
from intranet.archive.repository import Archive
from intranet.backups import restore
from intranet.index import Query

GIT_LOG_TARGET = 30.0  # ms
SAVE_RATIO_TARGET = 0.6
DRILL_TARGET = 60.0  # s
# What an administrator would type; each is timed as a whole process (fork, exec, walk, print).
GIT_LOG_FORMS = {
    "git_log_default": ("git log -- path (default format)", []),
    "git_log_hash": ("git log --format=%H -- path", ["--format=%H"]),
    "git_log_oneline": ("git log --oneline -- path", ["--oneline"]),
}


def _run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}
    return subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)


def wall_times(fn: Callable[[], object], repeat: int) -> list[float]:
    """Return ``repeat`` wall times in ms after one warm-up call (the benchmark's sampler)."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def git_log_figures(archive: Path, path: str, repeat: int) -> tuple[list[tuple], dict]:
    """Return the plain-git history figures of one file, and what was measured on."""
    facts = {"bloom_filters": has_bloom_filters(archive), "path": path,
             "versions": len(_run(["git", "--git-dir", str(archive), "log", "--format=%H",
                                   "main", "--", path]).stdout.split())}
    figures = []
    for key, (label, extra) in GIT_LOG_FORMS.items():
        args = ["git", "--git-dir", str(archive), "log", *extra, "main", "--", path]
        samples = wall_times(lambda args=args: _run(args), repeat)
        figures.append((key, f"{label}, plain git, {facts['versions']} versions",
                        samples, "ms", GIT_LOG_TARGET if key == "git_log_default" else None))
    return figures, facts


def save_ratio_figure(save: list[float], raw: list[float]) -> tuple:
    """Return the save/raw ratio row: median of the saves over median of the raw commits."""
    ratio = statistics.median(save) / statistics.median(raw)
    return ("save_ratio", "Save + catch up ÷ raw git add + commit (same run)", [ratio], "×",
            SAVE_RATIO_TARGET)


def restore_drill(archive: Path, workdir: Path, log: Callable[[str], None] = print
                  ) -> tuple[list[tuple], dict[str, float]]:
    """Bundle the archive, restore it into a new bare repository, start the app on it with a
    cold index and run ``flask verify``; return the figures and each step's seconds."""
    drill = workdir / "drill"
    shutil.rmtree(drill, ignore_errors=True)
    drill.mkdir()
    bundle = drill / "archive.bundle"
    steps: dict[str, float] = {}
    started = time.perf_counter()
    Archive(archive).bundle(bundle)  # writes and verifies, as a backup does
    steps["bundle"] = time.perf_counter() - started
    target = drill / "restored.git"
    started = time.perf_counter()
    # What the README's drill runs: `flask restore BUNDLE TARGET` (a bare repository with the
    # archive's settings, every ref fetched with its objects checked, then the check `flask
    # verify` makes: fsck and every file validated).
    restored = restore(bundle, target)
    steps["restore"] = time.perf_counter() - started
    if not restored.check.ok:
        raise AssertionError(f"the restored archive fails its check: {restored.check.bad[:5]}")
    started = time.perf_counter()
    app = create_app({"ARCHIVE_REPO": str(target), "INSTANCE_PATH": str(drill / "instance"),
                      "SECRET_KEY": "drill", "BACKGROUND_JOBS": False})
    svc = app.extensions["customer_archive"]
    svc.index.find(Query())
    steps["first_start"] = time.perf_counter() - started
    svc.close()
    steps["total"] = steps["restore"] + steps["first_start"]
    log("restore drill: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
    figures = [
        ("drill_bundle", "Drill: git bundle create --all + verify (the backup)",
         [steps["bundle"]], "s", None),
        ("drill_restore", "Drill: flask restore (bare repository, fetch, fsck, files checked)",
         [steps["restore"]], "s", None),
        ("drill_first_start", "Drill: first start on it (create_app + cold index)",
         [steps["first_start"]], "s", None),
        ("drill_total", "Restore drill: flask restore + first start",
         [steps["total"]], "s", DRILL_TARGET),
    ]
    shutil.rmtree(drill, ignore_errors=True)
    return figures, steps
