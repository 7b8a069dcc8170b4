"""Every read of customer files by the web layer, in one place.

Views never call ``files.load`` or the index directly. Every function that returns anything of
a file asks ``records.access`` first and raises ``Hidden`` when the answer is no, the same way as
for a file that does not exist (R33, R36). Each such answer, yes or no, is written to the audit
journal (R35) once per request and action, and flushed to disk before the page is made; if the
journal cannot be written, nothing of the file is shown (fail closed).
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import current_app, g, request
from flask_login import current_user

from ... import services
from ...archive.errors import NotFound
from ...index import Page, Query
from ...records import access, requests
from ...records.audit import AuditError, AuditUnavailable
from ...records.customers import Loaded, is_customer_id
from ...records.diff import Change
from ...records.rules import Rules, load_rules


class Hidden(Exception):
    """Raised when a file may not be seen by the asker, or does not exist: the same answer."""

    def __init__(self, customer_id: str) -> None:
        """Remember which id was asked for (as typed, to echo it escaped)."""
        super().__init__(customer_id)
        self.customer_id = customer_id


class AuditDown(Exception):
    """Raised when a read cannot be recorded, so it must not happen."""


class Person(Protocol):
    """What the checks need of the signed-in user."""

    username: str
    role: str
    department: str


def actor(user: Person) -> access.Actor:
    """Return the access module's view of a user."""
    return access.Actor(str(user.username), str(user.role or ""), str(user.department or ""))


def grants() -> list[access.Grant]:
    """Return the signed-in user's grants in force at the archive head, once per request.

    Read from the head every request, so a revocation takes effect on the next one.
    """
    if "access_grants" not in g:
        username = str(getattr(current_user, "username", "") or "")
        g.access_grants = requests.grants_for(services.get().archive.snapshot(), username) \
            if username else []
    return g.access_grants


def _meta(customer_id: str) -> access.FileMeta:
    """Return a file's custody from the index; Hidden if the id names no file."""
    if not is_customer_id(customer_id):
        raise Hidden(customer_id)
    found = services.get().index.get(customer_id)
    if found is None:
        raise Hidden(customer_id)
    return access.FileMeta.from_row(found)


def decision(customer_id: str, user: Person, action: str) -> access.Decision:
    """Return what the access module says of a user doing an action to a file."""
    r = rules()
    return access.decide(actor(user), action, _meta(customer_id), r.policy, r.directory,
                         grants())


def allow(customer_id: str, user: Person, action: str, audit: bool = True) -> access.FileMeta:
    """Return the file's custody if the user may do the action; Hidden otherwise.

    With ``audit`` (every read of contents) the answer is journalled first.
    """
    try:
        meta = _meta(customer_id)
    except Hidden:
        if audit:
            _record(customer_id, user, action, access.Decision(False, "none", "no such file"))
        raise
    r = rules()
    answer = access.decide(actor(user), action, meta, r.policy, r.directory, grants())
    if audit:
        _record(customer_id, user, action, answer)
    if not answer.allowed:
        raise Hidden(customer_id)
    return meta


def _record(customer_id: str, user: Person, action: str, answer: access.Decision) -> None:
    """Journal one read or refusal, once per request, before anything is shown."""
    done = g.setdefault("audited", set())
    key = (customer_id, action, answer.allowed)
    if key in done:
        return
    try:
        services.get().journal.record(
            user=str(user.username), customer=customer_id[:40], action=action,
            allowed=answer.allowed, basis=answer.basis, route=request.endpoint or "",
            address=request.remote_addr or "")
    except AuditUnavailable as error:
        current_app.logger.error("audit journal unavailable, read refused: %s", error)
        raise AuditDown(customer_id) from error
    done.add(key)


def allow_rows(rows: list[dict[str, Any]], user: Person, action: str) -> list[dict[str, Any]]:
    """Return the index rows of files the user may do an action to, journalling each answer.

    For exports: every file's answer is its own journal entry, written together with one
    lock and one flush before anything is returned (fail closed, as for one file).
    """
    r = rules()
    who, held = actor(user), grants()
    answers = [(row, access.decide(who, action, access.FileMeta.from_row(row), r.policy,
                                   r.directory, held)) for row in rows]
    done = g.setdefault("audited", set())
    fresh = {(str(row["id"]), action, answer.allowed): answer for row, answer in answers}
    fresh = {key: answer for key, answer in fresh.items() if key not in done}
    try:
        services.get().journal.record_many([
            {"user": str(user.username), "customer": key[0][:40], "action": action,
             "allowed": answer.allowed, "basis": answer.basis, "route": request.endpoint or "",
             "address": request.remote_addr or ""} for key, answer in fresh.items()])
    except AuditUnavailable as error:
        current_app.logger.error("audit journal unavailable, export refused: %s", error)
        raise AuditDown(action) from error
    done.update(fresh)
    return [row for row, answer in answers if answer.allowed]


def seal_if_due() -> None:
    """Seal the journal into the archive when a day has passed (after a journalled request)."""
    if not g.get("audited"):
        return
    try:
        services.get().seal_audit_if_due()
    except AuditError as error:
        # The entries stay in the journal; `flask audit-verify` tells the administrator.
        current_app.logger.error("could not seal the audit journal: %s", error)


def may(customer_id: str, user: Person, action: str) -> bool:
    """Tell whether the user may do an action to a file (a check, not a read: not journalled)."""
    try:
        allow(customer_id, user, action, audit=False)
    except Hidden:
        return False
    return True


def custody_meta(customer_id: str) -> access.FileMeta:
    """Return a file's custody from the index (no contents: not a read); Hidden if absent."""
    return _meta(customer_id)


def reasons(customer_id: str, user: Person) -> dict[str, str]:
    """Return the reason given for each custody change of a file (its Reason: trailer)."""
    allow(customer_id, user, "history")
    return {v.commit: v.reason for v in services.get().files.history(customer_id)
            if v.reason}


def may_create(user: Person) -> bool:
    """Tell whether the user may open new customer files."""
    r = rules()
    return access.may_create(actor(user), r.policy, r.directory)


def load(customer_id: str, user: Person, action: str = "view",
         rev: str | None = None, checked: bool = True) -> Loaded:
    """Return a customer file at ``rev`` (default: head); Hidden if refused or absent."""
    allow(customer_id, user, action)
    try:
        return services.get().files.load(customer_id, rev, checked)
    except NotFound:
        if rev is None:
            raise Hidden(customer_id) from None
        raise


def versions(customer_id: str, user: Person, action: str = "history") -> list[dict[str, Any]]:
    """Return a file's versions, newest first; Hidden if refused or absent."""
    allow(customer_id, user, action)
    rows = services.get().index.versions(customer_id)
    if not rows:
        raise Hidden(customer_id)
    return rows


def version_at(customer_id: str, commit: str, user: Person,
               action: str = "version") -> tuple[list[dict[str, Any]], int]:
    """Return the versions and the position of ``commit``; NotFound if it is not one of them."""
    rows = versions(customer_id, user, action)
    for position, row in enumerate(rows):
        if row["sha"] == commit and row["status"] != "D":
            return rows, position
    raise NotFound(commit)


def compare(customer_id: str, old: str | None, new: str, user: Person) -> list[Change] | None:
    """Return the field changes from ``old`` (None: nothing) to ``new``; None if unreadable."""
    allow(customer_id, user, "diff")
    for rev in (old, new):
        if rev and services.get().files.load(customer_id, rev).record is None:
            return None  # a version that does not parse has no fields to compare
    return services.get().files.compare(customer_id, old, new)


def row(customer_id: str, user: Person, action: str = "view") -> dict[str, Any] | None:
    """Return the customer's catalogue row (last change, damaged reason) from the index."""
    allow(customer_id, user, action)
    return services.get().index.get(customer_id)


def readable(user: Person) -> tuple[str, list[Any]]:
    """Return the SQL condition on the index's ``customers c`` for files the user may read."""
    r = rules()
    return access.readable_sql(actor(user), r.policy, r.directory, grants())


def find(query: Query, user: Person, only_readable: bool = False) -> Page:
    """Return one page of the customer list; files the user may not read as catalogue cards."""
    return services.get().index.find(query, readable(user), only_readable)


def choices(column: str) -> list[str]:
    """Return the values a list filter can take."""
    return services.get().index.choices(column)


def head() -> str | None:
    """Return the archive's current commit (what a restore is confirmed against)."""
    return services.get().archive.head()


def rules() -> Rules:
    """Return the policy and staff directory at the head, once per request."""
    if "customer_rules" not in g:
        g.customer_rules = load_rules(services.get().archive.snapshot())
    return g.customer_rules


def staff_name(username: str) -> str:
    """Return a member of staff's display name, or the username if unknown."""
    member = rules().directory.member(username) if username else None
    return str(member.get("name") or username) if member else username


def department_name(department_id: str) -> str:
    """Return a department's display name, or its id if unknown."""
    department = rules().directory.department(department_id) if department_id else None
    return str(department.get("name") or department_id) if department else department_id


def sources(customer_id: str, user: Person) -> dict[str, str]:
    """Return where each version of a file came from (its Source: trailer, R10), by commit."""
    allow(customer_id, user, "history")
    # The index does not keep the trailer; the file's own log is short (folders of 100).
    return {v.commit: v.source for v in services.get().files.history(customer_id)
            if v.source}
