"""From a spreadsheet row to a complete customer record: values, custodian, check (R4, R33).

A row's clean values (``sheets.cells.convert``) fill an empty record of the card, kept at the
personal level by the member of staff the row names (by username or name, folded), else the
import's custodian, else the importer. The record is checked as any file is; the sections the
empty template leaves as they are need no second look.
"""

from __future__ import annotations

import contextlib
import functools
import pickle
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from intranet.records.files.formats import nfkc
from intranet.records.files.messages import N_, FieldError
from intranet.records.files.schema import (
    CARDS,
    PHONE,
    POSTCODE,
    REQUIRED,
    REQUIRED_COMMON,
    field_at,
    label,
    new_record,
)
from intranet.records.files.validate import normalise, set_path, validate
from intranet.records.imports.import_duplicates import person_of
from intranet.records.rights import access
from intranet.records.rulebook.policy import LEVELS
from intranet.records.rulebook.rules import Rules

PERSONAL = LEVELS[-1]
CUSTODIAN = "custodian"
# Stands in for the id while a new record is checked; the commit gives the real one.
PLACEHOLDER_ID = "C000000"
_SPACE = re.compile(r"\s+")
# The reader's own note for it (sheets.values.TAX_ID_CHECKSUM); the same msgid when it is not.
CHECKSUM = N_("The 統一編號 {value} fails its checksum; it was kept, check it")


@dataclass(frozen=True)
class Reason:
    """Why a row is refused, or a note on it: a field (target path), a msgid and its values.

    Messages take ``{name}`` parameters (str.format) like ``validate.FieldError`` and the
    reader's; ``text`` also accepts ``%(name)s`` ones.
    """

    path: str
    message: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    column: int | None = None

    def text(self, gettext: Callable[[str], str] = str, labels: bool = True) -> str:
        """Return the message translated, with its field's label in front."""
        message = gettext(self.message)
        with contextlib.suppress(KeyError, ValueError, IndexError, TypeError):
            message = message % self.params if "%(" in message else \
                message.format(**self.params)
        if labels and self.path:
            return f"{gettext(label(self.path))}: {message}"
        return message


@dataclass
class Incoming:
    """One converted row: its number in the sheet, its clean values by target, its problems."""

    number: int
    values: dict[str, Any]
    problems: list[Reason] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)


def from_converted(number: int, converted: Any) -> Incoming:
    """Return the Incoming row of a ``sheets.cells.Converted`` result."""

    def reasons(items: Iterable[Any]) -> list[Reason]:
        return [Reason(str(p.target or ""), p.message, dict(p.params or {}), p.column)
                for p in items]

    return Incoming(number, dict(converted.values), reasons(converted.problems),
                    reasons(converted.notes))


class StaffNames:
    """Find a member of staff by username or name as a sheet writes it (R33: who keeps files).

    Only active staff who may hold files count. Names are compared folded: full-width and
    half-width, Traditional and Simplified, spaces and case alike; a name two people share
    finds nobody.
    """

    def __init__(self, rules: Rules) -> None:
        """Index the active members who may hold files."""
        self.rules = rules
        self._users: dict[str, str] = {}
        names: dict[str, set[str]] = {}
        for member in rules.directory.staff:
            username = str(member.get("username") or "")
            if not self.may_hold(username):
                continue
            self._users[username.casefold()] = username
            key = _fold(str(member.get("name") or ""))
            if key:
                names.setdefault(key, set()).add(username)
        self._names = {k: next(iter(v)) for k, v in names.items() if len(v) == 1}

    def may_hold(self, username: str) -> bool:
        """Tell whether a member of staff may be a file's custodian."""
        directory = self.rules.directory
        actor = access.Actor(username, directory.role(username),
                             str((directory.member(username) or {}).get("department") or ""))
        return bool(username) and access.may_create(actor, self.rules.policy, directory)

    def find(self, text: Any) -> str | None:
        """Return the username a cell names, or None."""
        if not isinstance(text, str) or not text.strip():
            return None
        plain = text.strip()
        return self._users.get(plain.casefold()) or self._names.get(_fold(plain))

    def department(self, username: str) -> str:
        """Return a member's department id."""
        return str((self.rules.directory.member(username) or {}).get("department") or "")


def _fold(text: str) -> str:
    from intranet.index.text import fold  # the character table loads on first use only

    return _SPACE.sub("", fold(text))


def build_record(values: dict[str, Any], card: str, owner: str,
                 department: str) -> dict[str, Any]:
    """Return the complete, normalised record a row's values make, kept by ``owner``."""
    record = _template(card)
    for key, value in values.items():
        if key not in (CUSTODIAN, "card") and not key.startswith("people."):
            set_path(record, key, _tidy(key, value))
    person = person_of({k: _tidy(k, v) for k, v in values.items()})
    if person:
        record["people"] = [person]
    record["source"] = "import"
    record["custody"] = {"level": PERSONAL, "owner": owner, "department": department,
                         "contacts": []}
    return record


@functools.cache
def _blank(card: str) -> dict[str, Any]:
    """Return the normalised empty record of a card (shared: never change it)."""
    return normalise(new_record(card, PLACEHOLDER_ID))


@functools.cache
def _template_bytes(card: str) -> bytes:
    return pickle.dumps(_blank(card))


# The top-level sections that hold a required field: always checked.
_ALWAYS = frozenset(path.split(".")[0] for paths in (REQUIRED_COMMON, *REQUIRED.values())
                    for path in paths)


def check(record: dict[str, Any], rules: Rules) -> list[FieldError]:
    """Return what ``validate`` and ``check_people`` say of a record made from a template.

    The sections still as the empty template has them are valid by construction and are not
    walked again (validating thousands of rows stays quick); the result is the same.
    """
    card = record.get("card")
    blank = _blank(card) if card in CARDS else {}
    sparse = {key: value for key, value in record.items()
              if key in _ALWAYS or key not in blank or value != blank[key]}
    return validate(sparse, rules.policy) + rules.check_people(record)


def _template(card: str) -> dict[str, Any]:
    """Return a fresh complete empty record of a card, in normalised form (fast to copy)."""
    return pickle.loads(_template_bytes(card))


def _tidy(path: str, value: Any) -> Any:
    """Return a value as ``validate.normalise`` leaves it: text trimmed, phones in ASCII."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    return nfkc(value) if _phone_like(path) else value


@functools.cache
def _phone_like(path: str) -> bool:
    found = field_at(path)
    return found is not None and found.kind in (PHONE, POSTCODE)


def reason_of(error: FieldError) -> Reason:
    """Return a validation error as a row's reason."""
    return Reason(error.path, error.message, dict(error.params))
