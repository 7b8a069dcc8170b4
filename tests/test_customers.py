"""Customer files: create, save with merge and conflict, restore, compare, damaged files."""

from __future__ import annotations

import pytest

from intranet.archive.errors import Conflict, CorruptRecord, NotFound
from intranet.archive.repository import Change
from intranet.records.files.customers import CustomerFiles, InvalidRecord, customer_path
from intranet.records.files.schema import new_record

from .conftest import SYSTEM, git


def sample(**overrides):
    values = {"basic.name": "東方貿易股份有限公司", "basic.phone": "(02)2531-7099",
              "basic.address": "台北市中山區中山北路二段113號",
              "classification.region": "北區", "custody.owner": "wang.li",
              "custody.department": "sales", **overrides}
    return new_record("distributor", **values)


@pytest.fixture
def files(archive):
    return CustomerFiles(archive)


def test_create_assigns_ids_and_writes_canonical_yaml(files, archive):
    first, commit = files.create(sample(), "wang.li")
    second, _ = files.create(sample(**{"basic.name": "西方"}), "chen.yu")
    assert (first, second) == ("C000001", "C000002")
    assert customer_path("C000042") == "customers/0000/C000042.yaml"
    assert customer_path("C012345") == "customers/0123/C012345.yaml"
    raw = git(archive.path, "show", f"{commit}:customers/0000/C000001.yaml")
    assert "name: 東方貿易股份有限公司\n" in raw
    assert "phone: (02)2531-7099\n" in raw
    log = git(archive.path, "log", "-1", "--format=%an <%ae>%n%cn%n%B", commit)
    assert log == ("王立 <wang.li@example.com>\n客戶檔案系統\n新增 C000001 東方貿易股份有限公司\n\n"
                   "Customer: C000001\nAction: create\n\n")


def test_an_invalid_record_is_never_written(files, archive):
    head = archive.head()
    with pytest.raises(InvalidRecord) as caught:
        files.create(sample(**{"basic.phone": "2531-7099", "basic.name": ""}), "wang.li")
    assert {e.path for e in caught.value.errors} == {"basic.phone", "basic.name"}
    with pytest.raises(InvalidRecord) as caught:
        files.create(sample(**{"custody.owner": "nobody"}), "wang.li")
    assert [e.path for e in caught.value.errors] == ["custody.owner"]
    assert archive.head() == head


def test_save_names_the_fields_in_the_message(files, archive):
    customer, base = files.create(sample(), "wang.li")
    record = files.load(customer).record
    record["basic"]["phone"] = "02-2345-6789"
    record["basic"]["fax"] = "02-2345-6780"
    record["contacts"].append({"date": "2026-11-20", "channel": "visit", "staff": "wang.li",
                               "summary": "拜訪", "report": "", "source": "visit",
                               "confidential": False, "recorded_on": "2026-11-20"})
    commit = files.save(customer, record, base, "chen.yu")
    subject = git(archive.path, "log", "-1", "--format=%s|%an", commit).strip()
    assert subject == "更新 C000001 東方貿易股份有限公司：聯絡記錄 +1、電話、傳真|陳宇"
    assert files.save(customer, record, commit, "chen.yu") is None  # nothing changed
    assert archive.head() == commit


def test_stale_save_merges_changes_to_other_fields(files):
    customer, base = files.create(sample(), "wang.li")
    mine = files.load(customer, base).record
    theirs = files.load(customer, base).record
    theirs["basic"]["fax"] = "02-1111-2222"
    files.save(customer, theirs, base, "chen.yu")
    mine["basic"]["phone"] = "02-3333-4444"
    files.save(customer, mine, base, "wang.li")
    now = files.load(customer).record
    assert now["basic"]["fax"] == "02-1111-2222"
    assert now["basic"]["phone"] == "02-3333-4444"


def test_stale_save_of_the_same_field_is_a_conflict(files, archive):
    customer, base = files.create(sample(), "wang.li")
    theirs = files.load(customer, base).record
    theirs["basic"]["phone"] = "02-1111-2222"
    files.save(customer, theirs, base, "chen.yu")
    head = archive.head()
    mine = files.load(customer, base).record
    mine["basic"]["phone"] = "02-3333-4444"
    mine["basic"]["fax"] = "02-5555-6666"
    with pytest.raises(Conflict) as caught:
        files.save(customer, mine, base, "wang.li")
    assert caught.value.fields == ["basic.phone"]
    details = caught.value.details
    assert details.head == head
    assert details.merged["basic"]["fax"] == "02-5555-6666"  # my other change is kept
    assert details.theirs["basic"]["phone"] == "02-1111-2222"
    assert (details.conflicts[0].mine, details.conflicts[0].theirs) == \
        ("02-3333-4444", "02-1111-2222")
    assert archive.head() == head
    assert files.load(customer).record["basic"]["phone"] == "02-1111-2222"


def test_history_compare_and_restore(files, archive):
    customer, first = files.create(sample(), "wang.li")
    record = files.load(customer).record
    record["grade"] = "A"
    second = files.save(customer, record, first, "chen.yu")
    assert [v.commit for v in files.history(customer)] == [second, first]
    changes = files.compare(customer, first, second)
    assert [(c.path, c.old, c.new) for c in changes] == [("grade", "", "A")]
    restored = files.restore(customer, first, second, "wang.li")
    assert files.load(customer).record["grade"] == ""
    message = git(archive.path, "log", "-1", "--format=%B", restored)
    assert message.startswith(f"還原 C000001 東方貿易股份有限公司 至 {first[:10]}")
    assert f"Restored-From: {first}" in message
    assert "Action: restore" in message


def test_restore_over_an_unseen_change_is_refused(files, archive):
    customer, first = files.create(sample(), "wang.li")
    record = files.load(customer).record
    record["grade"] = "A"
    second = files.save(customer, record, first, "chen.yu")
    record["grade"] = "B"
    files.save(customer, record, second, "chen.yu")
    with pytest.raises(Conflict):
        files.restore(customer, first, second, "wang.li")
    assert files.load(customer).record["grade"] == "B"


def test_a_damaged_file_is_reported_not_raised(files, archive):
    customer, _ = files.create(sample(), "wang.li")
    path = customer_path(customer)
    for raw, reason in ((b"basic: [unclosed\n", "line"),
                        (b"a: &x 1\nb: *x\n", "alias"),
                        (b"id: C000001\ncard: !!python/object:os.system x\n", "tag")):
        archive.commit(lambda snap, raw=raw: Change({path: raw}, "hand edit"), SYSTEM)
        loaded = files.load(customer)
        assert loaded.damaged and loaded.record is None
        assert reason in loaded.problem.lower()
        with pytest.raises(CorruptRecord):
            files.save(customer, sample(), archive.head(), "wang.li")
    archive.commit(lambda snap: Change({path: b"id: C000001\ncard: bus\n"}, "hand edit"), SYSTEM)
    loaded = files.load(customer)
    assert loaded.damaged and "card" in loaded.problem


def test_a_file_that_parses_but_does_not_validate_can_be_repaired(files, archive):
    customer, _ = files.create(sample(), "wang.li")
    path = customer_path(customer)
    broken = archive.read(path).replace(b"card: distributor", b"card: bus")
    archive.commit(lambda snap: Change({path: broken}, "hand edit"), SYSTEM)
    loaded = files.load(customer)
    assert loaded.damaged and loaded.errors[0].path == "card"
    loaded.record["card"] = "distributor"
    files.save(customer, loaded.record, loaded.commit, "wang.li")
    assert not files.load(customer).damaged


def test_unknown_ids_are_not_found(files):
    for bad in ("C999999", "X000001", "../../etc/passwd", "C1"):
        with pytest.raises(NotFound):
            files.load(bad)


def test_unknown_keys_from_hand_edits_are_kept(files, archive):
    customer, _ = files.create(sample(), "wang.li")
    path = customer_path(customer)
    raw = archive.read(path) + "手寫備註: 保留\n".encode()
    archive.commit(lambda snap: Change({path: raw}, "hand edit"), SYSTEM)
    loaded = files.load(customer)
    assert not loaded.damaged
    loaded.record["grade"] = "B"
    files.save(customer, loaded.record, loaded.commit, "wang.li")
    assert "手寫備註: 保留\n" in archive.read(path).decode()


def _visit(day: str, summary: str) -> dict:
    return {"date": day, "channel": "visit", "staff": "wang.li", "summary": summary,
            "source": "visit", "confidential": False, "recorded_on": day}


def test_amend_applies_to_the_head_with_a_source_trailer(files, archive):
    customer, base = files.create(sample(), "wang.li", source="agency")
    record = files.load(customer).record
    record["basic"]["fax"] = "02-2345-6780"
    files.save(customer, record, base, "chen.yu")  # someone saves meanwhile

    def add(record, snapshot):
        record["contacts"].append(_visit("2026-11-20", "拜訪"))
        return record

    commit = files.amend(customer, add, "wang.li", action="contact", source="visit")
    after = files.load(customer).record
    assert after["basic"]["fax"] == "02-2345-6780"  # nothing lost
    assert [c["summary"] for c in after["contacts"]] == ["拜訪"]
    body = git(archive.path, "log", "-1", "--format=%s%n%b", commit)
    assert body.startswith("更新 C000001 東方貿易股份有限公司：聯絡記錄 +1\n")
    assert "Action: contact\nSource: visit\n" in body
    assert [v.source for v in files.history(customer)] == ["visit", "", "agency"]
    assert files.amend(customer, lambda r, s: None, "wang.li") is None
    assert files.amend(customer, lambda r, s: r, "wang.li") is None  # same bytes: no commit
    assert archive.head() == commit


def test_amend_writes_other_files_in_the_same_commit_or_nothing(files, archive):
    customer, _ = files.create(sample(), "wang.li")
    head = archive.head()

    def broken(record, snapshot):
        record["contacts"].append({**_visit("2026-11-20", "x"), "channel": "telepathy"})
        return record

    with pytest.raises(InvalidRecord):
        files.amend(customer, broken, "wang.li", files=lambda s, r: {"documents/x": b"1"})
    assert archive.head() == head
    commit = files.amend(customer, lambda r, s: {**r, "notes": "附件"}, "wang.li",
                         files=lambda s, r: {"documents/0000/C000001/D1.pdf": b"%PDF-1.4"})
    shown = git(archive.path, "show", "--name-only", "--format=", commit).split()
    assert sorted(shown) == ["customers/0000/C000001.yaml", "documents/0000/C000001/D1.pdf"]
    with pytest.raises(ValueError):
        files.amend(customer, lambda r, s: r, "wang.li", source="rumour")
