"""Policy change proposals (R3): the administrator proposes, the general manager approves.

A proposal is one YAML file ``policy-proposals/PP000001.yaml`` holding the whole proposed text
of ``policy.yaml``, the reason, the proposer and ``base``: the blob id of the policy in force
when it was made. Approving it writes ``policy.yaml`` and the proposal's new status in one
commit by the approver, with a ``Proposed-By`` trailer; a proposal whose base is no longer the
policy in force is refused as ``stale`` (someone else's change came first).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from intranet.archive.errors import ArchiveError, CorruptRecord
from intranet.archive.repository import Archive, Snapshot
from intranet.records.files import yamlio
from intranet.records.rulebook.rules import POLICY_PATH

ROOT = "policy-proposals"
WAITING, APPROVED, REFUSED, STALE = "waiting", "approved", "refused", "stale"
STATUSES = (WAITING, APPROVED, REFUSED, STALE)
MAX_REASON = 2000
_ID = re.compile(r"^PP(\d{6})$")
_FILE = re.compile(r"^(PP\d{6})\.yaml$")
ORDER: dict[str, Any] = {k: None for k in (
    "id", "status", "proposer", "reason", "created", "base", "decided_by", "decided_at",
    "comment", "text")}


def is_proposal_id(value: str) -> bool:
    """Tell whether a string looks like a proposal id (PP000001)."""
    return bool(_ID.match(value or ""))


def proposal_path(proposal_id: str) -> str:
    """Return where a proposal lives."""
    return f"{ROOT}/{proposal_id}.yaml"


def dump(proposal: dict[str, Any]) -> bytes:
    """Return the canonical bytes of a proposal."""
    return yamlio.dump({k: v for k, v in proposal.items() if not k.startswith("_")}, ORDER)


def load_all(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Return every readable proposal at a snapshot by id."""
    found: dict[str, dict[str, Any]] = {}
    for name in snapshot.listdir(ROOT):
        match = _FILE.match(name)
        if not match:
            continue
        try:
            data = yamlio.load(snapshot.read(f"{ROOT}/{name}"), f"{ROOT}/{name}")
        except CorruptRecord:
            continue  # a hand-damaged proposal proposes nothing
        if isinstance(data, dict) and data.get("id") == match.group(1):
            found[match.group(1)] = data
    return found


def get(snapshot: Snapshot, proposal_id: str) -> dict[str, Any] | None:
    """Return one proposal, or None."""
    return load_all(snapshot).get(proposal_id) if is_proposal_id(proposal_id) else None


def waiting(snapshot: Snapshot) -> list[dict[str, Any]]:
    """Return the proposals that wait for a decision, oldest first."""
    return sorted((p for p in load_all(snapshot).values() if p.get("status") == WAITING),
                  key=lambda p: str(p.get("id")))


def all_newest_first(snapshot: Snapshot) -> list[dict[str, Any]]:
    """Return every proposal, newest first."""
    return sorted(load_all(snapshot).values(), key=lambda p: str(p.get("id")), reverse=True)


def next_id(snapshot: Snapshot) -> str:
    """Return the id the next proposal takes."""
    numbers = [int(m.group(1)) for m in map(_ID.match, load_all(snapshot)) if m]
    return f"PP{max(numbers, default=0) + 1:06d}"


def is_stale(snapshot: Snapshot, proposal: dict[str, Any]) -> bool:
    """Tell whether the policy in force changed since the proposal was made."""
    return (snapshot.blob_id(POLICY_PATH) or "") != str(proposal.get("base") or "")


def diff(snapshot: Snapshot, proposal: dict[str, Any]) -> list[str]:
    """Return the unified diff from the policy in force to the proposed text."""
    current = (snapshot.get(POLICY_PATH) or b"").decode("utf-8", "replace").splitlines()
    proposed = str(proposal.get("text") or "").splitlines()
    return list(difflib.unified_diff(current, proposed, "policy.yaml",
                                     f"{proposal.get('id')}", lineterm="", n=3))


def proposer_of_versions(archive: Archive, versions: list[Any]) -> dict[str, str]:
    """Return ``{commit: proposer username}`` for the policy versions approved from a proposal.

    ``versions`` come from ``archive.log(POLICY_PATH)``: a version whose commit also wrote a
    proposal file takes its proposer from that file at that commit.
    """
    wrote = {v.commit: v.paths for v in archive.log(ROOT, with_paths=True)}
    found: dict[str, str] = {}
    for version in versions:
        path = next((p for _, p in wrote.get(version.commit, ()) if p.startswith(f"{ROOT}/")),
                    None)
        if path is None:
            continue
        try:
            data = yamlio.load(archive.read(path, version.commit), path)
        except ArchiveError:  # a damaged or missing proposal: the history shows the author
            continue
        if isinstance(data, dict) and data.get("proposer"):
            found[version.commit] = str(data["proposer"])
    return found
