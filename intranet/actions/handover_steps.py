"""Record that a handed-over customer was told of its new contact (R32). No Flask.

The successor or a manager enters it afterwards: the day and who told the customer. It is
written on the file's hand-over task (``told_on``, ``told_by``) in one commit by the actor,
after the right is checked against the file and staff list of the commit it follows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..archive.repository import Snapshot
from ..records.conduct import handover_steps
from ..records.files.customers import CustomerFiles
from ..records.files.messages import N_
from ..records.rights.access import Actor
from ..records.rulebook.rules import load_rules
from . import ActionError, Forbidden


def record_customer_told(files: CustomerFiles, actor: Actor, customer_id: str, position: int,
                         told_on: date, today: date, told_by: str = "") -> str | None:
    """Note on a hand-over task that the customer was told; return the commit.

    Forbidden if the actor may not (see ``records.conduct.handover_steps.may_record_told``);
    ActionError if the task was noted already, the day is after today or before the
    hand-over, or ``told_by`` (default: the actor) is not an active member of staff.
    """
    teller = told_by or actor.username

    def apply(record: dict[str, Any], snapshot: Snapshot) -> dict[str, Any]:
        rules = load_rules(snapshot)
        # The role as the staff list of this very commit says, not as the session remembers.
        role = rules.directory.role(actor.username)
        if not handover_steps.may_record_told(actor.username, role, record, position,
                                              rules.directory, rules.policy):
            raise Forbidden(N_("You may not record this hand-over step."))
        task = record["tasks"][position]
        if task.get("told_on"):
            raise ActionError(N_("The customer was already recorded as told on %(day)s."),
                              day=str(task["told_on"]))
        handed = str(task.get("created_on") or "")
        if told_on > today or (handed and told_on.isoformat() < handed):
            raise ActionError(N_("Enter a day between the hand-over (%(handed)s) and today."),
                              handed=handed)
        if not rules.directory.is_active(teller):
            raise ActionError(N_("No active member of staff is called %(name)s."), name=teller)
        return handover_steps.mark_told(record, position, told_on, teller)

    return files.amend(customer_id, apply, actor.username, action="handover_told")
