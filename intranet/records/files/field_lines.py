"""Which field of a customer file each line of its canonical YAML holds, and who changed it.

``git blame`` answers per line; the card asks per field. A line belongs to the deepest field
whose key or value is on it (``basic.phone``, ``people[1].name``, ``custody.contacts[0]``), and
a field's last change is the latest change of any of its lines, so a group or list
(``people``, ``sales_power.scores``) is as recent as its most recent member. No Flask here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STEP = re.compile(r"\.?([^.\[\]]+)|(\[\d+\])")


class Dated(Protocol):
    """Anything with the time it was made (a blame line's origin)."""

    @property
    def authored_at(self) -> object: ...


def _last_line(node: yaml.Node) -> int:
    """Return the last line a node's text is on (a block scalar's end mark is the next line)."""
    end = node.end_mark.line if node.end_mark.column > 0 else node.end_mark.line - 1
    return max(end, node.start_mark.line)


def _walk(node: yaml.Node, path: str, start: int, lines: list[str | None]) -> None:
    """Mark the lines of a node (from ``start``, its key's line) with its path, deepest last."""
    if isinstance(node, yaml.MappingNode):
        if path:
            lines[start] = path
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            _walk(value, child, key.start_mark.line, lines)
    elif isinstance(node, yaml.SequenceNode):
        if path:
            lines[start] = path
        for index, item in enumerate(node.value):
            _walk(item, f"{path}[{index}]", item.start_mark.line, lines)
    else:
        for line in range(start, _last_line(node) + 1):
            if 0 <= line < len(lines):
                lines[line] = path


def line_paths(text: str) -> list[str | None]:
    """Return the field path of every line of a YAML file (None for a line of no field)."""
    lines: list[str | None] = [None] * (text.count("\n") + 1)
    node = yaml.compose(text, Loader=_Loader)
    if node is not None:
        _walk(node, "", 0, lines)
    return lines


def ancestors(path: str) -> list[str]:
    """Return a path and every path above it: people[1].name, people[1], people (top first)."""
    found, built = [], ""
    for name, index in _STEP.findall(path):
        built = f"{built}.{name}" if name and built else (name or built + index)
        found.append(built)
    return found


def latest_by_field(paths: Sequence[str | None], origins: Sequence[Dated]) -> dict[str, Dated]:
    """Return, for every field and every group or list above it, its most recent line origin."""
    latest: dict[str, Dated] = {}
    for path, origin in zip(paths, origins, strict=False):
        if not path:
            continue
        for above in ancestors(path):
            known = latest.get(above)
            if known is None or origin.authored_at > known.authored_at:  # type: ignore[operator]
                latest[above] = origin
    return latest
