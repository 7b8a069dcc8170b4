"""Every read of customer files by the web layer, in one place.

Views never call ``files.load`` or the index directly: an access check (R33, R36) and a
read-audit entry (R35) will be added here, and then hold for every page at once.
"""

from __future__ import annotations

from typing import Any

from flask import g

from ... import services
from ...archive.errors import NotFound
from ...index import Page, Query
from ...records.customers import Loaded, is_customer_id
from ...records.diff import Change
from ...records.rules import Rules, load_rules


def _check(customer_id: str) -> None:
    """Refuse malformed ids before they reach git or the index."""
    if not is_customer_id(customer_id):
        raise NotFound(customer_id)


def load(customer_id: str, rev: str | None = None) -> Loaded:
    """Return a customer file at ``rev`` (default: head); NotFound if absent."""
    _check(customer_id)
    return services.get().files.load(customer_id, rev)


def versions(customer_id: str) -> list[dict[str, Any]]:
    """Return a file's versions, newest first; NotFound for a customer with none."""
    _check(customer_id)
    rows = services.get().index.versions(customer_id)
    if not rows:
        raise NotFound(customer_id)
    return rows


def version_at(customer_id: str, commit: str) -> tuple[list[dict[str, Any]], int]:
    """Return the versions and the position of ``commit``; NotFound if it is not one of them."""
    rows = versions(customer_id)
    for position, row in enumerate(rows):
        if row["sha"] == commit and row["status"] != "D":
            return rows, position
    raise NotFound(commit)


def compare(customer_id: str, old: str | None, new: str) -> list[Change] | None:
    """Return the field changes from ``old`` (None: nothing) to ``new``; None if unreadable."""
    _check(customer_id)
    for rev in (old, new):
        if rev and load(customer_id, rev).record is None:
            return None  # a version that does not parse has no fields to compare
    return services.get().files.compare(customer_id, old, new)


def row(customer_id: str) -> dict[str, Any] | None:
    """Return the customer's catalogue row (last change, damaged reason) from the index."""
    _check(customer_id)
    return services.get().index.get(customer_id)


def find(query: Query) -> Page:
    """Return one page of the customer list."""
    return services.get().index.find(query)


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
