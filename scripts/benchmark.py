"""Benchmark the customer archive at a realistic size and compare it with the issue's targets.

Usage: ``python scripts/benchmark.py [--customers 10000] [--commits 50000] [--workdir DIR]
[--repeat 15] [--json FILE] [--keep] [--fast-build N] [--scale] [--build-only | --measure-only]``.
See docs/performance.md for what each figure means.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # Run as `python scripts/benchmark.py`, the project root is not on the path yet.
    sys.path.insert(0, str(ROOT))

from intranet.archive.housekeeping import housekeep  # noqa: E402
from intranet.archive.objects import Identity  # noqa: E402
from intranet.archive.repository import SYSTEM, Archive  # noqa: E402
from intranet.demo import commit_organisation  # noqa: E402
from intranet.demo_data import apply_changes, generate_company  # noqa: E402
from intranet.demo_data.history import Timeline  # noqa: E402
from intranet.demo_data.model import TAIPEI, DemoCompany  # noqa: E402
from intranet.index import Index, Query  # noqa: E402
from intranet.index import discipline as discipline_index  # noqa: E402
from intranet.index import text as search_text  # noqa: E402
from intranet.records.conduct import discipline  # noqa: E402
from intranet.records.files import yamlio  # noqa: E402
from intranet.records.files.customers import CustomerFiles, _message, check, customer_path, describe  # noqa: E402
from intranet.records.files.validate import normalise  # noqa: E402
from intranet.records.rulebook.organisation import initialise  # noqa: E402
from intranet.records.rulebook.rules import load_rules  # noqa: E402
from scripts.bench_fastbuild import fast_versions  # noqa: E402
from scripts.bench_gitrows import (  # noqa: E402
    SAVE_RATIO_TARGET,
    git_log_figures,
    restore_drill,
    save_ratio_figure,
    wall_times,
)

TODAY = date(2026, 11, 26)
HISTORY_DAYS = 120
LONG_FILE = "C000001"
LONG_VERSIONS = 200
SPOT_CHECKS = 100
COLD_REPEAT = 3
WARM_REPEAT = 5
WARM_TARGET = 0.5  # s, issue 13


# -- building the archive ---------------------------------------------------------------------


@dataclass
class Event:
    """One customer commit to stream: a creation (no changes) or a planned edit."""

    when: datetime
    author: str
    customer_id: str
    changes: dict[str, Any] | None  # None: the file is created
    synthetic: bool = False


@dataclass
class BuildInfo:
    """What the build made and how long each part took (seconds)."""

    workdir: str
    customers: int
    commits: int
    long_versions: int
    synthetic_edits: int
    noop_edits_replaced: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Return the whole build time."""
        return sum(self.timings.values())


def paths(workdir: Path) -> dict[str, Path]:
    """Return where the archive, the app's instance folder and the plain clone live."""
    return {
        "archive": workdir / "archive.git",
        "instance": workdir / "instance",
        "index": workdir / "instance" / "index.sqlite3",
        "clone": workdir / "clone",
    }


def _office_times(start: datetime, count: int) -> list[datetime]:
    """Return ``count`` increasing office-hour moments after ``start`` within the window."""
    timeline = Timeline(TODAY, HISTORY_DAYS)
    low, high = 0, timeline.total - 1
    while low < high:  # first second of the timeline after start
        mid = (low + high) // 2
        if timeline.at(mid) <= start:
            low = mid + 1
        else:
            high = mid
    span = max(1, timeline.total - 1 - low)
    return [timeline.at(low + (span * (i + 1)) // (count + 1)) for i in range(count)]


def plan_events(customers: int, commits: int, seed: int = 7) -> tuple[DemoCompany, list[Event]]:
    """Return the demo company and exactly ``commits - 2`` customer commits, in time order.

    Two commits are the archive's own (initialise, organisation). C000001 gets synthetic notes
    edits up to LONG_VERSIONS versions; the plan is generated that much shorter, and the few
    planned edits of C000001 it already holds are made up by one notes edit on other files.
    """
    edits = commits - 2 - customers
    synthetic = LONG_VERSIONS - 1
    if customers < 2 or edits < synthetic:
        raise SystemExit(f"--commits must be at least customers + {synthetic + 2}")
    company = generate_company(seed=seed, customers=customers, today=TODAY,
                               history_days=HISTORY_DAYS, edits=edits - synthetic)
    events = [Event(when, author, cid, None) for cid, (when, author) in company.created.items()]
    long_planned = [e for e in company.history if e.customer_id == LONG_FILE]
    kept = long_planned[:synthetic]
    kept_ids = {id(edit) for edit in kept}
    for edit in company.history:
        if edit.customer_id != LONG_FILE or id(edit) in kept_ids:
            events.append(Event(edit.when, edit.author, edit.customer_id, edit.changes))
    owner = company.customers[0]["custody"]["owner"] or "director"
    start = kept[-1].when if kept else company.created[LONG_FILE][0]
    for i, when in enumerate(_office_times(start, synthetic - len(kept)), 1):
        events.append(Event(when, owner, LONG_FILE, {"notes": _note(i)}, synthetic=True))
    # Keep the total exact: one extra notes edit on each of a few other customers.
    short = len(long_planned)
    last = {e.customer_id: e.when for e in sorted(events, key=lambda e: e.when)}
    for i in range(short):
        record = company.customers[1 + i % (customers - 1)]
        cid = record["id"]
        when = _office_times(last[cid], 1)[0]
        last[cid] = when
        author = record["custody"]["owner"] or "director"
        events.append(Event(when, author, cid, {"notes": _note(i + 1)}, synthetic=True))
    events.sort(key=lambda e: (e.when, e.changes is not None))
    if len(events) != commits - 2:
        raise AssertionError(f"planned {len(events)} customer commits, wanted {commits - 2}")
    return company, events


def _note(i: int) -> str:
    """Return the text of the i-th synthetic notes edit (bounded, so the file stays valid)."""
    return f"電話追蹤第 {i} 次：確認下季需求與交期"


def _chain(job: tuple[dict, list[dict | None]]) -> list[tuple[bytes, str, bool]]:
    """Return each version's bytes, commit subject and whether a no-op edit was replaced."""
    record, steps = job
    out: list[tuple[bytes, str, bool]] = []
    current: dict[str, Any] = record
    previous: dict[str, Any] | None = None
    previous_bytes = b""
    for changes in steps:
        replaced = False
        if changes is None:
            new = normalise(record)
        else:
            updated = apply_changes(current, changes)
            new = normalise({**updated, "id": record["id"]})
            if yamlio.dump(new) == previous_bytes:
                # CustomerFiles.save makes no commit for an unchanged file; keep the count.
                replaced = True
                old = str(current.get("notes") or "")
                updated = apply_changes(current, {"notes": (old + "\n" if old else "")
                                                  + "已電話確認，資料無變更"})
                new = normalise({**updated, "id": record["id"]})
            current = updated
        data = yamlio.dump(new)
        name = new["basic"]["name"]
        if previous is None:
            subject = f"新增 {record['id']} {name}"
        else:
            subject = f"更新 {record['id']} {name}：{describe(previous, new)}"
        out.append((data, subject, replaced))
        previous, previous_bytes = new, data
    return out


def _fast_import_commit(mark: int, author: Identity, when: datetime, message: str,
                        parent: str | None, path: str, blob_mark: int) -> bytes:
    """Return one fast-import commit command that sets one file."""
    msg = message.encode()
    lines = [
        b"commit refs/heads/main",
        b"mark :%d" % mark,
        b"author " + author.signature(when),
        b"committer " + SYSTEM.signature(when),
        b"data %d" % len(msg),
        msg,
    ]
    if parent:
        lines.append(b"from " + parent.encode())
    lines.append(b"M 100644 :%d %s" % (blob_mark, path.encode()))
    return b"\n".join(lines) + b"\n\n"


def _git(*args: str, cwd: Path | None = None, input: bytes | None = None) -> str:
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    return subprocess.run(["git", *args], cwd=cwd, input=input, env=env, check=True,
                          capture_output=True).stdout.decode()


def build(workdir: Path, customers: int, commits: int, seed: int = 7,
          processes: int = 2, log: Callable[[str], None] = print, fast: int = 0) -> BuildInfo:
    """Build the archive, its index and a plain clone under ``workdir``.

    ``fast``: copy most files' versions from that many template customers' real chains
    (``scripts/bench_fastbuild.py``; for scale runs, tooling only); 0 makes every version.
    """
    where = paths(workdir)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    company, events = plan_events(customers, commits, seed)
    timings["plan"] = time.perf_counter() - started

    started = time.perf_counter()
    archive = Archive(where["archive"], durable=False)
    initialise(archive, SYSTEM)
    head = commit_organisation(archive, company, SYSTEM)
    archive.close()
    staff = {m["username"]: Identity(m["name"], m["email"]) for m in company.staff}

    # Each customer's versions depend only on its own edits, so files are built in parallel
    # and streamed to fast-import as marked blobs; commits follow in global time order.
    by_customer: dict[str, list[Event]] = {r["id"]: [] for r in company.customers}
    for event in events:
        by_customer[event.customer_id].append(event)
    records = {r["id"]: r for r in company.customers}
    jobs = [(records[cid], [e.changes for e in chain])
            for cid, chain in by_customer.items()]
    importer = subprocess.Popen(
        ["git", "--git-dir", str(where["archive"]), "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "LC_ALL": "C"})
    assert importer.stdin is not None
    marks: dict[int, tuple[int, str]] = {}  # id(event) -> (blob mark, subject)
    replaced = 0
    mark = 0
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        made = (fast_versions(jobs, pool.imap, _chain, templates=fast) if fast
                else pool.imap(_chain, jobs, chunksize=32))
        for chain, versions in zip(by_customer.values(), made, strict=True):
            for event, (data, subject, was_replaced) in zip(chain, versions, strict=True):
                mark += 1
                importer.stdin.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data
                                     + b"\n")
                marks[id(event)] = (mark, subject)
                replaced += was_replaced
    timings["files"] = time.perf_counter() - started

    started = time.perf_counter()
    parent: str | None = head
    for event in events:
        blob_mark, subject = marks[id(event)]
        mark += 1
        action = "create" if event.changes is None else "update"
        message = _message(subject, event.customer_id, action)
        importer.stdin.write(_fast_import_commit(
            mark, staff[event.author], event.when, message, parent,
            customer_path(event.customer_id), blob_mark))
        parent = None  # fast-import continues the branch from its own previous commit
    importer.stdin.write(b"done\n")
    importer.stdin.close()
    if importer.wait() != 0:
        assert importer.stderr is not None
        raise RuntimeError("git fast-import failed: " + importer.stderr.read().decode())
    timings["fast-import"] = time.perf_counter() - started

    # A living archive is housekept daily (archive/housekeeping.py): packed by git gc, with a
    # commit-graph holding changed-path Bloom filters; do the same once here.
    timings.update(housekeep(where["archive"]))

    started = time.perf_counter()
    archive = Archive(where["archive"])
    count = int(_git("--git-dir", str(where["archive"]), "rev-list", "--count", "main"))
    if count != commits:
        raise AssertionError(f"the archive has {count} commits, wanted {commits}")
    files = archive.files("customers/")
    rules = load_rules(archive.snapshot())
    rng = random.Random(seed)
    for path in rng.sample(sorted(files), min(SPOT_CHECKS, len(files))):
        _record, problem, _errors = check(archive.read_object(files[path])[1], path, rules)
        if problem:
            raise AssertionError(f"{path} does not validate: {problem}")
    long_versions = len(CustomerFiles(archive).history(LONG_FILE))
    if long_versions != LONG_VERSIONS:
        raise AssertionError(f"{LONG_FILE} has {long_versions} versions")
    archive.close()
    timings["check"] = time.perf_counter() - started

    started = time.perf_counter()
    _git("clone", "--quiet", str(where["archive"]), str(where["clone"]))
    _git("config", "user.name", "基準測試", cwd=where["clone"])
    _git("config", "user.email", "bench@intranet.invalid", cwd=where["clone"])
    timings["clone"] = time.perf_counter() - started
    log(f"built {customers} customers / {commits} commits in {sum(timings.values()):.1f} s "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return BuildInfo(str(workdir), customers, commits, long_versions,
                     LONG_VERSIONS - 1, replaced, timings)


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the result table."""

    key: str
    label: str
    value: float
    unit: str  # "ms", "s" or "MB"
    target: float | None = None  # same unit; None: no target of its own
    note: str = ""
    samples: list[float] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """Return met / MISSED against the target, or what kind of row this is."""
        if self.target is None:
            return self.note or "—"
        if self.unit == "×":  # a ratio's target is "at most"
            return "met" if self.value <= self.target else "MISSED"
        return "met" if self.value < self.target else "MISSED"


def _rss_mb(kilobytes: int) -> float:
    return kilobytes / 1024  # Linux reports ru_maxrss in KiB


def _search_terms(index: Index, rng: random.Random) -> dict[str, str]:
    """Pick search terms that occur in the data: a surname, a city, a name, a phone."""
    conn = index.db.connect()
    names = [r[0] for r in conn.execute("SELECT name FROM customers WHERE name != ''")]
    phones = [r[0] for r in conn.execute("SELECT phone FROM customers WHERE phone != ''")]
    table = search_text._to_simplified()
    name4 = rng.choice([n for n in names if len(n) >= 4])[:4]
    digits = "".join(ch for ch in rng.choice(
        [p for p in phones if sum(c.isdigit() for c in p) >= 8]) if ch.isdigit())
    traditional = rng.choice([n for n in names if len(n) >= 4
                              and any(ord(ch) in table for ch in n[:4])])[:4]
    return {
        "search_1": "陳",
        "search_2": "台北",
        "search_4": name4,
        "search_phone": digits[-8:],
        "search_simplified": traditional.translate(table),
    }


def measure(workdir: Path, repeat: int = 15, cold_repeat: int = COLD_REPEAT,
            warm_repeat: int = WARM_REPEAT, seed: int = 11, import_rows: int = 5000,
            log: Callable[[str], None] = print, scale: bool = False,
            ) -> tuple[list[Row], dict[str, Any]]:
    """Measure every figure on the archive built under ``workdir``; return rows and extras.

    ``scale``: only the core rows (cold and warm start, list, search, read, save, history,
    memory), for runs far above the usual size; no restore drill, reports or spreadsheets.
    """
    where = paths(workdir)
    rng = random.Random(seed)
    rows: list[Row] = []
    extras: dict[str, Any] = {"scale": scale}
    archive = Archive(where["archive"])

    def add_figures(figures: Iterable[tuple]) -> None:
        for key, label, samples, unit, target in figures:
            rows.append(Row(key, label, statistics.median(samples), unit, target,
                            samples=samples))

    # Cold build: a fresh index file each time; the last one becomes the app's index.
    cold = []
    for i in range(cold_repeat):
        target = workdir / f"cold-{i}.sqlite3"
        index = Index(target, archive)
        started = time.perf_counter()
        index.rebuild()
        cold.append(time.perf_counter() - started)
        index.close()
        if i == cold_repeat - 1:
            where["instance"].mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                source = Path(str(target) + suffix)
                if source.exists():
                    shutil.move(source, str(where["index"]) + suffix)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
    log(f"cold build: {', '.join(f'{s:.1f} s' for s in cold)}")
    rows.append(Row("cold_build", "Cold index build (Index.rebuild)", statistics.median(cold),
                    "s", 20.0, samples=cold))

    index = Index(where["index"], archive)
    files = CustomerFiles(archive)
    conn = index.db.connect()
    ids = [r[0] for r in conn.execute("SELECT id FROM customers ORDER BY num")]
    region = conn.execute(
        "SELECT region FROM customers WHERE grade='A' AND region != '' GROUP BY region"
        " ORDER BY count(*) DESC LIMIT 1").fetchone()
    region = region[0] if region else ""

    def add(key: str, label: str, fn: Callable[[], Any], target: float | None,
            note: str = "") -> Row:
        samples = wall_times(fn, repeat)
        row = Row(key, label, statistics.median(samples), "ms", target, note, samples)
        rows.append(row)
        log(f"{label}: {row.value:.2f} ms")
        return row

    add("list_all", "List: all customers, page 1", lambda: index.find(Query()), 20.0)
    add("list_filtered", f"List: region={region}, grade=A, sort by name",
        lambda: index.find(Query(region=region, grade="A", sort="name")), 20.0)
    add("list_page50", "List: page 50 of the whole list", lambda: index.find(Query(page=50)),
        20.0)
    terms = _search_terms(index, rng)
    extras["search_terms"] = terms
    extras["search_hits"] = {}
    labels = {
        "search_1": "Search: 1 character",
        "search_2": "Search: 2 characters",
        "search_4": "Search: 4 characters of a name",
        "search_phone": "Search: 8 phone digits",
        "search_simplified": "Search: Simplified for a Traditional name",
    }
    for key, label in labels.items():
        query = Query(q=terms[key])
        extras["search_hits"][key] = index.find(query).total
        add(key, f"{label} ({terms[key]})", lambda query=query: index.find(query), 20.0)

    others = [i for i in ids if i != LONG_FILE]
    add("read_one", "Read one file (CustomerFiles.load)",
        lambda: files.load(rng.choice(others)), 20.0)

    counter = iter(range(1, 10**9))

    def save_with(target_files: CustomerFiles) -> Callable[[], None]:
        def save() -> None:
            customer_id = rng.choice(others)
            loaded = target_files.load(customer_id)
            record = dict(loaded.record or {})
            record["notes"] = f"基準測試備註 {next(counter)}"
            owner = record["custody"]["owner"] or "director"
            target_files.save(customer_id, record, loaded.commit, owner)
            index.catch_up()
        return save

    raw = _raw_commit_samples(where["clone"], ids, rng, repeat)
    raw_median = statistics.median(raw)
    log(f"raw git add + commit: {raw_median:.2f} ms")
    saved = add("save", "Save one field + catch up (durable)", save_with(files), 2 * raw_median)
    fast_archive = Archive(where["archive"], durable=False)
    add("save_fast", "Save one field + catch up (durable=False)",
        save_with(CustomerFiles(fast_archive)), 2 * raw_median)
    fast_archive.close()
    rows.append(Row("raw_commit", "Raw git: write file, git add, git commit (clone)",
                    raw_median, "ms", None, "baseline", raw))
    # The machine may be shared: the ratio is also taken from interleaved pairs (one raw
    # commit, then one save), so both halves of a pair see the same load.
    pairs = [(_raw_commit_samples(where["clone"], ids, rng, 1, warm_up=False)[0],
              wall_times(save_with(files), 1)[0]) for _ in range(repeat)]
    extras["save_pairs"] = pairs
    add_figures([save_ratio_figure(saved.samples, raw),
                 ("save_ratio_pairs", "Save ÷ raw git, median of interleaved pairs",
                  [save / raw for raw, save in pairs], "×", SAVE_RATIO_TARGET)])

    versions = len(index.versions(LONG_FILE))
    extras["long_file_versions"] = versions
    add("history_index", f"History of a {versions}-version file (index.versions)",
        lambda: index.versions(LONG_FILE), 50.0)
    add("history_git", "History, for comparison (CustomerFiles.history: git log -- path)",
        lambda: files.history(LONG_FILE), 50.0)
    # Issue 13: what an administrator waits for, plain git on the housekept archive.
    figures, extras["git_log"] = git_log_figures(where["archive"], customer_path(LONG_FILE),
                                                 repeat)
    add_figures(figures)

    if scale:
        return _finish(rows, extras, workdir, warm_repeat, index, archive, log)
    # R20: HR's month of late records and neglected files, from the index (no file is read).
    rules = load_rules(archive.snapshot())
    month = TODAY.strftime("%Y-%m")
    start, end = discipline.month_bounds(month)

    def discipline_month() -> list[discipline.Person]:
        days = rules.policy.incomplete_file_days
        late = discipline_index.late_contacts(index, start, min(end, TODAY))
        runs = discipline_index.neglect_runs(index, TODAY, days, since=start)
        return discipline.month_people(late, runs, month, TODAY, rules.policy, rules.directory)

    people = discipline_month()
    extras["discipline"] = {"people": len(people),
                            "late_records": sum(len(p.late) for p in people),
                            "neglect_fines": sum(p.periods for p in people)}
    add("discipline_month", f"Discipline: late records and neglected files of {month}",
        discipline_month, 200.0, "HR's month, all departments")

    _finish(rows, extras, workdir, warm_repeat, index, archive, log)
    # Issue 13's restore drill, before the rows below change the archive.
    figures, extras["restore_drill"] = restore_drill(where["archive"], workdir, log)
    add_figures(figures)
    from scripts.bench_analysis import measure_analysis

    figures, extras["analysis"] = measure_analysis(workdir, where, TODAY, repeat=repeat,
                                                   cold_repeat=max(1, min(cold_repeat, 2)),
                                                   log=log)
    add_figures(figures)
    # Last: these change the archive (a policy commit, the imported files).
    from scripts.bench_spreadsheets import measure_spreadsheets

    figures, extras["spreadsheets"] = measure_spreadsheets(
        workdir, where, repeat=max(3, min(repeat, 5)), import_rows=import_rows, log=log)
    add_figures(figures)
    _memory_rows(rows, extras)
    return rows, extras


def _finish(rows: list[Row], extras: dict[str, Any], workdir: Path, warm_repeat: int,
            index: Index, archive: Archive, log: Callable[[str], None]
            ) -> tuple[list[Row], dict[str, Any]]:
    """Add the warm start, close the index and archive; return rows and extras so far."""
    warm = [_warm_start(workdir) for _ in range(warm_repeat)]
    extras["warm_start"] = warm
    warm_total = [w["total"] for w in warm]
    rows.append(Row("warm_start", "Warm start: import + create_app + first find",
                    statistics.median(warm_total), "s", WARM_TARGET, samples=warm_total))
    log(f"warm start: {', '.join(f'{s:.2f} s' for s in warm_total)}")
    index.close()
    archive.close()
    if extras.get("scale"):
        _memory_rows(rows, extras)
    return rows, extras


def _memory_rows(rows: list[Row], extras: dict[str, Any]) -> None:
    rows.append(Row("rss_benchmark", "Peak memory, benchmark process (ru_maxrss)",
                    _rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss), "MB"))
    rows.append(Row("rss_warm", "Peak memory, warm-start process (VmHWM)",
                    max(w["rss_kb"] for w in extras["warm_start"]) / 1024, "MB"))


_RAW_NOTES = itertools.count(1)


def _raw_commit_samples(clone: Path, ids: list[str], rng: random.Random,
                        repeat: int, warm_up: bool = True) -> list[float]:
    """Time the same one-field change committed with plain git in a non-bare clone (ms)."""
    samples = []
    for i in range(repeat + 1 if warm_up else repeat):
        customer_id = rng.choice(ids[1:])
        path = customer_path(customer_id)
        record = yamlio.load((clone / path).read_bytes(), path)
        record["notes"] = f"基準測試備註（git）{next(_RAW_NOTES)}"  # never the same twice
        data = yamlio.dump(record)
        started = time.perf_counter()
        (clone / path).write_bytes(data)
        _git("add", path, cwd=clone)
        _git("commit", "-q", "-m", f"更新 {customer_id}：備註", cwd=clone)
        if i or not warm_up:  # the first commit is a warm-up
            samples.append((time.perf_counter() - started) * 1000)
    return samples


_WARM_CHILD = """
import json, sys, time
started = time.perf_counter()
from intranet import create_app
from intranet.index import Query
imported = time.perf_counter()
workdir = sys.argv[1]
app = create_app({
    "ARCHIVE_REPO": workdir + "/archive.git",
    "INSTANCE_PATH": workdir + "/instance",
    "INDEX_PATH": workdir + "/instance/index.sqlite3",
    "CREDENTIALS_PATH": workdir + "/instance/credentials.json",
    "SECRET_KEY": "benchmark",
    "INSTANCE_TAKEOVER": True,  # the analysis and spreadsheet runs use their own folders
})
created = time.perf_counter()
page = app.extensions["customer_archive"].index.find(Query())
done = time.perf_counter()
app.extensions["customer_archive"].close()
# ru_maxrss would include the parent's memory (subprocess forks before exec); VmHWM does not.
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print(json.dumps({"import": imported - started, "create_app": created - imported,
                  "find": done - created, "total": done - started, "rows": page.total,
                  "rss_kb": int(status)}))
"""


def _warm_start(workdir: Path) -> dict[str, float]:
    """Start the app in a fresh interpreter on the existing archive and index."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _WARM_CHILD, str(workdir)], env=env,
                         check=True, capture_output=True, cwd=ROOT).stdout
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["process"] = time.perf_counter() - started
    return result


# -- reporting --------------------------------------------------------------------------------


def machine_facts() -> dict[str, str]:
    """Return what the figures depend on: cores, CPU, Python, git and SQLite versions."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "python": platform.python_version(),
        "git": _git("--version").strip().removeprefix("git version "),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def _fmt(value: float, unit: str) -> str:
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.2f} ms"


def table(rows: Iterable[Row]) -> str:
    """Return the Markdown table: measurement | median | target | verdict."""
    lines = ["| measurement | median | target | verdict |", "|---|---:|---:|---|"]
    for row in rows:
        if row.target is None:
            target = "—"
        elif row.key in ("save", "save_fast"):
            target = f"< {row.target:.1f} ms (2× raw)"
        elif row.unit == "×":
            target = f"≤ {row.target:g}×"
        else:
            target = f"< {row.target:g} {row.unit}"
        lines.append(f"| {row.label} | {_fmt(row.value, row.unit)} | {target} | {row.verdict} |")
    return "\n".join(lines)


def report(rows: list[Row], facts: dict[str, str], info: BuildInfo | None) -> str:
    """Return the printed report: machine facts, the build, then the table."""
    lines = ["Machine: " + ", ".join(f"{k} {v}" for k, v in facts.items())]
    if info is not None:
        lines.append(f"Build: {info.customers} customers, {info.commits} commits, "
                     f"{LONG_FILE} with {info.long_versions} versions, "
                     f"{info.seconds:.1f} s (not a product figure)")
    return "\n".join([*lines, "", table(rows)])


def _build_in_child(workdir: Path, customers: int, commits: int, out: Path,
                    fast: int = 0) -> None:
    """Build in a child process so the benchmark's own peak memory excludes the build."""
    info = build(workdir, customers, commits, fast=fast)
    out.write_text(json.dumps(info.__dict__))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Return the command line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--workdir", type=Path, help="where to build (default: a temp dir)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--keep", action="store_true", help="do not delete the work dir")
    parser.add_argument("--fast-build", type=int, default=0, metavar="N",
                        help="copy most files' versions from N template customers (scale runs;"
                             " tooling only, see docs/performance.md)")
    parser.add_argument("--scale", action="store_true",
                        help="measure only the core rows (no drill, reports, spreadsheets)")
    steps = parser.add_mutually_exclusive_group()
    steps.add_argument("--build-only", action="store_true",
                       help="build into --workdir and stop (implies --keep)")
    steps.add_argument("--measure-only", action="store_true",
                       help="measure an archive built earlier in --workdir (kept)")
    args = parser.parse_args(argv)
    if (args.build_only or args.measure_only) and args.workdir is None:
        parser.error("--build-only and --measure-only need --workdir")
    args.keep = args.keep or args.build_only or args.measure_only
    return args


def _pin_two_cores() -> None:
    # The targets are for a 2-core server; on a bigger machine use only two of its cores.
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) > 2:
        os.sched_setaffinity(0, cores[:2])


def main(argv: list[str] | None = None) -> int:
    """Build, measure, print the table and optionally write JSON."""
    args = parse_args(argv)
    _pin_two_cores()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="archive-bench-", dir="/tmp"))
    workdir.mkdir(parents=True, exist_ok=True)
    if not args.measure_only and any(workdir.iterdir()):
        raise SystemExit(f"{workdir} is not empty")
    try:
        out = workdir / "build.json"
        if not args.measure_only:
            child = multiprocessing.get_context("fork").Process(
                target=_build_in_child,
                args=(workdir, args.customers, args.commits, out, args.fast_build))
            child.start()
            child.join()
            if child.exitcode != 0:
                raise SystemExit("the build failed")
        info = BuildInfo(**json.loads(out.read_text()))
        if args.build_only:
            print(f"built {info.customers} customers / {info.commits} commits in "
                  f"{info.seconds:.1f} s: " + ", ".join(f"{k} {v:.1f} s"
                                                       for k, v in info.timings.items()))
            return 0
        rows, extras = measure(workdir, args.repeat, scale=args.scale)
        facts = machine_facts()
        print()
        print(report(rows, facts, info))
        if args.json:
            args.json.write_text(json.dumps({
                "date": datetime.now(TAIPEI).isoformat(timespec="seconds"),
                "machine": facts,
                "build": {**info.__dict__, "seconds": info.seconds},
                "rows": [{"key": r.key, "label": r.label, "median": r.value, "unit": r.unit,
                          "target": r.target, "verdict": r.verdict, "samples": r.samples}
                         for r in rows],
                "extras": extras,
            }, ensure_ascii=False, indent=2))
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
