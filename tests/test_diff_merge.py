"""Field-level diffs, commit-message sections and three-way merges of records."""
from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from intranet.records.files.diff import (
    Change,
    MergeConflict,
    changed_sections,
    diff,
    flatten,
    merge3,
    summarise,
)
from intranet.records.files.schema import new_record


def base() -> dict[str, Any]:
    """Return a saved record with people and one contact."""
    r = new_record("distributor", "C000042", **{
        "basic.name": "東方貿易", "basic.phone": "02-2531-7099", "basic.address": "台北市"})
    r["people"] = [{"name": "王小明", "title": "董事長", "age": 60},
                   {"name": "李美華", "title": "採購", "age": 35}]
    r["contacts"] = [{"date": "2024-05-01", "channel": "call", "summary": "詢價"}]
    r["custody"]["contacts"] = ["wang.li"]
    return r


def edited(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Return a deep copy with dotted-path changes applied (no list indices)."""
    out = copy.deepcopy(record)
    for path, value in changes.items():
        *parents, last = path.split(".")
        target = out
        for part in parents:
            target = target[part]
        target[last] = value
    return out


def test_flatten_paths_and_order() -> None:
    flat = flatten({"notes": "n", "people": [{"age": 3, "name": "a"}], "id": "C1",
                    "custody": {"contacts": ["x", "y"]}, "zz": {"b": 1, "a": 2},
                    "yearly": [{"year": 2024, "sales": {"產品A": 5}}], "documents": []})
    assert list(flat.items()) == [
        ("id", "C1"), ("custody.contacts", ["x", "y"]), ("people[0].name", "a"),
        ("people[0].age", 3), ("notes", "n"), ("yearly[0].year", 2024),
        ("yearly[0].sales.產品A", 5), ("zz.a", 2), ("zz.b", 1)]


def test_diff_reports_only_changed_leaves_in_schema_order() -> None:
    old = base()
    new = edited(old, **{"notes": "新客戶", "basic.phone": "02-2531-7100", "vip": True})
    new["people"][1]["age"] = 36
    new["hand"] = "x"
    assert diff(old, new) == [
        Change("vip", False, True),
        Change("basic.phone", "02-2531-7099", "02-2531-7100"),
        Change("people[1].age", 35, 36),
        Change("notes", "", "新客戶"),
        Change("hand", None, "x"),
    ]
    assert diff(old, copy.deepcopy(old)) == []


def test_diff_of_first_list_item_is_per_field() -> None:
    old = new_record("terminal", "C000001")
    new = copy.deepcopy(old)
    new["events"] = [{"date": "2024-01", "summary": "遷址"}]
    assert diff(old, new) == [Change("events[0].date", None, "2024-01"),
                              Change("events[0].summary", None, "遷址")]


def test_diff_counts_type_changes() -> None:
    assert diff({"a": 1}, {"a": 1.0}) == [Change("a", 1, 1.0)]
    assert diff({"a": 0}, {"a": False}) == [Change("a", 0, False)]


def test_changed_sections_for_commit_messages() -> None:
    old = base()
    new = edited(old, **{"basic.phone": "1", "basic.address": "2", "grade": "A",
                         "custody.contacts": ["wang.li", "chen.yu"]})
    new["contacts"].append({"date": "2024-05-02", "channel": "visit", "summary": "拜訪"})
    new["people"][0]["age"] = 61
    sections = changed_sections(diff(old, new))
    assert sections == ["grade", "custody.contacts", "basic.address", "basic.phone", "people",
                        "contacts"]
    assert summarise(old, new) == "客戶等級、聯繫人員、地址、電話、相關人員、聯絡記錄 +1"


def test_disjoint_field_edits_merge() -> None:
    b = base()
    mine = edited(b, **{"basic.phone": "02-1111-2222"})
    theirs = edited(b, **{"basic.address": "新北市", "notes": "搬家"})
    merged, conflicts = merge3(b, mine, theirs)
    assert conflicts == []
    assert merged == edited(b, **{"basic.phone": "02-1111-2222", "basic.address": "新北市",
                                  "notes": "搬家"})
    assert list(merged) == list(b)


def test_same_field_same_value_merges() -> None:
    b = base()
    mine = edited(b, grade="A")
    theirs = edited(b, grade="A", vip=True)
    assert merge3(b, mine, theirs) == (edited(b, grade="A", vip=True), [])


def test_same_field_different_value_conflicts_naming_the_path() -> None:
    b = base()
    mine = edited(b, **{"basic.phone": "02-1111-2222", "notes": "mine"})
    theirs = edited(b, **{"basic.phone": "02-3333-4444", "grade": "B"})
    merged, conflicts = merge3(b, mine, theirs)
    assert conflicts == [MergeConflict("basic.phone", "02-2531-7099", "02-1111-2222",
                                       "02-3333-4444")]
    # Mine is kept at the conflict, everything else merged.
    assert merged["basic"]["phone"] == "02-1111-2222"
    assert (merged["notes"], merged["grade"]) == ("mine", "B")


def test_concurrent_contact_appends_are_both_kept() -> None:
    b = base()
    mine, theirs = copy.deepcopy(b), copy.deepcopy(b)
    mine_entry = {"date": "2024-05-02", "channel": "visit", "summary": "拜訪"}
    their_entry = {"date": "2024-05-02", "channel": "fax", "summary": "報價"}
    mine["contacts"].append(mine_entry)
    theirs["contacts"].append(their_entry)
    merged, conflicts = merge3(b, mine, theirs)
    assert conflicts == []
    assert merged["contacts"] == [b["contacts"][0], their_entry, mine_entry]


def test_identical_appends_kept_once() -> None:
    b = base()
    entry = {"date": "2024-05-03", "channel": "call", "summary": "催款"}
    extra = {"date": "2024-05-04", "channel": "call", "summary": "再催"}
    mine, theirs = copy.deepcopy(b), copy.deepcopy(b)
    mine["contacts"] += [entry, extra]
    theirs["contacts"] += [entry]
    merged, conflicts = merge3(b, mine, theirs)
    assert conflicts == [] and merged["contacts"] == [b["contacts"][0], entry, extra]


def test_nested_people_edits_at_different_indices_merge() -> None:
    b = base()
    mine, theirs = copy.deepcopy(b), copy.deepcopy(b)
    mine["people"][0]["title"] = "總經理"
    theirs["people"][1]["age"] = 36
    merged, conflicts = merge3(b, mine, theirs)
    assert conflicts == []
    assert merged["people"] == [{"name": "王小明", "title": "總經理", "age": 60},
                                {"name": "李美華", "title": "採購", "age": 36}]


def test_same_person_same_field_conflicts_with_index_path() -> None:
    b = base()
    mine, theirs = copy.deepcopy(b), copy.deepcopy(b)
    mine["people"][1]["title"] = "經理"
    theirs["people"][1]["title"] = "協理"
    _, conflicts = merge3(b, mine, theirs)
    assert conflicts == [MergeConflict("people[1].title", "採購", "經理", "協理")]


def test_edit_while_other_appends_merges() -> None:
    b = base()
    mine, theirs = copy.deepcopy(b), copy.deepcopy(b)
    mine["contacts"][0]["summary"] = "詢價（已回覆）"
    theirs["contacts"].append({"date": "2024-05-05", "channel": "email", "summary": "寄型錄"})
    merged, conflicts = merge3(b, mine, theirs)
    assert conflicts == []
    assert [c["summary"] for c in merged["contacts"]] == ["詢價（已回覆）", "寄型錄"]


def test_deletion_against_append_conflicts_at_the_list() -> None:
    b = base()
    mine, theirs = copy.deepcopy(b), copy.deepcopy(b)
    mine["people"].pop()
    theirs["people"].append({"name": "張三"})
    merged, conflicts = merge3(b, mine, theirs)
    assert [c.path for c in conflicts] == ["people"]
    assert merged["people"] == mine["people"]


def test_scalar_lists_and_added_keys() -> None:
    b = base()
    mine = edited(b, **{"custody.contacts": ["wang.li", "chen.yu"]})
    theirs = edited(b, **{"custody.contacts": ["lin.mei"]})
    theirs["hand"] = "x"
    mine["mine_only"] = 1
    merged, conflicts = merge3(b, mine, theirs)
    assert conflicts == [MergeConflict("custody.contacts", ["wang.li"],
                                       ["wang.li", "chen.yu"], ["lin.mei"])]
    assert merged["hand"] == "x" and merged["mine_only"] == 1


def test_both_add_same_key_differently_conflicts_with_none_base() -> None:
    _, conflicts = merge3({"a": 1}, {"a": 1, "b": 2}, {"a": 1, "b": 3})
    assert conflicts == [MergeConflict("b", None, 2, 3)]


def test_deleting_a_key_one_side_merges() -> None:
    merged, conflicts = merge3({"a": 1, "b": 2}, {"a": 1}, {"a": 5, "b": 2})
    assert (merged, conflicts) == ({"a": 5}, [])


json_like = st.recursive(
    st.one_of(st.integers(0, 3), st.sampled_from(["x", "y", ""]), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from("abc"), inner, max_size=3)),
    max_leaves=8)
docs = st.dictionaries(st.sampled_from(["notes", "basic", "people", "zz"]), json_like,
                       max_size=4)


@given(docs, docs)
def test_merge_with_unchanged_side_takes_the_other(b: dict[str, Any],
                                                   other: dict[str, Any]) -> None:
    assert merge3(b, b, other) == (other, [])
    assert merge3(b, other, b) == (other, [])
    assert merge3(b, other, other) == (other, [])


@given(docs, docs, docs)
def test_merge_is_clean_when_diffs_are_disjoint(b: dict[str, Any], m: dict[str, Any],
                                                t: dict[str, Any]) -> None:
    merged, conflicts = merge3(b, m, t)
    if not conflicts:
        # Everything either side changed is in the merge.
        for change in diff(b, m):
            if change.path not in {c.path for c in diff(b, t)}:
                assert flatten(merged).get(change.path) == change.new or \
                    change.new in (None, [], {})
