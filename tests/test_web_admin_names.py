"""Names instead of ids on the administrator's and the access pages: departments and people by
name, files by name where the viewer may read them (R36), requests with level, reason and chain."""

from __future__ import annotations

import re

from intranet.actions import requests as request_actions

from .conftest import sign_in
from .test_customers import sample

FILE_NAME = "名稱測試貿易行"


def _client(app, username):
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert sign_in(client, username).status_code == 302
    return client


def test_the_staff_list_names_departments_and_people(app, svc, web):
    page = _client(app, "director").get("/admin/staff").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if "wang.li" in r)
    assert "王立" in row and "業務部" in row
    assert not re.search(r"<td>\s*sales\s*</td>", row)
    assert "<th></th>" not in page  # every header names its column
    departments = _client(app, "director").get("/admin/departments").get_data(as_text=True)
    assert "業務部" in departments and "<th></th>" not in departments


def test_a_request_shows_file_name_level_reason_and_chain_to_readers_only(app, svc, web):
    customer = svc.files.create(sample(**{"basic.name": FILE_NAME, "custody.owner": "chen.yu"}),
                                "chen.yu")[0]
    request_id = request_actions.ask(svc.archive, "wang.li", [customer], "拜訪前了解往來紀錄")
    # wang.li may not read chen.yu's file yet: the id, never the name.
    mine = _client(app, "wang.li").get("/access/").get_data(as_text=True)
    assert customer in mine and FILE_NAME not in mine and "拜訪前了解往來紀錄" in mine
    # The department manager signs next and reads the department's personal files.
    manager = _client(app, "lee.mgr")
    waiting = manager.get("/access/").get_data(as_text=True)
    assert FILE_NAME in waiting and customer in waiting and "王立" in waiting
    assert "Personal level" in waiting and "Next:" in waiting and "李經理" in waiting
    shown = manager.get(f"/access/{request_id}").get_data(as_text=True)
    assert FILE_NAME in shown and "Personal level" in shown and "拜訪前了解往來紀錄" in shown
    assert 'id="next-signer"' in shown
    own = _client(app, "wang.li").get(f"/access/{request_id}").get_data(as_text=True)
    assert FILE_NAME not in own and customer in own
