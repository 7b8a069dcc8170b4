"""Housekeeping of the archive: pack it and keep a commit-graph with changed-path Bloom filters.

The app writes every object itself (loose files), so without help the repository only grows
and ``git log -- path`` has to open every commit's trees. Housekeeping runs ``git gc`` (packs
the objects and refs, writes the commit-graph) and then ``git commit-graph write --reachable
--changed-paths``, which adds a Bloom filter of the changed paths to every commit: an
administrator's ``git log -- customers/…/C000001.yaml`` then skips the trees of every commit
that did not touch the file. Once a commit-graph holds Bloom filters, git's later writes of it
(``gc --auto``, ``git maintenance``) keep computing them for new commits (git 2.39 does, as
long as ``commitGraph.readChangedPaths`` stays true, its default), so the app's own
``gc --auto`` every 500 commits stays consistent with this.

It runs at most once per interval across every process on the machine: a lock file taken
without waiting (the others skip it) and a stamp with the time of the last run, both in the
git directory. No Flask imports here.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import ArchiveError

LOCK = "intranet-housekeeping.lock"
STAMP = "intranet-housekeeping.json"
GRAPH = Path("objects") / "info" / "commit-graph"
# A commit-graph chunk id: present when the file holds changed-path Bloom filters.
BLOOM_CHUNKS = (b"BIDX", b"BDAT")

log = logging.getLogger(__name__)


def _git(git_dir: Path, *args: str) -> None:
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    result = subprocess.run(["git", "--git-dir", str(git_dir), *args], env=env,
                            capture_output=True, check=False)
    if result.returncode != 0:
        raise ArchiveError(f"git {args[0]} failed: "
                           + result.stderr.decode(errors="replace").strip())


def housekeep(git_dir: Path, gc: bool = True) -> dict[str, float]:
    """Pack the archive (``gc``) and write the commit-graph with Bloom filters; return the
    seconds each step took. Raises ArchiveError when git refuses (another gc running)."""
    steps: dict[str, float] = {}
    if gc:
        started = time.perf_counter()
        _git(git_dir, "gc", "--quiet")
        steps["gc"] = time.perf_counter() - started
    started = time.perf_counter()
    # gc wrote a graph already; this adds (or, once present, completes) the Bloom filters.
    _git(git_dir, "commit-graph", "write", "--reachable", "--changed-paths")
    steps["commit-graph"] = time.perf_counter() - started
    return steps


def last_run(git_dir: Path) -> dict | None:
    """Return what the last housekeeping recorded (``at``: epoch seconds, ``steps``), or None."""
    try:
        stamp = json.loads((git_dir / STAMP).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and isinstance(stamp.get("at"), int | float) else None


def housekeep_if_due(git_dir: Path, every: float,
                     now: Callable[[], float] = time.time) -> dict[str, float] | None:
    """Housekeep when the last run is ``every`` seconds old (or none is recorded); return the
    steps' seconds, or None when it was not due or another process is doing it."""
    git_dir = Path(git_dir)
    lock = FileLock(str(git_dir / LOCK), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return None  # another worker is at it right now
    try:
        last = last_run(git_dir)
        if last is not None and now() - float(last["at"]) < every:
            return None
        steps = housekeep(git_dir)
        _write_stamp(git_dir, {"at": now(), "steps": steps})
        log.info("housekeeping done: %s", ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
        return steps
    finally:
        lock.release()


def _write_stamp(git_dir: Path, stamp: dict) -> None:
    target = git_dir / STAMP
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(stamp))
    os.replace(temporary, target)


def has_bloom_filters(git_dir: Path) -> bool:
    """Tell whether the archive's commit-graph holds changed-path Bloom filters."""
    files = [git_dir / GRAPH]
    chain = git_dir / "objects" / "info" / "commit-graphs"
    if chain.is_dir():
        files += sorted(chain.glob("graph-*.graph"))
    return any(all(chunk in ids for chunk in BLOOM_CHUNKS)
               for ids in map(_chunk_ids, files) if ids)


def _chunk_ids(path: Path) -> set[bytes]:
    """Return the chunk ids in a commit-graph file's table of contents (empty if none)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(8)
            if len(header) < 8 or header[:4] != b"CGPH":
                return set()
            table = handle.read(12 * (header[6] + 1))
    except FileNotFoundError:
        return set()
    return {table[12 * i:12 * i + 4] for i in range(header[6])}
