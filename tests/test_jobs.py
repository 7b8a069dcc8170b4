"""The background jobs runner: due times on a fake clock, waking early, failures contained."""

from __future__ import annotations

import threading

from intranet import create_app
from intranet.jobs import Jobs
from tests.conftest import make_archive


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_jobs_run_when_due_and_when_asked():
    clock, calls = Clock(), []
    jobs = Jobs(clock)
    jobs.add("backup", lambda: calls.append("backup"), every=600)
    jobs.add("mirror", lambda: calls.append("mirror"), every=60, delay=30)
    assert jobs.run_due() == ["backup"]
    assert jobs.run_due() == []
    clock.now += 30
    assert jobs.run_due() == ["mirror"]
    jobs.run_soon("mirror")
    assert jobs.run_due() == ["mirror"]
    clock.now += 600
    assert sorted(jobs.run_due()) == ["backup", "mirror"]
    assert calls == ["backup", "mirror", "mirror", "backup", "mirror"]


def test_a_failing_job_is_recorded_and_the_others_still_run():
    clock, calls = Clock(), []
    jobs = Jobs(clock)

    def broken():
        raise OSError("disk full")

    jobs.add("broken", broken, every=10)
    jobs.add("fine", lambda: calls.append(1), every=10)
    assert sorted(jobs.run_due()) == ["broken", "fine"]
    assert jobs._jobs["broken"].last_error == "OSError: disk full"
    assert calls == [1]


def test_the_thread_runs_jobs_and_stops():
    ran = threading.Event()
    jobs = Jobs()
    jobs.add("once", ran.set, every=3600)
    assert jobs.start() and not jobs.start()
    assert ran.wait(5)
    jobs.stop()
    assert not jobs.running


def test_a_serving_app_starts_its_jobs_at_the_first_request_but_not_when_testing(tmp_path):
    for wanted, expected in ((None, False), (True, True)):
        root = tmp_path / str(wanted)
        make_archive(root / "archive.git").close()
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "BACKGROUND_JOBS": wanted,
                          "ARCHIVE_REPO": str(root / "archive.git"),
                          "INSTANCE_PATH": str(root / "instance")})
        svc = app.extensions["customer_archive"]
        ran = threading.Event()
        svc.jobs.add("probe", ran.set, every=3600)
        assert not svc.jobs.running
        app.test_client().get("/healthz")
        assert svc.jobs.running is expected
        assert ran.wait(5) if expected else not ran.is_set()
        svc.close()
        assert not svc.jobs.running
