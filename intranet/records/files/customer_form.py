"""The customer's own data form (R10): what it asks, a submission as a proposal, its review.

A submission never changes the file's fields: it is kept in ``record["proposals"]`` as text,
field by field, until a custodian accepts or rejects each field. Values are checked with the
record's own validation both when the customer submits and when a reviewer accepts them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from intranet.records.files import formats
from intranet.records.files import schema as s
from intranet.records.files.customers import InvalidRecord
from intranet.records.files.messages import N_, FieldError
from intranet.records.files.validate import get_path, normalise, set_path, validate

if TYPE_CHECKING:
    from intranet.archive.repository import Version
    from intranet.records.files.customers import CustomerFiles
    from intranet.records.rulebook.policy import Policy

# Kinds a customer can type into one box; lists, flags and staff names are not theirs to set.
TEXT_KINDS = frozenset({s.TEXT, s.PHONE, s.POSTCODE, s.EMAIL, s.DATE, s.PARTIAL_DATE})
NUMBER_KINDS = frozenset({s.AMOUNT, s.SIGNED_AMOUNT, s.INT})
PENDING, REVIEWED = "pending", "reviewed"
ACCEPTED, REJECTED = "accepted", "rejected"
NAME_LIMIT = 100  # the customer's own name, as it goes into the commit's author


class ProposalGone(Exception):
    """Raised when a proposal is not in the file, or was reviewed already."""


def form_fields(policy: Policy) -> list[str]:
    """Return the policy's form fields that a customer can fill in, in the policy's order.

    Only single values of the record's groups or top level qualify (not ``people.name``,
    which has no one place in the file): the policy check accepts any field of the schema.
    """
    found: list[str] = []
    for path in policy.customer_form_fields:
        declared = s.field_at(path)
        top = s.SCHEMA.get(path.split(".")[0])
        if declared is None or top is None or top.kind == s.LIST or path in found:
            continue
        if declared.kind in TEXT_KINDS or declared.kind in NUMBER_KINDS:
            found.append(path)
    return found


def kind_of(path: str) -> str:
    """Return the schema kind of a path (text when unknown)."""
    declared = s.field_at(path)
    return declared.kind if declared else s.TEXT


def tidy(text: Any) -> str:
    """Return typed text as the file keeps it: plain newlines, no outer spaces."""
    if not isinstance(text, str):
        return ""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def to_value(path: str, text: str) -> Any:
    """Return typed text as the value the record stores; ValueError (a msgid) if it cannot be.

    Amounts may be written with commas, spaces or full-width digits; whole numbers must be
    whole. Text kinds stay text: their format is the record validation's business.
    """
    kind = kind_of(path)
    if kind not in NUMBER_KINDS:
        return text
    message = N_("Enter a whole number") if kind == s.INT else N_(
        "Enter an amount as a number, e.g. 1500000")
    try:
        number = formats.parse_number(text)
    except ValueError:
        raise ValueError(message) from None
    if kind == s.INT and not isinstance(number, int):
        raise ValueError(message)
    return number


def check_submission(record: dict[str, Any], values: dict[str, Any], policy: Policy,
                     ) -> tuple[dict[str, str], list[FieldError]]:
    """Return the filled-in fields as text and the errors of each, checked as the file would be.

    ``values`` maps form paths to typed text; paths the form does not ask for are ignored.
    The values are tried on a copy of the file, so a postcode is judged by its market.
    """
    trial = copy.deepcopy(record)
    filled: dict[str, str] = {}
    errors: list[FieldError] = []
    for path in form_fields(policy):
        text = tidy(values.get(path))
        if not text:
            continue
        filled[path] = text
        try:
            value = to_value(path, text)
        except ValueError as exc:
            errors.append(FieldError(path, str(exc), {}))
            continue
        set_path(trial, path, value)
        if kind_of(path) in NUMBER_KINDS:
            filled[path] = str(value)  # 1,200 or full-width digits: kept as the plain number
    refused = {e.path for e in errors}
    errors += [e for e in validate(normalise(trial), policy)
               if e.path in filled and e.path not in refused]
    return filled, errors


def check_name(name: str) -> list[FieldError]:
    """Return an error if the customer's own name cannot be kept (control characters, length)."""
    problem = formats.check_text(name, NAME_LIMIT)
    return [FieldError("submitted_by", problem[0], problem[1])] if problem else []


def new_proposal(proposal_id: str, filled: dict[str, str], submitted_by: str, link_by: str,
                 today: date) -> dict[str, Any]:
    """Return a pending proposal of the filled-in fields."""
    return {"id": proposal_id, "submitted_on": today.isoformat(),
            "submitted_by": submitted_by, "link_by": link_by, "status": PENDING,
            "reviewed_by": "", "reviewed_on": "",
            "fields": [{"path": p, "value": v, "decision": ""} for p, v in filled.items()]}


def add_proposal(record: dict[str, Any], proposal: dict[str, Any]) -> dict[str, Any]:
    """Return the record with a proposal appended (a proposal id is used once)."""
    proposals = record.get("proposals") if isinstance(record.get("proposals"), list) else []
    if any(isinstance(p, dict) and p.get("id") == proposal["id"] for p in proposals):
        raise ProposalGone(proposal["id"])
    record["proposals"] = [*proposals, proposal]
    return record


def find(record: dict[str, Any], proposal_id: str) -> dict[str, Any] | None:
    """Return the proposal of an id, or None."""
    for proposal in record.get("proposals") or []:
        if isinstance(proposal, dict) and proposal.get("id") == proposal_id:
            return proposal
    return None


def pending(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the proposals still waiting for review, oldest first."""
    return [p for p in record.get("proposals") or []
            if isinstance(p, dict) and p.get("status") == PENDING]


def review(record: dict[str, Any], proposal_id: str, decisions: dict[str, str], reviewer: str,
           today: date) -> dict[str, Any]:
    """Return the record with a proposal's accepted values set and the proposal reviewed.

    ``decisions`` maps each proposed path to accepted or rejected. ProposalGone if the proposal
    is not pending; InvalidRecord (errors on the record's paths) if a decision is missing or an
    accepted value cannot be stored.
    """
    proposal = find(record, proposal_id)
    if proposal is None or proposal.get("status") != PENDING:
        raise ProposalGone(proposal_id)
    errors: list[FieldError] = []
    for item in proposal.get("fields") or []:
        path = str(item.get("path") or "")
        decision = decisions.get(path)
        if decision not in (ACCEPTED, REJECTED):
            errors.append(FieldError(path, N_("Accept or reject this field"), {}))
            continue
        item["decision"] = decision
        if decision == REJECTED:
            continue
        declared = s.field_at(path)
        if declared is None or "[" in path or (declared.kind not in TEXT_KINDS
                                               and declared.kind not in NUMBER_KINDS):
            errors.append(FieldError(path, N_("This field cannot be set from the form"), {}))
            continue
        try:
            set_path(record, path, to_value(path, tidy(item.get("value"))))
        except ValueError as exc:
            errors.append(FieldError(path, str(exc), {}))
    if errors:
        raise InvalidRecord(errors)
    proposal.update(status=REVIEWED, reviewed_by=reviewer, reviewed_on=today.isoformat())
    return record


@dataclass(frozen=True)
class Row:
    """One proposed field beside the file: now, when the customer sent it, and proposed."""

    path: str
    proposed: str
    current: Any
    then: Any
    decision: str

    @property
    def changed_since(self) -> bool:
        """Tell whether someone changed the field in the file after the customer sent it."""
        return self.then != self.current


def rows(record: dict[str, Any], proposal: dict[str, Any],
         then: dict[str, Any] | None) -> list[Row]:
    """Return a proposal's fields with the file's values now and at submission."""
    found = []
    for item in proposal.get("fields") or []:
        path = str(item.get("path") or "")
        current = get_path(record, path)
        found.append(Row(path, str(item.get("value") or ""), current,
                         get_path(then, path) if then is not None else current,
                         str(item.get("decision") or "")))
    return found


def submitted_record(files: CustomerFiles, customer_id: str,
                     proposal_id: str) -> dict[str, Any] | None:
    """Return the file as it was when a proposal was committed, from git's history.

    The customer's commits are few, so each of them is loaded until the oldest one that
    holds the proposal; None if none does (a proposal written by hand).
    """
    versions: list[Version] = [v for v in files.history(customer_id)
                               if v.action == "customer_form"]
    for version in reversed(versions):
        loaded = files.load(customer_id, version.commit)
        if loaded.record is not None and find(loaded.record, proposal_id) is not None:
            return loaded.record
    return None
