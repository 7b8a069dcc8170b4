"""Policy changes as proposals the general manager approves (R3: 經總經理批準頒行).

The administrator (the company level's custodian role) proposes a whole new ``policy.yaml``
with a reason: one commit writes ``policy-proposals/PP000001.yaml`` and nothing takes effect.
A holder of a ``policy_approvers`` role (the general manager) approves it, and one commit by
the approver writes ``policy.yaml`` and the proposal's decision, with a ``Proposed-By`` trailer
naming the proposer; or refuses it with a comment. A proposal made against a policy that has
changed since is refused as stale. Every right is checked inside the commit's build, against
the rules at the head the commit follows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..archive.errors import CorruptRecord
from ..archive.repository import Archive, Change, Snapshot
from ..records.files import yamlio
from ..records.files.messages import N_, FieldError
from ..records.rulebook import proposals
from ..records.rulebook.organisation import DirectoryError, parse_policy
from ..records.rulebook.policy import dump_policy
from ..records.rulebook.rules import POLICY_PATH, Rules, load_rules
from . import ActionError, Forbidden


class InvalidPolicy(ActionError):
    """The proposed text is not a valid policy; ``errors`` says where (nothing written)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(N_("The policy text has errors."))
        self.errors = errors


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)


def _stamp(when: datetime) -> str:
    return when.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def may_propose(rules: Rules, username: str) -> bool:
    """Tell whether someone may propose a policy change: the administrator (R3, R37)."""
    return rules.directory.is_active(username) and \
        rules.directory.role(username) == rules.policy.custodian_role("company")


def may_decide(rules: Rules, username: str) -> bool:
    """Tell whether someone may approve or refuse a policy proposal (the general manager)."""
    return rules.directory.is_active(username) and \
        rules.directory.role(username) in rules.policy.policy_approvers


def _parse(text: str) -> dict[str, Any]:
    """Parse and check a policy text once; InvalidPolicy lists every problem."""
    try:
        return parse_policy(text)
    except DirectoryError as error:
        raise InvalidPolicy(error.errors) from None


def _changed_keys(snapshot: Snapshot, data: dict[str, Any]) -> list[str]:
    """Return the top-level keys a text changes (all of them over a damaged policy.yaml)."""
    raw = snapshot.get(POLICY_PATH)
    try:
        old = yamlio.load(raw, POLICY_PATH) if raw else {}
    except CorruptRecord:
        old = {}  # a hand-pushed broken file: the proposal repairs it
    return [str(k) for k in sorted(set(old) | set(data), key=str) if old.get(k) != data.get(k)]


def propose(archive: Archive, actor: str, text: str, reason: str,
            now: datetime | None = None) -> str:
    """Propose a new policy.yaml for the general manager's approval; return the proposal id."""
    now = _now(now)
    reason = (reason or "").strip()
    if not may_propose(load_rules(archive.snapshot()), actor):
        raise Forbidden(N_("Only the administrator proposes policy changes."))
    if not reason:
        raise ActionError(N_("Give the reason for the change."))
    if len(reason) > proposals.MAX_REASON:
        raise ActionError(N_("Enter at most %(max)d characters."), max=proposals.MAX_REASON)
    data = _parse(text)
    created: dict[str, str] = {}

    def build(snapshot: Snapshot) -> Change:
        rules = load_rules(snapshot)
        if not may_propose(rules, actor):
            raise Forbidden(N_("Only the administrator proposes policy changes."))
        keys = _changed_keys(snapshot, data)
        if not keys:
            raise ActionError(N_("Nothing changed."))
        proposal_id = proposals.next_id(snapshot)
        proposal = {"id": proposal_id, "status": proposals.WAITING, "proposer": actor,
                    "reason": reason, "created": _stamp(now),
                    "base": snapshot.blob_id(POLICY_PATH) or "", "decided_by": "",
                    "decided_at": "", "comment": "", "text": dump_policy(data).decode()}
        created["id"] = proposal_id
        message = (f"政策修訂提案 {proposal_id}：{'、'.join(keys)}\n\n"
                   f"Policy-Proposal: {proposal_id}\nAction: policy-proposal\n")
        return Change({proposals.proposal_path(proposal_id): proposals.dump(proposal)}, message)

    archive.commit(build, load_rules(archive.snapshot()).identity(actor), when=now)
    return created["id"]


def _decide(archive: Archive, actor: str, proposal_id: str, approve: bool, comment: str,
            now: datetime | None) -> dict[str, Any]:
    """Commit a decision on a waiting proposal; return the proposal after it."""
    now = _now(now)
    comment = (comment or "").strip()
    if len(comment) > proposals.MAX_REASON:
        raise ActionError(N_("Enter at most %(max)d characters."), max=proposals.MAX_REASON)
    if not may_decide(load_rules(archive.snapshot()), actor):
        raise Forbidden(N_("Only the general manager approves policy changes."))
    result: dict[str, Any] = {}

    def build(snapshot: Snapshot) -> Change:
        rules = load_rules(snapshot)
        if not may_decide(rules, actor):
            raise Forbidden(N_("Only the general manager approves policy changes."))
        proposal = proposals.get(snapshot, proposal_id)
        if proposal is None:
            raise ActionError(N_("No such proposal."))
        if proposal.get("status") != proposals.WAITING:
            raise ActionError(N_("This proposal was decided already."))
        if proposal.get("proposer") == actor:
            raise Forbidden(N_("Nobody approves their own proposal."))
        if not approve and not comment:
            raise ActionError(N_("Say why you refuse."))
        stale = approve and proposals.is_stale(snapshot, proposal)
        status = proposals.STALE if stale else \
            proposals.APPROVED if approve else proposals.REFUSED
        proposal.update(status=status, decided_by=actor, decided_at=_stamp(now),
                        comment=comment if not stale else
                        comment or "政策已於提案後變更，本提案作廢，請重新提案")
        files: dict[str, bytes | None] = {
            proposals.proposal_path(proposal_id): proposals.dump(proposal)}
        trailers = f"Policy-Proposal: {proposal_id}\n"
        if status == proposals.APPROVED:
            data = _parse(str(proposal.get("text") or ""))
            keys = _changed_keys(snapshot, data)
            files[POLICY_PATH] = dump_policy(data)
            proposer = rules.identity(str(proposal.get("proposer")))
            subject = f"更新政策：{'、'.join(keys) or '格式'}（提案 {proposal_id}）"
            trailers += f"Proposed-By: {proposer.name} <{proposer.email}>\nAction: policy\n"
        else:
            verb = "作廢（政策已變更）" if stale else "駁回"
            subject = f"政策修訂提案 {proposal_id} {verb}"
            trailers += "Action: policy-proposal\n"
        result.clear()
        result.update(proposal)
        return Change(files, f"{subject}\n\n{trailers}")

    archive.commit(build, load_rules(archive.snapshot()).identity(actor), when=now)
    return result


def approve(archive: Archive, actor: str, proposal_id: str, comment: str = "",
            now: datetime | None = None) -> dict[str, Any]:
    """Approve a proposal: it takes effect in one commit, unless the policy changed since."""
    return _decide(archive, actor, proposal_id, True, comment, now)


def refuse(archive: Archive, actor: str, proposal_id: str, comment: str,
           now: datetime | None = None) -> dict[str, Any]:
    """Refuse a proposal with a comment; the policy in force stays."""
    return _decide(archive, actor, proposal_id, False, comment, now)
