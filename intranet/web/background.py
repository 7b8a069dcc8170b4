"""Start the services' background jobs in a process that serves requests (not in CLI runs)."""

from __future__ import annotations

from flask import Flask

from .. import services


def init_app(app: Flask) -> None:
    """Start the jobs thread at the first request when BACKGROUND_JOBS allows it."""
    wanted = app.config.get("BACKGROUND_JOBS")
    if wanted is None:
        wanted = not app.testing
    if not wanted:
        return

    def start_jobs() -> None:
        # At the first request rather than in create_app: gunicorn forks workers after
        # importing, and a thread started before the fork would not exist in them.
        svc = services.get()
        jobs = svc.jobs
        if not jobs.running:
            jobs.start()
            # From now on readers never wait for a policy change's re-read: the job does it.
            svc.index.defer = lambda: jobs.run_soon("index")

    app.before_request(start_jobs)
