"""One change to a file at the head, checked where it is saved: the shared path of actions.

Entries, documents, the customer form's review, the sales-power table: each is an addition
applied to the head's record in one commit. ``amend`` asks the access rules for the actor's
right at the head the commit follows (so a grant revoked meanwhile is seen) and refuses any
result whose custody differs from the head's: only ``actions.custody`` changes custody.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ..archive.objects import Identity
from ..archive.repository import Snapshot
from ..records.files.customers import CustomerFiles, ExtraFiles
from ..records.files.messages import N_
from . import Forbidden
from .rights import custody_of, require

Apply = Callable[[dict[str, Any], Snapshot], "dict[str, Any] | None"]


def amend(files: CustomerFiles, username: str, customer_id: str, apply: Apply, *,
          action: str, right: str = "edit", source: str | None = None, when: Any = None,
          extra: ExtraFiles | None = None, author: str | Identity | None = None,
          ) -> str | None:
    """Apply a change to the head's record as one commit if ``username`` may do ``right``.

    ``author`` defaults to the actor (a customer's own form is authored by the customer).
    Returns the commit, or None when nothing changed; Forbidden before anything is written.
    """

    def checked(record: dict[str, Any], snapshot: Snapshot) -> dict[str, Any] | None:
        if right:
            require(snapshot, username, right, customer_id, record)
        before = copy.deepcopy(record.get("custody"))
        after = apply(record, snapshot)
        if after is not None and custody_of({"custody": before}) != custody_of(after):
            raise Forbidden(N_("Custody changes only on the custody page."))
        return after

    return files.amend(customer_id, checked, author if author is not None else username,
                       action=action, source=source, when=when, files=extra)


class Checked:
    """A ``CustomerFiles`` whose ``amend`` goes through ``amend`` above, for the domain's
    helpers (``records.files.entries``, ``records.files.documents``) that take the files and
    amend once.
    """

    def __init__(self, files: CustomerFiles, username: str, right: str = "edit") -> None:
        """Remember the files, the actor and the right every amendment needs."""
        self.files = files
        self.username = username
        self.right = right

    def __getattr__(self, name: str) -> Any:
        """Read everything else from the real files (loading, history)."""
        return getattr(self.files, name)

    def amend(self, customer_id: str, apply: Apply, author: str | Identity,
              action: str = "update", source: str | None = None, when: Any = None,
              files: ExtraFiles | None = None) -> str | None:
        """Amend as the actor, checked at the head (see ``amend``)."""
        return amend(self.files, self.username, customer_id, apply, action=action,
                     right=self.right, source=source, when=when, extra=files, author=author)
