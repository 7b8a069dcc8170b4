"""A file's credit against its credit grade (R28): open receivables and how overdue they are."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from intranet.records.files.messages import N_


def receivable(record: dict[str, Any]) -> float:
    """Return the open receivables amount of a file (0 when none is recorded)."""
    owed = record.get("receivables")
    amount = owed.get("amount") if isinstance(owed, dict) else None
    ok = isinstance(amount, (int, float)) and not isinstance(amount, bool)
    return float(amount) if ok else 0.0


def overdue_days(record: dict[str, Any], today: date) -> int:
    """Return how many days the oldest open receivable is past its due date (0 if none)."""
    owed = record.get("receivables")
    due = owed.get("oldest_due") if isinstance(owed, dict) else None
    if receivable(record) <= 0 or not isinstance(due, str) or not due:
        return 0
    try:
        day = date.fromisoformat(due)
    except ValueError:  # a damaged date is validation's business, not a figure
        return 0
    return max(0, (today - day).days)


# The fields a credit grade sets and the approval that covers a file's departure from them.
KEYS = ("grade", "limit", "terms")
APPROVAL = ("approved_by", "approved_on")


def _credit(record: dict[str, Any] | None) -> dict[str, Any]:
    section = (record or {}).get("credit")
    return section if isinstance(section, dict) else {}


def _amount(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok else None


@dataclass(frozen=True)
class Standing:
    """A file's credit against its credit grade's (R28): what is set and what is allowed."""

    grade: str
    limit: float | None  # the file's credit.limit (None: not set)
    terms: str
    grade_limit: float  # the grade's limit (0 when the file has no known grade: no credit)
    grade_terms: str
    known: bool  # the file's credit grade is one of the policy's
    approved_by: str = ""
    approved_on: str = ""

    @property
    def over_limit(self) -> bool:
        """Tell whether the file's limit is above its grade's."""
        return self.limit is not None and self.limit > self.grade_limit

    @property
    def other_terms(self) -> bool:
        """Tell whether the file states terms that are not its grade's (empty: the grade's)."""
        return bool(self.terms) and self.terms != self.grade_terms

    @property
    def exception(self) -> bool:
        """Tell whether the file departs from its credit grade (limit above, other terms)."""
        return self.over_limit or self.other_terms

    @property
    def excess(self) -> float:
        """Return how far the limit is above the grade's (0 when it is not)."""
        return (self.limit or 0.0) - self.grade_limit if self.over_limit else 0.0

    @property
    def approved(self) -> bool:
        """Tell whether an approval is recorded for the exception."""
        return bool(self.approved_by)


def standing(record: dict[str, Any] | None, policy: Any) -> Standing:
    """Return a file's credit standing under the policy's credit grades."""
    credit = _credit(record)
    grade = credit.get("grade") if isinstance(credit.get("grade"), str) else ""
    entry = policy.credit_grade(grade) if grade else None
    grade_limit = _amount(entry.get("limit")) if entry else None
    terms = credit.get("terms") if isinstance(credit.get("terms"), str) else ""
    return Standing(str(grade), _amount(credit.get("limit")), terms.strip(),
                    grade_limit or 0.0, str((entry or {}).get("terms") or "").strip(),
                    entry is not None, str(credit.get("approved_by") or ""),
                    str(credit.get("approved_on") or ""))


class CreditRefused(Exception):
    """A save that would create or enlarge a credit exception the actor may not make."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def enlarges(before: Standing, after: Standing) -> bool:
    """Tell whether a change creates or enlarges an exception (limit, grade or terms)."""
    if after.over_limit and (not before.over_limit or after.excess > before.excess):
        return True
    moved = (after.grade, after.terms) != (before.grade, before.terms)
    return after.other_terms and (not before.other_terms or moved)


def _money(value: float | None) -> str:
    return f"{value:,.0f}" if value is not None else "-"


# One whole msgid per case, so each translates as one sentence.
_REFUSED = {
    ("limit", "approval"): N_(
        "The credit limit %(limit)s of %(id)s is above the limit %(grade_limit)s of credit "
        "grade %(grade)s. Only %(approvers)s may approve a credit exception; nothing was "
        "saved."),
    ("limit", "refuse"): N_(
        "The credit limit %(limit)s of %(id)s is above the limit %(grade_limit)s of credit "
        "grade %(grade)s. The policy allows no credit exceptions (credit_exceptions.mode: "
        "refuse); nothing was saved."),
    ("terms", "approval"): N_(
        "The trade terms \u201c%(terms)s\u201d of %(id)s are not those of credit grade "
        "%(grade)s (\u201c%(grade_terms)s\u201d). Only %(approvers)s may approve a credit "
        "exception; nothing was saved."),
    ("terms", "refuse"): N_(
        "The trade terms \u201c%(terms)s\u201d of %(id)s are not those of credit grade "
        "%(grade)s (\u201c%(grade_terms)s\u201d). The policy allows no credit exceptions "
        "(credit_exceptions.mode: refuse); nothing was saved."),
    ("ungraded", "approval"): N_(
        "%(id)s has no credit grade, so its credit limit %(limit)s is an exception: set its "
        "credit grade first. Only %(approvers)s may approve a credit exception; nothing was "
        "saved."),
    ("ungraded", "refuse"): N_(
        "%(id)s has no credit grade, so its credit limit %(limit)s is an exception: set its "
        "credit grade first. The policy allows no credit exceptions; nothing was saved."),
}


def refusal(customer_id: str, after: Standing, policy: Any, approvers: list[str]
            ) -> CreditRefused:
    """Return the refusal naming the limit or terms, the grade's, and who may approve."""
    mode = "refuse" if policy.credit_exception_mode == "refuse" else "approval"
    kind = "limit" if after.over_limit else "terms"
    if after.over_limit and not after.known:
        kind = "ungraded"
    return CreditRefused(_REFUSED[(kind, mode)], limit=_money(after.limit), id=customer_id,
                         grade_limit=_money(after.grade_limit), grade=after.grade or "-",
                         terms=after.terms, grade_terms=after.grade_terms or "-",
                         approvers=", ".join(approvers) or "-")


def may_approve(policy: Any, role: str) -> bool:
    """Tell whether a role approves credit exceptions (never in mode refuse)."""
    return policy.credit_exception_mode == "approval" and role in policy.credit_approvers


def settle(customer_id: str, before: dict[str, Any] | None, after: dict[str, Any],
           policy: Any, *, actor: str, role: str, today: date,
           approvers: list[str]) -> dict[str, Any]:
    """Return ``after`` with its credit approval settled, or raise CreditRefused (R28).

    A change that creates or enlarges an exception is refused unless the actor may approve;
    then (and whenever an approver changes an exception) the approval is recorded. Any other
    change of grade, limit or terms clears an approval that no longer covers what is set; an
    unchanged exception keeps its approval and never blocks a save of other fields.
    """
    old, new = standing(before, policy), standing(after, policy)
    held = {k: str(_credit(before).get(k) or "") for k in APPROVAL}
    if _keys(old) == _keys(new):
        # An approval is never typed, imported or restored: the head's stays as it is.
        return after if all(str(_credit(after).get(k) or "") == v
                            for k, v in held.items()) else _with_approval(after, held)
    if not new.exception:
        return _with_approval(after, {})
    allowed = may_approve(policy, role)
    if enlarges(old, new) and not allowed:
        raise refusal(customer_id, new, policy, approvers)
    if allowed:
        return _with_approval(after, {"approved_by": actor, "approved_on": today.isoformat()})
    return _with_approval(after, {})


def _keys(s: Standing) -> tuple[str, float | None, str]:
    """Return what an approval covers: the grade, the limit and the terms."""
    return s.grade, s.limit, s.terms


def _with_approval(record: dict[str, Any], approval: dict[str, str]) -> dict[str, Any]:
    """Return a copy of the record whose credit carries exactly this approval."""
    if not any(approval.values()) and "credit" not in record:
        return record
    credit = dict(_credit(record))
    for key in APPROVAL:
        credit[key] = approval.get(key, "")
    return {**record, "credit": credit}
