"""Compare records field by field and merge concurrent edits three ways."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from intranet.records.files import schema as s

_MISSING: Any = object()  # a key absent on one side, distinct from an explicit None


@dataclass(frozen=True)
class Change:
    """One leaf whose value differs; a side without the leaf reads None."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class MergeConflict:
    """One path both sides changed differently; an absent side reads None."""

    path: str
    base: Any
    mine: Any
    theirs: Any


SortKey = tuple[tuple[int, int, str], ...]


def _is_item_list(value: Any) -> bool:
    """Tell whether a list is a list of mappings (recursed into) rather than one leaf."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _walk(value: Any, order: s.Order | None, path: str, key: SortKey,
          declared: s.Field | None) -> Iterator[tuple[str, SortKey, Any]]:
    """Yield (path, sort key, leaf value) for every leaf below a value."""
    if isinstance(value, dict) and (value or not path):
        names = list(order or {})
        for k, v in value.items():
            pos = (0, names.index(k), "") if k in names else (1, 0, str(k))
            child = declared.children.get(k) if declared else s.SCHEMA.get(k) if not path else None
            sub = (order or {}).get(k)
            yield from _walk(v, sub, f"{path}.{k}" if path else str(k), (*key, pos), child)
    elif _is_item_list(value):
        for i, item in enumerate(value):
            yield from _walk(item, order, f"{path}[{i}]", (*key, (0, i, "")), declared)
    elif value == [] and declared is not None and declared.kind == s.LIST:
        return  # an empty list of items has no leaves, so a first item diffs per field
    else:
        yield path, key, value


def _leaves(record: dict[str, Any]) -> dict[str, tuple[SortKey, Any]]:
    """Return path -> (sort key, value) for every leaf of a record."""
    return {p: (k, v) for p, k, v in _walk(record, s.ORDER, "", (), None)}


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """Return dotted paths to leaf values, in schema order (lists of scalars are one leaf)."""
    leaves = _leaves(record)
    return {p: leaves[p][1] for p in sorted(leaves, key=lambda p: leaves[p][0])}


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Return the changed leaves between two records, in schema order."""
    a, b = _leaves(old), _leaves(new)
    keys = {**a, **b}
    changes = []
    for path in sorted(keys, key=lambda p: keys[p][0]):
        before = a[path][1] if path in a else None
        after = b[path][1] if path in b else None
        if before != after or type(before) is not type(after):
            changes.append(Change(path, before, after))
    return changes


_LIST_SECTIONS = frozenset(k for k, f in s.SCHEMA.items() if f.kind == s.LIST)


def changed_sections(changes: list[Change]) -> list[str]:
    """Return the fields a commit message names: section.field in groups, else the key."""
    seen: dict[str, None] = {}
    for change in changes:
        path = s.schema_path(change.path)
        top, _, rest = path.partition(".")
        field = s.SCHEMA.get(top)
        if field is not None and field.kind == s.GROUP and rest:
            name = f"{top}.{rest.split('.')[0]}"
            seen[name if name in s.LABELS else top] = None
        else:
            seen[top] = None
    return list(seen)


def summarise(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Return a zh-Hant change summary for a commit message, e.g. "電話、聯絡記錄 +1"."""
    parts = []
    for name in changed_sections(diff(old, new)):
        text = s.label(name, zh=True)
        before, after = old.get(name), new.get(name)
        if (name in _LIST_SECTIONS and isinstance(before, list) and isinstance(after, list)
                and len(after) > len(before) and after[:len(before)] == before):
            text += f" +{len(after) - len(before)}"
        parts.append(text)
    return "、".join(parts)


def _side(value: Any) -> Any:
    """Show an absent side as None in a conflict."""
    return None if value is _MISSING else value


def _lists_mergeable(base: Any, mine: Any, theirs: Any) -> bool:
    """Tell whether three lists merge per index plus appends rather than conflict."""
    if not (isinstance(base, list) and isinstance(mine, list) and isinstance(theirs, list)):
        return False
    n = len(base)
    if len(mine) < n or len(theirs) < n:
        return False  # something was deleted: only a person can say what was meant
    if len(mine) == len(theirs) == n:
        return True
    if mine[:n] == base and theirs[:n] == base:
        return True  # both only appended
    # Lists of items (people, contacts): an edit to one item and an append elsewhere
    # touch different leaves; lists of plain values (usernames) stay strict.
    return all(isinstance(item, dict) for item in (*base, *mine, *theirs))


def _merge(base: Any, mine: Any, theirs: Any, path: str,
           conflicts: list[MergeConflict]) -> Any:
    """Merge one value; record conflicts and keep my version where they occur."""
    if mine == theirs and type(mine) is type(theirs):
        return mine
    if mine == base and type(mine) is type(base):
        return theirs
    if theirs == base and type(theirs) is type(base):
        return mine
    if all(isinstance(v, dict) or v is _MISSING for v in (base, mine, theirs)) and (
            isinstance(mine, dict) and isinstance(theirs, dict)):
        b = base if isinstance(base, dict) else {}
        result: dict[str, Any] = {}
        keys = list(dict.fromkeys([*b, *mine, *theirs]))
        for k in keys:
            merged = _merge(b.get(k, _MISSING), mine.get(k, _MISSING), theirs.get(k, _MISSING),
                            f"{path}.{k}" if path else str(k), conflicts)
            if merged is not _MISSING:
                result[k] = merged
        # Keep my key order (the form's), then keys only theirs added.
        order = [k for k in mine if k in result] + [k for k in result if k not in mine]
        return {k: result[k] for k in order}
    if _lists_mergeable(base, mine, theirs):
        n = len(base)
        prefix = [_merge(base[i], mine[i], theirs[i], f"{path}[{i}]", conflicts)
                  for i in range(n)]
        their_tail = theirs[n:]
        # Both sides appending, e.g. two contact reports filed at once: keep both,
        # theirs first (already committed), and an identical append only once.
        my_tail = [item for item in mine[n:] if item not in their_tail]
        return prefix + their_tail + my_tail
    conflicts.append(MergeConflict(path, _side(base), _side(mine), _side(theirs)))
    return mine


def merge3(base: dict[str, Any], mine: dict[str, Any],
           theirs: dict[str, Any]) -> tuple[dict[str, Any], list[MergeConflict]]:
    """Merge my edit of base with theirs; conflicts keep my value and are listed."""
    conflicts: list[MergeConflict] = []
    merged = _merge(base, mine, theirs, "", conflicts)
    return merged, conflicts
