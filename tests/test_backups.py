"""Backups (R38): made, verified by a trial restore, failing cleanly, restored; the CLI."""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from intranet import create_app
from intranet.archive.repository import Archive, Change
from intranet.backup_cli import is_restore_run
from intranet.backups import BackupError, Backups, restore, verify_bundle
from intranet.records.trail.sealing import seal_and_remember

from .backup_support import Clock, backup_app, bundles, taipei
from .conftest import SYSTEM, git, make_archive
from .test_audit import NOVEMBER, fill
from .test_audit import Clock as JournalClock

SPAWN = multiprocessing.get_context("spawn")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(tmp_path):
    app = backup_app(tmp_path, Clock(taipei(12, 1, 0, 10)))
    yield app
    app.extensions["customer_archive"].close()

# conftest's ``svc`` and ``runner`` fixtures use this module's ``app``.


def test_a_backup_is_written_verified_named_and_catalogued(svc, tmp_path):
    svc.journal.clock = JournalClock(NOVEMBER)
    fill(svc.journal, 3)
    entry = svc.backups.make()
    assert entry.verified and entry.problem is None and entry.kind == "manual"
    head = svc.archive.head()
    assert entry.head == head  # the seal's commit is in the backup
    assert git(svc.archive.path, "log", "-1", "--format=%s", head).startswith("封存稽核紀錄")
    assert bundles(tmp_path / "backups") == ["archive-2026-12-01T0010-manual.bundle"]
    assert entry.size == Path(entry.path).stat().st_size and entry.seconds > 0
    checked = verify_bundle(entry.path, svc.journal.path)
    assert checked.ok and checked.head == head and checked.sealed == 3
    assert svc.backups.catalogue.newest_verified().id == entry.id
    again = svc.backups.make()  # the same minute: a new name, never a replaced file
    assert again.verified and again.name == "archive-2026-12-01T0010-manual-2.bundle"


def test_a_damaged_bundle_fails_verification(svc, tmp_path):
    entry = svc.backups.make()
    damaged = tmp_path / "damaged.bundle"
    data = bytearray(Path(entry.path).read_bytes())
    middle = len(data) // 2
    data[middle:middle + 32] = bytes(b ^ 0xFF for b in data[middle:middle + 32])
    damaged.write_bytes(bytes(data))
    checked = verify_bundle(damaged)
    assert not checked.ok and checked.problem is not None
    assert "git" in checked.problem.describe()
    assert verify_bundle(entry.path).ok  # the original is fine
    truncated = tmp_path / "truncated.bundle"
    truncated.write_bytes(bytes(data[:middle]))
    assert not verify_bundle(truncated).ok


def test_a_backup_whose_sealed_journal_differs_from_the_live_one_fails(svc, tmp_path):
    svc.journal.clock = JournalClock(NOVEMBER)
    fill(svc.journal, 2)
    entry = svc.backups.make()
    edited = tmp_path / "edited.jsonl"
    lines = Path(svc.journal.path).read_bytes().split(b"\n")
    edited.write_bytes(b"\n".join([lines[0].replace(b'"seq":1', b'"seq":1 '), *lines[1:]]))
    checked = verify_bundle(entry.path, edited)
    assert not checked.ok and "differ from the journal" in checked.problem.describe()


def test_restore_gives_the_same_head_and_passes_verify(svc, tmp_path):
    entry = svc.backups.make()
    target = tmp_path / "restored.git"
    restored = restore(entry.path, target)
    assert restored.head == svc.archive.head() and restored.check.ok
    assert git(target, "remote").strip() == ""  # no remote left pointing at the bundle
    assert git(target, "config", "receive.denyNonFastForwards").strip() == "true"
    app = create_app({"TESTING": True, "ARCHIVE_REPO": str(target), "SECRET_KEY": "test",
                      "INSTANCE_PATH": str(tmp_path / "instance2")})
    try:
        result = app.test_cli_runner().invoke(args=["verify"])
        assert result.exit_code == 0 and result.output.startswith("OK"), result.output
        assert app.extensions["customer_archive"].archive.head() == restored.head
    finally:
        app.extensions["customer_archive"].close()


def test_restore_refuses_an_existing_target_and_a_missing_bundle(svc, tmp_path):
    entry = svc.backups.make()
    target = tmp_path / "there"
    target.mkdir()
    with pytest.raises(BackupError, match="exists already"):
        restore(entry.path, target)
    assert list(target.iterdir()) == []
    with pytest.raises(BackupError, match="does not exist"):
        restore(tmp_path / "nothing.bundle", tmp_path / "new")
    assert not (tmp_path / "new").exists()
    damaged = tmp_path / "damaged.bundle"
    damaged.write_bytes(Path(entry.path).read_bytes()[:200])
    with pytest.raises(BackupError, match="git"):
        restore(damaged, tmp_path / "new")
    assert not (tmp_path / "new").exists()  # nothing half-made left behind


def test_a_missing_folder_fails_with_its_reason_and_leaves_nothing(svc, tmp_path):
    head = svc.archive.head()
    afile = tmp_path / "a-file"
    afile.write_text("not a folder")
    for folder in (tmp_path / "unplugged", afile / "backups"):
        entry = svc.backups.make("manual", folder)
        assert not entry.verified and "does not exist" in entry.problem.describe()
    assert svc.archive.head() == head
    assert bundles(tmp_path / "backups") == []


def _fill_disk(root: str, limit: int, results) -> None:
    """A child whose files cannot grow beyond ``limit`` bytes: a full disk, for any user."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    archive = Archive(Path(root) / "archive.git", committer=SYSTEM)
    journal = Path(root) / "instance" / "audit.jsonl"
    backups = Backups(archive, Path(root) / "backups", Path(root) / "instance" /
                      "backups.sqlite3", journal=journal,
                      seal=lambda: seal_and_remember(archive, journal, SYSTEM))
    entry = backups.make()
    results.put((entry.verified, entry.problem.describe() if entry.problem else ""))
    archive.close()


def test_a_full_disk_is_recorded_as_failed_and_leaves_no_partial_file(svc, tmp_path):
    # Incompressible data makes the bundle larger than the child may write.
    svc.archive.commit(lambda _s: Change({"documents/big.bin": os.urandom(3 << 20)},
                                         "big"), SYSTEM)
    head = svc.archive.head()
    svc.backups.catalogue.all()
    results = SPAWN.Queue()
    child = SPAWN.Process(target=_fill_disk, args=(str(tmp_path), 1 << 20, results))
    child.start()
    verified, problem = results.get(timeout=120)
    child.join(60)
    assert not verified and "is full" in problem, problem
    assert bundles(tmp_path / "backups") == []
    assert svc.archive.head() == head
    [entry] = svc.backups.catalogue.all()
    assert not entry.verified and "is full" in entry.problem.describe()


def _unwritable(root: str, results) -> None:
    """A child that backs up into a 0o555 folder, as nobody when started as root."""
    folder = Path(root)
    archive = Archive(folder / "archive.git")
    backups = Backups(archive, folder / "readonly", folder / "catalogue" / "backups.sqlite3",
                      seal=lambda: None)
    if os.geteuid() == 0:
        # Root writes through permission bits: drop to nobody once everything is imported.
        # git refuses a repository another user owns (safe.directory), so the policy is
        # read first; the folder is checked before git is ever run.
        schedule = backups.schedule()
        backups.schedule = lambda: schedule  # type: ignore[method-assign]
        os.setgid(65534)
        os.setuid(65534)
    entry = backups.make()
    results.put((entry.verified, entry.problem.describe() if entry.problem else ""))


def test_an_unwritable_folder_is_recorded_as_failed():
    with tempfile.TemporaryDirectory() as shared:
        root = Path(shared)
        root.chmod(0o755)  # nobody may look in, as a NAS mount would let them
        make_archive(root / "archive.git").close()
        head = git(root / "archive.git", "rev-parse", "HEAD")
        (root / "readonly").mkdir()
        (root / "readonly").chmod(0o555)
        (root / "catalogue").mkdir()
        (root / "catalogue").chmod(0o777)
        results = SPAWN.Queue()
        child = SPAWN.Process(target=_unwritable, args=(str(root), results))
        child.start()
        verified, problem = results.get(timeout=120)
        child.join(60)
        assert not verified and "is not writable" in problem, problem
        assert list((root / "readonly").iterdir()) == []
        assert git(root / "archive.git", "rev-parse", "HEAD") == head


def test_cli_backup_into_the_folder_or_a_file_and_the_list(runner, svc, tmp_path):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0 and "verified" in result.output, result.output
    assert bundles(tmp_path / "backups") == ["archive-2026-12-01T0010-manual.bundle"]
    result = runner.invoke(args=["backup", str(tmp_path / "usb" / "copy.bundle")])
    assert result.exit_code == 1 and "does not exist" in result.output
    result = runner.invoke(args=["backup", str(tmp_path / "copy.bundle")])
    assert result.exit_code == 0 and (tmp_path / "copy.bundle").is_file(), result.output
    listing = runner.invoke(args=["backup", "--list"])
    lines = listing.output.splitlines()
    assert len(lines) == 3 and "FAILED" in listing.output and "verified" in lines[0]
    assert [e.kind for e in svc.backups.catalogue.all()] == ["manual"] * 3


def test_cli_backup_if_due_runs_the_schedule_once(runner, svc):
    result = runner.invoke(args=["backup", "--if-due"])
    assert result.exit_code == 0 and "verified" in result.output, result.output
    again = runner.invoke(args=["backup", "--if-due"])
    assert again.exit_code == 0 and "No scheduled backup is due" in again.output
    assert [e.kind for e in svc.backups.catalogue.all()] == ["monthly"]


def test_flask_restore_works_without_creating_the_configured_archive(svc, tmp_path):
    entry = svc.backups.make()
    configured, target = tmp_path / "configured.git", tmp_path / "restored.git"
    env = {**os.environ, "ARCHIVE_REPO": str(configured),
           "INTRANET_INSTANCE_PATH": str(tmp_path / "fresh-instance")}
    command = [sys.executable, "-m", "flask", "--app", "app", "restore", entry.path,
               str(target)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert svc.archive.head() in result.stdout
    assert f"ARCHIVE_REPO={target} python app.py" in result.stdout
    assert not configured.exists()
    assert git(target, "rev-parse", "HEAD").strip() == svc.archive.head()
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                           check=False)
    assert again.returncode == 1 and "exists already" in again.stderr


def test_only_the_restore_command_skips_the_archive():
    assert is_restore_run(["/usr/bin/flask", "--app", "app", "restore", "b", "t"])
    assert is_restore_run(["/x/flask/__main__.py", "-A", "app", "--debug", "restore"])
    assert not is_restore_run(["/usr/bin/flask", "--app", "restore", "backup"])
    assert not is_restore_run(["app.py", "restore"])
    assert not is_restore_run(["/x/pytest/__main__.py", "restore"])


def test_the_shared_check_gives_the_same_answer_in_worker_processes(svc, monkeypatch):
    from intranet.records.files.customers import customer_path
    from intranet.records.trail import verification

    from .test_customers import sample

    for n in range(3):
        svc.files.create(sample(**{"basic.name": f"客戶{n}"}), "wang.li")
    svc.archive.commit(lambda _s: Change({customer_path("C000009"): b"id: C000009\ncard: [\n",
                                          "customers/0000/bad-name.yaml": b"x: 1\n"},
                                         "bad"), SYSTEM)
    serial = verification.check_archive(svc.archive)
    monkeypatch.setattr(verification, "PARALLEL_FROM", 1)
    monkeypatch.setattr(verification, "CHUNK", 2)
    parallel = verification.check_archive(svc.archive)
    assert serial.count == parallel.count == 4
    assert serial.bad == parallel.bad and len(serial.bad) == 2
    assert any("C000009" in line for line in serial.bad)
    assert serial.warnings == parallel.warnings
