"""Plan an import of a spreadsheet row by row, before anything is written (R4, R33).

Each row becomes a complete customer record (personal level, kept by the salesperson its
custodian cell names, else the custodian chosen for the import, else the importer), is
validated like any other file, and is then compared with the rows above it and with the
archive: by 統一編號 first (eight digits), where two different numbers are two customers
whatever their names; then by folded name and phone, where the same name and phone with no
統一編號 on either side is the same customer and any other name or phone match with a side
lacking its 統一編號 is left for a person to decide (flagged). Duplicates are merged into the
first row or the existing file by filling its empty fields (``import_duplicates``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from intranet.records.files.keys import tax_id_valid
from intranet.records.files.messages import N_
from intranet.records.files.validate import validate
from intranet.records.imports.import_duplicates import Conflict, Keys, fill, tax8
from intranet.records.imports.import_rows import (
    CHECKSUM,
    CUSTODIAN,
    PLACEHOLDER_ID,
    Incoming,
    Reason,
    StaffNames,
    build_record,
    check,
    from_converted,
    reason_of,
)
from intranet.records.rights import access
from intranet.records.rulebook.rules import Rules

__all__ = ["CHECKSUM", "ERROR", "FILLS", "FLAGGED", "FORBIDDEN", "MERGED", "NEW",
           "PLACEHOLDER_ID", "STATUSES", "UNCHANGED", "Incoming", "Match", "Plan", "Reason",
           "RowResult", "StaffNames", "check", "plan", "plan_rows"]

NEW, MERGED, FILLS, UNCHANGED = "new", "merged", "fills", "unchanged"
FORBIDDEN, FLAGGED, ERROR = "forbidden", "flagged", "error"
STATUSES = (NEW, MERGED, FILLS, UNCHANGED, FORBIDDEN, FLAGGED, ERROR)
# A row that is merged into another file needs none of the fields a new file requires.
_REQUIRED = frozenset({"Required", "Required for a distributor card",
                       "Required for a terminal card"})

# Flagged rows to import as new files: all (True), none (False), or these row numbers.
Accept = bool | Collection[int]
# matches(pairs) -> {(kind, key): [customer ids]}; load(ids) -> {id: record, or None when
# the file is damaged}, files not there left out.
Matches = Callable[[list[tuple[str, str]]], "dict[tuple[str, str], list[str]]"]
Load = Callable[[list[str]], "dict[str, dict[str, Any] | None]"]


@dataclass(frozen=True)
class Match:
    """What a row duplicates: an earlier row or an existing file, and by which key.

    For a file the importer may not read only its catalogue card is kept (id and name).
    """

    kind: str  # tax, name or phone
    row: int | None = None
    customer: str | None = None
    name: str = ""
    readable: bool = True


@dataclass
class RowResult:
    """The plan for one row, and after the commit the id its new file received."""

    number: int
    status: str
    name: str = ""
    owner: str = ""
    match: Match | None = None
    fills: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    record: dict[str, Any] | None = None  # the new file's record (new rows only)
    accepted: bool = False  # a flagged row imported as a new file (accept_flagged)
    customer: str | None = None  # the new file's id, once committed


@dataclass
class Plan:
    """Every row's plan, the existing files to fill, and the unknown salesperson names."""

    rows: list[RowResult]
    files: dict[str, dict[str, Any]]  # existing id -> the record with its fills
    unknown_custodians: list[str]
    head: str | None = None

    def counts(self) -> dict[str, int]:
        """Return how many rows have each status, the accepted flagged ones and the total."""
        counts = {status: 0 for status in STATUSES}
        for row in self.rows:
            counts[row.status] += 1
        counts["accepted"] = sum(row.accepted for row in self.rows)
        counts["filled_files"] = len(self.files)
        counts["rows"] = len(self.rows)
        return counts

    @property
    def new_rows(self) -> list[RowResult]:
        """Return the rows that become new files, in sheet order."""
        return [row for row in self.rows if row.status == NEW]

    @property
    def errors(self) -> list[RowResult]:
        """Return the rows that cannot be imported."""
        return [row for row in self.rows if row.status == ERROR]


@dataclass
class _Target:
    """Something a later row may duplicate: an imported row or an existing file."""

    record: dict[str, Any]
    keys: Keys
    name: str
    row: int | None = None
    customer: str | None = None
    readable: bool = True
    editable: bool = True


def plan(table: Any, mapping: list[str], *, rules: Rules, matches: Matches, importer: str,
         load: Load, custodian: str | None = None, card: str = "terminal",
         accept_flagged: Accept = False, grants: Iterable[access.Grant] = (),
         department: str | None = None, head: str | None = None) -> Plan:
    """Convert every row of a ``sheets.model.Table`` with ``mapping`` and plan it."""
    from intranet.sheets.cells import convert  # the reader is its own package

    grades = tuple(rules.policy.grades)
    credit = tuple(rules.policy.credit_grades)
    incoming = [from_converted(row.number, convert(row, mapping, grades=grades,
                                                   credit_grades=credit))
                for row in table.rows]
    return plan_rows(incoming, rules=rules, matches=matches, load=load, importer=importer,
                     custodian=custodian, card=card, accept_flagged=accept_flagged,
                     grants=grants, department=department, head=head)


def plan_rows(incoming: list[Incoming], *, rules: Rules, matches: Matches, load: Load,
              importer: str, custodian: str | None = None, card: str = "terminal",
              accept_flagged: Accept = False, grants: Iterable[access.Grant] = (),
              department: str | None = None, head: str | None = None) -> Plan:
    """Plan converted rows against the archive that ``matches`` and ``load`` show.

    ``department``: a department manager's import, whose files must all be kept in it.
    ``accept_flagged``: True, False, or the row numbers of the flagged rows a person accepted.
    """
    return _Planner(rules, matches, load, importer, custodian, card, accept_flagged,
                    list(grants), department).run(incoming, head)


class _Planner:
    """One planning pass: the rows so far, the files met, the names not found."""

    def __init__(self, rules: Rules, matches: Matches, load: Load, importer: str,
                 custodian: str | None, card: str, accept_flagged: Accept,
                 grants: list[access.Grant], department: str | None) -> None:
        self.rules, self.matches, self.load = rules, matches, load
        self.staff = StaffNames(rules)
        self.importer, self.fallback = importer, custodian or importer
        self.card, self.accept_flagged = card, accept_flagged
        self.grants, self.department = grants, department
        directory = rules.directory
        self.actor = access.Actor(importer, directory.role(importer),
                                  self.staff.department(importer))
        self.by_key: dict[tuple[str, str], list[_Target]] = {}
        self.files: dict[str, _Target] = {}
        self.found: dict[tuple[str, str], list[str]] = {}
        self.records: dict[str, dict[str, Any] | None] = {}
        self.unknown: list[str] = []

    def accepts(self, number: int) -> bool:
        """Tell whether a flagged row is to be imported as a new file."""
        flagged = self.accept_flagged
        return flagged if isinstance(flagged, bool) else number in flagged

    def run(self, incoming: list[Incoming], head: str | None) -> Plan:
        """Plan every row in sheet order."""
        built = [self.build(row) for row in incoming]
        pairs = sorted({p for _, keys, _, _ in built if keys for p in keys.pairs()})
        self.found = self.matches(pairs) if pairs else {}
        ids = sorted({c for ids in self.found.values() for c in ids})
        self.records = self.load(ids) if ids else {}
        rows = [self.place(*item) for item in built]
        filled = {r.match.customer for r in rows if r.status == FILLS and r.match}
        changed = {c: t.record for c, t in self.files.items() if c in filled}
        return Plan(rows, changed, self.unknown, head)

    # -- one row on its own ----------------------------------------------------------------

    def build(self, row: Incoming) -> tuple[RowResult, Keys | None, list[Reason], Incoming]:
        """Return the row's result so far, its keys, what stops it only as a new file, the
        row."""
        values = row.values
        result = RowResult(row.number, NEW, str(values.get("basic.name") or ""),
                           notes=list(row.notes))
        if row.problems:
            result.status, result.reasons = ERROR, list(row.problems)
            return result, None, [], row
        tax = tax8(values.get("basic.tax_id"))
        if tax and not tax_id_valid(tax) and not any(
                n.message == CHECKSUM for n in result.notes):
            result.notes.append(Reason("basic.tax_id", CHECKSUM, {"value": tax}))
        result.owner = self.owner_of(values, result)
        record = self.record_of(values, result.owner)
        errors = check(record, self.rules)
        hard = [reason_of(e) for e in errors if e.message not in _REQUIRED]
        soft = [reason_of(e) for e in errors if e.message in _REQUIRED]
        where = self.staff.department(result.owner)
        if self.department is not None and where != self.department:
            # Only a new file is placed with a custodian: a duplicate fills a file as it is.
            soft.append(Reason("custody.owner", N_(
                "{name} is not of your department: you import files for {department} "
                "only"), {"name": result.owner, "department": self.department}))
        if hard:
            result.status, result.reasons = ERROR, hard + soft
            return result, None, [], row
        result.record = record
        return result, Keys.of(record), soft, row

    def owner_of(self, values: dict[str, Any], result: RowResult) -> str:
        """Return the custodian a row names, or the import's; note a name nobody has."""
        written = values.get(CUSTODIAN)
        if isinstance(written, str) and written.strip():
            found = self.staff.find(written)
            if found:
                return found
            name = written.strip()
            if name not in self.unknown:
                self.unknown.append(name)
            result.notes.append(Reason("custody.owner", N_(
                "No member of staff who may keep files is called {name}: the file goes to "
                "{owner}"), {"name": name, "owner": self.fallback}))
        return self.fallback

    def record_of(self, values: dict[str, Any], owner: str) -> dict[str, Any]:
        """Return the complete record a row makes, kept by ``owner`` at personal level."""
        return build_record(values, values.get("card") or self.card, owner,
                            self.staff.department(owner))

    # -- against the rows above and the archive --------------------------------------------

    def place(self, result: RowResult, keys: Keys | None, soft: list[Reason],
              row: Incoming) -> RowResult:
        """Decide a valid row's status: merged, fills, unchanged, forbidden, flagged or new."""
        if keys is None:
            return result
        if keys.tax:
            target = self.first(("tax", keys.tax))
            if target is not None:
                return self.merge(result, target, "tax", row.values)
        candidates: list[tuple[str, _Target]] = []
        for kind, key in (("name", keys.name), ("phone", keys.phone)):
            for target in self.all((kind, key)) if key else []:
                if not keys.apart(target.keys) and all(t is not target for _, t in candidates):
                    candidates.append((kind, target))
        exact = [(k, t) for k, t in candidates if keys.exact(t.keys)]
        if exact:
            return self.merge(result, exact[0][1], exact[0][0], row.values)
        if candidates:
            result.match = self.match(*candidates[0])
            if not self.accepts(result.number):
                result.status, result.record = FLAGGED, None
                return result
            result.accepted = True
        if soft:
            result.status, result.reasons, result.record = ERROR, soft, None
            return result
        assert result.record is not None
        self.remember(_Target(result.record, keys, result.name, row=result.number))
        return result

    def merge(self, result: RowResult, target: _Target, kind: str,
              values: dict[str, Any]) -> RowResult:
        """Merge a duplicate row into the row or file it duplicates."""
        result.match, result.record = self.match(kind, target), None
        if target.customer is not None and not target.editable:
            result.status = FORBIDDEN
            return result
        trial = _copy(target.record)
        fills, conflicts = fill(trial, values, target.readable)
        errors = validate(trial, self.rules.policy) if fills else []
        if errors:
            result.status, result.reasons = ERROR, [reason_of(e) for e in errors]
            return result
        target.record.clear()
        target.record.update(trial)
        result.fills, result.conflicts = fills, conflicts
        if target.customer is None:
            result.status = MERGED
        else:
            result.status = FILLS if fills else UNCHANGED
        if fills:
            # A filled phone or name finds later rows too.
            target.keys = Keys.of(target.record) if target.customer is None else \
                _widen(target.keys, Keys.of(target.record))
            self.remember(target)
        return result

    def match(self, kind: str, target: _Target) -> Match:
        """Return what a row matched, showing an unreadable file only by its catalogue."""
        return Match(kind, target.row, target.customer, target.name, target.readable)

    def remember(self, target: _Target) -> None:
        """Make a target findable by its keys for the rows below."""
        for pair in target.keys.pairs():
            known = self.by_key.setdefault(pair, [])
            if all(t is not target for t in known):
                known.append(target)

    def first(self, pair: tuple[str, str]) -> _Target | None:
        """Return the first row or file holding a key."""
        found = self.all(pair)
        return found[0] if found else None

    def all(self, pair: tuple[str, str]) -> list[_Target]:
        """Return the rows above and the existing files holding a key, rows' first."""
        here = list(self.by_key.get(pair, []))
        for customer in self.found.get(pair, []):
            target = self.file(customer)
            if target is not None and all(t is not target for t in here):
                here.append(target)
        return here

    def file(self, customer: str) -> _Target | None:
        """Return the target of an existing file (None if it is gone or unreadable as YAML)."""
        if customer in self.files:
            return self.files[customer]
        record = self.records.get(customer)
        if not isinstance(record, dict):
            return None
        meta = access.FileMeta.from_record(customer, record)
        policy, directory = self.rules.policy, self.rules.directory

        def may(action: str) -> bool:
            return access.decide(self.actor, action, meta, policy, directory,
                                 self.grants).allowed

        basic = record.get("basic") if isinstance(record.get("basic"), dict) else {}
        target = _Target(_copy(record), Keys.of(record), str(basic.get("name") or ""),
                         customer=customer, readable=may("view"), editable=may("edit"))
        self.files[customer] = target
        return target


def _widen(old: Keys, new: Keys) -> Keys:
    """Return a file's keys with those its fills added (the old ones still find it)."""
    return Keys(old.tax or new.tax, old.name or new.name, old.phone or new.phone)


def _copy(record: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(record)
