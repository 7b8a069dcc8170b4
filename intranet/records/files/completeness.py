"""How complete a customer file is (R4, R19): the policy's fields per card, filled or not."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from intranet.records.files.marks import standing
from intranet.records.rulebook.policy import Policy


@dataclass(frozen=True)
class Completeness:
    """The share of a card's fields a file fills in, and the paths still empty."""

    percent: int
    missing: list[str] = field(default_factory=list)
    counted: int = 0

    @property
    def complete(self) -> bool:
        """Tell whether nothing is missing."""
        return not self.missing


def value_at(record: dict[str, Any], path: str) -> Any:
    """Return the value at a dotted path, or None where any step is not a mapping."""
    value: Any = record
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def is_filled(value: Any) -> bool:
    """Tell whether a value counts as filled in.

    A list counts when it has an entry, text when it is not blank, a mapping when any of its
    values is filled, and anything else (an amount, a date, a flag) when it is not None.
    """
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, dict):
        return any(is_filled(v) for v in value.values())
    return True


_ENTRY_LISTS = ("contacts", "events")


def completeness(record: dict[str, Any], policy: Policy) -> Completeness:
    """Return how complete a file is for its card; a card with no listed fields is complete.

    This is the one definition: the card, the index, the lists, the exports, the discipline
    reports and the demo data all take their figure from here (``quick`` is a shortcut to the
    same answer for canonical text, and tests hold it to that).
    """
    paths = policy.completeness_fields(str(record.get("card") or ""))
    # Withdrawn entries stay in the file but fill nothing (records.corrections).
    return _measure(paths, [p for p in paths if not is_filled(
        standing(value_at(record, p)) if p in _ENTRY_LISTS else value_at(record, p))])


def _measure(paths: list[str], missing: list[str]) -> Completeness:
    """Return the completeness of a file that leaves ``missing`` of ``paths`` empty."""
    if not paths:
        return Completeness(100, [], 0)
    # Rounded down, so 100 is only ever shown for a file with nothing missing.
    percent = (len(paths) - len(missing)) * 100 // len(paths)
    return Completeness(percent, missing, len(paths))


# -- a quick look at canonical text -----------------------------------------------------------
# The index needs the completeness of old versions of many files (docs/design.md, neglected
# files). Parsing YAML costs about 1 ms a file; the application writes files in one canonical
# layout, where a field's value sits on its key's line. quick() reads that layout line by
# line and gives up (None) on anything else, so the caller parses the file after all.

_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")
_EMPTY = {"''", "null", "~", "[]", "{}", "Null", "NULL"}
# Markers: a key followed by a block of entries, or by a literal block (empty or not).
_LIST, _MAP, _TEXT, _TEXT_FILLED = "\0list", "\0map", "\0text", "\0text+"
_BLOCK_TEXT = frozenset(("|", "|-", "|+", ">", ">-", ">+"))
_SPECIAL = frozenset("&*!|>\"#{[")


def _scan(text: str) -> dict[str, str | None] | None:
    """Return the one-line value of every top-level and second-level key (None: a block
    follows), or None when the top two levels are not in the canonical layout."""
    values: dict[str, str | None] = {}
    top = last = ""
    text_depth = -1  # inside a literal block of a key at this depth
    for line in text.split("\n"):
        if line.startswith("    "):
            # Depth 4 or more: the inside of a block. Only whether there is one matters.
            if text_depth >= 0:
                values[last] = _TEXT_FILLED
            elif last and values[last] is None:
                values[last] = _LIST if line.lstrip(" ").startswith("-") else _MAP
            continue
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip(" "))
        body = line[depth:]
        if text_depth >= 0:
            if depth > text_depth:
                values[last] = _TEXT_FILLED  # a line of the text, whatever it says
                continue
            text_depth = -1
        if "\t" in line or line.startswith(("#", "---", "%")):
            return None
        if depth == 0 or (depth == 2 and not body.startswith("-")):
            key, colon, rest = body.partition(":")
            if not colon or not _KEY.match(key) or (rest and rest[0] != " "):
                return None
            rest = rest.strip()
            if depth == 0:
                top = path = key
            elif top:
                path = f"{top}.{key}"
            else:
                return None
            if path in values:
                return None  # a duplicate key: the real loader refuses the file
            last = path
            if rest in _BLOCK_TEXT:
                values[path], text_depth = _TEXT, depth
                continue
            if rest[:1] in _SPECIAL and rest not in _EMPTY:
                return None  # anchors, aliases, tags, escapes, flow collections
            values[path] = rest or None
        elif depth == 2 and top:
            # A list entry of a top-level list ("  - …").
            if values[last] is None:
                values[last] = _LIST
        else:
            return None
    return values


def _filled_text(value: str | None) -> bool | None:
    """Tell whether a scanned value is filled; None when only a parse can tell."""
    if value is None:
        return False  # "key:" with nothing under it is null
    if value in (_LIST, _TEXT_FILLED):
        return True  # a list with entries, a text with lines
    if value == _TEXT:
        return False
    if value == _MAP:
        return None
    if value in _EMPTY:
        return False
    if value.startswith("'"):
        if not value.endswith("'") or len(value) < 2:
            return None
        return bool(value[1:-1].replace("''", "'").strip())
    return True


def quick(raw: bytes, policy: Policy) -> tuple[Completeness, str] | None:
    """Return a canonical file's completeness and custodian without parsing it, or None."""
    if b"\n    withdrawn:" in raw:
        return None  # whether a withdrawn entry leaves its list empty takes a parse
    try:
        values = _scan(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if values is None:
        return None
    card = values.get("card")
    if card is None or card.startswith("'"):
        return None
    paths = policy.completeness_fields(card)
    sections = {k.partition(".")[0] for k in values if "." in k}
    missing = []
    for path in paths:
        if path.count(".") > 1:
            return None
        value = values.get(path)
        # A section's own block (e.g. basic:) counts by its children: leave that to a parse.
        if path in sections:
            return None
        filled = _filled_text(value)
        if filled is None:
            return None
        if not filled:
            missing.append(path)
    owner = values.get("custody.owner")
    if owner is not None and owner.startswith("'"):
        owner = owner[1:-1].replace("''", "'")
    if owner in _EMPTY or owner in (_LIST, _MAP, _TEXT, _TEXT_FILLED):
        owner = ""
    return _measure(paths, missing), owner or ""
