"""Read the canonical layout ``yamlio.dump`` writes, line by line, without PyYAML.

PyYAML parses in C but builds every Python object in Python: about 0.7 ms of a file's 1 ms.
Files the application wrote are in one narrow layout (block style, two-space indents, lists
indented under their key, one-line plain or single-quoted scalars, literal blocks), which
this module reads directly. Anything else — a comment, a tab, a flow collection, a double-
quoted or multi-line scalar, a tag, an anchor, an odd indent, a duplicate key, a scalar the
resolver cannot build — makes ``load`` return None, and ``yamlio.load`` parses the text with
PyYAML as before, so its errors and its answers stand. Plain scalars are resolved by the
same resolver table and constructors as ``yamlio.Loader``: the same text gives the same
record. (tests/test_canonical_loader.py compares both on demo files and odd ones.)
"""

from __future__ import annotations

import re
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.error import YAMLError
from yaml.nodes import ScalarNode

# What PyYAML's reader refuses, and what YAML counts as a line break besides \n: leave both
# to PyYAML, which reports them.
_UNUSUAL = re.compile("[^\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                      "\U00010000-\U0010ffff]")
# A plain scalar may not start with an indicator (a "-" only before a non-space) and may not
# hold ": " or " #"; these are the ones the dumper would have quoted.
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_MAX_INDENT = 40  # far deeper than any record; deeper nesting is PyYAML's to judge
_STR = "tag:yaml.org,2002:str"


class _NotCanonical(Exception):
    """The text is not in the canonical layout: PyYAML reads it instead."""


class _Constructor(SafeConstructor):
    """PyYAML's own scalar constructors, called without a parse."""


_BUILD = _Constructor()


def load(text: str, resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]],
         constructors: dict[Any, Any]) -> dict[str, Any] | None:
    """Return the mapping a canonical text holds, or None when PyYAML must read it."""
    if not text.endswith("\n") or "\t" in text or "\r" in text or _UNUSUAL.search(text):
        return None
    lines = text.split("\n")
    lines.pop()  # the empty string after the final newline
    if not lines or lines[0][:1] in ("", " "):
        return None
    reader = _Reader(lines, resolvers, constructors)
    try:
        found = reader.mapping(0, {})
    except _NotCanonical:
        return None
    # Whatever stopped the top mapping early (a blank line, a stray indent) is not canonical.
    return found if reader.at == len(lines) else None


# Scalars seen before, by their text as written: files repeat most of them ('', names, 0).
# Only immutable results are kept, so a cached value can be shared by many records.
_SEEN: dict[str, Any] = {}
_SEEN_MAX = 100_000
_KEYS: set[str] = set()


class _Reader:
    """A cursor over the lines of one text."""

    def __init__(self, lines: list[str], resolvers: dict[Any, Any],
                 constructors: dict[Any, Any]):
        self.lines = lines
        self.depths = [len(line) - len(line.lstrip(" ")) for line in lines]
        self.count = len(lines)
        self.at = 0
        self.resolvers = resolvers
        self.constructors = constructors

    def mapping(self, indent: int, into: dict[str, Any], first: str | None = None
                ) -> dict[str, Any]:
        """Read keys at ``indent``; ``first`` is a key line already begun after "- "."""
        lines, depths, count = self.lines, self.depths, self.count
        while True:
            if first is not None:
                body, first = first, None
            else:
                at = self.at
                if at >= count:
                    return into
                depth = depths[at]
                if depth != indent:
                    if depth < indent:
                        return into
                    raise _NotCanonical
                body = lines[at][indent:]
                if not body or body[0] == "-":
                    if not body and indent == 0:
                        return into  # a blank line: load() gives up on it
                    raise _NotCanonical  # a list at its key's own indent: never dumped
            self.at += 1
            if body[-1] == ":":
                key, rest = body[:-1], ""
            else:
                key, sep, rest = body.partition(": ")
                if not sep:
                    raise _NotCanonical
            if key not in _KEYS:
                # libyaml looks at most 1024 characters ahead for a key's colon.
                if not key or len(key) > 128 or not isinstance(self.plain(key), str):
                    raise _NotCanonical
                if len(_KEYS) >= _SEEN_MAX:
                    _KEYS.clear()
                _KEYS.add(key)
            if key in into:
                raise _NotCanonical  # PyYAML's loader refuses it with its own message
            if rest:
                value = _SEEN.get(rest, _SEEN)
                into[key] = self.value(rest, indent) if value is _SEEN else value
                continue
            at = self.at
            if at < count and depths[at] > indent and lines[at]:
                if depths[at] != indent + 2 or indent + 2 > _MAX_INDENT:
                    raise _NotCanonical
                block = lines[at][indent + 2:]
                into[key] = self.sequence(indent + 2) if block[:2] == "- " \
                    else self.mapping(indent + 2, {})
            else:
                into[key] = None  # "key:" alone: null, as the resolver's empty plain

    def value(self, rest: str, indent: int) -> Any:
        """Return the value written after a key or "- " on its line (a literal block: below)."""
        if rest in ("|", "|-", "|+"):
            return self.literal(indent + 2, rest[1:])
        return self.scalar(rest)

    def sequence(self, indent: int) -> list[Any]:
        """Read the items of a list whose "- " marks sit at ``indent``."""
        lines, depths, count = self.lines, self.depths, self.count
        items: list[Any] = []
        while True:
            at = self.at
            if at >= count:
                return items
            depth = depths[at]
            if depth < indent or not lines[at]:
                return items
            body = lines[at][indent:]
            if depth > indent or body[:2] != "- ":
                raise _NotCanonical
            item = body[2:]
            if item[:2] == "- " or item[:1] == " " or item in ("", "-", "|", "|-", "|+"):
                raise _NotCanonical  # a list in a list, odd spacing, a block scalar item
            if item[0] != "'" and (item[-1] == ":" or ": " in item):
                items.append(self.mapping(indent + 2, {}, first=item))
            else:
                self.at += 1
                value = _SEEN.get(item, _SEEN)
                items.append(self.scalar(item) if value is _SEEN else value)

    def literal(self, indent: int, chomp: str) -> str:
        """Read a literal block whose lines are indented by ``indent``."""
        taken: list[str] = []
        lines, depths = self.lines, self.depths
        while self.at < self.count:
            line = lines[self.at]
            if not line.strip(" "):
                if len(line) > indent:
                    raise _NotCanonical  # spaces past the indent on an empty-looking line
                taken.append("")
            elif depths[self.at] >= indent:
                taken.append(line[indent:])
            else:
                break
            self.at += 1
        last = max((i for i, text in enumerate(taken) if text), default=-1)
        if last < 0 or not taken[0] or taken[0].startswith(" "):
            raise _NotCanonical  # empty, or not indented as the dumper writes it
        body = "\n".join(taken[:last + 1])
        trailing = len(taken) - last - 1
        if chomp == "-":
            return body
        if chomp == "+":
            return body + "\n" * (trailing + 1)
        return body + "\n"

    def scalar(self, text: str) -> Any:
        """Return a one-line scalar: single-quoted, an empty collection, or plain."""
        if text == "[]":
            return []
        if text == "{}":
            return {}
        if text[0] == "'":
            if len(text) < 2 or text[-1] != "'" or "'" in text[1:-1].replace("''", ""):
                raise _NotCanonical
            value = text[1:-1].replace("''", "'")
        else:
            value = self.plain(text)
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[text] = value
        return value

    def plain(self, text: str) -> Any:
        """Resolve and build a plain scalar as yamlio.Loader would."""
        if text != text.strip(" ") or ": " in text or " #" in text or text.endswith(":"):
            raise _NotCanonical
        if text and text[0] in _PLAIN_START and not (
                text[0] in "-?:" and len(text) > 1 and text[1] != " "):
            raise _NotCanonical
        tag = _STR
        for candidate, regexp in self.resolvers.get(text[:1], []) + self.resolvers.get(None, []):
            if regexp.match(text):
                tag = candidate
                break
        if tag == _STR:
            return text
        try:
            return self.constructors[tag](_BUILD, ScalarNode(tag, text))
        except (YAMLError, ValueError, KeyError, TypeError, OverflowError):
            raise _NotCanonical from None  # PyYAML reports the bad literal
