"""Whose overdue updates management sees on its dashboard (R19, R20, R16; issue 12). No Flask.

The analysis roles of the policy: ``analysis.company_roles`` see every file's, and
``analysis.department_roles`` (department managers) the files kept in their own department
(custody.department), as for the figures (records.access FIGURES). The lists name files,
custodians and dates, never contents (R36).
"""

from __future__ import annotations

from typing import Any

from intranet.records.conduct.discipline import Scope
from intranet.records.rights.access import Actor
from intranet.records.rulebook.policy import Policy
from intranet.records.rulebook.staff import Directory


def management_scope(actor: Actor, policy: Policy, directory: Directory) -> Scope:
    """Return the departments whose files' overdue updates an actor oversees (none: empty)."""
    if not actor.username or not directory.is_active(actor.username):
        return Scope()
    if actor.role in policy.analysis_company_roles:
        return Scope(everyone=True)
    if actor.role in policy.analysis_department_roles and actor.department:
        return Scope(departments=frozenset({actor.department}))
    return Scope()


def in_scope(rows: list[dict[str, Any]], departments: dict[str, str],
             scope: Scope) -> list[dict[str, Any]]:
    """Return the rows (with ``customer``) whose file's department the scope covers."""
    return [row for row in rows if scope.covers(departments.get(str(row["customer"]), ""))]
