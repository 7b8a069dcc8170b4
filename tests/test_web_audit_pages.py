"""The audit pages in words and in pages (R20, R35): action codes and bases as words, 50
entries a page with page links, a filter by file and by day, through the test client."""

from __future__ import annotations

import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from intranet.records.rulebook.zone import month_of

from .conftest import sign_in


def _journal(app, svc, count: int) -> str:
    for number in range(1, count + 1):
        svc.journal.record(user="wang.li", customer=f"C{number:06d}", action="view",
                           allowed=True, basis="own" if number % 2 else "grant:AR000003",
                           route="customers.show", address="10.0.0.7")
    last = Path(app.config["AUDIT_JOURNAL"]).read_text().splitlines()[-1]
    return month_of(json.loads(last)["at"], ZoneInfo("Asia/Taipei"))


def _hr(app, web):
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert sign_in(client, "hr.chen").status_code == 302
    return client


def _rows(page: str) -> list[str]:
    body = page[page.index('id="entries"'):]
    return re.findall(r"<tr>\s*<td class=\"text-nowrap\">.*?</tr>", body, re.S)


def test_hr_pages_through_a_persons_month_in_words(app, web, svc):
    month = _journal(app, svc, 120)
    hr = _hr(app, web)
    first = hr.get(f"/hr/wang.li?month={month}").get_data(as_text=True)
    assert len(_rows(first)) == 50 and "(120)" in first
    assert "Opened the file" in first and "Own file" in first and "Approved request" in first
    assert 'href="/access/AR000003"' in first
    assert f"/hr/wang.li?month={month}&amp;page=3" in first or \
        f"/hr/wang.li?page=3&amp;month={month}" in first
    third = hr.get(f"/hr/wang.li?month={month}&page=3").get_data(as_text=True)
    shown = "".join(_rows(third))  # oldest first: the third page holds the last 20
    assert len(_rows(third)) == 20 and "C000120" in shown and "C000100" not in shown
    assert 'aria-current="page"><span class="page-link">3<' in third
    beyond = hr.get(f"/hr/wang.li?month={month}&page=99")
    assert beyond.status_code == 200 and len(_rows(beyond.get_data(as_text=True))) == 20


def test_hr_filters_by_file_and_day(app, web, svc):
    month = _journal(app, svc, 60)
    hr = _hr(app, web)
    one = hr.get(f"/hr/wang.li?month={month}&customer=c000007").get_data(as_text=True)
    rows = _rows(one)
    assert len(rows) == 1 and "C000007" in rows[0]
    other_day = hr.get(f"/hr/wang.li?month={month}&day=2001-01-01").get_data(as_text=True)
    assert _rows(other_day) == [] and "No entries in this month." in other_day


def test_my_reads_are_in_words_with_page_links(app, web, svc):
    _journal(app, svc, 55)
    me = app.test_client()
    me.set_cookie("lang", "en")
    sign_in(me, "wang.li")
    page = me.get("/me/reads").get_data(as_text=True)
    assert "Opened the file" in page and "Own file" in page
    assert 'href="/me/reads?page=2"' in page
