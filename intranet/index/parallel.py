"""Make many files' index rows in worker processes; the caller alone writes to SQLite."""

from __future__ import annotations

import os
import pickle
from collections import deque
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor, Future

from ..archive.errors import NotFound
from ..archive.repository import Archive
from ..records.rulebook.rules import Rules
from .rows import FileRows, checked, file_rows, has_custody

# Starting the workers takes about 0.3 s; below this many files it would save little or nothing.
MIN_FILES = 1000
# None: one worker per core this process may use, at most four (the targets are for 2 cores).
WORKERS: int | None = None
# A few hundred files keep both workers busy to the end and each message small.
CHUNK = 250
# What a pool that cannot start or dies raises; a bug in the row code raises its own error.
FAILURES = (OSError, EOFError, BrokenExecutor, pickle.PicklingError)

Item = tuple[str, str, str]  # customer id, path, blob id
_worker: dict[str, Rules] = {}  # the rules, set once in each worker by _start


def workers() -> int:
    """Return how many worker processes a build uses."""
    if WORKERS is not None:
        return WORKERS
    try:
        # The cores this process may use, not the machine's: the benchmark pins itself to two.
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return min(cores, 4)


def worth_it(count: int) -> bool:
    """Tell whether ``count`` files are better made by worker processes."""
    return count > MIN_FILES and workers() > 1


def prepare(archive: Archive, items: list[Item], rules: Rules
            ) -> Iterator[tuple[Item, bytes, FileRows | None]]:
    """Yield each item in order with its contents and rows; raise one of FAILURES if need be."""
    # Rows are None for a file without custody: the caller finds it in older versions (R33).
    # Imported here: every web process imports the index, few ever build it in one go.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Spawn, not fork: the app runs in threaded web servers, and a forked child would inherit
    # other threads' locks and this process's SQLite connections.
    context = multiprocessing.get_context("spawn")
    count = workers()
    pool = ProcessPoolExecutor(count, mp_context=context, initializer=_start, initargs=(rules,))
    try:
        chunks = (items[i:i + CHUNK] for i in range(0, len(items), CHUNK))
        pending: deque[tuple[list[Item], list[bytes], Future]] = deque()

        def submit() -> None:
            chunk = next(chunks, None)
            if chunk is None:
                return
            # One git process reads a chunk; reading chunk by chunk bounds the memory held.
            found = archive.read_many([blob for _, _, blob in chunk])
            raws: list[bytes] = []
            for (_, _, blob), raw in zip(chunk, found, strict=True):
                if raw is None:
                    raise NotFound(blob)  # as read_object would: the tree names a lost blob
                raws.append(raw)
            work = [(*item, raw) for item, raw in zip(chunk, raws, strict=True)]
            pending.append((chunk, raws, pool.submit(_make, work)))

        # Two chunks a worker in flight: one being made, one waiting, none idle.
        for _ in range(2 * count):
            submit()
        while pending:
            chunk, raws, future = pending.popleft()
            made = future.result()
            submit()
            yield from zip(chunk, raws, made, strict=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start(rules: Rules) -> None:
    """Keep the rules in the worker: they are sent once, not with every chunk."""
    _worker["rules"] = rules


def _make(work: list[tuple[str, str, str, bytes]]) -> list[FileRows | None]:
    """Return the rows of a chunk of files, in a worker."""
    rules = _worker["rules"]
    made: list[FileRows | None] = []
    for customer, path, blob, raw in work:
        record, problem = checked(raw, path, rules)
        # A file without custody takes it from an older version: the caller has the archive.
        made.append(file_rows(customer, path, blob, record, problem, rules.policy)
                    if has_custody(record) else None)
    return made
