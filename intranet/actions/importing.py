"""Bring customers in from a spreadsheet: preview, then one commit (R4, R33; issue 11).

Who may import is policy data (``imports.roles``: for every department, by default the
marketing director and marketing staff; ``imports.department_roles``: only files kept in
their own department, by default department managers). The plan is made against the head,
and made again inside the commit's build whenever the head moved, so the ids, the duplicates
against the archive and the importer's rights are those of the commit the import follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..archive.errors import CorruptRecord
from ..archive.repository import Snapshot
from ..records.files import yamlio
from ..records.files.customers import CustomerFiles, customer_path
from ..records.files.messages import N_
from ..records.files.schema import CARDS
from ..records.imports import import_commit
from ..records.imports.import_rows import Reason
from ..records.imports.importing import (
    ERROR,
    FILLS,
    MERGED,
    UNCHANGED,
    Accept,
    Plan,
    RowResult,
    StaffNames,
    plan,
)
from ..records.rights import access, requests
from ..records.rulebook.rules import Rules, load_rules
from ..records.trail.audit import AuditUnavailable
from . import ActionError, Forbidden
from .credit import CreditForbidden, settler
from .rights import actor_at

ERRORS = ("skip", "abort")


@dataclass
class Report:
    """What an import found and did: the table read, the mapping, each row, the commit."""

    table: Any  # sheets.model.Table
    mapping: list[str]
    plan: Plan
    dry_run: bool = False
    aborted: bool = False  # errors="abort" met error rows: nothing was written
    commit: str | None = None  # None when nothing was written
    revealed: list[str] = field(default_factory=list)  # files whose contents the report shows
    journal_failed: bool = False  # imported, but the reads could not be journalled (R35)

    @property
    def counts(self) -> dict[str, int]:
        """Return the rows per status (see ``records.imports.importing.Plan.counts``)."""
        return self.plan.counts()

    @property
    def created(self) -> dict[int, str]:
        """Return the id each new row received, by sheet row number (after a commit)."""
        if self.commit is None:
            return {}
        return {row.number: row.customer for row in self.plan.new_rows if row.customer}


class _Abort(Exception):
    """Raised inside the build to write nothing when rows have errors and errors="abort"."""


def scope(rules: Rules, username: str) -> str | None:
    """Return None if the user may import for every department, or the one department they
    may import for; Forbidden if they may not import at all."""
    actor = actor_at(rules, username)
    if access.may_create(actor, rules.policy, rules.directory):
        found = role_scope(actor, rules.policy.import_roles)
        if found is not False:
            return found
    raise Forbidden(N_("You may not import customer files."))


def role_scope(actor: access.Actor, roles: tuple[list[str], list[str]]) -> str | bool | None:
    """Return None (every department), the actor's department, or False (neither).

    ``roles`` is a policy pair: the roles that act for every department, and those that act
    for their own department only (imports, receivables imports).
    """
    everywhere, own = roles
    if actor.role in everywhere:
        return None
    if actor.role in own and actor.department:
        return actor.department
    return False


def may_import(rules: Rules, username: str) -> bool:
    """Tell whether a member of staff may import (for a menu or a page)."""
    try:
        scope(rules, username)
    except Forbidden:
        return False
    return True


def _check_custodian(rules: Rules, custodian: str | None, department: str | None) -> None:
    """Refuse a chosen custodian who may not keep files, or is of another department."""
    if not custodian:
        return
    staff = StaffNames(rules)
    if not staff.may_hold(custodian):
        raise ActionError(N_("%(name)s is not an active member of staff who may keep files."),
                          name=custodian)
    if department is not None and staff.department(custodian) != department:
        raise Forbidden(N_("%(name)s is not of your department: you import files for "
                           "%(department)s only."), name=custodian, department=department)


def _loader(files: CustomerFiles, snapshot: Snapshot):
    """Return a function reading many files at the snapshot at once (None: damaged; a file
    not there is left out)."""

    def load(ids: list[str]) -> dict[str, dict[str, Any] | None]:
        if snapshot.commit is None:
            return {customer: None for customer in ids}
        paths = [customer_path(c) for c in ids]
        raws = files.archive.read_many([f"{snapshot.commit}:{p}" for p in paths])
        found: dict[str, dict[str, Any] | None] = {}
        for customer, path, raw in zip(ids, paths, raws, strict=True):
            if raw is None:
                continue  # not at this snapshot (the index may be a commit ahead)
            try:
                found[customer] = yamlio.load(raw, path)
            except CorruptRecord:
                found[customer] = None  # damaged: never filled, reported when it matches
        return found

    return load


def plan_at(files: CustomerFiles, index: Any, snapshot: Snapshot, username: str, table: Any,
            mapping: list[str], *, custodian: str | None = None, card: str = "terminal",
            accept_flagged: Accept = False) -> Plan:
    """Plan the import at a snapshot; Forbidden / ActionError when it may not be made."""
    if card not in CARDS:
        raise ActionError(N_("Choose the card of the new files: %(choices)s."),
                          choices=", ".join(CARDS))
    rules = load_rules(snapshot)
    department = scope(rules, username)
    _check_custodian(rules, custodian, department)
    made = plan(table, mapping, rules=rules, matches=index.matches,
                load=_loader(files, snapshot), importer=username, custodian=custodian,
                card=card, accept_flagged=accept_flagged,
                grants=requests.grants_for(snapshot, username), department=department,
                head=snapshot.commit)
    _settle_credit(files, snapshot, username, made)
    return made


def _settle_credit(files: CustomerFiles, snapshot: Snapshot, username: str, made: Plan
                   ) -> None:
    """Apply the credit table (R28) to every new file and fill: a refused one is an error row.

    A new row (and the rows merged into it) or the rows filling a file whose credit the
    importer may not set take no part, with the refusal as their reason; the rest import.
    """
    settle = settler(username)
    for row in made.new_rows:
        if row.record is None:
            continue
        try:
            row.record = settle(snapshot, f"#{row.number}", None, row.record)
        except CreditForbidden as refused:
            _refuse(made, refused, lambda r, n=row.number: r.number == n or (
                r.status == MERGED and r.match is not None and r.match.row == n))
    if made.files:
        before = _loader(files, snapshot)(sorted(made.files))
        for customer in sorted(made.files):
            try:
                made.files[customer] = settle(snapshot, customer, before.get(customer),
                                              made.files[customer])
            except CreditForbidden as refused:
                del made.files[customer]
                _refuse(made, refused, lambda r, c=customer: r.status == FILLS
                        and r.match is not None and r.match.customer == c)


def _refuse(made: Plan, refused: CreditForbidden, which: Any) -> None:
    """Turn the rows ``which`` picks into error rows with the credit refusal as reason."""
    for row in made.rows:
        if which(row):
            row.status, row.record = ERROR, None
            row.reasons = [Reason("credit.limit", refused.message, dict(refused.params))]


def preview(files: CustomerFiles, index: Any, username: str, table: Any, mapping: list[str],
            **options: Any) -> Report:
    """Return the report of an import without writing anything."""
    return run(files, index, username, table, mapping, dry_run=True, **options)


def run(files: CustomerFiles, index: Any, username: str, table: Any, mapping: list[str], *,
        errors: str = "skip", custodian: str | None = None, card: str = "terminal",
        accept_flagged: Accept = False, dry_run: bool = False, journal: Any = None,
        route: str = "", address: str = "", when: Any = None) -> Report:
    """Plan an import and, unless ``dry_run``, write it as one commit by ``username``.

    ``errors="skip"`` imports the good rows; ``"abort"`` writes nothing when any row has an
    error (the report says ``aborted``). Rows with a file's contents in the report (fills and
    conflicts) are journalled as reads of that file when a ``journal`` is given.
    """
    if errors not in ERRORS:
        raise ActionError(N_("Choose what to do with rows in error: %(choices)s."),
                          choices=", ".join(ERRORS))
    options = {"custodian": custodian, "card": card, "accept_flagged": accept_flagged}
    archive = files.archive
    current = plan_at(files, index, archive.snapshot(), username, table, mapping, **options)
    report = Report(table, list(mapping), current, dry_run=dry_run)
    if errors == "abort" and current.errors:
        report.aborted = True
    elif not dry_run:
        rows = len(getattr(table, "rows", []))
        made: dict[str, bool] = {}

        def build(snapshot: Snapshot):
            nonlocal current
            made.clear()
            if snapshot.commit != current.head:
                current = plan_at(files, index, snapshot, username, table, mapping, **options)
            else:
                rules = load_rules(snapshot)  # a role changed meanwhile is seen here
                _check_custodian(rules, custodian, scope(rules, username))
            if errors == "abort" and current.errors:
                raise _Abort
            change = import_commit.change(files, snapshot, current, table.filename, rows)
            made["commit"] = change is not None
            return change

        identity = load_rules(archive.snapshot()).identity(username)
        try:
            commit = archive.commit(build, identity, when=when, batch=True)
        except _Abort:
            report.aborted = True
            commit = None
        report.plan = current
        report.commit = commit if made.get("commit") else None
    report.revealed = sorted({row.match.customer for row in report.plan.rows
                              if row.status in (FILLS, UNCHANGED) and row.match
                              and row.match.customer and row.match.readable})
    if journal is not None and report.revealed:
        try:
            _journal(journal, username, report.revealed, route, address)
        except AuditUnavailable:
            if report.commit is None:
                raise  # nothing written: refuse the preview, as any unrecorded read (R35)
            # The import is in: report it, but without the contents of any existing file.
            report.plan.rows = [_unrevealed(row) for row in report.plan.rows]
            report.revealed = []
            report.journal_failed = True
    return report


def _unrevealed(row: RowResult) -> RowResult:
    """Return a row with the existing file's values of its conflicts left out."""
    if not row.conflicts:
        return row
    return replace(row, conflicts=[replace(c, theirs=None) for c in row.conflicts])


def _journal(journal: Any, username: str, customers: list[str], route: str,
             address: str) -> None:
    """Record the reads of the files whose contents the report shows."""
    journal.record_many([{"user": username, "customer": customer, "action": "view",
                          "allowed": True, "basis": "import", "route": route or "import",
                          "address": address} for customer in customers])
