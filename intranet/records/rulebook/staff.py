"""Hold the staff directory: roles, departments and members (never passwords)."""
from __future__ import annotations

import copy
import re
from typing import Any

from intranet.records.files import formats, yamlio
from intranet.records.files.messages import N_, FieldError

# role -> (zh-Hant label, English label marked for translation)  (R2)
ROLES: dict[str, tuple[str, str]] = {
    "general_manager": ("總經理", N_("General manager")),
    "marketing_vp": ("營銷副總", N_("Marketing vice-president")),
    "marketing_director": ("營銷總監", N_("Marketing director")),
    "department_manager": ("部門經理", N_("Department manager")),
    "salesperson": ("銷售人員", N_("Salesperson")),
    "hr": ("人力資源部", N_("Human resources")),
    "marketing_staff": ("營銷部人員", N_("Marketing staff")),
}

DEPARTMENTS_ORDER: dict[str, Any] = {"departments": {"id": None, "name": None, "manager": None}}
STAFF_ORDER: dict[str, Any] = {"staff": {
    "username": None, "name": None, "email": None, "department": None, "role": None,
    "active": None, "left_on": None}}
MEMBER_KEYS = tuple(STAFF_ORDER["staff"])
_DEPARTMENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def role_label(role: str, zh: bool = True) -> str:
    """Return the label of a role (zh-Hant by default); unknown roles label as themselves."""
    labels = ROLES.get(role)
    return labels[0 if zh else 1] if labels else role


def new_member(username: str, **fields: Any) -> dict[str, Any]:
    """Return a complete member entry with defaults (active salesperson)."""
    member: dict[str, Any] = {"username": username, "name": "", "email": "", "department": "",
                              "role": "salesperson", "active": True, "left_on": ""}
    member.update(fields)
    return member


class Directory:
    """Look up staff and departments from org/staff.yaml and org/departments.yaml."""

    def __init__(self, departments: dict[str, Any] | None = None,
                 staff: dict[str, Any] | None = None) -> None:
        """Index the two documents (as loaded from YAML) by id and username."""
        self.departments_doc = departments or {"departments": []}
        self.staff_doc = staff or {"staff": []}
        self.departments: list[dict[str, Any]] = [
            d for d in self.departments_doc.get("departments") or [] if isinstance(d, dict)]
        self.staff: list[dict[str, Any]] = [
            m for m in self.staff_doc.get("staff") or [] if isinstance(m, dict)]
        self._by_username = {m.get("username"): m for m in self.staff}
        self._by_department = {d.get("id"): d for d in self.departments}

    def member(self, username: str) -> dict[str, Any] | None:
        """Return a member by username, or None."""
        return self._by_username.get(username)

    def is_active(self, username: str) -> bool:
        """Tell whether a username belongs to a member who has not left."""
        m = self.member(username)
        return bool(m and m.get("active") and not m.get("left_on"))

    def role(self, username: str) -> str:
        """Return a member's role, or "" if unknown."""
        m = self.member(username)
        return str(m.get("role") or "") if m else ""

    def department(self, department_id: str) -> dict[str, Any] | None:
        """Return a department by id, or None."""
        return self._by_department.get(department_id)

    def members(self, department_id: str, active_only: bool = True) -> list[dict[str, Any]]:
        """Return the members of a department, active ones only by default."""
        return [m for m in self.staff if m.get("department") == department_id
                and (not active_only or self.is_active(str(m.get("username"))))]

    def manager_of(self, department_id: str) -> str:
        """Return the username of a department's manager, or "" if it has none."""
        d = self.department(department_id)
        return str(d.get("manager") or "") if d else ""

    def manager_of_member(self, username: str) -> str:
        """Return the manager of a member's department (R32: who takes over their files)."""
        m = self.member(username)
        return self.manager_of(str(m.get("department") or "")) if m else ""

    def with_role(self, role: str, active_only: bool = True) -> list[dict[str, Any]]:
        """Return the members holding a role."""
        return [m for m in self.staff if m.get("role") == role
                and (not active_only or self.is_active(str(m.get("username"))))]

    def validate(self) -> list[FieldError]:
        """Return every problem of the two documents; [] when the directory is sound."""
        errors: list[FieldError] = []
        ids: set[str] = set()
        for i, d in enumerate(self.departments_doc.get("departments") or []):
            where = f"departments[{i}]"
            if not isinstance(d, dict):
                errors.append(FieldError(where, N_("Expected a group of fields here"), {}))
                continue
            dep_id = d.get("id")
            if not isinstance(dep_id, str) or not _DEPARTMENT_ID_RE.match(dep_id):
                errors.append(FieldError(f"{where}.id", N_(
                    "A department id is letters, digits, dots, dashes or underscores"), {}))
            elif dep_id in ids:
                errors.append(FieldError(f"{where}.id", N_("The id {id} is already used"),
                                         {"id": dep_id}))
            ids.add(str(dep_id))
            if not isinstance(d.get("name"), str) or not d.get("name", "").strip():
                errors.append(FieldError(f"{where}.name", N_("Required"), {}))
            manager = d.get("manager") or ""
            if manager and manager not in self._by_username:
                errors.append(FieldError(f"{where}.manager", N_("No member of staff is called "
                                                                "{username}"),
                                         {"username": manager}))
        seen: set[str] = set()
        for i, m in enumerate(self.staff_doc.get("staff") or []):
            errors.extend(_member_errors(m, f"staff[{i}]", ids, seen))
        return errors


def _member_errors(m: Any, where: str, departments: set[str],
                   seen: set[str]) -> list[FieldError]:
    """Return the problems of one member entry; add its username to seen."""
    if not isinstance(m, dict):
        return [FieldError(where, N_("Expected a group of fields here"), {})]
    errors: list[FieldError] = []
    username = m.get("username")
    message = formats.check_username(username) if isinstance(username, str) else N_("Required")
    if message:
        errors.append(FieldError(f"{where}.username", message, {}))
    elif username in seen:
        errors.append(FieldError(f"{where}.username", N_("The username {username} is already "
                                                         "used"), {"username": username}))
    seen.add(str(username))
    if not isinstance(m.get("name"), str) or not m["name"].strip():
        errors.append(FieldError(f"{where}.name", N_("Required"), {}))
    email = m.get("email") or ""
    if not isinstance(email, str) or (email and formats.check_email(email)):
        errors.append(FieldError(f"{where}.email", formats.check_email(""), {}))
    department = m.get("department") or ""
    if department and department not in departments:
        errors.append(FieldError(f"{where}.department", N_("No department has the id {id}"),
                                 {"id": department}))
    if m.get("role") not in ROLES:
        errors.append(FieldError(f"{where}.role", N_("Must be one of: {choices}"),
                                 {"choices": ", ".join(ROLES)}))
    if not isinstance(m.get("active", True), bool):
        errors.append(FieldError(f"{where}.active", N_("Must be true or false"), {}))
    left_on = m.get("left_on") or ""
    if left_on:
        message = formats.check_date(left_on) if isinstance(left_on, str) else N_(
            "Enter a real date as YYYY-MM-DD")
        if message:
            errors.append(FieldError(f"{where}.left_on", message, {}))
        elif m.get("active"):
            errors.append(FieldError(f"{where}.active", N_(
                "A member who has left cannot be active"), {}))
    if "password" in m or "password_hash" in m:
        # Secrets live in instance/, never in the archive that everyone can clone.
        errors.append(FieldError(f"{where}.password", N_(
            "Passwords must not be stored in the staff file"), {}))
    return errors


def add_member(staff: dict[str, Any], member: dict[str, Any]) -> dict[str, Any]:
    """Return a new staff document with a member appended; ValueError if the name is taken."""
    username = member.get("username")
    if any(m.get("username") == username for m in staff.get("staff") or []):
        raise ValueError(f"username {username!r} is already used")
    result = copy.deepcopy(staff)
    entry = new_member(str(username))
    entry.update(copy.deepcopy(member))
    result.setdefault("staff", [])
    if result["staff"] is None:
        result["staff"] = []
    result["staff"].append(entry)
    return result


def update_member(staff: dict[str, Any], username: str, **changes: Any) -> dict[str, Any]:
    """Return a new staff document with one member's fields changed; KeyError if unknown."""
    result = copy.deepcopy(staff)
    for m in result.get("staff") or []:
        if m.get("username") == username:
            m.update(copy.deepcopy(changes))
            return result
    raise KeyError(username)


def mark_left(staff: dict[str, Any], username: str, left_on: str) -> dict[str, Any]:
    """Return a new staff document with a member marked as having left (R32)."""
    return update_member(staff, username, active=False, left_on=left_on)


def add_department(departments: dict[str, Any], dep_id: str, name: str,
                   manager: str = "") -> dict[str, Any]:
    """Return a new departments document with one department appended."""
    if any(d.get("id") == dep_id for d in departments.get("departments") or []):
        raise ValueError(f"department {dep_id!r} already exists")
    result = copy.deepcopy(departments)
    if not result.get("departments"):
        result["departments"] = []
    result["departments"].append({"id": dep_id, "name": name, "manager": manager})
    return result


def update_department(departments: dict[str, Any], dep_id: str,
                      **changes: Any) -> dict[str, Any]:
    """Return a new departments document with one department's fields changed."""
    result = copy.deepcopy(departments)
    for d in result.get("departments") or []:
        if d.get("id") == dep_id:
            d.update(changes)
            return result
    raise KeyError(dep_id)


def dump_departments(departments: dict[str, Any]) -> bytes:
    """Return the canonical bytes of org/departments.yaml."""
    return yamlio.dump(departments, DEPARTMENTS_ORDER)


def dump_staff(staff: dict[str, Any]) -> bytes:
    """Return the canonical bytes of org/staff.yaml."""
    return yamlio.dump(staff, STAFF_ORDER)


def load_directory(departments: bytes | str, staff: bytes | str) -> Directory:
    """Build a Directory from the raw org/departments.yaml and org/staff.yaml."""
    return Directory(yamlio.load(departments, "org/departments.yaml"),
                     yamlio.load(staff, "org/staff.yaml"))
