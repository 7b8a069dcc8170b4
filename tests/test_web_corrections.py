"""Correcting and withdrawing entries through the web: the Correct link for the author and the
custodian only, the correction page (reason required), the card's marks and the link to the
version before, and a crafted post by anyone else answered 403 with nothing written."""

from __future__ import annotations

import re
from datetime import date

from intranet.actions import entries as actions
from intranet.records.files import corrections, entries

from .conftest import git
from .test_web_customers import make, send
from .test_web_entries import client_as, get, head

TODAY = date(2026, 11, 26)


def setup(svc) -> str:
    """A file kept by wang.li, chen.yu in contact, with one contact and one event by chen.yu."""
    customer = make(svc, **{"custody.contacts": ["chen.yu"]})
    actions.add_contact(svc.files, "chen.yu", customer, entries.contact_entry(
        when="2026-11-20", channel="call", staff="chen.yu", summary="電話詢價",
        report="要報價單", today=TODAY))
    actions.add_event(svc.files, "chen.yu", customer, entries.event_entry(
        when="2026-10", kind="move", summary="遷址至新竹", today=TODAY))
    return customer


def test_correct_and_withdraw_from_the_card(app, web, svc):
    app.config["TODAY"] = TODAY.isoformat()
    customer = setup(svc)
    repo = app.config["ARCHIVE_REPO"]
    client = client_as(web, "chen.yu")
    card = get(client, f"/customers/{customer}")
    correct = f"/customers/{customer}/contacts/0/correct"
    assert f'href="{correct}"' in card and f'href="/customers/{customer}/events/0/correct"' in card
    page = get(client, correct)
    assert 'value="電話詢價"' in page and "Reason (required)" in page
    # A reason is required: nothing is written without one.
    before = head(repo)
    response = send(client, page, correct, {"summary": "電話詢價（兩款）"}, button="submit")
    assert response.status_code == 400 and "Give a reason" in response.get_data(as_text=True)
    assert head(repo) == before
    response = send(client, page, correct, {"summary": "電話詢價（兩款）", "reason": "摘要漏字"},
                    button="submit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/customers/{customer}#contact-log")
    log = git(repo, "log", "-1", "--format=%an%n%B", "main")
    assert log.startswith("陳宇\n更正 ") and "Reason: 摘要漏字\n" in log
    saved = svc.files.load(customer).record["contacts"][0]
    assert saved["summary"] == "電話詢價（兩款）" and saved["corrected"]["reason"] == "摘要漏字"
    card = get(client, f"/customers/{customer}")
    row = re.search(r'<tr class="[^"]*entry-corrected[^"]*" id="contact-1">.*?</tr>', card, re.S)
    assert row and "Corrected" in row.group(0) and "摘要漏字" in row.group(0)
    before_link = f"/customers/{customer}/contacts/0/before"
    assert f'href="{before_link}"' in row.group(0)
    shown = client.get(before_link)
    assert shown.status_code == 302
    assert shown.headers["Location"].endswith(f"/customers/{customer}/history/"
                                              + git(repo, "rev-parse", "main~1").strip())
    assert "電話詢價" in get(client, shown.headers["Location"])

    # The custodian withdraws chen.yu's event: it stays, struck through.
    client = client_as(web, "wang.li")
    url = f"/customers/{customer}/events/0/correct"
    response = send(client, get(client, url), url, {"reason": "記錯客戶"}, button="withdraw")
    assert response.status_code == 302
    card = get(client, f"/customers/{customer}")
    row = re.search(r'<tr class="entry-withdrawn" id="event-1">.*?</tr>', card, re.S)
    assert row and "遷址至新竹</del>" in row.group(0) and "記錯客戶" in row.group(0)
    assert f'href="{url}"' not in card  # a withdrawn entry is not offered again
    assert "Entry withdrawn" in get(client, f"/customers/{customer}/history")


def test_anyone_else_gets_no_link_and_a_403(app, web, svc):
    app.config["TODAY"] = TODAY.isoformat()
    customer = make(svc, **{"custody.contacts": ["chen.yu"]})
    actions.add_contact(svc.files, "wang.li", customer, entries.contact_entry(
        when="2026-11-20", channel="visit", staff="wang.li", summary="拜訪", today=TODAY))
    repo = app.config["ARCHIVE_REPO"]
    url = f"/customers/{customer}/contacts/0/correct"
    page = get(client_as(web, "wang.li"), url)  # the form as its author saw it
    # chen.yu may edit the file (a named contact) but did not write this entry.
    client = client_as(web, "chen.yu")
    card = get(client, f"/customers/{customer}")
    assert 'id="contact-log"' in card and "/correct" not in card
    assert client.get(url).status_code == 403
    before = head(repo)
    seen = corrections.fingerprint(svc.files.load(customer).record["contacts"][0])
    assert seen in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', card).group(1)
    for button in ("submit", "withdraw"):
        # The view lets a post through to the action, which refuses it where it is saved.
        response = client.post(url, data={"csrf_token": token, "seen": seen, "reason": "x",
                                          "date": "2026-11-20", "channel": "visit",
                                          "summary": "改掉", button: "1"})
        assert response.status_code == 403
    assert head(repo) == before
    assert client.get(f"/customers/{customer}/contacts/9/correct").status_code == 404
