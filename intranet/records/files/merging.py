"""Merge two files of one customer into one (R4: one customer, one file).

The person keeps one file and retires the other. The kept file takes the retired one's
contacts, events, yearly figures, documents, tasks and proposals, and every field that is
empty in it; a field both files fill differently is a clash the person settles (the kept
file's value unless they choose the retired one's). Custody stays the kept file's. One commit
deletes the retired file, rewrites the kept one, moves the documents' bytes into the kept
file's folder and adds the retired id to the register (``records.files.retired``), so the
id is never
given out again and leads to the kept file. Git keeps both histories: the retired path's log
ends with the merge commit.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from intranet.archive.errors import Conflict, CorruptRecord, NotFound
from intranet.archive.repository import Change, Snapshot
from intranet.records.files import documents, retired, yamlio
from intranet.records.files.customers import CustomerFiles, Settle, _message, check, customer_path
from intranet.records.files.schema import GROUP, LIST, SCHEMA
from intranet.records.files.validate import get_path, normalise, set_path

ACTION = "merge"
KEPT, RETIRED = "kept", "retired"
# Lists whose entries the kept file simply takes over, in the order they were recorded.
APPENDED = ("contacts", "events", "tasks", "proposals")
# Custody stays the kept file's; the id is the kept one's.
NOT_MERGED = ("id", "custody")
# guard(head snapshot, kept record, retired record): raises to write nothing.
Guard = Callable[[Snapshot, dict[str, Any], dict[str, Any]], None]


@dataclass
class Clash:
    """A field both files fill with different values: both values and the choice."""

    path: str  # a dotted path such as basic.phone; yearly.2023 for one year's figures
    kept: Any
    retired: Any


@dataclass
class Plan:
    """What merging two records gives: the record, its clashes, what was filled and moved."""

    record: dict[str, Any]
    clashes: list[Clash] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)
    # old document path -> new path in the kept file's folder (None: the same bytes are
    # already kept there, so only the retired copy goes)
    documents: dict[str, str | None] = field(default_factory=dict)


def empty(value: Any) -> bool:
    """Tell whether a field counts as not filled in: blank, None, false, no entries."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or value is False or value == [] or value == {}


def _leaves(fields: dict[str, Any], prefix: str = "") -> list[str]:
    """Return the dotted paths of the schema's single fields (groups walked, lists not)."""
    paths: list[str] = []
    for name, declared in fields.items():
        path = f"{prefix}{name}"
        if declared.kind == GROUP and declared.children:
            paths += _leaves(declared.children, path + ".")
        elif declared.kind != LIST:
            paths.append(path)
    return paths


def _fields(kept: dict[str, Any], gone: dict[str, Any], plan: Plan,
            choices: dict[str, str]) -> None:
    """Fill the kept record's empty single fields; report the ones both fill differently."""
    for path in _leaves(SCHEMA):
        if path.split(".")[0] in NOT_MERGED or path.startswith("sales_power."):
            continue
        mine, theirs = get_path(kept, path), get_path(gone, path)
        if empty(theirs) or mine == theirs:
            continue
        if empty(mine):
            set_path(plan.record, path, theirs)
            plan.filled.append(path)
            continue
        plan.clashes.append(Clash(path, mine, theirs))
        if choices.get(path) == RETIRED:
            set_path(plan.record, path, theirs)
    # The sales-power assessment is one judgement: taken whole, never mixed.
    mine, theirs = kept.get("sales_power") or {}, gone.get("sales_power") or {}
    if not empty((theirs or {}).get("scores")) and mine != theirs:
        if empty((mine or {}).get("scores")):
            plan.record["sales_power"] = copy.deepcopy(theirs)
            plan.filled.append("sales_power")
        else:
            plan.clashes.append(Clash("sales_power", mine, theirs))
            if choices.get("sales_power") == RETIRED:
                plan.record["sales_power"] = copy.deepcopy(theirs)


def _lists(kept: dict[str, Any], gone: dict[str, Any], plan: Plan,
           choices: dict[str, str]) -> None:
    """Take over the retired file's entries; people by name, yearly figures by year."""
    record = plan.record
    for section in APPENDED:
        theirs = [e for e in gone.get(section) or [] if isinstance(e, dict)]
        if theirs:
            record[section] = [*(record.get(section) or []), *copy.deepcopy(theirs)]
            plan.moved[section] = len(theirs)
    names = {str(p.get("name") or "").strip(): p for p in record.get("people") or []
             if isinstance(p, dict)}
    people = []
    for person in gone.get("people") or []:
        if not isinstance(person, dict):
            continue
        same = names.get(str(person.get("name") or "").strip())
        if same is None:
            people.append(person)
            continue
        # The same person in both: what the kept file leaves empty is filled, nothing replaced.
        for key, value in person.items():
            if empty(same.get(key)) and not empty(value):
                same[key] = copy.deepcopy(value)
    if people:
        record["people"] = [*(record.get("people") or []), *copy.deepcopy(people)]
        plan.moved["people"] = len(people)
    years = {y.get("year"): i for i, y in enumerate(record.get("yearly") or [])
             if isinstance(y, dict)}
    added = 0
    for item in gone.get("yearly") or []:
        if not isinstance(item, dict):
            continue
        year = item.get("year")
        if year not in years:
            record["yearly"] = [*(record.get("yearly") or []), copy.deepcopy(item)]
            added += 1
            continue
        mine = record["yearly"][years[year]]
        if mine != item:
            path = f"yearly.{year}"
            plan.clashes.append(Clash(path, mine, item))
            if choices.get(path) == RETIRED:
                record["yearly"][years[year]] = copy.deepcopy(item)
    if added:
        plan.moved["yearly"] = added
        record["yearly"].sort(key=lambda y: (not isinstance(y.get("year"), int),
                                             y.get("year") if isinstance(y.get("year"), int)
                                             else 0))


def _documents(kept_id: str, retired_id: str, plan: Plan, gone: dict[str, Any],
               snapshot: Snapshot) -> None:
    """Give the retired file's documents new names in the kept file's folder."""
    record = plan.record
    have = {d.get("sha256") for d in documents.entries(record)}
    number = documents._next_number(record, snapshot, kept_id)
    moved = 0
    for entry in documents.entries(gone):
        old = str(entry.get("file") or "")
        if not old.startswith(documents.folder(retired_id)):
            continue  # an entry naming another file's path is never served, nor moved
        if entry.get("sha256") in have:
            plan.documents[old] = None
            continue
        ext = old.rpartition(".")[2]
        digest = str(entry.get("sha256") or "")
        if not digest:
            data = snapshot.get(old) or b""
            digest = hashlib.sha256(data).hexdigest()
        new = f"{documents.folder(kept_id)}D{number:04d}-{digest[:12]}.{ext}"
        number += 1
        plan.documents[old] = new
        record["documents"] = [*(record.get("documents") or []), {**entry, "file": new}]
        have.add(entry.get("sha256"))
        moved += 1
    if moved:
        plan.moved["documents"] = moved


def plan(kept_id: str, kept: dict[str, Any], retired_id: str, gone: dict[str, Any],
         snapshot: Snapshot, choices: dict[str, str] | None = None) -> Plan:
    """Return the merged record of two files and what differed, without writing anything."""
    choices = choices or {}
    result = Plan(copy.deepcopy(kept))
    _fields(kept, gone, result, choices)
    _lists(kept, gone, result, choices)
    _documents(kept_id, retired_id, result, gone, snapshot)
    result.record["id"] = kept_id
    return result


def _body(plan_: Plan) -> str:
    """Return the commit body: what moved, what was filled, which clashes were settled how."""
    lines = [f"移入 {section}: {count}" for section, count in plan_.moved.items()]
    if plan_.filled:
        lines.append("補入欄位: " + ", ".join(plan_.filled))
    if plan_.clashes:
        lines.append("不一致欄位: " + ", ".join(c.path for c in plan_.clashes))
    return "\n".join(lines)


def _files(snapshot: Snapshot, plan_: Plan, retired_id: str) -> dict[str, bytes | None]:
    """Return the documents' moves: new paths with the bytes, the retired folder emptied."""
    changes: dict[str, bytes | None] = {}
    for old, new in plan_.documents.items():
        if new is not None:
            data = snapshot.get(old)
            if data is None:
                raise NotFound(old)
            changes[new] = data
    folder = documents.folder(retired_id)
    for name in snapshot.listdir(folder.rstrip("/")):
        changes.setdefault(folder + name, None)
    return changes


def load_pair(snapshot: Snapshot, kept_id: str, retired_id: str
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return both records as they are at a snapshot; NotFound or CorruptRecord."""
    found = []
    for customer_id in (kept_id, retired_id):
        path = customer_path(customer_id)
        raw = snapshot.get(path)
        if raw is None:
            raise NotFound(customer_id)
        record, problem, _errors = check(raw, path, None)
        if record is None:
            raise CorruptRecord(path, problem or "")
        found.append(record)
    return found[0], found[1]


def merge(files: CustomerFiles, kept_id: str, retired_id: str, author: str, *, base: str,
          today: date, choices: dict[str, str] | None = None, guard: Guard | None = None,
          when: Any = None, settle: Settle | None = None) -> tuple[str, Plan]:
    """Merge ``retired_id`` into ``kept_id`` in one commit; return (commit, plan).

    ``base`` is the commit the person saw both files at: if either changed since, Conflict
    and nothing is written (their choices were made on what they saw).
    """
    if kept_id == retired_id:
        raise NotFound(retired_id)
    kept_path, gone_path = customer_path(kept_id), customer_path(retired_id)
    try:
        seen = files.archive.snapshot(base or "-")
    except NotFound:
        raise Conflict(["*"]) from None  # no revision the page was shown at: not seen
    expected = (seen.blob_id(kept_path), seen.blob_id(gone_path))
    made: dict[str, Plan] = {}

    def build(snapshot: Snapshot) -> Change:
        if (snapshot.blob_id(kept_path), snapshot.blob_id(gone_path)) != expected \
                or None in expected:
            raise Conflict(["*"])
        kept, gone = load_pair(snapshot, kept_id, retired_id)
        if guard:
            guard(snapshot, kept, gone)
        result = plan(kept_id, kept, retired_id, gone, snapshot, choices)
        record = normalise(result.record)
        files._require_valid(record, files.rules(snapshot))
        if settle:
            record = settle(snapshot, kept_id, kept, record)
        made["plan"] = result
        entry = {"retired": retired_id, "kept": kept_id, "on": today.isoformat(),
                 "by": author, "retired_blob": expected[1]}
        name = record["basic"]["name"]
        message = _message(f"合併 {retired_id} 至 {kept_id} {name}", kept_id, ACTION,
                           {"Merged-From": retired_id, "Retired-Blob": str(expected[1])},
                           _body(result))
        changes: dict[str, bytes | None] = {
            kept_path: yamlio.dump(record), gone_path: None,
            retired.PATH: retired.with_entry(snapshot, entry),
            **_files(snapshot, result, retired_id)}
        return Change(changes, message)

    commit = files.archive.commit(build, files._identity(author), when=when)
    if commit is None:  # cannot happen: a merge always deletes a file
        raise NotFound(retired_id)
    return commit, made["plan"]
