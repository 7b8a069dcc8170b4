"""Decide who may read or change a customer file (R33, R36): the one place that says yes or no.

Levels name their readers as role tokens from the policy. A token listed under the policy's
``relative_roles`` is not a role but a relation to the file: by default ``department_manager``
is the manager of the file's ``custody.department`` and ``salesperson`` is the file's owner.
Any other token is a role that reads every file of the level. The file's custodian
(``custody.owner``) and the staff they listed in ``custody.contacts`` may read and change it;
anyone else needs an unexpired, unrevoked grant. The policy's ``no_contents_roles`` (HR) read no
contents at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from intranet.records.files.messages import N_
from intranet.records.rulebook.policy import LEVELS, Policy
from intranet.records.rulebook.staff import Directory

READ_ACTIONS = frozenset({"view", "history", "version", "diff", "document", "export"})
WRITE_ACTIONS = frozenset({"edit", "restore"})
# R15: a file's non-confidential contact reports, read by its custodian's department too.
REPORTS = "reports"
# R2, R25-R27: a file's classification, grades, credit, receivables and yearly figures (never
# its people, contact log or documents), for the analyses; journalled like any read.
FIGURES = "figures"
# R2, R23, R24: change a file's classes and grades (nothing else).
CLASSIFY = "classify"
ACTIONS = READ_ACTIONS | WRITE_ACTIONS | {REPORTS, FIGURES, CLASSIFY}
# A file whose level cannot be read (a damaged file) is kept as closely as the strictest level.
FALLBACK_LEVEL = LEVELS[0]
# How a refusal could turn into a yes (R33, R34): never for this actor's standing or role, or
# after an approved access request. Told from the actor alone, so a missing file and a refused
# one get the same answer.
NEVER = "never"
REQUEST = "request"
# The relations a relative role token may stand for.
FILE_OWNER = "file_owner"
FILE_DEPARTMENT_MANAGER = "file_department_manager"


@dataclass(frozen=True)
class Actor:
    """Who asks: a member of staff as the directory knows them."""

    username: str
    role: str
    department: str


@dataclass(frozen=True)
class FileMeta:
    """What the decision needs of a file: its custody, never its contents."""

    id: str
    level: str
    owner: str
    department: str
    contacts: frozenset[str] = frozenset()

    @classmethod
    def from_record(cls, customer_id: str, record: Mapping[str, Any] | None) -> FileMeta:
        """Build from a record's ``custody`` section (blank when it is missing or damaged)."""
        custody = record.get("custody") if isinstance(record, Mapping) else None
        custody = custody if isinstance(custody, Mapping) else {}

        def text(key: str) -> str:
            value = custody.get(key)
            return value if isinstance(value, str) else ""

        contacts = custody.get("contacts")
        names = frozenset(c for c in contacts if isinstance(c, str) and c) \
            if isinstance(contacts, list) else frozenset()
        return cls(customer_id, text("level"), text("owner"), text("department"), names)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> FileMeta:
        """Build from an index row of ``customers`` (contacts stored space-separated)."""
        contacts = frozenset(str(row.get("contacts") or "").split())
        return cls(str(row["id"]), str(row.get("level") or ""), str(row.get("owner") or ""),
                   str(row.get("department") or ""), contacts)


@dataclass(frozen=True)
class Grant:
    """Permission given on an approved access request: read or edit some files until a time."""

    id: str
    username: str
    customers: frozenset[str]
    mode: str  # "read" or "edit"
    expires: datetime
    revoked: bool = False
    kind: str = "grant"  # or "break-glass": the decision's basis says which

    def allows(self, action: str) -> bool:
        """Tell whether the grant's mode covers an action."""
        return action in READ_ACTIONS or (self.mode == "edit" and action in WRITE_ACTIONS)


@dataclass(frozen=True)
class Decision:
    """The answer: allowed or not, on what basis (own, level, grant:<id>, break-glass:<id>,
    none), and why."""

    allowed: bool
    basis: str
    reason: str = field(default="")
    remedy: str = field(default="")  # when refused: NEVER or REQUEST


def _now(now: datetime | None) -> datetime:
    """Return ``now`` or the current UTC time (naive times are taken as UTC)."""
    now = now or datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def _expiry(grant: Grant) -> datetime:
    """Return a grant's expiry as an aware time."""
    return grant.expires if grant.expires.tzinfo else grant.expires.replace(tzinfo=UTC)


def _relative(policy: Policy) -> dict[str, str]:
    """Return the policy's relative role tokens and the relation each stands for."""
    relations = policy.data.get("relative_roles") or {}
    return {str(k): str(v) for k, v in relations.items()} if isinstance(relations, dict) else {}


def no_contents_roles(policy: Policy) -> frozenset[str]:
    """Return the roles that read no file contents whatever the levels say (HR)."""
    roles = policy.data.get("no_contents_roles") or []
    return frozenset(str(r) for r in roles) if isinstance(roles, list) else frozenset()


def _level(meta_level: str, policy: Policy) -> str:
    """Return the level a file is kept at, the strictest one when its own is unknown."""
    return meta_level if meta_level in policy.levels else FALLBACK_LEVEL


def _standing(actor: Actor, directory: Directory) -> bool:
    """Tell whether the actor is a known, active member of staff."""
    return bool(actor.username) and directory.is_active(actor.username)


def _reads_by_level(actor: Actor, meta: FileMeta, policy: Policy,
                    directory: Directory) -> bool:
    """Tell whether the file's level lets the actor read it without asking."""
    relations = _relative(policy)
    for token in policy.readers(_level(meta.level, policy)):
        relation = relations.get(token)
        if relation == FILE_OWNER:
            if meta.owner and meta.owner == actor.username:
                return True
        elif relation == FILE_DEPARTMENT_MANAGER:
            if meta.department and directory.manager_of(meta.department) == actor.username:
                return True
        elif relation is None and actor.role == token:
            return True
    return False


def is_administrator(role: str, policy: Policy) -> bool:
    """Tell whether a role is the administrator's: the company level's custodian (R33).

    The one test of "administrator" in the product; every other module asks this one.
    """
    return bool(role) and role == policy.custodian_role(FALLBACK_LEVEL)


def _administrator(actor: Actor, policy: Policy) -> bool:
    """Tell whether the actor is the administrator."""
    return is_administrator(actor.role, policy)


def _valid_grants(actor: Actor, grants: Iterable[Grant], now: datetime) -> list[Grant]:
    """Return the actor's grants in force at ``now``."""
    return [g for g in grants if g.username == actor.username and not g.revoked
            and now < _expiry(g) and g.mode in ("read", "edit")]


def remedy(actor: Actor, action: str, policy: Policy, directory: Directory) -> str:
    """Tell how a refused action could be allowed: NEVER for this actor, or after a REQUEST."""
    if action not in ACTIONS or not _standing(actor, directory) \
            or actor.role in no_contents_roles(policy):
        return NEVER
    return REQUEST


def decide(actor: Actor, action: str, meta: FileMeta, policy: Policy, directory: Directory,
           grants: Iterable[Grant] = (), now: datetime | None = None) -> Decision:
    """Tell whether an actor may do an action to a file now, and on what basis."""
    if action not in ACTIONS:
        return Decision(False, "none", f"unknown action {action!r}", NEVER)
    if not _standing(actor, directory):
        return Decision(False, "none", "not an active member of staff", NEVER)
    if actor.role in no_contents_roles(policy):
        return Decision(False, "none", "this role reads no file contents", NEVER)
    if action == REPORTS:
        whole = decide(actor, "view", meta, policy, directory, grants, now)
        if whole.allowed or not (meta.department and actor.department == meta.department):
            return whole
        return Decision(True, "department", "member of the custodian's department (R15)")
    if action in (FIGURES, CLASSIFY):
        whole = decide(actor, "view" if action == FIGURES else "edit", meta, policy, directory,
                       grants, now)
        return whole if whole.allowed else _by_analysis_role(actor, action, meta, policy, whole)
    if meta.owner and meta.owner == actor.username:
        return Decision(True, "own", "custodian of the file")
    if actor.username in meta.contacts:
        return Decision(True, "own", "listed by the custodian as a contact")
    if action in READ_ACTIONS and _reads_by_level(actor, meta, policy, directory):
        return Decision(True, "level", f"reads {_level(meta.level, policy)}-level files")
    if action in WRITE_ACTIONS and meta.level not in policy.levels \
            and _administrator(actor, policy):
        return Decision(True, "level", "administrator of a file without a known level")
    for grant in _valid_grants(actor, grants, _now(now)):
        if meta.id in grant.customers and grant.allows(action):
            basis = "break-glass" if grant.kind == "break-glass" else "grant"
            return Decision(True, f"{basis}:{grant.id}", f"{grant.mode} {basis} grant")
    return Decision(False, "none", "no level, custody or grant allows this", REQUEST)


def _by_analysis_role(actor: Actor, action: str, meta: FileMeta, policy: Policy,
                      refused: Decision) -> Decision:
    """Tell whether the policy's analysis roles let the actor see figures or classify (R2)."""
    if action == CLASSIFY:
        if actor.role in policy.classify_roles:
            return Decision(True, "analysis", "classifies and grades every file (R2)")
        return refused
    if actor.role in policy.analysis_company_roles:
        return Decision(True, "analysis", "sees every file's figures (R2, R25-R27)")
    if actor.role in policy.analysis_department_roles and meta.department \
            and meta.department == actor.department:
        return Decision(True, "analysis", "sees the figures of the department's files")
    return refused


def figures_sql(actor: Actor, policy: Policy, directory: Directory,
                grants: Iterable[Grant] = (), now: datetime | None = None,
                ) -> tuple[str, list[Any]]:
    """Return an SQL condition on ``customers c``, true exactly where ``decide`` allows figures."""
    if not _standing(actor, directory) or actor.role in no_contents_roles(policy):
        return "0", []
    if actor.role in policy.analysis_company_roles:
        return "1", []
    sql, params = readable_sql(actor, policy, directory, grants, now)
    if actor.role in policy.analysis_department_roles and actor.department:
        return f"({sql} OR c.department = ?)", [*params, actor.department]
    return sql, params


def custody(meta: FileMeta) -> tuple[str, str, str, frozenset[str]]:
    """Return what the custody action alone changes: level, custodian, department, contacts."""
    return meta.level, meta.owner, meta.department, meta.contacts


def _manages(actor: Actor, meta: FileMeta, directory: Directory) -> bool:
    """Tell whether the actor is the manager of the file's department."""
    return bool(meta.department) and directory.manager_of(meta.department) == actor.username


def may_change_custody(actor: Actor, meta: FileMeta, policy: Policy,
                       directory: Directory) -> bool:
    """Tell whether the actor may open the custody page of a file at all (R33).

    Only the administrator and the manager of the file's department, while the file's level
    is one the policy's ``custody_changes.manager_levels`` lets a manager handle. Being the
    file's custodian, a listed contact or a grant holder gives no say over custody.
    """
    if not _standing(actor, directory) or actor.role in no_contents_roles(policy):
        return False
    if _administrator(actor, policy):
        return True
    return _manages(actor, meta, directory) and meta.level in policy.custody_manager_levels


def custody_change(actor: Actor, before: FileMeta, after: FileMeta, policy: Policy,
                   directory: Directory) -> Decision:
    """Tell whether the actor may change a file's custody from ``before`` to ``after`` (R33).

    The administrator may make any change to known levels and departments. The manager of the
    file's department may move it between the policy's manager levels (personal and department
    by default), keep it in the department and choose its custodian and new contacts among the
    department's active staff. Nobody else may change custody at all.
    """
    if not may_change_custody(actor, before, policy, directory):
        return Decision(False, "none", N_("only the file's department manager or the "
                                          "administrator may change its custody"))
    if after.level not in policy.levels:
        return Decision(False, "none", N_("the level is not one of the policy's"))
    if after.department and directory.department(after.department) is None:
        return Decision(False, "none", N_("the department is not known"))
    people = ({after.owner} if after.owner != before.owner else set()) \
        | set(after.contacts - before.contacts)
    if any(not directory.is_active(name) for name in people if name):
        return Decision(False, "none", N_("custodian and contacts must be active staff"))
    if _administrator(actor, policy):
        return Decision(True, "administrator", "the administrator changes any custody")
    if after.level not in policy.custody_manager_levels:
        return Decision(False, "none", N_("a department manager may not set this level"))
    if after.department != before.department:
        return Decision(False, "none", N_("a department manager may not move a file to "
                                          "another department"))
    staff = {str(m.get("username")) for m in directory.members(before.department)}
    if any(name not in staff for name in people if name):
        return Decision(False, "none", N_("custodian and contacts must be of the department"))
    return Decision(True, "department_manager", "manager of the file's department")


def may_create(actor: Actor, policy: Policy, directory: Directory) -> bool:
    """Tell whether the actor may open new customer files."""
    return _standing(actor, directory) and actor.role not in no_contents_roles(policy)


def readable_sql(actor: Actor, policy: Policy, directory: Directory,
                 grants: Iterable[Grant] = (), now: datetime | None = None,
                 ) -> tuple[str, list[Any]]:
    """Return an SQL condition on ``customers c``, true exactly where ``decide`` allows view."""
    if not _standing(actor, directory) or actor.role in no_contents_roles(policy):
        return "0", []
    terms: list[str] = ["c.owner = ?", "instr(' ' || coalesce(c.contacts, '') || ' ', ?) > 0"]
    params: list[Any] = [actor.username, f" {actor.username} "]
    relations = _relative(policy)
    managed = [str(d.get("id")) for d in directory.departments
               if d.get("manager") and d.get("manager") == actor.username]
    known = list(policy.levels)
    for level in known:
        if level == FALLBACK_LEVEL:
            level_sql = f"(c.level = ? OR c.level NOT IN ({', '.join('?' * len(known))}))"
            level_params: list[Any] = [level, *known]
        else:
            level_sql, level_params = "c.level = ?", [level]
        for token in policy.readers(level):
            relation = relations.get(token)
            if relation == FILE_OWNER:
                continue  # the owner reads every file of theirs already
            if relation == FILE_DEPARTMENT_MANAGER:
                if managed:
                    terms.append(f"({level_sql} AND c.department IN "
                                 f"({', '.join('?' * len(managed))}))")
                    params += [*level_params, *managed]
            elif relation is None and actor.role == token:
                terms.append(level_sql)
                params += level_params
    ids = sorted({c for g in _valid_grants(actor, grants, _now(now)) for c in g.customers})
    if ids:
        terms.append(f"c.id IN ({', '.join('?' * len(ids))})")
        params += ids
    return "(" + " OR ".join(terms) + ")", params
