"""The writers' lock and recovery of git lock files left by killed processes.

The compare-and-swap on the branch is what keeps writes correct; the writers' lock only
spares retries when several processes save at once. An operating-system lock is released
by the kernel when its holder dies, so it can never go stale itself.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

WRITER_LOCK = "intranet-writer.lock"
# Next to the archive (not inside it: it must exist before the archive does) so that every
# process pointed at one archive path meets on the same lock during first start.
INIT_LOCK_SUFFIX = ".init.lock"
# Git creates these next to the file it is about to replace and renames them into place.
_GIT_LOCK_PLACES = ("HEAD.lock", "packed-refs.lock", "config.lock", "index.lock", "shallow.lock")


def writer_lock(git_dir: Path) -> FileLock:
    """Return a fresh lock object for the archive's writers (one per use, not shared)."""
    return FileLock(str(git_dir / WRITER_LOCK), thread_local=False)


def init_lock(git_dir: Path) -> FileLock:
    """Return the lock that serialises creating and initialising the archive at ``git_dir``."""
    git_dir.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(git_dir.parent / (git_dir.name + INIT_LOCK_SUFFIX)), thread_local=False)


def git_lock_files(git_dir: Path) -> Iterator[Path]:
    """Yield every git lock file present in the repository."""
    for name in _GIT_LOCK_PLACES:
        path = git_dir / name
        if path.exists():
            yield path
    yield from (git_dir / "refs").rglob("*.lock")


def _open_elsewhere(path: Path) -> bool:
    """Tell whether a live process holds the file open (Linux /proc; unknown elsewhere)."""
    proc = Path("/proc")
    if not sys.platform.startswith("linux") or not proc.is_dir():
        return True
    target = str(path.resolve())
    for fd_dir in proc.glob("[0-9]*/fd"):
        try:
            for fd in fd_dir.iterdir():
                try:
                    if os.readlink(fd) == target:
                        return True
                except OSError:
                    continue
        except OSError:
            continue
    return False


def remove_stale(git_dir: Path, grace: float) -> list[Path]:
    """Remove stale git lock files; the caller must hold the writers' lock."""
    removed: list[Path] = []
    now = time.time()
    # Without /proc we cannot see holders, so only a much older lock counts as stale.
    threshold = grace if sys.platform.startswith("linux") else max(grace, 60.0)
    for path in list(git_lock_files(git_dir)):
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:
            continue
        if age < threshold or _open_elsewhere(path):
            continue
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
    return removed


def recover_stale_locks(git_dir: Path, grace: float = 5.0, wait: float = 10.0) -> list[Path]:
    """Remove git lock files that no live process holds; return what was removed.

    A lock is stale when it is older than ``grace`` seconds and, where the platform lets us
    look, no process has it open. We take the writers' lock first so that none of our own
    writers is between creating a lock and renaming it; git's ``O_EXCL`` creation means nobody
    else can take a lock file while it exists, so removing a stale one races with no one.
    """
    if not any(git_lock_files(git_dir)):
        return []
    lock = writer_lock(git_dir)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        return []
    try:
        return remove_stale(git_dir, grace)
    finally:
        lock.release()
