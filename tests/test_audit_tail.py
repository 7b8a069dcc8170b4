"""A journal cut back after the last seal is found by its tip, not only edited entries (R35)."""

from __future__ import annotations

import json
from pathlib import Path

from intranet import create_app
from intranet.records.trail.audit import verify_file
from intranet.records.trail.audit_tip import (
    Tip,
    read_tip,
    tail_problems,
    tip_path,
    truncations_path,
)
from intranet.records.trail.journal import Journal

from .conftest import app_in
from .test_audit import NOVEMBER, SPAWN, Clock, append_entries, fill, lines_of


def cut(path: Path, keep: int) -> None:
    """Keep the journal's first ``keep`` lines: still a perfectly intact chain."""
    path.write_text("".join(lines_of(path)[:keep]), encoding="utf-8")


def test_every_append_moves_the_tip(tmp_path):
    path = tmp_path / "audit.jsonl"
    entries = fill(Journal(path), 5)
    tip = read_tip(path)
    assert (tip.seq, tip.hash) == (5, entries[-1]["hash"])
    assert Path(tip_path(path)).read_bytes() == f"{5:020d} {entries[-1]['hash']}\n".encode()
    assert tail_problems(path, [line.encode().rstrip(b"\n") for line in lines_of(path)], 0) \
        == []


def test_audit_verify_is_ok_on_a_normal_journal(runner, svc):
    fill(svc.journal, 6)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    assert "OK: audit journal 6 entries" in result.output


def test_cutting_the_last_three_lines_is_named(runner, svc):
    fill(svc.journal, 8)
    path = Path(svc.journal.path)
    cut(path, 5)
    assert verify_file(path).ok  # the chain alone cannot tell
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1, result.output
    assert ("journal ends at seq 5 but entries up to seq 8 were written "
            "(3 removed after the last seal at seq 0)") in result.output


def test_cutting_every_unsealed_line_is_named(runner, svc):
    svc.journal.clock = Clock(NOVEMBER)
    fill(svc.journal, 4)
    assert runner.invoke(args=["audit-seal"]).exit_code == 0
    fill(svc.journal, 3)
    path = Path(svc.journal.path)
    cut(path, 4)  # back to exactly what was sealed: the sealed copy matches
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1, result.output
    assert ("journal ends at seq 4 but entries up to seq 7 were written "
            "(3 removed after the last seal at seq 4)") in result.output
    # Sealing still works on what is there, and the cut is still reported afterwards.
    assert "Nothing new to seal" in runner.invoke(args=["audit-seal"]).output
    assert runner.invoke(args=["audit-verify"]).exit_code == 1


def test_emptying_the_journal_is_named(runner, svc):
    fill(svc.journal, 3)
    Path(svc.journal.path).write_bytes(b"")
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert "journal ends at seq 0 but entries up to seq 3 were written" in result.output


def test_a_journal_shorter_than_the_sealed_files_is_named(runner, svc):
    svc.journal.clock = Clock(NOVEMBER)
    fill(svc.journal, 4)
    assert runner.invoke(args=["audit-seal"]).exit_code == 0
    cut(Path(svc.journal.path), 2)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert "the journal has 2 entries but 4 are sealed" in result.output
    assert "journal ends at seq 2 but entries up to seq 4 were written" in result.output


def test_a_cut_stays_reported_after_the_next_read_moves_the_tip(runner, svc):
    fill(svc.journal, 6)
    path = Path(svc.journal.path)
    cut(path, 3)
    svc.journal.record(user="wang.li", customer="C000009", action="view", allowed=True,
                       basis="own")  # the next read goes on from seq 3
    assert read_tip(path).seq == 4
    noted = [json.loads(line) for line in Path(truncations_path(path)).read_text().splitlines()]
    assert [(n["journal_seq"], n["tip_seq"]) for n in noted] == [(3, 6)]
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert ("journal ends at seq 3 but entries up to seq 6 were written (3 removed after the "
            "last seal at seq 0), noticed at") in result.output


def test_a_replaced_tail_of_the_same_length_is_named(tmp_path, runner, svc):
    fill(svc.journal, 5)
    path = Path(svc.journal.path)
    cut(path, 3)
    # Rewrite entries 4 and 5 with other contents (a valid chain) but leave the tip alone.
    tip = Path(tip_path(path)).read_bytes()
    other = Journal(tmp_path / "scratch.jsonl")
    Path(other.path).write_bytes(path.read_bytes())
    fill(other, 2, route="forged")
    path.write_bytes(Path(other.path).read_bytes())
    Path(tip_path(path)).write_bytes(tip)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert "journal entry seq 5 is not the one written there" in result.output


def test_a_deleted_tip_is_reported_until_the_next_start(app, runner, svc):
    fill(svc.journal, 2)
    Path(tip_path(svc.journal.path)).unlink()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "audit.jsonl.tip is missing" in result.output


def test_a_journal_from_before_tips_gets_one_at_start(tmp_path, caplog):
    first = app_in(tmp_path)
    svc = first.extensions["customer_archive"]
    fill(svc.journal, 3)
    svc.close()
    Path(tip_path(svc.journal.path)).unlink()
    again = create_app({**first.config, "TESTING": True})
    try:
        assert read_tip(svc.journal.path).seq == 3
        assert "had no tip record: it starts at seq 3" in caplog.text
        assert again.test_cli_runner().invoke(args=["audit-verify"]).exit_code == 0
    finally:
        again.extensions["customer_archive"].close()


def test_a_lagging_tip_after_a_power_cut_is_not_a_cut(runner, svc):
    fill(svc.journal, 4)
    entries = [json.loads(line) for line in lines_of(Path(svc.journal.path))]
    # The tip is written after the journal's fsync, so a crash can leave it one behind.
    Path(tip_path(svc.journal.path)).write_bytes(f"{3:020d} {entries[2]['hash']}\n".encode())
    assert runner.invoke(args=["audit-verify"]).exit_code == 0
    svc.journal.record(user="wang.li", customer="C000009", action="view", allowed=True,
                       basis="own")
    assert not Path(truncations_path(svc.journal.path)).exists()
    assert read_tip(svc.journal.path).seq == 5


def test_processes_appending_at_once_leave_the_tip_on_the_last_entry(tmp_path):
    path = tmp_path / "audit.jsonl"
    procs = [SPAWN.Process(target=append_entries, args=(str(path), w, 30)) for w in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    last = json.loads(lines_of(path)[-1])
    assert last["seq"] == 120
    assert read_tip(path) == Tip(120, last["hash"])
    assert not Path(truncations_path(path)).exists()
