"""Canonical YAML: strict loading, byte-exact dumping and the round-trip property."""
from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intranet.archive.errors import CorruptRecord
from intranet.records.files import yamlio
from intranet.records.files.formats import BAD_CHARS_RE
from intranet.records.files.schema import new_record
from intranet.records.files.validate import validate

YAML_SPECIAL = ["no", "No", "on", "off", "yes", "y", "n", "true", "False", "0777", "0x1F",
                "0b101", "1_000", "2024-01-01", "2024-01-01 10:00:00", "22:30", "190:20:30",
                "1e3", "1.5", ".5", "-1", "+1", ".inf", ".NaN", "null", "Null", "~", "",
                " ", "=", "<<", "-", "?", ":", "#", "@x", "`x", "!x", "&a", "*a", "|", ">",
                "'", '"', "a: b", "a #b", "- x", "[x]", "{x}", "%x", "0o17", "中文: 值",
                "  leading", "trailing  ", "\ttab", "a\tb", "line\n", "\n", "\n\n", " \n",
                "a\n b", "a\n\n", " x\ny ", "x\n ", "\u3000全形空白", "\u2028", "\ufeffbom"]

# The property draws only from what validation accepts (formats.BAD_CHARS_RE): lone
# surrogates cannot be written as UTF-8 at all and NEL (\x85) reads back as a line
# break, so they genuinely cannot round-trip; the other C0/C1 controls would survive as
# escapes but are refused as well, having no place in a customer file.
_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x85")
text = st.one_of(
    st.sampled_from(YAML_SPECIAL),
    st.text(_CHARS, max_size=30).filter(lambda t: not BAD_CHARS_RE.search(t)),
    st.text(alphabet="中文客戶檔案電話 \n\t-:#'\"", max_size=20),
)
scalars = st.one_of(text, st.integers(), st.booleans(), st.none(),
                    st.floats(allow_nan=False, allow_infinity=False))
keys = st.one_of(st.sampled_from(["id", "basic", "name", "phone", "people", "notes", "x"]),
                 text)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(keys, inner, max_size=4)),
    max_leaves=20,
)
records = st.dictionaries(keys, values, max_size=8)


def record_with_people(extra: dict[str, object]) -> dict[str, object]:
    """Return a full distributor record with one person and some extra keys."""
    r = new_record("distributor", "C000042", **{"basic.name": "東方貿易"})
    r["people"] = [{"name": "王小明", "age": 52}]
    r.update(extra)
    return r


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_round_trip_is_exact(record: dict[str, object]) -> None:
    dumped = yamlio.dump(record)
    assert yamlio.load(dumped) == record
    assert yamlio.dump(yamlio.load(dumped)) == dumped


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["notes", "basic", "zz", "aa"]), values, max_size=4))
def test_round_trip_of_schema_shaped_records(extra: dict[str, object]) -> None:
    record = record_with_people(extra)
    dumped = yamlio.dump(record)
    assert yamlio.load(dumped) == record
    assert yamlio.dump(yamlio.load(dumped)) == dumped


@pytest.mark.parametrize("value", YAML_SPECIAL)
def test_special_strings_round_trip(value: str) -> None:
    assert yamlio.load(yamlio.dump({"k": value})) == {"k": value}


@pytest.mark.parametrize("value", ["no", "on", "yes", "0777", "2024-01-01", "22:30", "1e3",
                                   "null", "~", "", "y", "<<", "="])
def test_ambiguous_strings_are_quoted(value: str) -> None:
    assert yamlio.dump({"k": value}, None) == f"k: '{value}'\n".encode()


def test_dump_bytes_are_canonical() -> None:
    data = {"zeta": 1, "basic": {"phone": "02-2531-7099", "name": "東方貿易", "extra": "x"},
            "id": "C000042", "notes": "第一行\n第二行\n", "vip": False, "grade": None,
            "people": [{"age": 40, "name": "王小明"}], "custody": {"contacts": []}}
    expected = (
        "id: C000042\n"
        "grade: null\n"
        "vip: false\n"
        "custody:\n"
        "  contacts: []\n"
        "basic:\n"
        "  name: 東方貿易\n"
        "  phone: 02-2531-7099\n"
        "  extra: x\n"
        "people:\n"
        "  - name: 王小明\n"
        "    age: 40\n"
        "notes: |\n"
        "  第一行\n"
        "  第二行\n"
        "zeta: 1\n"
    )
    assert yamlio.dump(data) == expected.encode("utf-8")


def test_unknown_keys_sorted_after_known_ones_recursively() -> None:
    data = {"b": 1, "a": {"y": 1, "x": 2}, "basic": {"zz": 1, "aa": 2, "fax": "", "name": ""}}
    # "y" is a YAML 1.1 boolean, so even as a key it is quoted.
    assert yamlio.dump(data).decode() == (
        "basic:\n  name: ''\n  fax: ''\n  aa: 2\n  zz: 1\na:\n  x: 2\n  'y': 1\nb: 1\n")


def test_dump_has_no_document_markers_and_no_folding() -> None:
    long = "很長的一段文字 " * 200
    dumped = yamlio.dump({"notes": long.strip(), "keep": "a\n\n"})
    text = dumped.decode()
    assert not text.startswith("---") and "\n..." not in text
    assert text.count("\n") == 4  # notes on one line, keep as a 3-line |+ block
    assert yamlio.load(dumped) == {"notes": long.strip(), "keep": "a\n\n"}


def test_dump_is_deterministic_regardless_of_input_order() -> None:
    a = {"notes": "x", "id": "C000001", "q": {"b": 1, "a": 2}}
    b = {"q": {"a": 2, "b": 1}, "id": "C000001", "notes": "x"}
    assert yamlio.dump(a) == yamlio.dump(b)


def test_multiline_uses_literal_block_when_possible() -> None:
    assert yamlio.dump({"v": "a\nb"}, None) == b"v: |-\n  a\n  b\n"
    assert yamlio.dump({"v": "  indented\nline\n"}, None) == b"v: |2\n    indented\n  line\n"
    # A trailing space cannot live in a literal block: quoted instead, still exact.
    assert yamlio.dump({"v": "a \nb"}, None) == b'v: "a \\nb"\n'


def test_hand_written_timestamps_load_as_text() -> None:
    data = yamlio.load("founded: 2024-01-01\nat: 2024-01-01 10:00:00\nopen: 08:30\n")
    assert data == {"founded": "2024-01-01", "at": "2024-01-01 10:00:00", "open": "08:30"}


def test_core_scalars_load_as_yaml_11() -> None:
    data = yamlio.load("a: yes\nb: 0777\nc: 1.5\nd: ~\ne: 12\nf: '12'\ng: !!str 12\n")
    assert data == {"a": True, "b": 511, "c": 1.5, "d": None, "e": 12, "f": "12", "g": "12"}


def test_load_accepts_bom_and_str() -> None:
    assert yamlio.load("\ufeffa: 1\n".encode()) == {"a": 1}
    assert yamlio.load("名稱: 東方\n") == {"名稱": "東方"}


@pytest.mark.parametrize(("text", "reason"), [
    ("a: &x 1\nb: *x\n", "line 1: anchors and aliases are not allowed"),
    ("a: 1\nb:\n  - &y {c: 1}\n", "line 3: anchors and aliases are not allowed"),
    ("a: 1\na: 2\n", "line 2: duplicate key 'a'"),
    ("a: 1\n1: x\n", "line 2: keys must be text (quote it)"),
    ("yes: 1\n", "line 1: keys must be text (quote it)"),
    ("? [a]\n: 1\n", "line 1: keys must be text (quote it)"),
    ("a: !!binary aGVsbG8=\n", "line 1: the tag !!binary is not allowed"),
    ("a: !!set {x}\n", "line 1: the tag !!set is not allowed"),
    ("a: !!timestamp 2024-01-01\n", "line 1: the tag !!timestamp is not allowed"),
    ("a: !!python/object/apply:os.system [ls]\n",
     "line 1: the tag !!python/object/apply:os.system is not allowed"),
    ("a: !foo x\n", "line 1: the tag !foo is not allowed"),
    ("a: !!int x\n", "line 1: 'x' is not a valid integer"),
    ("- 1\n", "the top level must be a mapping of keys to values"),
    ("", "the top level must be a mapping of keys to values"),
    ("just text\n", "the top level must be a mapping of keys to values"),
    ("a: 1\n---\nb: 2\n", "line 2: but found another document"),
    ("a: [1\n", "line 2: did not find expected ',' or ']'"),
    ("a: \x01\n", "line 1: control character U+0001 is not allowed"),
    ("a: " + "[" * 100 + "]" * 100 + "\n",
     "line 1: the document is nested more than 64 levels deep"),
    ("notes:\n" + "- " * 65 + "x\n", "line 2: the document is nested more than 64 levels deep"),
    ("notes:\n" + "".join("  " * i + "-\n" for i in range(70)),
     "line 65: the document is nested more than 64 levels deep"),
    ("".join(" " * i + f"k{i}:\n" for i in range(70)),
     "line 65: the document is nested more than 64 levels deep"),
])
def test_refused_documents(text: str, reason: str) -> None:
    with pytest.raises(CorruptRecord) as info:
        yamlio.load(text, "customers/0000/C000042.yaml")
    assert info.value.path == "customers/0000/C000042.yaml"
    assert info.value.reason == reason


def test_invalid_utf8_is_corrupt() -> None:
    with pytest.raises(CorruptRecord) as info:
        yamlio.load(b"a: 1\nb: \xff\xfe\n", "f.yaml")
    assert info.value.reason == "line 2: the file is not valid UTF-8"


def test_star_and_ampersand_in_text_are_fine() -> None:
    assert yamlio.load("a: 'A&B *x'\nb: \"&y\"\n") == {"a": "A&B *x", "b": "&y"}


def test_dump_refuses_unsupported_types() -> None:
    import datetime
    with pytest.raises(TypeError):
        yamlio.dump({"d": datetime.date(2024, 1, 1)})


def test_validated_record_round_trips() -> None:
    record = record_with_people({"notes": "  first\nsecond \n", "x-hand-edit": "on"})
    record["basic"]["phone"] = "(02)2531-7099"
    assert all(e.path != "notes" for e in validate(record))
    assert yamlio.load(yamlio.dump(record)) == record


@given(st.text(alphabet=string.printable + "中文\u3000", max_size=50))
def test_every_printable_text_round_trips(value: str) -> None:
    if BAD_CHARS_RE.search(value):
        return  # \r, \x0b and \x0c are refused by validation
    assert yamlio.load(yamlio.dump({"k": value})) == {"k": value}


DEEP_BLOCK = "notes:\n" + "- " * 60_000 + "x\n"


def test_block_list_60000_deep_is_refused_in_a_child_process() -> None:
    # Run where a SIGSEGV in libyaml would kill only the child, and show as its exit code.
    import subprocess
    import sys
    code = ("import sys\nfrom intranet.records.files import yamlio\nfrom intranet.archive.errors "
            "import CorruptRecord\ntry:\n    yamlio.load(sys.stdin.buffer.read(), 'c.yaml')\n"
            "except CorruptRecord as exc:\n    print(exc.reason)\n    sys.exit(3)\n")
    done = subprocess.run([sys.executable, "-c", code], input=DEEP_BLOCK.encode(), check=False,
                          capture_output=True)
    assert done.returncode == 3, done.stderr
    assert done.stdout.decode().strip() == \
        "line 2: the document is nested more than 64 levels deep"


def test_nesting_at_the_limit_loads() -> None:
    text = "notes:\n" + "- " * 63 + "x\n"
    value = yamlio.load(text)["notes"]
    for _ in range(62):
        value = value[0]
    assert value == ["x"]


def test_oversized_text_is_refused_with_its_size() -> None:
    text = "notes: " + "x" * yamlio.MAX_BYTES + "\n"
    with pytest.raises(CorruptRecord) as info:
        yamlio.load(text.encode(), "c.yaml")
    assert info.value.reason == (f"line 1: the text is {len(text)} bytes, more than the "
                                 f"{yamlio.MAX_BYTES} bytes allowed")
    with pytest.raises(CorruptRecord):
        yamlio.load("notes: 客戶\n", "c.yaml", max_bytes=10)  # 14 bytes of UTF-8


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["- ", "? ", ": ", "k: ", "- k: ",
                                                                "-\n", "k:\n", "x\n"])),
                max_size=60))
def test_cheap_prescan_never_misses_deep_nesting(lines: list[tuple[int, str]]) -> None:
    # Whatever the text, when the prescan lets it through libyaml nests at most MAX_DEPTH.
    import yaml
    text = "".join(" " * indent + piece * (1 + indent % 5) + "\n" for indent, piece in lines)
    if yamlio._may_nest_deeply(text):
        return
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=yamlio.Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    assert deepest <= yamlio.MAX_DEPTH
