"""Credit (R28): the credit table applied where a change is saved, approvals, receivables.

``settler`` is the hook every action that can change a file's credit passes to the commit's
build (edit, create, restore, import, merge): it asks the policy at the head the commit follows
whether a limit above the credit grade's, or terms other than its, may be saved, and by whom
(policy ``credit_exceptions``), and records or clears the approval (credit.approved_by/on).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ..archive.repository import Snapshot
from ..records.files.customers import CustomerFiles, InvalidRecord, Settle
from ..records.files.messages import N_, FieldError
from ..records.rights import access
from ..records.rulebook import zone
from ..records.rulebook.rules import Rules, load_rules
from ..records.sales import credit
from . import ActionError, Forbidden
from .rights import actor_at, require

APPROVE = "credit_approval"
RECEIVABLES = "receivables"


class CreditForbidden(Forbidden):
    """A save refused by the credit table (R28): the message names the limit or terms."""


def approver_names(rules: Rules) -> list[str]:
    """Return who may approve a credit exception now: "name (username)" of active approvers."""
    if rules.policy.credit_exception_mode != "approval":
        return []
    return [f"{m.get('name') or m['username']} ({m['username']})"
            for role in sorted(rules.policy.credit_approvers)
            for m in rules.directory.with_role(role)]


def today_at(rules: Rules, when: datetime | None = None) -> date:
    """Return the company-zone day of a commit made at ``when`` (default: now)."""
    return zone.today(zone.company_zone(rules.policy), now=when or datetime.now(UTC))


def settler(username: str, when: datetime | None = None) -> Settle:
    """Return the build-time hook applying the credit table to a change by ``username``."""

    def settle(snapshot: Snapshot, customer_id: str, before: dict[str, Any] | None,
               after: dict[str, Any]) -> dict[str, Any]:
        rules = load_rules(snapshot)
        actor = actor_at(rules, username)
        role = actor.role if rules.directory.is_active(username) else ""
        try:
            return credit.settle(customer_id, before, after, rules.policy, actor=username,
                                 role=role, today=today_at(rules, when),
                                 approvers=approver_names(rules))
        except credit.CreditRefused as refused:
            raise CreditForbidden(refused.message, **refused.params) from None

    return settle


def may_approve(rules: Rules, username: str) -> bool:
    """Tell whether an active member of staff approves credit exceptions (R28)."""
    return rules.directory.is_active(username) and \
        credit.may_approve(rules.policy, rules.directory.role(username))


def approve(files: CustomerFiles, username: str, customer_id: str, reason: str,
            when: datetime | None = None) -> str | None:
    """Record the actor's approval of a file's credit exception as one commit with a reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ActionError(N_("Give a reason for the approval."))

    def apply(record: dict[str, Any], snapshot: Snapshot) -> dict[str, Any] | None:
        rules = load_rules(snapshot)
        if not may_approve(rules, username):
            raise Forbidden(N_("You may not approve credit exceptions."))
        if not credit.standing(record, rules.policy).exception:
            raise ActionError(N_("%(id)s has no credit exception to approve."), id=customer_id)
        section = dict(record.get("credit") or {})
        section.update(approved_by=username, approved_on=today_at(rules, when).isoformat())
        return {**record, "credit": section}

    # The approver decides on the file's credit figures: "figures" is the right it needs.
    return files.amend(customer_id, _checked(username, customer_id, apply, access.FIGURES),
                       username, action=APPROVE, when=when, verb="信用例外核准",
                       trailers={"Reason": reason})


def _checked(username: str, customer_id: str, apply: Any, right: str) -> Any:
    """Return ``apply`` preceded by the access check of ``right`` at the head."""

    def run(record: dict[str, Any], snapshot: Snapshot) -> dict[str, Any] | None:
        require(snapshot, username, right, customer_id, record)
        return apply(record, snapshot)

    return run


def parse_receivables(amount: Any, oldest_due: Any, as_of: Any, notes: str = ""
                      ) -> dict[str, Any]:
    """Return a receivables section from typed values; InvalidRecord naming a bad one."""
    errors: list[FieldError] = []
    value: float | int | None = None
    try:
        value = float(str(amount).replace(",", "").strip()) if str(amount or "").strip() \
            else None
    except ValueError:
        errors.append(FieldError("receivables.amount", N_(
            "Enter an amount as a number, e.g. 1500000"), {}))
    if value is not None and value.is_integer():
        value = int(value)
    days: dict[str, str] = {}
    for key, typed in (("oldest_due", oldest_due), ("as_of", as_of)):
        text = str(typed or "").strip()
        if text:
            try:
                date.fromisoformat(text)
            except ValueError:
                errors.append(FieldError(f"receivables.{key}", N_(
                    "Enter a date as YYYY-MM-DD"), {}))
        days[key] = text
    if errors:
        raise InvalidRecord(errors)
    return {"amount": value, "oldest_due": days["oldest_due"], "as_of": days["as_of"],
            "notes": (notes or "").strip()}


def enter_receivables(files: CustomerFiles, username: str, customer_id: str,
                      owed: dict[str, Any], when: datetime | None = None) -> str | None:
    """Save a file's open receivables as typed on its card: one commit by the actor."""

    def apply(record: dict[str, Any], _snapshot: Snapshot) -> dict[str, Any]:
        return {**record, "receivables": dict(owed)}

    return files.amend(customer_id, _checked(username, customer_id, apply, "edit"), username,
                       action=RECEIVABLES, when=when, verb="應收帳款")
