"""Duplicates in the archive (R4): matches for a new record, groups, and the merge of two files
on a real archive, with the commit, the bytes and git's history checked as git tells them."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date

import pytest

from intranet.actions import Forbidden, merging
from intranet.actions import customers as customer_actions
from intranet.archive.errors import Conflict
from intranet.records.files import documents, entries, retired, yamlio
from intranet.records.files.customers import customer_path
from intranet.records.files.documents import Upload
from intranet.records.files.schema import new_record
from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy, validate_policy

from . import doc_samples as s
from .conftest import git

TODAY = date(2026, 12, 1)
_PHONES = itertools.count(1000)


def make(svc, author: str = "wang.li", department: str = "sales", **fields) -> str:
    """Create a file through the domain and return its id."""
    # A phone is required; each file gets its own unless the test gives one.
    defaults = {"basic.name": "東方貿易", "basic.phone": f"07-333-{next(_PHONES)}",
                "basic.address": "臺北市",
                "classification.region": "北區", "custody.owner": author,
                "custody.department": department}
    return svc.files.create(new_record("distributor", **{**defaults, **fields}), author)[0]


def record(svc, customer_id: str) -> dict:
    return yamlio.load(svc.archive.read(customer_path(customer_id)))


def test_matches_by_tax_id_name_variant_and_phone(svc):
    cement = make(svc, **{"basic.name": "臺灣水泥股份有限公司", "basic.tax_id": "11913502",
                          "basic.phone": "(02)2531-7099"})
    other = make(svc, **{"basic.name": "東方貿易有限公司", "basic.phone": "04-2255-1234"})
    typed = new_record("distributor", **{"basic.name": "台湾水泥(股)公司"})
    assert [(m.id, m.kinds) for m in merging.matches(svc.index, typed)] == [(cement, ["name"])]
    by_phone = new_record("distributor", **{"basic.name": "某公司",
                                            "basic.phone": "+886 2 2531 7099"})
    assert [(m.id, m.kinds) for m in merging.matches(svc.index, by_phone)] == \
        [(cement, ["phone"])]
    by_tax = new_record("distributor", **{"basic.name": "別的名字", "basic.tax_id": "11913502",
                                          "basic.phone": "04 2255 1234"})
    found = merging.matches(svc.index, by_tax)
    assert [(m.id, m.kinds) for m in found] == [(cement, ["tax"]), (other, ["phone"])]
    assert merging.matches(svc.index, new_record("distributor",
                                                 **{"basic.name": "全新客戶"})) == []


def test_groups_strongest_first(svc):
    a = make(svc, **{"basic.name": "臺灣水泥股份有限公司", "basic.tax_id": "11913502"})
    b = make(svc, **{"basic.name": "台泥", "basic.tax_id": "11913502"})
    c = make(svc, **{"basic.name": "台湾水泥(股)公司", "basic.phone": "02-2531-7099"})
    d = make(svc, **{"basic.name": "另一家", "basic.phone": "(02)2531-7099"})
    make(svc, **{"basic.name": "獨一無二"})
    assert merging.groups(svc.index) == [{"kind": "tax", "ids": [a, b]},
                                         {"kind": "name", "ids": [a, c]},
                                         {"kind": "phone", "ids": [c, d]}]


def test_policy_key_for_the_roles_is_data():
    assert Policy().duplicate_roles == ["marketing_director", "marketing_staff"]
    assert DEFAULT_POLICY["duplicates"]["roles"] == ["marketing_director", "marketing_staff"]
    errors = validate_policy({"duplicates": {"roles": ["nobody"]}})
    assert [e.path for e in errors] == ["duplicates.roles"]
    assert validate_policy({"duplicates": {"roles": []}}) == []


def _rich_pair(svc):
    """Two files of one company kept by the director, each with entries and a document."""
    kept = make(svc, "director", "marketing", **{
        "basic.name": "臺灣水泥股份有限公司", "basic.tax_id": "11913502",
        "basic.phone": "02-2531-7099", "basic.address": "臺北市中山區中山北路二段113號",
        "classification.industry": "水泥"})
    gone = make(svc, "director", "marketing", **{
        "basic.name": "台泥", "basic.tax_id": "11913502", "basic.phone": "02-2531-7099",
        "basic.address": "台北市中山北路2段113號", "basic.legal_representative": "張安平",
        "basic.website": "https://www.taiwancement.com"})
    entries.add_contact(svc.files, gone, entries.contact_entry(
        when="2026-11-20", channel="visit", staff="director", summary="拜訪採購部",
        today=TODAY), "director")
    entries.add_event(svc.files, gone, entries.event_entry(
        when="2026-10", kind="capital", summary="增資", today=TODAY), "director")
    entries.put_year(svc.files, kept, entries.year_entry(
        year=2024, sales=[("水泥", "100")], financials={}, today=TODAY), "director")
    entries.put_year(svc.files, gone, entries.year_entry(
        year=2024, sales=[("水泥", "120")], financials={}, today=TODAY), "director")
    entries.put_year(svc.files, gone, entries.year_entry(
        year=2023, sales=[("熟料", "80")], financials={}, today=TODAY), "director")
    documents.add(svc.files, kept, Upload(s.PNG, "logo.png", kind="other"), "director", TODAY)
    documents.add(svc.files, gone, Upload(s.PDF, "合約.pdf", kind="contract"), "director",
                  TODAY)
    return kept, gone


def test_merge_moves_entries_documents_and_fills_fields(svc, app):
    kept, gone = _rich_pair(svc)
    repo = app.config["ARCHIVE_REPO"]
    before_gone = record(svc, gone)
    base = svc.archive.head()
    head_, _kept, _gone, plan = merging.preview(svc.files, "director", kept, gone)
    assert head_ == base
    assert sorted(c.path for c in plan.clashes) == ["basic.address", "basic.name",
                                                   "yearly.2024"]
    commit, plan = merging.merge(svc.files, "director", kept, gone, base, TODAY,
                                 choices={"basic.address": "retired"})
    assert svc.archive.head() == commit
    after = record(svc, kept)
    assert after["id"] == kept and after["basic"]["name"] == "臺灣水泥股份有限公司"
    assert after["basic"]["address"] == "台北市中山北路2段113號"  # chosen from the retired
    assert after["basic"]["legal_representative"] == "張安平"  # empty in the kept: filled
    assert after["basic"]["website"] == "https://www.taiwancement.com"
    assert after["classification"]["industry"] == "水泥"
    assert [c["summary"] for c in after["contacts"]] == ["拜訪採購部"]
    assert [e["summary"] for e in after["events"]] == ["增資"]
    assert [(y["year"], y["sales"]) for y in after["yearly"]] == [(2023, {"熟料": 80}),
                                                                 (2024, {"水泥": 100})]
    assert after["custody"] == before_gone["custody"] | {"owner": "director"}
    # The documents: the retired one's bytes now at a new name in the kept file's folder.
    files = {d["original_name"]: d for d in after["documents"]}
    moved = files["合約.pdf"]["file"]
    assert moved.startswith(documents.folder(kept)) and moved.endswith(".pdf")
    assert svc.archive.read(moved) == s.PDF
    assert hashlib.sha256(svc.archive.read(moved)).hexdigest() == files["合約.pdf"]["sha256"]
    assert documents.find(after, kept, moved.rpartition("/")[2]) is not None
    assert svc.archive.snapshot().listdir(documents.folder(gone).rstrip("/")) == []
    # The retired file is gone, and its id is registered and never given out again.
    assert svc.archive.snapshot().get(customer_path(gone)) is None
    assert retired.kept_for(svc.archive.snapshot(), gone) == kept
    assert svc.files.next_id(svc.archive.snapshot()) == f"C{int(gone[1:]) + 1:06d}"
    # One commit by the acting user with the trailers; both histories reachable in git.
    message = git(repo, "log", "-1", "--format=%an%n%B", commit)
    assert message.startswith(f"林美華\n合併 {gone} 至 {kept} ")
    for trailer in ("Action: merge", f"Customer: {kept}", f"Merged-From: {gone}",
                    "Retired-Blob: "):
        assert trailer in message
    log = git(repo, "log", "--format=%H", "--", customer_path(gone)).split()
    assert log[0] == commit and len(log) >= 4
    old = git(repo, "show", f"{commit}^:{customer_path(gone)}")
    assert "台泥" in old
    assert git(repo, "show", f"{commit}:{retired.PATH}").count(gone) == 1
    # The index keeps the retired file's versions and forgets its keys.
    rows = svc.index.versions(gone)
    assert rows[0]["status"] == "D" and rows[0]["action"] == "merge" and len(rows) >= 4
    assert svc.index.get(gone) is None
    assert merging.groups(svc.index) == []


def test_next_id_never_reuses_the_highest_id_once_retired(svc):
    first = make(svc, "director", "marketing", **{"basic.name": "甲", "basic.tax_id": "04595257"})
    last = make(svc, "director", "marketing", **{"basic.name": "甲公司"})
    merging.merge(svc.files, "director", first, last, svc.archive.head(), TODAY)
    created = make(svc, "director", "marketing", **{"basic.name": "乙"})
    assert created == f"C{int(last[1:]) + 1:06d}" and created != last


def test_merge_refused_without_the_role_or_the_right_to_edit(svc):
    a = make(svc, **{"basic.name": "甲公司"})
    b = make(svc, **{"basic.name": "甲"})
    head = svc.archive.head()
    with pytest.raises(Forbidden):  # a salesperson's role does not merge, even own files
        merging.merge(svc.files, "wang.li", a, b, head, TODAY)
    with pytest.raises(Forbidden):  # marketing staff may not edit a salesperson's files
        merging.merge(svc.files, "info.wu", a, b, head, TODAY)
    assert svc.archive.head() == head


def test_merge_refused_when_a_file_changed_since_the_page(svc):
    a = make(svc, "director", "marketing", **{"basic.name": "甲公司"})
    b = make(svc, "director", "marketing", **{"basic.name": "甲"})
    base = svc.archive.head()
    loaded = svc.files.load(b)
    changed = {**loaded.record, "notes": "剛剛改過"}
    customer_actions.save(svc.files, "director", b, changed, loaded.commit)
    head = svc.archive.head()
    with pytest.raises(Conflict):
        merging.merge(svc.files, "director", a, b, base, TODAY)
    assert svc.archive.head() == head


def test_a_retired_file_cannot_be_restored(svc):
    a = make(svc, "director", "marketing", **{"basic.name": "甲公司"})
    b = make(svc, "director", "marketing", **{"basic.name": "甲"})
    version = svc.files.history(b)[0].commit
    merging.merge(svc.files, "director", a, b, svc.archive.head(), TODAY)
    head = svc.archive.head()
    with pytest.raises(Forbidden):
        customer_actions.restore(svc.files, "director", b, version, head)
    assert svc.archive.head() == head


def test_the_same_document_is_kept_once_and_chains_lead_to_the_last(svc):
    a = make(svc, "director", "marketing", **{"basic.name": "甲公司"})
    b = make(svc, "director", "marketing", **{"basic.name": "甲"})
    c = make(svc, "director", "marketing", **{"basic.name": "甲有限公司"})
    for customer in (a, b):
        documents.add(svc.files, customer, Upload(s.PDF, "合約.pdf", kind="contract"),
                      "director", TODAY)
    merging.merge(svc.files, "director", a, b, svc.archive.head(), TODAY)
    kept = record(svc, a)
    assert len(kept["documents"]) == 1 and kept["documents"][0]["file"].startswith(
        documents.folder(a))
    assert svc.archive.snapshot().listdir(documents.folder(b).rstrip("/")) == []
    merging.merge(svc.files, "director", c, a, svc.archive.head(), TODAY)
    snapshot = svc.archive.snapshot()
    assert retired.kept_for(snapshot, b) == c and retired.kept_for(snapshot, a) == c
    assert retired.mapping(snapshot) == {b: a, a: c}
    moved = record(svc, c)["documents"]
    assert [d["original_name"] for d in moved] == ["合約.pdf"]
    assert svc.archive.read(moved[0]["file"]) == s.PDF


def test_people_by_name_and_an_empty_assessment_filled(svc):
    a = make(svc, "director", "marketing", **{"basic.name": "甲公司", "people": [
        {"name": "張大同", "role": "負責人"}]})
    b = make(svc, "director", "marketing", **{"basic.name": "甲", "people": [
        {"name": "張大同", "role": "董事長", "hobbies": "高爾夫"},
        {"name": "李小華", "role": "經理"}],
        "sales_power": {"scores": {"credit": 4}, "assessed_on": "2026-11-01",
                        "assessed_by": "director", "notes": ""}})
    merging.merge(svc.files, "director", a, b, svc.archive.head(), TODAY)
    kept = record(svc, a)
    assert [p["name"] for p in kept["people"]] == ["張大同", "李小華"]
    assert kept["people"][0]["role"] == "負責人"  # the kept file's value stays
    assert kept["people"][0]["hobbies"] == "高爾夫"  # what it left empty is filled
    assert kept["sales_power"]["scores"] == {"credit": 4}
