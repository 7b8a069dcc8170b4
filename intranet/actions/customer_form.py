"""The customer's own form (R10): a customer's proposal comes in, a member of staff reviews it.

Neither touches custody: ``customer_form.review`` only sets the accepted fields among the
policy's form fields, and ``changes.amend`` refuses any result whose custody differs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..archive.objects import Identity
from ..archive.repository import Snapshot
from ..records.files import customer_form
from ..records.files.customers import CustomerFiles
from .changes import amend

CUSTOMER = "customer_form"
REVIEW = "customer_form_review"


def submit(files: CustomerFiles, customer_id: str, proposal: dict[str, Any],
           author: Identity) -> str | None:
    """Add a customer's proposal to the file, authored by the customer (the link is the right).

    The caller has used the link: it alone admits a person without an account, so there is
    no member of staff whose right to ask.
    """

    def apply(record: dict[str, Any], _snapshot: Snapshot) -> dict[str, Any]:
        return customer_form.add_proposal(record, proposal)

    return amend(files, "", customer_id, apply, action=CUSTOMER, right="", source=CUSTOMER,
                 author=author)


def review(files: CustomerFiles, username: str, customer_id: str, proposal_id: str,
           decisions: dict[str, str], today: date) -> bool:
    """Commit a review as one change by the reviewer, if they may edit the file at the head.

    Returns False when the proposal was reviewed already; Forbidden when the reviewer may not.
    """

    def apply(record: dict[str, Any], _snapshot: Snapshot) -> dict[str, Any]:
        return customer_form.review(record, proposal_id, decisions, username, today)

    try:
        amend(files, username, customer_id, apply, action=REVIEW, source=CUSTOMER)
    except customer_form.ProposalGone:
        return False
    return True
