"""The home page's sections: my files, my tasks, requests waiting for me, recent changes."""

from __future__ import annotations

import pytest

from intranet.records.files.schema import new_record
from intranet.records.rights import requests

from .conftest import sign_in

TODAY = "2026-11-20"


def make(svc, name: str, owner: str, contacts: list[str] | None = None,
         vip: bool = False) -> str:
    data = new_record("distributor", **{
        "basic.name": name, "basic.phone": "02-2345-6789", "basic.address": "臺北市中山路一號",
        "classification.region": "北區", "custody.owner": owner, "custody.department": "sales",
        "custody.level": "personal", "custody.contacts": contacts or [], "vip": vip})
    return svc.files.create(data, owner)[0]


def task(assignee: str, due: str, summary: str, done: str = "") -> dict:
    return {"kind": "other", "assignee": assignee, "summary": summary, "from_staff": "director",
            "created_on": "2026-11-01", "due_on": due, "done_on": done}


def add_tasks(svc, customer_id: str, *items: dict) -> None:
    svc.files.amend(customer_id, lambda r, _s: {**r, "tasks": [*(r.get("tasks") or []),
                                                               *items]}, "director")


def section(page: str, title_id: str) -> str:
    """Return the HTML of one home-page section, or "" when it is not there."""
    start = page.find(f'id="{title_id}"')
    return "" if start < 0 else page[start:page.find("</section>", start)]


@pytest.fixture
def home(app, web):
    app.config["TODAY"] = TODAY

    def get(username: str) -> str:
        client = app.test_client()
        client.set_cookie("lang", "en")
        assert sign_in(client, username).status_code == 302
        response = client.get("/")
        assert response.status_code == 200
        return response.get_data(as_text=True)
    return get


def test_my_files_with_vip_badge_count_and_link(svc, home):
    vip = make(svc, "貴賓商行", "wang.li", vip=True)
    plain = make(svc, "平常商行", "wang.li")
    other = make(svc, "別人商行", "chen.yu")
    mine = section(home("wang.li"), "my-files-title")
    assert vip in mine and plain in mine and other not in mine
    assert mine.count("badge-vip") == 1 and mine.index(vip) < mine.index("badge-vip")
    assert ">2</span>" in mine
    assert 'href="/customers/?owner=wang.li"' in mine
    # Nobody's own files are listed for someone who keeps none.
    assert section(home("hr.chen"), "my-files-title") == ""


def test_my_tasks_oldest_due_first_with_overdue_badges(svc, home):
    kept = make(svc, "東方貿易", "wang.li")
    contact = make(svc, "西方實業", "chen.yu", contacts=["chen.yu", "wang.li"])
    add_tasks(svc, kept, task("wang.li", "2026-11-30", "later task"),
              task("wang.li", "2026-11-10", "late task"),
              task("chen.yu", "2026-11-01", "not mine"),
              task("wang.li", "2026-11-02", "finished", done="2026-11-03"))
    add_tasks(svc, contact, task("wang.li", "2026-11-15", "contact task"))
    mine = section(home("wang.li"), "my-tasks-title")
    assert "not mine" not in mine and "finished" not in mine
    positions = [mine.index(text) for text in ("late task", "contact task", "later task")]
    assert positions == sorted(positions)
    assert mine.count("Overdue") == 2  # due 10th and 15th, today the 20th
    assert f'href="/customers/{contact}"' in mine
    assert section(home("lee.mgr"), "my-tasks-title") == ""


def test_tasks_come_only_from_files_i_hold(svc, home):
    kept = make(svc, "東方貿易", "chen.yu")
    add_tasks(svc, kept, task("wang.li", "2026-11-30", "stale task"))
    # wang.li is assigned but neither keeps the file nor is a contact: not on their page.
    assert "stale task" not in home("wang.li")


def test_a_recorded_contact_closes_the_task_on_the_home_page(svc, home):
    entries = pytest.importorskip("intranet.records.files.entries")
    kept = make(svc, "東方貿易", "wang.li")
    add_tasks(svc, kept, {**task("wang.li", "2026-11-30", "introduce me"),
                          "kind": "introduce_successor"})
    assert "introduce me" in home("wang.li")
    from datetime import date
    entry = entries.contact_entry(when="2026-11-20", channel="call", staff="wang.li",
                                  summary="介紹新負責人", today=date(2026, 11, 20))
    entries.add_contact(svc.files, kept, entry, "wang.li")
    assert svc.files.load(kept).record["tasks"][0]["done_on"] == "2026-11-20"
    assert "introduce me" not in section(home("wang.li"), "my-tasks-title")


def test_requests_waiting_for_my_signature(svc, home):
    kept = make(svc, "東方貿易", "wang.li")
    request_id = requests.create(svc.archive, "chen.yu", [kept], "客戶來電查詢", "read", 1)
    waiting = section(home("lee.mgr"), "waiting-home-title")
    assert f'href="/access/{request_id}"' in waiting and "陳宇" in waiting and kept in waiting
    assert section(home("chen.yu"), "waiting-home-title") == ""
    assert section(home("gm"), "waiting-home-title") == ""


def test_recent_changes_stay(svc, home):
    kept = make(svc, "東方貿易", "wang.li")
    page = home("wang.li")
    assert "Recent changes" in page and kept in page
