"""Hand a leaving member's customer files over to successors in one commit (R32).

A leaver takes no customer data with them: every file they keep (``custody.owner``) or are a
staff contact of (``custody.contacts``) passes to a successor, each file gets a task for the
successor to tell the customer and introduce themselves, and the leaver is marked as having
left in ``org/staff.yaml`` — all in ONE commit authored by the administrator, so the archive
never shows a half-done hand-over.

The proposed receiver is the leaver's department manager; when the leaver is that manager
(or the department has no active manager) it is the administrator, the member holding the
policy's company-level custodian role (the marketing director, R2, R37), who answers for the
whole archive. Departments the leaver managed are left without a manager in the same commit,
for the administrator to appoint one.

The plan is made at one commit (``base``). The commit is built again on every retry from the
head, so anyone's concurrent edit of other fields is kept; but if any file changed hands since
``base`` — a planned file's custody differs, or a file the leaver holds is not in the plan —
the whole hand-over is refused, naming those files, and nothing is written.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from intranet.archive.errors import NotFound
from intranet.archive.objects import Identity
from intranet.archive.repository import Archive, Change, Snapshot
from intranet.records.files import yamlio
from intranet.records.files.customers import check, customer_path, id_from_path
from intranet.records.files.messages import N_
from intranet.records.files.tasks import handover_task_days, introduce_successor
from intranet.records.files.validate import normalise, validate
from intranet.records.rights import access
from intranet.records.rulebook.policy import Policy
from intranet.records.rulebook.rules import DEPARTMENTS_PATH, STAFF_PATH, Rules, load_rules
from intranet.records.rulebook.staff import Directory, dump_departments, dump_staff, mark_left

CUSTODIAN = "custodian"
CONTACT = "contact"


class HandoverRefused(ValueError):
    """Raised when a hand-over cannot be made; nothing was written.

    ``message`` is an English msgid with ``{name}`` placeholders filled from ``params``;
    ``files`` names the customer files concerned.
    """

    def __init__(self, message: str, files: Iterable[str] = (), **params: Any) -> None:
        self.message = message
        self.files = sorted(files)
        self.params = {**params, "files": ", ".join(self.files)}
        super().__init__(message.format(**self.params))


@dataclass(frozen=True)
class Holding:
    """A file the leaver holds: its catalogue card, what they are to it, who takes it."""

    id: str
    name: str
    level: str
    roles: tuple[str, ...]
    proposed: str


@dataclass
class Plan:
    """What a hand-over would do, as of the commit ``base``."""

    leaver: str
    base: str | None
    proposed: str
    holdings: list[Holding] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # held, but cannot be read or validated
    departments: list[str] = field(default_factory=list)  # managed by the leaver


@dataclass
class Done:
    """A finished hand-over: the commit and which files went to whom."""

    commit: str | None
    moved: dict[str, str]


def roles_held(record: dict[str, Any] | None, username: str) -> tuple[str, ...]:
    """Return what a member is to a file: custodian, contact, both or neither."""
    meta = access.FileMeta.from_record("", record)
    roles = []
    if username and meta.owner == username:
        roles.append(CUSTODIAN)
    if username and username in meta.contacts:
        roles.append(CONTACT)
    return tuple(roles)


def _custody(record: dict[str, Any] | None) -> tuple[Any, ...]:
    """Return what "changed hands" compares: level, owner, department and contacts."""
    custody = (record or {}).get("custody")
    custody = custody if isinstance(custody, dict) else {}
    contacts = custody.get("contacts")
    return (custody.get("level"), custody.get("owner"), custody.get("department"),
            tuple(contacts) if isinstance(contacts, list) else contacts)


def administrator(directory: Directory, policy: Policy, besides: str = "") -> str:
    """Return the active member holding the company-level custodian role, or ""."""
    role = policy.custodian_role("company")
    return next((str(m["username"]) for m in directory.with_role(role)
                 if m.get("username") != besides), "")


def receiver(directory: Directory, policy: Policy, leaver: str) -> str:
    """Return who is proposed to take a leaver's files: their manager, else the administrator."""
    manager = directory.manager_of_member(leaver)
    if manager and manager != leaver and directory.is_active(manager):
        return manager
    return administrator(directory, policy, besides=leaver)


def may_succeed(rules: Rules, leaver: str, username: str) -> bool:
    """Tell whether a member may take over a leaver's files (active, reads contents)."""
    return (bool(username) and username != leaver and rules.directory.is_active(username)
            and rules.directory.role(username) not in access.no_contents_roles(rules.policy))


def successors(rules: Rules, leaver: str) -> list[dict[str, Any]]:
    """Return the members who may take over a leaver's files."""
    return [m for m in rules.directory.staff if may_succeed(rules, leaver, str(m["username"]))]


def plan(snapshot: Snapshot, leaver: str, candidates: Iterable[str]) -> Plan:
    """Return the files a leaver holds at a snapshot, each with the proposed successor.

    ``candidates`` are ids that may name the leaver (the derived index's owner and contacts
    columns); each is read from the snapshot, which alone decides.
    """
    rules = load_rules(snapshot)
    if rules.directory.member(leaver) is None:
        raise HandoverRefused(N_("No member of staff is called {username}"), username=leaver)
    proposed = receiver(rules.directory, rules.policy, leaver)
    result = Plan(leaver, snapshot.commit, proposed,
                  departments=_managed(rules.directory, leaver))
    for customer_id in sorted(set(candidates)):
        path = customer_path(customer_id)
        raw = snapshot.get(path)
        if raw is None:
            continue
        record, problem, _errors = check(raw, path, rules)
        roles = roles_held(record, leaver)
        if (record is None and leaver.encode() in raw) or (roles and problem):
            result.damaged.append(customer_id)
        elif roles:
            basic = record.get("basic") if isinstance(record, dict) else None
            name = str(basic.get("name") or "") if isinstance(basic, dict) else ""
            level = str((record.get("custody") or {}).get("level") or "")
            result.holdings.append(Holding(customer_id, name, level, roles, proposed))
    return result


def _managed(directory: Directory, username: str) -> list[str]:
    return [str(d.get("id")) for d in directory.departments if d.get("manager") == username]


def _changed_since(archive: Archive, base: str, head: str | None) -> set[str]:
    """Return the customer ids whose files changed between two commits."""
    if head is None or head == base:
        return set()
    if not archive.is_ancestor(base, head):
        raise HandoverRefused(N_("The archive's history changed since the list was made. "
                                 "Reload the page and check the list again."))
    return {cid for version in archive.walk(base, head) for _status, path in version.paths
            if (cid := id_from_path(path))}


def _hand_over(record: dict[str, Any], leaver: str, successor: str, rules: Rules,
               task: dict[str, Any]) -> dict[str, Any]:
    """Return the record with custody moved from the leaver to the successor and the task."""
    custody = dict(record.get("custody") or {})
    if custody.get("owner") == leaver:
        custody["owner"] = successor
        department = (rules.directory.member(successor) or {}).get("department")
        if department and rules.directory.department(str(department)) is not None:
            custody["department"] = department
    contacts = [successor if c == leaver else c for c in custody.get("contacts") or []]
    custody["contacts"] = list(dict.fromkeys(contacts))  # no one listed twice
    return {**record, "custody": custody, "tasks": [*(record.get("tasks") or []), task]}


def execute(archive: Archive, leaver: str, assignments: dict[str, str], base: str,
            candidates: Iterable[str], left_on: str, today: date, author: Identity) -> Done:
    """Hand over the planned files and mark the leaver as left, in one commit.

    ``assignments`` maps every file of the plan made at ``base`` to its successor;
    ``candidates`` are the ids the index now lists for the leaver. Refused (nothing written)
    when a successor may not take files, a file changed hands since ``base``, or the leaver
    holds a file the plan does not list.
    """
    try:
        at_base = archive.snapshot(base)
    except NotFound:
        raise HandoverRefused(N_("The archive's history changed since the list was made. "
                                 "Reload the page and check the list again.")) from None
    base_rules = load_rules(at_base)
    planned: dict[str, tuple[Any, ...]] = {}
    for customer_id in assignments:
        raw = at_base.get(customer_path(customer_id))
        record = check(raw, customer_path(customer_id), base_rules)[0] if raw else None
        if not roles_held(record, leaver):
            raise HandoverRefused(N_("{username} does not hold these files: {files}"),
                                  [customer_id], username=leaver)
        planned[customer_id] = _custody(record)
    watch = set(candidates) | set(assignments)

    def build(snapshot: Snapshot) -> Change | None:
        rules = load_rules(snapshot)
        member = rules.directory.member(leaver)
        if member is None:
            raise HandoverRefused(N_("No member of staff is called {username}"),
                                  username=leaver)
        refused = sorted({s for s in assignments.values() if not may_succeed(rules, leaver, s)})
        if refused:
            raise HandoverRefused(N_("These members of staff cannot take over files: {names}"),
                                  names=", ".join(refused))
        days = handover_task_days(rules.policy.data)
        stale, damaged, files = [], [], {}
        for customer_id in sorted(watch | _changed_since(archive, base, snapshot.commit)):
            path = customer_path(customer_id)
            raw = snapshot.get(path)
            if raw is None:
                if customer_id in assignments:
                    stale.append(customer_id)
                continue
            record, problem, _errors = check(raw, path, rules)
            if customer_id not in assignments:
                if roles_held(record, leaver) or (record is None and leaver.encode() in raw):
                    stale.append(customer_id)  # came to the leaver after the list was made
                continue
            if record is None or _custody(record) != planned[customer_id]:
                stale.append(customer_id)
                continue
            if problem:
                damaged.append(customer_id)
                continue
            successor = assignments[customer_id]
            task = introduce_successor(successor, leaver, str(member.get("name") or ""),
                                       CUSTODIAN in roles_held(record, leaver), today, days)
            after = normalise({**_hand_over(record, leaver, successor, rules, task),
                               "id": customer_id})
            errors = validate(after, rules.policy) + rules.check_people(after)
            if errors:
                damaged.append(customer_id)
                continue
            files[path] = yamlio.dump(after)
        if stale:
            raise HandoverRefused(N_("These files changed hands since the list was made: "
                                     "{files}. Reload the page and check the list again."),
                                  stale)
        if damaged:
            raise HandoverRefused(N_("These files cannot be read or do not validate; repair "
                                     "them first: {files}"), damaged)
        files.update(_organisation(snapshot, leaver, left_on))
        names = [_name(rules, s) for s in dict.fromkeys(assignments[c] for c in sorted(
            assignments))]
        leaver_name = str(member.get("name") or leaver)
        subject = (f"交接 {leaver_name} → {'、'.join(names)}：{len(assignments)} 個客戶檔案"
                   if assignments else f"交接 {leaver_name}：無客戶檔案")
        return Change(files, f"{subject}\n\nStaff: {leaver}\nAction: handover\n")

    commit = archive.commit(build, author)
    return Done(commit, dict(assignments))


def _organisation(snapshot: Snapshot, leaver: str, left_on: str) -> dict[str, bytes]:
    """Return staff.yaml with the leaver left, and departments.yaml without them as manager."""
    # The versions in force: a damaged file's last valid version, which this repairs.
    rules = load_rules(snapshot)
    staff = copy.deepcopy(rules.sources[STAFF_PATH])
    departments = copy.deepcopy(rules.sources[DEPARTMENTS_PATH])
    changed = any(p.path == DEPARTMENTS_PATH for p in rules.problems)
    for department in departments.get("departments") or []:
        if isinstance(department, dict) and department.get("manager") == leaver:
            department["manager"] = ""
            changed = True
    staff = mark_left(staff, leaver, left_on)
    errors = Directory(departments, staff).validate()
    if errors:
        raise HandoverRefused(N_("The staff directory would not validate: {problems}"),
                              problems="; ".join(f"{e.path}: {e}" for e in errors))
    files = {STAFF_PATH: dump_staff(staff)}
    if changed:
        files[DEPARTMENTS_PATH] = dump_departments(departments)
    return files


def _name(rules: Rules, username: str) -> str:
    member = rules.directory.member(username)
    return str(member.get("name") or username) if member else username
