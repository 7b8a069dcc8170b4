"""Customer files in the archive: create, read, save with merge, restore, compare.

This is the only place that turns records into commits. A save carries the revision its
form was loaded from; inside the archive's compare-and-swap loop the record is merged with
whatever was committed since, so another person's change is either kept or reported as a
conflict, never overwritten unseen.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from intranet.archive.errors import ArchiveError, Conflict, CorruptRecord, NotFound
from intranet.archive.objects import Identity
from intranet.archive.repository import Archive, Change, Snapshot, Version
from intranet.records.files import retired, yamlio
from intranet.records.files.diff import Change as FieldChange
from intranet.records.files.diff import MergeConflict, diff, merge3
from intranet.records.files.messages import FieldError
from intranet.records.files.schema import SOURCES, label
from intranet.records.files.validate import normalise, validate
from intranet.records.rulebook.rules import Rules, load_rules

_ID = re.compile(r"^C(\d{6})$")
_PATH = re.compile(r"^customers/(\d{4})/(C\d{6})\.yaml$")
PREFIX = "customers/"
# Lists that grow by appending; a commit message counts the new entries.
# amend(): the new record from the head's record; other files for the same commit.
Amendment = Callable[[dict[str, Any], Snapshot], "dict[str, Any] | None"]
ExtraFiles = Callable[[Snapshot, dict[str, Any]], "dict[str, bytes | None]"]
# guard(snapshot, head record or None): called inside the commit's build, against the head the
# commit will follow, so a right revoked meanwhile is seen; it raises to write nothing.
Guard = Callable[[Snapshot, "dict[str, Any] | None"], None]
# settle(snapshot, id, head record or None, new record): the new record as it may be saved
# (e.g. the credit approval of R28 set or cleared); it raises to write nothing.
Settle = Callable[[Snapshot, str, "dict[str, Any] | None", dict[str, Any]], dict[str, Any]]
_LOGS = ("contacts", "events", "yearly", "documents", "tasks", "proposals")


class InvalidRecord(ArchiveError):
    """Raised when a record does not validate; nothing was written."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.path}: {e}" for e in errors))
        self.errors = errors


def is_customer_id(value: str) -> bool:
    """Tell whether ``value`` is a well-formed customer id such as C000042."""
    return bool(_ID.match(value or ""))


def customer_path(customer_id: str) -> str:
    """Return where a customer's file lives: folders of 100 by the id's first four digits."""
    match = _ID.match(customer_id or "")
    if not match:
        raise NotFound(customer_id)
    return f"{PREFIX}{match.group(1)[:4]}/{customer_id}.yaml"


def id_from_path(path: str) -> str | None:
    """Return the customer id a path holds, or None if it is not a customer file."""
    match = _PATH.match(path)
    if not match or match.group(2)[1:5] != match.group(1):
        return None
    return match.group(2)


@dataclass
class SaveConflict:
    """What a conflicting save found: the collisions, the merge so far, and the head."""

    conflicts: list[MergeConflict]
    merged: dict[str, Any]
    theirs: dict[str, Any]
    head: str


@dataclass
class Loaded:
    """One customer file at one commit, whether it loads cleanly or not."""

    id: str
    commit: str
    raw: bytes
    record: dict[str, Any] | None
    problem: str | None = None  # why the file is damaged; None when it is sound
    errors: list[FieldError] = field(default_factory=list)

    @property
    def damaged(self) -> bool:
        """Tell whether the file fails to parse or validate."""
        return self.problem is not None

    @property
    def name(self) -> str:
        """Return the customer's name, or "" when it cannot be read."""
        basic = (self.record or {}).get("basic")
        return str(basic.get("name") or "") if isinstance(basic, dict) else ""


def check(raw: bytes, path: str, rules: Rules | None
          ) -> tuple[dict | None, str | None, list[FieldError]]:
    """Parse and validate a file (parse only without rules); return (record, problem, errors)."""
    try:
        record = yamlio.load(raw, path)
    except CorruptRecord as exc:
        return None, exc.reason, []
    if rules is None:
        return record, None, []
    errors = validate(record, rules.policy) + rules.check_people(record)
    expected = id_from_path(path)
    if expected and record.get("id") != expected:
        errors.append(FieldError("id", "The id does not match the file name {expected}",
                                 {"expected": expected}))
    if errors:
        return record, "; ".join(f"{e.path}: {e}" for e in errors), errors
    return record, None, []


class CustomerFiles:
    """Customer records stored as canonical YAML in the archive."""

    def __init__(self, archive: Archive):
        self.archive = archive

    def rules(self, snapshot: Snapshot) -> Rules:
        """Return the policy and staff directory as of a snapshot."""
        return load_rules(snapshot)

    def load(self, customer_id: str, rev: str | None = None, checked: bool = True) -> Loaded:
        """Return a customer file at ``rev`` (default: head); NotFound if it is not there.

        ``checked=False`` only parses: for the base of a save, which validates its result once.
        """
        path = customer_path(customer_id)
        snapshot = self.archive.snapshot(rev)
        raw = snapshot.get(path)
        if raw is None or snapshot.commit is None:
            raise NotFound(customer_id)
        record, problem, errors = check(raw, path, self.rules(snapshot) if checked else None)
        return Loaded(customer_id, snapshot.commit, raw, record, problem, errors)

    def next_id(self, snapshot: Snapshot) -> str:
        """Return the id after the highest one at the snapshot, retired ids counted (R4).

        A file merged into another is deleted, but its id still leads to the kept file: the
        register of merges (``records.files.retired``) keeps it from being given out again.
        """
        highest = retired.highest(snapshot)
        for folder in reversed(snapshot.listdir(PREFIX.rstrip("/"))):
            ids = [n[:-5] for n in snapshot.listdir(PREFIX + folder) if _ID.match(n[:-5])]
            if ids:
                highest = max(highest, int(max(ids)[1:]))
                break
        return f"C{highest + 1:06d}"

    def create(self, record: dict[str, Any], author: str, when: Any = None,
               source: str | None = None, guard: Guard | None = None,
               settle: Settle | None = None) -> tuple[str, str]:
        """Commit a new customer file under the next free id; return (id, commit)."""
        created: dict[str, str] = {}

        def build(snapshot: Snapshot) -> Change:
            # Run again on a race, so the id is always the next one at the head we follow.
            rules = self.rules(snapshot)
            if guard:
                guard(snapshot, None)
            new = normalise({**record, "id": self.next_id(snapshot)})
            self._require_valid(new, rules)
            if settle:  # after validation: a field's own error is told first
                new = settle(snapshot, new["id"], None, new)
            created["id"] = new["id"]
            name = new["basic"]["name"]
            message = _message(f"新增 {new['id']} {name}", new["id"], "create",
                               _source(source))
            return Change({customer_path(new["id"]): yamlio.dump(new)}, message)

        commit = self.archive.commit(build, self._identity(author), when=when)
        return created["id"], commit

    def save(self, customer_id: str, record: dict[str, Any], base: str, author: str,
             when: Any = None, source: str | None = None, *,
             base_record: dict[str, Any] | None = None, guard: Guard | None = None,
             keep: tuple[str, ...] = (), settle: Settle | None = None) -> str | None:
        """Commit an edited record that was loaded at ``base``; merge or raise Conflict.

        ``base_record`` is the record at ``base`` when the caller parsed it already; when the
        head still holds the base's bytes it is not parsed again. The sections in ``keep`` are
        always the head's. Returns the new commit, or None when the record changed nothing.
        """
        path = customer_path(customer_id)
        if base_record is None:
            base_loaded = self.load(customer_id, base, checked=False)
            if base_loaded.record is None:
                raise CorruptRecord(path, base_loaded.problem or "")
            base_record = base_loaded.record
        base_blob = self.archive.snapshot(base).blob_id(path)
        mine = normalise({**record, "id": customer_id})
        made: dict[str, bool] = {}

        def build(snapshot: Snapshot) -> Change | None:
            raw = snapshot.get(path)
            if raw is None:
                raise NotFound(customer_id)
            rules = self.rules(snapshot)
            same = snapshot.blob_id(path) == base_blob
            # The head still holds what the form was loaded from: no second parse.
            theirs, problem, _ = (base_record, None, []) if same else check(raw, path, None)
            if theirs is None:
                raise CorruptRecord(path, problem or "")
            if guard:
                guard(snapshot, theirs)
            merged, conflicts = merge3(base_record, mine, theirs)
            if conflicts:
                # The merged record (mine where we collide) and the head let a conflict page
                # offer both values without dropping the other person's other changes.
                raise Conflict([c.path for c in conflicts],
                               details=SaveConflict(conflicts, merged, theirs, snapshot.commit))
            for section in keep:
                _take(merged, theirs, section)
            merged = merged if same else normalise(merged)  # mine was normalised above
            self._require_valid(merged, rules)
            if settle:  # merged is valid; settle only sets the approval's two texts
                merged = settle(snapshot, customer_id, theirs, merged)
            data = yamlio.dump(merged)
            made.clear()
            if data == raw:
                return None
            made["commit"] = True
            summary = describe(theirs, merged)
            name = merged["basic"]["name"]
            return Change({path: data},
                          _message(f"更新 {customer_id} {name}：{summary}", customer_id, "update",
                                   _source(source)))

        commit = self.archive.commit(build, self._identity(author), when=when)
        return commit if made else None

    def amend(self, customer_id: str, apply: Amendment, author: str | Identity,
              action: str = "update", source: str | None = None, when: Any = None,
              files: ExtraFiles | None = None, *, trailers: dict[str, str] | None = None,
              body: str = "", verb: str = "更新") -> str | None:
        """Apply a change to the file as it is at the head, as one commit; None if no change.

        For additions that cannot collide with anyone's edit (a contact entry, a document,
        a task): ``apply`` gets a copy of the head's record and the snapshot on every attempt
        and returns the new record, or None to change nothing. ``files`` may add other paths
        (a document's bytes) to the same commit. InvalidRecord if the result does not validate.
        """
        path = customer_path(customer_id)
        extra = {**_source(source), **(trailers or {})}
        made: dict[str, bool] = {}

        def build(snapshot: Snapshot) -> Change | None:
            made.clear()
            raw = snapshot.get(path)
            if raw is None:
                raise NotFound(customer_id)
            rules = self.rules(snapshot)
            before, problem, _ = check(raw, path, None)
            if before is None:
                raise CorruptRecord(path, problem or "")
            after = apply(copy.deepcopy(before), snapshot)
            if after is None:
                return None
            after = normalise({**after, "id": customer_id})
            self._require_valid(after, rules)
            data = yamlio.dump(after)
            others = files(snapshot, after) if files else {}
            if data == raw and not others:
                return None
            made["commit"] = True
            subject = f"{verb} {customer_id} {after['basic']['name']}：{describe(before, after)}"
            return Change({path: data, **others},
                          _message(subject, customer_id, action, extra, body))

        commit = self.archive.commit(build, self._identity(author), when=when)
        return commit if made else None

    def restore(self, customer_id: str, version: str, base: str, author: str, *,
                guard: Guard | None = None, keep: tuple[str, ...] = (),
                settle: Settle | None = None, body: str = "",
                trailers: dict[str, str] | None = None) -> str | None:
        """Commit the file as it was at ``version``, if nobody changed it since ``base``.

        The sections in ``keep`` stay as they are at the head (when the head parses);
        ``body`` and ``trailers`` say so in the commit message.
        """
        path = customer_path(customer_id)
        old = self.load(customer_id, version)
        if old.record is None or old.damaged:
            raise CorruptRecord(path, old.problem or "")
        expected = self.archive.snapshot(base).blob_id(path)

        def build(snapshot: Snapshot) -> Change | None:
            if snapshot.blob_id(path) != expected:
                # Restoring over a change the user has not seen would lose it.
                raise Conflict(["*"])
            raw = snapshot.get(path)
            now = check(raw, path, None)[0] if raw is not None else None
            if guard:
                guard(snapshot, now)
            restored = copy.deepcopy(old.record)
            for section in keep:
                if now is not None:
                    _take(restored, now, section)
            if settle:
                restored = normalise(settle(snapshot, customer_id, now, restored))
            data = yamlio.dump(normalise(restored) if keep or settle else restored)
            if snapshot.get(path) == data:
                return None
            name = old.record["basic"]["name"]
            subject = f"還原 {customer_id} {name} 至 {old.commit[:10]}"
            return Change({path: data}, _message(subject, customer_id, "restore",
                                                 {"Restored-From": old.commit,
                                                  **(trailers or {})}, body))

        return self.archive.commit(build, self._identity(author))

    def compare(self, customer_id: str, old: str | None, new: str) -> list[FieldChange]:
        """Return the field-by-field changes between two versions (old None: from nothing)."""
        after = self.load(customer_id, new)
        before = self.load(customer_id, old) if old else None
        return diff(before.record if before else {}, after.record or {})

    def history(self, customer_id: str) -> list[Version]:
        """Return the file's versions, newest first, by walking git's log."""
        return self.archive.log(customer_path(customer_id))

    def _require_valid(self, record: dict[str, Any], rules: Rules) -> None:
        errors = validate(record, rules.policy) + rules.check_people(record)
        if errors:
            raise InvalidRecord(errors)

    def _identity(self, username: str | Identity) -> Identity:
        if isinstance(username, Identity):
            return username  # someone without an account, e.g. a customer's own form
        snapshot = self.archive.snapshot()
        return self.rules(snapshot).identity(username)


def describe(before: dict[str, Any], after: dict[str, Any], limit: int = 6) -> str:
    """Summarise what changed for a commit message: ``電話、地址、聯絡記錄 +1``."""
    labels: list[str] = []
    counted: set[str] = set()
    for section in _LOGS:
        old, new = before.get(section) or [], after.get(section) or []
        if len(new) > len(old) and new[: len(old)] == old:
            labels.append(f"{label(section, zh=True)} +{len(new) - len(old)}")
            counted.add(section)
    for change in diff(before, after):
        section = change.path.split(".")[0].split("[")[0]
        if section in counted:
            continue
        text = label(section if "[" in change.path else change.path, zh=True)
        if text not in labels:
            labels.append(text)
    if not labels:
        return "無變更"
    return "、".join(labels[:limit]) + ("等" if len(labels) > limit else "")


def _source(source: str | None) -> dict[str, str]:
    """Return the ``Source:`` trailer for where a change came from (R10), if known."""
    if source is not None and source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    return {"Source": source} if source else {}


def _take(record: dict[str, Any], source: dict[str, Any], section: str) -> None:
    """Set a record's section to a copy of another record's (or drop it if that has none)."""
    if section in source:
        record[section] = copy.deepcopy(source[section])
    else:
        record.pop(section, None)


def _message(subject: str, customer_id: str, action: str,
             extra: dict[str, str] | None = None, body: str = "") -> str:
    trailers = {"Customer": customer_id, "Action": action, **(extra or {})}
    middle = body.strip() + "\n\n" if body.strip() else ""
    return (subject + "\n\n" + middle
            + "\n".join(f"{k}: {v}" for k, v in trailers.items()) + "\n")
