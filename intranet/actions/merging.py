"""Find the files that may hold one customer, and merge two of them into one (R4).

Who may look for duplicates and merge is policy data (``duplicates.roles``); a merge also
needs the right to edit both files. Both are checked inside the commit's build, against the
head it follows, so a role or grant lost since the page was shown is seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..archive.repository import Snapshot
from ..records.files import merging, retired
from ..records.files.customers import CustomerFiles
from ..records.files.keys import record_keys
from ..records.files.messages import N_
from ..records.rulebook.rules import Rules, load_rules
from . import ActionError, Forbidden
from .credit import settler
from .rights import require

# Strongest first: one 統一編號 is one company; a name or a phone only suggests it.
KIND_ORDER = ("tax", "name", "phone")


def may_find(rules: Rules, username: str) -> bool:
    """Tell whether an active member of staff has a role that finds and merges duplicates."""
    return rules.directory.is_active(username) and \
        rules.directory.role(username) in rules.policy.duplicate_roles


@dataclass
class Match:
    """An existing file that shares a key with a record being opened, and which keys."""

    id: str
    kinds: list[str] = field(default_factory=list)


def matches(index: Any, record: dict[str, Any], exclude: str = "") -> list[Match]:
    """Return the files sharing a 統一編號, folded name or phone with a record, strongest first.

    The same rules as the import's: the tax id equal (eight digits), the name key equal, the
    phone key equal (``records.files.keys``). One indexed lookup: cheap enough to run on every save.
    """
    pairs = record_keys(record)
    if not pairs:
        return []
    found: dict[str, Match] = {}
    for (kind, _key), ids in index.matches(pairs).items():
        for customer_id in ids:
            if customer_id != exclude:
                found.setdefault(customer_id, Match(customer_id)).kinds.append(kind)
    for match in found.values():
        match.kinds.sort(key=KIND_ORDER.index)
    return sorted(found.values(), key=lambda m: (KIND_ORDER.index(m.kinds[0]), m.id))


def groups(index: Any, limit: int = 500) -> list[dict[str, Any]]:
    """Return groups of files sharing a key: {kind, ids}, 統一編號 first, then name, phone.

    The key itself is not returned: a 統一編號 or phone is a file's contents, and the finder
    lists files by their catalogue card only.
    """
    return [{"kind": kind, "ids": ids} for kind, ids in index.duplicate_groups(limit)]


def _refuse_unless_allowed(snapshot: Snapshot, username: str, ids: dict[str, Any]) -> None:
    """Refuse unless the actor's role merges files and they may edit every file named."""
    rules = load_rules(snapshot)
    if not may_find(rules, username):
        raise Forbidden(N_("Your role may not merge customer files."))
    for customer_id, record in ids.items():
        require(snapshot, username, "edit", customer_id, record)


def merge(files: CustomerFiles, username: str, kept_id: str, retired_id: str, base: str,
          today: date, choices: dict[str, str] | None = None, when: Any = None,
          ) -> tuple[str, merging.Plan]:
    """Merge ``retired_id`` into ``kept_id`` as the actor, as both were at ``base``.

    Forbidden (nothing written) without the role or the right to edit both files; Conflict
    when either file changed since ``base``; NotFound when either is not there.
    """
    if kept_id == retired_id:
        raise ActionError(N_("Choose two different files to merge."))

    def guard(snapshot: Snapshot, kept: dict[str, Any], gone: dict[str, Any]) -> None:
        _refuse_unless_allowed(snapshot, username, {kept_id: kept, retired_id: gone})

    return merging.merge(files, kept_id, retired_id, username, base=base, today=today,
                         choices=choices, guard=guard, when=when,
                         settle=settler(username, when))


def preview(files: CustomerFiles, username: str, kept_id: str, retired_id: str,
            ) -> tuple[str, dict[str, Any], dict[str, Any], merging.Plan]:
    """Return (head, kept, retired, plan) for the merge page; Forbidden as ``merge``."""
    if kept_id == retired_id:
        raise ActionError(N_("Choose two different files to merge."))
    snapshot = files.archive.snapshot()
    kept, gone = merging.load_pair(snapshot, kept_id, retired_id)
    _refuse_unless_allowed(snapshot, username, {kept_id: kept, retired_id: gone})
    return str(snapshot.commit), kept, gone, merging.plan(kept_id, kept, retired_id, gone,
                                                          snapshot)


def kept_for(files: CustomerFiles, customer_id: str) -> str | None:
    """Return the file a retired id was merged into (following later merges), or None."""
    return retired.kept_for(files.archive.snapshot(), customer_id)
