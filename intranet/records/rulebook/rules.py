"""The policy and the staff directory as of a commit, loaded once per version of each file."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from intranet.archive.errors import CorruptRecord, NotFound
from intranet.archive.objects import Identity
from intranet.archive.repository import Snapshot
from intranet.records.files import yamlio
from intranet.records.files.messages import FieldError
from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy, validate_policy
from intranet.records.rulebook.staff import Directory

POLICY_PATH = "policy.yaml"
STAFF_PATH = "org/staff.yaml"
DEPARTMENTS_PATH = "org/departments.yaml"
# The files that decide who may sign in and what is allowed, in two units checked apart:
# a broken staff file falls back without taking the policy with it, and the reverse.
UNITS: tuple[tuple[str, ...], ...] = ((POLICY_PATH,), (STAFF_PATH, DEPARTMENTS_PATH))
# How many earlier versions of a unit are tried before giving up (each is cached).
MAX_FALLBACK = 200


@dataclass(frozen=True)
class Problem:
    """A damaged policy or organisation file, and the version in force instead."""

    path: str
    reason: str
    commit: str  # the newest commit that wrote the damaged version ("" if unknown)
    author: str
    in_force: str  # the commit whose valid version is used ("" when the defaults are)

    def describe(self) -> str:
        """Return one line naming the bad commit, its author, the file and the reason."""
        return (f"{self.path}: {self.reason} (commit {self.commit[:10] or '-'} by "
                f"{self.author or '-'}; in force: {self.in_force[:10] or 'the defaults'})")


@dataclass(frozen=True)
class Rules:
    """What a record is checked against: the policy and who works here."""

    policy: Policy
    directory: Directory
    # Damaged files and what stands in for them; empty when every file is valid.
    problems: tuple[Problem, ...] = ()
    # The parsed document in force for each path (the base for repairing a damaged file).
    sources: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def identity(self, username: str) -> Identity:
        """Return the git identity of a member of staff."""
        member = self.directory.member(username)
        if member is None:
            raise NotFound(f"staff:{username}")
        return Identity(member["name"] or username, member.get("email") or f"{username}@localhost")

    def check_people(self, record: dict[str, Any]) -> list[FieldError]:
        """Return errors for usernames and departments the directory does not know."""
        errors: list[FieldError] = []
        unknown = "{value} is not a member of staff"
        custody = record.get("custody")
        if not isinstance(custody, dict):
            return errors
        owner = custody.get("owner")
        if isinstance(owner, str) and owner and self.directory.member(owner) is None:
            errors.append(FieldError("custody.owner", unknown, {"value": owner}))
        department = custody.get("department")
        if isinstance(department, str) and department and \
                self.directory.department(department) is None:
            errors.append(FieldError("custody.department", "{value} is not a department",
                                     {"value": department}))
        for i, name in enumerate(custody.get("contacts") or []):
            if isinstance(name, str) and self.directory.member(name) is None:
                errors.append(FieldError(f"custody.contacts[{i}]", unknown, {"value": name}))
        for i, entry in enumerate(record.get("contacts") or []):
            staff = entry.get("staff") if isinstance(entry, dict) else None
            if isinstance(staff, str) and staff and self.directory.member(staff) is None:
                errors.append(FieldError(f"contacts[{i}].staff", unknown, {"value": staff}))
        return errors


_cache: OrderedDict[tuple, Any] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(key: tuple, make: Any) -> Any:
    """Return the cached value for ``key``, making it (outside the lock) when missing."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = make()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > 64:
            _cache.popitem(last=False)
    return value


def _parse_unit(snapshot: Snapshot, blobs: tuple[str | None, ...],
                paths: tuple[str, ...]) -> dict[str, Any] | CorruptRecord:
    """Return a unit's parsed documents, or the CorruptRecord saying what is wrong."""
    defaults = {POLICY_PATH: DEFAULT_POLICY, STAFF_PATH: {"staff": []},
                DEPARTMENTS_PATH: {"departments": []}}
    docs: dict[str, Any] = {}
    try:
        for path, blob in zip(paths, blobs, strict=True):
            raw = snapshot.archive.read_object(blob)[1] if blob else None
            docs[path] = yamlio.load(raw, path) if raw else defaults[path]
        if POLICY_PATH in docs:
            problems = validate_policy(docs[POLICY_PATH])
            if problems:
                raise CorruptRecord(POLICY_PATH, "; ".join(f"{e.path}: {e}" for e in problems))
        if STAFF_PATH in docs:
            problems = Directory(docs[DEPARTMENTS_PATH], docs[STAFF_PATH]).validate()
            if problems:
                raise CorruptRecord(STAFF_PATH, "; ".join(f"{e.path}: {e}" for e in problems))
    except CorruptRecord as exc:
        return exc
    return docs


def _fall_back(snapshot: Snapshot, paths: tuple[str, ...], blobs: tuple[str | None, ...],
               error: CorruptRecord) -> tuple[dict[str, Any], Problem]:
    """Walk back the unit's history to its newest valid version; raise if there is none."""
    archive = snapshot.archive
    # One log for the unit (its folder when it has several files) keeps git's own order.
    where = paths[0] if len(paths) == 1 else paths[0].rsplit("/", 1)[0] + "/"
    versions = archive.log(path=where, until=snapshot.commit, limit=MAX_FALLBACK)
    bad_path = error.path if error.path in paths else paths[0]
    # The newest commit that touched the unit made the damaged state.
    writer = versions[0] if versions else None
    seen = {blobs}
    for version in versions:
        older = archive.snapshot(version.commit)
        older_blobs = tuple(older.blob_id(p) for p in paths)
        if older_blobs in seen:
            continue
        seen.add(older_blobs)
        docs = _cached(("unit", older_blobs), lambda o=older, b=older_blobs:
                       _parse_unit(o, b, paths))
        if not isinstance(docs, CorruptRecord):
            return docs, Problem(bad_path, error.reason, writer.commit if writer else "",
                                 writer.author_name if writer else "", version.commit)
    raise error


def load_rules(snapshot: Snapshot) -> Rules:
    """Return the rules in force at a snapshot.

    A damaged policy or organisation file is replaced by its last valid version and named
    in ``problems``; CorruptRecord only when no valid version was ever committed.
    """
    blobs = tuple(tuple(snapshot.blob_id(p) for p in paths) for paths in UNITS)
    parsed = [_cached(("unit", b), lambda s=snapshot, b=b, p=paths: _parse_unit(s, b, p))
              for b, paths in zip(blobs, UNITS, strict=True)]
    if not any(isinstance(docs, CorruptRecord) for docs in parsed):
        return _cached(("rules", blobs), lambda: _rules(parsed, ()))
    # Damaged: what stands in depends on the history, so the key holds the commit too.
    return _cached(("damaged", str(snapshot.archive.path), snapshot.commit),
                   lambda: _with_fallback(snapshot, blobs, parsed))


def _with_fallback(snapshot: Snapshot, blobs: tuple, parsed: list) -> Rules:
    """Return the rules with each damaged unit replaced by its last valid version."""
    problems: list[Problem] = []
    in_force: list[dict[str, Any]] = []
    for unit_blobs, paths, docs in zip(blobs, UNITS, parsed, strict=True):
        if isinstance(docs, CorruptRecord):
            valid, problem = _fall_back(snapshot, paths, unit_blobs, docs)
            problems.append(problem)
            in_force.append(valid)
        else:
            in_force.append(docs)
    return _rules(in_force, tuple(problems))


def _rules(units: list, problems: tuple[Problem, ...]) -> Rules:
    """Return the rules made of each unit's parsed documents."""
    sources: dict[str, Any] = {}
    for docs in units:
        sources.update(docs)
    directory = Directory(sources[DEPARTMENTS_PATH], sources[STAFF_PATH])
    return Rules(Policy(sources[POLICY_PATH]), directory, problems, sources)
