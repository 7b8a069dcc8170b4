"""Every read of customer files, in one place, with no Flask (R33, R35, R36).

A ``Reader`` serves one request: the archive, index and journal, the member of staff who
asks, and where from. Every method that returns anything of a file asks ``records.rights.access``
first and raises ``Hidden`` when the answer is no, the same way as for a file that does not
exist. Each answer, yes or no, is written to the audit journal once per request and action,
and flushed before anything is returned; if the journal cannot be written, nothing of the
file is returned (``AuditDown``: fail closed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..archive.errors import NotFound
from ..archive.repository import Archive, Version
from ..index import Page, Query
from ..records.files import retired
from ..records.files.customers import CustomerFiles, Loaded, is_customer_id
from ..records.files.diff import Change
from ..records.rights import access, requests
from ..records.rulebook.rules import Rules, load_rules
from ..records.trail.audit import AuditUnavailable
from .rights import request_mode

log = logging.getLogger(__name__)
# What a merged (retired) file still shows: its history and its old versions (R4).
RETIRED_READS = ("history", "version", "diff")


class Hidden(Exception):
    """Raised when a file may not be seen by the asker, or does not exist: the same answer.

    ``remedy`` (access.NEVER or access.REQUEST) and ``mode`` (the request's "read" or "edit")
    depend on the asker and the action only, never on the file, so they tell nothing of it.
    """

    def __init__(self, customer_id: str, remedy: str = access.REQUEST,
                 mode: str = "read", who: str = "") -> None:
        """Remember which id was asked for (as typed, to echo it escaped)."""
        super().__init__(customer_id)
        self.customer_id = customer_id
        self.remedy = remedy
        self.mode = mode
        self.who = who  # an English msgid naming who may, for a NEVER refusal (or "")


class AuditDown(Exception):
    """Raised when a read cannot be recorded, so it must not happen."""


class Stores(Protocol):
    """What a reader needs of the application's services."""

    archive: Archive
    files: CustomerFiles
    index: Any
    journal: Any


@dataclass
class Reader:
    """One request's reads: the stores, the asker's grants, where from, what is journalled."""

    stores: Stores
    username: str  # whose grants apply (the signed-in member of staff)
    route: str = ""
    address: str = ""
    audited: set[tuple[str, str, bool]] = field(default_factory=set)
    _rules: Rules | None = None
    _grants: list[access.Grant] | None = None
    _logs: dict[str, list[Version]] = field(default_factory=dict)

    def rules(self) -> Rules:
        """Return the policy and staff directory at the head, once per request."""
        if self._rules is None:
            self._rules = load_rules(self.stores.archive.snapshot())
        return self._rules

    def grants(self) -> list[access.Grant]:
        """Return the asker's grants in force at the head (read anew every request)."""
        if self._grants is None:
            self._grants = requests.grants_for(self.stores.archive.snapshot(),
                                               self.username) if self.username else []
        return self._grants

    def meta(self, customer_id: str) -> access.FileMeta:
        """Return a file's custody from the index; Hidden if the id names no file."""
        if not is_customer_id(customer_id):
            raise Hidden(customer_id)
        found = self.stores.index.get(customer_id)
        if found is None:
            raise Hidden(customer_id)
        return access.FileMeta.from_row(found)

    def _retired_meta(self, customer_id: str) -> access.FileMeta:
        """Return a file's custody; a merged file's is the kept file's (R4), for its history."""
        try:
            return self.meta(customer_id)
        except Hidden:
            kept = retired.kept_for(self.stores.archive.snapshot(), customer_id) \
                if is_customer_id(customer_id) else None
            if kept is None:
                raise
            # Whoever may read the kept file may read what was merged into it, as it was.
            return self.meta(kept)

    def decision(self, customer_id: str, actor: access.Actor, action: str) -> access.Decision:
        """Return what the access module says of an actor doing an action to a file."""
        r = self.rules()
        return access.decide(actor, action, self.meta(customer_id), r.policy, r.directory,
                             self.grants())

    def allow(self, customer_id: str, actor: access.Actor, action: str,
              audit: bool = True) -> access.FileMeta:
        """Return the file's custody if the actor may do the action; Hidden otherwise.

        With ``audit`` (every read of contents) the answer is journalled first.
        """
        r = self.rules()
        # How the refusal could be turned, told alike for a missing and a refused file.
        refused = Hidden(customer_id, access.remedy(actor, action, r.policy, r.directory),
                         request_mode(action))
        try:
            meta = self._retired_meta(customer_id) if action in RETIRED_READS \
                else self.meta(customer_id)
        except Hidden:
            if audit:
                self.record(customer_id, actor, action,
                            access.Decision(False, "none", "no such file"))
            raise refused from None
        answer = access.decide(actor, action, meta, r.policy, r.directory, self.grants())
        if audit:
            self.record(customer_id, actor, action, answer)
        if not answer.allowed:
            raise refused
        return meta

    def record(self, customer_id: str, actor: access.Actor, action: str,
               answer: access.Decision) -> None:
        """Journal one read or refusal, once per request, before anything is shown."""
        key = (customer_id, action, answer.allowed)
        if key in self.audited:
            return
        try:
            self.stores.journal.record(
                user=actor.username, customer=customer_id[:40], action=action,
                allowed=answer.allowed, basis=answer.basis, route=self.route,
                address=self.address)
        except AuditUnavailable as error:
            log.error("audit journal unavailable, read refused: %s", error)
            raise AuditDown(customer_id) from error
        self.audited.add(key)

    def allow_rows(self, rows: list[dict[str, Any]], actor: access.Actor,
                   action: str) -> list[dict[str, Any]]:
        """Return the index rows of files the actor may do an action to, journalling each.

        For exports: every file's answer is its own journal entry, written together with one
        lock and one flush before anything is returned (fail closed, as for one file).
        """
        r = self.rules()
        held = self.grants()
        answers = [(row, access.decide(actor, action, access.FileMeta.from_row(row), r.policy,
                                       r.directory, held)) for row in rows]
        fresh = {(str(row["id"]), action, answer.allowed): answer for row, answer in answers}
        fresh = {key: answer for key, answer in fresh.items() if key not in self.audited}
        try:
            self.stores.journal.record_many([
                {"user": actor.username, "customer": key[0][:40], "action": action,
                 "allowed": answer.allowed, "basis": answer.basis, "route": self.route,
                 "address": self.address} for key, answer in fresh.items()])
        except AuditUnavailable as error:
            log.error("audit journal unavailable, export refused: %s", error)
            raise AuditDown(action) from error
        self.audited.update(fresh)
        return [row for row, answer in answers if answer.allowed]

    def may(self, customer_id: str, actor: access.Actor, action: str) -> bool:
        """Tell whether the actor may do an action to a file (a check, not journalled)."""
        try:
            self.allow(customer_id, actor, action, audit=False)
        except Hidden:
            return False
        return True

    def may_create(self, actor: access.Actor) -> bool:
        """Tell whether the actor may open new customer files."""
        r = self.rules()
        return access.may_create(actor, r.policy, r.directory)

    def load(self, customer_id: str, actor: access.Actor, action: str = "view",
             rev: str | None = None, checked: bool = True) -> Loaded:
        """Return a customer file at ``rev`` (default: head); Hidden if refused or absent."""
        self.allow(customer_id, actor, action)
        try:
            return self.stores.files.load(customer_id, rev, checked)
        except NotFound:
            if rev is None:
                raise Hidden(customer_id) from None
            raise

    def versions(self, customer_id: str, actor: access.Actor,
                 action: str = "history") -> list[dict[str, Any]]:
        """Return a file's versions, newest first; Hidden if refused or absent."""
        self.allow(customer_id, actor, action)
        rows = self.stores.index.versions(customer_id)
        if not rows:
            raise Hidden(customer_id)
        return rows

    def version_at(self, customer_id: str, commit: str, actor: access.Actor,
                   action: str = "version") -> tuple[list[dict[str, Any]], int]:
        """Return the versions and the position of ``commit``; NotFound if not one of them."""
        rows = self.versions(customer_id, actor, action)
        for position, row in enumerate(rows):
            if row["sha"] == commit and row["status"] != "D":
                return rows, position
        raise NotFound(commit)

    def compare(self, customer_id: str, old: str | None, new: str,
                actor: access.Actor) -> list[Change] | None:
        """Return the field changes from ``old`` (None: nothing) to ``new``; None if unreadable."""
        self.allow(customer_id, actor, "diff")
        files = self.stores.files
        for rev in (old, new):
            if rev and files.load(customer_id, rev).record is None:
                return None  # a version that does not parse has no fields to compare
        return files.compare(customer_id, old, new)

    def row(self, customer_id: str, actor: access.Actor,
            action: str = "view") -> dict[str, Any] | None:
        """Return the customer's catalogue row (last change, damaged reason) from the index."""
        self.allow(customer_id, actor, action)
        return self.stores.index.get(customer_id)

    def readable(self, actor: access.Actor) -> tuple[str, list[Any]]:
        """Return the SQL condition on the index's ``customers c`` for files the actor reads."""
        r = self.rules()
        return access.readable_sql(actor, r.policy, r.directory, self.grants())

    def find(self, query: Query, actor: access.Actor, only_readable: bool = False) -> Page:
        """Return one page of the customer list; unreadable files as catalogue cards."""
        return self.stores.index.find(query, self.readable(actor), only_readable)

    def _log(self, customer_id: str) -> list[Version]:
        """Return the file's own git log once per request (the index keeps no trailers)."""
        if customer_id not in self._logs:
            # The file's own log is short: folders of 100 files, each with its own commits.
            self._logs[customer_id] = self.stores.files.history(customer_id)
        return self._logs[customer_id]

    def sources(self, customer_id: str, actor: access.Actor) -> dict[str, str]:
        """Return where each version of a file came from (its Source: trailer, R10)."""
        self.allow(customer_id, actor, "history")
        return {v.commit: v.source for v in self._log(customer_id) if v.source}

    def reasons(self, customer_id: str, actor: access.Actor) -> dict[str, str]:
        """Return the reason given for each custody change of a file (its Reason: trailer)."""
        self.allow(customer_id, actor, "history")
        return {v.commit: v.reason for v in self._log(customer_id) if v.reason}
