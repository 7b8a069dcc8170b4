"""The policy and the staff directory as of a commit, loaded once per version of each file."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ..archive.errors import CorruptRecord, NotFound
from ..archive.objects import Identity
from ..archive.repository import Snapshot
from . import yamlio
from .policy import DEFAULT_POLICY, Policy
from .staff import Directory
from .validate import FieldError

POLICY_PATH = "policy.yaml"
STAFF_PATH = "org/staff.yaml"
DEPARTMENTS_PATH = "org/departments.yaml"


@dataclass(frozen=True)
class Rules:
    """What a record is checked against: the policy and who works here."""

    policy: Policy
    directory: Directory

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


_cache: OrderedDict[tuple, Rules] = OrderedDict()
_cache_lock = threading.Lock()


def load_rules(snapshot: Snapshot) -> Rules:
    """Return the rules in force at a snapshot; a damaged policy or directory raises."""
    key = tuple(snapshot.blob_id(p) for p in (POLICY_PATH, STAFF_PATH, DEPARTMENTS_PATH))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    policy_raw, staff_raw, departments_raw = (
        snapshot.get(p) for p in (POLICY_PATH, STAFF_PATH, DEPARTMENTS_PATH)
    )
    policy = Policy(yamlio.load(policy_raw, POLICY_PATH) if policy_raw else DEFAULT_POLICY)
    staff = yamlio.load(staff_raw, STAFF_PATH) if staff_raw else {"staff": []}
    departments = (yamlio.load(departments_raw, DEPARTMENTS_PATH)
                   if departments_raw else {"departments": []})
    directory = Directory(departments, staff)
    problems = directory.validate()
    if problems:
        raise CorruptRecord(STAFF_PATH, "; ".join(f"{e.path}: {e}" for e in problems))
    rules = Rules(policy, directory)
    with _cache_lock:
        _cache[key] = rules
        while len(_cache) > 16:
            _cache.popitem(last=False)
    return rules
