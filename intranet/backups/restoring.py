"""Make a working archive from a backup bundle (``flask restore BUNDLE TARGET``).

A new bare repository with the archive's own settings (``Archive.create``), every ref fetched
from the bundle with its objects checked on the way in, and the same check ``flask verify``
runs. Nothing is re-sealed and no commit is made: the restored archive is the backup, byte for
byte. The trial restore of every new backup is this same function. No Flask imports here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..archive.repository import Archive
from ..records.files.messages import N_
from ..records.trail.verification import ArchiveCheck, check_archive
from . import gitrun
from .catalogue import Problem
from .gitrun import BackupError


@dataclass(frozen=True)
class Restored:
    """A restored archive: where, its head, and the shared check of it."""

    path: Path
    head: str
    check: ArchiveCheck


def verify_bundle_file(bundle: Path, git_dir: Path) -> None:
    """Run ``git bundle verify`` (it needs a repository: ``git_dir``); raise BackupError."""
    if not bundle.is_file():
        raise BackupError(Problem(N_("The bundle {path} does not exist"), {"path": str(bundle)}))
    result = gitrun.run(git_dir, "bundle", "verify", "--quiet", str(bundle))
    if result.returncode != 0:
        raise BackupError(Problem(N_("git bundle verify failed: {detail}"),
                                  {"detail": gitrun.detail(result)}))


def restore(bundle: str | Path, target: str | Path, branch: str = "main") -> Restored:
    """Restore ``bundle`` into the new bare repository ``target`` and check it.

    Refuses an existing ``target``. Raises BackupError when git cannot read the bundle (the
    half-made target is removed); a restored archive whose files do not all pass the check is
    kept and returned with the problems in ``check``.
    """
    bundle, target = Path(bundle).absolute(), Path(target).absolute()
    if target.exists() or target.is_symlink():
        raise BackupError(Problem(N_("{path} exists already: restore into a new folder"),
                                  {"path": str(target)}))
    if not bundle.is_file():
        raise BackupError(Problem(N_("The bundle {path} does not exist"), {"path": str(bundle)}))
    archive = Archive(target, branch=branch)
    try:
        try:
            archive.create()
        except OSError as exc:
            raise BackupError(Problem(N_("{path} cannot be created: {detail}"),
                                      {"path": str(target), "detail": exc.strerror or str(exc)})
                              ) from exc
        verify_bundle_file(bundle, target)
        # Objects are checked as they come in; the branch moves only when all arrived.
        fetched = gitrun.run(target, "-c", "fetch.fsckObjects=true", "fetch", "--quiet",
                             "--no-write-fetch-head", str(bundle), "+refs/*:refs/*")
        if fetched.returncode != 0:
            raise BackupError(Problem(N_("git could not read the bundle: {detail}"),
                                      {"detail": gitrun.detail(fetched)}))
        head = archive.head()
        if head is None:
            raise BackupError(Problem(N_("The bundle holds no {branch} branch"),
                                      {"branch": branch}))
    except BaseException:
        archive.close()
        shutil.rmtree(target, ignore_errors=True)
        raise
    try:
        return Restored(target, head, check_archive(archive))
    finally:
        archive.close()
