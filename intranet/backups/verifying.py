"""Prove a backup: verify the bundle, restore it for a trial, check everything in the copy.

``git bundle verify``, a trial restore into a temporary directory (objects checked as they are
fetched), ``git fsck`` (full by default), every file validated as ``flask verify`` does, the
sealed audit files' chain checked in the restored copy and, when the live journal is given,
the sealed entries matched against its beginning. Works on any bundle file, also alone (a
copy found on a USB disk). No Flask imports here.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..archive.repository import Archive
from ..records.files.messages import N_
from ..records.trail.audit import compare_prefix, read_lines, verify_sealed
from .catalogue import Problem
from .gitrun import BackupError
from .restoring import restore


@dataclass(frozen=True)
class Verification:
    """The outcome of verifying one bundle."""

    ok: bool
    problem: Problem | None
    head: str = ""
    files: int = 0  # customer files in the backup
    sealed: int = 0  # sealed audit entries in the backup
    seconds: float = 0.0


def verify_bundle(bundle: str | Path, journal: str | os.PathLike | None = None,
                  scratch: str | Path | None = None) -> Verification:
    """Verify ``bundle`` by restoring it into a temporary folder below ``scratch``."""
    started = time.perf_counter()
    head, files, sealed = "", 0, 0

    def result(problem: Problem | None) -> Verification:
        return Verification(problem is None, problem, head, files, sealed,
                            time.perf_counter() - started)

    with tempfile.TemporaryDirectory(prefix="backup-trial-", dir=scratch) as folder:
        try:
            restored = restore(bundle, Path(folder) / "trial.git")
        except BackupError as exc:
            return result(exc.problem)
        head, files = restored.head, restored.check.count
        if not restored.check.ok:
            return result(Problem(N_("The restored copy fails the archive check: {detail}"),
                                  {"detail": restored.check.first_problem()}))
        copy = Archive(restored.path)
        try:
            chain, lines = verify_sealed(copy.snapshot())
        finally:
            copy.close()
        sealed = chain.count
        if not chain.ok:
            return result(Problem(N_("The sealed audit journal in the backup is broken: "
                                     "{detail}"), {"detail": chain.describe()}))
        if journal is not None:
            # The backup's sealed entries must be the live journal's beginning, unchanged.
            differs = compare_prefix(lines, read_lines(journal))
            if differs:
                return result(Problem(N_("The sealed audit entries in the backup differ from "
                                         "the journal: {detail}"), {"detail": differs}))
    return result(None)
