"""Set up a new archive and keep its staff directory: commits to ``org/`` and ``policy.yaml``."""

from __future__ import annotations

import copy
from typing import Any

from intranet.archive.errors import CorruptRecord
from intranet.archive.objects import Identity
from intranet.archive.repository import Archive, Change, Snapshot
from intranet.records.files import yamlio
from intranet.records.files.messages import FieldError
from intranet.records.rulebook.classes import CLASSES_PATH, DEFAULT_CLASSES, dump_classes
from intranet.records.rulebook.policy import DEFAULT_POLICY, dump_policy, validate_policy
from intranet.records.rulebook.rules import DEPARTMENTS_PATH, POLICY_PATH, STAFF_PATH, load_rules
from intranet.records.rulebook.staff import Directory, dump_departments, dump_staff

README_PATH = "README.md"
DEFAULT_DEPARTMENTS = [
    {"id": "management", "name": "總經理室", "manager": ""},
    {"id": "marketing", "name": "營銷部", "manager": ""},
    {"id": "sales", "name": "業務部", "manager": ""},
    {"id": "hr", "name": "人力資源部", "manager": ""},
]
ARCHIVE_README = """\
# 客戶檔案 — customer file archive

This repository is the company's customer archive. Every change is a commit whose author
is the member of staff who made it. Read it with plain git: `git log`, `git show`,
`git clone` (an offline backup).

- `customers/0000/C000042.yaml` — one file per customer, in folders of 100 by id
- `documents/0000/C000042/` — documents kept with that customer
- `org/departments.yaml`, `org/staff.yaml` — departments and staff (no passwords)
- `policy.yaml` — the policy's numbers and approval chains
- `classes.yaml` — the classification lists (industry, nature, region, type, product)
- `policy-proposals/` — proposed policy changes and the general manager's decisions
- `access/`, `audit/` — access requests and the sealed read-audit journal

Hand edits pushed here are picked up by the intranet; a file that does not validate is shown
as damaged, never silently changed.
"""


class DirectoryError(ValueError):
    """Raised when a change would leave the staff directory invalid; nothing was written."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.path}: {e}" for e in errors))
        self.errors = errors


def initialise(archive: Archive, author: Identity) -> str | None:
    """Commit the policy and an empty organisation to a new archive; no-op if present."""

    def build(snapshot: Snapshot) -> Change | None:
        if snapshot.get(POLICY_PATH) is not None:
            return None  # another process (or an earlier start) got here first
        files = {
            POLICY_PATH: dump_policy(copy.deepcopy(DEFAULT_POLICY)),
            DEPARTMENTS_PATH: dump_departments({"departments": DEFAULT_DEPARTMENTS}),
            STAFF_PATH: dump_staff({"staff": []}),
            README_PATH: ARCHIVE_README.encode(),
            # R23: the classification lists marketing staff keep (any value where empty).
            CLASSES_PATH: dump_classes(copy.deepcopy(DEFAULT_CLASSES)),
        }
        return Change(files, "建立客戶檔案庫\n\nAction: init\n")

    archive.create()
    return archive.commit(build, author)


def _load(snapshot: Snapshot) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the departments and staff in force: a damaged file's last valid version."""
    sources = load_rules(snapshot).sources
    return copy.deepcopy(sources[DEPARTMENTS_PATH]), copy.deepcopy(sources[STAFF_PATH])


def save_member(archive: Archive, member: dict[str, Any], author: Identity,
                new: bool) -> str | None:
    """Add (``new``) or update a member of staff in one commit; a new department is created.

    A department manager becomes the manager of a department that has none.
    """
    username = member["username"]

    def build(snapshot: Snapshot) -> Change | None:
        departments, staff = _load(snapshot)
        people = staff.setdefault("staff", [])
        existing = next((p for p in people if p.get("username") == username), None)
        if new and existing is not None:
            raise DirectoryError([FieldError("username", "{value} already exists",
                                             {"value": username})])
        if not new and existing is None:
            raise DirectoryError([FieldError("username", "{value} is not a member of staff",
                                             {"value": username})])
        entry = {"username": username, "name": "", "email": "", "department": "",
                 "role": "", "active": True, "left_on": ""}
        entry.update(existing or {})
        entry.update(member)
        if existing is None:
            people.append(entry)
        else:
            people[people.index(existing)] = entry
        depts = departments.setdefault("departments", [])
        dept = next((d for d in depts if d.get("id") == entry["department"]), None)
        if dept is None and entry["department"]:
            dept = {"id": entry["department"], "name": entry["department"], "manager": ""}
            depts.append(dept)
        if dept is not None and entry["role"] == "department_manager" and not dept["manager"]:
            dept["manager"] = username
        errors = Directory(departments, staff).validate()
        if errors:
            raise DirectoryError(errors)
        verb = "新增" if existing is None else "更新"
        message = f"{verb}人員 {username} {entry['name']}\n\nStaff: {username}\nAction: staff\n"
        return Change({STAFF_PATH: dump_staff(staff),
                       DEPARTMENTS_PATH: dump_departments(departments)}, message)

    return archive.commit(build, author)


def disable_member(archive: Archive, username: str, left_on: str,
                   author: Identity) -> str | None:
    """Mark a member as having left on ``left_on`` (active false) in one commit."""
    return save_member(archive, {"username": username, "active": False, "left_on": left_on},
                       author, new=False)


def save_department(archive: Archive, department: dict[str, Any], author: Identity,
                    new: bool) -> str | None:
    """Add (``new``) or update a department (name, manager) in one commit.

    The manager, when given, must be an active member of staff.
    """
    dep_id = department["id"]

    def build(snapshot: Snapshot) -> Change | None:
        departments, staff = _load(snapshot)
        depts = departments.setdefault("departments", [])
        if depts is None:
            depts = departments["departments"] = []
        existing = next((d for d in depts if d.get("id") == dep_id), None)
        if new and existing is not None:
            raise DirectoryError([FieldError("id", "The id {id} is already used",
                                             {"id": dep_id})])
        if not new and existing is None:
            raise DirectoryError([FieldError("id", "No department has the id {id}",
                                             {"id": dep_id})])
        entry = {"id": dep_id, "name": "", "manager": ""}
        entry.update(existing or {})
        entry.update(department)
        manager = entry.get("manager") or ""
        directory = Directory(departments, staff)
        if manager and not directory.is_active(manager):
            raise DirectoryError([FieldError("manager", "No member of staff is called "
                                             "{username}", {"username": manager})])
        if existing is None:
            depts.append(entry)
        else:
            depts[depts.index(existing)] = entry
        errors = Directory(departments, staff).validate()
        if errors:
            raise DirectoryError(errors)
        verb = "新增" if existing is None else "更新"
        message = (f"{verb}部門 {dep_id} {entry['name']}\n\n"
                   f"Department: {dep_id}\nAction: department\n")
        files = {DEPARTMENTS_PATH: dump_departments(departments)}
        if any(p.path == STAFF_PATH for p in load_rules(snapshot).problems):
            files[STAFF_PATH] = dump_staff(staff)  # the save repairs a damaged staff file
        return Change(files, message)

    return archive.commit(build, author)


def parse_policy(text: str) -> dict[str, Any]:
    """Parse and check the text of policy.yaml; DirectoryError lists every problem."""
    try:
        data = yamlio.load(text, POLICY_PATH)
    except CorruptRecord as exc:
        raise DirectoryError([FieldError(POLICY_PATH, exc.reason, {})]) from None
    errors = validate_policy(data)
    if errors:
        raise DirectoryError(errors)
    return data


def save_policy(archive: Archive, text: str, author: Identity) -> str | None:
    """Commit a new policy.yaml (checked first) in one commit naming the keys that changed.

    Returns None when nothing changed; DirectoryError when the text is refused. This writes at
    once, like a hand push: people change the policy through ``actions.policy`` (a proposal the
    general manager approves, R3).
    """
    data = parse_policy(text)

    def build(snapshot: Snapshot) -> Change | None:
        raw = snapshot.get(POLICY_PATH)
        # A damaged policy.yaml is compared with (and replaced over) the version in force.
        rules = load_rules(snapshot)
        old = rules.sources[POLICY_PATH] if raw else {}
        keys = [k for k in sorted(set(old) | set(data), key=str) if old.get(k) != data.get(k)]
        damaged = any(p.path == POLICY_PATH for p in rules.problems)
        if not keys and not damaged:
            return None
        message = f"更新政策：{'、'.join(str(k) for k in keys) or POLICY_PATH}\n\nAction: policy\n"
        return Change({POLICY_PATH: dump_policy(data)}, message)

    before = archive.head()
    after = archive.commit(build, author)
    return None if after == before else after
