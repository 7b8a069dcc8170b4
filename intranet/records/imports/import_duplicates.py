"""How an imported row meets the files it duplicates: compare, fill the empty, report the rest (R4).

A row that duplicates an earlier row or an existing file is merged into it: the fields that
are empty there are filled from the row, and a field filled on both sides with different
values (after folding width, spaces and case, and comparing names, phones and 統一編號 by their
keys) is a conflict, reported and never overwritten. The first person of a row joins the
people of the file: as the person of the same name (their empty fields filled), or appended.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from intranet.records.files.formats import nfkc
from intranet.records.files.keys import name_key, phone_key, tax_id_text
from intranet.records.files.schema import new_item
from intranet.records.files.validate import get_path, set_path

# Targets that are not fields of the file a row is merged into.
NOT_FIELDS = frozenset({"custodian"})
PEOPLE = "people."
_SPACE = re.compile(r"\s+")
_TAX = re.compile(r"^\d{8}$")


@dataclass(frozen=True)
class Conflict:
    """A field both sides fill with different values: the row's value and the file's.

    ``theirs`` is None when the file may not be read by the importer (it is never shown).
    """

    path: str
    ours: Any
    theirs: Any


def empty(value: Any) -> bool:
    """Tell whether a value counts as not filled in."""
    return value is None or value == [] or value == {} or (
        isinstance(value, str) and not value.strip())


def tax8(value: Any) -> str:
    """Return a 統一編號 as eight digits, or "" when it is not one (only those are compared)."""
    text = tax_id_text(value)
    return text if _TAX.match(text) else ""


def same(path: str, a: Any, b: Any) -> bool:
    """Tell whether two values of a field are the same once normalised."""
    last = path.rsplit(".", 1)[-1]
    if path == "basic.name":
        return (name_key(a) or _text(a)) == (name_key(b) or _text(b))
    if last in ("phone", "fax"):
        return (phone_key(a) or _text(a)) == (phone_key(b) or _text(b))
    if path == "basic.tax_id":
        return tax_id_text(a) == tax_id_text(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    return _text(a) == _text(b)


def _text(value: Any) -> str:
    """Return a value folded for comparison: width, spaces and case ignored."""
    return _SPACE.sub("", nfkc(str(value))).casefold() if value is not None else ""


def person_of(values: dict[str, Any]) -> dict[str, Any]:
    """Return the row's first person (``people.*`` targets) as a people item, or {}."""
    found = {k[len(PEOPLE):]: v for k, v in values.items()
             if k.startswith(PEOPLE) and not empty(v)}
    return {**new_item("people"), **found} if found else {}


def fill(record: dict[str, Any], values: dict[str, Any], readable: bool = True,
         ) -> tuple[list[str], list[Conflict]]:
    """Fill ``record``'s empty fields from a row's values in place; return (fills, conflicts).

    ``fills`` are the paths filled (``people`` when a person was added); conflicts carry the
    file's value only when ``readable``.
    """
    fills: list[str] = []
    conflicts: list[Conflict] = []
    for path, value in values.items():
        if path in NOT_FIELDS or path.startswith(PEOPLE) or empty(value):
            continue
        current = get_path(record, path)
        if empty(current):
            set_path(record, path, value)
            fills.append(path)
        elif not same(path, current, value):
            conflicts.append(Conflict(path, value, current if readable else None))
    person = person_of(values)
    if person:
        _fill_person(record, person, readable, fills, conflicts)
    return fills, conflicts


def _fill_person(record: dict[str, Any], person: dict[str, Any], readable: bool,
                 fills: list[str], conflicts: list[Conflict]) -> None:
    """Join the row's person to the file's people: fill the one of the same name, or add."""
    people = record.get("people")
    if not isinstance(people, list):
        people = record["people"] = []
    wanted = _text(person.get("name"))
    for i, known in enumerate(people):
        if not isinstance(known, dict):
            continue
        if (wanted and _text(known.get("name")) == wanted) or (
                not wanted and i == 0):
            for key, value in person.items():
                if empty(value):
                    continue
                where = f"people[{i}].{key}"
                if empty(known.get(key)):
                    known[key] = copy.deepcopy(value)
                    fills.append(where)
                elif not same(f"people.{key}", known[key], value):
                    conflicts.append(Conflict(where, value, known[key] if readable else None))
            return
    if not wanted and people:
        return  # a nameless contact cannot be told apart from the file's people
    people.append(copy.deepcopy(person))
    fills.append("people")


@dataclass
class Keys:
    """What duplicates are found by: eight-digit 統一編號, folded name, phone (each or "")."""

    tax: str
    name: str
    phone: str

    @classmethod
    def of(cls, record: dict[str, Any]) -> Keys:
        """Return a record's keys."""
        basic = record.get("basic") if isinstance(record.get("basic"), dict) else {}
        return cls(tax8(basic.get("tax_id")), name_key(basic.get("name")),
                   phone_key(basic.get("phone")))

    def pairs(self) -> list[tuple[str, str]]:
        """Return the (kind, key) pairs the index is asked about, blanks left out."""
        return [(k, v) for k, v in (("tax", self.tax), ("name", self.name),
                                    ("phone", self.phone)) if v]

    def exact(self, other: Keys) -> bool:
        """Tell whether two rows are the same customer without a 統一編號 to say so.

        Same folded name and same phone, neither side with a 統一編號.
        """
        return not self.tax and not other.tax and bool(self.name) and \
            self.name == other.name and bool(self.phone) and self.phone == other.phone

    def apart(self, other: Keys) -> bool:
        """Tell whether two different 統一編號 make them two customers, whatever the names."""
        return bool(self.tax and other.tax and self.tax != other.tax)
