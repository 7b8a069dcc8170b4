"""Measure the index's cold build, warm start and a policy change on an existing archive.

Usage: python scripts/bench_index.py WORKDIR [--repeat 3] [--json FILE] [--skip-policy]

WORKDIR holds ``archive.git`` as ``scripts/benchmark.py --keep`` leaves it (use a COPY: the
policy-change step commits a new policy to it). Figures (medians):

- cold build, head first: ``Index.rebuild(history=False)`` — the time until list, search and
  a file's page answer correctly; then the background pass (``history.complete``) that judges
  the old versions for R19; and the whole ``Index.rebuild()`` (both, as the CLI does).
- warm start: a fresh interpreter imports the app, runs ``create_app`` and one find.
- policy change: a policy commit, then the app's background pass re-reads every file while a
  reader thread (a serving process: ``index.defer`` set) asks for pages without pause; the
  longest single request is what a person could have waited.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intranet.archive.objects import Identity  # noqa: E402
from intranet.archive.repository import Archive  # noqa: E402
from intranet.index import Index, Query, history  # noqa: E402
from intranet.index import discipline as listing  # noqa: E402
from intranet.records.files import yamlio  # noqa: E402
from intranet.records.rulebook.organisation import save_policy  # noqa: E402
from intranet.records.rulebook.policy import Policy  # noqa: E402
from scripts.benchmark import _pin_two_cores, _warm_start, machine_facts  # noqa: E402

SYSTEM = Identity("系統", "system@example.com")


def _drop(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".history.lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def cold(workdir: Path, archive: Archive, repeat: int) -> dict[str, list[float]]:
    """Time head-first builds, their background pass, and whole builds."""
    found: dict[str, list[float]] = {"head_first": [], "history_pass": [], "whole": []}
    for i in range(repeat):
        target = workdir / f"bench-index-{i}.sqlite3"
        _drop(target)
        index = Index(target, archive)
        started = time.perf_counter()
        index.rebuild(history=False)
        index.find(Query())  # answers now: the first page of the list
        found["head_first"].append(time.perf_counter() - started)
        started = time.perf_counter()
        history.complete(index.db, archive)
        found["history_pass"].append(time.perf_counter() - started)
        index.close()
        _drop(target)
        index = Index(target, archive)
        started = time.perf_counter()
        index.rebuild()
        found["whole"].append(time.perf_counter() - started)
        index.close()
        _drop(target)
        print(f"cold {i}: head first {found['head_first'][-1]:.2f} s, history pass "
              f"{found['history_pass'][-1]:.2f} s, whole {found['whole'][-1]:.2f} s", flush=True)
    return found


def warm(workdir: Path, archive: Archive, repeat: int) -> list[float]:
    """Time warm starts on an index that is current (the benchmark's layout)."""
    index_path = workdir / "instance" / "index.sqlite3"
    index_path.parent.mkdir(parents=True, exist_ok=True)
    index = Index(index_path, archive)
    index.catch_up()
    history.complete(index.db, archive)
    index.close()
    samples = [_warm_start(workdir)["process"] for _ in range(repeat)]
    print("warm start: " + ", ".join(f"{s:.2f} s" for s in samples), flush=True)
    return samples


def policy_change(workdir: Path, archive: Archive, baseline: int = 15) -> dict[str, float]:
    """Commit a policy change and time the background pass and every reader request.

    Two kinds of request, each timed alone: the list with a search (``find``) and the
    overdue-updates query (``neglect_runs``, R19). Each is first timed ``baseline`` times on
    the unchanged index, so the figures during the pass can be told from the work itself.
    """
    target = workdir / "bench-policy.sqlite3"
    _drop(target)
    index = Index(target, archive)
    index.rebuild()
    data = copy.deepcopy(Policy(yamlio.load(archive.read("policy.yaml"))).data)
    fields = data["completeness"]["distributor"]
    data["completeness"]["distributor"] = fields[:-1] if len(fields) > 1 else fields
    data["deadlines"]["contact_record_days"] = data["deadlines"]["contact_record_days"] + 1
    woke = threading.Event()
    reading = Index(target, archive)
    reading.defer = woke.set  # a serving process: the job is woken, readers do not wait
    kinds = {"find": lambda: reading.find(Query(q="有限")),
             "neglect": lambda: listing.neglect_runs(reading, date.today(), 30,
                                                     open_only=True)}
    before: dict[str, list[float]] = {kind: [] for kind in kinds}
    during: dict[str, list[float]] = {kind: [] for kind in kinds}

    def timed(into: dict[str, list[float]]) -> None:
        for kind, request in kinds.items():
            started = time.perf_counter()
            request()
            into[kind].append(time.perf_counter() - started)

    for _ in range(baseline):
        timed(before)
    save_policy(archive, Policy(data).dump().decode(), SYSTEM)
    stop = threading.Event()
    failed: list[Exception] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                timed(during)
        except Exception as exc:  # noqa: BLE001 (re-raised below: a reader must never fail)
            failed.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    started = time.perf_counter()
    index.background_pass()
    passed = time.perf_counter() - started
    stop.set()
    thread.join()
    if failed:
        raise failed[0]
    assert index.db.meta("commit") == archive.head() and history.pending(index.db) is None
    reading.close()
    index.close()
    _drop(target)
    result: dict[str, float] = {"pass": passed, "woken": float(woke.is_set())}
    for kind in kinds:
        result[f"{kind}_requests"] = float(len(during[kind]))
        result[f"{kind}_longest"] = max(during[kind])
        result[f"{kind}_median"] = statistics.median(during[kind])
        result[f"{kind}_baseline_longest"] = max(before[kind])
        result[f"{kind}_baseline_median"] = statistics.median(before[kind])
        print(f"policy change, {kind}: {len(during[kind])} requests during the {passed:.2f} s"
              f" pass, longest {max(during[kind]) * 1000:.0f} ms, median"
              f" {result[f'{kind}_median'] * 1000:.0f} ms (before it: longest"
              f" {max(before[kind]) * 1000:.0f} ms, median"
              f" {result[f'{kind}_baseline_median'] * 1000:.0f} ms)", flush=True)
    result["requests"] = sum(float(len(v)) for v in during.values())
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and print them (optionally as JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warm-repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--skip-policy", action="store_true")
    parser.add_argument("--only", choices=["cold", "warm", "policy"])
    args = parser.parse_args(argv)
    _pin_two_cores()
    archive = Archive(args.workdir / "archive.git")
    facts = machine_facts()
    print(json.dumps(facts, ensure_ascii=False), flush=True)
    print(f"load before: {os.getloadavg()}", flush=True)
    out: dict[str, object] = {"machine": facts}
    if args.only in (None, "cold"):
        out["cold"] = cold(args.workdir, archive, args.repeat)
    if args.only in (None, "warm"):
        out["warm"] = warm(args.workdir, archive, args.warm_repeat)
    if args.only in (None, "policy") and not args.skip_policy:
        out["policy"] = policy_change(args.workdir, archive)
    out["load_after"] = os.getloadavg()
    for key, samples in (out.get("cold") or {}).items():
        print(f"median {key}: {statistics.median(samples):.2f} s")
    if "warm" in out:
        print(f"median warm start: {statistics.median(out['warm']):.2f} s")
    print(f"load after: {out['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2))
    archive.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
