"""Write one backup: check the folder, seal the journal, write the bundle, verify, name it.

The bundle is written to a hidden temporary name in the backup folder and synced; only when it
has been verified (``verifying.py``) does it get its final name, without ever replacing
another file. On any failure the temporary file is removed and the attempt is recorded as
failed with its reason: nothing half-written is left and the archive is not touched (the
folder is checked before the journal is sealed). No Flask imports here.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from ..archive.repository import Archive
from ..records.files.messages import N_
from . import gitrun
from .catalogue import Catalogue, Entry, Problem
from .gitrun import BackupError
from .verifying import verify_bundle

log = logging.getLogger(__name__)
SUFFIX = ".bundle"
# Free space a backup needs: the repository's size (a bundle is rarely bigger) plus a quarter
# and a little for the catalogue and the file system's own needs.
ROOM_FACTOR = 1.25
ROOM_EXTRA = 16 * 1024 * 1024
_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def room_needed(size: int) -> int:
    """Return the free bytes a backup of a ``size``-byte repository asks for."""
    return int(size * ROOM_FACTOR) + ROOM_EXTRA


def free_bytes(directory: Path) -> int | None:
    """Return the bytes free for us in ``directory``'s file system (None if unknown)."""
    try:
        stats = os.statvfs(directory)
    except (OSError, AttributeError):  # statvfs is missing on Windows
        return None
    return stats.f_bavail * stats.f_frsize


def repository_size(archive: Archive) -> int:
    """Return the bytes the archive's files take."""
    total = 0
    for folder, _dirs, names in os.walk(archive.path):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def bundle_name(kind: str, when: datetime, zone: tzinfo) -> str:
    """Return a backup's file name, e.g. archive-2026-12-01T0010-monthly.bundle."""
    return f"archive-{when.astimezone(zone):%Y-%m-%dT%H%M}-{kind}{SUFFIX}"


def split_destination(destination: Path) -> tuple[Path, str | None]:
    """Return (folder, file name or None) for a folder, or a new ``*.bundle`` file path."""
    if destination.suffix == SUFFIX and not destination.is_dir():
        return destination.parent, destination.name
    return destination, None


def _describe_os_error(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _problem_for(exc: OSError, folder: Path) -> Problem:
    if exc.errno in _FULL:
        return Problem(N_("The backup disk {path} is full: {detail}"),
                       {"path": str(folder), "detail": _describe_os_error(exc)})
    return Problem(N_("The backup could not be written in {path}: {detail}"),
                   {"path": str(folder), "detail": _describe_os_error(exc)})


def _check_folder(folder: Path, needed: int) -> None:
    """Raise BackupError unless ``folder`` exists, is a folder and has room."""
    if not folder.exists():
        raise BackupError(Problem(N_("The backup folder {path} does not exist (is the disk "
                                     "mounted?)"), {"path": str(folder)}))
    if not folder.is_dir():
        raise BackupError(Problem(N_("{path} is not a folder"), {"path": str(folder)}))
    free = free_bytes(folder)
    if free is not None and free < needed:
        raise BackupError(Problem(N_("The backup disk {path} is too full: {free} MB free, a "
                                     "backup needs about {needed} MB"),
                                  {"path": str(folder), "free": free // 2**20,
                                   "needed": needed // 2**20 + 1}))


def _open_temporary(folder: Path, name: str) -> tuple[Path, int]:
    """Create the hidden temporary file; raise BackupError when the folder is not writable."""
    temporary = folder / f".{name}.{os.getpid()}.partial"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    except OSError as exc:
        raise BackupError(Problem(N_("The backup folder {path} is not writable: {detail}"),
                                  {"path": str(folder), "detail": _describe_os_error(exc)})
                          ) from exc
    return temporary, fd


def _write_bundle(archive: Archive, fd: int, folder: Path) -> None:
    """Stream ``git bundle create - --all`` into ``fd`` and wait for the disk."""
    process = subprocess.Popen(["git", "--git-dir", str(archive.path), "bundle", "create",
                                "--quiet", "-", "--all"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=gitrun.env())
    assert process.stdout is not None and process.stderr is not None
    try:
        while chunk := process.stdout.read(1 << 20):
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        process.kill()
        raise BackupError(_problem_for(exc, folder)) from exc
    finally:
        process.stdout.close()
        error = process.stderr.read()
        process.stderr.close()
        process.wait()
    if process.returncode != 0:
        raise BackupError(Problem(N_("git bundle create failed: {detail}"), {
            "detail": gitrun.detail(subprocess.CompletedProcess([], process.returncode,
                                                                b"", error))}))


def _sync_folder(folder: Path) -> None:
    # The new name must survive a power cut too (POSIX only; Windows has no folder fsync).
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _place(temporary: Path, folder: Path, name: str) -> Path:
    """Give the verified file its final name, never replacing an existing file."""
    stem = name[: -len(SUFFIX)]
    for number in range(1, 100):
        final = folder / (name if number == 1 else f"{stem}-{number}{SUFFIX}")
        try:
            os.link(temporary, final)  # fails if the name is taken: no backup is replaced
        except FileExistsError:
            continue
        except OSError:
            # File systems without hard links (FAT on a USB disk, some NAS shares).
            if final.exists():
                continue
            os.replace(temporary, final)
            return final
        temporary.unlink()
        return final
    raise BackupError(Problem(N_("No free file name for {name} in {path}"),
                              {"name": name, "path": str(folder)}))


@dataclass(frozen=True)
class Request:
    """What to back up, where, and what to call before writing (the journal's seal)."""

    archive: Archive
    destination: Path
    kind: str
    seal: Callable[[], object]
    journal: Path | None = None
    zone: tzinfo = UTC
    scratch: Path | None = None  # where the trial restore goes (default: the system's temp)


def make_backup(request: Request, catalogue: Catalogue, now: datetime) -> Entry:
    """Make, verify and record one backup; return its catalogue entry (verified or not)."""
    started = time.perf_counter()
    folder, wanted = split_destination(request.destination.absolute())
    name = wanted or bundle_name(request.kind, now, request.zone)
    entry_id = catalogue.start(request.kind, now, str(folder / name))
    temporary: Path | None = None
    fd: int | None = None
    try:
        if wanted and (folder / wanted).exists():
            raise BackupError(Problem(N_("{path} exists already; choose a new file name"),
                                      {"path": str(folder / wanted)}))
        _check_folder(folder, room_needed(repository_size(request.archive)))
        temporary, fd = _open_temporary(folder, name)
        try:
            request.seal()
        except Exception as exc:  # whatever stops the seal, the backup must say so and stop
            raise BackupError(Problem(N_("The audit journal could not be sealed: {detail}"),
                                      {"detail": str(exc)})) from exc
        _write_bundle(request.archive, fd, folder)
        os.close(fd)
        fd = None
        checked = verify_bundle(temporary, request.journal, request.scratch)
        if not checked.ok:
            assert checked.problem is not None
            raise BackupError(checked.problem)
        final = _place(temporary, folder, name)
        temporary = None
        _sync_folder(folder)
        seconds = time.perf_counter() - started
        catalogue.finish(entry_id, now + timedelta(seconds=seconds), seconds, path=str(final),
                         size=final.stat().st_size, head=checked.head, files=checked.files,
                         verified=True)
    except Exception as exc:
        if isinstance(exc, BackupError):
            problem = exc.problem
        elif isinstance(exc, OSError):
            problem = _problem_for(exc, folder)
        else:  # a bug or a damaged archive: still one failed, recorded attempt
            log.exception("backup failed unexpectedly")
            problem = Problem(N_("The backup failed unexpectedly: {detail}"),
                              {"detail": f"{type(exc).__name__}: {exc}"})
        seconds = time.perf_counter() - started
        catalogue.finish(entry_id, now + timedelta(seconds=seconds), seconds,
                         path=str(folder / name), problem=problem)
    finally:
        if fd is not None:
            os.close(fd)
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    entry = catalogue.get(entry_id)
    assert entry is not None
    return entry
