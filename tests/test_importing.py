"""Planning an import row by row, and writing it as one commit (issue 11, R4)."""

from __future__ import annotations

import json

import pytest

from intranet.actions import Forbidden
from intranet.actions.importing import _loader, plan_at
from intranet.records.files import yamlio
from intranet.records.files.schema import new_record
from intranet.records.files.validate import normalise, validate
from intranet.records.imports import import_commit
from intranet.records.imports.importing import (
    ERROR,
    FILLS,
    FLAGGED,
    FORBIDDEN,
    MERGED,
    NEW,
    UNCHANGED,
    Incoming,
    plan_rows,
)
from intranet.records.rulebook.rules import load_rules
from intranet.records.trail.audit import read_lines

TAIWAN_CEMENT = {"basic.name": "臺灣水泥股份有限公司", "basic.tax_id": "11913502",
                 "basic.phone": "(02)2531-7099", "classification.industry": "水泥工業"}
ASIA_CEMENT = {"basic.name": "亞洲水泥股份有限公司", "basic.tax_id": "03244509",
               "basic.phone": "02-2733-8000", "classification.industry": "水泥工業"}


def existing(svc, owner="wang.li", department="sales", **fields):
    """Create a file kept by ``owner`` and return its id."""
    record = new_record("terminal", **{"custody.owner": owner,
                                       "custody.department": department,
                                       "classification.industry": "水泥工業", **fields})
    customer, _ = svc.files.create(record, owner)
    return customer


def planned(svc, rows, importer="director", **options):
    """Plan converted rows against the app's archive and index."""
    snapshot = svc.archive.snapshot()
    rules = load_rules(snapshot)
    incoming = [Incoming(n, values) for n, values in rows]
    return plan_rows(incoming, rules=rules, matches=svc.index.matches,
                     load=_loader(svc.files, snapshot), importer=importer,
                     head=snapshot.commit, **options)


def statuses(plan):
    return [(row.number, row.status) for row in plan.rows]


def test_new_rows_become_complete_records_kept_by_the_importer(svc):
    plan = planned(svc, [(3, {**TAIWAN_CEMENT, "basic.address": "台北市中山北路2段113號",
                             "people.name": "張安平", "people.title": "董事長",
                             "grade": "A"})])
    row = plan.rows[0]
    assert row.status == NEW and row.owner == "director"
    record = row.record
    assert record["basic"]["name"] == "臺灣水泥股份有限公司"
    assert record["basic"]["tax_id"] == "11913502"
    assert record["basic"]["phone"] == "(02)2531-7099"
    assert record["basic"]["address"] == "台北市中山北路2段113號"
    assert record["grade"] == "A" and record["card"] == "terminal"
    assert record["source"] == "import"
    assert record["custody"] == {"level": "personal", "owner": "director",
                                 "department": "marketing", "contacts": []}
    assert record["people"][0]["name"] == "張安平"
    assert record["people"][0]["title"] == "董事長"
    assert record == normalise(record)  # the form every file is written in
    assert plan.counts()[NEW] == 1


def test_a_tax_id_twice_in_the_sheet_is_merged_into_the_first_row(svc):
    plan = planned(svc, [
        (2, TAIWAN_CEMENT),
        (3, {"basic.name": "台灣水泥(股)公司", "basic.tax_id": "11913502",
             "basic.address": "台北市中山北路2段113號", "basic.phone": "02-9999-0000"}),
    ])
    assert statuses(plan) == [(2, NEW), (3, MERGED)]
    merged = plan.rows[1]
    assert merged.match.row == 2 and merged.match.kind == "tax"
    assert merged.fills == ["basic.address"]
    # The phone differs: reported, not overwritten.
    assert [(c.path, c.ours, c.theirs) for c in merged.conflicts] == [
        ("basic.phone", "02-9999-0000", "(02)2531-7099")]
    assert plan.rows[0].record["basic"]["address"] == "台北市中山北路2段113號"
    assert plan.rows[0].record["basic"]["phone"] == "(02)2531-7099"


def test_a_tax_id_in_the_archive_fills_the_file_the_importer_may_edit(svc):
    customer = existing(svc, **{"basic.name": "臺灣水泥", "basic.tax_id": "11913502",
                                "basic.phone": "02-2531-7099"})
    plan = planned(svc, [(2, {**TAIWAN_CEMENT, "basic.address": "台北市中山北路2段113號"})],
                   importer="wang.li")
    row = plan.rows[0]
    assert row.status == FILLS and row.match.customer == customer
    assert row.fills == ["basic.address"] and row.conflicts == []
    assert plan.files[customer]["basic"]["address"] == "台北市中山北路2段113號"


def test_a_duplicate_with_nothing_to_fill_is_unchanged(svc):
    existing(svc, **{"basic.name": "臺灣水泥", "basic.tax_id": "11913502",
                     "basic.phone": "02-2531-7099"})
    plan = planned(svc, [(2, TAIWAN_CEMENT)], importer="wang.li")
    assert statuses(plan) == [(2, UNCHANGED)] and plan.files == {}


def test_a_file_the_importer_may_not_edit_is_neither_filled_nor_shown(svc):
    customer = existing(svc, **{"basic.name": "臺灣水泥", "basic.tax_id": "11913502",
                                "basic.phone": "02-1111-2222", "notes": "secret"})
    plan = planned(svc, [(2, {**TAIWAN_CEMENT, "basic.address": "台北市"})],
                   importer="chen.yu")
    row = plan.rows[0]
    assert row.status == FORBIDDEN and row.fills == [] and row.conflicts == []
    assert row.match.customer == customer and row.match.name == "臺灣水泥"
    assert row.match.readable is False
    assert plan.files == {}


def test_two_different_tax_ids_are_two_customers_whatever_the_names(svc):
    plan = planned(svc, [
        (2, TAIWAN_CEMENT),
        (3, {**TAIWAN_CEMENT, "basic.tax_id": "03244509", "basic.phone": "02-2733-8000"}),
    ])
    assert statuses(plan) == [(2, NEW), (3, NEW)]


def test_a_name_match_where_one_side_has_no_tax_id_is_flagged(svc):
    rows = [(2, TAIWAN_CEMENT),
            (3, {"basic.name": "台湾水泥", "basic.phone": "07-1234567",
                 "classification.industry": "水泥"})]
    plan = planned(svc, rows)
    assert statuses(plan) == [(2, NEW), (3, FLAGGED)]
    assert plan.rows[1].match.kind == "name" and plan.rows[1].match.row == 2
    accepted = planned(svc, rows, accept_flagged=True)
    assert statuses(accepted) == [(2, NEW), (3, NEW)] and accepted.rows[1].accepted
    # A person decides row by row: only the rows named are taken.
    assert statuses(planned(svc, rows, accept_flagged={3})) == [(2, NEW), (3, NEW)]
    assert statuses(planned(svc, rows, accept_flagged={4})) == [(2, NEW), (3, FLAGGED)]


def test_a_phone_match_against_the_archive_is_flagged(svc):
    customer = existing(svc, **{"basic.name": "別的公司", "basic.phone": "02-2531-7099"})
    plan = planned(svc, [(2, TAIWAN_CEMENT)])
    row = plan.rows[0]
    assert row.status == FLAGGED and row.match.customer == customer
    assert row.match.kind == "phone"


def test_same_name_and_phone_without_tax_ids_is_merged(svc):
    plan = planned(svc, [
        (2, {"basic.name": "永井商行", "basic.phone": "02 2345 6789",
             "classification.industry": "貿易"}),
        (5, {"basic.name": "永井商行有限公司", "basic.phone": "(02)2345-6789",
             "basic.address": "台北市", "classification.industry": "零售"}),
    ])
    assert statuses(plan) == [(2, NEW), (5, MERGED)]
    assert plan.rows[1].fills == ["basic.address"]
    assert [c.path for c in plan.rows[1].conflicts] == ["classification.industry"]


def test_a_checksum_failing_tax_id_is_imported_with_a_note(svc):
    plan = planned(svc, [(2, {**TAIWAN_CEMENT, "basic.tax_id": "11913503"})])
    row = plan.rows[0]
    assert row.status == NEW and row.record["basic"]["tax_id"] == "11913503"
    assert [n.path for n in row.notes] == ["basic.tax_id"]
    assert "checksum" in row.notes[0].text()


def test_an_unknown_salesperson_leaves_the_file_to_the_importer(svc):
    plan = planned(svc, [(2, {**TAIWAN_CEMENT, "custodian": "王大明"}),
                         (3, {**ASIA_CEMENT, "custodian": "陳宇"}),
                         (4, {"basic.name": "嘉新水泥", "basic.phone": "02-2551-5211",
                              "classification.industry": "水泥", "custodian": "王立"})])
    assert [row.owner for row in plan.rows] == ["director", "chen.yu", "wang.li"]
    assert plan.unknown_custodians == ["王大明"]
    assert plan.rows[1].record["custody"]["department"] == "sales"
    # A chosen custodian takes the files nobody in the sheet is named for.
    chosen = planned(svc, [(2, {**TAIWAN_CEMENT, "custodian": "王大明"})], custodian="chen.yu")
    assert chosen.rows[0].owner == "chen.yu"


def test_rows_in_error_give_their_reasons_and_take_no_part(svc):
    plan = planned(svc, [
        (2, {"basic.name": "缺電話公司", "classification.industry": "水泥"}),
        (3, {**TAIWAN_CEMENT, "grade": "Z"}),
        (4, {"basic.name": "缺電話公司", "basic.phone": "02-2222-3333",
             "classification.industry": "水泥"}),
    ])
    assert statuses(plan) == [(2, ERROR), (3, ERROR), (4, NEW)]
    assert [r.path for r in plan.rows[0].reasons] == ["basic.phone"]
    assert plan.rows[0].reasons[0].text() == "Phone: Required for a terminal card"
    assert plan.rows[1].reasons[0].path == "grade"
    assert plan.counts()[ERROR] == 2


def test_a_manager_places_files_only_in_their_department(svc):
    plan = planned(svc, [(2, {**TAIWAN_CEMENT, "custodian": "wang.li"}),
                         (3, {**ASIA_CEMENT, "custodian": "lin.sales2"})],
                   importer="lee.mgr", department="sales")
    assert statuses(plan) == [(2, NEW), (3, ERROR)]
    assert plan.rows[1].reasons[0].path == "custody.owner"


def test_who_may_import(svc):
    snapshot = svc.archive.snapshot()
    for username in ("wang.li", "hr.chen", "gm"):
        with pytest.raises(Forbidden):
            plan_at(svc.files, svc.index, snapshot, username, _Table([]), [])
    with pytest.raises(Forbidden):
        plan_at(svc.files, svc.index, snapshot, "lee.mgr", _Table([]), [],
                custodian="lin.sales2")


class _Table:
    filename = "客戶名冊.xlsx"

    def __init__(self, rows):
        self.rows = rows


def test_the_commit_message_names_the_file_and_counts(svc):
    message = import_commit.message("C:\\tmp\\客戶名冊.xlsx", 120, 3, 130)
    assert message.splitlines()[0] == "匯入 客戶名冊.xlsx：新增 120、補充 3"
    assert "Action: import" in message and "Source: import 客戶名冊.xlsx" in message
    assert "Rows: 130" in message


def test_one_commit_writes_new_files_under_consecutive_ids_and_fills(svc):
    from tests.conftest import git

    first = existing(svc, **{"basic.name": "臺灣水泥", "basic.tax_id": "11913502",
                             "basic.phone": "02-2531-7099"})
    plan = planned(svc, [(2, {**TAIWAN_CEMENT, "basic.address": "台北市中山北路2段113號"}),
                         (3, ASIA_CEMENT),
                         (4, {"basic.name": "味全食品工業股份有限公司", "basic.tax_id": "11347802",
                              "basic.phone": "(02)25065020", "classification.industry": "食品",
                              "basic.registered_capital": 5060629140,
                              "basic.founded": "1953-09-22"})],
                   importer="wang.li")
    before = svc.archive.head()
    identity = load_rules(svc.archive.snapshot()).identity("wang.li")
    commit = svc.archive.commit(
        lambda snap: import_commit.change(svc.files, snap, plan, "客戶名冊.xlsx", 3), identity)
    assert git(svc.archive.path, "rev-list", "--count", f"{before}..{commit}").strip() == "1"
    assert git(svc.archive.path, "log", "-1", "--format=%an|%ae|%s", commit).strip() == \
        "王立|wang.li@example.com|匯入 客戶名冊.xlsx：新增 2、補充 1"
    body = git(svc.archive.path, "log", "-1", "--format=%b", commit)
    assert "Action: import" in body and "Source: import 客戶名冊.xlsx" in body
    assert "Rows: 3" in body
    assert [row.customer for row in plan.new_rows] == ["C000002", "C000003"]
    for row in plan.new_rows:  # written section by section: the bytes of one whole dump
        raw = svc.archive.read(f"customers/0000/{row.customer}.yaml")
        assert raw == yamlio.dump(normalise({**row.record, "id": row.customer}))
    asia = svc.files.load("C000002")
    assert not asia.damaged
    assert asia.record["basic"]["name"] == "亞洲水泥股份有限公司"
    assert asia.record["basic"]["tax_id"] == "03244509"
    assert asia.record["custody"] == {"level": "personal", "owner": "wang.li",
                                      "department": "sales", "contacts": []}
    assert asia.record["source"] == "import"
    wei = svc.files.load("C000003").record
    assert wei["basic"]["registered_capital"] == 5060629140
    assert wei["basic"]["founded"] == "1953-09-22"
    filled = svc.files.load(first).record
    assert filled["basic"]["address"] == "台北市中山北路2段113號"
    assert filled["basic"]["phone"] == "02-2531-7099"
    # The same rows again: everything is in the archive already, nothing to write.
    again = planned(svc, [(2, {**TAIWAN_CEMENT, "basic.address": "台北市中山北路2段113號"}),
                          (3, ASIA_CEMENT)], importer="wang.li")
    assert statuses(again) == [(2, UNCHANGED), (3, UNCHANGED)]
    assert import_commit.change(svc.files, svc.archive.snapshot(), again, "x.csv", 2) is None


class _SomeoneSavesFirst:
    """The real index; the first look-up is followed by another person's new file."""

    def __init__(self, svc, record):
        self.svc, self.record, self.done = svc, record, False

    def matches(self, pairs):
        found = self.svc.index.matches(pairs)
        if not self.done:
            self.done = True
            self.svc.files.create(self.record, "director")
        return found


def test_the_commit_plans_again_when_someone_saved_after_the_preview(svc):
    from intranet.actions import importing
    from intranet.sheets import headings
    from intranet.sheets.reading import read_table

    table = read_table("公司名稱,統一編號,電話,產業別\n臺灣水泥股份有限公司,11913502,"
                       "(02)2531-7099,水泥\n".encode(), "a.csv")
    theirs = new_record("terminal", **{"basic.name": "臺灣水泥", "basic.tax_id": "11913502",
                                       "basic.phone": "02-2531-7099",
                                       "classification.industry": "水泥",
                                       "custody.owner": "director",
                                       "custody.department": "marketing"})
    index = _SomeoneSavesFirst(svc, theirs)
    report = importing.run(svc.files, index, "director", table,
                           headings.suggest(table.headings), journal=svc.journal)
    # The preview saw no such file; the commit saw C000001 and wrote nothing twice.
    assert statuses(report.plan) == [(2, UNCHANGED)]
    assert report.plan.rows[0].match.customer == "C000001"
    assert report.commit is None
    assert svc.archive.files("customers/").keys() == {"customers/0000/C000001.yaml"}
    # The report showed that file's contents (nothing to fill): journalled as a read.
    entries = [json.loads(line) for line in read_lines(svc.journal.path)]
    assert any(e["customer"] == "C000001" and e["user"] == "director" and e["allowed"]
               for e in entries)


TRICKY = ["", " lead", "trail ", "a\nb", "a\n\nb\n", "a\n\n", "\n", " \nx", "x\n  \ny", "yes",
          "y", "1e3", "0o17", "- x", "a: b", "#c", "'q'", '"d"', "@x", "%", "`", "&a", "*a",
          "!t", "|", ">", "null", "~", "12345678", "0123", "+886 2", "台北\t市", "\u3000全形",
          "a\u2028b", "中文\n第二行", "x" * 300, "é", "\x85", "[a]", "{b}", "a, b", "?", ":",
          "a #b", "a\r\nb"]


def test_files_written_piece_by_piece_are_the_bytes_of_one_dump():
    dumper = import_commit.SectionDumper()
    for text in TRICKY:
        record = normalise(new_record("terminal", "C000001", **{
            "basic.name": text, "basic.address": text, "notes": text,
            "basic.registered_capital": 12.5, "custody.contacts": ["wang.li"]}))
        record["people"] = [{"name": text, "title": text, "age": 3}, {"name": "b"}]
        record["yearly"] = [{"year": 2020, "sales": {"產品A": 1}}]
        record["extra_key"] = {"b": text, "a": [text]}
        for _ in range(2):  # the second time from what it remembers
            assert dumper.dump(record) == yamlio.dump(record), repr(text)


def test_checking_a_row_skips_only_what_the_template_makes_valid(svc):
    from intranet.records.imports.importing import check

    rules = load_rules(svc.archive.snapshot())
    for card in ("terminal", "distributor"):
        blank = new_record(card, "C000001")
        assert validate(blank, rules.policy) == check(blank, rules)
        filled = normalise(new_record(card, "C000001", **{
            "basic.name": "x", "basic.phone": "123", "grade": "Z", "basic.email": "no",
            "credit.limit": -5, "custody.owner": "nobody", "custody.department": "sales"}))
        assert validate(filled, rules.policy) + rules.check_people(filled) == \
            check(filled, rules)
        assert check(filled, rules)


def test_the_policy_says_who_imports():
    from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy, validate_policy

    assert Policy().import_roles == (["marketing_director", "marketing_staff"],
                                     ["department_manager"])
    assert validate_policy(DEFAULT_POLICY) == []
    bad = validate_policy({"imports": {"roles": ["nobody"], "department_roles": "x"}})
    assert [e.path for e in bad] == ["imports.roles", "imports.department_roles"]



def test_a_manager_fills_a_file_whatever_the_salesperson_cell_says(svc):
    customer = existing(svc, owner="lee.mgr", **{"basic.name": "臺灣水泥",
                                                 "basic.tax_id": "11913502",
                                                 "basic.phone": "02-2531-7099"})
    plan = planned(svc, [(2, {**TAIWAN_CEMENT, "basic.address": "台北市",
                              "custodian": "lin.sales2"})],
                   importer="lee.mgr", department="sales")
    assert statuses(plan) == [(2, FILLS)] and plan.rows[0].match.customer == customer
