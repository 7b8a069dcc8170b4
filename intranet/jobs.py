"""Background jobs of a serving process: scheduled backups, mirror pushes, housekeeping.

One daemon thread per process runs every registered job when it is due and sleeps in between;
``run_soon`` wakes it early (a commit asks for a mirror push that way). A job decides for
itself whether there is anything to do and takes its own cross-process lock, so several
gunicorn workers may each run the same jobs safely. A job's failure is logged, never raised:
the thread must outlive any one job. No Flask imports here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Job:
    """A function run every ``every`` seconds (and sooner when asked)."""

    name: str
    run: Callable[[], object]
    every: float
    due: float = 0.0  # monotonic time of the next run; 0 runs it at once
    runs: int = 0
    last_error: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class Jobs:
    """The jobs of one process and the thread that runs them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._jobs: dict[str, Job] = {}
        self._clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def add(self, name: str, run: Callable[[], object], every: float,
            delay: float = 0.0) -> Job:
        """Register ``run`` to be called every ``every`` seconds, first after ``delay``."""
        job = Job(name, run, every, due=self._clock() + delay)
        self._jobs[name] = job
        return job

    def names(self) -> list[str]:
        """Return the registered jobs' names."""
        return list(self._jobs)

    def run_soon(self, name: str) -> None:
        """Make the job due now and wake the thread (cheap; safe from any thread)."""
        job = self._jobs.get(name)
        if job is not None:
            job.due = 0.0
            self._wake.set()

    def run_due(self, only: Iterable[str] | None = None) -> list[str]:
        """Run every job that is due now (of ``only``, if given) in this thread; return them."""
        ran = []
        wanted = None if only is None else set(only)
        for job in list(self._jobs.values()):
            if wanted is not None and job.name not in wanted:
                continue
            if job.due > self._clock() or not job._lock.acquire(blocking=False):
                continue
            try:
                job.due = self._clock() + job.every
                job.run()
                job.last_error = ""
            except Exception as exc:  # a job's failure must not end the thread
                job.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("background job %s failed", job.name)
            finally:
                job.runs += 1
                job._lock.release()
            ran.append(job.name)
        return ran

    @property
    def running(self) -> bool:
        """Tell whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start the thread once; return whether this call started it."""
        with self._start_lock:
            if self.running or not self._jobs:
                return False
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="intranet-jobs", daemon=True)
            self._thread.start()
            return True

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop and wait for it (a running job is finished first)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_due()
            self._wake.clear()
            due = min((job.due for job in self._jobs.values()), default=self._clock() + 60)
            self._wake.wait(max(0.05, min(60.0, due - self._clock())))
