"""Classes and grades (R2, R23, R24): the lists, a file's classes, and regrading many files.

Each is one commit authored by the actor, whose right is asked inside the commit's build at
the head the commit follows: ``analysis.classify_roles`` for the lists, access ``classify``
for each file changed. A refusal anywhere leaves the archive as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date
from typing import Any

from ..archive.repository import Archive, Change, Snapshot
from ..records.files import yamlio
from ..records.files.customers import (
    PREFIX,
    CustomerFiles,
    InvalidRecord,
    check,
    customer_path,
    id_from_path,
)
from ..records.files.messages import N_
from ..records.rights import access, requests
from ..records.rulebook.classes import CLASSES_PATH, FIELDS, LISTS, dump_classes, validate_classes
from ..records.rulebook.rules import Rules, load_rules
from ..records.sales.grading import standard_grade
from . import ActionError, Forbidden
from .changes import amend
from .rights import actor_at

# What "classes and grades" covers: how a customer is classified (R23: industry, nature,
# region, type, domestic/international, direct/indirect, and its kind) and its grade (R24).
# Never people, contacts, credit, custody or anything personal.
CLASSIFY_FIELDS = ("kind", "market", "channel", "grade", "classification.industry",
                   "classification.nature", "classification.region",
                   "classification.customer_type")
REASON_LIMIT = 200


def _reason(reason: str) -> str:
    """Return a reason as one trimmed line; ActionError when there is none."""
    line = " ".join((reason or "").split())[:REASON_LIMIT]
    if not line:
        raise ActionError(N_("Give a reason for this change."))
    return line


def _decide(rules: Rules, snapshot: Snapshot, username: str, customer_id: str,
            record: dict[str, Any], held: list[access.Grant]) -> None:
    """Refuse unless the actor may classify the file at this snapshot."""
    answer = access.decide(actor_at(rules, username), access.CLASSIFY,
                           access.FileMeta.from_record(customer_id, record), rules.policy,
                           rules.directory, held)
    if not answer.allowed:
        raise Forbidden(N_("You may not change the classes and grades of customer file "
                           "%(id)s."), id=customer_id)


def may_keep_lists(rules: Rules, username: str) -> bool:
    """Tell whether the actor keeps the classification lists (policy classify_roles)."""
    return rules.directory.is_active(username) and \
        rules.directory.role(username) in rules.policy.classify_roles


def classify(files: CustomerFiles, username: str, customer_id: str,
             changes: dict[str, Any]) -> str | None:
    """Change a file's classes and grade only; Forbidden for any other field (R2)."""
    outside = sorted(set(changes) - set(CLASSIFY_FIELDS))
    if outside:
        raise Forbidden(N_("Only classes and grades change here, not %(field)s."),
                        field=outside[0])

    def apply(record: dict[str, Any], _snapshot: Snapshot) -> dict[str, Any]:
        for path, value in changes.items():
            text = value.strip() if isinstance(value, str) else ""
            if "." in path:
                group, key = path.split(".", 1)
                section = record.get(group) if isinstance(record.get(group), dict) else {}
                record[group] = {**section, key: text}
            else:
                record[path] = text
        return record

    return amend(files, username, customer_id, apply, action="classify",
                 right=access.CLASSIFY)


def _rename_in(record: dict[str, Any], name: str, old: str, new: str) -> bool:
    """Rename a list's value in a record; tell whether anything changed."""
    if name == "product":
        changed = False
        for entry in record.get("yearly") or []:
            sales = entry.get("sales") if isinstance(entry, dict) else None
            if isinstance(sales, dict) and old in sales:
                amount = sales.pop(old)
                # Two names of one product become one: their amounts add up.
                if new in sales and isinstance(amount, (int, float)):
                    sales[new] = (sales[new] or 0) + amount
                else:
                    sales[new] = amount
                changed = True
        return changed
    key = FIELDS[name].split(".", 1)[1]
    section = record.get("classification")
    if isinstance(section, dict) and section.get(key) == old:
        section[key] = new
        return True
    return False


def save_classes(archive: Archive, username: str, lists: dict[str, list[str]], reason: str,
                 renames: Iterable[tuple[str, str, str]] = ()) -> str | None:
    """Commit new classification lists; each (list, old, new) renamed in every file using it.

    One commit by the actor: classes.yaml and every file renamed, each checked for access
    ``classify`` (Forbidden, nothing written, if any file may not be classified).
    """
    why = _reason(reason)
    document = {name: list(lists.get(name) or []) for name in LISTS}
    renames = [(n, o, w) for n, o, w in renames if n in FIELDS and o and w and o != w]
    problems = validate_classes(document)
    if problems:
        raise InvalidRecord(problems)
    identity = load_rules(archive.snapshot()).identity(username)

    def build(snapshot: Snapshot) -> Change | None:
        rules = load_rules(snapshot)
        if not may_keep_lists(rules, username):
            raise Forbidden(N_("Only marketing staff keep the classification lists."))
        written: dict[str, bytes | None] = {}
        data = dump_classes(document)
        if snapshot.get(CLASSES_PATH) != data:
            written[CLASSES_PATH] = data
        if renames:
            written.update(_renamed(archive, snapshot, rules, username, renames))
        if not written:
            return None
        count = len(written) - (CLASSES_PATH in written)
        lines = [f"{n}: {o} → {w}" for n, o, w in renames]
        body = "\n".join(lines) + (f"\n更名涉及 {count} 個客戶" if renames else "")
        message = (f"更新分類清單：{why}\n\n" + (body.strip() + "\n\n" if body.strip() else "")
                   + f"Action: classes\nReason: {why}\n")
        return Change(written, message)

    return archive.commit(build, identity)


def _renamed(archive: Archive, snapshot: Snapshot, rules: Rules, username: str,
             renames: list[tuple[str, str, str]]) -> dict[str, bytes | None]:
    """Return the new bytes of every customer file a rename changes (each one classifiable)."""
    held = requests.grants_for(snapshot, username)
    paths = sorted(p for p in archive.files(PREFIX, snapshot.commit) if id_from_path(p))
    raws = archive.read_many([f"{snapshot.commit}:{p}" for p in paths])
    written: dict[str, bytes | None] = {}
    for path, raw in zip(paths, raws, strict=True):
        record, _, _ = check(raw or b"", path, None)
        if record is None:
            continue  # a damaged file is repaired by hand, not renamed blindly
        before = copy.deepcopy(record)
        changed = [_rename_in(record, n, o, w) for n, o, w in renames]
        if any(changed) and record != before:
            customer_id = str(id_from_path(path))
            _decide(rules, snapshot, username, customer_id, before, held)
            written[path] = yamlio.dump(record)
    return written


def regrade(archive: Archive, username: str, ids: Iterable[str], reason: str,
            as_of: date) -> tuple[str | None, dict[str, tuple[str, str]]]:
    """Set each chosen file's grade to its standard grade in ONE commit (R24).

    Only ``grade`` changes in each file. Forbidden (nothing written) when any chosen file may
    not be classified by the actor; returns (commit or None, {id: (old, new)}).
    """
    why = _reason(reason)
    chosen = sorted(dict.fromkeys(i for i in ids if i))
    if not chosen:
        raise ActionError(N_("Choose at least one file."))
    identity = load_rules(archive.snapshot()).identity(username)
    moved: dict[str, tuple[str, str]] = {}

    def build(snapshot: Snapshot) -> Change | None:
        moved.clear()
        rules = load_rules(snapshot)
        held = requests.grants_for(snapshot, username)
        written: dict[str, bytes | None] = {}
        for customer_id in chosen:
            path = customer_path(customer_id)
            raw = snapshot.get(path)
            record, problem, _ = check(raw, path, rules) if raw else (None, "missing", [])
            if record is None or problem:
                raise ActionError(N_("%(id)s cannot be regraded: %(problem)s"),
                                  id=customer_id, problem=problem or "")
            _decide(rules, snapshot, username, customer_id, record, held)
            grade = standard_grade(record, rules.policy, as_of)
            old = record.get("grade") or ""
            if not grade or grade == old:
                continue
            record["grade"] = grade
            written[path] = yamlio.dump(record)
            moved[customer_id] = (str(old), grade)
        if not written:
            return None
        body = "\n".join(f"{i}: {o or '-'} → {n}" for i, (o, n) in moved.items())
        message = (f"重新分級 {len(moved)} 個客戶：{why}\n\n{body}\n\n"
                   f"Action: regrade\nReason: {why}\n")
        return Change(written, message)

    commit = archive.commit(build, identity)
    return (commit if moved else None), dict(moved)
