"""The read-audit journal: hash chain, tamper detection, many writers, fail closed, sealing."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from intranet.archive.repository import Change
from intranet.records.trail.audit import (
    AuditError,
    AuditUnavailable,
    verify,
    verify_file,
    verify_sealed,
)
from intranet.records.trail.journal import Journal
from intranet.records.trail.sealing import seal, seal_if_due

from .conftest import SYSTEM, git

SPAWN = multiprocessing.get_context("spawn")
NOVEMBER = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


class Clock:
    """A settable clock for the journal, so entries land in a chosen month."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def read(user: str = "wang.li", customer: str = "C000001", **extra) -> dict:
    """The fields of one allowed page view."""
    return {"user": user, "customer": customer, "action": "view", "allowed": True,
            "basis": "own", "route": "customers.show", "address": "10.0.0.7", **extra}


def fill(journal: Journal, count: int, **extra) -> list[dict]:
    return [journal.record(**read(customer=f"C{n:06d}", **extra)) for n in range(1, count + 1)]


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


# -- the chain ---------------------------------------------------------------------------


def test_entries_form_a_hash_chain_on_disk(tmp_path):
    path = tmp_path / "audit.jsonl"
    journal = Journal(path, clock=Clock(NOVEMBER))
    entries = fill(journal, 4)
    journal.record(user="lin.sales2", customer="C000002", action="refused", allowed=False,
                   basis="none", route="customers.show", address="10.0.0.9")
    raw = path.read_bytes()
    assert raw.endswith(b"\n")
    previous = ""
    for number, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        entry = json.loads(line)
        # Canonical: sorted keys, no spaces, Chinese-safe UTF-8.
        assert line == json.dumps(entry, ensure_ascii=False, sort_keys=True,
                                  separators=(",", ":"))
        body = {k: v for k, v in entry.items() if k != "hash"}
        digest = hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True,
                                           separators=(",", ":")).encode()).hexdigest()
        assert entry["hash"] == digest
        assert entry["seq"] == number and entry["prev"] == previous
        assert entry["at"] == "2026-11-26T09:30:00.000Z"
        previous = entry["hash"]
    assert entries[0]["prev"] == "" and entries[1]["prev"] == entries[0]["hash"]
    assert entry["allowed"] is False and entry["basis"] == "none"
    result = verify_file(path)
    assert result.ok and result.count == 5 and result.first_bad is None


def test_missing_journal_is_an_empty_chain(tmp_path):
    assert verify_file(tmp_path / "none.jsonl").ok
    assert verify([]).count == 0


def test_wrong_fields_are_a_programming_error(tmp_path):
    journal = Journal(tmp_path / "audit.jsonl")
    with pytest.raises(TypeError):
        journal.record(user="wang.li", action="view", basis="own")  # allowed missing
    with pytest.raises(TypeError):
        journal.record(**read(), seq=7)
    with pytest.raises(TypeError):
        journal.record(**{**read(), "allowed": "yes"})
    assert verify_file(journal.path).count == 0
    entry = journal.record(**read(reason="客戶來電投訴，需立即查閱"))
    assert entry["reason"] == "客戶來電投訴，需立即查閱" and verify_file(journal.path).ok


def _changed_field(lines: list[str]) -> list[str]:
    entry = json.loads(lines[2])
    entry["user"] = "someone.else"
    return [*lines[:2], json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n",
            *lines[3:]]


def _rehashed_field(lines: list[str]) -> list[str]:
    # A forger who also recomputes the hash is caught by the next entry's prev link.
    entry = json.loads(lines[2])
    entry["customer"] = "C000099"
    body = {k: v for k, v in entry.items() if k != "hash"}
    entry["hash"] = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"))
                                   .encode()).hexdigest()
    return [*lines[:2], json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n",
            *lines[3:]]


def _edited_hash(lines: list[str]) -> list[str]:
    entry = json.loads(lines[2])
    entry["hash"] = "0" * 64
    return [*lines[:2], json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n",
            *lines[3:]]


TAMPERING = {
    # name: (change, first bad line, its seq, words in the reason)
    "changed field": (_changed_field, 3, 3, "hash does not match"),
    "rehashed field": (_rehashed_field, 4, 4, "prev does not match"),
    "edited hash": (_edited_hash, 3, 3, "hash does not match"),
    "deleted line": (lambda ls: ls[:2] + ls[3:], 3, 4, "seq 4 where 3 was expected"),
    "reordered lines": (lambda ls: [*ls[:2], ls[3], ls[2], *ls[4:]], 3, 4,
                        "seq 4 where 3 was expected"),
    "deleted last line": (lambda ls: [*ls[:-1], ls[-1].rstrip("\n")], 6, 6,
                          "incomplete last line"),
    "garbage line": (lambda ls: [*ls[:4], "not json\n", *ls[4:]], 5, None, "not valid JSON"),
    "reformatted line": (lambda ls: [*ls[:1], json.dumps(json.loads(ls[1]), sort_keys=True)
                                     + "\n", *ls[2:]], 2, 2, "canonical"),
}


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_tampering_is_named_by_verify(tmp_path, name):
    change, line, seq, reason = TAMPERING[name]
    path = tmp_path / "audit.jsonl"
    fill(Journal(path), 6)
    path.write_text("".join(change(lines_of(path))), encoding="utf-8")
    result = verify_file(path)
    assert not result.ok
    assert (result.first_bad, result.seq) == (line, seq), result
    assert reason in result.reason
    assert result.describe().startswith(f"line {line} (seq {'?' if seq is None else seq}): ")


@pytest.mark.parametrize("name", ["changed field", "deleted line", "reordered lines",
                                  "edited hash"])
def test_tampering_is_named_by_the_cli(app, runner, svc, name):
    change, line, seq, reason = TAMPERING[name]
    path = Path(svc.journal.path)
    assert path.parent == Path(app.instance_path) and path.name == "audit.jsonl"
    fill(svc.journal, 6)
    ok = runner.invoke(args=["audit-verify"])
    assert ok.exit_code == 0, ok.output
    assert "6 entries" in ok.output
    path.write_text("".join(change(lines_of(path))), encoding="utf-8")
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1, result.output
    assert f"line {line} (seq {seq}): " in result.output and reason in result.output


# -- several processes -------------------------------------------------------------------


def append_entries(path: str, worker: int, count: int) -> None:
    """Worker process: record ``count`` reads as user w<worker>."""
    journal = Journal(path)
    for n in range(count):
        journal.record(**read(user=f"w{worker}", customer=f"C{n:06d}"))


@pytest.mark.slow
def test_processes_appending_at_once_keep_one_chain(tmp_path):
    path = tmp_path / "audit.jsonl"
    procs = [SPAWN.Process(target=append_entries, args=(str(path), w, 50)) for w in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    result = verify_file(path)
    assert result.ok and result.count == 200, result.describe()
    entries = [json.loads(line) for line in lines_of(path)]
    assert [e["seq"] for e in entries] == list(range(1, 201))
    assert sorted((e["user"], e["customer"]) for e in entries) == sorted(
        (f"w{w}", f"C{n:06d}") for w in range(4) for n in range(50))


def test_threads_appending_at_once_keep_one_chain(tmp_path):
    journal = Journal(tmp_path / "audit.jsonl")  # one object shared, as Services does
    threads = [threading.Thread(target=fill, args=(journal, 25)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = verify_file(journal.path)
    assert result.ok and result.count == 100


# -- fail closed -------------------------------------------------------------------------


def test_unwritable_place_fails_closed(tmp_path):
    if os.geteuid() == 0:
        # root writes through permission bits; /proc refuses new files even to root.
        place = Path("/proc")
    else:
        place = tmp_path / "readonly"
        place.mkdir()
        place.chmod(0o555)
    with pytest.raises(AuditUnavailable):
        Journal(place / "audit.jsonl").record(**read())
    assert not (place / "audit.jsonl").exists()


@pytest.mark.parametrize("damage", [b"not json at all\n", b'{"seq": 3, "hash": "x"}\n',
                                    b"\xff\xfe\n"], ids=["garbage", "unchained", "not-utf8"])
def test_damaged_last_line_fails_closed_and_writes_nothing(tmp_path, damage):
    path = tmp_path / "audit.jsonl"
    fill(Journal(path), 2)
    with path.open("ab") as handle:
        handle.write(damage)
    before = path.read_bytes()
    with pytest.raises(AuditUnavailable, match="last line"):
        Journal(path).record(**read())
    assert path.read_bytes() == before


def test_incomplete_last_line_fails_closed(tmp_path):
    path = tmp_path / "audit.jsonl"
    fill(Journal(path), 2)
    path.write_bytes(path.read_bytes()[:-10])  # a write cut short by a crash
    before = path.read_bytes()
    with pytest.raises(AuditUnavailable, match="incomplete"):
        Journal(path).record(**read())
    assert path.read_bytes() == before


def test_tampered_last_line_fails_closed(tmp_path):
    path = tmp_path / "audit.jsonl"
    fill(Journal(path), 2)
    path.write_text(path.read_text().replace('"user":"wang.li"}\n', '"user":"chen.yu"}\n'))
    with pytest.raises(AuditUnavailable, match="hash does not match"):
        Journal(path).record(**read())


# -- sealing -----------------------------------------------------------------------------


def audit_commits(archive) -> list[str]:
    return git(archive.path, "log", "--format=%H", "--", "audit/").split()


def test_seal_copies_the_journal_in_one_commit(archive, tmp_path):
    path = tmp_path / "audit.jsonl"
    clock = Clock(NOVEMBER)
    journal = Journal(path, clock=clock)
    fill(journal, 3)
    before = archive.head()
    commit = seal(archive, path, SYSTEM)
    assert commit and archive.head() == commit
    assert git(archive.path, "rev-parse", f"{commit}^").strip() == before
    assert archive.read("audit/2026-11.jsonl") == path.read_bytes()
    changed = git(archive.path, "show", "--name-only", "--format=", commit).split()
    assert changed == ["audit/2026-11.jsonl"]
    who = git(archive.path, "log", "-1", "--format=%an <%ae>|%cn <%ce>", commit).strip()
    assert who == f"{SYSTEM.name} <{SYSTEM.email}>|{SYSTEM.name} <{SYSTEM.email}>"
    message = git(archive.path, "log", "-1", "--format=%B", commit)
    assert message.startswith("封存稽核紀錄 1–3")
    assert "Action: audit-seal" in message
    assert archive.log(limit=1)[0].action == "audit-seal"

    # Idempotent: nothing new, no commit.
    assert seal(archive, path, SYSTEM) is None
    assert archive.head() == commit

    # The next seal appends after what is sealed.
    fill(journal, 2)
    second = seal(archive, path, SYSTEM)
    assert second and second != commit
    assert archive.read("audit/2026-11.jsonl") == path.read_bytes()
    assert "封存稽核紀錄 4–5" in git(archive.path, "log", "-1", "--format=%s", second)

    # A new month starts a new file; the chain runs on across the files.
    clock.now = datetime(2026, 12, 1, 0, 0, 5, tzinfo=UTC)
    fill(journal, 2)
    third = seal(archive, path, SYSTEM)
    assert archive.read("audit/2026-11.jsonl", third) == archive.read("audit/2026-11.jsonl",
                                                                      second)
    december = archive.read("audit/2026-12.jsonl").decode().splitlines()
    assert [json.loads(line)["seq"] for line in december] == [6, 7]
    assert git(archive.path, "show", "--name-only", "--format=", third).split() == \
        ["audit/2026-12.jsonl"]
    result, lines = verify_sealed(archive.snapshot())
    assert result.ok and result.count == 7
    assert b"".join(line + b"\n" for line in lines) == path.read_bytes()
    assert len(audit_commits(archive)) == 3
    assert archive.fsck()[0]


def test_seal_with_nothing_journalled_makes_no_commit(archive, tmp_path):
    head = archive.head()
    assert seal(archive, tmp_path / "audit.jsonl", SYSTEM) is None
    assert archive.head() == head


def test_concurrent_seals_make_one_commit(archive, tmp_path):
    path = tmp_path / "audit.jsonl"
    fill(Journal(path, clock=Clock(NOVEMBER)), 20)
    results: list[str | None] = []
    threads = [threading.Thread(target=lambda: results.append(seal(archive, path, SYSTEM)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([r for r in results if r]) == 1
    assert len(audit_commits(archive)) == 1
    assert archive.read("audit/2026-11.jsonl") == path.read_bytes()


def test_seal_retries_on_a_moved_head(archive, tmp_path):
    # Someone else commits between our build and our swap: the seal is rebuilt on their head.
    path = tmp_path / "audit.jsonl"
    fill(Journal(path, clock=Clock(NOVEMBER)), 3)
    calls = {"n": 0}
    original = archive._swap

    def racing_swap(new, old, message, locked):
        if calls["n"] == 0:
            calls["n"] += 1
            archive.commit(lambda s: Change({"other.txt": b"x"}, "other"), SYSTEM)
        return original(new, old, message, locked)

    archive._swap = racing_swap
    commit = seal(archive, path, SYSTEM)
    assert commit and archive.read("other.txt") == b"x"
    assert archive.read("audit/2026-11.jsonl") == path.read_bytes()


def test_seal_refuses_a_journal_that_does_not_continue_the_sealed_record(archive, tmp_path):
    path = tmp_path / "audit.jsonl"
    fill(Journal(path, clock=Clock(NOVEMBER)), 3)
    seal(archive, path, SYSTEM)
    path.unlink()
    # A replaced journal starting again at 1.
    fill(Journal(path, clock=Clock(NOVEMBER)), 5, reason="new")
    head = archive.head()
    with pytest.raises(AuditError, match="does not continue"):
        seal(archive, path, SYSTEM)
    assert archive.head() == head


def test_audit_verify_checks_the_sealed_files(app, runner, svc):
    svc.journal.clock = Clock(NOVEMBER)
    fill(svc.journal, 4)
    result = runner.invoke(args=["audit-seal"])
    assert result.exit_code == 0 and "Sealed in commit" in result.output, result.output
    assert "Nothing new" in runner.invoke(args=["audit-seal"]).output
    ok = runner.invoke(args=["audit-verify"])
    assert ok.exit_code == 0 and "4 sealed" in ok.output, ok.output

    # A hand edit to the sealed copy is named by file, line and seq.
    sealed = svc.archive.read("audit/2026-11.jsonl").decode()
    forged = sealed.replace('"customer":"C000002"', '"customer":"C000099"')
    svc.archive.commit(lambda s: Change({"audit/2026-11.jsonl": forged.encode()}, "edit"),
                       SYSTEM)
    bad = runner.invoke(args=["audit-verify"])
    assert bad.exit_code == 1
    assert "audit/2026-11.jsonl line 2 (seq 2): hash does not match" in bad.output
    svc.archive.commit(lambda s: Change({"audit/2026-11.jsonl": sealed.encode()}, "undo"),
                       SYSTEM)
    assert runner.invoke(args=["audit-verify"]).exit_code == 0

    # A journal cut back (or replaced) no longer matches what was sealed.
    path = Path(svc.journal.path)
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:2]))
    cut = runner.invoke(args=["audit-verify"])
    assert cut.exit_code == 1 and "line 3 (seq 3) onwards is missing" in cut.output


def test_seal_if_due_respects_the_interval(archive, tmp_path):
    path = tmp_path / "audit.jsonl"
    clock = Clock(NOVEMBER)
    journal = Journal(path, clock=clock)
    hour = timedelta(hours=1)
    assert seal_if_due(archive, path, SYSTEM, now=NOVEMBER) is None  # nothing journalled
    fill(journal, 2)
    # Nothing sealed yet: the first seal is due a day after the first entry.
    assert seal_if_due(archive, path, SYSTEM, now=NOVEMBER + hour) is None
    assert audit_commits(archive) == []
    first = seal_if_due(archive, path, SYSTEM, now=NOVEMBER + 25 * hour)
    assert first and len(audit_commits(archive)) == 1
    clock.now = NOVEMBER + 2 * hour
    fill(journal, 1)
    assert seal_if_due(archive, path, SYSTEM, now=NOVEMBER + 3 * hour) is None
    assert seal_if_due(archive, path, SYSTEM, now=NOVEMBER + 23 * hour) is None
    due = seal_if_due(archive, path, SYSTEM, now=NOVEMBER + 25 * hour)
    assert due and len(audit_commits(archive)) == 2
    assert archive.read("audit/2026-11.jsonl") == path.read_bytes()
    # Nothing new: never a commit, however late.
    assert seal_if_due(archive, path, SYSTEM, now=NOVEMBER + 100 * hour) is None
    # A shorter interval: measured from the newest sealed entry's time.
    clock.now = NOVEMBER + 101 * hour
    fill(journal, 1)
    assert seal_if_due(archive, path, SYSTEM, interval=60, now=clock.now) is not None
    fill(journal, 1)
    seconds = timedelta(seconds=30)
    assert seal_if_due(archive, path, SYSTEM, interval=60, now=clock.now + seconds) is None
    assert seal_if_due(archive, path, SYSTEM, interval=60, now=clock.now + 3 * seconds)
    assert len(audit_commits(archive)) == 4
    assert archive.read("audit/2026-11.jsonl") == path.read_bytes()


def test_full_disk_fails_closed(tmp_path):
    path = tmp_path / "audit.jsonl"
    path.symlink_to("/dev/full")  # every write answers ENOSPC, like a full disk
    with pytest.raises(AuditUnavailable, match="cannot be written"):
        Journal(path).record(**read())


def test_seal_reads_back_across_many_blocks(archive, tmp_path):
    # Entries are read from the end of the journal in blocks; lines straddle the block edges.
    path = tmp_path / "audit.jsonl"
    journal = Journal(path, clock=Clock(NOVEMBER))
    fill(journal, 40, reason="長" * 50)
    seal(archive, path, SYSTEM)
    fill(journal, 150, reason="長" * 37)
    assert path.stat().st_size > 5 * 8192
    seal(archive, path, SYSTEM)
    assert archive.read("audit/2026-11.jsonl") == path.read_bytes()
    assert verify_sealed(archive.snapshot())[0].count == 190
    assert journal.last()["seq"] == 190


def test_backup_seals_the_journal_and_writes_a_bundle_that_clones(app, runner, svc, tmp_path):
    svc.journal.clock = Clock(NOVEMBER)
    fill(svc.journal, 3)
    target = tmp_path / "backup-2026-11.bundle"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0 and "Backup written" in result.output, result.output
    clone = tmp_path / "restored.git"
    git(tmp_path, "clone", "--bare", "-q", str(target), str(clone), cwd=tmp_path)
    assert git(clone, "rev-parse", "HEAD").strip() == svc.archive.head()
    sealed = git(clone, "show", "HEAD:audit/2026-11.jsonl")
    assert sealed.count("\n") == 3 and sealed.encode() == Path(svc.journal.path).read_bytes()
    again = runner.invoke(args=["backup", str(target)])  # never overwrite a backup
    assert again.exit_code != 0 and "exists already" in again.output
