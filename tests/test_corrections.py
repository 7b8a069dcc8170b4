"""Correcting and withdrawing contact and event entries (R11, R14) through the action: the
author and the custodian may, with a reason, one commit each, the entry in its place, the
original in git; anyone else is refused with nothing written; a withdrawn contact no longer
counts for the rules that count contacts (R31 contact log, R32 first contact, completeness)."""

from __future__ import annotations

from datetime import date

import pytest

from intranet.actions import ActionError, Forbidden
from intranet.actions import customers as customer_actions
from intranet.actions import entries as actions
from intranet.archive.errors import Conflict
from intranet.index.rows import file_rows
from intranet.records.conduct import handover_steps, two_contacts
from intranet.records.files import completeness, corrections, entries
from intranet.records.files.customers import CustomerFiles, customer_path
from intranet.records.files.entries import EntryError
from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy

from .conftest import git
from .test_customers import sample

TODAY = date(2026, 11, 26)


@pytest.fixture
def files(archive):
    return CustomerFiles(archive)


@pytest.fixture
def customer(files):
    """A file kept by wang.li with one contact by chen.yu and one event by chen.yu."""
    customer_id = files.create(sample(**{"custody.contacts": ["chen.yu"]}), "wang.li")[0]
    actions.add_contact(files, "chen.yu", customer_id, entries.contact_entry(
        when="2026-11-20", channel="call", staff="chen.yu", summary="電話詢價",
        report="要報價單", today=TODAY))
    actions.add_event(files, "chen.yu", customer_id, entries.event_entry(
        when="2026-10", kind="move", summary="遷址至新竹", today=TODAY))
    return customer_id


def entry(files, customer_id, list_name, position=0):
    return files.load(customer_id).record[list_name][position]


def seen(files, customer_id, list_name, position=0):
    return corrections.fingerprint(entry(files, customer_id, list_name, position))


def raw(archive, rev="HEAD", customer_id="C000001"):
    return git(archive.path, "show", f"{rev}:{customer_path(customer_id)}")


def test_the_author_corrects_a_contact_in_place(files, archive, customer):
    before = raw(archive)
    commit = actions.correct(
        files, "chen.yu", customer, "contacts", 0, seen(files, customer, "contacts"),
        {"date": "2026-11-19", "channel": "call", "summary": "電話詢價（兩款）",
         "report": "要報價單", "confidential": False}, "日期與摘要打錯", TODAY)
    fixed = entry(files, customer, "contacts")
    assert fixed["date"] == "2026-11-19" and fixed["summary"] == "電話詢價（兩款）"
    assert fixed["staff"] == "chen.yu" and fixed["recorded_on"] == "2026-11-26"
    assert fixed["corrected"] == {"by": "chen.yu", "on": "2026-11-26", "reason": "日期與摘要打錯"}
    assert len(files.load(customer).record["contacts"]) == 1  # in its place, not appended
    log = git(archive.path, "log", "-1", "--format=%an%n%B", commit)
    assert log.startswith("陳宇\n更正 C000001 ")
    assert "聯絡記錄 #1（2026-11-20 電話詢價）" in log and "理由：日期與摘要打錯" in log
    assert "Action: correct\n" in log and "Entry: contacts[0]\n" in log
    assert "Reason: 日期與摘要打錯\n" in log
    # History keeps the original text.
    assert raw(archive, f"{commit}~1") == before and "summary: 電話詢價\n" in before


def test_the_custodian_withdraws_an_event_which_stays_marked(files, archive, customer):
    assert entry(files, customer, "events")["recorded_by"] == "chen.yu"
    commit = actions.withdraw(files, "wang.li", customer, "events", 0,
                              seen(files, customer, "events"), "記錯客戶", TODAY)
    event = entry(files, customer, "events")
    assert event["summary"] == "遷址至新竹"
    assert event["withdrawn"] == {"by": "wang.li", "on": "2026-11-26", "reason": "記錯客戶"}
    assert corrections.is_withdrawn(event)
    log = git(archive.path, "log", "-1", "--format=%an%n%B", commit)
    assert log.startswith("王立\n撤回 C000001 ") and "Action: withdraw\n" in log
    with pytest.raises(EntryError):  # once is enough
        actions.withdraw(files, "wang.li", customer, "events", 0,
                         seen(files, customer, "events"), "again", TODAY)
    with pytest.raises(EntryError):  # and a withdrawn entry is not corrected
        actions.correct(files, "wang.li", customer, "events", 0,
                        seen(files, customer, "events"),
                        {"date": "2026-10", "kind": "move", "summary": "x"}, "r", TODAY)


@pytest.mark.parametrize("who", ["lee.mgr", "director", "lin.sales2", "gm"])
def test_anyone_else_is_refused_and_nothing_is_written(files, archive, customer, who):
    head = git(archive.path, "rev-parse", "HEAD")
    with pytest.raises(Forbidden):
        actions.withdraw(files, who, customer, "contacts", 0,
                         seen(files, customer, "contacts"), "not mine", TODAY)
    with pytest.raises(Forbidden):
        actions.correct(files, who, customer, "events", 0, seen(files, customer, "events"),
                        {"date": "2026-10", "kind": "capital", "summary": "x"}, "r", TODAY)
    assert git(archive.path, "rev-parse", "HEAD") == head


def test_an_author_who_lost_access_is_refused(files, archive, customer):
    record = files.load(customer).record
    record["custody"]["contacts"] = []
    files.save(customer, record, files.load(customer).commit, "wang.li")
    head = git(archive.path, "rev-parse", "HEAD")
    with pytest.raises(Forbidden):
        actions.withdraw(files, "chen.yu", customer, "contacts", 0,
                         seen(files, customer, "contacts"), "mine", TODAY)
    assert git(archive.path, "rev-parse", "HEAD") == head


def test_a_reason_is_required_and_the_form_must_match_the_entry(files, archive, customer):
    head = git(archive.path, "rev-parse", "HEAD")
    with pytest.raises(ActionError):
        actions.withdraw(files, "chen.yu", customer, "contacts", 0,
                         seen(files, customer, "contacts"), "  ", TODAY)
    with pytest.raises(Conflict):  # corrected by someone else since the form was loaded
        actions.withdraw(files, "chen.yu", customer, "contacts", 0, "0" * 16, "r", TODAY)
    with pytest.raises(EntryError):  # no such entry
        actions.withdraw(files, "chen.yu", customer, "contacts", 5, "0" * 16, "r", TODAY)
    with pytest.raises(EntryError) as caught:  # nothing changed
        actions.correct(files, "chen.yu", customer, "contacts", 0,
                        seen(files, customer, "contacts"),
                        {"date": "2026-11-20", "channel": "call", "summary": "電話詢價",
                         "report": "要報價單"}, "r", TODAY)
    assert "Change the entry" in str(caught.value)
    with pytest.raises(EntryError) as caught:  # the corrected entry is checked like a new one
        actions.correct(files, "chen.yu", customer, "contacts", 0,
                        seen(files, customer, "contacts"),
                        {"date": "2026-12-01", "channel": "call", "summary": "x"}, "r", TODAY)
    assert "future" in str(caught.value)
    with pytest.raises(ActionError):
        actions.withdraw(files, "chen.yu", customer, "yearly", 0, "0" * 16, "r", TODAY)
    assert git(archive.path, "rev-parse", "HEAD") == head


def test_a_withdrawn_contact_counts_for_no_rule(files, customer):
    policy = Policy(DEFAULT_POLICY)
    record = files.load(customer).record
    record["card"] = "distributor"
    assert [c[1] for c in two_contacts.contact_log(record)] == ["chen.yu"]
    assert handover_steps.first_contact(record, "chen.yu", date(2026, 11, 1)) == "2026-11-20"
    assert "contacts" not in completeness.completeness(record, policy).missing
    actions.withdraw(files, "chen.yu", customer, "contacts", 0,
                     seen(files, customer, "contacts"), "記錯客戶", TODAY)
    loaded = files.load(customer)
    record = loaded.record
    assert two_contacts.contact_log(record) == []
    assert handover_steps.first_contact(record, "chen.yu", date(2026, 11, 1)) == ""
    assert "contacts" in policy.completeness_fields("distributor")
    assert "contacts" in completeness.completeness(record, policy).missing
    # The quick look at the text leaves a file with a withdrawn entry to a parse.
    assert completeness.quick(files.archive.snapshot().get(customer_path(customer)),
                              policy) is None
    rows = file_rows(customer, customer_path(customer), "blob", record, None, policy)
    assert rows.contact_log == []


def test_an_edit_cannot_rewrite_an_entry(files, archive, customer):
    loaded = files.load(customer)
    record = loaded.record
    record["contacts"][0]["summary"] = "悄悄改掉"
    head = git(archive.path, "rev-parse", "HEAD")
    with pytest.raises(Forbidden):
        customer_actions.save(files, "wang.li", customer, record, loaded.commit)
    record = files.load(customer).record
    del record["events"][0]
    with pytest.raises(Forbidden):
        customer_actions.save(files, "wang.li", customer, record, loaded.commit)
    assert git(archive.path, "rev-parse", "HEAD") == head
