"""The customer page: a section index over panes (anchors without JavaScript), the most used
actions at the top, only those the reader may do, and "who changed what" from git blame, only
when asked for and journalled as a history read."""

from __future__ import annotations

import re

import pytest

from intranet.records.files import yamlio
from intranet.records.files.customers import customer_path
from intranet.records.files.field_lines import ancestors, latest_by_field, line_paths
from intranet.records.files.schema import new_record

from .conftest import sign_in
from .test_web_customers import make, page, send
from .test_web_export import journal


def reader(web, username: str):
    web.set_cookie("lang", "en")
    assert sign_in(web, username).status_code == 302
    return web


def anchors(html: str) -> list[str]:
    """Return the index's pane anchors in order."""
    return re.findall(r'class="card-index-link" href="#(card-[a-z_]+)"', html)


def actions(html: str) -> list[str]:
    return re.findall(r'data-action="([a-z]+)"', html)


@pytest.fixture
def filled(svc) -> str:
    return make(svc, people=[{"role": "負責人", "name": "王大明"}], contacts=[{
        "date": "2024-03-01", "channel": "visit", "staff": "wang.li", "summary": "拜訪",
        "report": "", "source": "visit", "confidential": False, "recorded_on": "2024-03-01"}])


def test_the_index_lists_the_panes_with_counts_and_the_actions_at_the_top(web, svc, filled):
    html = page(reader(web, "wang.li"), f"/customers/{filled}")
    assert anchors(html) == ["card-basic", "card-people", "card-business", "card-transactions",
                             "card-contacts", "card-events", "card-figures", "card-documents",
                             "card-sales_power"]
    for anchor in anchors(html):
        assert f'<div class="card-pane" id="{anchor}"' in html
    # Counts where they help: one person.
    assert re.search(r'href="#card-people"[^>]*>People <span class="card-index-count">1<', html)
    assert f'href="/customers/{filled}/history">History</a>' in html
    # The owner may do everything; the quick ones come first and the contact form is in reach.
    # (custody changes are the managers': access.may_change_custody says no to wang.li)
    assert actions(html)[:6] == ["edit", "contact", "event", "document", "history", "card"]
    assert 'href="#contact-log" data-action="contact"' in html
    contacts = html[html.index('id="card-contacts"'):html.index('id="card-events"')]
    assert f'action="/customers/{filled}/contacts"' in contacts
    # The credit panel moved into the transactions pane; the panes keep the old anchors.
    transactions = html[html.index('id="card-transactions"'):html.index('id="card-contacts"')]
    assert 'id="credit"' in transactions and 'id="section-transactions"' in transactions
    assert re.search(r'<script src="/static/js/card\.js\?v=[0-9a-f]+" defer></script>', html)
    assert "customer_page.css" in html


def test_a_reader_who_may_not_edit_is_offered_no_change(web, svc):
    customer = make(svc)
    html = page(reader(web, "lee.mgr"), f"/customers/{customer}")
    assert "edit" not in actions(html) and "contact" not in actions(html)
    assert "event" not in actions(html) and "document" not in actions(html)
    assert f'action="/customers/{customer}/contacts"' not in html
    assert "card" in actions(html)


def test_who_changed_what_is_shown_only_when_asked_and_journalled(web, svc):
    customer = make(svc)  # created by wang.li (王立)
    client = reader(web, "wang.li")
    # chen.yu (陳宇) is made a contact so he may edit; he changes the phone.
    record = svc.files.load(customer).record
    record["custody"]["contacts"] = ["chen.yu"]
    svc.files.save(customer, record, svc.files.load(customer).commit, "wang.li")
    other = web.application.test_client()
    other.set_cookie("lang", "en")
    assert sign_in(other, "chen.yu").status_code == 302
    form = page(other, f"/customers/{customer}/edit")
    assert send(other, form, f"/customers/{customer}/edit",
                {"basic.phone": "02-8888-1234"}).status_code == 302

    before = len(journal(svc))
    plain = page(client, f"/customers/{customer}")
    assert "Changed by" not in plain and "Show who changed what" in plain
    assert [e["action"] for e in journal(svc)[before:] if e["customer"]] == ["view"]

    before = len(journal(svc))
    html = page(client, f"/customers/{customer}?changes=1")
    phone = html[html.index('data-path="basic.phone"'):]
    phone = phone[:phone.index("</dd>")]
    assert "02-8888-1234" in phone and "Changed by 陳宇" in phone
    name = html[html.index('data-path="basic.name"'):]
    assert "Changed by 王立" in name[:name.index("</dd>")]
    assert "Hide who changed what" in html
    fresh = [(e["action"], e["allowed"], e["route"]) for e in journal(svc)[before:]
             if e["customer"]]
    assert ("history", True, "customers.show") in fresh


def test_who_changed_what_needs_the_history_right(web, svc):
    customer = make(svc)
    client = reader(web, "lin.sales2")  # another department's salesperson: no read at all
    assert client.get(f"/customers/{customer}?changes=1").status_code == 403


def test_lines_map_to_field_paths_and_groups_take_their_latest_change():
    record = new_record("distributor", "C000001", **{"basic.name": "甲"})
    record["people"] = [{"role": "owner", "name": "王"}, {"role": "manager", "name": "李"}]
    record["contacts"] = [{"date": "2024-01-01", "summary": "兩行\n文字"}]
    record["custody"]["contacts"] = ["a", "b"]
    text = yamlio.dump(record).decode()
    paths = line_paths(text)
    lines = text.split("\n")
    at = {line: path for line, path in zip(lines, paths, strict=True)}
    assert at["  name: 甲"] == "basic.name"
    assert at["  - role: manager"] == "people[1].role" and at["    name: 李"] == "people[1].name"
    assert at["      文字"] == "contacts[0].summary" and at["    - b"] == "custody.contacts[1]"
    assert ancestors("people[1].name") == ["people", "people[1]", "people[1].name"]

    class When:
        def __init__(self, n: int):
            self.authored_at = n

    origins = [When(1)] * len(lines)
    origins[lines.index("    name: 李")] = When(5)
    latest = latest_by_field(paths, origins)
    assert latest["people"].authored_at == 5 and latest["people[1].name"].authored_at == 5
    assert latest["people[0].name"].authored_at == 1 and latest["basic"].authored_at == 1


def test_the_blame_is_of_the_shown_version(web, svc):
    customer = make(svc)
    first = svc.files.load(customer)
    record = first.record
    record["basic"]["fax"] = "02-0000-0000"
    svc.files.save(customer, record, first.commit, "chen.yu")
    from intranet.actions.field_history import field_changes
    from intranet.actions.reading import Reader
    from intranet.records.rights.access import Actor
    reader_ = Reader(svc, "wang.li")
    actor = Actor("wang.li", "salesperson", "sales")
    now = field_changes(reader_, customer, actor, svc.archive.head(),
                        svc.archive.read(customer_path(customer)))
    then = field_changes(reader_, customer, actor, first.commit, first.raw)
    assert now["basic.fax"].author_name == "陳宇" and now["basic.name"].author_name == "王立"
    assert then["basic.fax"].author_name == "王立"
