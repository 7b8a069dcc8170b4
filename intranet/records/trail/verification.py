"""Check a whole archive: git fsck and every file validated (``flask verify``, backups).

The same check runs on the live archive (``flask verify``), on a backup's trial restore and
on a restored archive, so "verified" means one thing everywhere. No Flask imports here.
"""

from __future__ import annotations

import itertools
import os
import pickle
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field

from intranet.archive.errors import CorruptRecord, NotFound
from intranet.archive.repository import Archive
from intranet.records.files.customers import PREFIX, check, id_from_path
from intranet.records.rulebook.classes import CLASSES_PATH, Classes, load_classes
from intranet.records.rulebook.rules import DEPARTMENTS_PATH, STAFF_PATH, Rules, load_rules

# Below this many files worker processes would not pay for their start (about 0.3 s).
PARALLEL_FROM = 1000
# Files read by one git process and checked by one worker at a time.
CHUNK = 250
Result = tuple[str | None, list[str]]  # the file's problem line, its warnings
_worker: dict[str, object] = {}


@dataclass(frozen=True)
class ArchiveCheck:
    """The outcome of checking an archive: git fsck, bad files, warnings, customer files."""

    fsck_ok: bool
    fsck_output: str
    bad: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    count: int = 0

    @property
    def ok(self) -> bool:
        """Tell whether git fsck passed and no file is bad."""
        return self.fsck_ok and not self.bad

    def first_problem(self) -> str:
        """Return the first problem in one line ("" when ok)."""
        if not self.fsck_ok:
            lines = self.fsck_output.splitlines()
            return "git fsck failed" + (f": {lines[0]}" if lines else "")
        return self.bad[0] if self.bad else ""


def check_archive(archive: Archive) -> ArchiveCheck:
    """Run git fsck and validate the policy, organisation and every customer file."""
    fsck_ok, output = archive.fsck()
    bad: list[str] = []
    warnings: list[str] = []
    count = 0
    snapshot = archive.snapshot()
    try:
        rules = load_rules(snapshot)
        # A damaged policy or org file: the office runs on its last valid version meanwhile.
        bad += [problem.describe() for problem in rules.problems]
    except CorruptRecord as exc:
        bad.append(f"{exc.path}: {exc.reason} (no valid version in its history)")
        rules = None
    for path in (STAFF_PATH, DEPARTMENTS_PATH):
        if snapshot.get(path) is None:
            bad.append(f"{path}: missing")
    classes = load_classes(snapshot)
    if classes.problem:
        bad.append(f"{CLASSES_PATH}: {classes.problem} (no lists in force: any value)")
    if rules is not None:
        files: list[tuple[str, str]] = []
        for path, blob in sorted(archive.files(PREFIX).items()):
            if id_from_path(path) is None:
                bad.append(f"{path}: not a customer file name (customers/NNNN/CNNNNNN.yaml)")
            else:
                files.append((path, blob))
        count = len(files)
        for problem, flags in _check_files(archive, files, rules, classes):
            if problem:
                bad.append(problem)
            warnings += flags
    return ArchiveCheck(fsck_ok, output, bad, warnings, count)


def _check_chunk(work: list[tuple[str, bytes]], rules: Rules, classes: Classes) -> list[Result]:
    """Return each file's problem line (or None) and its warnings."""
    results: list[Result] = []
    for path, raw in work:
        record, problem, _ = check(raw, path, rules)
        # R23: a value outside its list is flagged, not refused (old files still load).
        flags = [f"{path}: {flag.path}: {flag.value} is not in the {flag.list} list"
                 for flag in (classes.flags(record) if record else [])]
        results.append((f"{path}: {problem}" if problem else None, flags))
    return results


def _start(rules: Rules, classes: Classes) -> None:
    _worker["rules"], _worker["classes"] = rules, classes


def _check_in_worker(work: list[tuple[str, bytes]]) -> list[Result]:
    return _check_chunk(work, _worker["rules"], _worker["classes"])  # type: ignore[arg-type]


def _read(archive: Archive, chunk: list[tuple[str, str]]) -> list[tuple[str, bytes]]:
    """Read a chunk of blobs with one git process."""
    found = archive.read_many([blob for _, blob in chunk])
    if any(raw is None for raw in found):
        raise NotFound(next(blob for (_, blob), raw in zip(chunk, found, strict=True)
                            if raw is None))
    return [(path, raw or b"") for (path, _), raw in zip(chunk, found, strict=True)]


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may use
    except AttributeError:
        cores = os.cpu_count() or 1
    return min(cores, 4)


def _check_files(archive: Archive, files: list[tuple[str, str]], rules: Rules,
                 classes: Classes) -> list[Result]:
    """Return each file's check in order: in worker processes when there are many files."""
    chunks = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)]
    count = _workers()
    if len(files) >= PARALLEL_FROM and count > 1:
        try:
            return _in_workers(archive, chunks, rules, classes, count)
        except (OSError, EOFError, BrokenExecutor, pickle.PicklingError):
            pass  # no worker processes here (a frozen program, a sandbox): check in this one
    results: list[Result] = []
    for chunk in chunks:
        results += _check_chunk(_read(archive, chunk), rules, classes)
    return results


def _in_workers(archive: Archive, chunks: list[list[tuple[str, str]]], rules: Rules,
                classes: Classes, count: int) -> list[Result]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Spawn, not fork: the check also runs in a threaded web server's background thread.
    context = multiprocessing.get_context("spawn")
    results: list[Result] = []
    with ProcessPoolExecutor(count, mp_context=context, initializer=_start,
                             initargs=(rules, classes)) as pool:
        # Read as the workers go, two chunks a worker ahead, so memory stays bounded.
        ahead = iter(chunks)
        pending = [pool.submit(_check_in_worker, _read(archive, chunk))
                   for chunk in itertools.islice(ahead, 2 * count)]
        while pending:
            done = pending.pop(0)
            following = next(ahead, None)
            if following is not None:
                pending.append(pool.submit(_check_in_worker, _read(archive, following)))
            results += done.result()
    return results
