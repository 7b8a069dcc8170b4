"""Restoring without surprises: a restore puts back the card's fields and keeps the contacts,
events, yearly figures and documents added or changed since (byte for byte), unless asked to
remove them; the restore page lists them, shows them again as what will go before removing,
and the commit says what was kept or removed."""

from __future__ import annotations

from datetime import date

import pytest

from intranet.actions import customers as customer_actions
from intranet.actions import documents as document_actions
from intranet.actions import entries as actions
from intranet.records.files import corrections, entries, restore_plan
from intranet.records.files.customers import CustomerFiles, customer_path
from intranet.records.files.documents import Upload

from . import doc_samples
from .conftest import git
from .test_customers import sample
from .test_web_customers import send
from .test_web_entries import client_as, get, head

TODAY = date(2026, 11, 26)


def section(raw: str, key: str) -> str:
    """Return a top-level key's block of canonical YAML text, exactly as stored."""
    lines = raw.split("\n")
    start = lines.index(next(line for line in lines if line.startswith(f"{key}:")))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in ("", " ")),
               len(lines))
    return "\n".join(lines[start:end])


def history(files, archive, customer_id: str) -> tuple[str, str]:
    """Make a file's first version, then later entries and an edit; return (first, head)."""
    first = git(archive.path, "rev-parse", "HEAD").strip()
    actions.add_contact(files, "wang.li", customer_id, entries.contact_entry(
        when="2026-11-20", channel="visit", staff="wang.li", summary="拜訪採購", today=TODAY))
    actions.add_event(files, "wang.li", customer_id, entries.event_entry(
        when="2026-10", kind="capital", summary="增資", today=TODAY))
    actions.put_year(files, "wang.li", customer_id, entries.year_entry(
        year="2025", sales=[("A-100", "1200000")], financials={}, today=TODAY))
    document_actions.add(files, "wang.li", customer_id,
                         Upload(doc_samples.PDF, "合約.pdf"), TODAY)
    loaded = files.load(customer_id)
    record = loaded.record
    record["basic"]["phone"] = "02-8888-1234"
    customer_actions.save(files, "wang.li", customer_id, record, loaded.commit)
    return first, git(archive.path, "rev-parse", "HEAD").strip()


@pytest.fixture
def files(archive):
    return CustomerFiles(archive)


def raw(archive, rev: str = "HEAD") -> str:
    return git(archive.path, "show", f"{rev}:{customer_path('C000001')}")


def test_the_plan_lists_entries_added_or_changed_since(files, archive):
    customer = files.create(sample(), "wang.li")[0]
    first, now = history(files, archive, customer)
    seen = corrections.fingerprint(files.load(customer).record["contacts"][0])
    actions.withdraw(files, "wang.li", customer, "contacts", 0, seen, "寫錯", TODAY)
    middle = now  # the version with the phone edited, before the withdrawal
    later = restore_plan.later_entries(files.load(customer, first).record,
                                       files.load(customer).record)
    assert [(i.section, i.key, i.change) for i in later] == [
        ("contacts", "#1", "added"), ("events", "#1", "added"), ("yearly", "2025", "added"),
        ("documents", later[3].key, "added")]
    since_edit = restore_plan.later_entries(files.load(customer, middle).record,
                                            files.load(customer).record)
    assert [(i.section, i.change) for i in since_edit] == [("contacts", "changed")]
    body, trailers = restore_plan.message(later, remove=False)
    assert trailers == {"Kept": "contacts 1, events 1, yearly 1, documents 1"}
    assert "保留此版本之後的記錄" in body and "聯絡記錄 #1 2026-11-20 拜訪採購（新增）" in body


def test_a_restore_keeps_later_entries_byte_for_byte(files, archive):
    customer = files.create(sample(), "wang.li")[0]
    first, now = history(files, archive, customer)
    before = raw(archive)
    commit = customer_actions.restore(files, "wang.li", customer, first, now)
    after = raw(archive)
    assert "phone: (02)2531-7099\n" in after and "02-8888-1234" in before
    for key in restore_plan.LATER:
        assert section(after, key) == section(before, key), key
    assert section(after, "contacts").count("\n  - ") == 1  # the contact is there
    message = git(archive.path, "log", "-1", "--format=%an%n%B", commit)
    assert message.startswith("王立\n還原 C000001 ")
    kept = "保留此版本之後的記錄（未還原）：\n- 聯絡記錄 #1 2026-11-20 拜訪採購（新增）\n"
    assert kept in message
    assert "Kept: contacts 1, events 1, yearly 1, documents 1\n" in message
    assert f"Restored-From: {first}\n" in message


def test_a_restore_may_remove_later_entries_when_asked(files, archive):
    customer = files.create(sample(), "wang.li")[0]
    first, now = history(files, archive, customer)
    commit = customer_actions.restore(files, "wang.li", customer, first, now,
                                      remove_later=True)
    after = files.load(customer).record
    assert after["contacts"] == after["events"] == after["yearly"] == after["documents"] == []
    assert section(raw(archive), "basic") == section(raw(archive, first), "basic")
    message = git(archive.path, "log", "-1", "--format=%B", commit)
    assert "一併移除此版本之後的記錄：\n" in message
    assert "Removed: contacts 1, events 1, yearly 1, documents 1\n" in message


def test_the_restore_page_lists_then_confirms_a_removal(app, web, svc):
    app.config["TODAY"] = TODAY.isoformat()
    repo = app.config["ARCHIVE_REPO"]
    customer = svc.files.create(sample(), "wang.li")[0]
    first, now = history(svc.files, svc.archive, customer)
    client = client_as(web, "wang.li")
    url = f"/customers/{customer}/history/{first}/restore"
    page = get(client, url)
    assert "Entries added or changed since this version: kept" in page
    assert "拜訪採購" in page and "增資" in page and "Figures of 2025" in page
    assert "合約" in page and "Also remove these later entries" in page
    assert f'href="{url}"' in get(client, f"/customers/{customer}/history/{first}")
    # Ticking "also remove" shows the list again as what will go; nothing is written yet.
    response = send(client, page, url, {"confirm": "y", "remove_later": "y"}, button="submit")
    again = response.get_data(as_text=True)
    assert response.status_code == 200 and head(repo) == now
    assert "These later entries will be removed" in again and "拜訪採購" in again
    assert "Restore and remove the later entries" in again
    response = send(client, again, url, {}, button="submit")
    assert response.status_code == 302
    assert svc.files.load(customer).record["contacts"] == []
    assert "Removed: contacts 1" in git(repo, "log", "-1", "--format=%B", "main")


def test_the_restore_page_keeps_by_default(app, web, svc):
    app.config["TODAY"] = TODAY.isoformat()
    repo = app.config["ARCHIVE_REPO"]
    customer = svc.files.create(sample(), "wang.li")[0]
    first, now = history(svc.files, svc.archive, customer)
    before = svc.archive.read(customer_path(customer)).decode()
    client = client_as(web, "wang.li")
    url = f"/customers/{customer}/history/{first}/restore"
    response = send(client, get(client, url), url, {"confirm": "y"}, button="submit")
    assert response.status_code == 302 and head(repo) != now
    after = svc.archive.read(customer_path(customer)).decode()
    for key in restore_plan.LATER:
        assert section(after, key) == section(before, key), key
    assert "Kept: contacts 1, events 1, yearly 1, documents 1" in git(
        repo, "log", "-1", "--format=%B", "main")
