"""The web's adapter to ``actions.reading``: every read of customer files by a view.

Views never call ``files.load`` or the index directly. This module only supplies what Flask
knows (the signed-in user, the route and address, the request's ``g``) to one
``actions.reading.Reader`` per request, which asks ``records.rights.access``, journals every answer
(R35, fail closed) and raises ``Hidden`` for a refused or missing file alike (R33, R36).
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import current_app, g, request
from flask_login import current_user

from ... import services
from ...actions.reading import AuditDown, Hidden, Reader
from ...index import Page, Query
from ...records.files.customers import Loaded
from ...records.files.diff import Change
from ...records.rights import access
from ...records.rulebook.rules import Rules
from ...records.trail.audit import AuditError

__all__ = ["AuditDown", "Hidden", "Reader"]


class Person(Protocol):
    """What the checks need of the signed-in user."""

    username: str
    role: str
    department: str


def actor(user: Person) -> access.Actor:
    """Return the access module's view of a user."""
    return access.Actor(str(user.username), str(user.role or ""), str(user.department or ""))


def reader() -> Reader:
    """Return this request's reader: the services, the signed-in user, route and address."""
    if "customer_reader" not in g:
        g.customer_reader = Reader(
            services.get(), str(getattr(current_user, "username", "") or ""),
            route=request.endpoint or "", address=request.remote_addr or "",
            audited=g.setdefault("audited", set()))
    return g.customer_reader


def grants() -> list[access.Grant]:
    """Return the signed-in user's grants in force at the archive head, once per request."""
    return reader().grants()


def decision(customer_id: str, user: Person, action: str) -> access.Decision:
    """Return what the access module says of a user doing an action to a file."""
    return reader().decision(customer_id, actor(user), action)


def allow(customer_id: str, user: Person, action: str, audit: bool = True) -> access.FileMeta:
    """Return the file's custody if the user may do the action; Hidden otherwise."""
    return reader().allow(customer_id, actor(user), action, audit)


def allow_rows(rows: list[dict[str, Any]], user: Person, action: str) -> list[dict[str, Any]]:
    """Return the index rows of files the user may do an action to, journalling each answer."""
    return reader().allow_rows(rows, actor(user), action)


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
    return reader().may(customer_id, actor(user), action)


def custody_meta(customer_id: str) -> access.FileMeta:
    """Return a file's custody from the index (no contents: not a read); Hidden if absent."""
    return reader().meta(customer_id)


def may_change_custody(customer_id: str, user: Person, record: Any) -> bool:
    """Tell whether the user may open the custody page of a file (its record's custody)."""
    r = rules()
    return access.may_change_custody(actor(user), access.FileMeta.from_record(customer_id,
                                                                              record),
                                     r.policy, r.directory)


def may_create(user: Person) -> bool:
    """Tell whether the user may open new customer files."""
    return reader().may_create(actor(user))


def load(customer_id: str, user: Person, action: str = "view",
         rev: str | None = None, checked: bool = True) -> Loaded:
    """Return a customer file at ``rev`` (default: head); Hidden if refused or absent."""
    return reader().load(customer_id, actor(user), action, rev, checked)


def versions(customer_id: str, user: Person, action: str = "history") -> list[dict[str, Any]]:
    """Return a file's versions, newest first; Hidden if refused or absent."""
    return reader().versions(customer_id, actor(user), action)


def version_at(customer_id: str, commit: str, user: Person,
               action: str = "version") -> tuple[list[dict[str, Any]], int]:
    """Return the versions and the position of ``commit``; NotFound if it is not one of them."""
    return reader().version_at(customer_id, commit, actor(user), action)


def compare(customer_id: str, old: str | None, new: str, user: Person) -> list[Change] | None:
    """Return the field changes from ``old`` (None: nothing) to ``new``; None if unreadable."""
    return reader().compare(customer_id, old, new, actor(user))


def row(customer_id: str, user: Person, action: str = "view") -> dict[str, Any] | None:
    """Return the customer's catalogue row (last change, damaged reason) from the index."""
    return reader().row(customer_id, actor(user), action)


def readable(user: Person) -> tuple[str, list[Any]]:
    """Return the SQL condition on the index's ``customers c`` for files the user may read."""
    return reader().readable(actor(user))


def find(query: Query, user: Person, only_readable: bool = False) -> Page:
    """Return one page of the customer list; files the user may not read as catalogue cards."""
    return reader().find(query, actor(user), only_readable)


def choices(column: str) -> list[str]:
    """Return the values a list filter can take."""
    return services.get().index.choices(column)


def head() -> str | None:
    """Return the archive's current commit (what a restore is confirmed against)."""
    return services.get().archive.head()


def rules() -> Rules:
    """Return the policy and staff directory at the head, once per request."""
    return reader().rules()


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
    return reader().sources(customer_id, actor(user))


def reasons(customer_id: str, user: Person) -> dict[str, str]:
    """Return the reason given for each custody change of a file (its Reason: trailer)."""
    return reader().reasons(customer_id, actor(user))
