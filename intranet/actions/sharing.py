"""HR confirms or dismisses a sign of a shared account (R35). No Flask imports.

Only a member of the policy's ``hr_roles`` decides (人力資源部為本制度的監督、處罰部門); the
decision is one commit to ``discipline/sharing/YYYY-MM.yaml`` authored by that member. A
confirmed case is fined ``fines.shared_account`` once; a dismissed one is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ..archive.repository import Archive, Change, Snapshot
from ..records.files.messages import N_
from ..records.rulebook.rules import Rules, load_rules
from ..records.rulebook.zone import company_zone
from ..records.trail import sharing
from . import ActionError, Forbidden

NOTE_MAX = 500


def may_decide(rules: Rules, username: str) -> bool:
    """Tell whether an active member of staff holds one of the policy's hr_roles."""
    hr_roles = rules.policy.data.get("hr_roles")
    return (bool(username) and rules.directory.is_active(username)
            and isinstance(hr_roles, list) and rules.directory.role(username) in hr_roles)


def month_cases(snapshot: Snapshot, month: str) -> list[dict[str, Any]]:
    """Return HR's decided cases of a month as the archive holds them."""
    path = sharing.sharing_path(month)
    return sharing.load_cases(snapshot.get(path), path)


def decide(archive: Archive, entries: Iterable[dict[str, Any]], actor: str, key: str,
           decision: str, note: str, now: datetime | None = None) -> str | None:
    """Record HR's decision on one sign in one commit; return the commit.

    ``entries`` are the audit journal's entries: the sign must be one they show. Raises
    Forbidden (nothing written) unless the actor holds an hr_role; ActionError for an unknown
    sign, an unknown decision or a missing note.
    """
    rules = load_rules(archive.snapshot())
    if not may_decide(rules, actor):
        raise Forbidden(N_("Only HR decides on a shared account."))
    if decision not in sharing.DECISIONS:
        raise ActionError(N_("Choose confirm or dismiss."))
    note = " ".join(str(note or "").split())
    if not note or len(note) > NOTE_MAX:
        raise ActionError(N_("Write a note of 1 to %(max)s characters."), max=NOTE_MAX)
    signal = next((s for s in sharing.signals(entries, rules.policy) if s.key == key), None)
    if signal is None:
        raise ActionError(N_("There is no such sign of a shared account."))
    month = signal.month(company_zone(rules.policy))
    path = sharing.sharing_path(month)
    when = now or datetime.now(UTC)

    def build(snapshot: Snapshot) -> Change:
        cases = sharing.load_cases(snapshot.get(path), path)
        updated = sharing.with_decision(cases, signal, decision, note, actor, when)
        verb = "確認" if decision == "confirmed" else "排除"
        return Change({path: sharing.dump_cases(updated)},
                      f"{verb}共用賬號：{signal.user}（{month}）\n\n{note}\n\n"
                      f"Staff: {signal.user}\nAction: sharing_{decision}\n")

    return archive.commit(build, rules.identity(actor), when)

