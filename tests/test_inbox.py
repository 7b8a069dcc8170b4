"""Issue 14's reminders and inbox below the web: the next_contact date of a contact entry,
the open follow-ups the index keeps, and each provider of ``actions.inbox`` on a real archive."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from intranet.actions import entries as entry_actions
from intranet.actions import inbox
from intranet.actions import policy as policy_actions
from intranet.actions.reading import Reader
from intranet.records.conduct.followups import open_plans
from intranet.records.files import customer_form, entries, tasks, yamlio
from intranet.records.files.customers import customer_path
from intranet.records.files.validate import validate
from intranet.records.rights import requests
from intranet.records.rulebook.policy import dump_policy

from .test_web_customers import make

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def contact(when: str, next_contact: str = "", staff: str = "wang.li") -> dict:
    return entries.contact_entry(when=when, channel="call", staff=staff, summary="報價",
                                 today=TODAY, next_contact=next_contact)


def context(svc, username: str, today: date = TODAY) -> inbox.Context:
    return inbox.Context(Reader(svc, username), username, today, now=NOW, backups=svc.backups)


def kinds(items: list[inbox.Item]) -> list[str]:
    return [i.kind for i in items]


# --- the next_contact date ---------------------------------------------------------------------

def test_a_contact_entry_keeps_a_planned_next_contact_only_when_one_is_given():
    assert "next_contact" not in contact("2026-11-20")
    assert contact("2026-11-20", "2026/12/1")["next_contact"] == "2026-12-01"
    assert contact("2026-11-20", "2026-11-20")["next_contact"] == "2026-11-20"


@pytest.mark.parametrize("planned, message", [
    ("2026-02-30", "Enter a real date as YYYY-MM-DD"),
    ("next week", "Enter a real date as YYYY-MM-DD"),
    ("2026-11-19", entries.BEFORE_CONTACT),
])
def test_a_planned_contact_must_be_a_real_day_not_before_the_contact(planned, message):
    with pytest.raises(entries.EntryError) as refused:
        contact("2026-11-20", planned)
    assert [(e.path, e.message) for e in refused.value.errors] == [("next_contact", message)]


def test_a_hand_edited_file_is_checked_the_same_way(svc):
    record = svc.files.load(make(svc)).record
    record["contacts"] = [{**contact("2026-11-20"), "next_contact": "2026-11-01"}]
    assert [(e.path, e.message) for e in validate(record)] == [
        ("contacts[0].next_contact", entries.BEFORE_CONTACT)]
    record["contacts"][0]["next_contact"] = "2026-12-01"
    assert validate(record) == []


def test_a_later_contact_follows_up_the_plans_made_before_it():
    record = {"contacts": [contact("2026-11-01", "2026-11-10"), contact("2026-11-05"),
                           {"date": "2026-10-01", "next_contact": "2026-10-02"}]}
    assert open_plans(record) == []
    record["contacts"].append(contact("2026-11-20", "2026-12-01", staff="chen.yu"))
    assert open_plans(record) == [(3, "chen.yu", "2026-11-20", "2026-12-01")]


def test_the_entry_is_saved_in_the_files_key_order(svc):
    customer = make(svc)
    entry_actions.add_contact(svc.files, "wang.li", customer, contact("2026-11-20", "2026-12-01"))
    text = svc.archive.read(customer_path(customer)).decode()
    assert "    report: ''\n    next_contact: '2026-12-01'\n    source: visit\n" in text


# --- the index and the follow-up provider --------------------------------------------------

def test_due_follow_ups_come_from_the_index_newest_obligation_first(svc):
    first, second, other = make(svc, **{"basic.name": "甲公司"}), \
        make(svc, **{"basic.name": "乙公司"}), make(svc, author="chen.yu")
    for customer, plan in ((first, "2026-11-20"), (second, "2026-11-25"), (other, "2026-11-11")):
        owner = svc.files.load(customer).record["custody"]["owner"]
        entry_actions.add_contact(svc.files, owner, customer,
                                  contact("2026-11-10", plan, staff=owner))
    entry_actions.add_contact(svc.files, "wang.li", first, contact("2026-11-24", "2026-12-10"))
    found = inbox.due_followups(context(svc, "wang.li"))
    assert [(i.name, i.since, i.overdue) for i in found] == [("乙公司", "2026-11-25", True)]
    later = inbox.due_followups(context(svc, "wang.li", date(2026, 12, 10)))
    assert [(i.name, i.since, i.overdue) for i in later] == [
        ("甲公司", "2026-12-10", False), ("乙公司", "2026-11-25", True)]
    assert later[0].args == {"customer_id": first, "_anchor": "contact-log"}
    # A rebuilt index knows the same: the rows are derived from the files alone.
    svc.index.rebuild()
    assert inbox.due_followups(context(svc, "wang.li", date(2026, 12, 10))) == later


def test_the_policy_gives_notice_days_before_the_planned_day(svc):
    customer = make(svc)
    entry_actions.add_contact(svc.files, "wang.li", customer, contact("2026-11-20", "2026-11-29"))
    assert inbox.due_followups(context(svc, "wang.li")) == []
    data = yamlio.load(svc.archive.read("policy.yaml"))
    data["followups"] = {"notice_days": 3}
    pid = policy_actions.propose(svc.archive, "director", dump_policy(data).decode(), "提醒", NOW)
    policy_actions.approve(svc.archive, "gm", pid, "", NOW)
    assert [i.since for i in inbox.due_followups(context(svc, "wang.li"))] == ["2026-11-29"]


# --- the other providers ---------------------------------------------------------------------

def test_a_waiting_access_request_names_the_requester_and_the_file(svc):
    customer = make(svc, **{"basic.name": "東方貿易"})
    request_id = requests.create(svc.archive, "chen.yu", [customer], "報價", "read", 3, NOW)
    found = inbox.access_requests(context(svc, "lee.mgr"))
    assert [(i.kind, i.name, i.params["requester"], i.args) for i in found] == [
        ("request", "東方貿易", "陳宇", {"request_id": request_id})]
    assert inbox.access_requests(context(svc, "wang.li")) == []


def test_a_policy_proposal_waits_for_the_general_manager_only(svc):
    text = svc.archive.read("policy.yaml").decode().replace("max_grant_days: 30",
                                                             "max_grant_days: 14")
    pid = policy_actions.propose(svc.archive, "director", text, "縮短", NOW)
    assert [(i.kind, i.args) for i in inbox.items(context(svc, "gm"))] == [
        ("policy", {"proposal_id": pid})]
    assert inbox.policy_proposals(context(svc, "director")) == []


def test_a_customer_form_waits_for_the_custodian_until_reviewed(svc):
    customer = make(svc)
    proposal = customer_form.new_proposal("abc123", {"basic.fax": "02-1234-5678"}, "張三",
                                          "wang.li", date(2026, 11, 3))
    svc.files.amend(customer, lambda r, _s: customer_form.add_proposal(r, proposal),
                    author="wang.li", action="customer_form", source="customer_form")
    found = inbox.customer_forms(context(svc, "wang.li"))
    assert [(i.key, i.since, i.args["proposal_id"]) for i in found] == [
        (f"form:{customer}:abc123", "2026-11-03", "abc123")]
    assert inbox.customer_forms(context(svc, "chen.yu")) == []


def test_a_hand_over_task_waits_for_its_successor(svc):
    customer = make(svc, author="chen.yu")
    task = tasks.introduce_successor("chen.yu", "wang.li", "王立", True, TODAY, 7)
    svc.files.amend(customer, lambda r, _s: {**r, "tasks": [task]}, "director")
    found = inbox.handovers(context(svc, "chen.yu"))
    assert [(i.kind, i.params, i.since) for i in found] == [
        ("handover", {"leaver": "王立"}, "2026-11-26")]
    assert inbox.items(context(svc, "wang.li")) == []


def test_hr_is_told_of_hand_over_steps_past_their_day(svc):
    customer = make(svc, author="chen.yu", **{"basic.name": "東方貿易"})
    task = tasks.introduce_successor("chen.yu", "wang.li", "王立", True, date(2026, 11, 1), 7)
    svc.files.amend(customer, lambda r, _s: {**r, "tasks": [task]}, "director")
    found = inbox.overdue_handovers(context(svc, "hr.chen"))
    # Told by 11-08 (notify_days 7), first contact by 11-15 (first_contact_days 14): both late.
    assert [(i.kind, i.name, i.since, i.endpoint) for i in found] == [
        ("discipline", "東方貿易", "2026-11-08", "hr.departures_page"),
        ("discipline", "東方貿易", "2026-11-15", "hr.departures_page")]
    assert [i.overdue for i in inbox.handovers(context(svc, "chen.yu"))] == [True]
    assert inbox.overdue_handovers(context(svc, "chen.yu")) == []
    assert inbox.overdue_handovers(context(svc, "hr.chen", date(2026, 11, 5))) == []


def test_the_administrator_is_told_of_a_failed_backup_and_a_missing_folder(svc, tmp_path):
    svc.backups.folder = tmp_path / "unmounted"  # the configured disk is not there
    svc.backups.make("manual")
    found = inbox.backup_problems(context(svc, "director"))
    assert [i.what for i in found] == [
        "The backup of {when} failed: {reason}",
        "The backup folder {path} is missing (is the disk mounted?)"]
    assert all(i.kind == "backup" and i.endpoint == "admin.backups_page" for i in found)
    assert inbox.backup_problems(context(svc, "wang.li")) == []
