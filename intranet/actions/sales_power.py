"""Score a file in the sales-power analysis table (R16): one commit, checked where saved."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..archive.repository import Snapshot
from ..records.files.customers import CustomerFiles, InvalidRecord
from ..records.rulebook.rules import load_rules
from ..records.sales import sales_power
from .changes import amend

ACTION = "sales_power"


def assess(files: CustomerFiles, username: str, customer_id: str, scores: dict[str, Any],
           notes: str, on: date) -> str | None:
    """Save an assessment by the actor; InvalidRecord if the scores do not fit the policy."""

    def apply(record: dict[str, Any], snapshot: Snapshot) -> dict[str, Any]:
        # Checked against the policy of the commit the scores land on, not the form's.
        errors = sales_power.check_scores(scores, load_rules(snapshot).policy)
        if errors:
            raise InvalidRecord(errors)
        return sales_power.assess(record, scores, username, on.isoformat(), notes)

    return amend(files, username, customer_id, apply, action=ACTION)
