"""The line reader of the canonical layout gives exactly what PyYAML gives, or leaves it to it."""

from __future__ import annotations

import math
import random
from datetime import date

import pytest

from intranet.archive.errors import CorruptRecord
from intranet.demo_data import generate_company
from intranet.records.files import canonical, yamlio
from intranet.records.files.validate import normalise


def same(a, b) -> bool:
    """Tell whether two loaded values are equal in value, type and key order (1 != 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def line_read(text: str):
    return canonical.load(text, yamlio.Loader.yaml_implicit_resolvers,
                          yamlio.Loader.yaml_constructors)


def both(raw: bytes | str):
    """Return what yamlio.load gives with and without the line reader (value or error)."""
    found = []
    for fast in (True, False):
        yamlio.FAST = fast
        try:
            found.append(yamlio.load(raw, "x.yaml"))
        except CorruptRecord as exc:
            found.append(("error", exc.reason))
        finally:
            yamlio.FAST = True
    return found


@pytest.fixture(scope="module")
def demo_texts() -> list[str]:
    company = generate_company(seed=3, customers=60, today=date(2026, 11, 26),
                               history_days=400, edits=120)
    return [yamlio.dump(normalise(record)).decode() for record in company.customers]


def test_every_demo_file_is_read_by_lines_exactly_as_pyyaml_reads_it(demo_texts):
    for text in demo_texts:
        quick = line_read(text)
        assert quick is not None, text[:200]  # the dumper's own layout: no fallback
        yamlio.FAST = False
        try:
            assert same(quick, yamlio.load(text))
        finally:
            yamlio.FAST = True


SCALARS = ["", " ", "  pad", "pad ", "a: b", "a:b", "a #b", "a#b", "#a", "-", "-5", "- x", "+5",
           "0x1F", "0o17", "017", "08", "1_000", "1e3", "1.5e3", ".5", "1.", ".inf", "-.inf",
           ".nan", "yes", "No", "on", "OFF", "y", "n", "true", "False", "null", "Null", "~",
           "2026-01-01", "12:30", "1:2:3", "@x", "`x", "%x", "!x", "&x", "*x", "|x", ">x",
           "[x]", "{x}", "x, y", "?", "? x", "?x", ":x", "it's", "'q'", '"q"', "a\nb",
           "a\n\nb\n\n", "\nlead", " lead\nx", "x\n ", "trail \nx", "台北 市", "全形　空白",
           "é", "tab\there", "\x85", "\u2028", "\ufeff", "a\\b", "<<", "=", "...", "---",
           "- - x", "x\n", "x\n\n", "\n", 0, -3, 1.5, 1e20, -0.0, True, None, [], {}]


@pytest.mark.parametrize("value", SCALARS, ids=[repr(v)[:20] for v in SCALARS])
def test_each_kind_of_scalar_reads_back_the_same(value):
    for data in ({"k": value}, {"k": [value, "x"]}, {"k": [{"a": value, "b": "x"}]},
                 {"k": {"s": value}, "z": 1}):
        raw = yamlio.dump(data, None)
        fast, slow = both(raw)
        # (PyYAML's own dump of U+0085 / U+2028 does not read back the same: not ours.)
        assert same(fast, slow), raw


ODD = [
    "a: 1\n# a comment\nb: 2\n", "a: 1 # trailing\n", "a: 1", "a: 1\r\nb: 2\r\n", "\ufeffa: 1\n",
    "---\na: 1\n", "a: 1\n...\n", "%YAML 1.1\n---\na: 1\n", "a: 1\na: 2\n", "a:\n- x\n- y\n",
    "a:\n   b: 1\n", "a:\n  b: 1\n   c: 2\n", "a: [1, 2]\n", "a: {b: 1}\n", "a: !!int 3\n",
    "a: !!str 3\n", "a: &x 1\nb: *x\n", "a: \"q\\x41\"\n", "a: 'unterminated\n", "a: 'x' y\n",
    "a: |2\n   x\n", "a: >\n  folded\n  text\n", "a: |\n\n  late\n", "a: |\n  x\n    y\n",
    "a: |\n  x\n   \n  y\n", "a: |\nb: 1\n", "a: |+\n  x\n\n\nb: 1\n", "1: x\n", "'k': x\n",
    "null: x\n", "yes: x\n", "a:\n  - - x\n", "a:\n  -\n    x\n", "a:\n  - b: 1\n    - c\n",
    "a:\n  - b: 1\n      c: 2\n", "a:   x\n", "a:x\n", "a\n", ": x\n", "- x\n", "x\n", "",
    "\n", "a: 1\n\nb: 2\n", "a:\n\n  b: 1\n", "a:\tb\n", "a: b\x00\n", "a: 0x_\n",
    "a: 1\n  b: 2\n", "a: b: c\n", "a: - b\n", "a: ? b\n", "  a: 1\n", "a: 1\n b: 2\n",
    "a:\n  b:\n    c:\n      d: |-\n        deep\n        text\n  e: ''\n",
    "<<: {a: 1}\n", "a: @x\n", "a: x #\n", "a: 'it''s'\n", "a: ''''\n", "a: '''\n",
    "a:\n  - 'x'\n  - ''\n  - []\n  - {}\n", "a:\n  - |-\n    x\n",
]


@pytest.mark.parametrize("text", ODD, ids=[repr(t)[:24] for t in ODD])
def test_odd_and_hostile_texts_get_pyyamls_answer(text):
    fast, slow = both(text)
    assert same(fast, slow), (fast, slow)


MARKS = [*" -:'\"#|>\n&*!{}[],?%@`\\\t0ya", "  ", ": ", "- ", "\n  ", "''"]


def test_random_damage_to_demo_files_gets_pyyamls_answer(demo_texts):
    rng = random.Random(13)
    for _ in range(600):
        text = rng.choice(demo_texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            kind = rng.random()
            if kind < 0.4:
                text = text[:at] + rng.choice(MARKS) + text[at:]
            elif kind < 0.7:
                text = text[:at] + text[at + rng.randint(1, 3):]
            else:
                lines = text.split("\n")
                i = rng.randrange(len(lines))
                lines[i] = " " * rng.choice([1, 2, 4]) + lines[i] if kind < 0.85 \
                    else lines[i].lstrip(" ")
                text = "\n".join(lines)
        fast, slow = both(text)
        assert same(fast, slow), (text, fast, slow)
