"""Import open receivables from the accounting package's sheet (R28): preview, then ONE commit.

Who may import is policy data (``receivables_import.roles``: every file whose figures they may
see; ``receivables_import.department_roles``: only their own department's files). Receivables
are figures (R2: the marketing staff aggregate and tidy the data; R28), not the file's
contents, so the right that counts is access ``figures``, not ``edit``: the director and the
marketing staff bring the accounting package's report in for every file, a department manager
for the department's. Each matched row replaces only the file's ``receivables``; a file outside
the importer's scope is listed as refused. The plan is made again inside the commit's build
whenever the head moved, so the rights and the files are those of the commit the import follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..archive.repository import Change, Snapshot
from ..index.credit import existing_ids, ids_by_name, ids_by_tax
from ..records.files import yamlio
from ..records.files.customers import CustomerFiles, customer_path
from ..records.files.messages import N_
from ..records.files.validate import normalise
from ..records.imports import import_commit
from ..records.imports import receivables_import as sheet
from ..records.rights import access, requests
from ..records.rulebook.rules import Rules, load_rules
from . import Forbidden
from .importing import _loader, role_scope
from .rights import actor_at

ACTION = "receivables_import"


@dataclass
class Report:
    """What the import found and did: the rows, the records to write, the commit."""

    table: Any
    mapping: list[str]
    rows: list[sheet.Row]
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    dry_run: bool = True
    commit: str | None = None
    head: str | None = None  # the commit the plan was made at

    def counts(self) -> dict[str, int]:
        """Return how many rows have each status."""
        found = {status: 0 for status in (sheet.MATCHED, sheet.UNCHANGED, sheet.UNMATCHED,
                                          sheet.AMBIGUOUS, sheet.REFUSED, sheet.ERROR)}
        for row in self.rows:
            found[row.status] = found.get(row.status, 0) + 1
        return found


def scope(rules: Rules, username: str) -> str | None:
    """Return None for every file, or the one department the user imports for; Forbidden."""
    if rules.directory.is_active(username):
        found = role_scope(actor_at(rules, username), rules.policy.receivables_import_roles)
        if found is not False:
            return found
    raise Forbidden(N_("You may not import receivables."))


def may_import(rules: Rules, username: str) -> bool:
    """Tell whether a member of staff may import receivables (for a link)."""
    try:
        scope(rules, username)
    except Forbidden:
        return False
    return True


def plan(files: CustomerFiles, index: Any, snapshot: Snapshot, username: str, table: Any,
         mapping: list[str], as_of: str) -> Report:
    """Read, match and check every row at a snapshot; Forbidden if the user may not import."""
    rules = load_rules(snapshot)
    department = scope(rules, username)
    rows = sheet.read_rows(table, mapping, as_of)
    sheet.match(rows, lambda ids: existing_ids(index, ids), lambda t: ids_by_tax(index, t),
                lambda n: ids_by_name(index, n))
    wanted = [row for row in rows if row.status == sheet.MATCHED]
    loaded = _loader(files, snapshot)([row.customer for row in wanted])
    actor = actor_at(rules, username)
    grants = requests.grants_for(snapshot, username)
    report = Report(table, list(mapping), rows, head=snapshot.commit)
    for row in wanted:
        record = loaded.get(row.customer)
        meta = access.FileMeta.from_record(row.customer, record)
        allowed = record is not None and access.decide(
            actor, access.FIGURES, meta, rules.policy, rules.directory, grants).allowed \
            and (department is None or meta.department == department)
        if not allowed:
            row.status, row.reasons = sheet.REFUSED, [(sheet.NOT_YOURS, {"id": row.customer})]
            continue
        assert record is not None
        if _same(record.get("receivables"), row.owed):
            row.status = sheet.UNCHANGED
            continue
        report.records[row.customer] = normalise({**record, "receivables": dict(row.owed)})
    return report


def _same(current: Any, owed: dict[str, Any]) -> bool:
    """Tell whether a file already holds these receivables."""
    if not isinstance(current, dict):
        return False
    return all((current.get(k) or None) == (owed.get(k) or None) for k in owed)


def message(filename: str, updated: int, rows: int) -> str:
    """Return the import's commit message with its trailers."""
    name = import_commit.file_label(filename)
    return (f"應收帳款匯入 {name}：更新 {updated}\n\nAction: {ACTION}\n"
            f"Source: import {name}\nRows: {rows}\n")


def run(files: CustomerFiles, index: Any, username: str, table: Any, mapping: list[str], *,
        as_of: str, dry_run: bool = False, when: datetime | None = None) -> Report:
    """Plan the import and, unless ``dry_run``, write it as one commit by ``username``."""
    archive = files.archive
    current = plan(files, index, archive.snapshot(), username, table, mapping, as_of)
    current.dry_run = dry_run
    if dry_run or not current.records:
        return current
    made: dict[str, bool] = {}

    def build(snapshot: Snapshot) -> Change | None:
        nonlocal current
        made.clear()
        if snapshot.commit != current.head:  # the head moved: plan again against it
            current = plan(files, index, snapshot, username, table, mapping, as_of)
        else:
            scope(load_rules(snapshot), username)  # a role changed meanwhile is seen here
        written = {customer_path(c): yamlio.dump(r) for c, r in current.records.items()}
        written = {p: data for p, data in written.items() if snapshot.get(p) != data}
        if not written:
            return None
        made["commit"] = True
        return Change(written, message(table.filename, len(written), len(table.rows)))

    identity = load_rules(archive.snapshot()).identity(username)
    commit = archive.commit(build, identity, when=when, batch=True)
    current.dry_run = False
    current.commit = commit if made else None
    return current
