"""Read and write canonical YAML: safe, strict loading and byte-stable dumping."""
from __future__ import annotations

import math
import os
import re
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from intranet.archive.errors import CorruptRecord
from intranet.records.files import canonical
from intranet.records.files.schema import ORDER, Order

_STR = "tag:yaml.org,2002:str"
# Read the canonical layout line by line (records/files/canonical.py), PyYAML for anything else.
# INTRANET_YAML_FAST=0 turns it off, worker processes included (benchmarks compare both).
FAST = os.environ.get("INTRANET_YAML_FAST", "1") != "0"
_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq"))

_Base: type = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _Refused(yaml.MarkedYAMLError):
    """A construct the archive refuses (tag, duplicate key, non-text key)."""


class Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that refuses tags, non-text and duplicate keys; dates stay text."""

    # Own resolver table: no timestamps (dates stay the text typed), no merge keys
    # (<<), no value keys (=) and no sexagesimal numbers (a typed 08:30 stays text).
    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}
    yaml_constructors: ClassVar[dict[Any, Any]] = {}

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing non-text keys and duplicate keys."""
        if not isinstance(node, MappingNode):
            raise _Refused(None, None, "expected a mapping", node.start_mark)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not (isinstance(key_node, ScalarNode) and key_node.tag == _STR):
                raise _Refused(None, None, "keys must be text (quote it)", key_node.start_mark)
            key = key_node.value
            if key in mapping:
                raise _Refused(None, None, f"duplicate key {key!r}", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_refused(self, node: Node) -> None:
        """Refuse every tag outside the plain core schema."""
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
        raise _Refused(None, None, f"the tag {tag} is not allowed", node.start_mark)


Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
    list("yYnNtTfFoO"))
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                |[-+]?\.(?:inf|Inf|INF)
                |\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."))
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"""^(?:[-+]?0b[0-1_]+
                |[-+]?0[0-7_]+
                |[-+]?(?:0|[1-9][0-9_]*)
                |[-+]?0x[0-9a-fA-F_]+)$""", re.X),
    list("-+0123456789"))
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])



def _guarded(construct: Any, what: str) -> Any:
    """Wrap a constructor so a bad literal (!!int x, 0x_) becomes a marked error."""
    def wrapped(loader: Loader, node: Node) -> Any:
        try:
            return construct(loader, node)
        except yaml.YAMLError:
            raise
        except (ValueError, KeyError, TypeError, OverflowError):
            raise _Refused(None, None, f"{str(node.value)[:40]!r} is not a valid {what}",
                           node.start_mark) from None
    return wrapped


for _tag, _what in (("str", "text"), ("int", "integer"), ("float", "number"),
                    ("bool", "true/false value"), ("null", "null"), ("seq", "list")):
    _full = f"tag:yaml.org,2002:{_tag}"
    Loader.add_constructor(_full, _guarded(yaml.SafeLoader.yaml_constructors[_full], _what))
Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_mapping)
Loader.add_constructor(None, Loader.construct_refused)


def _line_of(text: str, index: int) -> int:
    """Return the 1-based line number of a character offset."""
    return text.count("\n", 0, index) + 1


# Records nest four levels deep; libyaml's composer recurses in C and crashes the
# process (SIGSEGV, not a Python RecursionError) on collections nested 20,000-30,000 deep
# on an 8 MB stack (fewer in a thread with a smaller one), in block style (``- - - …``) as
# much as in flow style (``[[[…``).
MAX_DEPTH = 64
# The largest YAML text accepted anywhere (customer files, policy, org files, forms): a
# customer file is a few kilobytes, so this only stops a hostile or broken file early.
MAX_BYTES = 1024 * 1024
# Cheap bound on block nesting (see _may_nest_deeply): libyaml opens a block collection
# only at a column greater than the one it is in, and on one line only after a run of
# ``- ``, ``? `` and ``: `` indicators: if no line begins with _RUN characters that are all
# spaces or indicators, fewer than _RUN block levels can be open (twice that counting
# sequences written under their key at its column).
_RUN = 16
# Searched after a newline (a literal prefix re searches fast); the first line by match.
_LONG_RUN = re.compile(rf"[ \t?:-]{{{_RUN}}}")
_LONG_RUN_LINE = re.compile(rf"\n[ \t?:-]{{{_RUN}}}")
# A tag or anchor in that run could move the key after it further right: scan those.
_PROPERTY_IN_RUN = re.compile(r"(?:^|\n)[ \t?:-]*[!&]")


def _may_nest_deeply(text: str) -> bool:
    """Tell whether the text could nest deeper than MAX_DEPTH or hold anchors (no parse)."""
    if "&" in text or "*" in text:
        return True
    flow = text.count("[") + text.count("{")
    if 2 * _RUN + flow > MAX_DEPTH:
        return True
    if "!" in text and _PROPERTY_IN_RUN.search(text):
        return True
    return bool(_LONG_RUN.match(text) or _LONG_RUN_LINE.search(text))


def _scan_events(text: str, path: str) -> None:
    """Refuse anchors, aliases and absurd nesting by scanning parser events."""
    if not _may_nest_deeply(text):
        return  # nothing the scan could find: skip the second parse
    depth = 0
    # libyaml's parser keeps its own stack (no recursion): only composing recurses.
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise CorruptRecord(path, f"line {event.start_mark.line + 1}: "
                                      "anchors and aliases are not allowed")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise CorruptRecord(path, f"line {event.start_mark.line + 1}: the document "
                                          f"is nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def load(data: bytes | str, path: str = "", max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """Parse one YAML document into a dict, raising CorruptRecord for anything unacceptable."""
    size = len(data)
    if isinstance(data, str) and 4 * size > max_bytes:  # a character is at most 4 bytes
        size = len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise CorruptRecord(path, f"line 1: the text is {size} bytes, more than the "
                                  f"{max_bytes} bytes allowed")
    if isinstance(data, bytes):
        try:
            # utf-8-sig tolerates the BOM some Windows editors add.
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise CorruptRecord(path, f"line {line}: the file is not valid UTF-8") from None
    else:
        text = data
    if FAST:
        found = canonical.load(text, Loader.yaml_implicit_resolvers, Loader.yaml_constructors)
        if found is not None:
            return found
    try:
        _scan_events(text, path)
        result = yaml.load(text, Loader=Loader)
    except CorruptRecord:
        raise
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise CorruptRecord(path, f"line {_line_of(text, exc.position)}: "
                                  f"control character U+{char:04X} is not allowed") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        where = f"line {mark.line + 1}: " if mark else ""
        raise CorruptRecord(path, where + problem) from None
    except yaml.YAMLError as exc:
        raise CorruptRecord(path, f"invalid YAML ({type(exc).__name__})") from None
    except RecursionError:
        raise CorruptRecord(path, "the document is nested too deeply") from None
    if not isinstance(result, dict):
        raise CorruptRecord(path, "the top level must be a mapping of keys to values")
    return result


class Dumper(yaml.SafeDumper):
    """Canonical dumper: block style, 2-space indent, indented lists, no folding."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent list items under their key instead of PyYAML's indentless style."""
        super().increase_indent(flow, False)

    def write_literal(self, text: str) -> None:
        """Write a literal block without the trailing '...' PyYAML adds after '|+'."""
        super().write_literal(text)
        # End of stream ends the scalar too, so the document marker adds nothing.
        self.open_ended = False


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Represent multi-line text as a literal block; the emitter falls back to quotes."""
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR, value, style=style)


def _represent_float(dumper: yaml.SafeDumper, value: float) -> yaml.ScalarNode:
    """Represent floats by repr, which reads back to the same float."""
    if math.isnan(value) or math.isinf(value):
        return yaml.SafeDumper.represent_float(dumper, value)
    text = repr(value)
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e")  # YAML 1.1 floats need a dot: 1e+20 -> 1.0e+20
    elif "." not in text:
        text += ".0"
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


Dumper.add_representer(str, _represent_str)
Dumper.add_representer(float, _represent_float)
# Quote more than PyYAML's own YAML 1.1 table does, so that other readers agree too:
# y/n are booleans in YAML 1.1, and 1e3 / 0o17 are numbers in YAML 1.2.
Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."))
Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?0o[0-7]+$"), list("-+0"))


def _sort_key(key: Any) -> str:
    """Sort unknown keys by their text."""
    return str(key)


def ordered(value: Any, order: Order | None) -> Any:
    """Return a copy with keys in canonical order: known keys first, the rest sorted."""
    if isinstance(value, dict):
        order = order or {}
        known = [k for k in order if k in value]
        rest = sorted((k for k in value if k not in order), key=_sort_key)
        return {k: ordered(value[k], order.get(k)) for k in known + rest}
    if isinstance(value, (list, tuple)):
        # A list of mappings shares one order for each item.
        return [ordered(item, order) for item in value]
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"cannot write {type(value).__name__} to a record")


def dump(data: dict[str, Any], order: Order | None = ORDER) -> bytes:
    """Return the canonical UTF-8 YAML bytes of a dict (same data, same bytes)."""
    text = yaml.dump(
        ordered(data, order), Dumper=Dumper, allow_unicode=True, default_flow_style=False,
        sort_keys=False, indent=2, width=2**31 - 1, explicit_start=False, explicit_end=False)
    return text.encode("utf-8")
