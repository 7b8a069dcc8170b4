"""Validate customer records against the schema, and normalise them into its full shape."""
from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING, Any

from intranet.records.files import formats
from intranet.records.files import schema as s
from intranet.records.files.messages import N_, FieldError

if TYPE_CHECKING:
    from intranet.records.rulebook.policy import Policy


_MISSING = object()
_FORMAT_CHECKS = {
    s.DATE: formats.check_date,
    s.PARTIAL_DATE: formats.check_partial_date,
    s.CUSTOMER_ID: formats.check_customer_id,
    s.EMAIL: formats.check_email,
    s.PHONE: formats.check_phone,
    s.SHA256: formats.check_sha256,
    s.USERNAME: formats.check_username,
}
_STRING_KINDS = frozenset({s.TEXT, s.ENUM, *_FORMAT_CHECKS, s.POSTCODE})


def _empty(value: Any) -> bool:
    """Tell whether a value counts as not filled in."""
    return value is _MISSING or value is None or (isinstance(value, str) and not value.strip())


def _comparable(f: s.Field, value: Any) -> bool:
    """Tell whether a value is of its declared kind, so a repeat of it means something."""
    if f.kind == s.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str) and bool(value.strip())


def get_path(record: dict[str, Any], path: str) -> Any:
    """Return the value at a dotted path (no list indices), or None if absent."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def set_path(record: dict[str, Any], path: str, value: Any) -> None:
    """Set a copy of ``value`` at a dotted path, making the groups on the way."""
    *parents, last = path.split(".")
    target = record
    for part in parents:
        if not isinstance(target.get(part), dict):
            target[part] = {}
        target = target[part]
    target[last] = copy.deepcopy(value)


class _Checker:
    """Walk one record and collect its FieldErrors."""

    def __init__(self, record: dict[str, Any], policy: Policy | None) -> None:
        """Remember the record and the enumerations the policy sets."""
        self.record = record
        self.errors: list[FieldError] = []
        self.market = record.get("market") if isinstance(record.get("market"), str) else ""
        self.policy = policy

    def add(self, path: str, message: str, **params: Any) -> None:
        """Record one error."""
        self.errors.append(FieldError(path, message, params))

    def group(self, fields: dict[str, s.Field], value: dict[str, Any], prefix: str) -> None:
        """Check every declared key of a mapping and the text of its unknown keys."""
        for key, f in fields.items():
            if key in value:
                self.value(f, value[key], prefix + key)
        for key, extra in value.items():
            if key not in fields:
                self.unknown(extra, prefix + str(key))

    def unknown(self, value: Any, path: str) -> None:
        """Check text under keys the application does not know: it must survive a write."""
        if isinstance(value, str):
            self.text(value, path, s.TEXT_LIMIT)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.text(str(key), path, s.NAME_LIMIT)
                self.unknown(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.unknown(item, f"{path}[{i}]")
        elif isinstance(value, float) and not math.isfinite(value):
            self.add(path, N_("Enter a finite number"))

    def text(self, value: str, path: str, max_len: int) -> bool:
        """Check characters and length of a string; return whether it is fine."""
        problem = formats.check_text(value, max_len)
        if problem:
            self.add(path, problem[0], **problem[1])
        return problem is None

    def value(self, f: s.Field, value: Any, path: str) -> None:
        """Check one value against its declaration."""
        kind = f.kind
        if kind == s.GROUP:
            if isinstance(value, dict):
                self.group(f.children, value, path + ".")
            else:
                self.add(path, N_("Expected a group of fields here"))
        elif kind == s.LIST:
            self.items(f, value, path)
        elif value is None:
            return  # None is "not filled in" for every scalar; REQUIRED decides
        elif kind in _STRING_KINDS:
            self.string(f, value, path)
        elif kind == s.BOOL:
            if not isinstance(value, bool):
                self.add(path, N_("Must be true or false"))
        elif kind in (s.AMOUNT, s.SIGNED_AMOUNT):
            self.amount(value, path, signed=kind == s.SIGNED_AMOUNT)
        elif kind == s.INT:
            self.integer(f, value, path)
        elif kind == s.AMOUNT_MAP:
            if not isinstance(value, dict):
                self.add(path, N_("Expected a list of names with amounts"))
                return
            for key, amount in value.items():
                self.text(str(key), f"{path}.{key}", s.NAME_LIMIT)
                if amount is not None:
                    self.amount(amount, f"{path}.{key}", signed=False)
        elif kind == s.USERNAMES:
            if not isinstance(value, list):
                self.add(path, N_("Expected a list of usernames"))
                return
            for i, name in enumerate(value):
                self.string(s.Field(s.USERNAME), name, f"{path}[{i}]")

    def items(self, f: s.Field, value: Any, path: str) -> None:
        """Check a list of mappings item by item."""
        if not isinstance(value, list):
            self.add(path, N_("Expected a list here"))
            return
        seen: set[Any] = set()
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            if not isinstance(item, dict):
                self.add(where, N_("Expected a group of fields here"))
                continue
            self.group(f.children, item, where + ".")
            for key, child in f.children.items():
                if child.required and _empty(item.get(key, _MISSING)):
                    self.add(f"{where}.{key}", N_("Required"))
            key = f.unique
            if key and _comparable(f.children[key], item.get(key)):
                if item[key] in seen:
                    self.add(f"{where}.{key}", f.unique_message, **{key: item[key]})
                seen.add(item[key])
            if path == "contacts":
                self.next_contact(item, where)

    def next_contact(self, item: dict[str, Any], where: str) -> None:
        """Check that a contact's planned next contact is not before the contact itself."""
        planned, day = item.get("next_contact"), item.get("date")
        if isinstance(planned, str) and isinstance(day, str) and planned and day \
                and not formats.check_date(planned) and not formats.check_date(day) \
                and planned < day:
            self.add(f"{where}.next_contact",
                     N_("The next contact cannot be before this contact's own date"))

    def string(self, f: s.Field, value: Any, path: str) -> None:
        """Check a text-like value: type, characters, length, then its format."""
        if isinstance(value, bool) or not isinstance(value, str):
            if isinstance(value, bool):
                self.add(path, N_("Expected text here, not true/false"))
            elif isinstance(value, (int, float)):
                self.add(path, N_("Expected text here, not a number"))
            else:
                self.add(path, N_("Expected text here, not a list or group"))
            return
        if not self.text(value, path, f.max_len) or not value:
            return
        if f.kind == s.ENUM:
            choices = f.choices
            if f.choices_from and self.policy is not None:
                choices = tuple(getattr(self.policy, f.choices_from))
            if value not in choices:
                self.add(path, N_("Must be one of: {choices}"), choices=", ".join(choices))
        elif f.kind == s.POSTCODE:
            market = "international" if self.market == "international" else "domestic"
            message = formats.check_postcode(value, market)
            if message:
                self.add(path, message)
        elif f.kind in _FORMAT_CHECKS:
            message = _FORMAT_CHECKS[f.kind](value)
            if message:
                self.add(path, message)

    def amount(self, value: Any, path: str, signed: bool) -> None:
        """Check an amount of money: a finite number, not negative unless signed."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(path, N_("Enter an amount as a number, e.g. 1500000"))
        elif not math.isfinite(value):
            self.add(path, N_("Enter a finite number"))
        elif value < 0 and not signed:
            self.add(path, N_("Must not be negative"))

    def integer(self, f: s.Field, value: Any, path: str) -> None:
        """Check a whole number and its bounds."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, N_("Enter a whole number"))
        elif f.minimum is not None and value < f.minimum:
            self.add(path, N_("Must be at least {minimum}"), minimum=f.minimum)
        elif f.maximum is not None and value > f.maximum:
            self.add(path, N_("Must be at most {maximum}"), maximum=f.maximum)

    def required(self) -> None:
        """Check the fields the record's card requires."""
        card = self.record.get("card")
        for path in s.REQUIRED_COMMON:
            if _empty(get_path(self.record, path)):
                self.add(path, N_("Required"))
        message = {"distributor": N_("Required for a distributor card"),
                   "terminal": N_("Required for a terminal card")}.get(
                       card if isinstance(card, str) else "")
        if message:
            for path in s.REQUIRED[card]:
                if path not in s.REQUIRED_COMMON and _empty(get_path(self.record, path)):
                    self.add(path, message)


def validate(record: dict[str, Any], policy: Policy | None = None) -> list[FieldError]:
    """Return every problem of a record, in schema order of checks; [] when it is valid."""
    if not isinstance(record, dict):
        return [FieldError("", N_("A customer file must be a mapping of fields"), {})]
    checker = _Checker(record, policy)
    checker.required()
    required_errors = len(checker.errors)
    checker.group(s.SCHEMA, record, "")
    # A blank required field reports "Required" only, not also a format problem.
    blank = {e.path for e in checker.errors[:required_errors]}
    return checker.errors[:required_errors] + [
        e for e in checker.errors[required_errors:] if e.path not in blank]


def check_item(list_name: str, item: dict[str, Any],
               required: tuple[str, ...] = ()) -> list[FieldError]:
    """Return the problems of one new item of a record's list, paths relative to the item.

    A new entry may have to fill in more than the file's declaration asks of old ones
    (``required``); a blank required key reports "Required" only.
    """
    declared = s.SCHEMA[list_name].children
    checker = _Checker({}, None)
    for key, f in declared.items():
        if (f.required or key in required) and _empty(item.get(key, _MISSING)):
            checker.add(key, N_("Required"))
    count = len(checker.errors)
    blank = {e.path for e in checker.errors}
    checker.group(declared, item, "")
    return checker.errors[:count] + [e for e in checker.errors[count:] if e.path not in blank]


_PHONE_LIKE = frozenset({s.PHONE, s.POSTCODE})


def _normalise_value(f: s.Field, value: Any) -> Any:
    """Return a value tidied for its declaration; values of a wrong shape are left alone."""
    if f.kind == s.GROUP:
        if not isinstance(value, dict):
            return value
        return _normalise_group(f.children, value)
    if f.kind == s.LIST:
        if not isinstance(value, list):
            return value
        return [_normalise_group(f.children, item) if isinstance(item, dict) else item
                for item in value]
    if f.kind == s.USERNAMES and isinstance(value, list):
        return [v.strip() if isinstance(v, str) else v for v in value]
    if f.kind in _STRING_KINDS:
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # a hand edit wrote tax_id: 12345678 unquoted
        if isinstance(value, str):
            value = value.strip()
            if f.kind in _PHONE_LIKE:
                value = formats.nfkc(value)
        return value
    if f.kind == s.BOOL and value is None:
        return False
    if f.kind == s.AMOUNT_MAP and value is None:
        return {}
    return value


def _normalise_group(fields: dict[str, s.Field], value: dict[str, Any]) -> dict[str, Any]:
    """Return a mapping with every declared key present and tidied; unknown keys kept."""
    result: dict[str, Any] = {}
    for key, f in fields.items():
        if f.optional and _empty(value.get(key)):
            continue  # written only when set, so older files keep their bytes
        result[key] = _normalise_value(f, value[key] if key in value else s._empty(f))
    for key, extra in value.items():
        if key not in fields:
            result[key] = copy.deepcopy(extra)
    return result


def normalise(record: dict[str, Any]) -> dict[str, Any]:
    """Return a tidied copy in the full schema shape: stripped text, ASCII phones, all keys."""
    card = record.get("card") if isinstance(record.get("card"), str) else ""
    template = s.new_record(card or "")
    result = _normalise_group(s.SCHEMA, record)
    # Defaults (stage, market, …) only where the file had no such key at all.
    for key, default in template.items():
        if key not in record:
            result[key] = default
    if "custody" in record and isinstance(record["custody"], dict) and (
            "level" not in record["custody"]):
        result["custody"]["level"] = template["custody"]["level"]
    return result
